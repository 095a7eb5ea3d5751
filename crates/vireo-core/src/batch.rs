//! One action on many VMs (a selection in the table), and how it went for each.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::ErrorPayload;
use crate::vm::VmAction;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BatchAction {
    Start,
    Shutdown,
    /// Force off.
    Destroy,
    /// Delete each VM, with its disks when `remove_storage` (each a task of its own).
    Delete { remove_storage: bool },
}

impl BatchAction {
    /// The lifecycle action it is, for all but delete.
    pub fn lifecycle(self) -> Option<VmAction> {
        match self {
            BatchAction::Start => Some(VmAction::Start),
            BatchAction::Shutdown => Some(VmAction::Shutdown),
            BatchAction::Destroy => Some(VmAction::Destroy),
            BatchAction::Delete { .. } => None,
        }
    }
}

/// One VM's outcome: no error is success.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct BatchItem {
    pub uuid: String,
    pub name: String,
    pub error: Option<ErrorPayload>,
}
