//! The `vireo` CLI over the same core: JSON listing, actions, clear errors and exit codes.

use std::process::{Command, Output};

use vireo_tests::workspace_root;

fn vireo(args: &[&str]) -> Output {
    let data = tempfile::tempdir().unwrap();
    vireo_in(data.path(), args)
}

/// Runs the CLI with its database (for history) in `data`.
fn vireo_in(data: &std::path::Path, args: &[&str]) -> Output {
    let bin = workspace_root().join("target/debug/vireo");
    assert!(bin.exists(), "build the CLI first: cargo build -p vireo-cli");
    Command::new(bin).args(args).env("VIREO_DATA_DIR", data).output().expect("run vireo")
}

#[test]
fn lists_the_demo_hypervisor_as_json() {
    let out = vireo(&["--connect", "test:///default", "vm", "list", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let vms: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let vm = &vms[0];
    assert_eq!(vm["name"], "test");
    assert_eq!(vm["state"], "running");
    assert_eq!(vm["vcpus"], 2);
}

#[test]
fn default_connection_is_the_local_daemon_when_it_runs() {
    let out = vireo(&["vm", "list"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("NAME"));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("demo"), "libvirtd runs, so no demo fallback");
}

#[test]
fn missing_vm_is_a_clear_error_with_exit_status_1() {
    let out = vireo(&["-c", "test:///default", "vm", "start", "ghost"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no VM named 'ghost'"), "{err}");
    assert!(err.contains("hint:"), "{err}");

    let out = vireo(&["-c", "test:///default", "--json", "vm", "start", "ghost"]);
    let payload: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(payload["code"], "vm_not_found");
}

#[test]
fn actions_change_state_on_the_demo_hypervisor() {
    // Each process gets its own fresh test:///default, so this changes nothing shared.
    let out = vireo(&["-c", "test:///default", "vm", "suspend", "test"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = vireo(&["-c", "test:///default", "vm", "start", "test"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("it is running"));
}

#[test]
fn cli_changes_are_recorded_in_the_apps_history() {
    let data = tempfile::tempdir().unwrap();
    assert!(vireo_in(data.path(), &["-c", "test:///default", "vm", "suspend", "test"]).status.success());
    assert_eq!(vireo_in(data.path(), &["-c", "test:///default", "vm", "start", "ghost"]).status.code(), Some(1));
    let store = vireo_store::Store::open(&data.path().join("vireo.db")).unwrap();
    let h = store.history(10).unwrap();
    let got: Vec<(&str, &str, &str, bool)> =
        h.iter().map(|e| (e.actor.as_str(), e.action.as_str(), e.target.as_str(), e.ok)).collect();
    assert_eq!(got, [("cli", "start", "ghost", false), ("cli", "suspend", "test", true)]);
    assert_eq!(h[1].host, "test:///default");

    let out = vireo_in(data.path(), &["history", "--json"]);
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed[0]["action"], "start");
    assert_eq!(listed[0]["ok"], false);
    let out = vireo_in(data.path(), &["history"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().next().unwrap().contains("failed: no VM named 'ghost'"), "{text}");
}

#[test]
fn unreachable_uri_exits_1_and_says_why() {
    let out = vireo(&["-c", "qemu+tcp://127.0.0.1:1/system", "vm", "list"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Connection refused"));
}

#[test]
fn usage_errors_exit_2() {
    let out = vireo(&["vm", "explode", "x"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn events_follow_lifecycle_changes_as_json_lines() {
    use std::io::{BufRead, BufReader};

    let bin = workspace_root().join("target/debug/vireo");
    let mut child = Command::new(bin)
        .args(["-c", "qemu:///system", "--json", "vm", "events"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Lines arrive on a channel so a missing event fails the test instead of hanging it.
    let (tx, lines) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let rt = tokio::runtime::Runtime::new().unwrap();
    let host = rt.block_on(vireo_host::Host::connect("t", "qemu:///system", Default::default())).unwrap();
    let name = vireo_tests::unique_name("events");
    let spec = vireo_host::xml::DomainSpec::new(&name, vireo_host::DomainKind::Qemu);
    // Define until the watcher has surely subscribed (it prints nothing before the first event).
    std::thread::sleep(std::time::Duration::from_millis(500));
    let vm = rt.block_on(vireo_tests::TestDomain::define(&host, &spec));
    rt.block_on(host.undefine_vm(&name)).unwrap();
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let line = lines.recv_timeout(std::time::Duration::from_secs(30)).expect("an event line within 30 s");
        let ev: serde_json::Value = serde_json::from_str(&line).unwrap();
        if ev["name"] == name.as_str() {
            seen.push(ev["event"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(seen, ["defined", "undefined"]);
    let _ = child.kill();
    let _ = child.wait();
    drop(vm);
}
