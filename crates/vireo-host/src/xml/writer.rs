//! Shared pieces of the XML writers.

use std::io;

use quick_xml::events::BytesText;
use quick_xml::Writer;
use vireo_core::{Error, Result};

pub(crate) fn text(w: &mut Writer<Vec<u8>>, name: &str, value: &str) -> io::Result<()> {
    w.create_element(name).write_text_content(BytesText::new(value))?;
    Ok(())
}

/// The document written, or the writer's error as an internal one.
pub(crate) fn finish(w: Writer<Vec<u8>>, written: io::Result<()>) -> Result<String> {
    written.map_err(|e| Error::Internal(format!("XML: {e}")))?;
    String::from_utf8(w.into_inner()).map_err(|e| Error::Internal(e.to_string()))
}
