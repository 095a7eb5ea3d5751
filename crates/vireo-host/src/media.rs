//! CD-ROM media on a `Host`: a VM's drives with the image in each, and inserting,
//! changing or ejecting an ISO, also while the VM runs (a drive cannot be hot-added on
//! `pc` machines, but its medium can always be changed).

use virt::connect::Connect;
use virt::domain::Domain;
use vireo_core::{snapshot, storage, CdromDrive, Error, Result, VmRef};

use crate::error::vm_error;
use crate::host::Host;
use crate::vms::lookup;
use crate::xml::cdrom::{CdromSpec, Medium};
use crate::xml::read;

/// `virStorageVolType`: a block device (an LVM volume).
const VIR_STORAGE_VOL_BLOCK: u32 = 1;

impl Host {
    /// The VM's CD-ROM drives, each with its image: what is in it now while the VM
    /// runs, otherwise its configuration.
    pub async fn cdrom_drives(&self, vm: &VmRef) -> Result<Vec<CdromDrive>> {
        let (vm, uri) = (vm.clone(), self.uri().to_owned());
        self.call(move |conn| {
            let (dom, name) = lookup(conn, &uri, &vm)?;
            let xml = dom.xml_desc(0).map_err(|e| vm_error(&uri, &name, "read the XML of", &e))?;
            Ok(cdroms(&xml))
        })
        .await
    }

    /// Puts the ISO at `iso` (a volume's path on the host) into the drive `target`, or
    /// empties the drive with `None`: in the running VM and in its configuration, or only
    /// in the configuration when it is shut off. The guest sees the change at once, as a
    /// disc swapped in a real drive; a tray the guest locked is opened anyway (the user
    /// asked for it, as with a drive's emergency eject).
    pub async fn change_media(&self, vm: &VmRef, target: &str, iso: Option<&str>) -> Result<Vec<CdromDrive>> {
        snapshot::drive_target(target)?;
        if let Some(p) = iso {
            storage::host_path("ISO", p)?;
        }
        let (vm, uri, target, iso) = (vm.clone(), self.uri().to_owned(), target.to_owned(), iso.map(str::to_owned));
        self.call(move |conn| {
            let (dom, name) = lookup(conn, &uri, &vm)?;
            let medium = match &iso {
                Some(path) => Some(medium_at(conn, &uri, path)?),
                None => None,
            };
            let active = dom.is_active().map_err(|e| vm_error(&uri, &name, "read the state of", &e))?;
            let drives = current_drives(&dom, &uri, &name, active)?;
            let Some(drive) = drives.iter().find(|d| d.target == target) else {
                let have: Vec<&str> = drives.iter().map(|d| d.target.as_str()).collect();
                let have = if have.is_empty() { "none".to_owned() } else { have.join(", ") };
                return Err(Error::NotFound { kind: "CD-ROM drive", name: format!("{name}/{target} (its drives: {have})"), host: uri });
            };
            let xml = CdromSpec { target: target.clone(), bus: drive.bus.clone(), medium }.to_xml()?;
            let mut flags = virt::sys::VIR_DOMAIN_DEVICE_MODIFY_CONFIG | virt::sys::VIR_DOMAIN_DEVICE_MODIFY_FORCE;
            if active {
                flags |= virt::sys::VIR_DOMAIN_DEVICE_MODIFY_LIVE;
            }
            let action = if iso.is_some() { "change the medium of" } else { "eject the medium of" };
            dom.update_device_flags(&xml, flags).map_err(|e| vm_error(&uri, &format!("{name}/{target}"), action, &e))?;
            current_drives(&dom, &uri, &name, active)
        })
        .await
    }
}

/// The drives as they are now: live while the VM runs, else its configuration.
fn current_drives(dom: &Domain, uri: &str, name: &str, active: bool) -> Result<Vec<CdromDrive>> {
    let flags = if active { 0 } else { virt::sys::VIR_DOMAIN_XML_INACTIVE };
    let xml = dom.xml_desc(flags).map_err(|e| vm_error(uri, name, "read the XML of", &e))?;
    Ok(cdroms(&xml))
}

/// The medium at `path`, which must be a volume libvirt knows (so it is in a pool Vireo
/// shows, and its users are counted).
fn medium_at(conn: &Connect, uri: &str, path: &str) -> Result<Medium> {
    let vol = conn
        .lookup_storage_vol_by_path(path)
        .map_err(|_| Error::NotFound { kind: "volume at", name: path.to_owned(), host: uri.to_owned() })?;
    let kind = vol.info().map(|i| i.kind).unwrap_or(0);
    Ok(if kind == VIR_STORAGE_VOL_BLOCK { Medium::Block(path.to_owned()) } else { Medium::File(path.to_owned()) })
}

/// The `device='cdrom'` disks of a domain's XML, in order.
pub(crate) fn cdroms(xml: &str) -> Vec<CdromDrive> {
    let disks = read::elements(xml, "domain/devices/disk");
    let targets = read::elements(xml, "domain/devices/disk/target");
    let sources = read::disk_sources(xml);
    disks
        .iter()
        .zip(targets)
        .zip(sources)
        .filter(|((d, _), _)| d.attr("device") == Some("cdrom"))
        .map(|((_, t), source)| CdromDrive {
            target: t.attr("dev").unwrap_or_default().to_owned(),
            bus: t.attr("bus").unwrap_or("ide").to_owned(),
            source,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn cdroms_in_order_with_their_media() {
        let xml = "<domain><devices>\
            <disk type='file' device='disk'><source file='/d.qcow2'/><target dev='vda' bus='virtio'/></disk>\
            <disk type='file' device='cdrom'><driver name='qemu' type='raw'/><target dev='sda' bus='sata'/><readonly/></disk>\
            <disk type='file' device='cdrom'><source file='/i&amp;x.iso'/><target dev='hdc' bus='ide'/></disk>\
            </devices></domain>";
        let d = super::cdroms(xml);
        assert_eq!(d.len(), 2);
        assert_eq!((d[0].target.as_str(), d[0].bus.as_str(), d[0].source.as_deref()), ("sda", "sata", None));
        assert_eq!((d[1].target.as_str(), d[1].source.as_deref()), ("hdc", Some("/i&x.iso")));
    }
}
