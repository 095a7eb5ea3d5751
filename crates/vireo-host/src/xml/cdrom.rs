//! A CD-ROM drive's `<disk>` element, as `virDomainUpdateDeviceFlags` takes it to insert,
//! change or eject its medium: the drive as it is (target, bus, driver), with the new
//! source or none.

use quick_xml::Writer;
use vireo_core::storage;
use vireo_core::{snapshot, Result};

use super::writer::finish;

/// What a medium is on the host: a file (the usual ISO in a directory pool) or a block
/// device (a volume in an LVM pool).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Medium {
    File(String),
    Block(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CdromSpec {
    /// `sda`, `hdc`: which drive.
    pub target: String,
    /// The drive's bus, as the domain has it (`sata`, `ide`, `scsi`).
    pub bus: String,
    /// `None`: the drive is emptied (ejected).
    pub medium: Option<Medium>,
}

impl CdromSpec {
    pub fn to_xml(&self) -> Result<String> {
        snapshot::drive_target(&self.target)?;
        if !["sata", "ide", "scsi", "usb", "virtio", "xen", "sd", "fdc"].contains(&self.bus.as_str()) {
            return Err(vireo_core::Error::invalid("drive bus", format!("'{}' is not a bus libvirt knows", self.bus)));
        }
        let (kind, attr, path) = match &self.medium {
            Some(Medium::File(p)) => ("file", "file", Some(p)),
            Some(Medium::Block(p)) => ("block", "dev", Some(p)),
            None => ("file", "file", None),
        };
        if let Some(p) = path {
            storage::host_path("ISO", p)?;
        }
        let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
        let written = w.create_element("disk").with_attributes([("type", kind), ("device", "cdrom")]).write_inner_content(|w| {
            w.create_element("driver").with_attributes([("name", "qemu"), ("type", "raw")]).write_empty()?;
            if let Some(p) = path {
                w.create_element("source").with_attribute((attr, p.as_str())).write_empty()?;
            }
            w.create_element("target").with_attributes([("dev", self.target.as_str()), ("bus", self.bus.as_str())]).write_empty()?;
            w.create_element("readonly").write_empty()?;
            Ok(())
        });
        let written = written.map(drop);
        finish(w, written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_and_eject() {
        let mut s = CdromSpec { target: "sda".into(), bus: "sata".into(), medium: Some(Medium::File("/iso/a&b.iso".into())) };
        let xml = s.to_xml().unwrap();
        assert!(xml.contains("<source file=\"/iso/a&amp;b.iso\"/>"), "{xml}");
        assert!(xml.contains("<target dev=\"sda\" bus=\"sata\"/>") && xml.contains("<readonly/>"), "{xml}");
        s.medium = None;
        assert!(!s.to_xml().unwrap().contains("source"));
        s.medium = Some(Medium::Block("/dev/vg/iso".into()));
        assert!(s.to_xml().unwrap().contains("<source dev=\"/dev/vg/iso\"/>"));
    }

    #[test]
    fn bad_values_are_refused() {
        let s = CdromSpec { target: "sda/../x".into(), bus: "sata".into(), medium: None };
        assert!(s.to_xml().is_err());
        let s = CdromSpec { target: "sda".into(), bus: "sata".into(), medium: Some(Medium::File("rel/x.iso".into())) };
        assert!(s.to_xml().unwrap_err().to_string().contains("absolute"));
    }
}
