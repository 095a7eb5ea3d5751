//! Changing a defined VM: vCPUs, memory, autostart, boot order. Each change goes to the
//! running VM where libvirt can make it live, and always to the next boot's definition;
//! the outcome says which (`ChangeOutcome`).
//!
//! Nothing here regenerates a domain from Vireo's subset: libvirt's own calls change one
//! value each, and the boot order edits the definition's tree in place.

use virt::domain::Domain;
use virt::sys;
use vireo_core::{BootDevice, ChangeOutcome, Error, Result, VmRef};

use crate::error::{message, vm_error};
use crate::host::Host;
use crate::vms::{domain_state, lookup};
use crate::xml::tree::Element;

/// The VM a change is made to, as the change needs it.
pub(crate) struct Target {
    pub dom: Domain,
    pub name: String,
    pub uri: String,
    /// What the change is, for messages (`change the memory of`).
    pub what: &'static str,
    pub active: bool,
    pub persistent: bool,
}

impl Target {
    pub fn err(&self, e: &virt::error::Error) -> Error {
        vm_error(&self.uri, &self.name, self.what, e)
    }

    /// The definition the next boot gets (with secrets such as the VNC password, so a
    /// redefinition keeps them).
    pub fn next_boot_tree(&self) -> Result<Element> {
        let xml = self.dom.xml_desc(sys::VIR_DOMAIN_XML_INACTIVE | sys::VIR_DOMAIN_XML_SECURE).map_err(|e| self.err(&e))?;
        Element::parse(&xml)
    }

    /// The next boot's definition of a persistent VM, the running one of a transient VM.
    pub fn next_or_live_tree(&self) -> Result<Element> {
        if self.persistent {
            self.next_boot_tree()
        } else {
            self.live_tree()
        }
    }

    /// The running definition (the next boot's when the VM is off).
    pub fn live_tree(&self) -> Result<Element> {
        Element::parse(&self.dom.xml_desc(0).map_err(|e| self.err(&e))?)
    }
}

/// Makes a change with `f(flags)`: live and in the definition when the VM runs (one
/// call, which libvirt applies to both or neither), only in the definition when it is
/// off, and in the definition alone, with libvirt's reason, when the live change is
/// refused (a device the guest cannot hot-plug, vCPUs beyond the running maximum).
pub(crate) fn apply(t: &Target, f: impl Fn(u32) -> std::result::Result<(), virt::error::Error>) -> Result<ChangeOutcome> {
    let (live, config) = (sys::VIR_DOMAIN_AFFECT_LIVE, sys::VIR_DOMAIN_AFFECT_CONFIG);
    if !t.active {
        f(config).map_err(|e| t.err(&e))?;
        return Ok(ChangeOutcome::next_boot(None));
    }
    if !t.persistent {
        f(live).map_err(|e| t.err(&e))?;
        return Ok(ChangeOutcome::now());
    }
    match f(live | config) {
        Ok(()) => Ok(ChangeOutcome::now()),
        Err(live_refused) => {
            f(config).map_err(|e| t.err(&e))?;
            Ok(ChangeOutcome::next_boot(Some(message(&live_refused))))
        }
    }
}

/// A change made in two calls, the running VM's (`live`, which may refuse with a
/// reason) and the definition's (`next`): the outcome says which took it.
fn live_then_next(
    t: &Target,
    next: impl Fn(&Target) -> Result<()>,
    live: impl FnOnce() -> std::result::Result<(), String>,
) -> Result<ChangeOutcome> {
    if !t.active {
        next(t)?;
        return Ok(ChangeOutcome::next_boot(None));
    }
    let live = live();
    if t.persistent {
        next(t)?;
    }
    match live {
        Ok(()) => Ok(ChangeOutcome::now()),
        Err(reason) if t.persistent => Ok(ChangeOutcome::next_boot(Some(reason))),
        Err(reason) => Err(Error::Libvirt { action: format!("{} '{}'", t.what, t.name), message: reason }),
    }
}

