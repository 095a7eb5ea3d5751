//! What Vireo keeps in a domain's own definition: its description, and its tags in
//! `<metadata>` under Vireo's namespace, so they travel with the VM (migration, a
//! backup of the XML) and virsh or virt-manager keep them untouched.

use vireo_core::{validate, ChangeOutcome, Result, VmRef};

use crate::edit::{apply, Target};
use crate::host::Host;
use crate::xml::tree::Element;

/// Vireo's metadata namespace; the prefix libvirt writes is `vireo`.
pub const VIREO_NS: &str = "https://vireo.dev/xmlns/vm/1";
const PREFIX: &str = "vireo";

impl Host {
    /// Sets the VM's description (empty removes it), now and for the next boot.
    pub async fn set_description(&self, vm: &VmRef, text: &str) -> Result<ChangeOutcome> {
        let text = text.to_owned();
        self.on_vm(vm, "change the description of", move |t: &Target| {
            let value = (!text.is_empty()).then_some(text.as_str());
            apply(t, |flags| t.dom.set_metadata(virt::sys::VIR_DOMAIN_METADATA_DESCRIPTION as i32, value, None, None, flags))
        })
        .await
    }

    /// Replaces the VM's tags (none removes Vireo's metadata element).
    pub async fn set_tags(&self, vm: &VmRef, tags: &[String]) -> Result<ChangeOutcome> {
        let mut tags: Vec<String> = tags.iter().map(|t| validate::tag(t.trim()).map(str::to_owned)).collect::<Result<_>>()?;
        tags.sort();
        tags.dedup();
        let xml = if tags.is_empty() { None } else { Some(tags_element(&tags).to_xml()?) };
        self.on_vm(vm, "change the tags of", move |t: &Target| {
            apply(t, |flags| {
                t.dom.set_metadata(virt::sys::VIR_DOMAIN_METADATA_ELEMENT as i32, xml.as_deref(), Some(PREFIX), Some(VIREO_NS), flags)
            })
        })
        .await
    }
}

impl Host {
    /// Every VM's tags (UUID, tags), in one host call.
    pub async fn vm_tags(&self) -> Result<Vec<(String, Vec<String>)>> {
        self.call(|conn| {
            let doms = conn.list_all_domains(0).map_err(|e| crate::error::host_error("list VMs", &e))?;
            Ok(doms
                .iter()
                .filter_map(|d| {
                    // No element in our namespace is libvirt's "no metadata" error: no tags.
                    let xml = d.metadata(virt::sys::VIR_DOMAIN_METADATA_ELEMENT as i32, Some(VIREO_NS), 0).ok()?;
                    let tags = tags_of(&Element::parse(&xml).ok()?);
                    (!tags.is_empty()).then(|| Some((d.uuid_string().ok()?, tags))).flatten()
                })
                .collect())
        })
        .await
    }
}

/// `<vm><tag>..</tag></vm>`: libvirt puts it in the namespace given beside it.
fn tags_element(tags: &[String]) -> Element {
    tags.iter().fold(Element::new("vm"), |vm, t| vm.with_child(Element::new("tag").with_text(t)))
}

/// The tags in a domain's `<metadata>`: the children of the element declared in Vireo's
/// namespace, whatever prefix it carries.
pub(crate) fn tags_in(dom: &Element) -> Vec<String> {
    let Some(metadata) = dom.child("metadata") else { return Vec::new() };
    let Some(ours) = metadata.elements().find(|e| e.attrs.iter().any(|(k, v)| k.starts_with("xmlns") && v == VIREO_NS)) else {
        return Vec::new();
    };
    tags_of(ours)
}

/// The `<tag>` children of Vireo's element.
fn tags_of(ours: &Element) -> Vec<String> {
    ours.elements().filter(|e| local(&e.name) == "tag").map(|e| e.text().trim().to_owned()).filter(|t| !t.is_empty()).collect()
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_read_under_any_prefix_and_only_from_our_namespace() {
        let dom = Element::parse(&format!(
            r#"<domain><metadata><x:vm xmlns:x="{VIREO_NS}"><x:tag>db</x:tag><x:tag> 生产 </x:tag></x:vm><o:vm xmlns:o="urn:other"><o:tag>no</o:tag></o:vm></metadata></domain>"#
        ))
        .unwrap();
        assert_eq!(tags_in(&dom), ["db", "生产"]);
        assert!(tags_in(&Element::parse("<domain/>").unwrap()).is_empty());
        assert_eq!(tags_element(&["a&b".into()]).to_xml().unwrap(), "<vm><tag>a&amp;b</tag></vm>");
    }
}
