//! A console's one task: the RFB handshake, then a loop that applies the server's updates
//! to the framebuffer, sends the changed regions to the UI (one message per server
//! update), keeps an update request outstanding and passes the user's input on.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use vireo_core::{ConsoleInput, ConsoleState};
use vnc::{PixelFormat, VncClient, VncConnector, VncEncoding, VncError, VncEvent, X11Event};

use crate::combos::key_events;
use crate::error::ConsoleError;
use crate::framebuffer::{Framebuffer, Region};
use crate::keysym::keysym;
use crate::screenshot;
use crate::wire::Records;

/// Where the UI's binary messages go (a Tauri channel, a test's queue). Called from the
/// console's task; it must not block.
pub type Sink = Box<dyn Fn(Vec<u8>) + Send + Sync>;

#[derive(Clone, Default)]
pub struct ConsoleOptions {
    /// The display's VNC password, when it has one.
    pub password: Option<String>,
    /// Show the screen, send nothing (no keys, no pointer, no clipboard).
    pub view_only: bool,
}

impl std::fmt::Debug for ConsoleOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsoleOptions").field("password", &self.password.as_ref().map(|_| "<redacted>")).field("view_only", &self.view_only).finish()
    }
}

/// How long the RFB handshake may take.
const HANDSHAKE: Duration = Duration::from_secs(10);
/// More separate regions than this in one flush go as their bounding region: fewer,
/// larger copies are cheaper for the canvas than many small ones.
const MAX_REGIONS: usize = 24;
/// While the screen changes, an incremental request goes out this often besides the one
/// sent when an update arrives. QEMU sends an update at a scan only if a request is
/// waiting; with one request per update a link's round trip bounds the frame rate
/// (20 fps at 50 ms), with requests arriving every 15 ms every 30 ms scan can send.
/// QEMU holds a request until the screen changes and counts many as one, so an extra
/// one costs 10 bytes and nothing else.
const PACE: Duration = Duration::from_millis(15);
/// How long after the last update the pace is kept up.
const PACE_FOR: Duration = Duration::from_secs(1);
/// When the screen is quiet, a spare request this often, in case the server dropped one.
const SPARE_REQUEST: Duration = Duration::from_millis(500);
/// An update's rectangles are flushed together once none has come for this long, or
/// this long after the first (see `run`).
const UPDATE_GAP: Duration = Duration::from_millis(1);
const UPDATE_MAX: Duration = Duration::from_millis(12);
/// QEMU scans the guest's screen on a timer that backs off while nothing changes (30 ms,
/// then 50 ms more per quiet scan, up to 3 s) and goes back to 30 ms on any input
/// message. A key's echo comes a few milliseconds after the key, often just after the
/// scan the key itself brought forward, and would then wait for the backed-off one. So
/// for a while after a key the console "nudges" QEMU: it sends the release of a key that
/// is not held, which QEMU drops (a key-up of an unpressed key never reaches the guest)
/// after resetting its timer, so the screen is scanned every 30 ms until the echo shows.
const NUDGE_EVERY: Duration = Duration::from_millis(15);
const NUDGE_FOR: Duration = Duration::from_millis(150);
/// The keysym of the nudge: NoSymbol, never a pressed key.
const NUDGE_KEYSYM: u32 = 0;

enum Command {
    Input(ConsoleInput),
    Close,
}

/// An open console. Dropping it closes it.
pub struct Console {
    commands: mpsc::Sender<Command>,
    framebuffer: Arc<Mutex<Framebuffer>>,
    ended: watch::Receiver<Option<String>>,
    task: JoinHandle<()>,
}

impl Console {
    /// Speaks RFB on `stream` and, once the server has accepted, starts the console's task.
    /// Its messages go to `sink`, starting with a `Connected` state and the screen's size;
    /// the last one is a `Closed` state with the reason.
    pub async fn connect<S>(stream: S, opts: ConsoleOptions, sink: Sink) -> Result<Console, ConsoleError>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + Sync + 'static,
    {
        let password = opts.password.clone();
        let handshake = async move {
            VncConnector::new(stream)
                .set_auth_method(async move { password.ok_or(VncError::NoPassword) })
                .add_encoding(VncEncoding::Tight)
                .add_encoding(VncEncoding::Zrle)
                .add_encoding(VncEncoding::Trle)
                .add_encoding(VncEncoding::CopyRect)
                .add_encoding(VncEncoding::Raw)
                .add_encoding(VncEncoding::CursorPseudo)
                .add_encoding(VncEncoding::DesktopSizePseudo)
                .allow_shared(true)
                .set_pixel_format(PixelFormat::rgba())
                .build()?
                .try_start()
                .await?
                .finish()
        };
        let client = tokio::time::timeout(HANDSHAKE, handshake)
            .await
            .map_err(|_| ConsoleError::Timeout(HANDSHAKE.as_secs()))??;
        let framebuffer = Arc::new(Mutex::new(Framebuffer::new(0, 0)));
        let (commands, rx) = mpsc::channel(256);
        let (ended_tx, ended) = watch::channel(None);
        let driver = Driver {
            client,
            framebuffer: framebuffer.clone(),
            sink,
            view_only: opts.view_only,
            records: Records::default(),
            dirty: Vec::new(),
            nudge_until: None,
        };
        let task = tokio::spawn(async move {
            let reason = driver.run(rx).await;
            ended_tx.send_replace(Some(reason));
        });
        Ok(Console { commands, framebuffer, ended, task })
    }

