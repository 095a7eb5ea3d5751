//! File transfers over the session: a command channel (`head -c` / `cat`) carrying the
//! bytes, not SFTP. libssh2's SFTP keeps only about 30 kB of writes unacknowledged, so an
//! upload over a 50 ms round trip tops out near 1 MB/s; a plain channel is bounded by its
//! window (2 MiB by default), like OpenSSH's scp.
//!
//! Both directions land in a `.vireo-part` file beside the target and are renamed only
//! when complete and their SHA-256 matches on both sides, so a cancelled or broken transfer
//! never leaves a truncated file under the real name.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use sha2::{Digest, Sha256};

use crate::error::{Result, SshError};
use crate::session::{Privilege, SshSession};

/// Where a transfer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
}

const CHUNK: usize = 256 * 1024;

/// Writes the remote file from stdin: exactly `$3` bytes into `$1`, then renames it to `$2`
/// if all arrived. A fixed script; the paths and size are its arguments, quoted.
const RECEIVE: &str = r#"head -c "$3" > "$1" && [ "$(stat -c %s -- "$1")" = "$3" ] && mv -f -- "$1" "$2""#;

fn part_name(path: &str) -> String {
    format!("{path}.vireo-part")
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl SshSession {
    /// The SHA-256 of a remote file (lowercase hex), by `sha256sum`.
    pub fn remote_sha256(&self, path: &str, privilege: Privilege) -> Result<String> {
        let out = self.run(&["sha256sum", "--", path], privilege)?;
        let text = String::from_utf8_lossy(&out.stdout);
        text.split_whitespace()
            .next()
            .filter(|h| h.len() == 64)
            .map(str::to_owned)
            .ok_or_else(|| SshError::Command(format!("sha256sum printed no checksum for {path}")))
    }

    /// Copies the local file to `remote` on the host, with progress, until `cancel` is set.
    pub fn upload(
        &self,
        local: &Path,
        remote: &str,
        privilege: Privilege,
        progress: &mut dyn FnMut(Progress),
        cancel: &AtomicBool,
    ) -> Result<()> {
        let mut file = File::open(local).map_err(|e| SshError::io(format!("cannot open {}", local.display()), e))?;
        let total = file.metadata().map_err(|e| SshError::io(format!("cannot read {}", local.display()), e))?.len();
        let part = part_name(remote);
        let size = total.to_string();
        let (mut sock, done) = self.spawn_stream(&["sh", "-c", RECEIVE, "sh", &part, remote, &size], privilege)?;
        let mut hash = Sha256::new();
        let mut buf = vec![0u8; CHUNK];
        let mut sent = 0u64;
        progress(Progress { done: 0, total });
        let mut cancelled = false;
        while sent < total {
            if cancel.load(Ordering::Relaxed) {
                cancelled = true;
                break;
            }
            let n = file.read(&mut buf).map_err(|e| SshError::io(format!("cannot read {}", local.display()), e))?;
            if n == 0 {
                break;
            }
            hash.update(&buf[..n]);
            sock.write_all(&buf[..n]).map_err(|e| SshError::io("the upload channel closed", e))?;
            sent += n as u64;
            progress(Progress { done: sent, total });
        }
        // Ends the input: short of `total` bytes the script renames nothing.
        let _ = sock.shutdown(std::net::Shutdown::Write);
        let out = self.finish_stream(done)?;
        if cancelled {
            let _ = self.exec(&["rm", "-f", "--", &part], &[], privilege);
            return Err(SshError::Cancelled);
        }
        if !out.success() {
            let _ = self.exec(&["rm", "-f", "--", &part], &[], privilege);
            return Err(SshError::Command(format!("writing {remote} failed: {}", out.stderr_line())));
        }
        let local_sum = hex(&hash.finalize());
        let remote_sum = self.remote_sha256(remote, privilege)?;
        if remote_sum != local_sum {
            return Err(SshError::Command(format!(
                "{remote} arrived damaged (SHA-256 {remote_sum}, sent {local_sum}); upload it again"
            )));
        }
        Ok(())
    }

    /// Copies `remote` from the host to the local file, with progress, until `cancel` is set.
    pub fn download(
        &self,
        remote: &str,
        local: &Path,
        privilege: Privilege,
        progress: &mut dyn FnMut(Progress),
        cancel: &AtomicBool,
    ) -> Result<()> {
        let size = self.run(&["stat", "-c", "%s", "--", remote], privilege)?;
        let total: u64 = String::from_utf8_lossy(&size.stdout)
            .trim()
            .parse()
            .map_err(|_| SshError::Command(format!("cannot read the size of {remote}")))?;
        let part = PathBuf::from(part_name(&local.to_string_lossy()));
        let result = self.receive(remote, &part, total, privilege, progress, cancel);
        match result {
            Ok(local_sum) => {
                let remote_sum = self.remote_sha256(remote, privilege)?;
                if remote_sum != local_sum {
                    let _ = std::fs::remove_file(&part);
                    return Err(SshError::Command(format!(
                        "{remote} arrived damaged (SHA-256 {local_sum}, the host has {remote_sum}); download it again"
                    )));
                }
                std::fs::rename(&part, local)
                    .map_err(|e| SshError::io(format!("cannot move the download to {}", local.display()), e))
            }
            Err(e) => {
                let _ = std::fs::remove_file(&part);
                Err(e)
            }
        }
    }

    /// Streams `remote` into `part`; returns its SHA-256.
    fn receive(
        &self,
        remote: &str,
        part: &Path,
        total: u64,
        privilege: Privilege,
        progress: &mut dyn FnMut(Progress),
        cancel: &AtomicBool,
    ) -> Result<String> {
        let mut file = File::create(part).map_err(|e| SshError::io(format!("cannot create {}", part.display()), e))?;
        let (mut sock, done) = self.spawn_stream(&["cat", "--", remote], privilege)?;
        let _ = sock.shutdown(std::net::Shutdown::Write);
        let mut hash = Sha256::new();
        let mut buf = vec![0u8; CHUNK];
        let mut got = 0u64;
        progress(Progress { done: 0, total });
        loop {
            if cancel.load(Ordering::Relaxed) {
                // Dropping our end makes the session close the channel.
                drop(sock);
                let _ = self.finish_stream(done);
                return Err(SshError::Cancelled);
            }
            let n = sock.read(&mut buf).map_err(|e| SshError::io("the download channel closed", e))?;
            if n == 0 {
                break;
            }
            file.write_all(&buf[..n]).map_err(|e| SshError::io(format!("cannot write {}", part.display()), e))?;
            hash.update(&buf[..n]);
            got += n as u64;
            progress(Progress { done: got, total });
        }
        let out = self.finish_stream(done)?;
        if !out.success() {
            return Err(SshError::Command(format!("reading {remote} failed: {}", out.stderr_line())));
        }
        if got != total {
            return Err(SshError::Command(format!("{remote} ended after {got} of {total} bytes")));
        }
        file.sync_all().map_err(|e| SshError::io(format!("cannot write {}", part.display()), e))?;
        Ok(hex(&hash.finalize()))
    }
}
