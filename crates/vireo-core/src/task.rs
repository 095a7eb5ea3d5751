//! Long work (create, clone, upload, delete with storage) as a task: its progress, speed
//! and outcome, pushed to listeners as `HostEvent::Task` while it runs.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::ErrorPayload;
use crate::host::HostId;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    CreateVm,
    CloneVm,
    DeleteVm,
    UploadVolume,
    CloneVolume,
    RevertSnapshot,
}

impl TaskKind {
    /// The history action it is recorded as.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::CreateVm => "create_vm",
            TaskKind::CloneVm => "clone_vm",
            TaskKind::DeleteVm => "delete_vm",
            TaskKind::UploadVolume => "upload_volume",
            TaskKind::CloneVolume => "clone_volume",
            TaskKind::RevertSnapshot => "revert_snapshot",
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl TaskState {
    pub fn is_done(self) -> bool {
        self != TaskState::Running
    }
}

/// What a task is doing now (the UI translates these).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TaskStep {
    Checking,
    CreatingDisk,
    CopyingDisk,
    BuildingSeed,
    DefiningVm,
    StartingVm,
    Uploading,
    Verifying,
    Deleting,
    CleaningUp,
    /// Going back to a snapshot.
    Reverting,
}

/// What the progress counts.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ProgressUnit {
    Bytes,
    Steps,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
pub struct TaskSummary {
    pub id: String,
    pub host_id: HostId,
    pub kind: TaskKind,
    /// What it works on (a VM or volume name).
    pub target: String,
    pub state: TaskState,
    pub step: TaskStep,
    pub unit: ProgressUnit,
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number | null")]
    pub total: Option<u64>,
    /// Bytes per second over the last seconds, for byte tasks.
    pub bytes_per_sec: Option<f64>,
    /// Whether `cancel_task` can stop it now.
    pub cancellable: bool,
    /// Milliseconds since the Unix epoch.
    #[ts(type = "number")]
    pub started_ms: i64,
    #[ts(type = "number | null")]
    pub ended_ms: Option<i64>,
    /// What it produced that the user wants to see (an upload's SHA-256, a VM's UUID).
    pub result: Option<String>,
    pub error: Option<ErrorPayload>,
}
