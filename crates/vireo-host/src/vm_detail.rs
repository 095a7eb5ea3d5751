//! A VM's configuration read from its XML: the running definition, and the next boot's
//! where it differs.

use vireo_core::{BootDevice, DriveKind, Firmware, Result, VmDetail, VmDisk, VmNic, VmRef};

use crate::error::vm_error;
use crate::host::Host;
use crate::metadata::tags_in;
use crate::vms::{domain_state, lookup};
use crate::xml::tree::Element;

/// The guest agent's channel name in libvirt's XML.
pub(crate) const AGENT_CHANNEL: &str = "org.qemu.guest_agent.0";

impl Host {
    pub async fn vm_detail(&self, vm: &VmRef) -> Result<VmDetail> {
        let vm = vm.clone();
        let uri = self.uri().to_owned();
        self.call(move |conn| {
            let (dom, name) = lookup(conn, &uri, &vm)?;
            let err = |what: &str, e: &virt::error::Error| vm_error(&uri, &name, what, e);
            let state = domain_state(&dom).map_err(|e| err("read the state of", &e))?;
            let persistent = dom.is_persistent().map_err(|e| err("read", &e))?;
            let autostart = persistent && dom.autostart().map_err(|e| err("read", &e))?;
            let live = Element::parse(&dom.xml_desc(0).map_err(|e| err("read the XML of", &e))?)?;
            let next = if persistent && state.is_active() {
                let xml = dom.xml_desc(virt::sys::VIR_DOMAIN_XML_INACTIVE).map_err(|e| err("read the XML of", &e))?;
                Some(Element::parse(&xml)?)
            } else {
                None
            };
            let uuid = dom.uuid_string().map_err(|e| err("read the UUID of", &e))?;
            Ok(detail(uuid, name, state, persistent, autostart, &live, next.as_ref()))
        })
        .await
    }
}

pub(crate) fn detail(
    uuid: String,
    name: String,
    state: vireo_core::VmState,
    persistent: bool,
    autostart: bool,
    live: &Element,
    next: Option<&Element>,
) -> VmDetail {
    let (vcpus, max_vcpus) = vcpus_of(live);
    let (memory_mib, max_memory_mib) = memory_of(live);
    let boot_of = next.unwrap_or(live);
    let next_vcpus = next.map(|n| vcpus_of(n).0).filter(|v| *v != vcpus);
    let next_memory_mib = next.map(|n| memory_of(n).0).filter(|m| *m != memory_mib);
    VmDetail {
        uuid,
        name,
        state,
        persistent,
        autostart,
        description: live.child("description").map(|d| d.text()).unwrap_or_default(),
        tags: tags_in(live),
        firmware: firmware_of(live),
        vcpus,
        max_vcpus,
        memory_mib,
        max_memory_mib,
        next_vcpus,
        next_memory_mib,
        disks: disks_of(live),
        nics: nics_of(live),
        boot: boot_of
            .at("os")
            .map(|os| os.children_named("boot").filter_map(|b| b.attr("dev").and_then(BootDevice::parse)).collect())
            .unwrap_or_default(),
        agent_channel: agent_channel(live).is_some(),
    }
}

/// `(current, maximum)` vCPUs.
fn vcpus_of(dom: &Element) -> (u32, u32) {
    let vcpu = dom.child("vcpu");
    let max = vcpu.and_then(|v| v.text().trim().parse().ok()).unwrap_or(1);
    let current = vcpu.and_then(|v| v.attr("current")).and_then(|c| c.parse().ok()).unwrap_or(max);
    (current, max)
}

/// `(current, maximum)` memory in MiB.
fn memory_of(dom: &Element) -> (u64, u64) {
    let max = dom.child("memory").map(kib).unwrap_or(0);
    let current = dom.child("currentMemory").map(kib).unwrap_or(max);
    (current / 1024, max / 1024)
}

/// A `<memory unit=..>` value in KiB (libvirt writes KiB; the other units are read too).
fn kib(e: &Element) -> u64 {
    let n: u64 = e.text().trim().parse().unwrap_or(0);
    match e.attr("unit").unwrap_or("KiB") {
        "b" | "bytes" => n / 1024,
        "KB" => n * 1000 / 1024,
        "MB" => n * 1_000_000 / 1024,
        "M" | "MiB" => n * 1024,
        "G" | "GiB" => n * 1024 * 1024,
        "GB" => n * 1_000_000_000 / 1024,
        _ => n,
    }
}

fn firmware_of(dom: &Element) -> Firmware {
    let os = dom.child("os");
    let efi = os.and_then(|o| o.attr("firmware")) == Some("efi")
        || os.and_then(|o| o.child("loader")).is_some_and(|l| l.attr("type") == Some("pflash"));
    if efi {
        Firmware::Uefi
    } else {
        Firmware::Bios
    }
}

