//! What a host can give a new VM: the app refuses a form beyond these before anything is
//! made, and the wizard checks its fields against them before sending.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct HostLimits {
    /// The host's memory.
    #[ts(type = "number")]
    pub memory_kib: u64,
    /// Its logical CPUs.
    pub cpus: u32,
    /// Whether libvirt can boot a guest with UEFI firmware there (OVMF installed).
    pub uefi: bool,
}
