//! A clone's `<domain>`: the source's own definition (its inactive XML) with a new name,
//! no UUID and no MACs (libvirt gives new ones), no NVRAM file (a fresh one is made from
//! the firmware's template) and each cloned disk pointing at its new image. Everything
//! else, Vireo's model or not, is kept as it is, through the element tree.

use vireo_core::{validate, Result};

use super::tree::Element;

/// A disk of a definition to point at another image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskSwap {
    /// The disk's target (`vda`): which disk.
    pub target: String,
    /// The new image's path on the host.
    pub path: String,
    /// Its format (`qcow2`, `raw`).
    pub format: String,
    /// Whether it is a block device (an LVM volume) rather than a file.
    pub block: bool,
}

/// A writable disk of a definition that a clone needs its own image of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnDisk {
    pub target: String,
    /// The image it uses now.
    pub path: String,
}

/// The disks a clone gets its own images of: `device='disk'` with a file or block
/// source, neither read-only nor shareable. CD-ROMs, read-only and shared disks are used
/// by the clone as they are (an ISO stays one ISO).
pub fn own_disks(xml: &str) -> Result<Vec<OwnDisk>> {
    let dom = Element::parse(xml)?;
    let Some(devices) = dom.child("devices") else { return Ok(Vec::new()) };
    Ok(devices
        .children_named("disk")
        .filter(|d| d.attr("device").unwrap_or("disk") == "disk")
        .filter(|d| d.child("readonly").is_none() && d.child("shareable").is_none())
        .filter_map(|d| {
            let path = d.child("source").and_then(|s| s.attr("file").or(s.attr("dev")))?;
            let target = d.child("target")?.attr("dev")?;
            Some(OwnDisk { target: target.to_owned(), path: path.to_owned() })
        })
        .collect())
}

/// The clone's definition: `source` (the VM's inactive XML) renamed, without its UUID,
/// MACs and NVRAM path, its disks swapped as `swaps` says.
pub fn clone_xml(source: &str, name: &str, swaps: &[DiskSwap]) -> Result<String> {
    validate::vm_name(name)?;
    let mut dom = Element::parse(source)?;
    dom.child_or_insert("name").set_text(name);
    dom.remove_children(|e| e.name == "uuid");
    if let Some(os) = dom.child_mut("os") {
        os.remove_children(|e| e.name == "nvram");
    }
    if let Some(devices) = dom.child_mut("devices") {
        for nic in devices.children_named_mut("interface") {
            // libvirt gives each NIC without one a new MAC; the host's tap name too.
            nic.remove_children(|e| e.name == "mac" || e.name == "target");
        }
    }
    swap_disks(&mut dom, swaps)?;
    dom.to_xml()
}

/// The same definition with its disks swapped (a source moved onto layers of its own).
pub fn repoint_disks(source: &str, swaps: &[DiskSwap]) -> Result<String> {
    let mut dom = Element::parse(source)?;
    swap_disks(&mut dom, swaps)?;
    dom.to_xml()
}

