//! Typed builders for the libvirt XML Vireo writes, and readers for the fields it shows.
//! Values go through quick-xml's writer, which escapes them; nothing is pasted into strings.

pub mod cdrom;
pub mod clone;
pub mod device;
mod domain;
pub mod graphics;
pub mod network;
mod pool;
pub(crate) mod read;
pub mod snapshot;
pub mod tree;
mod volume;
mod writer;

pub use domain::{Boot, DiskSpec, DomainSpec, NicSpec};
pub use pool::pool_xml;
pub use volume::volume_xml;
