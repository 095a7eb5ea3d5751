//! Vireo's VNC console: an RFB client (vnc-rs) on any byte stream (a local socket, or a
//! channel of a host's SSH session), the guest's framebuffer kept here, and the changed
//! regions sent to the UI as binary records (`wire`, layout in `vireo_core::console`).
//!
//! One task drives each console: it applies the server's updates, keeps an update request
//! outstanding, and sends the user's input, all from one `select!` loop (vnc-rs holds a
//! lock while it waits for an event, so input from a second task would wait for the next
//! screen change).

mod combos;
mod driver;
mod error;
mod framebuffer;
mod keysym;
mod screenshot;
mod wire;

pub use driver::{Console, ConsoleOptions, Sink};
pub use error::ConsoleError;
pub use framebuffer::{Framebuffer, Region};
pub use keysym::{char_keysym, keysym};
pub use wire::Records;

/// One message for the UI holding only a state record (for callers that report states
/// the console itself does not know, such as reconnecting).
pub fn state_message(state: vireo_core::ConsoleState, reason: &str) -> Vec<u8> {
    let mut r = Records::default();
    r.state(state, reason);
    r.take()
}
