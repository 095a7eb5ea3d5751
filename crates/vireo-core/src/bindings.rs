//! Keeps `ui/src/bindings/` equal to the Rust side: this test regenerates the TypeScript
//! types (ts-rs), the shared rules (`rules.ts`: the name rule and which actions each VM
//! state allows) and the validation cases (`validation-cases.json`: the core's own
//! verdicts and messages, which the UI's checks and its fake API are held to), and fails
//! if anything differs from what is committed, or if a file there is no longer generated.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::json;
use ts_rs::TS;

use crate::*;

fn export_all(dir: &Path) {
    ErrorPayload::export_all_to(dir).unwrap();
    IpPoolDetail::export_all_to(dir).unwrap();
    NewIpPool::export_all_to(dir).unwrap();
    Hold::export_all_to(dir).unwrap();
    HostEvent::export_all_to(dir).unwrap();
    HistoryEntry::export_all_to(dir).unwrap();
    HostSummary::export_all_to(dir).unwrap();
    VmSummary::export_all_to(dir).unwrap();
    VmStats::export_all_to(dir).unwrap();
    VmFigures::export_all_to(dir).unwrap();
    VmAction::export_all_to(dir).unwrap();
    SshSpec::export_all_to(dir).unwrap();
    HostPrompt::export_all_to(dir).unwrap();
    HostTarget::export_all_to(dir).unwrap();
    PromptAnswer::export_all_to(dir).unwrap();
    ConsoleInput::export_all_to(dir).unwrap();
    ConsoleState::export_all_to(dir).unwrap();
    ConsoleInfo::export_all_to(dir).unwrap();
    ConsoleOpened::export_all_to(dir).unwrap();
    TaskSummary::export_all_to(dir).unwrap();
    PoolSummary::export_all_to(dir).unwrap();
    VolumeSummary::export_all_to(dir).unwrap();
    NewPool::export_all_to(dir).unwrap();
    NewVolume::export_all_to(dir).unwrap();
    NewVm::export_all_to(dir).unwrap();
    SnapshotSummary::export_all_to(dir).unwrap();
    NewSnapshot::export_all_to(dir).unwrap();
    CdromDrive::export_all_to(dir).unwrap();
    NewClone::export_all_to(dir).unwrap();
    VmDetail::export_all_to(dir).unwrap();
    VmChange::export_all_to(dir).unwrap();
    ChangeOutcome::export_all_to(dir).unwrap();
    VmAddresses::export_all_to(dir).unwrap();
    BatchAction::export_all_to(dir).unwrap();
    BatchItem::export_all_to(dir).unwrap();
    HostLimits::export_all_to(dir).unwrap();
    PoolAction::export_all_to(dir).unwrap();
    NetworkSummary::export_all_to(dir).unwrap();
    NewNetwork::export_all_to(dir).unwrap();
    NetworkLease::export_all_to(dir).unwrap();
    NetworkAction::export_all_to(dir).unwrap();
    std::fs::write(dir.join("console-wire.ts"), console_wire_ts()).unwrap();
    std::fs::write(dir.join("rules.ts"), rules_ts()).unwrap();
    std::fs::write(dir.join("validation-cases.json"), validation_cases()).unwrap();
}

fn console_wire_ts() -> String {
    let kinds: String = crate::console::WIRE_KINDS.iter().map(|(name, n)| format!("  {name}: {n},\n")).collect();
    let states: String = [ConsoleState::Connecting, ConsoleState::Connected, ConsoleState::Reconnecting, ConsoleState::Closed]
        .iter()
        .map(|s| format!("  {}: {},\n", js(serde_json::to_value(s).unwrap().as_str().unwrap()), *s as u8))
        .collect();
    format!(
        "// Generated from crates/vireo-core/src/console.rs by its bindings test; do not edit.\n\
         // The console's binary frame layout is documented there.\n\
         import type {{ ConsoleState }} from './ConsoleState';\n\n\
         /** Record kinds of a console frame buffer. */\n\
         export const WIRE_KIND = {{\n{kinds}}} as const;\n\n\
         /** The `State` record's byte for each console state. */\n\
         export const CONSOLE_STATE_CODE: Record<ConsoleState, number> = {{\n{states}}};\n"
    )
}

