//! Saved hosts as the UI and CLI see them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ssh::{HostPrompt, SshSpec};

/// A saved host's stable id (the store's primary key, as text so the UI needs no bigint).
pub type HostId = String;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum HostKind {
    /// This machine's libvirtd (`qemu:///system` or `qemu:///session`).
    Local,
    /// Any libvirt URI, handed to libvirt as it is (the expert's way; libvirt's own ssh
    /// transport asks for passwords itself).
    Remote,
    /// A remote machine through Vireo's own SSH session (`HostSummary::ssh`).
    Ssh,
    /// libvirt's built-in `test:///default` hypervisor: fake VMs, offered when no libvirtd answers.
    Demo,
}

impl HostKind {
    pub fn as_str(self) -> &'static str {
        match self {
            HostKind::Local => "local",
            HostKind::Remote => "remote",
            HostKind::Ssh => "ssh",
            HostKind::Demo => "demo",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "local" => HostKind::Local,
            "remote" => HostKind::Remote,
            "ssh" => HostKind::Ssh,
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
    /// Where and how an SSH host signs in (`kind` is `ssh`); `uri` is then `ssh://user@host:port`.
    pub ssh: Option<SshSpec>,
    /// What the host waits for from the user before it can connect.
    pub prompt: Option<HostPrompt>,
    /// Whether Vireo tries again on its own when the host is not connected; false while
    /// it waits for the user (disconnected on purpose, a question, a changed host key).
    pub retrying: bool,
}

/// How a host is reached, as the add and edit dialogs and the CLI give it.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HostTarget {
    /// A libvirt URI (`qemu:///system`, `qemu:///session`, or any URI an expert gives).
    Uri { uri: String },
    /// Vireo's own SSH session.
    Ssh { spec: SshSpec },
}

impl HostTarget {
    /// The URI, or `ssh://user@host[:port]`, as history and messages name it.
    pub fn describe(&self) -> String {
        match self {
            HostTarget::Uri { uri } => uri.trim().to_owned(),
            HostTarget::Ssh { spec } => spec.uri(),
        }
    }
}

/// The user's answer to a host's `HostPrompt`.
#[derive(Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PromptAnswer {
    /// Trust the key with this fingerprint (it must be the one the prompt showed).
    AcceptHostKey { fingerprint: String },
    /// Do not trust it: the host stays disconnected.
    RefuseHostKey,
    /// A password or key passphrase, kept in memory for the session only.
    Secret { secret: String },
    /// Not now: the host stays disconnected until connected again.
    Cancel,
}

impl std::fmt::Debug for PromptAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PromptAnswer::AcceptHostKey { fingerprint } => write!(f, "AcceptHostKey({fingerprint})"),
            PromptAnswer::RefuseHostKey => f.write_str("RefuseHostKey"),
            PromptAnswer::Secret { .. } => f.write_str("Secret(…)"),
            PromptAnswer::Cancel => f.write_str("Cancel"),
        }
    }
}
