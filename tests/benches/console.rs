//! Benchmark: the VNC console's user-visible figures with the test guest (TCG), through
//! the app core exactly as the window uses it (`Vireo::open_console`, binary records into
//! a sink), on the local host and through an SSH host's session (sshd on 127.0.0.1, direct
//! and behind a proxy holding each chunk 25 ms each way: a 50 ms round trip):
//!   - open -> connected with the guest's text on the screen (median of 5 opens);
//!   - key -> pixel: one key sent, until the rectangle with its echo arrives (median, p95
//!     and max of 40: a letter, then Backspace, each timed), the console's cursor hidden
//!     first so that nothing else changes on the screen;
//!   - a busy screen (`yes … | head -n 300000` scrolling tty1, 5 s of it): messages
//!     per second (a message is one flush of changed rectangles, as the window gets it;
//!     what the canvas then paints is the window's part, not measured here), rectangles
//!     per second and MB/s of records.
//!
//! Figures only, no assertions on them. The guest and the sshd are removed at the end.
//! Run: `cargo bench -p vireo-tests --bench console` (about 1 min), as root.

use std::time::{Duration, Instant};

use vireo_app::Vireo;
use vireo_core::{ConsoleInput, HostEvent, HostStatus, HostTarget, PromptAnswer, SshAuth, SshSpec, VmAction, VmRef};
use vireo_tests::delay_proxy::DelayProxy;
use vireo_tests::screen::{screen, Screen};
use vireo_tests::sshd::Sshd;
use vireo_tests::{guest_fixture, guest_spec, unique_mac, unique_name, wait, TestDomain};

const OPENS: usize = 5;
const KEYS: usize = 40;
const BUSY: Duration = Duration::from_secs(5);

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

/// Waits for the next rectangle after `rects`; how long it took.
async fn next_rect(s: &mut Screen, rects: usize, since: Instant) -> Duration {
    s.until("the key's echo", 10, |s| s.rects > rects).await;
    since.elapsed()
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
    // The console's blinking cursor off (ESC [ ?25l), so the next rectangle after a key
    // is that key's echo and nothing else on this quiet screen.
    type_line(app, &c.id, "printf '\\033[?25l'").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    s.pump();
    let quiet = s.rects;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    s.pump();
    println!("{link}: rectangles in 1 s of a quiet screen with the cursor off: {}", s.rects - quiet);
    let mut keys = Vec::new();
    for i in 0..KEYS {
        s.pump();
        let rects = s.rects;
        let t = Instant::now();
        if i % 2 == 0 {
            tap(app, &c.id, "x", "KeyX").await;
        } else {
            tap(app, &c.id, "Backspace", "Backspace").await;
        }
        keys.push(next_rect(&mut s, rects, t).await);
        // Let the screen settle so the next rectangle is this key's, not the cursor's.
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    println!("{link}: key -> pixel: {}", summary(keys));

    type_line(app, &c.id, "yes vireo console benchmark | head -n 300000").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    s.pump();
    let (msgs0, rects0, bytes0) = (s.messages, s.rects, s.bytes);
    let t = Instant::now();
    while t.elapsed() < BUSY {
        tokio::time::sleep(Duration::from_millis(50)).await;
        s.pump();
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{link}: busy screen: {:.1} messages/s, {:.1} rects/s, {:.2} MB/s of records",
        (s.messages - msgs0) as f64 / secs,
        (s.rects - rects0) as f64 / secs,
        (s.bytes - bytes0) as f64 / secs / 1e6
    );
    // Stop the scrolling (Ctrl+C ends the whole pipeline) and wait for a quiet screen, so
    // the next link's figures are not this one's output.
    let t = Instant::now();
    loop {
        app.console_input(&c.id, key("Control", "ControlLeft", true)).await.unwrap();
        tap(app, &c.id, "c", "KeyC").await;
        app.console_input(&c.id, key("Control", "ControlLeft", false)).await.unwrap();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        s.pump();
        let before = s.rects;
        tokio::time::sleep(Duration::from_millis(1000)).await;
        s.pump();
        if s.rects - before < 5 {
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(60), "{link}: the screen did not go quiet after Ctrl+C");
    }
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