fn js(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn rules_ts() -> String {
    let mut allowed = String::new();
    for state in VmState::ALL {
        let actions: Vec<String> =
            VmAction::ALL.iter().filter(|a| state.allows(**a)).map(|a| js(a.as_str())).collect();
        let key = serde_json::to_value(state).unwrap();
        allowed.push_str(&format!("  {}: [{}],\n", key.as_str().unwrap(), actions.join(", ")));
    }
    format!(
        "// Generated from crates/vireo-core (rules.rs, vm.rs, stats.rs) by its bindings test; do not edit.\n\
         import type {{ VmAction }} from './VmAction';\n\
         import type {{ VmState }} from './VmState';\n\n\
         /** Longest name Vireo creates, in characters (code points). */\n\
         export const NAME_MAX_CHARS = {};\n\
         /** What the first character of a name may be (RegExp source, use with the `u` flag). */\n\
         export const NAME_FIRST_CHAR = {};\n\
         /** What every other character may be (RegExp source, `u` flag). */\n\
         export const NAME_CHAR = {};\n\n\
         /** How often each host pushes `vm_stats` events, in milliseconds (`STATS_INTERVAL_MS`). */\n\
         export const STATS_INTERVAL_MS = {};\n\n\
         /** The lifecycle actions each VM state allows (`VmState::allows`). */\n\
         export const ALLOWED_ACTIONS: Record<VmState, readonly VmAction[]> = {{\n{}}};\n",
        rules::NAME_MAX_CHARS,
        js(rules::NAME_FIRST_CHAR),
        js(rules::NAME_CHAR),
        stats::STATS_INTERVAL_MS,
        allowed
    )
}

/// Inputs whose verdicts the UI must agree with. Add a case here when a UI test needs one.
const VM_NAMES: &[&str] = &[
    "web", "web-01", "a.b_c", "名字", "сервер-1", "नमस्ते", "7days", "", "My VM", "db+gpu", "-x", ".hidden", "a/b",
    "a<b", "a&b", "a'b", "a\"b", "a$b", "a;b", "a\tb", "a\u{0}b",
    "12345678901234567890123456789012345678901234567890123456789012345",
];
const HOST_NAMES: &[&str] = &["Lab", "  Lab server ", "", "   ", "a\nb", "实验室", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"];
const URIS: &[&str] = &[
    "qemu:///system",
    "test:///default",
    " test:///default ",
    "qemu+ssh://root@server/system",
    "qemu+tls://server/system",
    "qemu+tcp://127.0.0.1:1/system",
    "system",
    "not a uri",
    "foo:///x",
    "qemu+smoke:///x",
    "qemu://host",
    "qemu+ssh://h/system?command=/bin/sh",
    "qemu+ext:///system?command=/bin/true",
    "qemu+unix:///system?socket=/run/vireo/libvirt.sock",
];

fn verdict<T>(r: Result<T>) -> serde_json::Value {
    match r {
        Ok(_) => serde_json::Value::Null,
        Err(e) => serde_json::to_value(e.payload()).unwrap(),
    }
}

fn validation_cases() -> String {
    let mut cases: BTreeMap<&str, Vec<serde_json::Value>> = BTreeMap::new();
    for n in VM_NAMES {
        cases.entry("vm_name").or_default().push(json!({ "input": n, "error": verdict(validate::vm_name(n)) }));
    }
    for n in HOST_NAMES {
        cases.entry("host_name").or_default().push(json!({ "input": n, "error": verdict(validate::host_name(n)) }));
    }
    for u in URIS {
        cases.entry("connection_uri").or_default().push(json!({ "input": u, "error": verdict(validate::connection_uri(u)) }));
    }
    // A network's subnet as the user types it, judged alone (overlap is the host's state).
    for c in ["192.168.50.0/24", "10.77.0.0/16", "fd00:50::/64", "192.168.50.1/24", "10.0.0.0/33", "192.168.50.0/31", "lab", "127.0.0.0/8"] {
        let ip = crate::NetworkIp { cidr: c.into(), gateway: None, dhcp: None, hosts: vec![] };
        cases.entry("network_cidr").or_default().push(json!({ "input": c, "error": verdict(crate::network::check_ip(&ip, c.contains(':'))) }));
    }
    serde_json::to_string_pretty(&cases).unwrap() + "\n"
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn ui_bindings_are_current() {
    let committed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings");
    let fresh = std::env::temp_dir().join(format!("vireo-bindings-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&fresh);
    export_all(&fresh);
    if std::env::var_os("VIREO_UPDATE_BINDINGS").is_some() {
        let _ = std::fs::remove_dir_all(&committed);
        export_all(&committed);
    }
    let mut stale = Vec::new();
    for name in file_names(&fresh) {
        let want = std::fs::read_to_string(fresh.join(&name)).unwrap();
        let have = std::fs::read_to_string(committed.join(&name)).unwrap_or_default();
        if want != have {
            stale.push(name);
        }
    }
    let generated = file_names(&fresh);
    let leftover: Vec<String> = file_names(&committed).into_iter().filter(|n| !generated.contains(n)).collect();
    let _ = std::fs::remove_dir_all(&fresh);
    let fix = "run `VIREO_UPDATE_BINDINGS=1 cargo test -p vireo-core ui_bindings` and commit";
    assert!(stale.is_empty(), "ui/src/bindings is stale ({stale:?}); {fix}");
    assert!(leftover.is_empty(), "ui/src/bindings holds files no Rust type generates ({leftover:?}); {fix}");
}
