//! The VNC console as the UI sees it: what it sends (keys, pointer, clipboard, key
//! combinations), what it is told about the console's state, and the binary layout of
//! the frames it draws.
//!
//! Frames never travel as JSON: each message on a console's channel is one binary buffer
//! holding one or more records, all little-endian:
//!
//! ```text
//! record  = u32 length (of kind + body) | u8 kind | body
//! kind 1  Rect     u16 x, u16 y, u16 w, u16 h, w*h*4 bytes RGBA (row by row)
//! kind 2  Resize   u16 w, u16 h           (the framebuffer is now this size, black)
//! kind 3  Cursor   u16 hot_x, u16 hot_y, u16 w, u16 h, w*h*4 bytes RGBA (w = h = 0: hide)
//! kind 4  Bell
//! kind 5  Clipboard  UTF-8 text the guest put on its clipboard
//! kind 6  State    u8 ConsoleState code, UTF-8 reason (may be empty)
//! ```
//! `WIRE_KINDS` is exported to the UI with these numbers, so both sides read one table.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One input from the viewer.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ConsoleInput {
    /// A key as the browser names it (`KeyboardEvent.key` and `.code`); Rust maps it to
    /// the X11 keysym the RFB protocol wants.
    Key { key: String, code: String, down: bool },
    /// The pointer at framebuffer coordinates; `buttons`: bit 0 left, 1 middle, 2 right,
    /// 3 wheel up, 4 wheel down (RFB's mask).
    Pointer { x: u16, y: u16, buttons: u8 },
    /// Text for the guest's clipboard.
    Clipboard { text: String },
    /// A key combination a browser would not pass on (or would act on itself).
    SendKeys { combo: KeyCombo },
    /// Ask the server for the whole screen again.
    Refresh,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KeyCombo {
    CtrlAltDel,
    /// Ctrl+Alt+F1 to F12 (`n` is 1..=12): a Linux guest's virtual terminals.
    CtrlAltF { n: u8 },
    CtrlAltBackspace,
    PrintScreen,
}

/// Where a console stands. Codes are the `State` record's byte.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ConsoleState {
    Connecting = 0,
    Connected = 1,
    /// The server went away (the VM rebooted, the tunnel dropped): trying again.
    Reconnecting = 2,
    /// Given up or closed; the reason says why.
    Closed = 3,
}

/// What `open_console` answers: the console's id for input and close, and the VM.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct ConsoleInfo {
    pub id: String,
    pub host_id: String,
    pub vm_name: String,
}

/// What the window's `open_console` answers: the console, and the WebSocket URL (on
/// 127.0.0.1, with the console's one-time ticket) its records and input travel on.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct ConsoleOpened {
    pub info: ConsoleInfo,
    pub socket_url: String,
}

/// The record kinds of the frame layout above.
pub const WIRE_KINDS: [(&str, u8); 6] =
    [("Rect", 1), ("Resize", 2), ("Cursor", 3), ("Bell", 4), ("Clipboard", 5), ("State", 6)];

impl KeyCombo {
    /// A combination as the user gives it; refuses F keys outside 1..=12.
    pub fn checked(self) -> crate::Result<KeyCombo> {
        match self {
            KeyCombo::CtrlAltF { n } if !(1..=12).contains(&n) => {
                Err(crate::Error::invalid("key combination", format!("Ctrl+Alt+F{n}: only F1 to F12")))
            }
            other => Ok(other),
        }
    }
}
