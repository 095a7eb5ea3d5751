//! How to sign in, and the secrets that come with it. A secret lives in memory only, for
//! the session: it is never written to the database or the log (its `Debug` is redacted)
//! and its bytes are overwritten when it is dropped.

use std::fmt;
use std::path::PathBuf;

/// A password or key passphrase.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        // SAFETY: zero bytes are valid UTF-8; volatile so the writes are not optimised away.
        unsafe {
            for b in self.0.as_bytes_mut() {
                std::ptr::write_volatile(b, 0);
            }
        }
    }
}

/// One way of signing in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// The keys an ssh-agent holds (`SSH_AUTH_SOCK`).
    Agent,
    /// A private key file; `passphrase` when it is encrypted.
    KeyFile { path: PathBuf, passphrase: Option<Secret> },
    Password(Secret),
    /// A password sign-in without the password yet: the session goes as far as the
    /// host-key check, then fails with `SshError::PasswordNeeded` (nothing is sent that
    /// the server could count as a failed sign-in).
    AskPassword,
}

impl Auth {
    /// The method's name, as sshd and messages call it.
    pub fn method(&self) -> &'static str {
        match self {
            Auth::Agent => "agent",
            Auth::KeyFile { .. } => "publickey",
            Auth::Password(_) | Auth::AskPassword => "password",
        }
    }
}
