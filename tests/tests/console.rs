//! The VNC console of the test guest, end to end in the app core: opened on a local host
//! and through an SSH host's session, the guest's tty1 text on the screen, a shell line
//! typed through it (then fetched from the guest's httpd), Ctrl+Alt+Del rebooting the
//! guest, the console coming back by itself after the VM restarts or the tunnel drops,
//! and bad input (no graphics, a stopped VM, a wrong password, a server that closes in
//! the middle of a message, a tunnel to nowhere) refused with reasons; and the window's
//! transport, a WebSocket on 127.0.0.1 reached with a console's one-time ticket.

use std::time::{Duration, Instant};

use vireo_app::Vireo;
use vireo_console::{Console, ConsoleOptions};
use vireo_core::{ConsoleInput, HostEvent, HostStatus, HostTarget, KeyCombo, PromptAnswer, SshAuth, SshSpec, VmAction, VmRef};
use vireo_host::{Host, VncAddress, VncStream};
use vireo_tests::screen::{screen, Screen};
use vireo_tests::sshd::Sshd;
use vireo_tests::{guest_fixture, guest_spec, unique_mac, unique_name, wait, workspace_root, TestDomain};

const CONNECTED: u8 = 1;
const RECONNECTING: u8 = 2;
const CLOSED: u8 = 3;

/// Enough lit pixels for a shell prompt and some boot text on the 720x400 text console.
const TEXT: usize = 300;

/// The browser's (key, code, shift) for a character of a US keyboard.
fn key_of(c: char) -> (String, String, bool) {
    match c {
        'a'..='z' => (c.into(), format!("Key{}", c.to_ascii_uppercase()), false),
        ' ' => (" ".into(), "Space".into(), false),
        '.' => (".".into(), "Period".into(), false),
        '>' => (">".into(), "Period".into(), true),
        '/' => ("/".into(), "Slash".into(), false),
        '\n' => ("Enter".into(), "Enter".into(), false),
        other => panic!("no key for {other:?} in this test"),
    }
}

/// Types `text` as a browser would report it: key down and up, Shift held around the
/// shifted characters.
async fn type_text(app: &Vireo, id: &str, text: &str) {
    let key = |key: &str, code: &str, down| ConsoleInput::Key { key: key.into(), code: code.into(), down };
    for c in text.chars() {
        let (k, code, shift) = key_of(c);
        if shift {
            app.console_input(id, key("Shift", "ShiftLeft", true)).await.unwrap();
        }
        app.console_input(id, key(&k, &code, true)).await.unwrap();
        app.console_input(id, key(&k, &code, false)).await.unwrap();
        if shift {
            app.console_input(id, key("Shift", "ShiftLeft", false)).await.unwrap();
        }
    }
}

/// Waits for the shell, types the line and fetches what it wrote; the key-to-file time.
async fn type_and_fetch(app: &Vireo, console: &str, ip: &str, word: &str) -> Duration {
    let t = Instant::now();
    type_text(app, console, &format!("echo {word} > /www/{word}.html\n")).await;
    let answer = wait::http_until(ip, &format!("/{word}.html"), 30, "the line typed through the console", |a| a.starts_with("HTTP/1.1 200") || a.starts_with("HTTP/1.0 200")).await;
    assert_eq!(answer.rsplit("\r\n\r\n").next().unwrap().trim(), word, "{answer}");
    t.elapsed()
}

/// Saves the console's screenshot (the app's own PNG) under target/e2e.
async fn keep_screenshot(app: &Vireo, console: &str, name: &str) {
    let path = app.console_screenshot(console).await.unwrap();
    let png = std::fs::read(&path).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{}", path.display());
    let dir = workspace_root().join("target/e2e");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), &png).unwrap();
    let _ = std::fs::remove_file(&path);
}

async fn until_connected_with_text(s: &mut Screen, what: &str) {
    s.until(what, 90, |s| s.state() == Some(CONNECTED) && s.lit() > TEXT).await;
}

