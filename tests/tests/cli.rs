//! The `vireo` CLI over the same core: JSON listing, actions, clear errors and exit codes.

use std::process::{Command, Output};

use vireo_core::VmRef;

fn vireo(args: &[&str]) -> Output {
    let data = tempfile::tempdir().unwrap();
    vireo_in(data.path(), args)
}

/// Runs the CLI with its database (for history) in `data`.
fn vireo_in(data: &std::path::Path, args: &[&str]) -> Output {
    let bin = vireo_tests::fresh_binary("vireo-cli", "vireo");
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


    let bin = vireo_tests::fresh_binary("vireo-cli", "vireo");
    let mut child = Command::new(bin)
        .args(["-c", "qemu:///system", "--json", "vm", "events"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The watcher says on stderr when it has subscribed; wait for that, not a guess.
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut ready = String::new();
    stderr.read_line(&mut ready).unwrap();
    assert!(ready.contains("following events"), "the watcher announces it is ready: {ready:?}");
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
    let vm = rt.block_on(vireo_tests::TestDomain::define(&host, &spec));
    rt.block_on(host.undefine_vm(&VmRef::Name(name.clone()))).unwrap();
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

/// A domain defined with a name Vireo would never give (spaces, `+`, CJK), removed again
/// even when the test fails.
/// A domain under an odd name on the real libvirtd, removed when dropped.
struct OddDomain {
    _vm: vireo_tests::TestDomain,
    _rt: tokio::runtime::Runtime,
}

impl OddDomain {
    fn define(name: &str) -> OddDomain {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let host = rt.block_on(vireo_host::Host::connect("t", "qemu:///system", Default::default())).unwrap();
        let vm = rt.block_on(vireo_tests::TestDomain::define_odd(&host, name));
        OddDomain { _vm: vm, _rt: rt }
    }
}

#[test]
fn vms_with_names_vireo_would_not_give_can_be_driven_by_name_or_uuid() {
    for name in ["vireo test My VM", "vireo-名字", "vireo-db+gpu"] {
        let vm = OddDomain::define(name);
        let data = tempfile::tempdir().unwrap();
        let out = vireo_in(data.path(), &["-c", "qemu:///system", "vm", "start", name]);
        assert!(out.status.success(), "start {name:?}: {}", String::from_utf8_lossy(&out.stderr));
        let out = vireo_in(data.path(), &["-c", "qemu:///system", "vm", "list", "--json"]);
        let vms: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let listed = vms.as_array().unwrap().iter().find(|v| v["name"] == name).expect("listed");
        assert_eq!(listed["state"], "running", "{name:?}");
        let uuid = listed["uuid"].as_str().unwrap().to_owned();
        let out = vireo_in(data.path(), &["-c", "qemu:///system", "vm", "destroy", &uuid]);
        assert!(out.status.success(), "destroy {uuid}: {}", String::from_utf8_lossy(&out.stderr));
        let history = vireo_store::Store::open(&data.path().join("vireo.db")).unwrap().history(10).unwrap();
        let targets: Vec<&str> = history.iter().map(|e| e.target.as_str()).collect();
        assert_eq!(targets, [name, name], "history names the VM, however it was addressed");
        drop(vm);
    }
}

#[test]
fn the_table_lines_up_cjk_names_by_display_width() {
    let _a = OddDomain::define("vireo-名字名字");
    let _b = OddDomain::define("vireo-abcdefghijkl");
    let out = vireo(&["-c", "qemu:///system", "vm", "list"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let col = |needle: &str| {
        let line = text.lines().find(|l| l.starts_with(needle)).unwrap_or_else(|| panic!("{needle} in {text}"));
        // Display cells before the state column: CJK characters take two.
        let name_end = line.find("  shut off").unwrap();
        unicode_width::UnicodeWidthStr::width(&line[..name_end])
    };
    assert_eq!(col("vireo-名字名字"), col("vireo-abcdefghijkl"), "{text}");
}

#[test]
fn the_cli_and_the_app_share_one_history_without_vireo_data_dir() {
    let home = tempfile::tempdir().unwrap();
    let bin = vireo_tests::fresh_binary("vireo-cli", "vireo");
    let out = Command::new(bin)
        .args(["-c", "test:///default", "vm", "suspend", "test"])
        .env_remove("VIREO_DATA_DIR")
        .env_remove("XDG_DATA_HOME")
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The app (and the desktop shell, which asks vireo_app for the same directory) finds it.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let history = rt.block_on(async {
        // SAFETY: this test binary's other tests do not read HOME or VIREO_DATA_DIR.
        unsafe {
            std::env::remove_var("VIREO_DATA_DIR");
            std::env::remove_var("XDG_DATA_HOME");
            std::env::set_var("HOME", home.path());
        }
        let dir = vireo_app::default_data_dir();
        assert!(dir.starts_with(home.path()), "{dir:?}");
        let app = vireo_app::Vireo::start(&dir, "app").await.unwrap();
        app.history(10).await.unwrap()
    });
    assert_eq!((history[0].actor.as_str(), history[0].action.as_str(), history[0].target.as_str()), ("cli", "suspend", "test"));
}

#[test]
fn edits_from_the_cli_say_when_they_apply_and_show_in_the_detail() {
    let name = vireo_tests::unique_name("cliedit");
    let spec = vireo_host::xml::DomainSpec::new(&name, vireo_host::DomainKind::Qemu);
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), spec.to_xml().unwrap()).unwrap();
    assert!(Command::new("virsh").arg("define").arg(file.path()).output().unwrap().status.success());
    struct Gone(String);
    impl Drop for Gone {
        fn drop(&mut self) {
            let _ = Command::new("virsh").args(["-q", "undefine", &self.0]).output();
        }
    }
    let _gone = Gone(name.clone());
    let data = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| vireo_in(data.path(), &[&["-c", "qemu:///system"], args].concat());

    let out = run(&["--json", "vm", "edit", &name, "--memory", "200M", "--tags", "web,db", "--boot", "cdrom,hd"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines.iter().all(|l| l["applied"] == "next_boot"), "a stopped VM's changes are for its next boot: {lines:?}");

    let out = run(&["--json", "vm", "show", &name]);
    let detail: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((detail["memory_mib"].as_u64(), detail["tags"].clone()), (Some(200), serde_json::json!(["db", "web"])));
    assert_eq!(detail["boot"], serde_json::json!(["cdrom", "hd"]));

    let out = run(&["vm", "edit", &name, "--vcpus", "0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("vCPUs"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run(&["vm", "disk", "rm", &name, "vdz", "--yes"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no disk named 'vdz'"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run(&["vm", "edit", &name]);
    assert_eq!(out.status.code(), Some(1), "nothing to change is an error");
}
