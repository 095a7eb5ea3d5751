//! `<domain>` definitions.

use std::io;

use quick_xml::events::BytesText;
use quick_xml::Writer;
use vireo_core::{validate, DiskBus, Firmware, Result};

use crate::accel::DomainKind;

/// How the VM boots.
#[derive(Debug, Clone, PartialEq)]
pub enum Boot {
    /// From the first disk.
    Disk,
    /// From a CD-ROM image (install from ISO).
    Cdrom { iso: String },
    /// Direct kernel boot: kernel and initrd files on the host.
    Kernel { kernel: String, initrd: Option<String>, cmdline: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct DiskSpec {
    /// Path of the image on the host.
    pub path: String,
    /// `qcow2` or `raw`.
    pub format: String,
    /// `virtio`, `sata` or `scsi`.
    pub bus: DiskBus,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NicSpec {
    /// libvirt network name (e.g. `default`).
    pub network: String,
    pub mac: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DomainSpec {
    pub name: String,
    pub kind: DomainKind,
    pub memory_mib: u64,
    pub vcpus: u32,
    pub boot: Boot,
    pub disks: Vec<DiskSpec>,
    pub nics: Vec<NicSpec>,
    /// A VNC display on the host's loopback (reached through the host session).
    pub vnc: bool,
    /// The VNC display's password (VNC passwords: at most 8 characters count).
    pub vnc_password: Option<String>,
    /// UEFI (libvirt picks the host's OVMF build) or BIOS.
    pub firmware: Firmware,
    /// Read-only images in CD-ROM drives after the boot one (a cloud-init seed).
    pub extra_cdroms: Vec<String>,
    /// An empty CD-ROM drive when the VM does not boot from one, so an ISO can be
    /// inserted later, also while it runs (a drive cannot be hot-added on `pc`).
    pub empty_cdrom: bool,
    pub description: Option<String>,
}

impl DomainSpec {
    pub fn new(name: &str, kind: DomainKind) -> Self {
        DomainSpec {
            name: name.to_owned(),
            kind,
            memory_mib: 256,
            vcpus: 1,
            boot: Boot::Disk,
            disks: Vec::new(),
            nics: Vec::new(),
            vnc: true,
            vnc_password: None,
            firmware: Firmware::Bios,
            extra_cdroms: Vec::new(),
            empty_cdrom: false,
            description: None,
        }
    }

    /// Checks the values, then renders the XML libvirt's `defineXML` takes.
    pub fn to_xml(&self) -> Result<String> {
        validate::vm_name(&self.name)?;
        if self.memory_mib < 16 {
            return Err(vireo_core::Error::invalid("memory", format!("{} MiB is below 16 MiB", self.memory_mib)));
        }
        if self.vcpus == 0 || self.vcpus > 512 {
            return Err(vireo_core::Error::invalid("vCPUs", format!("{} is not within 1-512", self.vcpus)));
        }
        for nic in &self.nics {
            if let Some(mac) = &nic.mac {
                validate::mac(mac)?;
            }
        }
        let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
        self.write(&mut w).map_err(|e| vireo_core::Error::Internal(format!("XML: {e}")))?;
        String::from_utf8(w.into_inner()).map_err(|e| vireo_core::Error::Internal(e.to_string()))
    }

    fn write(&self, w: &mut Writer<Vec<u8>>) -> io::Result<()> {
        w.create_element("domain").with_attribute(("type", self.kind.as_str())).write_inner_content(|w| {
            text(w, "name", &self.name)?;
            if let Some(d) = &self.description {
                text(w, "description", d)?;
            }
            w.create_element("memory")
                .with_attribute(("unit", "MiB"))
                .write_text_content(BytesText::new(&self.memory_mib.to_string()))?;
            text(w, "vcpu", &self.vcpus.to_string())?;
            let mut os = w.create_element("os");
            if self.firmware == Firmware::Uefi {
                os = os.with_attribute(("firmware", "efi"));
            }
            os.write_inner_content(|w| {
                w.create_element("type")
                    .with_attributes([("arch", "x86_64"), ("machine", "pc")])
                    .write_text_content(BytesText::new("hvm"))?;
                match &self.boot {
                    Boot::Disk => {
                        w.create_element("boot").with_attribute(("dev", "hd")).write_empty()?;
                    }
                    Boot::Cdrom { .. } => {
                        w.create_element("boot").with_attribute(("dev", "cdrom")).write_empty()?;
                        w.create_element("boot").with_attribute(("dev", "hd")).write_empty()?;
                    }
                    Boot::Kernel { kernel, initrd, cmdline } => {
                        text(w, "kernel", kernel)?;
                        if let Some(initrd) = initrd {
                            text(w, "initrd", initrd)?;
                        }
                        text(w, "cmdline", cmdline)?;
                    }
                }
                Ok(())
            })?;
            w.create_element("features").write_inner_content(|w| {
                w.create_element("acpi").write_empty()?;
                w.create_element("apic").write_empty()?;
                Ok(())
            })?;
            w.create_element("on_poweroff").write_text_content(BytesText::new("destroy"))?;
            w.create_element("on_reboot").write_text_content(BytesText::new("restart"))?;
            w.create_element("on_crash").write_text_content(BytesText::new("destroy"))?;
            w.create_element("devices").write_inner_content(|w| self.write_devices(w))?;
            Ok(())
        })?;
        Ok(())
    }

    fn write_devices(&self, w: &mut Writer<Vec<u8>>) -> io::Result<()> {
        // Target names are counted per bus prefix, as libvirt does: vda.. / sda.. .
        let (mut vd, mut sd) = (0, 0);
        for disk in &self.disks {
            let (dev, bus) = match disk.bus {
                DiskBus::Virtio => (format!("vd{}", disk_suffix(next(&mut vd))), "virtio"),
                other => (format!("sd{}", disk_suffix(next(&mut sd))), other.as_str()),
            };
            w.create_element("disk").with_attributes([("type", "file"), ("device", "disk")]).write_inner_content(|w| {
                w.create_element("driver").with_attributes([("name", "qemu"), ("type", disk.format.as_str())]).write_empty()?;
                w.create_element("source").with_attribute(("file", disk.path.as_str())).write_empty()?;
                w.create_element("target").with_attributes([("dev", dev.as_str()), ("bus", bus)]).write_empty()?;
                Ok(())
            })?;
        }
        let mut cdroms: Vec<Option<&str>> = Vec::new();
        match &self.boot {
            Boot::Cdrom { iso } => cdroms.push(Some(iso)),
            _ if self.empty_cdrom => cdroms.push(None),
            _ => {}
        }
        cdroms.extend(self.extra_cdroms.iter().map(|p| Some(p.as_str())));
        for iso in cdroms {
            let dev = format!("sd{}", disk_suffix(next(&mut sd)));
            w.create_element("disk").with_attributes([("type", "file"), ("device", "cdrom")]).write_inner_content(|w| {
                w.create_element("driver").with_attributes([("name", "qemu"), ("type", "raw")]).write_empty()?;
                if let Some(iso) = iso {
                    w.create_element("source").with_attribute(("file", iso)).write_empty()?;
                }
                w.create_element("target").with_attributes([("dev", dev.as_str()), ("bus", "sata")]).write_empty()?;
                w.create_element("readonly").write_empty()?;
                Ok(())
            })?;
        }
        for nic in &self.nics {
            w.create_element("interface").with_attribute(("type", "network")).write_inner_content(|w| {
                w.create_element("source").with_attribute(("network", nic.network.as_str())).write_empty()?;
                if let Some(mac) = &nic.mac {
                    w.create_element("mac").with_attribute(("address", mac.as_str())).write_empty()?;
                }
                w.create_element("model").with_attribute(("type", "virtio")).write_empty()?;
                Ok(())
            })?;
        }
        w.create_element("serial").with_attribute(("type", "pty")).write_inner_content(|w| {
            w.create_element("target").with_attribute(("port", "0")).write_empty()?;
            Ok(())
        })?;
        w.create_element("console").with_attribute(("type", "pty")).write_inner_content(|w| {
            w.create_element("target").with_attributes([("type", "serial"), ("port", "0")]).write_empty()?;
            Ok(())
        })?;
        // The guest agent's channel, so an agent in the guest can report addresses and
        // set passwords (libvirt adds the virtio-serial controller it needs).
        w.create_element("channel").with_attribute(("type", "unix")).write_inner_content(|w| {
            w.create_element("target").with_attributes([("type", "virtio"), ("name", crate::vm_detail::AGENT_CHANNEL)]).write_empty()?;
            Ok(())
        })?;
        if self.vnc {
            let mut graphics = w
                .create_element("graphics")
                .with_attributes([("type", "vnc"), ("port", "-1"), ("autoport", "yes"), ("listen", "127.0.0.1")]);
            if let Some(password) = &self.vnc_password {
                graphics = graphics.with_attribute(("passwd", password.as_str()));
            }
            graphics.write_empty()?;
            w.create_element("video").write_inner_content(|w| {
                w.create_element("model").with_attribute(("type", "vga")).write_empty()?;
                Ok(())
            })?;
        }
        w.create_element("memballoon").with_attribute(("model", "virtio")).write_empty()?;
        Ok(())
    }
}

fn text(w: &mut Writer<Vec<u8>>, name: &str, value: &str) -> io::Result<()> {
    w.create_element(name).write_text_content(BytesText::new(value))?;
    Ok(())
}

/// The counter's value, then one more.
fn next(n: &mut usize) -> usize {
    *n += 1;
    *n - 1
}

/// The letters after `vd` for the disk at `index`, counted the way libvirt does
/// (`virDiskNameToIndex`): a..z, then aa..az, ba.., zz, aaa.. (bijective base 26).
pub(crate) fn disk_suffix(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        n -= 1;
        letters.push(b'a' + (n % 26) as u8);
        n /= 26;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII letters")
}

#[cfg(test)]
mod tests {
    #[test]
    fn disk_names_continue_past_z_like_libvirt() {
        use super::disk_suffix;
        let got: Vec<String> = [0, 1, 25, 26, 27, 51, 52, 701, 702].into_iter().map(disk_suffix).collect();
        assert_eq!(got, ["a", "b", "z", "aa", "ab", "az", "ba", "zz", "aaa"]);
    }

    use super::*;

    fn kernel_spec() -> DomainSpec {
        let mut s = DomainSpec::new("guest-1", DomainKind::Qemu);
        s.memory_mib = 128;
        s.boot = Boot::Kernel {
            kernel: "/k/vmlinuz".into(),
            initrd: Some("/k/initrd.img".into()),
            cmdline: "console=ttyS0 quiet".into(),
        };
        s.nics.push(NicSpec { network: "default".into(), mac: Some("52:54:00:aa:bb:cc".into()) });
        s
    }

    #[test]
    fn golden_kernel_boot_domain() {
        let xml = kernel_spec().to_xml().unwrap();
        let want = include_str!("testdata/kernel-boot.xml");
        assert_eq!(xml.trim(), want.trim(), "got:\n{xml}");
    }

    #[test]
    fn values_are_escaped_not_pasted() {
        let mut s = kernel_spec();
        s.boot = Boot::Kernel { kernel: "/k/a&b<c>".into(), initrd: None, cmdline: "x=\"y\"".into() };
        let xml = s.to_xml().unwrap();
        assert!(xml.contains("<kernel>/k/a&amp;b&lt;c&gt;</kernel>"), "{xml}");
        assert!(!xml.contains("<c>"));
    }

    #[test]
    fn bad_values_are_refused() {
        let mut s = kernel_spec();
        s.name = "bad name".into();
        assert!(s.to_xml().unwrap_err().to_string().contains("VM name"));
        let mut s = kernel_spec();
        s.nics[0].mac = Some("52:54:00:zz:00:00".into());
        assert!(s.to_xml().unwrap_err().to_string().contains("MAC"));
        let mut s = kernel_spec();
        s.vcpus = 0;
        assert!(s.to_xml().is_err());
    }

    #[test]
    fn cdrom_boot_adds_readonly_cdrom() {
        let mut s = DomainSpec::new("inst", DomainKind::Kvm);
        s.boot = Boot::Cdrom { iso: "/iso/x.iso".into() };
        let xml = s.to_xml().unwrap();
        assert!(xml.starts_with("<domain type=\"kvm\">"));
        assert!(xml.contains("<boot dev=\"cdrom\"/>"));
        assert!(xml.contains("<source file=\"/iso/x.iso\"/>"));
        assert!(xml.contains("<readonly/>"));
    }
}