/// The guest, started and serving HTTP: (domain guard, UUID, IP, MAC).
async fn running_guest(host: &Host, tag: &str) -> (TestDomain, String, String, String) {
    let fixture = guest_fixture();
    let (name, mac) = (unique_name(tag), unique_mac());
    let vm = TestDomain::define(host, &guest_spec(&name, &mac, &fixture, false)).await;
    host.vm_action(&VmRef::Name(name.clone()), VmAction::Start).await.unwrap();
    let ip = wait::lease(host, "default", &mac, 90).await.ip;
    wait::http_get(&ip, 60).await;
    let uuid = host.list_vms().await.unwrap().into_iter().find(|v| v.name == name).unwrap().uuid;
    (vm, uuid, ip, mac)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_local_console_shows_the_guest_takes_keys_reboots_it_and_comes_back() {
    let data = tempfile::tempdir().unwrap();
    let app = Vireo::start(data.path(), "test").await.unwrap();
    let id = app.list_hosts()[0].id.clone();
    let host = app.host(&id).unwrap();
    host.wait_first_attempt().await.unwrap();
    let (vm, uuid, ip, mac) = running_guest(&host, "con").await;

    let t = Instant::now();
    let (sink, mut s) = screen();
    let console = app.open_console(&id, &uuid, false, sink).await.unwrap();
    assert_eq!((console.host_id.as_str(), console.vm_name.as_str()), (id.as_str(), vm.name.as_str()));
    until_connected_with_text(&mut s, "the guest's text on the console").await;
    println!("console open -> text on screen {:.0} ms ({}x{}, {} rects, {} KiB)", t.elapsed().as_secs_f64() * 1e3, s.fb.size().0, s.fb.size().1, s.rects, s.bytes / 1024);
    keep_screenshot(&app, &console.id, "console-local-tty1.png").await;

    // A view-only console of the same VM sees the screen and types nothing.
    let (sink2, mut watcher) = screen();
    let view = app.open_console(&id, &uuid, true, sink2).await.unwrap();
    until_connected_with_text(&mut watcher, "the view-only console's screen").await;
    type_text(&app, &view.id, "echo leaked > /www/leaked.html\n").await;
    assert_eq!(app.open_consoles(), 2, "several consoles at once");

    let took = type_and_fetch(&app, &console.id, &ip, "typed").await;
    println!("typed a 30-key line -> file served by the guest after {:.0} ms", took.as_secs_f64() * 1e3);
    let leaked = wait::http_once(&ip, "/leaked.html").unwrap();
    assert!(leaked.contains(" 404 "), "the view-only console typed: {leaked}");
    let before = watcher.rects;
    watcher.until("the view-only console follows the screen", 10, |w| w.rects > before).await;

    // Ctrl+Alt+Del: the guest's init reboots it (its /www is in RAM, so the file is gone).
    app.console_input(&console.id, ConsoleInput::SendKeys { combo: KeyCombo::CtrlAltDel }).await.unwrap();
    wait::http_until(&ip, "/typed.html", 90, "the guest rebooting on Ctrl+Alt+Del", |a| a.contains(" 404 ")).await;
    let rects = s.rects;
    s.until("the console following the reboot", 60, |s| s.rects > rects + 5 && s.lit() > TEXT).await;
    type_and_fetch(&app, &console.id, &ip, "again").await;

    // The VM is restarted (a new QEMU, a new VNC server): both consoles come back by themselves.
    let mut events = host.subscribe();
    host.vm_action(&VmRef::Name(vm.name.clone()), VmAction::Destroy).await.unwrap();
    s.until("reconnecting after the VM stopped", 30, |s| s.state() == Some(RECONNECTING)).await;
    let reason = s.states.last().unwrap().1.clone();
    assert!(!reason.is_empty(), "the reconnecting state says why");
    let err = app.console_input(&console.id, ConsoleInput::Refresh).await.unwrap_err();
    assert!(err.to_string().contains("reconnecting"), "{err}");
    let t = Instant::now();
    host.vm_action(&VmRef::Name(vm.name.clone()), VmAction::Start).await.unwrap();
    wait::lifecycle(&mut events, &vm.name, "started").await;
    let states = s.states.len();
    s.until("connected again after the VM started", 60, |s| s.states[states..].iter().any(|st| st.0 == CONNECTED)).await;
    println!("VM started -> console connected again {:.0} ms (reason it gave: {reason})", t.elapsed().as_secs_f64() * 1e3);
    let n = watcher.states.len();
    watcher.until("the view-only console back too", 60, |w| w.states[n..].iter().any(|st| st.0 == CONNECTED)).await;
    until_connected_with_text(&mut s, "the guest's text after the restart").await;
    let ip = wait::lease(&host, "default", &mac, 90).await.ip;
    wait::http_get(&ip, 60).await;
    type_and_fetch(&app, &console.id, &ip, "back").await;

    // Closing frees everything; a closed console refuses input by name.
    app.close_console(&view.id).await.unwrap();
    app.close_console(&console.id).await.unwrap();
    assert_eq!(app.open_consoles(), 0);
    let err = app.console_input(&console.id, ConsoleInput::Refresh).await.unwrap_err();
    assert!(err.to_string().contains("closed"), "{err}");
    s.pump();
    let sent = s.bytes;
    tokio::time::sleep(Duration::from_millis(500)).await;
    s.pump();
    assert_eq!(s.bytes, sent, "nothing arrives after close");
    drop(vm);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consoles_refuse_bad_input_with_reasons() {
    let data = tempfile::tempdir().unwrap();
    let app = Vireo::start(data.path(), "test").await.unwrap();
    let id = app.list_hosts()[0].id.clone();
    let host = app.host(&id).unwrap();
    host.wait_first_attempt().await.unwrap();
    let fixture = guest_fixture();
    let noop = || -> vireo_app::ConsoleSink { std::sync::Arc::new(|_| {}) };

    // A stopped VM.
    let (name, mac) = (unique_name("con-off"), unique_mac());
    let mut spec = guest_spec(&name, &mac, &fixture, false);
    let stopped = TestDomain::define(&host, &spec).await;
    let uuid = uuid_of(&host, &name).await;
    let e = app.open_console(&id, &uuid, false, noop()).await.unwrap_err();
    assert_eq!(e.code(), "no_console", "{e}");
    assert!(e.to_string().contains("shut off") && e.to_string().contains(&name), "{e}");

    // Not a UUID, and a VM that is not there.
    let e = app.open_console(&id, "not a uuid", false, noop()).await.unwrap_err();
    assert!(e.to_string().contains("UUID"), "{e}");
    let e = app.open_console(&id, "6c1e2bd3-7f31-4b65-9c1f-0a1b2c3d4e5f", false, noop()).await.unwrap_err();
    assert_eq!(e.code(), "vm_not_found", "{e}");

    // A running VM without graphics.
    let (name2, mac2) = (unique_name("con-nogfx"), unique_mac());
    let mut headless = guest_spec(&name2, &mac2, &fixture, false);
    headless.vnc = false;
    let _headless = TestDomain::define(&host, &headless).await;
    host.vm_action(&VmRef::Name(name2.clone()), VmAction::Start).await.unwrap();
    let e = app.open_console(&id, &uuid_of(&host, &name2).await, false, noop()).await.unwrap_err();
    assert_eq!(e.code(), "no_console", "{e}");
    assert!(e.to_string().contains("VNC"), "{e}");
    println!("without graphics: {e}");

    // A display with a password: the app knows it; a wrong one is refused by name.
    drop(stopped);
    spec.vnc_password = Some("s3cret".into());
    let _guarded = TestDomain::define(&host, &spec).await;
    host.vm_action(&VmRef::Name(name.clone()), VmAction::Start).await.unwrap();
    let (sink, mut s) = screen();
    let c = app.open_console(&id, &uuid_of(&host, &name).await, false, sink).await.unwrap();
    s.until("connected with the display's password", 30, |s| s.state() == Some(CONNECTED)).await;
    app.close_console(&c.id).await.unwrap();
    let (_, display) = host.vnc_display(&VmRef::Name(name.clone())).await.unwrap();
    assert_eq!(display.password.as_deref(), Some("s3cret"));
    let stream = host.open_vnc(&name, &display.address).await.unwrap();
    let e = Console::connect(stream, ConsoleOptions { password: Some("wrong".into()), view_only: false }, Box::new(|_| {})).await.err().expect("a wrong password is refused");
    assert!(e.to_string().contains("password was refused"), "{e}");
    let stream = host.open_vnc(&name, &display.address).await.unwrap();
    let e = Console::connect(stream, ConsoleOptions { password: None, view_only: false }, Box::new(|_| {})).await.err().expect("no password is refused");
    assert!(e.to_string().contains("password"), "{e}");

    // A server that closes in the middle of a message: the console ends with the reason,
    // at once, and says so to the UI.
    let VncAddress::Tcp { port, .. } = display.address else { panic!("{:?}", display.address) };
    for cut in [10, 60, 200, 3000] {
        let proxy = vireo_tests::cut_proxy::CutProxy::start(([127, 0, 0, 1], port).into(), cut);
        let t = Instant::now();
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", proxy.port)).await.unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let opened = Console::connect(VncStream::Tcp(tcp), ConsoleOptions { password: Some("s3cret".into()), view_only: false }, Box::new(move |b| {
            let _ = tx.send(b);
        }))
        .await;
        let reason = match opened {
            Err(e) => e.to_string(),
            Ok(console) => {
                // Full refreshes make the server send whole screens until the cut comes.
                let asking = async {
                    while console.send(ConsoleInput::Refresh).await.is_ok() {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    std::future::pending::<()>().await;
                };
                tokio::select! {
                    reason = console.wait_ended() => reason,
                    _ = asking => unreachable!(),
                    _ = tokio::time::sleep(Duration::from_secs(10)) => panic!("cut after {cut} bytes: the console did not end"),
                }
            }
        };
        assert!(reason.contains("server closed the connection"), "cut after {cut} bytes: {reason}");
        println!("server cut after {cut} bytes -> console ended in {:.0} ms: {reason}", t.elapsed().as_secs_f64() * 1e3);
        drop(rx);
    }
    assert_eq!(app.open_consoles(), 0);
}