    /// Passes the user's input on. Pointer moves are dropped when the task is behind
    /// (the next move supersedes them); everything else waits for room.
    pub async fn send(&self, input: ConsoleInput) -> Result<(), ConsoleError> {
        let closed = || ConsoleError::ServerClosed(self.ended.borrow().clone());
        if let ConsoleInput::SendKeys { combo } = &input {
            combo.checked().map_err(|e| ConsoleError::Protocol(e.to_string()))?;
        }
        match input {
            ConsoleInput::Pointer { .. } => match self.commands.try_send(Command::Input(input)) {
                Err(mpsc::error::TrySendError::Closed(_)) => Err(closed()),
                _ => Ok(()),
            },
            other => self.commands.send(Command::Input(other)).await.map_err(|_| closed()),
        }
    }

    /// The screen's size now.
    pub fn size(&self) -> (u16, u16) {
        self.framebuffer.lock().unwrap().size()
    }

    /// The screen now, as a PNG.
    pub fn screenshot_png(&self) -> Result<Vec<u8>, ConsoleError> {
        let (w, h, rgba) = screenshot::snapshot(&self.framebuffer.lock().unwrap());
        screenshot::png(w, h, &rgba).map_err(|e| ConsoleError::Protocol(format!("the screenshot could not be encoded: {e}")))
    }

    /// Why the console ended, once it has.
    pub fn ended(&self) -> Option<String> {
        self.ended.borrow().clone()
    }

    /// Waits until the console ends (the server left, or `close`); the reason.
    pub async fn wait_ended(&self) -> String {
        let mut rx = self.ended.clone();
        let reason = match rx.wait_for(|r| r.is_some()).await {
            Ok(r) => r.clone().unwrap_or_default(),
            Err(_) => "the console ended".into(),
        };
        reason
    }

    /// Closes the connection; the task ends and the stream is freed.
    pub async fn close(&self) {
        let _ = self.commands.send(Command::Close).await;
        self.wait_ended().await;
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        // The client's own tasks end when it is dropped with the driver.
        self.task.abort();
    }
}

struct Driver {
    client: VncClient,
    framebuffer: Arc<Mutex<Framebuffer>>,
    sink: Sink,
    view_only: bool,
    records: Records,
    dirty: Vec<Region>,
    /// Until when QEMU is nudged after the last key (see `NUDGE_EVERY`).
    nudge_until: Option<tokio::time::Instant>,
}

/// What handling an event asks of the loop.
enum Step {
    Go,
    End(String),
}

impl Driver {
    async fn run(mut self, mut commands: mpsc::Receiver<Command>) -> String {
        self.records.state(ConsoleState::Connected, "");
        let mut pace = tokio::time::interval(PACE);
        pace.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let (mut last_update, mut last_request) = (tokio::time::Instant::now(), tokio::time::Instant::now());
        let mut nudge = tokio::time::interval(NUDGE_EVERY);
        nudge.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let (mut flush_at, mut update_began) = (None, None);
        let reason = loop {
            let nudging = self.nudge_until.is_some_and(|until| tokio::time::Instant::now() < until);
            tokio::select! {
                biased;
                command = commands.recv() => match command {
                    None | Some(Command::Close) => break "the console was closed".to_owned(),
                    Some(Command::Input(input)) => {
                        if let Err(e) = self.input(input).await {
                            break ConsoleError::from(e).to_string();
                        }
                    }
                },
                event = self.client.recv_event() => {
                    let mut step = self.handle(event);
                    // Everything already decoded goes in this flush.
                    while matches!(step, Step::Go) {
                        match self.client.poll_event().await {
                            Ok(None) => break,
                            Ok(Some(e)) => step = self.handle(Ok(e)),
                            Err(e) => step = self.handle(Err(e)),
                        }
                    }
                    if let Step::End(reason) = step {
                        self.flush();
                        break reason;
                    }
                    // vnc-rs does not mark where a server update ends, and decodes its
                    // rectangles one after another: flush once the rectangles stop coming
                    // for a moment, so one update reaches the canvas in one message.
                    let now = tokio::time::Instant::now();
                    last_update = now;
                    let first = match update_began {
                        Some(first) => first,
                        None => {
                            update_began = Some(now);
                            // The next update is asked for as soon as this one arrives, not
                            // once it is drawn: the server can send it at its next scan
                            // instead of a round trip later (what keeps a 50 ms link at the
                            // server's frame rate).
                            if let Err(e) = self.client.input(X11Event::Refresh).await {
                                break ConsoleError::from(e).to_string();
                            }
                            now
                        }
                    };
                    flush_at = Some((now + UPDATE_GAP).min(first + UPDATE_MAX));
                },
                _ = tokio::time::sleep_until(flush_at.unwrap_or_else(tokio::time::Instant::now)), if flush_at.is_some() => {
                    (flush_at, update_began) = (None, None);
                    self.flush();
                },
                _ = nudge.tick(), if nudging => {
                    if let Err(e) = self.client.input(X11Event::KeyEvent((NUDGE_KEYSYM, false).into())).await {
                        break ConsoleError::from(e).to_string();
                    }
                },
                _ = pace.tick() => {
                    if last_update.elapsed() < PACE_FOR || last_request.elapsed() >= SPARE_REQUEST {
                        last_request = tokio::time::Instant::now();
                        if let Err(e) = self.client.input(X11Event::Refresh).await {
                            break ConsoleError::from(e).to_string();
                        }
                    }
                },
            }
        };
        let _ = self.client.close().await;
        self.flush();
        self.records.state(ConsoleState::Closed, &reason);
        (self.sink)(self.records.take());
        reason
    }

