//! The `vireo` CLI over the same core: JSON listing, actions, clear errors and exit codes.

use std::process::{Command, Output};

use vireo_tests::workspace_root;

fn vireo(args: &[&str]) -> Output {
    let bin = workspace_root().join("target/debug/vireo");
    assert!(bin.exists(), "build the CLI first: cargo build -p vireo-cli");
    Command::new(bin).args(args).output().expect("run vireo")
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
