//! Checks at the boundary: anything a user or script types is checked here before it
//! reaches libvirt, so a bad value gets a message naming the problem.

use crate::error::{Error, Result};
use crate::rules;

/// A name for a VM Vireo creates: the shared rule of [`rules`] (letters and digits of
/// any script, `.`, `_`, `-`; at most 64 characters). Never used to look a VM up.
pub fn vm_name(name: &str) -> Result<&str> {
    match rules::name_problem(name) {
        None => Ok(name),
        Some(reason) => Err(Error::invalid("VM name", reason)),
    }
}

/// A VM's UUID in libvirt's text form (`8-4-4-4-12` hex digits), lower-cased.
pub fn vm_uuid(uuid: &str) -> Result<String> {
    let trimmed = uuid.trim();
    let groups: Vec<&str> = trimmed.split('-').collect();
    let shape_ok = groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_hexdigit()));
    if !shape_ok {
        return Err(Error::invalid(
            "VM UUID",
            format!("'{trimmed}' is not a UUID like 4a0c3f5e-8f1b-4c1e-9d2a-3b4c5d6e7f80"),
        ));
    }
    Ok(trimmed.to_ascii_lowercase())
}

/// How a caller names an existing VM: by UUID (the app and the UI, stable across
/// renames) or by whatever name libvirt holds (the CLI), however it is spelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VmRef {
    Uuid(String),
    Name(String),
}

impl VmRef {
    /// A VM by UUID; the text must be a UUID.
    pub fn uuid(uuid: &str) -> Result<VmRef> {
        vm_uuid(uuid).map(VmRef::Uuid)
    }

    /// What a person typed: a UUID if it has a UUID's shape, otherwise a name. Any name
    /// libvirt accepts is looked up as it is (spaces, `+`, CJK); only the empty string
    /// and NUL, which libvirt can never hold, are refused here.
    pub fn parse(text: &str) -> Result<VmRef> {
        if let Ok(uuid) = vm_uuid(text) {
            return Ok(VmRef::Uuid(uuid));
        }
        if text.is_empty() {
            return Err(Error::invalid("VM", "no name or UUID given"));
        }
        if text.contains('\0') {
            return Err(Error::invalid("VM name", "it contains a NUL character, which no VM name can hold"));
        }
        Ok(VmRef::Name(text.to_owned()))
    }
}

impl std::fmt::Display for VmRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VmRef::Uuid(u) => f.write_str(u),
            VmRef::Name(n) => f.write_str(n),
        }
    }
}

/// A MAC address: six hex pairs separated by `:`, lower-cased; not multicast (a NIC
/// with the low bit of the first byte set would not get frames).
pub fn mac(mac: &str) -> Result<String> {
    let m = mac.trim();
    let parts: Vec<&str> = m.split(':').collect();
    let ok = parts.len() == 6 && parts.iter().all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()));
    if !ok {
        return Err(Error::invalid("MAC address", format!("'{m}' is not six hex pairs like 52:54:00:12:34:56")));
    }
    let first = u8::from_str_radix(parts[0], 16).unwrap_or(0);
    if first & 1 == 1 {
        return Err(Error::invalid("MAC address", format!("'{m}' is a multicast address; the first byte must be even")));
    }
    Ok(m.to_ascii_lowercase())
}

/// A guest's host name (cloud-init): one DNS label or several, letters, digits and `-`,
/// at most 63 characters a label and 253 in all.
pub fn hostname(name: &str) -> Result<&str> {
    let bad = |reason: String| Err(Error::invalid("host name", reason));
    if name.is_empty() || name.len() > 253 {
        return bad(format!("'{name}' is not 1-253 characters"));
    }
    for label in name.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !ok {
            return bad(format!("'{name}' is not a host name (letters, digits and '-', like web-01)"));
        }
    }
    Ok(name)
}

/// A login name in a guest (cloud-init's user), by the same rule as an SSH user.
pub fn user_name(user: &str) -> Result<&str> {
    crate::ssh::ssh_user(user).map_err(|e| match e {
        Error::InvalidInput { reason, .. } => Error::invalid("user", reason),
        other => other,
    })
}

/// A saved host's display name: 1-64 characters (`NAME_MAX_CHARS`) after trimming, no
/// control characters.
pub fn host_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid("host name", "it is empty"));
    }
    if name.chars().count() > crate::rules::NAME_MAX_CHARS {
        let max = crate::rules::NAME_MAX_CHARS;
        return Err(Error::invalid("host name", format!("'{name}' is longer than {max} characters")));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid("host name", "it contains control characters"));
    }
    Ok(name)
}

