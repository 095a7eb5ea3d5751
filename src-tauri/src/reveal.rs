//! The main window is created hidden and shown once its page has loaded.
//!
//! WebKitGTK paints a web view by waiting, on the GTK main thread, for the web process's
//! first backing store (up to 0.5 s). If that draw comes while the web process is itself
//! waiting on the UI process during its start-up, both sit out the timeout: measured on
//! this machine kind, the page's script then started 0.74 s after launch instead of
//! 0.21 s, in most runs. Shown after the page has loaded, the first draw finds the web
//! process ready. Should the page never report its load (a broken build), the window is
//! shown anyway after `FALLBACK`, so the user sees what went wrong.

use std::time::Duration;

use tauri::webview::{PageLoadEvent, PageLoadPayload};
use tauri::{AppHandle, Manager, Runtime, Webview};

/// The label of the window that starts hidden (tauri.conf.json: `"visible": false`).
pub const MAIN: &str = "main";
/// When the window is shown even if its page has not loaded.
const FALLBACK: Duration = Duration::from_secs(3);

/// For `Builder::on_page_load`: shows the main window once its page has loaded.
pub fn on_page_load<R: Runtime>(webview: &Webview<R>, payload: &PageLoadPayload<'_>) {
    if payload.event() == PageLoadEvent::Finished && webview.label() == MAIN {
        show(webview.app_handle());
    }
}

/// Shows the main window after `FALLBACK` whatever its page did.
pub fn fallback<R: Runtime>(app: AppHandle<R>) {
    std::thread::spawn(move || {
        std::thread::sleep(FALLBACK);
        show(&app);
    });
}

fn show<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(MAIN) {
        if !window.is_visible().unwrap_or(false) {
            if let Err(e) = window.show() {
                tracing::error!("cannot show the main window: {e}");
            }
        }
    }
}
