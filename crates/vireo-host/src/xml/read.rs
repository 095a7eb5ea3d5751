//! Reading values out of libvirt's XML by element path (`pool/target/path`), for the
//! few fields Vireo shows; no model of the whole document is built.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

pub(crate) fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.try_get_attribute(name).ok().flatten().and_then(|a| a.unescape_value().ok()).map(|v| v.into_owned())
}

/// Each element at `path` (names from the root, `/`-separated): its attributes and its
/// text, in document order.
pub(crate) fn elements(xml: &str, path: &str) -> Vec<Found> {
    let want: Vec<&[u8]> = path.split('/').map(str::as_bytes).collect();
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Vec<u8>> = Vec::new();
    let mut out = Vec::new();
    let mut open: Option<Found> = None;
    loop {
        match reader.read_event() {
            Err(_) | Ok(Event::Eof) => break,
            Ok(Event::Start(e)) => {
                stack.push(e.name().as_ref().to_vec());
                if matches(&stack, &want) {
                    open = Some(Found::of(&e));
                }
            }
            Ok(Event::Empty(e)) => {
                stack.push(e.name().as_ref().to_vec());
                if matches(&stack, &want) {
                    out.push(Found::of(&e));
                }
                stack.pop();
            }
            Ok(Event::Text(t)) => {
                if let (Some(f), true) = (open.as_mut(), matches(&stack, &want)) {
                    if let Ok(text) = t.decode() {
                        f.text.push_str(&text);
                    }
                }
            }
            Ok(Event::GeneralRef(r)) => {
                if let (Some(f), true) = (open.as_mut(), matches(&stack, &want)) {
                    if let Ok(Some(c)) = r.resolve_char_ref() {
                        f.text.push(c);
                    } else {
                        let name = r.decode().unwrap_or_default();
                        f.text.push_str(match name.as_ref() {
                            "lt" => "<",
                            "gt" => ">",
                            "amp" => "&",
                            "quot" => "\"",
                            "apos" => "'",
                            _ => "",
                        });
                    }
                }
            }
            Ok(Event::End(_)) => {
                if matches(&stack, &want) {
                    out.extend(open.take());
                }
                stack.pop();
            }
            Ok(_) => {}
        }
    }
    out
}

/// The text of the first element at `path`.
pub(crate) fn text(xml: &str, path: &str) -> Option<String> {
    elements(xml, path).into_iter().next().map(|f| f.text)
}

/// The attribute `name` of the first element at `path`.
pub(crate) fn attribute(xml: &str, path: &str, name: &str) -> Option<String> {
    elements(xml, path).into_iter().find_map(|f| f.attr(name).map(str::to_owned))
}

/// Each `<disk>`'s source file or device, in order (`None` for an empty drive).
pub(crate) fn disk_sources(xml: &str) -> Vec<Option<String>> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut in_disk = false;
    loop {
        match reader.read_event() {
            Err(_) | Ok(Event::Eof) => break,
            Ok(Event::Start(e)) => {
                depth += 1;
                if depth == 3 && e.name().as_ref() == b"disk" {
                    in_disk = true;
                    out.push(None);
                }
            }
            Ok(Event::Empty(e)) => {
                if depth == 2 && e.name().as_ref() == b"disk" {
                    out.push(None);
                } else if in_disk && depth == 3 && e.name().as_ref() == b"source" {
                    if let Some(last) = out.last_mut() {
                        *last = attr(&e, "file").or_else(|| attr(&e, "dev"));
                    }
                }
            }
            Ok(Event::End(e)) => {
                if depth == 3 && e.name().as_ref() == b"disk" {
                    in_disk = false;
                }
                depth = depth.saturating_sub(1);
            }
            Ok(_) => {}
        }
    }
    out
}

fn matches(stack: &[Vec<u8>], want: &[&[u8]]) -> bool {
    stack.len() == want.len() && stack.iter().zip(want).all(|(a, b)| a.as_slice() == *b)
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Found {
    pub attrs: Vec<(String, String)>,
    pub text: String,
}

impl Found {
    fn of(e: &BytesStart) -> Found {
        let attrs = e
            .attributes()
            .flatten()
            .filter_map(|a| {
                let key = String::from_utf8(a.key.as_ref().to_vec()).ok()?;
                let value = a.unescape_value().ok()?.into_owned();
                Some((key, value))
            })
            .collect();
        Found { attrs, text: String::new() }
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_texts_and_attributes_by_path() {
        let xml = "<pool type='dir'><name>a&amp;b&#x4e2d;</name><target><path>/p</path></target>\
                   <source><dir path='/x'/></source></pool>";
        assert_eq!(text(xml, "pool/name").as_deref(), Some("a&b中"));
        assert_eq!(text(xml, "pool/target/path").as_deref(), Some("/p"));
        assert_eq!(attribute(xml, "pool", "type").as_deref(), Some("dir"));
        assert_eq!(attribute(xml, "pool/source/dir", "path").as_deref(), Some("/x"));
        assert_eq!(text(xml, "pool/path"), None);
    }
}
