//! Live figures pushed to listeners, so the UI need not re-list every VM to keep its
//! numbers fresh: a host sends the figures of its running VMs every `STATS_INTERVAL`.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::vm::VmState;

/// How often each host pushes `HostEvent::VmStats`, in milliseconds (exported to the UI,
/// which sizes its "figures are stale" check on it).
pub const STATS_INTERVAL_MS: u64 = 2000;
/// [`STATS_INTERVAL_MS`] as a `Duration`.
pub const STATS_INTERVAL: Duration = Duration::from_millis(STATS_INTERVAL_MS);

/// The live figures of one VM, as listed (`VmSummary`) and as pushed (`VmStats`): one
/// struct flattened into both, so the two cannot drift apart. Counters are cumulative;
/// `cpu_percent` needs two samples, so it is null the first time a VM is seen running.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS, PartialEq)]
pub struct VmFigures {
    /// Guest CPU use since the previous sample, as a percentage of its vCPUs (0-100).
    pub cpu_percent: Option<f64>,
    /// Memory assigned now (balloon), KiB.
    #[ts(type = "number")]
    pub memory_kib: u64,
    /// Resident memory of the QEMU process, KiB, while running, where the driver reports it.
    #[ts(type = "number | null")]
    pub memory_rss_kib: Option<u64>,
    #[ts(type = "number")]
    pub disk_read_bytes: u64,
    #[ts(type = "number")]
    pub disk_write_bytes: u64,
    #[ts(type = "number")]
    pub net_rx_bytes: u64,
    #[ts(type = "number")]
    pub net_tx_bytes: u64,
}

/// Live figures of one running VM, pushed every STATS_INTERVAL.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
pub struct VmStats {
    pub uuid: String,
    pub state: VmState,
    #[serde(flatten)]
    pub figures: VmFigures,
}
