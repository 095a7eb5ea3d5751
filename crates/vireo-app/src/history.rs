//! The change record, written the same way by the app and the CLI: one database in
//! [`crate::default_data_dir`], each change under the saved host's *name* (so history
//! reads the same whoever made the change) and the actor (`app`, `cli`).

use std::path::Path;
use std::sync::Arc;

use vireo_core::{Error, HistoryEntry, Result};
use vireo_store::{NewHistory, Outcome, Store};

/// The label a change on `uri` is recorded under: the saved host's name, or the URI
/// itself when no saved host uses it.
pub fn host_label(store: &Store, uri: &str) -> String {
    store
        .hosts()
        .ok()
        .and_then(|hosts| hosts.into_iter().find(|h| h.uri == uri).map(|h| h.name))
        .unwrap_or_else(|| uri.to_owned())
}

/// Records a change, whether it worked or not. SQLite is quick but still blocking I/O,
/// so it runs off the async workers; a failure to record is logged, never turned into a
/// failure of the change itself.
pub async fn record<T>(store: Arc<Store>, actor: &'static str, host: String, action: &str, target: String, result: &Result<T>) {
    let outcome = if result.is_ok() { Outcome::Ok } else { Outcome::Failed };
    let detail = result.as_ref().err().map(ToString::to_string);
    let action = action.to_owned();
    let recorded = tokio::task::spawn_blocking(move || {
        store.record(&NewHistory { actor, host: &host, action: &action, target: &target, outcome, detail: detail.as_deref() })
    })
    .await;
    match recorded {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!("not recorded in history: {e}"),
        Err(e) => tracing::warn!("not recorded in history: {e}"),
    }
}

/// Opens the shared database in `data_dir` (off the async workers).
pub async fn open_store(data_dir: &Path) -> Result<Arc<Store>> {
    let path = data_dir.join("vireo.db");
    let store = tokio::task::spawn_blocking(move || Store::open(&path)).await.map_err(|e| Error::Internal(e.to_string()))??;
    Ok(Arc::new(store))
}

/// The newest `limit` entries, newest first.
pub async fn list(store: Arc<Store>, limit: u32) -> Result<Vec<HistoryEntry>> {
    tokio::task::spawn_blocking(move || store.history(limit.clamp(1, 10_000)))
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
        .map_err(Error::from)
}
