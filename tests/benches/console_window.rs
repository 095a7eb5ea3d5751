//! Benchmark: the VNC console as a person sees it, in the real window (the release app
//! under Xvfb, driven by tauri-driver), and noVNC (Debian's `novnc` + `websockify`, the
//! web client Proxmox, cockpit and WebVirtCloud embed) loaded in the same WebKit window
//! against the same guest, in the same run, measured the same way: by the canvas probe
//! (`tests/src/canvas_probe.js`) inside the page.
//!
//! For each viewer and link (local; through sshd on 127.0.0.1; through the same sshd behind
//! a proxy holding each chunk 25 ms each way, a 50 ms round trip):
//!   - open -> the guest's text on the canvas (Vireo: a click on the VM's Console button;
//!     noVNC: loading its page);
//!   - frames per second delivered to the canvas while the guest redraws continuously
//!     (`vireo-busy` rewrites 12 rows of tty1 every 10 ms), over 5 s;
//!   - key -> pixel while it redraws, and on a quiet screen: from the keydown reaching the
//!     page to the draw call that changes the rows where the key echoes (rows 1-9).
//!
//! Vireo reaches the remote links through its own SSH session (a direct-tcpip channel);
//! noVNC through `websockify` in front of an OpenSSH `ssh -L` tunnel to the same sshd, as
//! a noVNC user reaches a VNC server that listens on a remote host's loopback.
//!
//! Figures only, no assertions on them. Run: `scripts/bench-console.sh` (installs what it
//! needs) or `cargo bench -p vireo-tests --bench console_window` (about 5 min), as root.

use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;
use vireo_core::{VmAction, VmRef};
use vireo_host::{Host, HostOptions};
use vireo_tests::canvas_probe::CanvasProbe;
use vireo_tests::delay_proxy::DelayProxy;
use vireo_tests::sshd::Sshd;
use vireo_tests::webdriver::Session;
use vireo_tests::window::{artifacts_dir, free_port, pick_host, save_local_host, save_ssh_host, spawn_logged, wait_state, wait_until, Driver, FreshHome, Proc, Xvfb};
use vireo_tests::{fresh_binary, fresh_release_binary, guest_fixture, guest_spec, unique_mac, unique_name, wait, TestDomain};

const KEYS: usize = 30;
const FPS_FOR: Duration = Duration::from_secs(5);
/// The guest's loop runs this long (s): 1.5 s to start, the frames, then KEYS keys.
const BUSY_FOR: u32 = 22;
/// Rows 1-9 of the 80x25 text screen, 16 pixels each: where a typed key echoes.
const ECHO_ROWS: u32 = 9 * 16;
const ENTER: &str = "\u{E007}";
const VIREO_CANVAS: &str = "[data-testid=\"console-canvas\"]";
const NOVNC_CANVAS: &str = "#screen canvas";

