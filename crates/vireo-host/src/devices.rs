//! Disks and NICs of a defined VM: added, removed and changed live where the guest can
//! take it (hot-plug), and always in the definition (see `edit::apply`).
//!
//! A device to remove or change is taken from libvirt's own XML of the VM (found by its
//! guest name or MAC) and handed back changed, so what Vireo does not model about it
//! (an address, a driver's options) stays as it was.

use vireo_core::{validate, ChangeOutcome, DiskBus, Error, Result, VmRef};

use crate::edit::{apply, Target};
use crate::host::Host;
use crate::xml::device::{file_disk, free_target, network_nic, target_prefix};
use crate::xml::tree::Element;

impl Host {
    /// Attaches the image at `path` as a disk on `bus`; its guest name (`vdb`) with the outcome.
    pub async fn attach_disk(&self, vm: &VmRef, path: &str, format: &str, bus: DiskBus) -> Result<(String, ChangeOutcome)> {
        let (path, format) = (path.to_owned(), format.to_owned());
        self.on_vm(vm, "add a disk to", move |t| {
            let mut taken = targets(&t.live_tree()?);
            if t.persistent && t.active {
                taken.extend(targets(&t.next_boot_tree()?));
            }
            let target = free_target(target_prefix(bus), &taken);
            let xml = file_disk(&path, &format, &target, bus).to_xml()?;
            let outcome = apply(t, |flags| t.dom.attach_device_flags(&xml, flags))?;
            Ok((target, outcome))
        })
        .await
    }

    /// Detaches the disk `target`; its image's path (the volume stays).
    pub async fn detach_disk(&self, vm: &VmRef, target: &str) -> Result<(Option<String>, ChangeOutcome)> {
        let target = validate::disk_target(target)?.to_owned();
        self.on_vm(vm, "remove a disk from", move |t| {
            let dom = if t.active { t.live_tree()? } else { t.next_boot_tree()? };
            let disk = find_disk(&dom, &target).ok_or_else(|| no_disk(t, &target))?.clone();
            let source = disk.child("source").and_then(|s| s.attr("file").or(s.attr("dev"))).map(str::to_owned);
            let xml = disk.to_xml()?;
            let outcome = apply(t, |flags| t.dom.detach_device_flags(&xml, flags))?;
            Ok((source, outcome))
        })
        .await
    }

    /// Grows the running VM's disk `target` to `capacity` bytes (the guest sees it at once).
    pub async fn resize_disk_live(&self, vm: &VmRef, target: &str, capacity: u64) -> Result<ChangeOutcome> {
        let target = validate::disk_target(target)?.to_owned();
        self.on_vm(vm, "resize a disk of", move |t| {
            let dom = t.live_tree()?;
            find_disk(&dom, &target).ok_or_else(|| no_disk(t, &target))?;
            let now = t.dom.block_info(&target, 0).map_err(|e| t.err(&e))?.capacity;
            if capacity < now {
                return Err(Error::invalid("disk size", format!("{capacity} bytes is below the disk's {now}; disks only grow")));
            }
            t.dom.block_resize(&target, capacity, virt::sys::VIR_DOMAIN_BLOCK_RESIZE_BYTES).map_err(|e| t.err(&e))?;
            Ok(ChangeOutcome::now())
        })
        .await
    }

    /// Adds a virtio NIC on `network` (MAC given or libvirt's); the NIC's MAC.
    pub async fn attach_nic(&self, vm: &VmRef, network: &str, mac: Option<&str>) -> Result<(String, ChangeOutcome)> {
        let network = validate::network_name(network)?.to_owned();
        let mac = mac.map(validate::mac).transpose()?;
        self.on_vm(vm, "add a NIC to", move |t| {
            let conn = t.dom.connect().map_err(|e| t.err(&e))?;
            if conn.lookup_network_by_name(&network).is_err() {
                return Err(Error::NotFound { kind: "network", name: network.clone(), host: t.uri.clone() });
            }
            if let Some(mac) = &mac {
                if nic_by_mac(&t.live_tree()?, mac).is_some() {
                    return Err(Error::AlreadyExists { kind: "NIC with MAC", name: mac.clone(), host: t.name.clone() });
                }
            }
            let before = macs(&t.next_or_live_tree()?);
            let xml = network_nic(&network, mac.as_deref()).to_xml()?;
            let outcome = apply(t, |flags| t.dom.attach_device_flags(&xml, flags))?;
            // Without a MAC given, libvirt generated one: the one that was not there before.
            let mac = match mac {
                Some(m) => m,
                None => macs(&t.next_or_live_tree()?).into_iter().find(|m| !before.contains(m)).unwrap_or_default(),
            };
            Ok((mac, outcome))
        })
        .await
    }

    pub async fn detach_nic(&self, vm: &VmRef, mac: &str) -> Result<ChangeOutcome> {
        let mac = validate::mac(mac)?;
        self.on_vm(vm, "remove a NIC from", move |t| {
            let dom = if t.active { t.live_tree()? } else { t.next_boot_tree()? };
            let nic = nic_by_mac(&dom, &mac).ok_or_else(|| no_nic(t, &mac))?.clone();
            let xml = nic.to_xml()?;
            apply(t, |flags| t.dom.detach_device_flags(&xml, flags))
        })
        .await
    }

