//! The embedded default: what the app and the CLI connect to when nobody said otherwise.
//! The local system libvirtd if its socket answers, else libvirt's built-in test
//! hypervisor, so Vireo shows a working (demo) host on any machine.

use std::time::Duration;

use virt::connect::Connect;

pub const LOCAL_URI: &str = "qemu:///system";
pub const DEMO_URI: &str = "test:///default";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedDefault {
    pub uri: &'static str,
    /// True when this is the demo (test driver) connection.
    pub demo: bool,
    /// Why the local connection was not used, for the user.
    pub reason: Option<String>,
}

/// Probes the local libvirt socket (with a deadline) and picks the default connection.
pub async fn embedded_default(timeout: Duration) -> EmbeddedDefault {
    crate::runtime::ensure_started();
    let probe = tokio::task::spawn_blocking(|| Connect::open(Some(LOCAL_URI)).map(drop));
    let reason = match tokio::time::timeout(timeout, probe).await {
        Ok(Ok(Ok(()))) => return EmbeddedDefault { uri: LOCAL_URI, demo: false, reason: None },
        Ok(Ok(Err(e))) => crate::error::message(&e),
        Ok(Err(e)) => e.to_string(),
        Err(_) => format!("{LOCAL_URI} did not answer within {} s", timeout.as_secs()),
    };
    EmbeddedDefault { uri: DEMO_URI, demo: true, reason: Some(reason) }
}
