//! `<domainsnapshot>` definitions (what `virDomainSnapshotCreateXML` takes) and the fields
//! Vireo shows of the ones libvirt returns.

use quick_xml::Writer;
use vireo_core::snapshot::SnapshotState;
use vireo_core::{NewSnapshot, Result, SnapshotSummary};

use super::read;
use super::writer::{finish, text};

/// Checks the values, then renders the XML. Where the snapshot goes is libvirt's
/// default for the qemu driver: inside the qcow2 images (internal), with the memory too
/// when the VM runs, so a revert brings it back running.
pub fn snapshot_xml(new: &NewSnapshot) -> Result<String> {
    new.check()?;
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let written = w.create_element("domainsnapshot").write_inner_content(|w| {
        text(w, "name", &new.name)?;
        if let Some(d) = &new.description {
            text(w, "description", d)?;
        }
        Ok(())
    });
    let written = written.map(drop);
    finish(w, written)
}

/// A snapshot as libvirt describes it; `children` and `current` are filled by the
/// caller, who sees the whole list.
pub(crate) fn summary_of(xml: &str) -> SnapshotSummary {
    let external = read::attribute(xml, "domainsnapshot/memory", "snapshot").as_deref() == Some("external")
        || read::elements(xml, "domainsnapshot/disks/disk").iter().any(|d| d.attr("snapshot") == Some("external"));
    SnapshotSummary {
        name: read::text(xml, "domainsnapshot/name").unwrap_or_default(),
        parent: read::text(xml, "domainsnapshot/parent/name"),
        children: Vec::new(),
        description: read::text(xml, "domainsnapshot/description").filter(|d| !d.is_empty()),
        created: read::text(xml, "domainsnapshot/creationTime").and_then(|t| t.trim().parse().ok()).unwrap_or(0),
        state: SnapshotState::from_libvirt(read::text(xml, "domainsnapshot/state").unwrap_or_default().trim()),
        current: false,
        external,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_and_checked() {
        let xml = snapshot_xml(&NewSnapshot { name: "before".into(), description: Some("a <b> & \"c\"".into()) }).unwrap();
        assert!(xml.contains("<name>before</name>"), "{xml}");
        assert!(xml.contains("<description>a &lt;b&gt; &amp; &quot;c&quot;</description>"), "{xml}");
        let bad = NewSnapshot { name: "a/b".into(), description: None };
        assert!(snapshot_xml(&bad).unwrap_err().to_string().contains("snapshot name"));
        let none = snapshot_xml(&NewSnapshot { name: "s".into(), description: None }).unwrap();
        assert!(!none.contains("description"));
    }

    #[test]
    fn reads_what_libvirt_returns() {
        let xml = "<domainsnapshot><name>child</name><description>x &amp; y</description><state>running</state>\
                   <parent><name>root</name></parent><creationTime>1764780000</creationTime>\
                   <memory snapshot='internal'/><disks><disk name='vda' snapshot='internal'/></disks>\
                   <domain type='qemu'><name>vm</name><description>other</description></domain></domainsnapshot>";
        let s = summary_of(xml);
        assert_eq!(s.name, "child");
        assert_eq!(s.parent.as_deref(), Some("root"));
        assert_eq!(s.description.as_deref(), Some("x & y"));
        assert_eq!(s.created, 1764780000);
        assert_eq!(s.state, SnapshotState::Running);
        assert!(!s.external);
    }
}