fn swap_disks(dom: &mut Element, swaps: &[DiskSwap]) -> Result<()> {
    let mut left: Vec<&DiskSwap> = swaps.iter().collect();
    if let Some(devices) = dom.child_mut("devices") {
        for disk in devices.children_named_mut("disk") {
            let target = disk.child("target").and_then(|t| t.attr("dev")).unwrap_or_default().to_owned();
            let Some(i) = left.iter().position(|s| s.target == target) else { continue };
            let swap = left.remove(i);
            vireo_core::storage::host_path("disk image", &swap.path)?;
            disk.set_attr("type", if swap.block { "block" } else { "file" });
            let source = disk.child_or_insert("source");
            source.remove_attr("file");
            source.remove_attr("dev");
            source.set_attr(if swap.block { "dev" } else { "file" }, &swap.path);
            disk.child_or_insert("driver").set_attr("type", &swap.format);
            if disk.attr("name").is_none() {
                // libvirt reads the chain from the new image itself.
                disk.remove_children(|e| e.name == "backingStore");
            }
        }
    }
    if let Some(s) = left.first() {
        return Err(vireo_core::Error::Internal(format!("the definition has no disk {} to point at {}", s.target, s.path)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = r#"<domain type="qemu" xmlns:qemu="http://libvirt.org/schemas/domain/qemu/1.0">
  <name>src</name>
  <uuid>4a0c3f5e-8f1b-4c1e-9d2a-3b4c5d6e7f80</uuid>
  <description>kept &amp; shown</description>
  <metadata><other:x xmlns:other="urn:other">t</other:x></metadata>
  <os><type arch="x86_64" machine="pc">hvm</type><nvram>/var/lib/libvirt/qemu/nvram/src_VARS.fd</nvram></os>
  <devices>
    <disk type="file" device="disk"><driver name="qemu" type="raw"/><source file="/p/src.img"/><target dev="vda" bus="virtio"/></disk>
    <disk type="block" device="disk"><driver name="qemu" type="raw"/><source dev="/dev/vg/data"/><target dev="vdb" bus="virtio"/></disk>
    <disk type="file" device="disk"><source file="/p/shared.img"/><target dev="vdc" bus="virtio"/><shareable/></disk>
    <disk type="file" device="cdrom"><source file="/iso/x.iso"/><target dev="sda" bus="sata"/><readonly/></disk>
    <interface type="network"><mac address="52:54:00:00:00:01"/><source network="default"/><model type="virtio"/></interface>
  </devices>
  <qemu:commandline><qemu:arg value="-x"/></qemu:commandline>
</domain>"#;

    #[test]
    fn the_disks_a_clone_copies() {
        let own = own_disks(SOURCE).unwrap();
        let targets: Vec<&str> = own.iter().map(|d| d.target.as_str()).collect();
        assert_eq!(targets, ["vda", "vdb"], "not the shared disk, not the CD-ROM");
        assert_eq!(own[1].path, "/dev/vg/data");
    }

    #[test]
    fn a_clone_is_renamed_and_repointed_and_keeps_the_rest() {
        let swaps = [
            DiskSwap { target: "vda".into(), path: "/p/new.qcow2".into(), format: "qcow2".into(), block: false },
            DiskSwap { target: "vdb".into(), path: "/p/new-vdb.img".into(), format: "raw".into(), block: false },
        ];
        let xml = clone_xml(SOURCE, "new", &swaps).unwrap();
        let dom = Element::parse(&xml).unwrap();
        assert_eq!(dom.child("name").unwrap().text(), "new");
        assert!(dom.child("uuid").is_none() && !xml.contains("nvram") && !xml.contains("52:54:00:00:00:01"), "{xml}");
        assert!(xml.contains(r#"<source file="/p/new.qcow2"/>"#) && xml.contains(r#"<driver name="qemu" type="qcow2"/>"#), "{xml}");
        assert!(xml.contains(r#"<disk type="file" device="disk"><driver name="qemu" type="raw"/><source file="/p/new-vdb.img"/>"#), "{xml}");
        assert!(!xml.contains("/dev/vg/data") && !xml.contains("/p/src.img"), "{xml}");
        for kept in ["<source file=\"/p/shared.img\"/>", "/iso/x.iso", "kept &amp; shown", "<other:x xmlns:other=\"urn:other\">t</other:x>", "<qemu:arg value=\"-x\"/>", "<model type=\"virtio\"/>"] {
            assert!(xml.contains(kept), "{kept} kept: {xml}");
        }
    }

    #[test]
    fn repointing_keeps_identity_and_refuses_unknown_disks() {
        let swaps = [DiskSwap { target: "vda".into(), path: "/p/src-1.qcow2".into(), format: "qcow2".into(), block: false }];
        let xml = repoint_disks(SOURCE, &swaps).unwrap();
        assert!(xml.contains("4a0c3f5e-8f1b-4c1e-9d2a-3b4c5d6e7f80") && xml.contains("52:54:00:00:00:01") && xml.contains("<name>src</name>"));
        assert!(xml.contains("/p/src-1.qcow2"));
        let bad = [DiskSwap { target: "vdz".into(), path: "/p/x".into(), format: "raw".into(), block: false }];
        assert!(repoint_disks(SOURCE, &bad).is_err());
        assert!(clone_xml(SOURCE, "bad/name", &[]).unwrap_err().to_string().contains("VM name"));
    }
}
