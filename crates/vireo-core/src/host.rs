//! Saved hosts as the UI and CLI see them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A saved host's stable id (the store's primary key, as text so the UI needs no bigint).
pub type HostId = String;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum HostKind {
    /// This machine's libvirtd (`qemu:///system`).
    Local,
    /// A remote machine.
    Remote,
    /// libvirt's built-in `test:///default` hypervisor: fake VMs, offered when no libvirtd answers.
    Demo,
}

impl HostKind {
    pub fn as_str(self) -> &'static str {
        match self {
            HostKind::Local => "local",
            HostKind::Remote => "remote",
            HostKind::Demo => "demo",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "local" => HostKind::Local,
            "remote" => HostKind::Remote,
            "demo" => HostKind::Demo,
            _ => return None,
        })
    }
}

/// How guests on a host are accelerated. `Auto` picks KVM only where a probe shows that
/// KVM guests actually run (some machines expose /dev/kvm but hang KVM guests).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Accel {
    #[default]
    Auto,
    Kvm,
    /// Plain QEMU emulation (TCG): slow but works everywhere.
    Qemu,
}

impl Accel {
    pub fn as_str(self) -> &'static str {
        match self {
            Accel::Auto => "auto",
            Accel::Kvm => "kvm",
            Accel::Qemu => "qemu",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "auto" => Accel::Auto,
            "kvm" => Accel::Kvm,
            "qemu" => Accel::Qemu,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum HostStatus {
    Connecting,
    Connected,
    Disconnected,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct HostSummary {
    pub id: HostId,
    pub name: String,
    pub uri: String,
    pub kind: HostKind,
    pub accel: Accel,
    pub status: HostStatus,
    /// Why the host is disconnected, when it is.
    pub error: Option<String>,
}
