//! The one error type of the core. Every variant says what went wrong and, through
//! [`Error::hint`], what the user can do about it; [`ErrorPayload`] is what the UI receives.

use serde::Serialize;
use ts_rs::TS;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    #[error("invalid {field}: {reason}")]
    InvalidInput { field: &'static str, reason: String },

    #[error("no VM named '{name}' on {host}")]
    VmNotFound { host: String, name: String },

    #[error("no saved host with id '{0}'")]
    HostNotFound(String),

    #[error("cannot connect to {uri}: {reason}")]
    Unreachable { uri: String, reason: String },

    #[error("connecting to {uri} took longer than {}", wait_text(*waited))]
    Timeout { uri: String, waited: std::time::Duration },

    #[error("the connection to {uri} was lost")]
    Disconnected { uri: String },

    #[error("cannot {action} '{name}': it is {state}")]
    InvalidState { action: String, name: String, state: String },

    #[error("no console for '{name}': {reason}")]
    NoConsole { name: String, reason: String },

    #[error("no guest agent in '{name}': {reason}")]
    NoGuestAgent { name: String, reason: String },

    #[error("libvirt refused to {action}: {message}")]
    Libvirt { action: String, message: String },

    #[error("no {kind} named '{name}' on {host}")]
    NotFound { kind: &'static str, name: String, host: String },

    #[error("{host} already has a {kind} named '{name}'")]
    AlreadyExists { kind: &'static str, name: String, host: String },

    #[error("{kind} '{name}' is in use by {}", users.join(", "))]
    InUse { kind: &'static str, name: String, users: Vec<String> },

    #[error("the SHA-256 of '{name}' is {actual}, not the {expected} given")]
    ChecksumMismatch { name: String, expected: String, actual: String },

    #[error("IP pool '{pool}' has no free address: all {size} are used or reserved")]
    Exhausted { pool: String, size: String },

    #[error("{ip} is taken: {by}")]
    AddressTaken { ip: String, by: String },

    #[error("the host cannot give {what}: {reason}")]
    BeyondHost { what: &'static str, reason: String },

    #[error("{what} was cancelled")]
    Cancelled { what: String },

    #[error("{what} stopped after {done} of {total} bytes: {reason}")]
    Interrupted { what: String, done: u64, total: u64, reason: String },

    #[error("saved state: {0}")]
    Store(String),

    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput { field, reason: reason.into() }
    }

    /// A stable, machine-readable code (the UI keys translations and tests on it).
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidInput { .. } => "invalid_input",
            Error::VmNotFound { .. } => "vm_not_found",
            Error::HostNotFound(_) => "host_not_found",
            Error::Unreachable { .. } => "unreachable",
            Error::Timeout { .. } => "timeout",
            Error::Disconnected { .. } => "disconnected",
            Error::InvalidState { .. } => "invalid_state",
            Error::NoConsole { .. } => "no_console",
            Error::NoGuestAgent { .. } => "no_guest_agent",
            Error::Libvirt { .. } => "libvirt",
            Error::NotFound { .. } => "not_found",
            Error::AlreadyExists { .. } => "already_exists",
            Error::InUse { .. } => "in_use",
            Error::ChecksumMismatch { .. } => "checksum_mismatch",
            Error::BeyondHost { .. } => "beyond_host",
            Error::Exhausted { .. } => "exhausted",
            Error::AddressTaken { .. } => "address_taken",
            Error::Cancelled { .. } => "cancelled",
            Error::Interrupted { .. } => "interrupted",
            Error::Store(_) => "store",
            Error::Internal(_) => "internal",
        }
    }

    /// What the user can do next, in plain words.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            Error::InvalidInput { .. } => "Correct the value and try again.".into(),
            Error::VmNotFound { .. } => "Check the name with `vireo vm list`; the VM may have been deleted or renamed.".into(),
            Error::HostNotFound(_) => "Pick a host from the list of saved hosts.".into(),
            Error::Unreachable { uri, .. } if uri.starts_with("qemu:///") || uri.contains("libvirt-sock") => {
                "Is libvirtd running? Start it (e.g. `libvirtd -d`) and check that you may use its socket.".into()
            }
            Error::Unreachable { .. } => "Check the address, that the host is up and that libvirtd runs there.".into(),
            Error::Timeout { .. } => "The host did not answer in time; check the network path to it.".into(),
            Error::Disconnected { .. } => "Vireo reconnects by itself; if it keeps failing, check that libvirtd runs.".into(),
            Error::InvalidState { .. } => "Wait for the VM to reach a state where this action applies.".into(),
            Error::NoConsole { reason, .. } if reason.contains("tunnel") || reason.contains("refused") => {
                "Vireo could not reach the VM's VNC server from the host: check that it listens where libvirt says (its graphics' listen address) and try again.".into()
            }
            Error::NoConsole { .. } => {
                "Start the VM, or give it VNC graphics (Vireo's VMs have them); the console opens when it runs.".into()
            }
            Error::NoGuestAgent { .. } => "Install qemu-guest-agent in the guest and start it; VMs Vireo creates have the agent's channel.".into(),
            Error::NotFound { kind, .. } => format!("Check the {kind}'s name in Vireo's lists; it may have been removed."),
            Error::AlreadyExists { .. } => "Pick another name, or delete the existing one first.".into(),
            Error::InUse { .. } => "Detach it from those VMs (or delete them) first.".into(),
            Error::ChecksumMismatch { .. } => "The file differs from the one the checksum belongs to: download it again, or check the value you pasted. Nothing was kept.".into(),
            Error::BeyondHost { .. } => "Ask for less, within what the host reports.".into(),
            Error::Exhausted { .. } => "Release addresses no VM needs, or add a range to the pool.".into(),
            Error::AddressTaken { .. } => "Pick another address, or let Vireo take the next free one.".into(),
            Error::Cancelled { .. } => "Nothing it made was kept.".into(),
            Error::Interrupted { .. } => "Run it again: it resumes from the last part the host confirmed.".into(),
            Error::Libvirt { .. } | Error::Store(_) | Error::Internal(_) => return None,
        })
    }

    pub fn payload(&self) -> ErrorPayload {
        ErrorPayload { code: self.code().to_owned(), message: self.to_string(), hint: self.hint() }
    }
}

