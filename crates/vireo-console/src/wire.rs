//! The binary records the UI draws from (layout: `vireo_core::console`). One buffer holds
//! every record of one flush, so the UI applies a whole update at once.

use vireo_core::ConsoleState;

use crate::framebuffer::Region;

const RECT: u8 = 1;
const RESIZE: u8 = 2;
const CURSOR: u8 = 3;
const BELL: u8 = 4;
const CLIPBOARD: u8 = 5;
const STATE: u8 = 6;

/// Records being gathered for one message to the UI.
#[derive(Default)]
pub struct Records {
    buf: Vec<u8>,
}

impl Records {
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf)
    }

    pub fn rect(&mut self, r: Region, rgba: &[u8]) {
        self.record(RECT, &[&u16s(&[r.x, r.y, r.w, r.h]), rgba]);
    }

    pub fn resize(&mut self, w: u16, h: u16) {
        self.record(RESIZE, &[&u16s(&[w, h])]);
    }

    pub fn cursor(&mut self, hot_x: u16, hot_y: u16, w: u16, h: u16, rgba: &[u8]) {
        self.record(CURSOR, &[&u16s(&[hot_x, hot_y, w, h]), rgba]);
    }

    pub fn bell(&mut self) {
        self.record(BELL, &[]);
    }

    pub fn clipboard(&mut self, text: &str) {
        self.record(CLIPBOARD, &[text.as_bytes()]);
    }

    pub fn state(&mut self, state: ConsoleState, reason: &str) {
        self.record(STATE, &[&[state as u8], reason.as_bytes()]);
    }

    fn record(&mut self, kind: u8, parts: &[&[u8]]) {
        let len = 1 + parts.iter().map(|p| p.len()).sum::<usize>();
        self.buf.reserve(4 + len);
        self.buf.extend_from_slice(&(len as u32).to_le_bytes());
        self.buf.push(kind);
        for p in parts {
            self.buf.extend_from_slice(p);
        }
    }
}

fn u16s(values: &[u16]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_follow_the_documented_layout() {
        let mut r = Records::default();
        r.rect(Region { x: 1, y: 2, w: 1, h: 1 }, &[9, 8, 7, 255]);
        r.state(ConsoleState::Reconnecting, "gone");
        r.bell();
        let buf = r.take();
        assert_eq!(&buf[..5], &[13, 0, 0, 0, RECT]);
        assert_eq!(&buf[5..13], &[1, 0, 2, 0, 1, 0, 1, 0]);
        assert_eq!(&buf[13..17], &[9, 8, 7, 255]);
        assert_eq!(&buf[17..23], &[6, 0, 0, 0, STATE, 2]);
        assert_eq!(&buf[23..27], b"gone");
        assert_eq!(&buf[27..], &[1, 0, 0, 0, BELL]);
        assert!(r.is_empty());
    }

    #[test]
    fn kinds_match_the_table_the_ui_reads() {
        let ours = [("Rect", RECT), ("Resize", RESIZE), ("Cursor", CURSOR), ("Bell", BELL), ("Clipboard", CLIPBOARD), ("State", STATE)];
        assert_eq!(ours, vireo_core::console::WIRE_KINDS);
    }
}
