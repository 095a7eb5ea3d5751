//! Benchmark: the VNC console's user-visible figures with the test guest (TCG), through
//! the app core exactly as the window uses it (`Vireo::open_console`, binary records into
//! a sink), on the local host and through an SSH host's session (sshd on 127.0.0.1, direct
//! and behind a proxy holding each chunk 25 ms each way: a 50 ms round trip):
//!   - open -> connected with the guest's text on the screen (median of 5 opens);
//!   - the guest redrawing continuously (its `vireo-busy` loop rewrites 12 rows of tty1
//!     every 10 ms), 5 s of it: frames per second (a message is one flush of changed
//!     rectangles, what the window paints at once), rectangles per second, MB/s;
//!   - key -> pixel while it redraws: one key sent, until the rows where it echoes change
//!     (median, p95, min and max of 40: a letter, then Backspace);
//!   - key -> pixel on a quiet screen (the loop ended, the cursor hidden).
//!
//! The same in the real window, beside noVNC: `tests/benches/console_window.rs`.
//!
//! Figures only, no assertions on them. The guest and the sshd are removed at the end.
//! Run: `cargo bench -p vireo-tests --bench console` (about 2 min), as root.

use std::time::{Duration, Instant};

use vireo_app::Vireo;
use vireo_core::{ConsoleInput, HostEvent, HostStatus, HostTarget, PromptAnswer, SshAuth, SshSpec, VmAction, VmRef};
use vireo_tests::delay_proxy::DelayProxy;
use vireo_console::Region;
use vireo_tests::screen::{screen, Screen};
use vireo_tests::sshd::Sshd;
use vireo_tests::{guest_fixture, guest_spec, unique_mac, unique_name, wait, TestDomain};

const OPENS: usize = 5;
const KEYS: usize = 40;
const BUSY: Duration = Duration::from_secs(5);
/// How long the guest's loop runs, in seconds: the busy figures, then KEYS keys.
const BUSY_FOR: u32 = 18;
/// Messages closer together than this belong to the same frame.
const FRAME_GAP: Duration = Duration::from_millis(8);

fn key(key: &str, code: &str, down: bool) -> ConsoleInput {
    ConsoleInput::Key { key: key.into(), code: code.into(), down }
}

async fn tap(app: &Vireo, id: &str, k: &str, code: &str) {
    app.console_input(id, key(k, code, true)).await.unwrap();
    app.console_input(id, key(k, code, false)).await.unwrap();
}

