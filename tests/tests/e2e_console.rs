//! End to end: the VNC console in the real window. The test guest's tty1 shell is on its
//! VGA console: the window opens the console, draws the guest's text on its canvas
//! (screenshots under target/e2e/), takes a shell line typed at the keyboard (then
//! fetched from the guest's httpd), sends Ctrl+Alt+Del from its menu (the guest reboots),
//! and comes back by itself when the VM is restarted; then all of it again through an SSH
//! host (sshd on 127.0.0.1, saved with the CLI as a person would), whose console goes
//! through a direct-tcpip channel of the host's one SSH session.

use std::time::Instant;

use vireo_core::{VmAction, VmRef};
use vireo_host::{Host, HostOptions};
use vireo_tests::webdriver::Session;
use vireo_tests::sshd::Sshd;
use vireo_tests::window::{pick_host, save_local_host, save_ssh_host, shots_dir, wait_state, wait_until, Driver, FreshHome, Xvfb};
use vireo_tests::{fresh_binary, guest_fixture, guest_spec, unique_mac, unique_name, wait, TestDomain};

const ENTER: &str = "\u{E007}";

/// The console's `data-state`.
fn console_state(s: &Session) -> String {
    let el = s.wait_for("[data-testid=\"console-state\"]", 10).unwrap();
    s.attribute(&el, "data-state").unwrap().unwrap_or_default()
}

fn wait_console_state(s: &Session, want: &str, secs: u64) {
    wait_until(&format!("console {want}"), secs, || console_state(s) == want);
}

/// Lit (not black) pixels on the console's canvas, read back from the page.
fn lit_pixels(s: &Session) -> u64 {
    s.execute(
        "const c = document.querySelector('[data-testid=\"console-canvas\"]');
         if (!c || !c.width) return 0;
         const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
         let n = 0;
         for (let i = 0; i < d.length; i += 4) if (d[i] > 40 || d[i + 1] > 40 || d[i + 2] > 40) n++;
         return n;",
        serde_json::json!([]),
    )
    .ok()
    .and_then(|v| v.as_u64())
    .unwrap_or(0)
}

