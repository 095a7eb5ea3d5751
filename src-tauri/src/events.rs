//! Re-emits the core's host events to the UI as the `host-event` Tauri event.

use tauri::{AppHandle, Emitter};
use tokio::sync::broadcast::{error::RecvError, Receiver};
use vireo_core::HostEvent;

pub const HOST_EVENT: &str = "host-event";

pub fn forward(app: AppHandle, mut rx: Receiver<HostEvent>) {
    tauri::async_runtime::spawn(async move {
        loop {
            let ev = match rx.recv().await {
                Ok(ev) => ev,
                // The UI now holds state built from events it never saw: it must re-list
                // every host rather than patch rows from the next pushes.
                Err(RecvError::Lagged(n)) => {
                    tracing::warn!("UI missed {n} host events; asking it to re-list");
                    HostEvent::Resync { host_id: None }
                }
                Err(RecvError::Closed) => return,
            };
            if let Err(e) = app.emit(HOST_EVENT, &ev) {
                tracing::warn!("could not emit host event: {e}");
            }
        }
    });
}