async fn type_line(app: &Vireo, id: &str, line: &str) {
    for c in line.chars() {
        let (k, code, shift) = match c {
            'a'..='z' => (c.to_string(), format!("Key{}", c.to_ascii_uppercase()), false),
            ' ' => (" ".into(), "Space".into(), false),
            ':' => (":".into(), "Semicolon".into(), true),
            ';' => (";".into(), "Semicolon".into(), false),
            '/' => ("/".into(), "Slash".into(), false),
            '?' => ("?".into(), "Slash".into(), true),
            '\'' => ("'".into(), "Quote".into(), false),
            '\\' => ("\\".into(), "Backslash".into(), false),
            '[' => ("[".into(), "BracketLeft".into(), false),
            '|' => ("|".into(), "Backslash".into(), true),
            '-' => ("-".into(), "Minus".into(), false),
            '0'..='9' => (c.to_string(), format!("Digit{c}"), false),
            other => panic!("no key for {other:?}"),
        };
        if shift {
            app.console_input(id, key("Shift", "ShiftLeft", true)).await.unwrap();
        }
        tap(app, id, &k, &code).await;
        if shift {
            app.console_input(id, key("Shift", "ShiftLeft", false)).await.unwrap();
        }
    }
    tap(app, id, "Enter", "Enter").await;
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn summary(mut v: Vec<Duration>) -> String {
    v.sort();
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    format!("median {:.1} ms, p95 {:.1} ms, min {:.1} ms, max {:.1} ms (n={})", ms(at(0.5)), ms(at(0.95)), ms(v[0]), ms(v[v.len() - 1]), v.len())
}

/// Rows 1-9 of the 80x25 text screen (16 pixels each): where a typed key echoes, never
/// touched by the guest's `vireo-busy` (rows 10-21).
const ECHO_ROWS: u16 = 9 * 16;

fn echo_area(s: &Screen) -> Vec<u8> {
    let (w, h) = s.fb.size();
    s.fb.region(Region { x: 0, y: 0, w, h: ECHO_ROWS.min(h) })
}

/// Keys typed one at a time (a letter, then Backspace, ...), each timed from being sent
/// until the echo rows change on the screen.
async fn key_to_pixel(app: &Vireo, id: &str, s: &mut Screen) -> Vec<Duration> {
    let mut keys = Vec::new();
    for i in 0..KEYS {
        s.pump();
        let before = echo_area(s);
        let t = Instant::now();
        if i % 2 == 0 {
            tap(app, id, "x", "KeyX").await;
        } else {
            tap(app, id, "Backspace", "Backspace").await;
        }
        s.until("the key's echo", 10, |s| echo_area(s) != before).await;
        keys.push(t.elapsed());
        // Not in step with the guest's redraws or QEMU's scans.
        tokio::time::sleep(Duration::from_millis(100 + (i as u64 * 37) % 60)).await;
    }
    keys
}

async fn measure(app: &Vireo, host_id: &str, uuid: &str, link: &str) {
    let mut opens = Vec::new();
    for _ in 0..OPENS {
        let t = Instant::now();
        let (sink, mut s) = screen();
        let c = app.open_console(host_id, uuid, false, sink).await.unwrap();
        s.until("text on the screen", 30, |s| s.state() == Some(1) && s.lit() > 300).await;
        opens.push(t.elapsed());
        app.close_console(&c.id).await.unwrap();
    }
    println!("{link}: open -> connected with text: {}", summary(opens));

    let (sink, mut s) = screen();
    let c = app.open_console(host_id, uuid, false, sink).await.unwrap();
    s.until("text on the screen", 30, |s| s.state() == Some(1) && s.lit() > 300).await;
    // A clear screen, then the guest's redraw loop in the foreground: typed keys are
    // echoed by the guest's tty on row 2 while rows 10-21 change every 10 ms.
    type_line(app, &c.id, "clear").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    type_line(app, &c.id, &format!("vireo-busy {BUSY_FOR}")).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    s.pump();
    let (msgs0, rects0, bytes0) = (s.messages, s.rects, s.bytes);
    // A frame is one burst of messages: the console flushes as rectangles are decoded,
    // so one server update may come as several messages close together.
    let (mut frames, mut last) = (0usize, None::<Instant>);
    let t = Instant::now();
    while t.elapsed() < BUSY {
        if s.next_message(Duration::from_millis(100)).await {
            let now = Instant::now();
            if last.is_none_or(|l| now - l > FRAME_GAP) {
                frames += 1;
            }
            last = Some(now);
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{link}: guest redrawing: {:.1} frames/s ({:.1} messages/s, {:.1} rects/s, {:.2} MB/s of records)",
        frames as f64 / secs,
        (s.messages - msgs0) as f64 / secs,
        (s.rects - rects0) as f64 / secs,
        (s.bytes - bytes0) as f64 / secs / 1e6
    );
    println!("{link}: key -> pixel, guest redrawing: {}", summary(key_to_pixel(app, &c.id, &mut s).await));

    // The loop ends by itself (after BUSY_FOR); then the same keys on a quiet screen
    // (the cursor stays off).
    s.until_quiet(link, 60).await;
    println!("{link}: key -> pixel, quiet screen: {}", summary(key_to_pixel(app, &c.id, &mut s).await));
    app.close_console(&c.id).await.unwrap();
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    println!("console benchmark {}", std::env::args().skip(1).collect::<Vec<_>>().join(" "));
    let data = tempfile::tempdir().unwrap();
    let app = Vireo::start(data.path(), "bench").await.unwrap();
    let local_id = app.list_hosts()[0].id.clone();
    let host = app.host(&local_id).unwrap();
    host.wait_first_attempt().await.unwrap();
    let (name, mac) = (unique_name("bench-con"), unique_mac());
    let _vm = TestDomain::define(&host, &guest_spec(&name, &mac, &guest_fixture(), false)).await;
    host.vm_action(&VmRef::Name(name.clone()), VmAction::Start).await.unwrap();
    let ip = wait::lease(&host, "default", &mac, 90).await.ip;
    wait::http_get(&ip, 60).await;
    let uuid = host.list_vms().await.unwrap().into_iter().find(|v| v.name == name).unwrap().uuid;
    measure(&app, &local_id, &uuid, "local").await;

    let sshd = Sshd::start();
    let mut rx = app.subscribe();
    let spec = SshSpec { user: "root".into(), host: "127.0.0.1".into(), port: sshd.port, auth: SshAuth::Key, key_path: Some(sshd.client_key().display().to_string()), read_only: false };
    let ssh_id = app.add_host_target("bench-ssh", HostTarget::Ssh { spec: spec.clone() }).await.unwrap().id;
    let status = |want: fn(HostStatus, bool) -> bool, id: String| move |e: &HostEvent| matches!(e, HostEvent::HostStatus { host_id, status, prompt, .. } if *host_id == id && want(*status, prompt.is_some()));
    wait::event(&mut rx, "host-key question", 30, status(|_, p| p, ssh_id.clone())).await;
    app.answer_prompt(&ssh_id, PromptAnswer::AcceptHostKey { fingerprint: sshd.fingerprint() }).await.unwrap();
    wait::event(&mut rx, "connected", 30, status(|s, _| s == HostStatus::Connected, ssh_id.clone())).await;
    measure(&app, &ssh_id, &uuid, "ssh (127.0.0.1)").await;

    // The same sshd behind a link that holds every chunk 25 ms each way.
    let proxy = DelayProxy::start(([127, 0, 0, 1], sshd.port).into(), Duration::from_millis(25));
    let spec = SshSpec { port: proxy.port(), ..spec.clone() };
    let slow_id = app.add_host_target("bench-ssh-50ms", HostTarget::Ssh { spec }).await.unwrap().id;
    wait::event(&mut rx, "host-key question (50 ms)", 30, status(|_, p| p, slow_id.clone())).await;
    app.answer_prompt(&slow_id, PromptAnswer::AcceptHostKey { fingerprint: sshd.fingerprint() }).await.unwrap();
    wait::event(&mut rx, "connected (50 ms)", 60, status(|s, _| s == HostStatus::Connected, slow_id.clone())).await;
    measure(&app, &slow_id, &uuid, "ssh (50 ms round trip)").await;
}
