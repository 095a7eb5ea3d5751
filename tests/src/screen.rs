//! A console's screen as a test sees it: the binary records a console sends (layout in
//! `vireo_core::console`) decoded into a framebuffer, the states it went through and how
//! many rectangles it drew, so a test can wait for text on the guest's screen or for the
//! console to come back.

use std::time::{Duration, Instant};

use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};
use vireo_console::{Framebuffer, Region};

/// Where a console's messages go (the same shape as `vireo_app::ConsoleSink`).
pub type Sink = std::sync::Arc<dyn Fn(Vec<u8>) + Send + Sync>;

/// A sink for `Vireo::open_console` and the screen it feeds.
pub fn screen() -> (Sink, Screen) {
    let (tx, rx) = unbounded_channel();
    let sink = std::sync::Arc::new(move |buf: Vec<u8>| {
        let _ = tx.send(buf);
    });
    (sink, Screen { rx, fb: Framebuffer::new(0, 0), rects: 0, states: Vec::new(), bytes: 0, messages: 0 })
}

pub struct Screen {
    rx: UnboundedReceiver<Vec<u8>>,
    pub fb: Framebuffer,
    /// Rect records applied so far.
    pub rects: usize,
    /// Every State record in order: (code, reason); codes 0 connecting, 1 connected,
    /// 2 reconnecting, 3 closed.
    pub states: Vec<(u8, String)>,
    /// Bytes received so far.
    pub bytes: usize,
    /// Messages received so far (one per flush of the console).
    pub messages: usize,
}

impl Screen {
    /// Applies everything received so far.
    pub fn pump(&mut self) {
        while let Ok(buf) = self.rx.try_recv() {
            self.apply(&buf);
        }
    }

    /// Waits until `pred` holds, applying records as they come; panics after `secs`.
    pub async fn until(&mut self, what: &str, secs: u64, pred: impl Fn(&Screen) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            self.pump();
            if pred(self) {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                panic!("{what}: not within {secs} s; states {:?}, {} rects, {} lit pixels", self.states, self.rects, self.lit());
            }
            if let Ok(Some(buf)) = tokio::time::timeout(left.min(Duration::from_millis(200)), self.rx.recv()).await {
                self.apply(&buf);
            }
        }
    }

    /// Waits up to `wait` for the next message and applies it; false if none came.
    pub async fn next_message(&mut self, wait: Duration) -> bool {
        match tokio::time::timeout(wait, self.rx.recv()).await {
            Ok(Some(buf)) => {
                self.apply(&buf);
                true
            }
            _ => false,
        }
    }

    /// Waits until a whole second passes without a rectangle; panics naming `what` after
    /// `secs`.
    pub async fn until_quiet(&mut self, what: &str, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        let mut quiet_since = Instant::now();
        while quiet_since.elapsed() < Duration::from_secs(1) {
            assert!(Instant::now() < deadline, "{what}: the screen did not go quiet within {secs} s");
            let rects = self.rects;
            self.next_message(Duration::from_millis(100)).await;
            if self.rects != rects {
                quiet_since = Instant::now();
            }
        }
    }

    /// The last state code received.
    pub fn state(&self) -> Option<u8> {
        self.states.last().map(|s| s.0)
    }

    /// Pixels that are not black (text on a text console).
    pub fn lit(&self) -> usize {
        self.fb.rgba().chunks_exact(4).filter(|p| p[0] > 40 || p[1] > 40 || p[2] > 40).count()
    }

    fn apply(&mut self, buf: &[u8]) {
        self.bytes += buf.len();
        self.messages += 1;
        let mut at = 0;
        while at < buf.len() {
            let len = u32::from_le_bytes(buf[at..at + 4].try_into().unwrap()) as usize;
            let (kind, body) = (buf[at + 4], &buf[at + 5..at + 4 + len]);
            at += 4 + len;
            let u = |i: usize| u16::from_le_bytes([body[2 * i], body[2 * i + 1]]);
            match kind {
                1 => {
                    let r = Region { x: u(0), y: u(1), w: u(2), h: u(3) };
                    self.fb.put(r, &body[8..]);
                    self.rects += 1;
                }
                2 => self.fb.resize(u(0), u(1)),
                6 => self.states.push((body[0], String::from_utf8_lossy(&body[1..]).into_owned())),
                _ => {}
            }
        }
        assert_eq!(at, buf.len(), "records end exactly at the message's end");
    }
}
