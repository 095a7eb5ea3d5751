//! A saved host's live session inside the app: the `Host`, and the tasks that carry its
//! events and figures onto the app's one event channel. Dropping the session (the host
//! is removed, the app closes) ends those tasks, so no task outlives its host.

use std::future::Future;

use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use vireo_core::HostEvent;
use vireo_host::Host;
use vireo_store::SavedHost;

use crate::stats_pump;

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
    _tasks: [Task; 2],
}

impl Session {
    /// Starts forwarding the host's events to `events`, and its stats pump.
    pub(crate) fn start(saved: SavedHost, host: Host, events: &broadcast::Sender<HostEvent>) -> Session {
        let forward = Task::spawn(forward(host.id().to_owned(), host.subscribe(), events.clone()));
        let stats = stats_pump::start(host.clone(), events.clone());
        Session { saved, host, _tasks: [forward, stats] }
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
