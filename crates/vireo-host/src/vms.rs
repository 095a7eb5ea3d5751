//! VM listing and lifecycle actions on a `Host`.

use std::time::Instant;

use virt::connect::Connect;
use virt::domain::Domain;
use vireo_core::{Error, Result, VmAction, VmRef, VmState, VmSummary};

use crate::cpu::CpuSamples;
use crate::error::{host_error, is_unsupported, vm_error};
use crate::host::Host;
use crate::stats::{all_domain_stats, DomainStats, Domains};

impl Host {
    /// Every VM on the host with its live figures: one bulk-stats round trip on the
    /// qemu driver, whatever the number of VMs. CPU % compares with the previous list.
    pub async fn list_vms(&self) -> Result<Vec<VmSummary>> {
        // Stamped in the blocking call as libvirt answers, not after the hop back.
        let (stats, at) = self.call(|conn| Ok((collect_stats(conn, Domains::All)?, Instant::now()))).await?;
        let mut samples = self.inner.cpu_samples.lock().unwrap();
        samples.retain(stats.iter().map(|s| s.uuid.as_str()));
        let mut vms: Vec<VmSummary> = stats
            .into_iter()
            .map(|s| {
                let cpu_percent = cpu_of(&mut samples, &s, at);
                summary(s, cpu_percent)
            })
            .collect();
        drop(samples);
        vms.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(vms)
    }

    /// The raw bulk-stats records (for callers that want libvirt's own figures).
    pub async fn domain_stats(&self) -> Result<Vec<DomainStats>> {
        self.call(|conn| collect_stats(conn, Domains::All)).await
    }

    /// Runs a lifecycle action on a VM, named by UUID or by any name libvirt holds
    /// (`My VM`, `名字`, `db+gpu`). An action the VM's state does not allow is refused
    /// with a message naming the state, before libvirt is asked.
    pub async fn vm_action(&self, vm: &VmRef, action: VmAction) -> Result<()> {
        let vm = vm.clone();
        let uri = self.uri().to_owned();
        self.call(move |conn| {
            let (dom, name) = lookup(conn, &uri, &vm)?;
            let state = domain_state(&dom).map_err(|e| vm_error(&uri, &name, action.as_str(), &e))?;
            if !state.allows(action) {
                return Err(Error::InvalidState {
                    action: action.as_str().to_owned(),
                    name: name.clone(),
                    state: state.to_string(),
                });
            }
            let done = match action {
                VmAction::Start => dom.create().map(drop),
                VmAction::Shutdown => dom.shutdown(),
                VmAction::Destroy => dom.destroy(),
                VmAction::Reboot => dom.reboot(0),
                VmAction::Suspend => dom.suspend(),
                VmAction::Resume => dom.resume(),
            };
            done.map_err(|e| vm_error(&uri, &name, action.as_str(), &e))
        })
        .await
    }

    /// The VM's current name (for messages and history).
    pub async fn vm_name(&self, vm: &VmRef) -> Result<String> {
        let vm = vm.clone();
        let uri = self.uri().to_owned();
        self.call(move |conn| lookup(conn, &uri, &vm).map(|(_, name)| name)).await
    }

    /// The VM's UUID.
    pub async fn vm_uuid(&self, vm: &VmRef) -> Result<String> {
        let vm = vm.clone();
        let uri = self.uri().to_owned();
        self.call(move |conn| {
            let (dom, name) = lookup(conn, &uri, &vm)?;
            dom.uuid_string().map_err(|e| vm_error(&uri, &name, "read the UUID of", &e))
        })
        .await
    }

    /// Defines (persists) a domain from XML; returns its name.
    pub async fn define_vm(&self, xml: String) -> Result<String> {
        self.call(move |conn| {
            let dom = conn.define_domain_xml(&xml).map_err(|e| host_error("define the VM", &e))?;
            dom.name().map_err(|e| host_error("read the VM's name", &e))
        })
        .await
    }

    /// Forgets a domain's definition (its disks stay), forcing it off first if it runs.
    pub async fn undefine_vm(&self, vm: &VmRef) -> Result<()> {
        let vm = vm.clone();
        let uri = self.uri().to_owned();
        self.call(move |conn| {
            let (dom, name) = lookup(conn, &uri, &vm)?;
            if dom.is_active().unwrap_or(false) {
                dom.destroy().map_err(|e| vm_error(&uri, &name, "force off", &e))?;
            }
            // Also drop managed-save images, snapshot metadata and NVRAM, which would
            // otherwise make libvirt refuse.
            let flags = virt::sys::VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
                | virt::sys::VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
                | virt::sys::VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA
                | virt::sys::VIR_DOMAIN_UNDEFINE_NVRAM;
            dom.undefine_flags(flags).map_err(|e| vm_error(&uri, &name, "delete", &e))
        })
        .await
    }

    /// Whether libvirt on this host offers KVM guests for x86_64 (`/dev/kvm` usable by it).
    pub async fn offers_kvm(&self) -> Result<bool> {
        self.call(|conn| {
            Ok(conn.domain_capabilities(None, Some("x86_64"), None, Some("kvm"), 0).is_ok())
        })
        .await
    }

