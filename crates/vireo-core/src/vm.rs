//! VMs as listed: identity, state, size and live figures.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::stats::VmFigures;

/// libvirt's domain states (`virDomainState`), named for people.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum VmState {
    NoState,
    Running,
    Blocked,
    Paused,
    ShuttingDown,
    ShutOff,
    Crashed,
    Suspended,
}

impl VmState {
    pub const ALL: [VmState; 8] = [
        VmState::NoState,
        VmState::Running,
        VmState::Blocked,
        VmState::Paused,
        VmState::ShuttingDown,
        VmState::ShutOff,
        VmState::Crashed,
        VmState::Suspended,
    ];

    /// Maps libvirt's `virDomainState` number.
    pub fn from_libvirt(n: u32) -> Self {
        match n {
            1 => VmState::Running,
            2 => VmState::Blocked,
            3 => VmState::Paused,
            4 => VmState::ShuttingDown,
            5 => VmState::ShutOff,
            6 => VmState::Crashed,
            7 => VmState::Suspended,
            _ => VmState::NoState,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            VmState::NoState => "no state",
            VmState::Running => "running",
            VmState::Blocked => "blocked",
            VmState::Paused => "paused",
            VmState::ShuttingDown => "shutting down",
            VmState::ShutOff => "shut off",
            VmState::Crashed => "crashed",
            VmState::Suspended => "suspended",
        }
    }

    /// A guest is "active" while libvirt has a QEMU process for it.
    pub fn is_active(self) -> bool {
        !matches!(self, VmState::ShutOff | VmState::Crashed | VmState::NoState)
    }

    /// Whether `action` makes sense from this state; the UI greys out the rest and the
    /// core refuses them with a clear message instead of libvirt's.
    pub fn allows(self, action: VmAction) -> bool {
        use VmAction::*;
        match action {
            Start => matches!(self, VmState::ShutOff | VmState::Crashed | VmState::NoState),
            Shutdown | Reboot => matches!(self, VmState::Running | VmState::Blocked),
            Destroy => self.is_active(),
            Suspend => matches!(self, VmState::Running | VmState::Blocked),
            Resume => matches!(self, VmState::Paused),
        }
    }
}

impl std::fmt::Display for VmState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The lifecycle actions on a VM.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum VmAction {
    Start,
    /// ACPI shutdown request: the guest decides.
    Shutdown,
    /// Force off, like pulling the plug.
    Destroy,
    Reboot,
    Suspend,
    Resume,
}

impl VmAction {
    pub const ALL: [VmAction; 6] = [
        VmAction::Start,
        VmAction::Shutdown,
        VmAction::Destroy,
        VmAction::Reboot,
        VmAction::Suspend,
        VmAction::Resume,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            VmAction::Start => "start",
            VmAction::Shutdown => "shutdown",
            VmAction::Destroy => "destroy",
            VmAction::Reboot => "reboot",
            VmAction::Suspend => "suspend",
            VmAction::Resume => "resume",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// One VM in a list, with the figures of the bulk stats call.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
pub struct VmSummary {
    pub uuid: String,
    pub name: String,
    pub state: VmState,
    pub vcpus: u32,
    /// Most memory the VM may get, KiB.
    #[ts(type = "number")]
    pub max_memory_kib: u64,
    #[serde(flatten)]
    pub figures: VmFigures,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_follow_state() {
        assert!(VmState::ShutOff.allows(VmAction::Start));
        assert!(!VmState::ShutOff.allows(VmAction::Shutdown));
        assert!(!VmState::ShutOff.allows(VmAction::Destroy));
        assert!(VmState::Running.allows(VmAction::Suspend));
        assert!(!VmState::Running.allows(VmAction::Resume));
        assert!(VmState::Paused.allows(VmAction::Resume));
        assert!(VmState::Paused.allows(VmAction::Destroy));
        assert!(!VmState::Paused.allows(VmAction::Start));
    }

    #[test]
    fn action_names_round_trip() {
        for a in VmAction::ALL {
            assert_eq!(VmAction::parse(a.as_str()), Some(a));
        }
        assert_eq!(VmAction::parse("explode"), None);
    }

    #[test]
    fn libvirt_state_numbers() {
        assert_eq!(VmState::from_libvirt(1), VmState::Running);
        assert_eq!(VmState::from_libvirt(5), VmState::ShutOff);
        assert_eq!(VmState::from_libvirt(99), VmState::NoState);
    }
}