pub(crate) fn disks_of(dom: &Element) -> Vec<VmDisk> {
    let Some(devices) = dom.child("devices") else { return Vec::new() };
    devices
        .children_named("disk")
        .filter_map(|d| {
            let target = d.child("target")?;
            let source = d.child("source").and_then(|s| {
                s.attr("file").or(s.attr("dev")).map(str::to_owned).or_else(|| {
                    // A pool volume source names its pool and volume, not a path.
                    Some(format!("{}/{}", s.attr("pool")?, s.attr("volume")?))
                })
            });
            Some(VmDisk {
                target: target.attr("dev")?.to_owned(),
                kind: if d.attr("device") == Some("cdrom") { DriveKind::Cdrom } else { DriveKind::Disk },
                bus: target.attr("bus").unwrap_or("").to_owned(),
                source,
                format: d.child("driver").and_then(|x| x.attr("type")).map(str::to_owned),
                readonly: d.child("readonly").is_some(),
                boot_order: boot_order(d),
            })
        })
        .collect()
}

pub(crate) fn nics_of(dom: &Element) -> Vec<VmNic> {
    let Some(devices) = dom.child("devices") else { return Vec::new() };
    devices
        .children_named("interface")
        .filter_map(|n| {
            Some(VmNic {
                mac: n.child("mac")?.attr("address")?.to_ascii_lowercase(),
                network: if n.attr("type") == Some("network") {
                    n.child("source").and_then(|s| s.attr("network")).map(str::to_owned)
                } else {
                    None
                },
                model: n.child("model").and_then(|m| m.attr("type")).map(str::to_owned),
                device: n.child("target").and_then(|t| t.attr("dev")).map(str::to_owned),
                boot_order: boot_order(n),
            })
        })
        .collect()
}

fn boot_order(device: &Element) -> Option<u32> {
    device.child("boot").and_then(|b| b.attr("order")).and_then(|o| o.parse().ok())
}

/// The guest agent channel's `<target>`, when one is configured.
pub(crate) fn agent_channel(dom: &Element) -> Option<&Element> {
    dom.child("devices")?
        .children_named("channel")
        .filter_map(|c| c.child("target"))
        .find(|t| t.attr("name") == Some(AGENT_CHANNEL))
}

#[cfg(test)]
mod tests {
    use super::*;
    use vireo_core::VmState;

    const LIVE: &str = r#"<domain type="qemu" id="3">
  <name>web</name><uuid>u</uuid>
  <description>front &amp; back</description>
  <metadata><vireo:vm xmlns:vireo="https://vireo.dev/xmlns/vm/1"><vireo:tag>prod</vireo:tag><vireo:tag>web</vireo:tag></vireo:vm></metadata>
  <memory unit="KiB">1048576</memory><currentMemory unit="KiB">524288</currentMemory>
  <vcpu placement="static" current="1">2</vcpu>
  <os><type arch="x86_64" machine="pc">hvm</type><boot dev="cdrom"/><boot dev="hd"/></os>
  <devices>
    <disk type="file" device="disk"><driver name="qemu" type="qcow2"/><source file="/p/web.qcow2"/><target dev="vda" bus="virtio"/></disk>
    <disk type="file" device="cdrom"><target dev="sda" bus="sata"/><readonly/></disk>
    <interface type="network"><mac address="52:54:00:AA:00:01"/><source network="default"/><target dev="vnet4"/><model type="virtio"/></interface>
    <channel type="unix"><target type="virtio" name="org.qemu.guest_agent.0" state="disconnected"/></channel>
  </devices>
</domain>"#;

    #[test]
    fn reads_what_the_detail_page_shows() {
        let live = Element::parse(LIVE).unwrap();
        let next = Element::parse(&LIVE.replace(r#"current="1">2"#, ">2")).unwrap();
        let d = detail("u".into(), "web".into(), VmState::Running, true, true, &live, Some(&next));
        assert_eq!((d.vcpus, d.max_vcpus, d.next_vcpus), (1, 2, Some(2)));
        assert_eq!((d.memory_mib, d.max_memory_mib, d.next_memory_mib), (512, 1024, None));
        assert_eq!(d.description, "front & back");
        assert_eq!(d.tags, ["prod", "web"]);
        assert_eq!(d.boot, [BootDevice::Cdrom, BootDevice::Hd]);
        assert_eq!(d.disks.len(), 2);
        assert_eq!(d.disks[0].source.as_deref(), Some("/p/web.qcow2"));
        assert_eq!((d.disks[1].kind, d.disks[1].source.clone(), d.disks[1].readonly), (DriveKind::Cdrom, None, true));
        assert_eq!(d.nics[0].mac, "52:54:00:aa:00:01");
        assert_eq!(d.nics[0].device.as_deref(), Some("vnet4"));
        assert!(d.agent_channel);
    }
}