    /// The images in the VM's drives (its next-boot configuration): `(device, path)`,
    /// device being `disk` or `cdrom`.
    pub async fn vm_images(&self, vm: &VmRef) -> Result<Vec<(String, String)>> {
        let vm = vm.clone();
        let uri = self.uri().to_owned();
        self.call(move |conn| {
            let (dom, name) = lookup(conn, &uri, &vm)?;
            let xml = dom.xml_desc(virt::sys::VIR_DOMAIN_XML_INACTIVE).map_err(|e| vm_error(&uri, &name, "read the XML of", &e))?;
            let disks = crate::xml::read::elements(&xml, "domain/devices/disk");
            let sources = crate::xml::read::disk_sources(&xml);
            Ok(disks
                .iter()
                .zip(sources)
                .filter_map(|(d, src)| Some((d.attr("device").unwrap_or("disk").to_owned(), src?)))
                .collect())
        })
        .await
    }

    /// The domain's live XML description.
    pub async fn vm_xml(&self, vm: &VmRef) -> Result<String> {
        let vm = vm.clone();
        let uri = self.uri().to_owned();
        self.call(move |conn| {
            let (dom, name) = lookup(conn, &uri, &vm)?;
            dom.xml_desc(0).map_err(|e| vm_error(&uri, &name, "read the XML of", &e))
        })
        .await
    }
}

/// The domain's state. (`virt`'s `Domain::state` drops libvirt's error and reports an
/// unknown state instead, so this asks libvirt directly.)
pub(crate) fn domain_state(dom: &Domain) -> Result<VmState, virt::error::Error> {
    let (mut state, mut reason) = (-1, -1);
    // SAFETY: a valid domain; libvirt writes two ints.
    if unsafe { virt::sys::virDomainGetState(dom.as_ptr(), &mut state, &mut reason, 0) } < 0 {
        return Err(virt::error::Error::last_error());
    }
    Ok(VmState::from_libvirt(state as u32))
}

/// The domain and its current name (for messages), by UUID or by name as libvirt holds it.
pub(crate) fn lookup(conn: &Connect, uri: &str, vm: &VmRef) -> Result<(Domain, String)> {
    let found = match vm {
        VmRef::Uuid(uuid) => conn.lookup_domain_by_uuid_string(uuid),
        VmRef::Name(name) => conn.lookup_domain_by_name(name),
    };
    let dom = found.map_err(|e| vm_error(uri, &vm.to_string(), "find", &e))?;
    let name = dom.name().unwrap_or_else(|_| vm.to_string());
    Ok((dom, name))
}

/// The VM's CPU % from this sample against its baseline (taken at `at`, as libvirt
/// answered). A stopped VM's baseline is dropped: its counter starts again from zero
/// when it next runs.
pub(crate) fn cpu_of(samples: &mut CpuSamples, s: &DomainStats, at: Instant) -> Option<f64> {
    let active = VmState::from_libvirt(s.state.unwrap_or(0)).is_active();
    match s.cpu_time_ns {
        Some(t) if active => samples.percent(&s.uuid, t, at, s.vcpus.unwrap_or(1)),
        _ => {
            samples.forget(&s.uuid);
            None
        }
    }
}

/// Bulk stats of the domains `which` names, completed where the driver left fields out.
/// The qemu driver reports size and vCPUs for stopped domains too, so the completion
/// pass costs nothing there; the test driver reports only the state, and gets one
/// `virDomainGetInfo` per domain.
pub(crate) fn collect_stats(conn: &Connect, which: Domains) -> Result<Vec<DomainStats>> {
    let mut stats = match all_domain_stats(conn, which) {
        Ok(s) => s,
        Err(e) if is_unsupported(&e) => list_without_bulk_stats(conn, which)?,
        Err(e) => return Err(host_error("list VMs", &e)),
    };
    for s in stats.iter_mut().filter(|s| s.vcpus.is_none() || s.balloon_maximum_kib.is_none()) {
        let Ok(dom) = conn.lookup_domain_by_uuid_string(&s.uuid) else { continue };
        if let Ok(info) = dom.info() {
            s.state.get_or_insert(info.state.to_raw());
            s.vcpus.get_or_insert(info.nr_virt_cpu);
            s.balloon_current_kib.get_or_insert(info.memory);
            s.balloon_maximum_kib.get_or_insert(info.max_mem);
            s.cpu_time_ns.get_or_insert(info.cpu_time);
        }
    }
    Ok(stats)
}

fn list_without_bulk_stats(conn: &Connect, which: Domains) -> Result<Vec<DomainStats>> {
    let doms = conn.list_all_domains(which.list_flags()).map_err(|e| host_error("list VMs", &e))?;
    Ok(doms
        .into_iter()
        .map(|d| DomainStats {
            name: d.name().unwrap_or_default(),
            uuid: d.uuid_string().unwrap_or_default(),
            ..Default::default()
        })
        .collect())
}

fn summary(s: DomainStats, cpu_percent: Option<f64>) -> VmSummary {
    VmSummary {
        state: s.vm_state(),
        vcpus: s.vcpus.unwrap_or(0),
        max_memory_kib: s.balloon_maximum_kib.unwrap_or(0),
        figures: s.figures(cpu_percent),
        uuid: s.uuid,
        name: s.name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopped_vm_shows_no_cpu_or_rss() {
        let s = DomainStats {
            state: Some(5),
            balloon_rss_kib: Some(10),
            vcpus: Some(1),
            ..Default::default()
        };
        let v = summary(s, Some(3.0));
        assert_eq!(v.state, VmState::ShutOff);
        assert_eq!(v.figures.cpu_percent, None);
        assert_eq!(v.figures.memory_rss_kib, None);
    }
}