    fn handle(&mut self, event: Result<VncEvent, VncError>) -> Step {
        let event = match event {
            Ok(e) => e,
            Err(e) => return Step::End(ConsoleError::from(e).to_string()),
        };
        match event {
            VncEvent::SetResolution(screen) => {
                self.framebuffer.lock().unwrap().resize(screen.width, screen.height);
                self.dirty.clear();
                self.records.resize(screen.width, screen.height);
            }
            VncEvent::RawImage(rect, pixels) => {
                let r = Region { x: rect.x, y: rect.y, w: rect.width, h: rect.height };
                if let Some(done) = self.framebuffer.lock().unwrap().put(r, &pixels) {
                    self.dirty.push(done);
                }
            }
            VncEvent::Copy(dst, src) => {
                let r = Region { x: dst.x, y: dst.y, w: dst.width, h: dst.height };
                if let Some(done) = self.framebuffer.lock().unwrap().copy(r, src.x, src.y) {
                    self.dirty.push(done);
                }
            }
            VncEvent::SetCursor(rect, rgba) => {
                // The hotspot travels in the rectangle's position.
                let (w, h) = if rgba.is_empty() { (0, 0) } else { (rect.width, rect.height) };
                self.records.cursor(rect.x, rect.y, w, h, &rgba);
            }
            VncEvent::Bell => self.records.bell(),
            VncEvent::Text(text) => self.records.clipboard(&text),
            VncEvent::Error(message) => return Step::End(closed_reason(&message)),
            // JPEG is only sent to clients that ask for a quality level; this one does not.
            VncEvent::JpegImage(rect, _) => tracing::debug!(?rect, "JPEG rectangle ignored"),
            other => tracing::trace!(?other, "VNC event not used"),
        }
        Step::Go
    }

    /// Sends what changed since the last flush as one message.
    fn flush(&mut self) {
        let mut dirty = std::mem::take(&mut self.dirty);
        if dirty.len() > MAX_REGIONS {
            let all = dirty.iter().skip(1).fold(dirty[0], |acc, r| acc.union(r));
            dirty = vec![all];
        }
        {
            let fb = self.framebuffer.lock().unwrap();
            for r in dirty {
                self.records.rect(r, &fb.region(r));
            }
        }
        if !self.records.is_empty() {
            (self.sink)(self.records.take());
        }
    }

    async fn input(&mut self, input: ConsoleInput) -> Result<(), VncError> {
        if matches!(input, ConsoleInput::Key { .. } | ConsoleInput::SendKeys { .. } | ConsoleInput::Clipboard { .. }) && !self.view_only {
            self.nudge_until = Some(tokio::time::Instant::now() + NUDGE_FOR);
        }
        let event = match input {
            ConsoleInput::Refresh => return self.client.input(X11Event::FullRefresh).await,
            _ if self.view_only => return Ok(()),
            ConsoleInput::Key { key, code, down } => match keysym(&key, &code) {
                Some(sym) => X11Event::KeyEvent((sym, down).into()),
                None => return Ok(()),
            },
            ConsoleInput::Pointer { x, y, buttons } => X11Event::PointerEvent((x, y, buttons).into()),
            ConsoleInput::Clipboard { text } => X11Event::CopyText(text),
            ConsoleInput::SendKeys { combo } => {
                for (sym, down) in key_events(combo) {
                    self.client.input(X11Event::KeyEvent((sym, down).into())).await?;
                }
                return Ok(());
            }
        };
        self.client.input(event).await
    }
}

/// vnc-rs reports a decoding failure as text; an end of stream there is the server leaving.
fn closed_reason(message: &str) -> String {
    let lower = message.to_ascii_lowercase();
    if lower.contains("eof") || lower.contains("end of file") || lower.contains("early") {
        ConsoleError::ServerClosed(Some("in the middle of an update".into())).to_string()
    } else {
        ConsoleError::Protocol(message.to_owned()).to_string()
    }
}