fn rects(s: &Session) -> u64 {
    let el = s.wait_for("[data-testid=\"console-canvas\"]", 10).unwrap();
    s.attribute(&el, "data-rects").unwrap().and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// The keys of a shell line on a US keyboard, Shift held where a person holds it.
fn line_keys(line: &str) -> Vec<(String, bool)> {
    let mut keys: Vec<(String, bool)> = line.chars().map(|c| (c.to_string(), c == '>')).collect();
    keys.push((ENTER.to_owned(), false));
    keys
}

/// The whole round on one host: open, text, a typed line served by the guest, Ctrl+Alt+Del
/// from the menu, the VM restarted outside the window and the console back by itself.
/// Screenshots are named `console-<tag>-*.png`.
fn console_round(s: &Session, rt: &tokio::runtime::Runtime, host: &Host, name: &str, ip: &str, tag: &str) {
    wait_state(s, name, "running", 30);
    // Open the console from the VM's row: the guest's text is drawn on the canvas.
    let t = Instant::now();
    s.click(&s.wait_for(&format!("tr[data-vm=\"{name}\"] [data-testid=\"vm-console\"]"), 10).unwrap()).unwrap();
    wait_console_state(s, "connected", 30);
    wait_until("the guest's text on the canvas", 30, || lit_pixels(s) > 300);
    let canvas = s.wait_for("[data-testid=\"console-canvas\"]", 5).unwrap();
    let (w, h) = (s.attribute(&canvas, "data-width").unwrap(), s.attribute(&canvas, "data-height").unwrap());
    println!("{tag}: click on Console -> guest text on the canvas: {:.0} ms ({}x{})", t.elapsed().as_secs_f64() * 1e3, w.unwrap_or_default(), h.unwrap_or_default());
    std::fs::write(shots_dir().join(format!("console-{tag}-tty1.png")), s.screenshot().unwrap()).unwrap();

    // Type a shell line at the keyboard; the guest's httpd serves what it wrote.
    s.click(&canvas).unwrap();
    let keys = line_keys(&format!("echo typed {tag} > /www/typed.html"));
    let t = Instant::now();
    s.press_keys(&keys.iter().map(|(k, sh)| (k.as_str(), *sh)).collect::<Vec<_>>()).unwrap();
    let answer = rt.block_on(wait::http_until(ip, "/typed.html", 30, "the line typed in the window", |a| a.contains(" 200 ")));
    assert_eq!(answer.rsplit("\r\n\r\n").next().unwrap().trim(), format!("typed {tag}"), "{answer}");
    println!("{tag}: typed {} keys in the window -> file served by the guest: {:.0} ms", keys.len(), t.elapsed().as_secs_f64() * 1e3);
    std::fs::write(shots_dir().join(format!("console-{tag}-typed.png")), s.screenshot().unwrap()).unwrap();

    // Ctrl+Alt+Del from the send-keys menu: the guest reboots (its /www is in RAM).
    s.click(&s.wait_for("[data-testid=\"console-sendkeys\"]", 5).unwrap()).unwrap();
    s.click(&s.wait_for("[data-testid=\"console-combo-ctrl-alt-del\"]", 5).unwrap()).unwrap();
    rt.block_on(wait::http_until(ip, "/typed.html", 90, "the guest rebooting on Ctrl+Alt+Del", |a| a.contains(" 404 ")));
    println!("{tag}: Ctrl+Alt+Del from the menu: the guest rebooted");

    // The VM restarted outside the window: the console says it reconnects, then is back.
    let before = rects(s);
    rt.block_on(host.vm_action(&VmRef::Name(name.to_owned()), VmAction::Destroy)).unwrap();
    wait_console_state(s, "reconnecting", 30);
    let t = Instant::now();
    rt.block_on(host.vm_action(&VmRef::Name(name.to_owned()), VmAction::Start)).unwrap();
    wait_console_state(s, "connected", 60);
    wait_until("the screen drawn again", 60, || rects(s) > before && lit_pixels(s) > 300);
    println!("{tag}: VM started again -> console connected and drawn: {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    std::fs::write(shots_dir().join(format!("console-{tag}-back.png")), s.screenshot().unwrap()).unwrap();

    // Close: the console's tab goes away.
    s.click(&s.wait_for("[data-testid=\"console-close\"]", 5).unwrap()).unwrap();
    wait_until("the console closed", 10, || {
        s.execute("return document.querySelector('[data-testid=\"console-view\"]') === null", serde_json::json!([])).is_ok_and(|v| v.as_bool() == Some(true))
    });
    // The guest's shell and httpd are up again before the next round types into it.
    rt.block_on(wait::http_get(ip, 60));
}

#[test]
fn e2e_console_shows_the_guest_types_a_line_sends_ctrl_alt_del_and_comes_back_locally_and_through_ssh() {
    let app = fresh_binary("vireo-desktop", "vireo-desktop");
    let cli = fresh_binary("vireo-cli", "vireo");
    let fixture = guest_fixture();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let host = rt.block_on(Host::connect("e2e", "qemu:///system", HostOptions::default())).expect("libvirtd");
    let (name, mac) = (unique_name("e2e-con"), unique_mac());
    let _vm = rt.block_on(TestDomain::define(&host, &guest_spec(&name, &mac, &fixture, false)));
    rt.block_on(host.vm_action(&VmRef::Name(name.clone()), VmAction::Start)).unwrap();
    let ip = rt.block_on(wait::lease(&host, "default", &mac, 90)).ip;
    rt.block_on(wait::http_get(&ip, 60));

    // This machine as a remote host too: sshd on 127.0.0.1, saved with its key accepted.
    let sshd = Sshd::start();
    let home = FreshHome::new();
    save_local_host(&cli, &home);
    save_ssh_host(&cli, &home, "lab-ssh", &sshd, sshd.port);

    let xvfb = Xvfb::start(&shots_dir());
    let driver = Driver::start(&xvfb, &home, &[]);
    let s = driver.session(&app);
    pick_host(&s, "Local");
    s.wait_for(&format!("tr[data-vm=\"{name}\"]"), 60).unwrap();
    console_round(&s, &rt, &host, &name, &ip, "local");

    pick_host(&s, "lab-ssh");
    s.wait_for(&format!("tr[data-vm=\"{name}\"]"), 60).expect("the VM listed through SSH");
    console_round(&s, &rt, &host, &name, &ip, "ssh");

    s.end();
    drop(driver);
    drop(xvfb);
}
