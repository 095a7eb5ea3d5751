//! A saved host's live session inside the app: the `Host`, and the tasks that carry its
//! events and figures onto the app's one event channel. Dropping the session (the host
//! is removed, the app closes) ends those tasks, so no task outlives its host.

use std::future::Future;

use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use std::sync::Arc;

use vireo_core::{HostEvent, HostPrompt, HostStatus};
use vireo_host::Host;
use vireo_store::{SavedHost, Store};

use crate::{history, stats_pump};

/// A task that is aborted when its handle is dropped.
pub(crate) struct Task(JoinHandle<()>);

impl Task {
    pub(crate) fn spawn(fut: impl Future<Output = ()> + Send + 'static) -> Task {
        Task(tokio::spawn(fut))
    }
}

impl Drop for Task {
    fn drop(&mut self) {
        self.0.abort();
    }
}

pub(crate) struct Session {
    pub(crate) saved: SavedHost,
    pub(crate) host: Host,
    _tasks: Vec<Task>,
}

impl Session {
    /// Starts forwarding the host's events to `events`, its stats pump, and for an SSH
    /// host the record of failed sign-ins.
    pub(crate) fn start(
        saved: SavedHost,
        host: Host,
        events: &broadcast::Sender<HostEvent>,
        store: Arc<Store>,
        actor: &'static str,
    ) -> Session {
        let mut tasks = vec![
            Task::spawn(forward(host.id().to_owned(), host.subscribe(), events.clone())),
            stats_pump::start(host.clone(), events.clone()),
            Task::spawn(crate::undo::on_connect(host.clone(), store.clone())),
        ];
        if host.ssh_link().is_some() {
            tasks.push(Task::spawn(sign_in_failures(saved.name.clone(), host.subscribe(), store, actor)));
        }
        Session { saved, host, _tasks: tasks }
    }
}

/// Whether a status says the sign-in itself failed (not the link or libvirt): a refused
/// password or passphrase (asked again), a changed host key.
fn failed_sign_in(prompt: &Option<HostPrompt>, error: &Option<String>) -> bool {
    matches!(prompt, Some(HostPrompt::Password { retry: true } | HostPrompt::Passphrase { retry: true, .. }))
        || error.as_deref().is_some_and(|e| e.contains("HAS CHANGED") || e.contains("refused the sign-in"))
}

/// Records each failed sign-in of the host in history (once per distinct failure in a row).
async fn sign_in_failures(name: String, mut rx: broadcast::Receiver<HostEvent>, store: Arc<Store>, actor: &'static str) {
    let mut last: Option<String> = None;
    loop {
        match rx.recv().await {
            Ok(HostEvent::HostStatus { status: HostStatus::Connected, .. }) => last = None,
            Ok(HostEvent::HostStatus { error, prompt, .. }) if failed_sign_in(&prompt, &error) => {
                let reason = error.unwrap_or_else(|| "the sign-in was refused".into());
                if last.as_deref() != Some(reason.as_str()) {
                    let failed: vireo_core::Result<()> =
                        Err(vireo_core::Error::Unreachable { uri: name.clone(), reason: reason.clone() });
                    history::record(store.clone(), actor, name.clone(), "sign_in", name.clone(), &failed).await;
                    last = Some(reason);
                }
            }
            Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

/// Copies the host's events to the app's channel. Events dropped on the way (this task
/// fell behind the host) are announced as a resync of this host, so listeners re-list it.
async fn forward(host_id: String, mut rx: broadcast::Receiver<HostEvent>, tx: broadcast::Sender<HostEvent>) {
    loop {
        match rx.recv().await {
            Ok(ev) => {
                let _ = tx.send(ev);
            }
            Err(broadcast::error::RecvError::Lagged(n)) => {
                tracing::warn!(host = %host_id, "dropped {n} host events; asking listeners to re-list");
                let _ = tx.send(HostEvent::Resync { host_id: Some(host_id.clone()) });
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}
