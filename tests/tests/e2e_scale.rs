//! End to end at scale: the real window (debug build, tauri-driver + WebKitWebDriver
//! under Xvfb) with 2000 VMs on the real libvirtd. The first rows appear, the virtualised
//! table scrolls to the last VM, the filter finds it, and a VM started outside the app
//! (`virsh start`) turns to running in its row with no refresh.
//!
//! Timings are printed, never asserted (run with `--nocapture` to see them). Needs what
//! e2e_window needs (scripts/test.sh provides it): Xvfb, tauri-driver, WebKitWebDriver,
//! `ui/dist` built (`npm run build:ui`).

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;
use vireo_host::{Host, HostOptions};
use vireo_tests::procs;
use vireo_tests::webdriver::Session;
use vireo_tests::window::{epoch_ms, shots_dir, wait_state, wait_until, Driver, FreshHome, LogTail, Xvfb};
use vireo_tests::{fresh_binary, DomainBatch};

const URI: &str = "qemu:///system";
const VMS: usize = 2000;

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

fn shot(s: &Session, name: &str) {
    match s.screenshot() {
        Ok(png) => std::fs::write(shots_dir().join(name), png).unwrap(),
        Err(e) => println!("no screenshot {name}: {e}"),
    }
}

/// The VM names the table has in the DOM now (a virtualised table holds only a window).
fn rendered(s: &Session) -> Vec<String> {
    let v = s
        .execute("return [...document.querySelectorAll('tr[data-vm]')].map(r => r.dataset.vm)", json!([]))
        .unwrap_or_default();
    v.as_array().map(|a| a.iter().filter_map(|n| n.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

#[test]
fn e2e_2000_vms_first_rows_scroll_filter_and_live_state() {
    let app = fresh_binary("vireo-desktop", "vireo-desktop");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let host = rt.block_on(Host::connect("e2e-scale", URI, HostOptions::default())).expect("libvirtd");
    // Removed when the test ends, pass or fail (one virsh session for all).
    let mut batch = DomainBatch::new(URI, "vireo-scale");
    let took = rt.block_on(batch.grow_to(&host, VMS, 8));
    println!("defined {VMS} domains in {:.1} s", took.as_secs_f64());
    let last = batch.name(VMS - 1);

    let xvfb = Xvfb::start(&shots_dir());
    let home = FreshHome::new();
    let driver = Driver::start(&xvfb, &home, &[("VIREO_LOG", "info"), ("NO_COLOR", "1")]);
    let mut log = LogTail::new(&shots_dir().join("tauri-driver.log"));
    log.lines(); // what tauri-driver said before the app started
    let (launch, launch_ms) = (Instant::now(), epoch_ms());
    let s = driver.session(&app);
    let session_took = launch.elapsed();

    // The first start adds the local host and lists its VMs: the first screen of rows.
    // Other domains may be on the host (they sort where they sort): the first screen is
    // whatever comes first, and the table must count at least the batch.
    s.wait_for("tr[data-vm]", 120).expect("the first rows of the VM table");
    let first_rows = launch.elapsed();
    let mut count = 0;
    wait_until(&format!("the table to count the {VMS} VMs"), 60, || {
        count = s
            .execute("return Number(document.querySelector('[data-testid=\"vm-table\"]').getAttribute('aria-rowcount'))", json!([]))
            .ok()
            .and_then(|v| v.as_u64())
            .unwrap_or(0);
        count > VMS as u64
    });
    let in_dom = rendered(&s);
    let top = in_dom.first().cloned().expect("a first row");
    println!(
        "launch -> first rows seen through WebDriver: {} (session up after {}); {} rows in the DOM",
        ms(first_rows),
        ms(session_took),
        in_dom.len()
    );
    // The UI's own first-rows mark (ms after navigation start), once it has painted them;
    // and the app's log line of it, where the app's stderr reaches tauri-driver's log.
    let mut painted = serde_json::Value::Null;
    for _ in 0..50 {
        painted = s.execute("return document.documentElement.dataset.firstRows ?? null", json!([])).unwrap_or_default();
        if !painted.is_null() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let painted = painted.as_str().map(str::to_owned).unwrap_or_else(|| painted.to_string());
    println!("the UI's first-rows mark: {painted} ms after navigation start");
    for mark in log.marks() {
        println!("app's mark {}: {} ms after its launch (spawn -> mark {})", mark.name, mark.ms, mark.since(launch_ms).map(ms).unwrap_or_default());
    }
    assert!(in_dom.len() < VMS, "the table is virtualised: not all {VMS} rows are in the DOM ({} are)", in_dom.len());
    shot(&s, "scale-first-rows.png");

    // Scroll the table's container to the bottom: the list's last row is rendered (the
    // header is row 1, so the last row's aria-rowindex is the table's aria-rowcount).
    s.wait_for("[data-testid=\"vm-scroll\"]", 10).expect("the VM table's scroll container");
    let t = Instant::now();
    let geometry = s
        .execute(
            "const el = document.querySelector('[data-testid=\"vm-scroll\"]'); \
             el.scrollTop = el.scrollHeight; \
             return [el.scrollTop, el.scrollHeight, el.clientHeight];",
            json!([]),
        )
        .unwrap();
    s.wait_for(&format!("tr[data-vm][aria-rowindex=\"{count}\"]"), 30)
        .unwrap_or_else(|e| panic!("row {count} (the last) after scrolling to the end ({geometry}): {e}"));
    println!("scroll to the end -> the last of {} rows rendered: {} (scrollTop, scrollHeight, clientHeight: {geometry})", count - 1, ms(t.elapsed()));
    let in_dom = rendered(&s);
    assert!(!in_dom.contains(&top), "scrolled away, the first row ({top}) left the DOM: {} rows there", in_dom.len());
    shot(&s, "scale-scrolled-to-end.png");

    // The filter finds the last VM: only matching rows show. Typed a key at a time, each
    // key's answer timed by the page itself (input event -> its result painted).
    let filter = s.wait_for("input[data-testid=\"vm-filter\"]", 10).expect("the VM filter input");
    let t = Instant::now();
    s.click(&filter).unwrap();
    let mut key_ms = Vec::new();
    for (i, c) in last.chars().enumerate() {
        s.type_text(&filter, &c.to_string()).unwrap();
        let mut answer = String::new();
        wait_until(&format!("the page's answer to key {} of '{last}'", i + 1), 10, || {
            let v = s
                .execute(
                    "const d = document.documentElement.dataset; return [d.filterCount ?? '0', d.filterMs ?? ''];",
                    json!([]),
                )
                .unwrap();
            let done = v[0].as_str().and_then(|n| n.parse::<usize>().ok()).unwrap_or(0) > i;
            answer = v[1].as_str().unwrap_or("").to_owned();
            done
        });
        key_ms.push(answer.parse::<f64>().unwrap_or(f64::NAN));
    }
    let mut shown = Vec::new();
    wait_until(&format!("only {last} listed after typing it in the filter"), 30, || {
        shown = rendered(&s);
        shown == [last.clone()]
    });
    println!("type '{last}' in the filter -> only its row: {}", ms(t.elapsed()));
    let mut sorted = key_ms.clone();
    sorted.sort_by(f64::total_cmp);
    println!(
        "filter, {VMS} VMs, per keystroke (input event -> result painted, by the page's clock): median {:.1} ms, max {:.1} ms; each: {:?}",
        sorted[sorted.len() / 2],
        sorted[sorted.len() - 1],
        key_ms
    );
    shot(&s, "scale-filtered.png");

    // Started outside the app: its row turns to running through libvirt's event.
    wait_state(&s, &last, "shut_off", 10);
    let t = Instant::now();
    let out = Command::new("virsh").args(["-q", "-c", URI, "start", &last]).output().expect("run virsh");
    assert!(out.status.success(), "virsh start {last}: {}", String::from_utf8_lossy(&out.stderr));
    let virsh_took = t.elapsed();
    let badge = wait_state(&s, &last, "running", 60);
    println!("virsh start {last} ({}) -> badge 'running' {} later", ms(virsh_took), ms(badge));
    shot(&s, "scale-started.png");

    // What the app holds with 2000 VMs: its process and WebKit's (tauri-driver starts
    // WebKitWebDriver, which starts the app).
    if let Some(pid) = procs::find_in_tree(driver.pid(), "vireo-desktop") {
        let tree = procs::tree(pid);
        let pss: u64 = tree.iter().map(|p| p.pss_kib).sum();
        let parts: Vec<String> = tree.iter().map(|p| format!("{} {:.0} MiB", p.name, p.pss_kib as f64 / 1024.0)).collect();
        println!("app PSS with {VMS} VMs: {:.0} MiB ({})", pss as f64 / 1024.0, parts.join(", "));
    }

    s.end();
    drop(driver);
    drop(xvfb);
    let t = Instant::now();
    drop(batch);
    println!("removed {VMS} domains in {:.1} s", t.elapsed().as_secs_f64());
}
