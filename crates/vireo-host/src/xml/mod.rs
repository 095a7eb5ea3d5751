//! Typed builders for the libvirt XML Vireo writes. Values go through quick-xml's writer,
//! which escapes them; nothing is pasted into strings.

mod domain;
pub mod graphics;

pub use domain::{Boot, DiskSpec, DomainSpec, NicSpec};
