//! Host keys: what the server showed, checked against `~/.ssh/known_hosts` (plain and
//! hashed entries, via libssh2) and the keys accepted in Vireo. Nothing is accepted
//! silently: an unknown key is an error carrying its fingerprint, which the user (or
//! `--accept-host-key SHA256:...`) confirms before a second attempt; a changed key is
//! refused whatever was passed.

use std::path::PathBuf;

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;
use sha2::{Digest, Sha256};
use ssh2::{CheckResult, HostKeyType, KnownHostFileKind, Session};

use crate::error::{Result, SshError};

/// A key as people compare them: its type and its SHA256 fingerprint (`SHA256:` + base64,
/// as `ssh-keygen -l` prints it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// The key's algorithm name, e.g. `ssh-ed25519`.
    pub kind: String,
    pub fingerprint: String,
}

impl KeyInfo {
    /// The part of the server's key file name for this type (`ssh_host_<stem>_key.pub`).
    pub fn file_stem(&self) -> &'static str {
        match self.kind.as_str() {
            "ssh-rsa" => "rsa",
            "ssh-dss" => "dsa",
            k if k.starts_with("ecdsa") => "ecdsa",
            _ => "ed25519",
        }
    }
}

/// A host key accepted in Vireo (kept in its database, not in the user's known_hosts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedKey {
    pub host: String,
    pub port: u16,
    pub key: KeyInfo,
}

/// How a server's key compares with what is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// In known_hosts or accepted before.
    Known,
    /// Never seen for this host and port.
    Unknown,
    /// Another key of this type is on record for this host: the fingerprint on record.
    Changed { expected: String },
}

/// The fingerprint of a raw key blob (the SSH wire form).
pub fn fingerprint(blob: &[u8]) -> String {
    format!("SHA256:{}", STANDARD_NO_PAD.encode(Sha256::digest(blob)))
}

fn kind_name(kind: HostKeyType) -> &'static str {
    match kind {
        HostKeyType::Rsa => "ssh-rsa",
        HostKeyType::Dss => "ssh-dss",
        HostKeyType::Ecdsa256 => "ecdsa-sha2-nistp256",
        HostKeyType::Ecdsa384 => "ecdsa-sha2-nistp384",
        HostKeyType::Ecdsa521 => "ecdsa-sha2-nistp521",
        HostKeyType::Ed25519 => "ssh-ed25519",
        HostKeyType::Unknown => "unknown",
    }
}

/// The key the server showed in the handshake.
pub fn server_key(sess: &Session) -> Option<(Vec<u8>, KeyInfo)> {
    let (blob, kind) = sess.host_key()?;
    Some((blob.to_vec(), KeyInfo { kind: kind_name(kind).to_owned(), fingerprint: fingerprint(blob) }))
}

/// The user's own known_hosts files, as OpenSSH reads them.
pub fn default_known_hosts() -> Vec<PathBuf> {
    let mut files = Vec::new();
    if let Some(home) = dirs::home_dir() {
        files.push(home.join(".ssh/known_hosts"));
    }
    files.push(PathBuf::from("/etc/ssh/ssh_known_hosts"));
    files
}

/// Checks `blob` (of `key`'s type) for `host:port`: the Vireo-accepted keys first, then
/// each known_hosts file. A file that is missing or unreadable counts as empty.
pub fn verify(
    sess: &Session,
    host: &str,
    port: u16,
    blob: &[u8],
    key: &KeyInfo,
    files: &[PathBuf],
    accepted: &[AcceptedKey],
) -> Result<Verdict> {
    let mut on_record = accepted.iter().filter(|a| a.host == host && a.port == port && a.key.kind == key.kind);
    if let Some(first) = on_record.clone().next() {
        return Ok(if on_record.any(|a| a.key.fingerprint == key.fingerprint) {
            Verdict::Known
        } else {
            Verdict::Changed { expected: first.key.fingerprint.clone() }
        });
    }
    let mut verdict = Verdict::Unknown;
    for file in files {
        let Ok(text) = std::fs::read_to_string(file) else { continue };
        match check_text(sess, host, port, blob, &text)? {
            Verdict::Known => return Ok(Verdict::Known),
            changed @ Verdict::Changed { .. } => verdict = changed,
            Verdict::Unknown => {}
        }
    }
    Ok(verdict)
}

/// libssh2's verdict on one known_hosts text; on a mismatch, finds the entry that holds
/// the other key (hashed entries hide the host name, so each line is asked on its own).
fn check_text(sess: &Session, host: &str, port: u16, blob: &[u8], text: &str) -> Result<Verdict> {
    let mut kh = sess.known_hosts().map_err(|e| SshError::ssh("cannot check known hosts", e))?;
    for line in text.lines() {
        // A line libssh2 cannot parse (an unsupported key type, a marker) is skipped, as OpenSSH does.
        let _ = kh.read_str(line, KnownHostFileKind::OpenSSH);
    }
    match kh.check_port(host, port, blob) {
        CheckResult::Match => Ok(Verdict::Known),
        CheckResult::NotFound | CheckResult::Failure => Ok(Verdict::Unknown),
        CheckResult::Mismatch => {
            for line in text.lines() {
                let mut one = sess.known_hosts().map_err(|e| SshError::ssh("cannot check known hosts", e))?;
                if one.read_str(line, KnownHostFileKind::OpenSSH).is_err() {
                    continue;
                }
                if matches!(one.check_port(host, port, blob), CheckResult::Mismatch) {
                    let expected = line_key(line).map_or_else(|| "another key".to_owned(), |b| fingerprint(&b));
                    return Ok(Verdict::Changed { expected });
                }
            }
            Ok(Verdict::Changed { expected: "another key".to_owned() })
        }
    }
}

/// The key blob of a known_hosts line (`[@marker] hosts type base64 [comment]`).
fn line_key(line: &str) -> Option<Vec<u8>> {
    let mut fields = line.split_whitespace().skip_while(|f| f.starts_with('@'));
    let _hosts = fields.next()?;
    let _kind = fields.next()?;
    STANDARD.decode(fields.next()?).ok()
}

/// The name OpenSSH records for `host:port` (`host`, or `[host]:port` off port 22).
pub fn known_hosts_name(host: &str, port: u16) -> String {
    if port == 22 {
        host.to_owned()
    } else {
        format!("[{host}]:{port}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_written_as_ssh_keygen_does() {
        // `ssh-keygen -lf` of this ed25519 key prints SHA256:CMf8zhHcz7Qk0POuWR2Vv3pZcB5/iqZfdrFLqR+re1c.
        let blob = STANDARD.decode("AAAAC3NzaC1lZDI1NTE5AAAAIMMmnfQXSYD7mwMBM38/PaN27cJ+p59aEYArM2u2G7l8").unwrap();
        assert_eq!(fingerprint(&blob), "SHA256:CMf8zhHcz7Qk0POuWR2Vv3pZcB5/iqZfdrFLqR+re1c");
    }

    #[test]
    fn known_hosts_lines_give_their_key() {
        let line = "|1|abc=|def= ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMMmnfQXSYD7mwMBM38/PaN27cJ+p59aEYArM2u2G7l8 c";
        assert_eq!(line_key(line).map(|b| b.len()), Some(51));
        assert_eq!(line_key("@revoked h ssh-rsa !!!"), None);
        assert_eq!(known_hosts_name("10.0.0.1", 2222), "[10.0.0.1]:2222");
        assert_eq!(known_hosts_name("h", 22), "h");
    }
}
