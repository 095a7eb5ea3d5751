//! Re-emits the core's host events to the UI as the `host-event` Tauri event.

use tauri::{AppHandle, Emitter};
use tokio::sync::broadcast::{error::RecvError, Receiver};
use vireo_core::HostEvent;

pub const HOST_EVENT: &str = "host-event";

pub fn forward(app: AppHandle, mut rx: Receiver<HostEvent>) {
    tauri::async_runtime::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(ev) => {
                    if let Err(e) = app.emit(HOST_EVENT, &ev) {
                        tracing::warn!("could not emit host event: {e}");
                    }
                }
                Err(RecvError::Lagged(n)) => tracing::warn!("UI missed {n} host events"),
                Err(RecvError::Closed) => return,
            }
        }
    });
}
