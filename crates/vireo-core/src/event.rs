//! What a host pushes to its listeners (the UI, the CLI's `watch`), from libvirt's event loop.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::host::{HostId, HostStatus};
use crate::ssh::HostPrompt;
use crate::stats::VmStats;
use crate::task::TaskSummary;
use crate::vm::VmState;

#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HostEvent {
    /// A domain lifecycle event: the VM's new state, and libvirt's event name for it
    /// (`started`, `suspended`, `resumed`, `stopped`, `defined`, `undefined`, ...).
    /// `state` is `None` where the event alone does not fix it (`defined`, `undefined`):
    /// listeners re-read the list then.
    VmLifecycle { host_id: HostId, uuid: String, name: String, event: String, state: Option<VmState> },
    /// A libvirt network was defined, undefined, started or stopped: listeners re-read
    /// the host's networks.
    NetworkLifecycle { host_id: HostId, name: String, event: String },
    /// The host's connection went up or down; `prompt`: what it waits for from the user.
    HostStatus {
        host_id: HostId,
        status: HostStatus,
        error: Option<String>,
        prompt: Option<HostPrompt>,
        /// Whether Vireo tries again on its own; false while the host waits for the user
        /// (disconnected on purpose, a question, a changed host key).
        retrying: bool,
    },
    /// The figures of every running (active) VM of the host, one message per host every
    /// `STATS_INTERVAL`. Sent only when there is something to say: while VMs run, and
    /// once with an empty list when the last one stopped; an idle host stays silent.
    VmStats { host_id: HostId, vms: Vec<VmStats> },
    /// Listeners missed events (a slow reader fell behind) and must re-list: the host's
    /// VMs, or every host's when `host_id` is `None`.
    Resync { host_id: Option<HostId> },
    /// A task started, moved on or ended (at most a few times a second while it runs).
    Task { task: TaskSummary },
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::stats::VmFigures;

    /// The shapes the UI codes against (`HostEvent.ts`); a change here is a change of contract.
    #[test]
    fn pushed_figures_and_resync_have_the_agreed_json_shape() {
        let stats = HostEvent::VmStats {
            host_id: "1".into(),
            vms: vec![VmStats {
                uuid: "u".into(),
                state: VmState::Running,
                figures: VmFigures {
                    cpu_percent: Some(12.5),
                    memory_kib: 1024,
                    memory_rss_kib: None,
                    disk_read_bytes: 1,
                    disk_write_bytes: 2,
                    net_rx_bytes: 3,
                    net_tx_bytes: 4,
                },
            }],
        };
        assert_eq!(
            serde_json::to_value(&stats).unwrap(),
            json!({"kind": "vm_stats", "host_id": "1", "vms": [{
                "uuid": "u", "state": "running", "cpu_percent": 12.5, "memory_kib": 1024,
                "memory_rss_kib": null, "disk_read_bytes": 1, "disk_write_bytes": 2,
                "net_rx_bytes": 3, "net_tx_bytes": 4,
            }]})
        );
        let all = HostEvent::Resync { host_id: None };
        assert_eq!(serde_json::to_value(&all).unwrap(), json!({"kind": "resync", "host_id": null}));
        let one = HostEvent::Resync { host_id: Some("2".into()) };
        assert_eq!(serde_json::to_value(&one).unwrap(), json!({"kind": "resync", "host_id": "2"}));
    }
}