async fn uuid_of(host: &Host, name: &str) -> String {
    host.list_vms().await.unwrap().into_iter().find(|v| v.name == name).unwrap().uuid
}

fn ssh_spec(sshd: &Sshd) -> SshSpec {
    SshSpec {
        user: "root".into(),
        host: "127.0.0.1".into(),
        port: sshd.port,
        auth: SshAuth::Key,
        key_path: Some(sshd.client_key().display().to_string()),
        read_only: false,
    }
}

async fn until_status(rx: &mut tokio::sync::broadcast::Receiver<HostEvent>, id: &str, what: &str, want: impl Fn(HostStatus, bool) -> bool) -> HostEvent {
    wait::event(rx, what, 60, |e| matches!(e, HostEvent::HostStatus { host_id, status, prompt, .. } if host_id == id && want(*status, prompt.is_some()))).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_through_an_ssh_host_types_and_survives_the_tunnel_dropping() {
    let mut sshd = Sshd::start();
    let data = tempfile::tempdir().unwrap();
    let app = Vireo::start(data.path(), "test").await.unwrap();
    let mut rx = app.subscribe();
    let id = app.add_host_target("server", HostTarget::Ssh { spec: ssh_spec(&sshd) }).await.unwrap().id;
    until_status(&mut rx, &id, "the host-key question", |_, asks| asks).await;
    app.answer_prompt(&id, PromptAnswer::AcceptHostKey { fingerprint: sshd.fingerprint() }).await.unwrap();
    until_status(&mut rx, &id, "connected over SSH", |s, _| s == HostStatus::Connected).await;
    let remote = app.host(&id).unwrap();
    let (vm, uuid, ip, _) = running_guest(&remote, "con-ssh").await;

    let t = Instant::now();
    let (sink, mut s) = screen();
    let console = app.open_console(&id, &uuid, false, sink).await.unwrap();
    until_connected_with_text(&mut s, "the guest's text through the SSH tunnel").await;
    println!("SSH console open -> text on screen {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    keep_screenshot(&app, &console.id, "console-ssh-tty1.png").await;
    let took = type_and_fetch(&app, &console.id, &ip, "typedssh").await;
    println!("SSH: typed a line -> file served after {:.0} ms", took.as_secs_f64() * 1e3);

    // A tunnel to nowhere is refused by name, and the session goes on.
    let e = remote.open_vnc(&vm.name, &VncAddress::Tcp { host: "127.0.0.1".into(), port: 1 }).await.err().expect("nothing listens on port 1");
    assert!(e.to_string().contains("SSH tunnel") && e.to_string().contains(&vm.name), "{e}");
    app.list_vms(&id).await.unwrap();

    // The tunnel drops with sshd: the console says it reconnects, and is back with the host.
    sshd.kill();
    s.until("reconnecting after the tunnel dropped", 30, |s| s.state() == Some(RECONNECTING)).await;
    let t = Instant::now();
    sshd.restart(false);
    let n = s.states.len();
    s.until("connected again through the new session", 90, |s| s.states[n..].iter().any(|st| st.0 == CONNECTED)).await;
    println!("sshd back -> console connected again {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    until_connected_with_text(&mut s, "the screen through the new tunnel").await;
    type_and_fetch(&app, &console.id, &ip, "afterdrop").await;

    app.close_console(&console.id).await.unwrap();
    assert_eq!(app.open_consoles(), 0);
    assert!(!s.states.iter().any(|st| st.0 == CLOSED && st.1.contains("gave up")), "{:?}", s.states);
    drop(vm);
}

/// Connects to a console's WebSocket; the HTTP status when the server refuses.
async fn ws_connect(url: &str) -> Result<tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>, u16> {
    match tokio_tungstenite::connect_async(url).await {
        Ok((ws, _)) => Ok(ws),
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => Err(resp.status().as_u16()),
        Err(e) => panic!("{url}: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_windows_console_socket_carries_the_screen_and_keys_for_its_ticket_only() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;

    let data = tempfile::tempdir().unwrap();
    let app = Vireo::start(data.path(), "test").await.unwrap();
    let id = app.list_hosts()[0].id.clone();
    let host = app.host(&id).unwrap();
    host.wait_first_attempt().await.unwrap();
    let (_vm, uuid, ip, _) = running_guest(&host, "con-ws").await;

    let opened = app.open_console_socket(&id, &uuid, false).await.unwrap();
    let url = opened.socket_url.clone();
    assert!(url.starts_with("ws://127.0.0.1:") && url.contains("/console/"), "{url}");
    // Anything but its ticket is refused before a byte of the screen is sent.
    let (base, ticket) = url.rsplit_once('/').unwrap();
    assert_eq!(ticket.len(), 32, "a 128-bit ticket: {url}");
    assert_eq!(ws_connect(&format!("{base}/{}", "0".repeat(32))).await.err(), Some(403));
    assert_eq!(ws_connect(&format!("{base}/")).await.err(), Some(403));

    // The page's connection: the records (queued since the open) arrive as binary
    // messages and draw the guest's screen.
    let ws = ws_connect(&url).await.expect("the console's own ticket");
    let (mut keys, mut records) = ws.split();
    let (sink, mut s) = screen();
    let reader = tokio::spawn(async move {
        while let Some(Ok(msg)) = records.next().await {
            if let Message::Binary(buf) = msg {
                sink(buf.to_vec());
            }
        }
    });
    until_connected_with_text(&mut s, "the guest's text through the socket").await;
    // The ticket is spent: a second connection with it is refused.
    assert_eq!(ws_connect(&url).await.err(), Some(403), "a ticket works once");

    // Keys as the page sends them (JSON text, in order) type a line the guest serves.
    let t = Instant::now();
    for c in "echo socket > /www/socket.html\n".chars() {
        let (k, code, shift) = key_of(c);
        let mut inputs = vec![ConsoleInput::Key { key: k.clone(), code: code.clone(), down: true }, ConsoleInput::Key { key: k, code, down: false }];
        if shift {
            inputs.insert(0, ConsoleInput::Key { key: "Shift".into(), code: "ShiftLeft".into(), down: true });
            inputs.push(ConsoleInput::Key { key: "Shift".into(), code: "ShiftLeft".into(), down: false });
        }
        for input in inputs {
            keys.send(Message::text(serde_json::to_string(&input).unwrap())).await.unwrap();
        }
    }
    let answer = wait::http_until(&ip, "/socket.html", 30, "the line typed through the socket", |a| a.contains(" 200 ")).await;
    assert_eq!(answer.rsplit("\r\n\r\n").next().unwrap().trim(), "socket", "{answer}");
    println!("typed through the socket -> file served after {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    // Input the console does not understand is dropped, not fatal.
    keys.send(Message::text("{\"type\":\"teleport\"}")).await.unwrap();

    // Closing the console ends its socket.
    app.close_console(&opened.info.id).await.unwrap();
    tokio::time::timeout(Duration::from_secs(10), reader).await.expect("the socket ends with the console").unwrap();
    s.pump();
    assert_eq!(s.state(), Some(CLOSED), "the last record says it closed: {:?}", s.states);

    // A console closed before its page connected: its ticket is gone too.
    let unused = app.open_console_socket(&id, &uuid, false).await.unwrap();
    app.close_console(&unused.info.id).await.unwrap();
    assert_eq!(ws_connect(&unused.socket_url).await.err(), Some(403));
    assert_eq!(app.open_consoles(), 0);
}
