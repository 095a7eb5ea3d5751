//! Vireo's shared vocabulary: the types every crate and the UI agree on, the checks that
//! guard the boundary, and the typed error that reaches the user.
//!
//! Nothing here talks to libvirt, SSH or SQLite; it is plain data, so the UI bindings
//! (`ts-rs`, see `bindings.rs`) are generated from exactly these definitions.

pub mod batch;
pub mod console;
pub mod error;
pub mod event;
pub mod history;
pub mod host;
pub mod ip_pool;
pub mod limits;
pub mod network;
pub mod new_vm;
pub mod rules;
pub mod snapshot;
pub mod ssh;
pub mod stats;
pub mod storage;
pub mod task;
pub mod validate;
pub mod vm;
pub mod vm_edit;

#[cfg(test)]
mod bindings;

pub use batch::{BatchAction, BatchItem};
pub use console::{ConsoleInfo, ConsoleInput, ConsoleOpened, ConsoleState, KeyCombo};
pub use error::{Error, ErrorPayload, Result};
pub use event::HostEvent;
pub use history::HistoryEntry;
pub use host::{Accel, HostId, HostKind, HostStatus, HostSummary, HostTarget, PromptAnswer};
pub use ip_pool::{AddressState, Hold, IpPoolDetail, IpPoolSummary, NewIpPool, PoolAddress, PoolConflict};
pub use limits::HostLimits;
pub use network::{DhcpHost, IpRange, NetworkAction, NetworkIp, NetworkKind, NetworkLease, NetworkSummary, NewNetwork};
pub use new_vm::{CloudInit, DiskBus, Firmware, NewDisk, NewNic, NewVm};
pub use snapshot::{CdromDrive, CloneMode, NewClone, NewSnapshot, SnapshotState, SnapshotSummary};
pub use ssh::{HostPrompt, SshAuth, SshSpec};
pub use stats::{VmFigures, VmStats, STATS_INTERVAL, STATS_INTERVAL_MS};
pub use storage::{NewPool, NewPoolKind, NewVolume, PoolAction, PoolState, PoolSummary, VolumeFormat, VolumeSummary};
pub use task::{ProgressUnit, TaskKind, TaskState, TaskStep, TaskSummary};
pub use validate::VmRef;
pub use vm::{VmAction, VmState, VmSummary};
pub use vm_edit::{AddedDisk, AddressSource, Applied, BootDevice, ChangeOutcome, DriveKind, VmAddresses, VmChange, VmDetail, VmDisk, VmNic};
