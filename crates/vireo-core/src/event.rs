//! What a host pushes to its listeners (the UI, the CLI's `watch`), from libvirt's event loop.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::host::{HostId, HostStatus};
use crate::vm::VmState;

#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HostEvent {
    /// A domain lifecycle event: the VM's new state, and libvirt's event name for it
    /// (`started`, `suspended`, `resumed`, `stopped`, `defined`, `undefined`, ...).
    /// `state` is `None` where the event alone does not fix it (`defined`, `undefined`):
    /// listeners re-read the list then.
    VmLifecycle { host_id: HostId, uuid: String, name: String, event: String, state: Option<VmState> },
    /// The host's connection went up or down.
    HostStatus { host_id: HostId, status: HostStatus, error: Option<String> },
}
