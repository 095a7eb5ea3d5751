//! What can go wrong on the way to a remote host, each with what to do about it.

use std::io;

use crate::hostkey::KeyInfo;
use crate::quote::QuoteError;

pub type Result<T, E = SshError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum SshError {
    #[error("cannot reach {target}: {source}; check the host name and port, and that sshd runs there")]
    Connect { target: String, source: io::Error },
    #[error("{target} did not answer within {secs} s; check the address, a firewall or the VPN")]
    Timeout { target: String, secs: u64 },
    #[error("the SSH handshake with {target} failed: {reason}")]
    Handshake { target: String, reason: String },
    #[error(
        "the host key of {target} is not known: {} {}. Compare it with the server's own \
         (`ssh-keygen -lf /etc/ssh/ssh_host_{}_key.pub` on it) and accept it only if they match",
        key.kind, key.fingerprint, key.file_stem()
    )]
    HostKeyUnknown { target: String, key: KeyInfo },
    #[error(
        "THE HOST KEY OF {target} HAS CHANGED: expected {expected}, got {} {}. Someone may be \
         intercepting the connection, or the server was reinstalled. Vireo refuses to connect; \
         if the change is known, remove the old key (`ssh-keygen -R {host}`, or forget it in Vireo) and connect again",
        got.kind, got.fingerprint
    )]
    HostKeyChanged { target: String, host: String, expected: String, got: KeyInfo },
    #[error("{target} refused the sign-in as {user} ({method}): {reason}")]
    AuthFailed { target: String, user: String, method: &'static str, reason: String },
    #[error("{target} wants a password to sign in")]
    PasswordNeeded { target: String },
    #[error("the key {path} is protected by a passphrase: give it to sign in")]
    PassphraseNeeded { path: String },
    #[error("the passphrase for the key {path} is wrong")]
    PassphraseWrong { path: String },
    #[error("cannot read the key {path}: {reason}")]
    KeyFile { path: String, reason: String },
    #[error("no SSH agent answers (SSH_AUTH_SOCK is {0}); start one, or sign in with a key file or a password")]
    NoAgent(String),
    #[error("sudo on {target} wants a password; allow the commands Vireo runs without one (NOPASSWD in sudoers) or sign in as root")]
    SudoPassword { target: String },
    #[error("the SSH session to {target} is closed: {reason}")]
    Closed { target: String, reason: String },
    #[error("the remote command failed: {0}")]
    Command(String),
    /// A channel (a tunnel, a forwarded socket) the server would not open.
    #[error("cannot open {what}: {reason}")]
    Channel { what: String, reason: String },
    /// The same failure again, for a second waiter (errors are not Clone).
    #[error("{0}")]
    Again(String),
    #[error("{0}")]
    Quote(#[from] QuoteError),
    #[error("the transfer was cancelled")]
    Cancelled,
    #[error("{context}: {source}")]
    Io { context: String, source: io::Error },
    #[error("{context}: {source}")]
    Ssh { context: String, source: ssh2::Error },
}

impl SshError {
    pub(crate) fn io(context: impl Into<String>, source: io::Error) -> SshError {
        SshError::Io { context: context.into(), source }
    }

    pub(crate) fn ssh(context: impl Into<String>, source: ssh2::Error) -> SshError {
        SshError::Ssh { context: context.into(), source }
    }

    /// Whether asking again for the credentials could help (a reconnect keeps failing otherwise).
    pub fn wants_credentials(&self) -> bool {
        matches!(
            self,
            SshError::AuthFailed { .. }
                | SshError::PasswordNeeded { .. }
                | SshError::PassphraseNeeded { .. }
                | SshError::PassphraseWrong { .. }
        )
    }
}