/// Longest name of a UI timing mark (`ui_mark`).
pub const MARK_NAME_MAX: usize = 40;

/// The name of a timing mark the UI logs (`first-rows`): 1-40 characters of `a-z`,
/// `0-9` and `-`, so the logged line stays one greppable token whatever the caller sends.
pub fn mark_name(name: &str) -> Result<&str> {
    let bad = |reason: String| Err(Error::invalid("mark name", reason));
    if name.is_empty() {
        return bad("it is empty".into());
    }
    if name.len() > MARK_NAME_MAX {
        return bad(format!("it is longer than {MARK_NAME_MAX} characters"));
    }
    if let Some(c) = name.chars().find(|c| !matches!(c, 'a'..='z' | '0'..='9' | '-')) {
        return bad(format!("it contains {c:?}; use a-z, 0-9 and '-'"));
    }
    Ok(name)
}

/// The hypervisor drivers Vireo speaks.
pub const URI_DRIVERS: [&str; 5] = ["qemu", "test", "lxc", "xen", "ch"];
/// libvirt's remote transports (`driver+transport://`); empty is the local default.
pub const URI_TRANSPORTS: [&str; 8] = ["", "unix", "ssh", "libssh", "libssh2", "tcp", "tls", "ext"];
/// URI query parameters that only pick files, sockets, auth methods or checks that stay
/// on. Others are refused: `command=` and `netcat=` run a program of the URI's choosing
/// (on this machine or the server), `no_verify=1` turns off TLS certificate checks, and
/// `ext` transports run a command too.
pub const URI_SAFE_PARAMS: [&str; 10] = [
    "socket",
    "keyfile",
    "known_hosts",
    "known_hosts_verify",
    "sshauth",
    "pkipath",
    "mode",
    "proxy",
    "no_tty",
    "tls_priority",
];

/// A libvirt connection URI: `driver[+transport]://[host]/path[?query]`, with only the
/// query parameters of [`URI_SAFE_PARAMS`].
pub fn connection_uri(uri: &str) -> Result<&str> {
    let uri = uri.trim();
    let bad = |reason: String| Err(Error::invalid("connection URI", reason));
    let Some((scheme, rest)) = uri.split_once("://") else {
        return bad(format!("'{uri}' has no scheme; write it like qemu:///system or qemu+ssh://user@host/system"));
    };
    let (driver, transport) = scheme.split_once('+').unwrap_or((scheme, ""));
    if !URI_DRIVERS.contains(&driver) {
        return bad(format!("unknown driver '{driver}' in '{uri}'; Vireo speaks {}", URI_DRIVERS.join(", ")));
    }
    if transport == "ext" {
        return bad(format!("'{uri}' uses the ext transport, which runs a command named in the URI; Vireo does not"));
    }
    if !URI_TRANSPORTS.contains(&transport) {
        return bad(format!("unknown transport '{transport}' in '{uri}'"));
    }
    if !rest.contains('/') {
        return bad(format!("'{uri}' has no path such as /system"));
    }
    if uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad(format!("'{uri}' contains whitespace"));
    }
    if let Some((_, query)) = rest.split_once('?') {
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            if !URI_SAFE_PARAMS.contains(&key) {
                return bad(format!(
                    "the parameter '{key}' is not allowed (it could run a program or weaken a check); allowed: {}",
                    URI_SAFE_PARAMS.join(", ")
                ));
            }
            // Accepting unknown host keys without asking is never allowed.
            if key == "known_hosts_verify" && value != "normal" {
                return bad(format!("known_hosts_verify={value} would accept host keys unchecked; use normal"));
            }
        }
    }
    Ok(uri)
}

/// A libvirt network's name, by the shared name rule (`default`, `lab-net`).
pub fn network_name(name: &str) -> Result<&str> {
    match crate::rules::name_problem(name) {
        None => Ok(name),
        Some(reason) => Err(Error::invalid("network name", reason)),
    }
}

/// A tag on a VM: the shared name rule, at most 32 characters (`web`, `生产`, `db-2`).
pub fn tag(tag: &str) -> Result<&str> {
    if let Some(reason) = crate::rules::name_problem(tag) {
        return Err(Error::invalid("tag", format!("'{tag}': {reason}")));
    }
    if tag.chars().count() > 32 {
        return Err(Error::invalid("tag", format!("'{tag}' is longer than 32 characters")));
    }
    Ok(tag)
}