impl Host {
    /// Runs `f` on the VM in one blocking call.
    pub(crate) async fn on_vm<R: Send + 'static>(
        &self,
        vm: &VmRef,
        what: &'static str,
        f: impl FnOnce(&Target) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        let vm = vm.clone();
        let uri = self.uri().to_owned();
        self.call(move |conn| {
            let (dom, name) = lookup(conn, &uri, &vm)?;
            let state = domain_state(&dom).map_err(|e| vm_error(&uri, &name, what, &e))?;
            let persistent = dom.is_persistent().map_err(|e| vm_error(&uri, &name, what, &e))?;
            let target = Target { dom, name, uri: uri.clone(), what, active: state.is_active(), persistent };
            f(&target)
        })
        .await
    }

    /// Sets how many vCPUs the VM has. Beyond the running maximum it is a next-boot
    /// change, and the definition's maximum grows with it.
    pub async fn set_vcpus(&self, vm: &VmRef, count: u32) -> Result<ChangeOutcome> {
        self.on_vm(vm, "change the vCPUs of", move |t| {
            let limit = host_vcpu_limit(t);
            if limit.is_some_and(|max| count > max) {
                return Err(Error::BeyondHost { what: "that many vCPUs", reason: format!("{count} asked, the host has {} CPUs", limit.unwrap_or(0)) });
            }
            let config_max = if t.persistent { vcpu_max(t, sys::VIR_DOMAIN_AFFECT_CONFIG) } else { 0 };
            let grow_config = |t: &Target| -> Result<()> {
                let flags = sys::VIR_DOMAIN_AFFECT_CONFIG;
                // The maximum first when growing, the current count first when shrinking:
                // libvirt refuses a current count above the maximum at every step.
                if count > config_max {
                    t.dom.set_vcpus_flags(count, flags | sys::VIR_DOMAIN_VCPU_MAXIMUM).map_err(|e| t.err(&e))?;
                    t.dom.set_vcpus_flags(count, flags).map_err(|e| t.err(&e))
                } else {
                    t.dom.set_vcpus_flags(count, flags).map_err(|e| t.err(&e))?;
                    t.dom.set_vcpus_flags(count, flags | sys::VIR_DOMAIN_VCPU_MAXIMUM).map_err(|e| t.err(&e))
                }
            };
            live_then_next(t, grow_config, || {
                let live_max = vcpu_max(t, sys::VIR_DOMAIN_AFFECT_LIVE);
                if count > live_max {
                    return Err(format!("the running VM has at most {live_max} vCPUs; more need a restart"));
                }
                t.dom.set_vcpus_flags(count, sys::VIR_DOMAIN_AFFECT_LIVE).map_err(|e| message(&e))
            })
        })
        .await
    }

    /// Sets the VM's memory. Live, the balloon moves within the running maximum; the
    /// next boot gets exactly `mib` (maximum and current alike).
    pub async fn set_memory(&self, vm: &VmRef, mib: u64) -> Result<ChangeOutcome> {
        let kib = mib * 1024;
        self.on_vm(vm, "change the memory of", move |t| {
            let host_kib = t.dom.connect().ok().and_then(|c| c.node_info().ok()).map(|i| i.memory);
            if let Some(host) = host_kib.filter(|h| kib > *h) {
                return Err(Error::BeyondHost { what: "that much memory", reason: format!("{mib} MiB asked, the host has {} MiB", host / 1024) });
            }
            let set_config = |t: &Target| -> Result<()> {
                let flags = sys::VIR_DOMAIN_AFFECT_CONFIG;
                let max = t.dom.max_memory().unwrap_or(0);
                let max_flag = sys::VIR_DOMAIN_MEM_MAXIMUM;
                if kib > max {
                    t.dom.set_memory_flags(kib, flags | max_flag).map_err(|e| t.err(&e))?;
                    t.dom.set_memory_flags(kib, flags).map_err(|e| t.err(&e))
                } else {
                    t.dom.set_memory_flags(kib, flags).map_err(|e| t.err(&e))?;
                    t.dom.set_memory_flags(kib, flags | max_flag).map_err(|e| t.err(&e))
                }
            };
            live_then_next(t, set_config, || {
                let live_max = t.dom.info().map(|i| i.max_mem).unwrap_or(0);
                if kib > live_max {
                    return Err(format!("the running VM has at most {} MiB; more needs a restart", live_max / 1024));
                }
                t.dom.set_memory_flags(kib, sys::VIR_DOMAIN_AFFECT_LIVE).map_err(|e| message(&e))
            })
        })
        .await
    }

    /// Whether the VM starts with the host.
    pub async fn set_autostart(&self, vm: &VmRef, on: bool) -> Result<ChangeOutcome> {
        self.on_vm(vm, "change autostart of", move |t| {
            t.dom.set_autostart(on).map_err(|e| t.err(&e))?;
            Ok(ChangeOutcome::now())
        })
        .await
    }

    /// The devices the VM boots from, in order, from its next boot. Per-device boot
    /// orders go (libvirt allows one way or the other); everything else stays.
    pub async fn set_boot_order(&self, vm: &VmRef, order: Vec<BootDevice>) -> Result<ChangeOutcome> {
        self.on_vm(vm, "change the boot order of", move |t| {
            if !t.persistent {
                return Err(Error::invalid("boot order", format!("'{}' is transient: it has no definition to change", t.name)));
            }
            let mut dom = t.next_boot_tree()?;
            set_boot(&mut dom, &order)?;
            let conn = t.dom.connect().map_err(|e| t.err(&e))?;
            conn.define_domain_xml(&dom.to_xml()?).map_err(|e| t.err(&e))?;
            Ok(ChangeOutcome::next_boot(t.active.then(|| "the boot order is read when the VM starts".to_owned())))
        })
        .await
    }
}

