//! Changes made from the CLI go into the same history as the app's (the database in
//! `VIREO_DATA_DIR`, or the app's data directory), with `cli` as the actor.

use vireo_core::{Error, HistoryEntry, Result};
use vireo_store::{NewHistory, Outcome, Store};

/// Records a change; a database that cannot be opened costs a warning, never the change.
pub async fn record<T>(host: &str, action: &str, target: &str, result: &Result<T>) {
    let (host, action, target) = (host.to_owned(), action.to_owned(), target.to_owned());
    let outcome = if result.is_ok() { Outcome::Ok } else { Outcome::Failed };
    let detail = result.as_ref().err().map(ToString::to_string);
    let recorded = tokio::task::spawn_blocking(move || {
        let store = Store::open(&vireo_app::default_data_dir().join("vireo.db"))?;
        store.record(&NewHistory {
            actor: "cli",
            host: &host,
            action: &action,
            target: &target,
            outcome,
            detail: detail.as_deref(),
        })
    })
    .await;
    match recorded {
        Ok(Ok(())) => {}
        Ok(Err(e)) => eprintln!("warning: not recorded in history: {e}"),
        Err(e) => eprintln!("warning: not recorded in history: {e}"),
    }
}

/// The newest `limit` entries.
pub async fn list(limit: u32) -> Result<Vec<HistoryEntry>> {
    tokio::task::spawn_blocking(move || {
        let store = Store::open(&vireo_app::default_data_dir().join("vireo.db"))?;
        Ok(store.history(limit.clamp(1, 10_000))?)
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))?
}
