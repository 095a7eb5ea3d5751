//! A `Host` is Vireo's one session with one machine: the libvirt connection, libvirt's
//! event loop feeding live state, and the operations every feature uses on that machine.
//!
//! libvirt's C calls block, so every call runs on tokio's blocking pool (`Host::call`),
//! never on the async workers. The connection is opened once per host and shared.

mod accel;
mod addresses;
mod bridges;
mod clone;
mod console;
mod cpu;
mod default_uri;
mod devices;
mod edit;
mod error;
mod events;
mod ffi;
mod guest_agent;
mod host;
mod host_routes;
mod leases;
mod limits;
mod media;
pub mod metadata;
mod network_names;
mod networks;
mod pools;
mod running;
mod runner;
mod snapshots;
mod runtime;
pub mod ssh_link;
mod stats;
mod upload;
mod vm_detail;
mod vms;
mod volumes;
pub mod xml;

pub use console::VncStream;
pub use xml::graphics::{VncAddress, VncDisplay};
pub use accel::{kvm_guests_work, remote_kvm_guests_work, resolve_accel, DomainKind};
pub use default_uri::{embedded_default, EmbeddedDefault, DEMO_URI, LOCAL_URI};
pub use host::{Host, HostOptions, Transport};
pub use ssh_link::SshLink;
pub use leases::Lease;
pub use limits::HostLimits;
pub use stats::DomainStats;
pub use pools::PoolAction;
pub use upload::{UploadChunk, UploadProgress};
pub use volumes::VolumeUsers;