/// A disk's guest-side name as libvirt gives it (`vda`, `sdb`, `hdc`, `vdaa`).
pub fn disk_target(target: &str) -> Result<&str> {
    let ok = (3..=8).contains(&target.len()) && target.chars().all(|c| c.is_ascii_lowercase());
    if !ok {
        return Err(Error::invalid("disk", format!("'{target}' is not a disk name like vda or sdb")));
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_names_follow_the_shared_rule() {
        for n in ["web", "web-01", "a.b_c", "X", "名字"] {
            assert_eq!(vm_name(n).unwrap(), n);
        }
        let e = vm_name("My VM").unwrap_err().to_string();
        assert_eq!(e, "invalid VM name: it contains a space; use letters, digits, '.', '_' and '-'");
        assert!(vm_name("").unwrap_err().to_string().contains("empty"));
    }

    #[test]
    fn vm_refs_take_any_libvirt_name_or_a_uuid() {
        assert_eq!(VmRef::parse("My VM").unwrap(), VmRef::Name("My VM".into()));
        assert_eq!(VmRef::parse("db+gpu").unwrap(), VmRef::Name("db+gpu".into()));
        assert_eq!(VmRef::parse("名字").unwrap(), VmRef::Name("名字".into()));
        let u = "4A0C3F5E-8F1B-4C1E-9D2A-3B4C5D6E7F80";
        assert_eq!(VmRef::parse(u).unwrap(), VmRef::Uuid(u.to_ascii_lowercase()));
        assert!(VmRef::parse("").is_err());
        assert!(VmRef::parse("a\0b").is_err());
        assert!(VmRef::uuid("My VM").unwrap_err().to_string().contains("not a UUID"));
        assert!(VmRef::uuid("4a0c3f5e-8f1b-4c1e-9d2a-3b4c5d6e7f8").is_err());
    }

    #[test]
    fn host_names() {
        assert_eq!(host_name("  Lab server ").unwrap(), "Lab server");
        assert!(host_name("   ").unwrap_err().to_string().contains("empty"));
        assert!(host_name(&"x".repeat(65)).is_err());
        assert!(host_name("a\nb").unwrap_err().to_string().contains("control"));
    }

    #[test]
    fn mark_names() {
        for n in ["first-rows", "a", "0", &"x".repeat(40)] {
            assert_eq!(mark_name(n).unwrap(), n);
        }
        assert!(mark_name("").unwrap_err().to_string().contains("empty"));
        assert!(mark_name(&"x".repeat(41)).unwrap_err().to_string().contains("40"));
        for bad in ["First", "a b", "a_b", "a\nb", "名", "a:b", "a=1"] {
            assert_eq!(mark_name(bad).unwrap_err().code(), "invalid_input", "{bad:?}");
        }
    }

    #[test]
    fn uris() {
        for u in [
            "qemu:///system",
            "test:///default",
            "qemu+ssh://root@h/system",
            "qemu+unix:///system?socket=/tmp/s",
            "qemu+tls://h.example/system",
            "qemu+libssh://root@h/system?known_hosts=/root/.ssh/known_hosts&sshauth=privkey",
            "qemu+libssh2://root@h/system?keyfile=/root/.ssh/id_ed25519",
        ] {
            assert!(connection_uri(u).is_ok(), "{u}");
        }
        assert!(connection_uri("system").unwrap_err().to_string().contains("no scheme"));
        assert!(connection_uri("foo:///x").unwrap_err().to_string().contains("unknown driver"));
        assert!(connection_uri("qemu+smoke:///x").unwrap_err().to_string().contains("unknown transport"));
        assert!(connection_uri("qemu://host").unwrap_err().to_string().contains("no path"));
    }

    #[test]
    fn uri_parameters_that_run_programs_or_skip_checks_are_refused() {
        for (u, says) in [
            ("qemu+ssh://h/system?command=/bin/sh", "'command'"),
            ("qemu+ssh://h/system?netcat=/tmp/evil", "'netcat'"),
            ("qemu+tls://h/system?no_verify=1", "'no_verify'"),
            ("qemu+libssh://h/system?known_hosts_verify=ignore", "known_hosts_verify=ignore"),
            ("qemu+libssh://h/system?known_hosts_verify=auto", "known_hosts_verify=auto"),
            ("qemu+ext:///system?command=/bin/true", "ext transport"),
        ] {
            let e = connection_uri(u).unwrap_err().to_string();
            assert!(e.contains(says), "{u}: {e}");
        }
    }
}
