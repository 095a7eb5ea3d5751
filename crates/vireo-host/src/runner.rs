//! One way to run a program on the host, local or remote: an argv vector, never a shell
//! line built from input. A local host runs it here; a host reached through Vireo's SSH
//! session runs it there (quoted by `vireo-ssh`). A host libvirt reaches by its own
//! remote transport (`qemu+ssh://`, `qemu+tls://`) has no runner: callers skip what
//! needs one and say so.

use std::process::Command;

use vireo_core::{Error, Result};
use vireo_ssh::Privilege;

use crate::host::{Host, Transport};

impl Host {
    /// Whether `run` can reach this host.
    pub fn has_runner(&self) -> bool {
        match &self.inner.transport {
            Transport::Ssh(_) => true,
            Transport::Uri(uri) => is_local_uri(uri),
        }
    }

    /// Runs `argv` on the host (as root: libvirt's networks and firewall need it) and
    /// returns its standard output; a non-zero status is an error with its stderr.
    pub async fn run(&self, argv: Vec<String>) -> Result<Vec<u8>> {
        let program = argv.first().cloned().unwrap_or_default();
        if let Some(session) = self.ssh() {
            return tokio::task::spawn_blocking(move || session.run(&argv, Privilege::Root))
                .await
                .map_err(|e| Error::Internal(e.to_string()))?
                .map(|out| out.stdout)
                .map_err(|e| Error::Libvirt { action: format!("run {program} on the host"), message: e.to_string() });
        }
        if !self.has_runner() {
            return Err(Error::invalid("host", format!("{} is reached by libvirt's own transport; Vireo cannot run {program} there (add it as an SSH host)", self.uri())));
        }
        let out = tokio::task::spawn_blocking(move || Command::new(&argv[0]).args(&argv[1..]).output())
            .await
            .map_err(|e| Error::Internal(e.to_string()))?
            .map_err(|e| Error::Libvirt { action: format!("run {program}"), message: e.to_string() })?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            return Err(Error::Libvirt { action: format!("run {program}"), message: stderr.lines().next().unwrap_or("failed").to_owned() });
        }
        Ok(out.stdout)
    }
}

/// A URI naming this machine: no host part (`qemu:///system`, `qemu+unix:///system`).
fn is_local_uri(uri: &str) -> bool {
    let Some((scheme, rest)) = uri.split_once("://") else { return false };
    let transport = scheme.split_once('+').map(|(_, t)| t);
    rest.starts_with('/') && matches!(transport, None | Some("unix"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn local_uris_are_told_apart() {
        assert!(super::is_local_uri("qemu:///system"));
        assert!(super::is_local_uri("qemu+unix:///system?socket=/tmp/s"));
        assert!(!super::is_local_uri("qemu+ssh://root@h/system"));
        assert!(!super::is_local_uri("qemu://h/system"));
    }
}
