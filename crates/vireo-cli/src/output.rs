//! How results and errors are printed: a table for people, JSON for scripts.

use std::io::Write;

use unicode_width::UnicodeWidthStr;
use vireo_core::{HistoryEntry, HostEvent, HostStatus, SshAuth, VmAction, VmSummary};
use vireo_store::SavedHost;

use crate::Failure;

/// `text` padded with spaces to `width` terminal cells.
fn pad(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(text.width())))
}

pub fn vm_list(vms: &[VmSummary], json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(vms).expect("serialise VM list"));
        return;
    }
    // Columns line up by display width (a CJK character takes two cells), not by bytes
    // or chars. No CPU % column: one list is one sample, and CPU % needs two.
    let width = vms.iter().map(|v| v.name.width()).max().unwrap_or(4).max(4);
    println!("{}  {:<13}  {:>5}  {:>10}", pad("NAME", width), "STATE", "VCPUS", "MEMORY");
    for v in vms {
        println!(
            "{}  {:<13}  {:>5}  {:>10}",
            pad(&v.name, width),
            v.state.as_str(),
            v.vcpus,
            format!("{} MiB", v.max_memory_kib / 1024),
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

pub fn error(f: &Failure, json: bool) {
    if json {
        let payload = vireo_core::ErrorPayload { hint: f.hint.clone(), ..f.error.payload() };
        eprintln!("{}", serde_json::to_string(&payload).expect("serialise error"));
        return;
    }
    eprintln!("error: {}", f.error);
    if let Some(hint) = &f.hint {
        eprintln!("hint: {hint}");
    }
}

/// A saved host as `host list --json` shows it: `where` is the URI or `user@host[:port]`;
/// `auth` (and `key_path`, `read_only`) only for an SSH host.
fn host_json(h: &SavedHost) -> serde_json::Value {
    let ssh = h.ssh.as_ref();
    serde_json::json!({
        "id": h.id,
        "name": h.name,
        "kind": h.kind,
        "where": where_text(h),
        "uri": h.uri,
        "auth": ssh.map(|s| s.auth),
        "key_path": ssh.and_then(|s| s.key_path.clone()),
        "read_only": ssh.is_some_and(|s| s.read_only),
    })
}

/// Where a host is: its URI, or `user@host[:port]` for an SSH host.
fn where_text(h: &SavedHost) -> String {
    h.ssh.as_ref().map_or_else(|| h.uri.clone(), |s| s.display())
}

/// How a host signs in, for people: `key ~/.ssh/id_ed25519, read-only`; `-` for a URI
/// host (libvirt signs in itself).
fn auth_text(h: &SavedHost) -> String {
    let Some(s) = &h.ssh else { return "-".into() };
    let mut text = match (s.auth, &s.key_path) {
        (SshAuth::Key, Some(path)) => format!("key {path}"),
        (auth, _) => auth.as_str().to_owned(),
    };
    if s.read_only {
        text += ", read-only";
    }
    text
}

pub fn host_list(hosts: &[SavedHost], json: bool) {
    if json {
        let list: Vec<_> = hosts.iter().map(host_json).collect();
        println!("{}", serde_json::to_string_pretty(&list).expect("serialise host list"));
        return;
    }
    if hosts.is_empty() {
        println!("no saved hosts; add one with `vireo host add NAME --ssh user@host` (or --uri URI)");
        return;
    }
    let rows: Vec<[String; 4]> = hosts
        .iter()
        .map(|h| [h.name.clone(), h.kind.as_str().to_owned(), where_text(h), auth_text(h)])
        .collect();
    let header = ["NAME", "KIND", "WHERE", "AUTH"].map(String::from);
    let widths: Vec<usize> = (0..3).map(|i| rows.iter().chain([&header]).map(|r| r[i].width()).max().unwrap_or(0)).collect();
    for r in [&header].into_iter().chain(&rows) {
        println!("{}  {}  {}  {}", pad(&r[0], widths[0]), pad(&r[1], widths[1]), pad(&r[2], widths[2]), r[3]);
    }
}

/// After `host add`, `edit` or `rm`.
pub fn host_saved(done: &str, h: &SavedHost, json: bool) {
    if json {
        println!("{}", serde_json::json!({ "ok": true, "done": done, "host": host_json(h) }));
    } else {
        println!("{done} '{}' ({} {}, auth: {})", h.name, h.kind.as_str(), where_text(h), auth_text(h));
    }
}

/// After `host connect`: its status (connected, unless the link dropped since), how many
/// VMs, and what works less well than it should (the status's note).
pub fn host_connected(h: &SavedHost, uri: &str, (status, note): (HostStatus, Option<String>), vms: usize, json: bool) {
    if json {
        println!("{}", serde_json::json!({ "host": h.name, "status": status, "uri": uri, "vms": vms, "note": note }));
        return;
    }
    let status = match status {
        HostStatus::Connected => "connected to",
        HostStatus::Connecting => "connecting again to",
        HostStatus::Disconnected => "disconnected from",
    };
    println!("{}: {status} {uri}, {vms} VM{}", h.name, if vms == 1 { "" } else { "s" });
    if let Some(note) = note {
        println!("note: {note}");
    }
}

/// `host disconnect`: there is no connection the CLI holds.
pub fn host_not_held(h: &SavedHost, json: bool) {
    let note = "the CLI keeps no connection open between commands: each command connects, does its work \
                and closes the connection when it ends; the desktop app's connection is its own (use Disconnect there)";
    if json {
        println!("{}", serde_json::json!({ "host": h.name, "connected": false, "note": note }));
    } else {
        println!("{}: nothing to disconnect: {note}", h.name);
    }
}

pub fn keys_forgotten(h: &SavedHost, count: usize, json: bool) {
    if json {
        println!("{}", serde_json::json!({ "host": h.name, "forgotten": count }));
    } else if count == 0 {
        println!("{}: no host key was accepted in Vireo for it", h.name);
    } else {
        println!("{}: {count} accepted host key(s) forgotten; the next connection asks again", h.name);
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
            HostEvent::NetworkLifecycle { name, event, .. } => format!("network {name}: {event}"),
            HostEvent::HostStatus { status, error, .. } => {
                format!("host: {status:?}{}", error.as_ref().map(|e| format!(" ({e})")).unwrap_or_default())
            }
            // The app core's own events: the CLI follows a Host directly, which never sends them.
            HostEvent::VmStats { .. } | HostEvent::Resync { .. } | HostEvent::Task { .. } => return,
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

pub fn history(entries: &[HistoryEntry], json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(entries).expect("serialise history"));
        return;
    }
    for e in entries {
        let when = utc(e.at_ms / 1000);
        let result = if e.ok { "ok".to_owned() } else { format!("failed: {}", e.detail.as_deref().unwrap_or("")) };
        println!("{when}  {:<4} {:<16} {:<12} {:<24} {result}", e.actor, e.host, e.action, e.target);
    }
}

/// Seconds since the Unix epoch as `YYYY-MM-DD HH:MM:SSZ`.
pub fn utc(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}Z", rem / 3600, rem / 60 % 60, rem % 60)
}

/// Days since 1970-01-01 to a (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's algorithm), so the CLI needs no date crate for one column.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn padding_counts_terminal_cells() {
        assert_eq!(super::pad("名字", 6), "名字  ");
        assert_eq!(super::pad("web", 6), "web   ");
        assert_eq!(super::pad("My VM", 3), "My VM");
    }

    #[test]
    fn civil_dates() {
        assert_eq!(super::civil_from_days(0), (1970, 1, 1));
        assert_eq!(super::civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(super::civil_from_days(20_415), (2025, 11, 23));
        assert_eq!(super::civil_from_days(-1), (1969, 12, 31));
    }
}
