//! Process-wide libvirt set-up, done once before the first connection opens:
//! silence libvirt's default error printer (errors reach users through our types) and
//! run libvirt's default event loop on its own thread, which event callbacks, keepalive
//! and the close callback all need.

use std::sync::Once;

static INIT: Once = Once::new();

pub(crate) fn ensure_started() {
    INIT.call_once(|| {
        virt::error::clear_error_callback();
        if let Err(e) = virt::event::event_register_default_impl() {
            tracing::error!("libvirt event loop could not be registered: {e}");
            return;
        }
        std::thread::Builder::new()
            .name("libvirt-events".into())
            .spawn(|| loop {
                if let Err(e) = virt::event::event_run_default_impl() {
                    tracing::warn!("libvirt event loop iteration failed: {e}");
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
            })
            .expect("spawn libvirt event loop thread");
    });
}
