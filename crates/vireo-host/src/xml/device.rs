//! Device elements for attaching to a defined VM (`virDomainAttachDeviceFlags`), built
//! as trees so values are escaped by the writer.

use vireo_core::DiskBus;

use super::domain::disk_suffix;
use super::tree::Element;

/// A file-backed disk at guest name `target` on `bus`.
pub fn file_disk(path: &str, format: &str, target: &str, bus: DiskBus) -> Element {
    Element::new("disk")
        .with_attr("type", "file")
        .with_attr("device", "disk")
        .with_child(Element::new("driver").with_attr("name", "qemu").with_attr("type", format))
        .with_child(Element::new("source").with_attr("file", path))
        .with_child(Element::new("target").with_attr("dev", target).with_attr("bus", bus.as_str()))
}

/// A virtio NIC on a libvirt network.
pub fn network_nic(network: &str, mac: Option<&str>) -> Element {
    let mut nic = Element::new("interface").with_attr("type", "network");
    if let Some(mac) = mac {
        nic.push(Element::new("mac").with_attr("address", mac));
    }
    nic.with_child(Element::new("source").with_attr("network", network))
        .with_child(Element::new("model").with_attr("type", "virtio"))
}

/// The guest name prefix libvirt uses for a bus (`vd` for virtio, `sd` for SATA/SCSI).
pub fn target_prefix(bus: DiskBus) -> &'static str {
    match bus {
        DiskBus::Virtio => "vd",
        DiskBus::Sata | DiskBus::Scsi => "sd",
    }
}

/// The first guest name with `prefix` that `taken` does not hold: `vda`..`vdz`, then
/// `vdaa`.., as libvirt counts.
pub fn free_target(prefix: &str, taken: &[String]) -> String {
    (0..).map(|i| format!("{prefix}{}", disk_suffix(i))).find(|t| !taken.contains(t)).expect("a free name")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_targets_follow_libvirt_counting() {
        assert_eq!(free_target("vd", &[]), "vda");
        assert_eq!(free_target("vd", &["vda".into(), "vdb".into()]), "vdc");
        let all: Vec<String> = (b'a'..=b'z').map(|c| format!("sd{}", c as char)).collect();
        assert_eq!(free_target("sd", &all), "sdaa");
    }

    #[test]
    fn device_values_are_escaped() {
        let xml = file_disk("/images/a&b.qcow2", "qcow2", "vdb", DiskBus::Virtio).to_xml().unwrap();
        assert!(xml.contains(r#"<source file="/images/a&amp;b.qcow2"/>"#), "{xml}");
        let nic = network_nic("default", Some("52:54:00:aa:bb:cc")).to_xml().unwrap();
        assert!(nic.starts_with(r#"<interface type="network"><mac address="52:54:00:aa:bb:cc"/><source network="default"/>"#), "{nic}");
    }
}