fn vcpu_max(t: &Target, scope: u32) -> u32 {
    t.dom.vcpus_flags(scope | sys::VIR_DOMAIN_VCPU_MAXIMUM).unwrap_or(1)
}

/// The host's logical CPUs, where libvirt says.
fn host_vcpu_limit(t: &Target) -> Option<u32> {
    t.dom.connect().ok()?.node_info().ok().map(|i| i.cpus)
}

pub(crate) fn set_boot(dom: &mut Element, order: &[BootDevice]) -> Result<()> {
    if let Some(devices) = dom.child_mut("devices") {
        for dev in devices.elements_mut() {
            dev.remove_children(|c| c.name == "boot");
        }
    }
    let os = dom.child_mut("os").ok_or_else(|| Error::Internal("the definition has no <os>".into()))?;
    // Where the first old `<boot>` stood, else after `<type>`, `<loader>`, `<nvram>`
    // (the schema's order).
    os.remove_children(|c| c.name == "boot");
    let after = ["nvram", "loader", "type"].into_iter().find(|n| os.child(n).is_some()).unwrap_or("type");
    for dev in order.iter().rev() {
        os.insert_after(after, Element::new("boot").with_attr("dev", dev.as_str()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boot_order_replaces_both_kinds_and_keeps_the_rest() {
        let mut dom = Element::parse(
            r#"<domain><os><type>hvm</type><boot dev="hd"/><bootmenu enable="yes"/></os><devices><disk><boot order="1"/><target dev="vda"/></disk></devices></domain>"#,
        )
        .unwrap();
        set_boot(&mut dom, &[BootDevice::Cdrom, BootDevice::Hd]).unwrap();
        let xml = dom.to_xml().unwrap();
        assert_eq!(
            xml,
            r#"<domain><os><type>hvm</type><boot dev="cdrom"/><boot dev="hd"/><bootmenu enable="yes"/></os><devices><disk><target dev="vda"/></disk></devices></domain>"#
        );
    }
}
