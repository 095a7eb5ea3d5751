//! First start: with no saved hosts, add the embedded default (the local libvirtd if it
//! answers, else the clearly labelled demo connection).

use std::time::Duration;

use vireo_core::{Accel, HostKind, Result};
use vireo_host::embedded_default;
use vireo_store::Store;

pub const LOCAL_NAME: &str = "Local";
pub const DEMO_NAME: &str = "Demo (test driver)";

/// Adds the default host if none is saved; returns whether it added one.
pub async fn ensure_default_host(store: &Store, probe_timeout: Duration) -> Result<bool> {
    if !store.hosts()?.is_empty() {
        return Ok(false);
    }
    let default = embedded_default(probe_timeout).await;
    let (name, kind) = if default.demo { (DEMO_NAME, HostKind::Demo) } else { (LOCAL_NAME, HostKind::Local) };
    if let Some(reason) = &default.reason {
        tracing::info!("local libvirtd not available ({reason}); adding the demo connection");
    }
    store.add_host(name, default.uri, kind, Accel::Auto)?;
    Ok(true)
}
