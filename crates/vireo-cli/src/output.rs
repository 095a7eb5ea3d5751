//! How results and errors are printed: a table for people, JSON for scripts.

use std::io::Write;

use vireo_core::{Error, HostEvent, VmAction, VmSummary};

pub fn vm_list(vms: &[VmSummary], json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(vms).expect("serialise VM list"));
        return;
    }
    let width = vms.iter().map(|v| v.name.len()).max().unwrap_or(4).max(4);
    println!("{:<width$}  {:<13}  {:>5}  {:>10}  {:>6}", "NAME", "STATE", "VCPUS", "MEMORY", "CPU%");
    for v in vms {
        let cpu = v.cpu_percent.map_or_else(|| "-".to_owned(), |c| format!("{c:.1}"));
        println!(
            "{:<width$}  {:<13}  {:>5}  {:>10}  {:>6}",
            v.name,
            v.state.as_str(),
            v.vcpus,
            format!("{} MiB", v.max_memory_kib / 1024),
            cpu
        );
    }
}

pub fn done(action: VmAction, name: &str, json: bool) {
    if json {
        println!("{}", serde_json::json!({ "ok": true, "action": action, "vm": name }));
    } else {
        println!("{name}: {} requested", action.as_str());
    }
}

pub fn error(e: &Error, json: bool) {
    if json {
        eprintln!("{}", serde_json::to_string(&e.payload()).expect("serialise error"));
        return;
    }
    eprintln!("error: {e}");
    if let Some(hint) = e.hint() {
        eprintln!("hint: {hint}");
    }
}

/// One live event; flushed at once so a script reading the pipe sees it immediately.
pub fn event(ev: &HostEvent, json: bool) {
    let line = if json {
        serde_json::to_string(ev).expect("serialise event")
    } else {
        match ev {
            HostEvent::VmLifecycle { name, event, state, .. } => match state {
                Some(state) => format!("{name}: {event} ({state})"),
                None => format!("{name}: {event}"),
            },
            HostEvent::HostStatus { status, error, .. } => {
                format!("host: {status:?}{}", error.as_ref().map(|e| format!(" ({e})")).unwrap_or_default())
            }
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}