    /// Moves the NIC to another libvirt network (live: the guest keeps its NIC, the
    /// host end is reconnected).
    pub async fn set_nic_network(&self, vm: &VmRef, mac: &str, network: &str) -> Result<ChangeOutcome> {
        let mac = validate::mac(mac)?;
        let network = validate::network_name(network)?.to_owned();
        self.on_vm(vm, "change a NIC of", move |t| {
            let conn = t.dom.connect().map_err(|e| t.err(&e))?;
            if conn.lookup_network_by_name(&network).is_err() {
                return Err(Error::NotFound { kind: "network", name: network.clone(), host: t.uri.clone() });
            }
            let moved = |dom: &Element| -> Result<String> {
                let mut nic = nic_by_mac(dom, &mac).ok_or_else(|| no_nic(t, &mac))?.clone();
                if nic.attr("type") != Some("network") {
                    return Err(Error::invalid("NIC", format!("{mac} is not on a libvirt network (it is a {} interface)", nic.attr("type").unwrap_or("?"))));
                }
                let source = nic.child_or_insert("source");
                source.attrs.clear();
                source.set_attr("network", &network);
                nic.to_xml()
            };
            let config = if t.persistent { Some(moved(&t.next_boot_tree()?)?) } else { None };
            let live = if t.active { Some(moved(&t.live_tree()?)?) } else { None };
            let update = |xml: &str, flags| t.dom.update_device_flags(xml, flags).map_err(|e| t.err(&e));
            let live_refused = match &live {
                Some(xml) => update(xml, virt::sys::VIR_DOMAIN_AFFECT_LIVE).err().map(|e| e.to_string()),
                None => None,
            };
            if live_refused.is_some() && config.is_none() {
                return Err(Error::Libvirt { action: format!("move a NIC of '{}'", t.name), message: live_refused.unwrap_or_default() });
            }
            if let Some(xml) = &config {
                update(xml, virt::sys::VIR_DOMAIN_AFFECT_CONFIG)?;
            }
            Ok(match (live.is_some(), live_refused) {
                (true, None) => ChangeOutcome::now(),
                (_, reason) => ChangeOutcome::next_boot(reason),
            })
        })
        .await
    }

    /// Gives the NIC another MAC: in the definition (a running NIC keeps its MAC until
    /// the VM next starts; libvirt identifies a live NIC by it).
    pub async fn set_nic_mac(&self, vm: &VmRef, mac: &str, new_mac: &str) -> Result<ChangeOutcome> {
        let mac = validate::mac(mac)?;
        let new_mac = validate::mac(new_mac)?;
        self.on_vm(vm, "change a NIC of", move |t| {
            if !t.persistent {
                return Err(Error::invalid("MAC address", format!("'{}' is transient: its NICs keep their MACs", t.name)));
            }
            let dom = t.next_boot_tree()?;
            if nic_by_mac(&dom, &new_mac).is_some() {
                return Err(Error::AlreadyExists { kind: "NIC with MAC", name: new_mac.clone(), host: t.name.clone() });
            }
            let old = nic_by_mac(&dom, &mac).ok_or_else(|| no_nic(t, &mac))?.clone();
            let mut new = old.clone();
            new.child_or_insert("mac").set_attr("address", &new_mac);
            let config = virt::sys::VIR_DOMAIN_AFFECT_CONFIG;
            t.dom.detach_device_flags(&old.to_xml()?, config).map_err(|e| t.err(&e))?;
            if let Err(e) = t.dom.attach_device_flags(&new.to_xml()?, config) {
                // Put the old one back: the VM must not lose its NIC to a failed change.
                let _ = t.dom.attach_device_flags(&old.to_xml()?, config);
                return Err(t.err(&e));
            }
            Ok(ChangeOutcome::next_boot(t.active.then(|| "a running NIC keeps its MAC until the VM next starts".to_owned())))
        })
        .await
    }
}

fn targets(dom: &Element) -> Vec<String> {
    let Some(devices) = dom.child("devices") else { return Vec::new() };
    devices.children_named("disk").filter_map(|d| d.child("target")?.attr("dev").map(str::to_owned)).collect()
}

pub(crate) fn find_disk<'a>(dom: &'a Element, target: &str) -> Option<&'a Element> {
    dom.child("devices")?.children_named("disk").find(|d| d.child("target").and_then(|x| x.attr("dev")) == Some(target))
}

fn nic_by_mac<'a>(dom: &'a Element, mac: &str) -> Option<&'a Element> {
    dom.child("devices")?
        .children_named("interface")
        .find(|n| n.child("mac").and_then(|m| m.attr("address")).is_some_and(|a| a.eq_ignore_ascii_case(mac)))
}

fn no_disk(t: &Target, target: &str) -> Error {
    Error::NotFound { kind: "disk", name: target.to_owned(), host: t.name.clone() }
}

fn no_nic(t: &Target, mac: &str) -> Error {
    Error::NotFound { kind: "NIC with MAC", name: mac.to_owned(), host: t.name.clone() }
}

fn macs(dom: &Element) -> Vec<String> {
    let Some(devices) = dom.child("devices") else { return Vec::new() };
    devices
        .children_named("interface")
        .filter_map(|n| n.child("mac")?.attr("address").map(|a| a.to_ascii_lowercase()))
        .collect()
}
