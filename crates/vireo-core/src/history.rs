//! History entries as the UI shows them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One recorded change: who did what to which object on which host, when, and how it ended.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct HistoryEntry {
    #[ts(type = "number")]
    pub id: i64,
    /// Milliseconds since the Unix epoch.
    #[ts(type = "number")]
    pub at_ms: i64,
    /// `app` or `cli`.
    pub actor: String,
    /// The host's name.
    pub host: String,
    /// What was done (`start`, `add_host`, ...).
    pub action: String,
    /// What it was done to (a VM or host name).
    pub target: String,
    pub ok: bool,
    /// The error message when it failed.
    pub detail: Option<String>,
}