struct Row {
    viewer: &'static str,
    link: String,
    open: Duration,
    fps: f64,
    busy_keys: (Vec<Duration>, usize),
    quiet_keys: (Vec<Duration>, usize),
    /// Keydown -> the viewer's WebSocket send, all keys.
    sent: (Vec<Duration>, usize),
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// "median / p95 (min-max)" in ms, and the keys whose echo never showed.
fn keys_cell((keys, missed): &(Vec<Duration>, usize)) -> String {
    if keys.is_empty() {
        return format!("none ({missed} missed)");
    }
    let mut v = keys.clone();
    v.sort();
    let at = |q: f64| ms(v[((v.len() as f64 - 1.0) * q).round() as usize]);
    let miss = if *missed > 0 { format!(", {missed} missed") } else { String::new() };
    format!("{:.1} / {:.1} ({:.1}-{:.1}{miss})", at(0.5), at(0.95), ms(v[0]), ms(v[v.len() - 1]))
}

fn type_line(s: &Session, line: &str) {
    let mut keys: Vec<(String, bool)> = line.chars().map(|c| (c.to_string(), false)).collect();
    keys.push((ENTER.to_owned(), false));
    s.press_keys(&keys.iter().map(|(k, sh)| (k.as_str(), *sh)).collect::<Vec<_>>()).unwrap();
}

/// Lit (not black) pixels on the canvas `selector` matches.
fn lit_pixels(s: &Session, selector: &str) -> u64 {
    s.execute(
        "const c = document.querySelector(arguments[0]);
         if (!c || !c.width) return 0;
         const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
         let n = 0;
         for (let i = 0; i < d.length; i += 4) if (d[i] > 40 || d[i + 1] > 40 || d[i + 2] > 40) n++;
         return n;",
        json!([selector]),
    )
    .ok()
    .and_then(|v| v.as_u64())
    .unwrap_or(0)
}

/// The figures of one viewer on one link, its canvas showing the guest's shell prompt.
fn measure(s: &Session, selector: &str, viewer: &'static str, link: &str, open: Duration) -> Row {
    let probe = CanvasProbe::install(s, selector, ECHO_ROWS);
    s.click(&s.wait_for(selector, 10).unwrap()).unwrap();
    type_line(s, "clear");
    std::thread::sleep(Duration::from_millis(800));
    type_line(s, &format!("vireo-busy {BUSY_FOR}"));
    std::thread::sleep(Duration::from_millis(1500));
    let fps = probe.fps(FPS_FOR);
    let busy_keys = probe.key_to_pixel(KEYS);
    let busy_sent = probe.key_to_send();
    // The loop ends by itself; then the same keys on the quiet screen.
    let deadline = Instant::now() + Duration::from_secs(60);
    while probe.fps(Duration::from_secs(1)) > 0.0 {
        assert!(Instant::now() < deadline, "{viewer} {link}: the screen did not go quiet");
    }
    let quiet_keys = probe.key_to_pixel(KEYS);
    let mut sent = probe.key_to_send();
    sent.extend(busy_sent);
    let row = Row { viewer, link: link.to_owned(), open, fps, busy_keys, quiet_keys, sent: (sent, 0) };
    println!(
        "{viewer}, {link}: open {:.0} ms, {:.1} fps redrawing, key -> pixel redrawing {} ms, quiet {} ms",
        ms(row.open),
        row.fps,
        keys_cell(&row.busy_keys),
        keys_cell(&row.quiet_keys)
    );
    row
}

fn vireo_console(s: &Session, host: &str, vm: &str, link: &str) -> Row {
    pick_host(s, host);
    s.wait_for(&format!("tr[data-vm=\"{vm}\"]"), 60).unwrap();
    wait_state(s, vm, "running", 60);
    let t = Instant::now();
    s.click(&s.wait_for(&format!("tr[data-vm=\"{vm}\"] [data-testid=\"vm-console\"]"), 10).unwrap()).unwrap();
    wait_until("the guest's text on Vireo's canvas", 30, || lit_pixels(s, VIREO_CANVAS) > 300);
    let row = measure(s, VIREO_CANVAS, "Vireo", link, t.elapsed());
    s.click(&s.wait_for("[data-testid=\"console-close\"]", 5).unwrap()).unwrap();
    wait_until("the console closed", 10, || {
        s.execute("return document.querySelector('[data-testid=\"console-view\"]') === null", json!([])).is_ok_and(|v| v.as_bool() == Some(true))
    });
    row
}

/// websockify serving noVNC's files and bridging its WebSocket to `target` (a VNC port).
fn websockify(target: u16, logs: &Path, what: &str) -> (Proc, u16) {
    let port = free_port();
    let proc = spawn_logged(
        Command::new("websockify").args(["--web", "/usr/share/novnc", &format!("127.0.0.1:{port}"), &format!("127.0.0.1:{target}")]),
        what,
        &logs.join(format!("{what}.log")),
    );
    wait_until("websockify listening", 30, || TcpStream::connect(("127.0.0.1", port)).is_ok());
    (proc, port)
}

/// OpenSSH's `ssh -L` to the VNC server on the sshd's side, through `port` (the sshd, or
/// the delaying proxy in front of it); the host key checked against the sshd's own.
fn ssh_tunnel(sshd: &Sshd, port: u16, vnc: u16, logs: &Path, what: &str) -> (Proc, u16) {
    let local = free_port();
    let known = logs.join(format!("{what}.known_hosts"));
    let key = std::fs::read_to_string(sshd.host_key_pub()).unwrap();
    std::fs::write(&known, format!("[127.0.0.1]:{port} {key}")).unwrap();
    let proc = spawn_logged(
        Command::new("ssh").args([
            "-N",
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            &format!("UserKnownHostsFile={}", known.display()),
            "-i",
            &sshd.client_key().display().to_string(),
            "-p",
            &port.to_string(),
            "-L",
            &format!("127.0.0.1:{local}:127.0.0.1:{vnc}"),
            "root@127.0.0.1",
        ]),
        what,
        &logs.join(format!("{what}.log")),
    );
    wait_until("the ssh -L tunnel listening", 30, || TcpStream::connect(("127.0.0.1", local)).is_ok());
    (proc, local)
}

fn novnc_console(s: &Session, ws_port: u16, link: &str) -> Row {
    let url = format!("http://127.0.0.1:{ws_port}/vnc_lite.html?host=127.0.0.1&port={ws_port}&path=websockify");
    let t = Instant::now();
    s.navigate(&url).unwrap();
    wait_until("the guest's text on noVNC's canvas", 30, || lit_pixels(s, NOVNC_CANVAS) > 300);
    let row = measure(s, NOVNC_CANVAS, "noVNC", link, t.elapsed());
    s.navigate("about:blank").unwrap();
    row
}

/// The VNC port QEMU listens on for `vm` (on 127.0.0.1), from `virsh domdisplay`.
fn vnc_port(vm: &str) -> u16 {
    let out = Command::new("virsh").args(["-c", "qemu:///system", "domdisplay", vm]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let display: u16 = text.trim().rsplit(':').next().and_then(|d| d.parse().ok()).unwrap_or_else(|| panic!("no VNC display in {text:?}"));
    5900 + display
}

fn main() {
    let logs = artifacts_dir("bench");
    eprintln!("building the release app (cargo build --release -p vireo-desktop) and the CLI");
    let app = fresh_release_binary("vireo-desktop", "vireo-desktop");
    let cli = fresh_binary("vireo-cli", "vireo");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let host = rt.block_on(Host::connect("bench", "qemu:///system", HostOptions::default())).expect("libvirtd");
    let (name, mac) = (unique_name("bench-conw"), unique_mac());
    let _vm = rt.block_on(TestDomain::define(&host, &guest_spec(&name, &mac, &guest_fixture(), false)));
    rt.block_on(host.vm_action(&VmRef::Name(name.clone()), VmAction::Start)).unwrap();
    let ip = rt.block_on(wait::lease(&host, "default", &mac, 90)).ip;
    rt.block_on(wait::http_get(&ip, 60));
    let vnc = vnc_port(&name);

    let sshd = Sshd::start();
    let proxy = DelayProxy::start(([127, 0, 0, 1], sshd.port).into(), Duration::from_millis(25));
    let home = FreshHome::new();
    save_local_host(&cli, &home);
    save_ssh_host(&cli, &home, "bench-ssh", &sshd, sshd.port);
    save_ssh_host(&cli, &home, "bench-ssh-50ms", &sshd, proxy.port());

    let xvfb = Xvfb::start(&logs);
    let driver = Driver::start(&xvfb, &home, &[]);
    let s = driver.session(&app);
    s.wait_for("[data-host-id]", 60).unwrap();
    let links = [("local", "Local"), ("ssh 127.0.0.1", "bench-ssh"), ("ssh 50 ms RTT", "bench-ssh-50ms")];
    let mut rows = Vec::new();
    for (link, host_name) in links {
        rows.push(vireo_console(&s, host_name, &name, link));
    }

    let (ws_local, port) = websockify(vnc, &logs, "websockify-local");
    rows.push(novnc_console(&s, port, "local"));
    drop(ws_local);
    let (tunnel, local) = ssh_tunnel(&sshd, sshd.port, vnc, &logs, "ssh-tunnel");
    let (ws, port) = websockify(local, &logs, "websockify-ssh");
    rows.push(novnc_console(&s, port, "ssh 127.0.0.1"));
    drop((ws, tunnel));
    let (tunnel, local) = ssh_tunnel(&sshd, proxy.port(), vnc, &logs, "ssh-tunnel-50ms");
    let (ws, port) = websockify(local, &logs, "websockify-ssh-50ms");
    rows.push(novnc_console(&s, port, "ssh 50 ms RTT"));
    drop((ws, tunnel));

    println!();
    println!("Console in the window, {} (720x400 text screen, TCG guest), keys n={KEYS} each", utc_now());
    println!("| viewer | link | open -> text | fps, guest redrawing | key -> pixel, redrawing: median / p95 (min-max) ms | key -> pixel, quiet | keydown -> sent |");
    println!("|---|---|---:|---:|---|---|---|");
    for r in &rows {
        println!(
            "| {} | {} | {:.0} ms | {:.1} | {} | {} | {} |",
            r.viewer,
            r.link,
            ms(r.open),
            r.fps,
            keys_cell(&r.busy_keys),
            keys_cell(&r.quiet_keys),
            keys_cell(&r.sent)
        );
    }
    s.end();
}

/// Today's date and time in UTC, from `date` (no date crate for one line).
fn utc_now() -> String {
    Command::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"]).output().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned()).unwrap_or_default()
}
