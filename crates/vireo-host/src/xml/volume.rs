//! `<volume>` definitions: a blank image, or a qcow2 layer over a backing file.

use quick_xml::events::BytesText;
use quick_xml::Writer;
use vireo_core::storage::{self, NewVolume, VolumeFormat};
use vireo_core::{Error, Result};

use super::writer::{finish, text};

/// Checks the values, then renders the XML `virStorageVolCreateXML` takes.
/// `backing_format`: the backing file's format, as libvirt reported it.
pub fn volume_xml(vol: &NewVolume, backing_format: Option<&str>) -> Result<String> {
    storage::volume_name(&vol.name)?;
    storage::volume_capacity("volume size", vol.capacity)?;
    if let Some(path) = &vol.backing {
        storage::host_path("backing file", path)?;
        if vol.format != VolumeFormat::Qcow2 {
            return Err(Error::invalid("volume format", "a linked clone must be qcow2 (raw images have no backing file)"));
        }
    }
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let written = w.create_element("volume").write_inner_content(|w| {
        text(w, "name", &vol.name)?;
        w.create_element("capacity")
            .with_attribute(("unit", "bytes"))
            .write_text_content(BytesText::new(&vol.capacity.to_string()))?;
        // qcow2 grows as it is written; raw is sparse: nothing is allocated up front.
        w.create_element("allocation").write_text_content(BytesText::new("0"))?;
        w.create_element("target").write_inner_content(|w| {
            w.create_element("format").with_attribute(("type", vol.format.as_str())).write_empty()?;
            Ok(())
        })?;
        if let Some(path) = &vol.backing {
            w.create_element("backingStore").write_inner_content(|w| {
                text(w, "path", path)?;
                w.create_element("format").with_attribute(("type", backing_format.unwrap_or("qcow2"))).write_empty()?;
                Ok(())
            })?;
        }
        Ok(())
    });
    let written = written.map(drop);
    finish(w, written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vol(name: &str) -> NewVolume {
        NewVolume { name: name.into(), capacity: 1 << 30, format: VolumeFormat::Qcow2, backing: None }
    }

    #[test]
    fn blank_and_linked_volumes() {
        let xml = volume_xml(&vol("d.qcow2"), None).unwrap();
        assert!(xml.contains("<capacity unit=\"bytes\">1073741824</capacity>") && xml.contains("type=\"qcow2\""), "{xml}");
        assert!(!xml.contains("backingStore"));
        let mut linked = vol("c.qcow2");
        linked.backing = Some("/t/base.img".into());
        let xml = volume_xml(&linked, Some("raw")).unwrap();
        assert!(xml.contains("<path>/t/base.img</path>") && xml.contains("<format type=\"raw\"/>"), "{xml}");
    }

    #[test]
    fn bad_volumes_are_refused() {
        assert!(volume_xml(&vol("../../etc/passwd"), None).unwrap_err().to_string().contains("volume name"));
        let mut zero = vol("z");
        zero.capacity = 0;
        assert!(volume_xml(&zero, None).unwrap_err().to_string().contains("size"));
        let mut raw = vol("r");
        raw.format = VolumeFormat::Raw;
        raw.backing = Some("/t/b".into());
        assert!(volume_xml(&raw, None).unwrap_err().to_string().contains("qcow2"));
    }
}
