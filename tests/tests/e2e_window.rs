//! End to end: the real Tauri window under Xvfb, driven by tauri-driver + WebKitWebDriver,
//! against the real libvirtd and the test guest.
//!
//! Needs (scripts/test.sh provides them): Xvfb, tauri-driver, WebKitWebDriver, and
//! `ui/dist` built (`npm run build:ui`); the app and the CLI are built fresh by the test.

use std::process::Command;
use std::time::{Duration, Instant};

use vireo_core::{VmAction, VmRef};
use vireo_host::{Host, HostOptions};
use vireo_tests::daemon::{start_libvirtd, stop_libvirtd, RestartOnDrop};
use vireo_tests::window::{shots_dir, wait_state, wait_until, Driver, FreshHome, Xvfb};
use vireo_tests::{fresh_binary, guest_fixture, guest_spec, unique_mac, unique_name, workspace_root, TestDomain};

#[test]
fn e2e_start_a_vm_from_the_window_and_see_live_state() {
    let app = fresh_binary("vireo-desktop", "vireo-desktop");
    let cli = fresh_binary("vireo-cli", "vireo");
    let fixture = guest_fixture();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let host = rt.block_on(Host::connect("e2e", "qemu:///system", HostOptions::default())).expect("libvirtd");
    let (name, mac) = (unique_name("e2e"), unique_mac());
    let _vm = rt.block_on(TestDomain::define(&host, &guest_spec(&name, &mac, &fixture, false)));
    // A VM named as virsh allows and Vireo would not: space, CJK, '+'.
    let odd = format!("vireo e2e 名字+{}", std::process::id());
    let _odd_vm = rt.block_on(TestDomain::define_odd(&host, &odd));

    // A private display, and the app with a fresh home: Vireo's database (no
    // VIREO_DATA_DIR: the default place, shared with the CLI below) and WebKit's profile
    // (localStorage keeps the chosen language) are under its XDG directories, so every run
    // is a first start.
    let xvfb = Xvfb::start(&shots_dir());
    let home = FreshHome::new();
    let driver = Driver::start(&xvfb, &home, &[]);
    // tauri-driver accepts connections before it can always start a session: retried briefly.
    let s = driver.session(&app);
    println!("session {}", s.id());

    // First start added the local host; the guest is listed, shut off.
    let host_el = s.wait_for("[data-host-id]", 60).unwrap();
    let first_host = s.property(&host_el, "textContent").unwrap().unwrap_or_default();
    assert!(first_host.contains("Local"), "the local host is in the sidebar, not: {first_host}");
    s.wait_for("[data-testid=\"vm-table\"]", 30).unwrap();
    s.wait_for(&format!("tr[data-vm=\"{name}\"]"), 30).unwrap();
    wait_state(&s, &name, "shut_off", 10);

    // Start from the window: the badge turns to running with no reload by the test.
    let start = s.wait_for(&format!("tr[data-vm=\"{name}\"] [data-action=\"start\"]"), 10).unwrap();
    s.click(&start).unwrap();
    let took = wait_state(&s, &name, "running", 30);
    println!("click on Start -> badge 'running': {:.0} ms", took.as_secs_f64() * 1e3);
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(shots_dir().join("vm-running.png"), s.screenshot().unwrap()).unwrap();

    // A change made elsewhere (virsh, another tool) reaches the window through libvirt's
    // lifecycle event.
    let t = Instant::now();
    rt.block_on(host.vm_action(&VmRef::Name(name.clone()), VmAction::Suspend)).unwrap();
    let took = wait_state(&s, &name, "paused", 10);
    println!("suspend outside the app -> badge 'paused': {:.0} ms (from the call: {:.0} ms)", took.as_secs_f64() * 1e3, t.elapsed().as_secs_f64() * 1e3);
    rt.block_on(host.vm_action(&VmRef::Name(name.clone()), VmAction::Destroy)).unwrap();
    wait_state(&s, &name, "shut_off", 10);

    // The odd name is driven from the window like any other: Start, then Force off, which
    // asks first.
    wait_state(&s, &odd, "shut_off", 10);
    s.click(&s.wait_for(&format!("tr[data-vm=\"{odd}\"] [data-action=\"start\"]"), 10).unwrap()).unwrap();
    wait_state(&s, &odd, "running", 30);
    s.click(&s.wait_for(&format!("tr[data-vm=\"{odd}\"] [data-action=\"destroy\"]"), 10).unwrap()).unwrap();
    s.click(&s.wait_for("[data-testid=\"confirm-ok\"]", 5).unwrap()).unwrap();
    wait_state(&s, &odd, "shut_off", 30);
    println!("{odd:?}: started and forced off from the window");

    // The CLI, with no VIREO_DATA_DIR and the same home, writes to the app's history.
    let out = Command::new(&cli)
        .args(["-c", "qemu:///system", "vm", "start", &odd])
        .env_remove("VIREO_DATA_DIR")
        .envs(home.env())
        .output()
        .unwrap();
    assert!(out.status.success(), "vireo vm start {odd:?}: {}", String::from_utf8_lossy(&out.stderr));
    wait_state(&s, &odd, "running", 30);
    rt.block_on(host.vm_action(&VmRef::Name(odd.clone()), VmAction::Destroy)).unwrap();
    wait_state(&s, &odd, "shut_off", 10);

    // Saved hosts from the window. A malformed URI is refused in the dialog, naming the
    // problem, and nothing is saved; an unreachable one is saved and shows why it is down.
    let before = s.execute("return document.querySelectorAll('[data-host-id]').length", serde_json::json!([])).unwrap();
    s.click(&s.wait_for("[data-testid=\"add-host\"]", 10).unwrap()).unwrap();
    let name_input = s.wait_for("[data-testid=\"host-name-input\"]", 5).unwrap();
    // The dialog opens on SSH; the expert's URI is its own kind.
    s.click(&s.wait_for("[data-testid=\"host-kind-uri\"]", 5).unwrap()).unwrap();
    let uri_input = s.wait_for("[data-testid=\"host-uri-input\"]", 5).unwrap();
    s.type_text(&name_input, "Lab").unwrap();
    s.type_text(&uri_input, "lab-server").unwrap();
    s.click(&s.wait_for("[data-testid=\"add-host-submit\"]", 5).unwrap()).unwrap();
    let refusal = s.wait_for("[data-testid=\"add-host-error\"]", 10).and_then(|el| s.property(&el, "textContent")).unwrap();
    assert!(refusal.unwrap_or_default().contains("no scheme"), "the dialog says what is wrong with the URI");
    std::fs::write(shots_dir().join("add-host-refused.png"), s.screenshot().unwrap()).unwrap();
    s.clear(&uri_input).unwrap();
    s.type_text(&uri_input, "qemu+tcp://127.0.0.1:1/system").unwrap();
    s.click(&s.wait_for("[data-testid=\"add-host-submit\"]", 5).unwrap()).unwrap();
    let mut why = String::new();
    wait_until("the unreachable host's reason in the sidebar", 20, || {
        why = s.wait_for("[data-host-id][data-status=\"disconnected\"] [data-testid=\"host-error\"]", 1)
            .and_then(|el| s.property(&el, "textContent"))
            .ok()
            .flatten()
            .unwrap_or_default();
        why.contains("Connection refused")
    });
    println!("unreachable host added, the sidebar says: {why}");
    std::fs::write(shots_dir().join("host-unreachable.png"), s.screenshot().unwrap()).unwrap();
    // Removing it asks first, then forgets it.
    s.click(&s.wait_for("[data-testid=\"remove-host\"]", 5).unwrap()).unwrap();
    s.click(&s.wait_for("[data-testid=\"confirm-ok\"]", 5).unwrap()).unwrap();
    wait_until("the removed host to leave the sidebar", 10, || {
        s.execute("return document.querySelectorAll('[data-host-id]').length", serde_json::json!([])).ok() == Some(before.clone())
    });

    // Every change made above is in the history view.
    s.click(&s.wait_for("[data-testid=\"show-history\"]", 5).unwrap()).unwrap();
    let table = s.wait_for("[data-testid=\"history-table\"]", 10).unwrap();
    let mut text = String::new();
    wait_until("history rows for the changes", 10, || {
        text = s.property(&table, "textContent").ok().flatten().unwrap_or_default();
        text.contains(&name) && text.contains("qemu+tcp://127.0.0.1:1/system") && text.contains(&odd)
    });
    // Exactly what the store holds, read through the CLI from the same default place:
    // the guest's start, the odd VM's start and force off, the refused and the accepted
    // host, its removal (all from the window), and the odd VM's start from the CLI.
    let out = Command::new(&cli)
        .args(["history", "--json"])
        .env_remove("VIREO_DATA_DIR")
        .envs(home.env())
        .output()
        .unwrap();
    let stored: serde_json::Value = serde_json::from_slice(&out.stdout).expect("vireo history --json");
    let stored = stored.as_array().unwrap();
    let mut summary: Vec<(String, String, String)> = stored
        .iter()
        .map(|e| (e["actor"].as_str().unwrap().to_owned(), e["action"].as_str().unwrap().to_owned(), e["target"].as_str().unwrap().to_owned()))
        .collect();
    summary.sort();
    let mut want: Vec<(String, String, String)> = [
        ("app", "add_host", "lab-server"),
        ("app", "add_host", "qemu+tcp://127.0.0.1:1/system"),
        ("app", "destroy", odd.as_str()),
        ("app", "remove_host", "Lab"),
        ("app", "start", name.as_str()),
        ("app", "start", odd.as_str()),
        ("cli", "start", odd.as_str()),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    want.sort();
    assert_eq!(summary, want, "the store holds the window's and the CLI's changes");
    let rows = s.execute("return document.querySelectorAll('tr[data-history-id]').length", serde_json::json!([])).unwrap();
    assert_eq!(rows, serde_json::json!(stored.len()), "the history view shows every stored change");
    println!("history shows {rows} entries, the CLI's among them");
    // No screenshot here nor in Chinese below: after this sequence WebKitWebDriver's
    // snapshot call stops answering (the page itself still answers scripts); driven by hand
    // the same views snapshot fine. A driver issue to chase; the checks above stand.
    s.click(&s.wait_for("[data-testid=\"show-vms\"]", 5).unwrap()).unwrap();
    s.wait_for(&format!("tr[data-vm=\"{name}\"]"), 10).unwrap();

    // libvirtd stops: the sidebar says so with the reason, and recovers when it returns.
    let _restart = RestartOnDrop;
    stop_libvirtd();
    // The host flips between "connecting" (each retry) and "disconnected" (with the
    // reason), so read the reason while it is shown.
    let mut why = String::new();
    wait_until("a reason shown for the disconnected host", 30, || {
        why = s.wait_for("[data-host-id][data-status=\"disconnected\"] [data-testid=\"host-error\"]", 1)
            .and_then(|el| s.property(&el, "textContent"))
            .ok()
            .flatten()
            .unwrap_or_default();
        !why.trim().is_empty()
    });
    println!("host disconnected, the sidebar says: {why}");
    // Its VMs are stale: marked so, with every action disabled (not "Shut off" + Start).
    let stale = format!("tr[data-vm=\"{name}\"][data-stale=\"true\"]");
    s.wait_for(&stale, 10).expect("the VM row is marked stale while its host is down");
    let enabled = s
        .execute(
            "return [...document.querySelectorAll('tr[data-vm] [data-action]')].filter(b => !b.disabled).length",
            serde_json::json!([]),
        )
        .unwrap();
    assert_eq!(enabled, serde_json::json!(0), "no action is enabled on a disconnected host's VMs");
    std::fs::write(shots_dir().join("libvirtd-stopped.png"), s.screenshot().unwrap()).unwrap();
    start_libvirtd();
    s.wait_for("[data-host-id][data-status=\"connected\"]", 60).unwrap();
    s.wait_for(&format!("tr[data-vm=\"{name}\"]:not([data-stale])"), 30).unwrap();

    // The window in Chinese: the language picker re-renders every label through the
    // translation layer (the state badge is checked against ui/src/locales/zh.json).
    let zh: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(workspace_root().join("ui/src/locales/zh.json")).unwrap()).unwrap();
    let picker = s.wait_for("select[data-testid=\"language\"]", 10).unwrap();
    s.click(&picker).unwrap();
    let zh_option = s.wait_for("select[data-testid=\"language\"] option[value=\"zh\"]", 5).unwrap();
    s.click(&zh_option).unwrap();
    let badge_css = format!("tr[data-vm=\"{name}\"] [data-testid=\"vm-state\"]");
    let mut label = String::new();
    wait_until("the state badge in Chinese", 10, || {
        let Ok(badge) = s.wait_for(&badge_css, 1) else { return false };
        let state = s.attribute(&badge, "data-state").ok().flatten().unwrap_or_default();
        label = s.text(&badge).unwrap_or_default();
        zh[format!("state.{state}")].as_str() == Some(label.as_str())
    });
    let lang = s.execute("return document.documentElement.lang", serde_json::json!([])).unwrap();
    let picked = s
        .execute("const p = document.querySelector('select[data-testid=language]'); return p.value + ' ' + p.selectedOptions[0].text", serde_json::json!([]))
        .unwrap();
    assert_eq!(picked, "zh 中文", "the picker shows the chosen language");
    assert_eq!(lang, "zh-CN", "<html lang> follows the language (fonts, screen readers)");
    println!("language switched: badge reads {label}, <html lang={lang}>, picker shows {picked}");
    let en_option = s.wait_for("select[data-testid=\"language\"] option[value=\"en\"]", 5).unwrap();
    s.click(&picker).unwrap();
    s.click(&en_option).unwrap();

    s.end();
}