/// An error as the UI and `--json` output see it.
#[derive(Debug, Clone, Serialize, serde::Deserialize, TS, PartialEq, Eq)]
pub struct ErrorPayload {
    pub code: String,
    pub message: String,
    pub hint: Option<String>,
}

impl From<Error> for ErrorPayload {
    fn from(e: Error) -> Self {
        e.payload()
    }
}

/// "5 s", "1.5 s", "250 ms": a sub-second wait must not read as "0 s".
fn wait_text(d: std::time::Duration) -> String {
    match d.as_millis() {
        ms if ms < 1000 => format!("{ms} ms"),
        ms if ms % 1000 == 0 => format!("{} s", ms / 1000),
        ms => format!("{:.1} s", ms as f64 / 1000.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_read_in_the_unit_that_fits() {
        use std::time::Duration;
        assert_eq!(wait_text(Duration::from_millis(250)), "250 ms");
        assert_eq!(wait_text(Duration::from_secs(5)), "5 s");
        assert_eq!(wait_text(Duration::from_millis(1500)), "1.5 s");
    }

    #[test]
    fn payload_carries_code_message_and_hint() {
        let e = Error::Unreachable { uri: "qemu:///system".into(), reason: "no socket".into() };
        let p = e.payload();
        assert_eq!(p.code, "unreachable");
        assert_eq!(p.message, "cannot connect to qemu:///system: no socket");
        assert!(p.hint.unwrap().contains("libvirtd"));
    }

    #[test]
    fn remote_unreachable_hint_does_not_blame_local_daemon() {
        let e = Error::Unreachable { uri: "qemu+ssh://h/system".into(), reason: "x".into() };
        assert!(e.hint().unwrap().contains("address"));
    }
}

