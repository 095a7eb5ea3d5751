//! An editable element tree over libvirt's XML, for changing a definition in place.
//!
//! Edits to an existing VM (boot order, a clone's name and disks) must keep everything
//! Vireo does not model: elements, attributes, namespaced `<metadata>` of other tools,
//! comments. So the document is parsed whole into this tree, the few nodes Vireo knows
//! are changed through typed methods, and the tree is written back; nothing is
//! regenerated from Vireo's own subset, and values are escaped by quick-xml's writer.

use quick_xml::events::{BytesCData, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::{Reader, Writer};
use vireo_core::{Error, Result};

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Element(Element),
    /// Text, unescaped.
    Text(String),
    Comment(String),
    CData(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    pub name: String,
    /// In document order, values unescaped (`xmlns:*` declarations are attributes too).
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

impl Element {
    pub fn new(name: &str) -> Element {
        Element { name: name.to_owned(), attrs: Vec::new(), children: Vec::new() }
    }

    pub fn with_attr(mut self, name: &str, value: &str) -> Element {
        self.set_attr(name, value);
        self
    }

    pub fn with_text(mut self, text: &str) -> Element {
        self.set_text(text);
        self
    }

    pub fn with_child(mut self, child: Element) -> Element {
        self.children.push(Node::Element(child));
        self
    }

    /// Parses a whole document; its root element.
    pub fn parse(xml: &str) -> Result<Element> {
        let bad = |e: &dyn std::fmt::Display| Error::Internal(format!("libvirt's XML did not parse: {e}"));
        let mut reader = Reader::from_str(xml);
        // Open elements, innermost last; the finished root lands in `root`.
        let mut stack: Vec<Element> = Vec::new();
        let mut root: Option<Element> = None;
        loop {
            let event = reader.read_event().map_err(|e| bad(&e))?;
            match event {
                Event::Start(e) => stack.push(Self::opened(&e).map_err(|e| bad(&e))?),
                Event::Empty(e) => {
                    let el = Self::opened(&e).map_err(|e| bad(&e))?;
                    Self::close(&mut stack, &mut root, el);
                }
                Event::End(_) => {
                    let el = stack.pop().ok_or_else(|| bad(&"an end tag without a start"))?;
                    Self::close(&mut stack, &mut root, el);
                }
                Event::Text(t) => {
                    let text = t.decode().map_err(|e| bad(&e))?;
                    push_text(&mut stack, &text);
                }
                Event::GeneralRef(r) => {
                    let text = match r.resolve_char_ref().map_err(|e| bad(&e))? {
                        Some(c) => c.to_string(),
                        None => match r.decode().map_err(|e| bad(&e))?.as_ref() {
                            "lt" => "<".into(),
                            "gt" => ">".into(),
                            "amp" => "&".into(),
                            "quot" => "\"".into(),
                            "apos" => "'".into(),
                            other => return Err(bad(&format!("unknown entity &{other};"))),
                        },
                    };
                    push_text(&mut stack, &text);
                }
                Event::Comment(c) => {
                    if let Some(top) = stack.last_mut() {
                        top.children.push(Node::Comment(c.decode().map_err(|e| bad(&e))?.into_owned()));
                    }
                }
                Event::CData(c) => {
                    if let Some(top) = stack.last_mut() {
                        top.children.push(Node::CData(c.decode().map_err(|e| bad(&e))?.into_owned()));
                    }
                }
                Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
                Event::Eof => break,
            }
        }
        if !stack.is_empty() {
            return Err(bad(&format!("<{}> is not closed", stack.last().map(|e| e.name.as_str()).unwrap_or(""))));
        }
        root.ok_or_else(|| bad(&"no root element"))
    }

    fn opened(e: &BytesStart) -> std::result::Result<Element, quick_xml::Error> {
        let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
        let mut attrs = Vec::new();
        for a in e.attributes() {
            let a = a.map_err(quick_xml::Error::from)?;
            let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
            attrs.push((key, a.unescape_value()?.into_owned()));
        }
        Ok(Element { name, attrs, children: Vec::new() })
    }

    fn close(stack: &mut [Element], root: &mut Option<Element>, el: Element) {
        match stack.last_mut() {
            Some(parent) => parent.children.push(Node::Element(el)),
            None => *root = Some(el),
        }
    }

    /// The document, as libvirt's `defineXML` takes it.
    pub fn to_xml(&self) -> Result<String> {
        let mut w = Writer::new(Vec::new());
        self.write(&mut w).map_err(|e| Error::Internal(format!("XML: {e}")))?;
        String::from_utf8(w.into_inner()).map_err(|e| Error::Internal(e.to_string()))
    }

    fn write(&self, w: &mut Writer<Vec<u8>>) -> std::io::Result<()> {
        let start = BytesStart::new(self.name.as_str()).with_attributes(self.attrs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        if self.children.is_empty() {
            return w.write_event(Event::Empty(start));
        }
        w.write_event(Event::Start(start))?;
        for child in &self.children {
            match child {
                Node::Element(e) => e.write(w)?,
                Node::Text(t) => w.write_event(Event::Text(BytesText::new(t)))?,
                Node::Comment(c) => w.write_event(Event::Comment(BytesText::from_escaped(c.as_str())))?,
                Node::CData(c) => w.write_event(Event::CData(BytesCData::new(c.as_str())))?,
            }
        }
        w.write_event(Event::End(BytesEnd::new(self.name.as_str())))
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Sets an attribute, in place when it exists (its position kept), else at the end.
    pub fn set_attr(&mut self, name: &str, value: &str) {
        match self.attrs.iter_mut().find(|(k, _)| k == name) {
            Some((_, v)) => *v = value.to_owned(),
            None => self.attrs.push((name.to_owned(), value.to_owned())),
        }
    }

    pub fn remove_attr(&mut self, name: &str) {
        self.attrs.retain(|(k, _)| k != name);
    }

    /// The element's own text (its text children joined).
    pub fn text(&self) -> String {
        self.children.iter().filter_map(|n| if let Node::Text(t) = n { Some(t.as_str()) } else { None }).collect()
    }

    /// Replaces the element's text, keeping its child elements.
    pub fn set_text(&mut self, text: &str) {
        self.children.retain(|n| !matches!(n, Node::Text(_)));
        self.children.insert(0, Node::Text(text.to_owned()));
    }

    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| if let Node::Element(e) = n { Some(e) } else { None })
    }

    pub fn elements_mut(&mut self) -> impl Iterator<Item = &mut Element> {
        self.children.iter_mut().filter_map(|n| if let Node::Element(e) = n { Some(e) } else { None })
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.elements().filter(move |e| e.name == name)
    }

    pub fn children_named_mut<'a>(&'a mut self, name: &'a str) -> impl Iterator<Item = &'a mut Element> + 'a {
        self.elements_mut().filter(move |e| e.name == name)
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    pub fn child_mut(&mut self, name: &str) -> Option<&mut Element> {
        self.elements_mut().find(|e| e.name == name)
    }

    /// The first child element so named, made (appended) when there is none.
    pub fn child_or_insert(&mut self, name: &str) -> &mut Element {
        if self.child(name).is_none() {
            self.push(Element::new(name));
        }
        self.child_mut(name).expect("just inserted")
    }

    /// The element at a `/`-separated path below this one (`devices/disk`): the first
    /// match at each level.
    pub fn at(&self, path: &str) -> Option<&Element> {
        path.split('/').try_fold(self, |e, name| e.child(name))
    }

    pub fn at_mut(&mut self, path: &str) -> Option<&mut Element> {
        path.split('/').try_fold(self, |e, name| e.child_mut(name))
    }

    pub fn push(&mut self, child: Element) {
        self.children.push(Node::Element(child));
    }

    /// Inserts `child` after the last child element named `after` (or at the end), so a
    /// new device sits beside its kind, as libvirt writes them.
    pub fn insert_after(&mut self, after: &str, child: Element) {
        let pos = self.children.iter().rposition(|n| matches!(n, Node::Element(e) if e.name == after));
        match pos {
            Some(i) => self.children.insert(i + 1, Node::Element(child)),
            None => self.children.push(Node::Element(child)),
        }
    }

    /// Removes the child elements for which `remove` is true; how many went.
    pub fn remove_children(&mut self, mut remove: impl FnMut(&Element) -> bool) -> usize {
        let before = self.children.len();
        self.children.retain(|n| !matches!(n, Node::Element(e) if remove(e)));
        before - self.children.len()
    }
}

fn push_text(stack: &mut [Element], text: &str) {
    let Some(top) = stack.last_mut() else { return };
    match top.children.last_mut() {
        // A reference splits text into pieces; they are one text node.
        Some(Node::Text(t)) => t.push_str(text),
        _ => top.children.push(Node::Text(text.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOMAIN: &str = r#"<domain type="qemu" xmlns:qemu="http://libvirt.org/schemas/domain/qemu/1.0">
  <name>a &amp; b</name>
  <!-- kept -->
  <metadata><other:x xmlns:other="urn:other" v="1 &lt; 2">t</other:x></metadata>
  <devices>
    <disk type="file" device="disk"><source file="/a.qcow2"/><target dev="vda" bus="virtio"/></disk>
    <interface type="network"><mac address="52:54:00:00:00:01"/><source network="default"/></interface>
  </devices>
  <qemu:commandline><qemu:arg value="-x"/></qemu:commandline>
</domain>"#;

    #[test]
    fn unchanged_tree_writes_back_the_same_document() {
        let tree = Element::parse(DOMAIN).unwrap();
        let again = Element::parse(&tree.to_xml().unwrap()).unwrap();
        assert_eq!(tree, again);
        let out = tree.to_xml().unwrap();
        assert!(out.contains("<!-- kept -->"), "{out}");
        assert!(out.contains(r#"<other:x xmlns:other="urn:other" v="1 &lt; 2">t</other:x>"#), "{out}");
        assert!(out.contains("<qemu:arg value=\"-x\"/>"), "{out}");
        assert_eq!(tree.at("name").unwrap().text(), "a & b");
    }

    #[test]
    fn edits_touch_only_what_they_name() {
        let mut tree = Element::parse(DOMAIN).unwrap();
        tree.at_mut("name").unwrap().set_text("c <d>");
        let disk = tree.at_mut("devices/disk/source").unwrap();
        disk.set_attr("file", "/b.qcow2");
        let devices = tree.child_mut("devices").unwrap();
        devices.insert_after("disk", Element::new("disk").with_attr("device", "cdrom"));
        let out = tree.to_xml().unwrap();
        assert!(out.contains("<name>c &lt;d&gt;</name>"), "{out}");
        assert!(out.contains(r#"<source file="/b.qcow2"/>"#), "{out}");
        let again = Element::parse(&out).unwrap();
        let kinds: Vec<_> = again.at("devices").unwrap().elements().map(|e| e.attr("device").unwrap_or(&e.name).to_owned()).collect();
        assert_eq!(kinds, ["disk", "cdrom", "interface"]);
        assert!(out.contains("xmlns:qemu"), "{out}");
    }

    #[test]
    fn broken_documents_are_refused() {
        assert!(Element::parse("<domain><name>x</domain>").is_err());
        assert!(Element::parse("<domain>").is_err());
        assert!(Element::parse("").is_err());
    }
}
