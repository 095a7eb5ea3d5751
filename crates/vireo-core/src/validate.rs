//! Checks at the boundary: anything a user or script types is checked here before it
//! reaches libvirt, so a bad value gets a message naming the problem.

use crate::error::{Error, Result};

/// A libvirt domain name as Vireo accepts it: 1-64 characters, letters, digits and `._-`,
/// not starting with `.` or `-` (safe in file names, XML and command lines alike).
pub fn vm_name(name: &str) -> Result<&str> {
    if name.is_empty() {
        return Err(Error::invalid("VM name", "it is empty"));
    }
    if name.chars().count() > 64 {
        return Err(Error::invalid("VM name", format!("'{name}' is longer than 64 characters")));
    }
    if name.starts_with(['.', '-']) {
        return Err(Error::invalid("VM name", format!("'{name}' starts with '{}'", &name[..1])));
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))) {
        return Err(Error::invalid(
            "VM name",
            format!("'{name}' contains {c:?}; use letters, digits, '.', '_' and '-'"),
        ));
    }
    Ok(name)
}

/// A saved host's display name: 1-64 characters after trimming, no control characters.
pub fn host_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid("host name", "it is empty"));
    }
    if name.chars().count() > 64 {
        return Err(Error::invalid("host name", format!("'{name}' is longer than 64 characters")));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid("host name", "it contains control characters"));
    }
    Ok(name)
}

/// A libvirt connection URI: `driver[+transport]://[host]/path[?query]`.
pub fn connection_uri(uri: &str) -> Result<&str> {
    let uri = uri.trim();
    let Some((scheme, rest)) = uri.split_once("://") else {
        return Err(Error::invalid(
            "connection URI",
            format!("'{uri}' has no scheme; write it like qemu:///system or qemu+ssh://user@host/system"),
        ));
    };
    let (driver, transport) = scheme.split_once('+').unwrap_or((scheme, ""));
    const DRIVERS: [&str; 5] = ["qemu", "test", "lxc", "xen", "ch"];
    if !DRIVERS.contains(&driver) {
        return Err(Error::invalid(
            "connection URI",
            format!("unknown driver '{driver}' in '{uri}'; Vireo speaks {}", DRIVERS.join(", ")),
        ));
    }
    const TRANSPORTS: [&str; 6] = ["", "unix", "ssh", "libssh", "libssh2", "tcp"];
    if !TRANSPORTS.contains(&transport) {
        return Err(Error::invalid("connection URI", format!("unknown transport '{transport}' in '{uri}'")));
    }
    if !rest.contains('/') {
        return Err(Error::invalid("connection URI", format!("'{uri}' has no path such as /system")));
    }
    if uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid("connection URI", format!("'{uri}' contains whitespace")));
    }
    Ok(uri)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_vm_names() {
        for n in ["web", "web-01", "a.b_c", "X"] {
            assert_eq!(vm_name(n).unwrap(), n);
        }
    }

    #[test]
    fn bad_vm_names_say_why() {
        let e = vm_name("").unwrap_err().to_string();
        assert!(e.contains("empty"), "{e}");
        let e = vm_name("a b").unwrap_err().to_string();
        assert!(e.contains("' '"), "{e}");
        let e = vm_name("-x").unwrap_err().to_string();
        assert!(e.contains("starts with '-'"), "{e}");
        assert!(vm_name(&"a".repeat(65)).is_err());
        assert!(vm_name("a/b").is_err());
        assert!(vm_name("a'b").is_err());
    }

    #[test]
    fn host_names() {
        assert_eq!(host_name("  Lab server ").unwrap(), "Lab server");
        assert!(host_name("   ").unwrap_err().to_string().contains("empty"));
        assert!(host_name(&"x".repeat(65)).is_err());
        assert!(host_name("a\nb").unwrap_err().to_string().contains("control"));
    }

    #[test]
    fn uris() {
        for u in ["qemu:///system", "test:///default", "qemu+ssh://root@h/system", "qemu+unix:///system?socket=/tmp/s"] {
            assert!(connection_uri(u).is_ok(), "{u}");
        }
        assert!(connection_uri("system").unwrap_err().to_string().contains("no scheme"));
        assert!(connection_uri("foo:///x").unwrap_err().to_string().contains("unknown driver"));
        assert!(connection_uri("qemu+smoke:///x").unwrap_err().to_string().contains("unknown transport"));
        assert!(connection_uri("qemu://host").unwrap_err().to_string().contains("no path"));
    }
}
