//! The canvas probe (`canvas_probe.js`) driven from a test: frames delivered to a viewer's
//! canvas and key -> pixel times, measured inside the page the same way for Vireo's
//! console and for another viewer loaded in the same WebKit (noVNC).

use std::time::{Duration, Instant};

use serde_json::json;

use crate::webdriver::Session;

const PROBE: &str = include_str!("canvas_probe.js");
/// WebDriver's key value for Backspace.
const BACKSPACE: &str = "\u{E003}";

pub struct CanvasProbe<'s> {
    session: &'s Session,
}

impl<'s> CanvasProbe<'s> {
    /// Installs the probe on the canvas `selector` matches; key -> pixel watches its top
    /// `rows` pixel rows. Panics if there is no such canvas.
    pub fn install(session: &'s Session, selector: &str, rows: u32) -> CanvasProbe<'s> {
        let ok = session.execute(PROBE, json!([selector, rows])).expect("install the canvas probe");
        assert_eq!(ok.as_bool(), Some(true), "no canvas matches {selector}");
        CanvasProbe { session }
    }

    /// Frames delivered to the canvas per second over `secs`.
    pub fn fps(&self, secs: Duration) -> f64 {
        self.session.execute("const p = window.__vireoProbe; p.frames = 0; p.since = performance.now(); return true;", json!([])).unwrap();
        std::thread::sleep(secs);
        let v = self.session.execute("const p = window.__vireoProbe; return [p.frames, performance.now() - p.since];", json!([])).unwrap();
        let (frames, ms) = (v[0].as_f64().unwrap_or(0.0), v[1].as_f64().unwrap_or(1.0));
        frames * 1000.0 / ms
    }

    /// Presses `keys` keys one at a time on whatever has the focus (a letter, then
    /// Backspace, ...) and returns each key's time to changed pixels; a key whose echo
    /// does not show within 5 s is left out and counted in the second value.
    pub fn key_to_pixel(&self, keys: usize) -> (Vec<Duration>, usize) {
        self.session.execute("const p = window.__vireoProbe; p.lat = []; p.sent = []; p.keyAt = null; return true;", json!([])).unwrap();
        let (mut got, mut missed) = (Vec::new(), 0);
        for i in 0..keys {
            let key = if i % 2 == 0 { "x" } else { BACKSPACE };
            self.session.press_keys(&[(key, false)]).unwrap();
            let deadline = Instant::now() + Duration::from_secs(5);
            loop {
                let v = self.session.execute("const p = window.__vireoProbe; return p.keyAt === null ? p.lat.length : -1;", json!([])).unwrap();
                if v.as_i64().unwrap_or(-1) as usize == got.len() + 1 {
                    let ms = self.session.execute("return window.__vireoProbe.lat.at(-1);", json!([])).unwrap().as_f64().unwrap();
                    got.push(Duration::from_secs_f64(ms / 1000.0));
                    break;
                }
                if Instant::now() > deadline {
                    missed += 1;
                    self.session.execute("window.__vireoProbe.keyAt = null; return true;", json!([])).unwrap();
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            // Out of step with the guest's redraws and QEMU's scans.
            std::thread::sleep(Duration::from_millis(100 + (i as u64 * 37) % 60));
        }
        (got, missed)
    }

    /// For the keys of the last `key_to_pixel`: from the keydown until the viewer sent on
    /// its WebSocket.
    pub fn key_to_send(&self) -> Vec<Duration> {
        let v = self.session.execute("return window.__vireoProbe.sent;", json!([])).unwrap();
        v.as_array().map(|a| a.iter().filter_map(|x| x.as_f64()).map(|ms| Duration::from_secs_f64(ms / 1000.0)).collect()).unwrap_or_default()
    }
}
