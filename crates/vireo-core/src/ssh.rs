//! Remote hosts reached through Vireo's own SSH session: what is saved about them, what
//! they may need from the user before they connect, and the checks on what is typed.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

/// How Vireo signs in to a remote host. Secrets are never saved: a password or key
/// passphrase is asked for when needed and kept in memory for the session.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SshAuth {
    /// The keys an ssh-agent holds.
    Agent,
    /// A private key file (`key_path`); its passphrase is asked for if it has one.
    Key,
    /// A password, asked for at sign-in.
    Password,
}

impl SshAuth {
    pub fn as_str(self) -> &'static str {
        match self {
            SshAuth::Agent => "agent",
            SshAuth::Key => "key",
            SshAuth::Password => "password",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "agent" => SshAuth::Agent,
            "key" => SshAuth::Key,
            "password" => SshAuth::Password,
            _ => return None,
        })
    }
}

/// Where an SSH host is and how to sign in.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct SshSpec {
    pub user: String,
    /// A DNS name or an IP address (IPv6 without brackets).
    pub host: String,
    pub port: u16,
    pub auth: SshAuth,
    /// The private key, for `SshAuth::Key`.
    pub key_path: Option<String>,
    /// libvirt's read-only socket: list and watch, change nothing.
    pub read_only: bool,
}

impl SshSpec {
    /// Checks every field; the error names the field and the problem.
    pub fn validated(mut self) -> Result<SshSpec> {
        self.user = ssh_user(&self.user)?.to_owned();
        self.host = ssh_host(&self.host)?.to_owned();
        if self.port == 0 {
            return Err(Error::invalid("SSH port", "0 is not a port; use 1-65535 (sshd listens on 22 by default)"));
        }
        self.key_path = match (self.auth, self.key_path.as_deref().map(str::trim)) {
            (SshAuth::Key, None | Some("")) => return Err(Error::invalid("SSH key", "choose the private key file to sign in with")),
            (SshAuth::Key, Some(p)) => Some(key_path(p)?.to_owned()),
            (_, _) => None,
        };
        Ok(self)
    }

    /// `ssh://user@host[:port]`: how the host is named where a URI would stand (messages,
    /// history, `HostSummary::uri`).
    pub fn uri(&self) -> String {
        format!("ssh://{}", self.display())
    }

    /// `user@host` or `user@host:port`, as people write it (IPv6 in brackets with a port).
    pub fn display(&self) -> String {
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        if self.port == 22 {
            format!("{}@{host}", self.user)
        } else {
            format!("{}@{host}:{}", self.user, self.port)
        }
    }
}

/// What a remote host needs from the user before it can connect. Until it is answered
/// the host stays disconnected (it is not retried: the answer would be the same).
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HostPrompt {
    /// The server's key is not known: accept it (if it matches the server's own) or not.
    HostKey { key_type: String, fingerprint: String },
    /// The password for the sign-in (again, when the last one was refused).
    Password { retry: bool },
    /// The passphrase of the key file (again, when the last one was wrong).
    Passphrase { path: String, retry: bool },
}

/// A login name: letters, digits, `.`, `_`, `-` (not first), at most 32 characters.
pub fn ssh_user(user: &str) -> Result<&str> {
    let user = user.trim();
    let field = "SSH user";
    if user.is_empty() {
        return Err(Error::invalid(field, "give the user to sign in as"));
    }
    if user.len() > 32 {
        return Err(Error::invalid(field, "at most 32 characters"));
    }
    if user.starts_with('-') {
        return Err(Error::invalid(field, format!("'{user}' starts with '-'")));
    }
    if let Some(c) = user.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))) {
        return Err(Error::invalid(field, format!("'{user}' holds '{c}'; use letters, digits, '.', '_' and '-'")));
    }
    Ok(user)
}

/// A host: an IPv4 or IPv6 address, or a DNS name (labels of letters, digits and `-`,
/// separated by dots, at most 253 characters).
pub fn ssh_host(host: &str) -> Result<&str> {
    let host = host.trim();
    let field = "SSH host";
    if host.is_empty() {
        return Err(Error::invalid(field, "give the server's name or address"));
    }
    let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    if bare.parse::<std::net::IpAddr>().is_ok() {
        return Ok(bare);
    }
    let bad = || {
        Error::invalid(
            field,
            format!("'{host}' is not a host name or IP address (letters, digits, '-' and '.', like server.example.org or 192.0.2.10)"),
        )
    };
    if host.len() > 253 || host.starts_with('.') || host.ends_with('.') && host.len() == 1 {
        return Err(bad());
    }
    for label in host.trim_end_matches('.').split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !ok {
            return Err(bad());
        }
    }
    Ok(host)
}

/// A private key's path: absolute, or starting with `~/`.
pub fn key_path(path: &str) -> Result<&str> {
    let field = "SSH key";
    if path.contains('\0') || path.contains('\n') {
        return Err(Error::invalid(field, "the path holds a control character"));
    }
    if !(path.starts_with('/') || path.starts_with("~/")) {
        return Err(Error::invalid(field, format!("'{path}' is not a full path (like ~/.ssh/id_ed25519)")));
    }
    Ok(path)
}

/// Parses `[user@]host[:port]` (`[v6]:port` for IPv6 with a port), as typed on the CLI.
pub fn parse_destination(text: &str, default_user: &str) -> Result<(String, String, u16)> {
    let text = text.trim();
    let (user, rest) = match text.rsplit_once('@') {
        Some((u, r)) => (u, r),
        None => (default_user, text),
    };
    let (host, port) = if let Some(inner) = rest.strip_prefix('[') {
        let (h, after) = inner
            .split_once(']')
            .ok_or_else(|| Error::invalid("SSH host", format!("'{rest}' opens '[' without closing it")))?;
        match after.strip_prefix(':') {
            Some(p) => (h, Some(p)),
            None if after.is_empty() => (h, None),
            None => return Err(Error::invalid("SSH host", format!("unexpected '{after}' after ']'"))),
        }
    } else if rest.matches(':').count() == 1 {
        let (h, p) = rest.split_once(':').unwrap();
        (h, Some(p))
    } else {
        (rest, None)
    };
    let port = match port {
        None => 22,
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| Error::invalid("SSH port", format!("'{p}' is not a port (1-65535)")))?,
    };
    Ok((ssh_user(user)?.to_owned(), ssh_host(host)?.to_owned(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_users_and_destinations() {
        for ok in ["server", "a.b-c.example.org", "192.0.2.1", "::1", "[::1]", "fe80::1", "x1"] {
            assert!(ssh_host(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a b", "host;rm", "-x", "a..b", "qemu+ssh://[::1", "[::1", "é.com", "a_b", "x-"] {
            assert!(ssh_host(bad).is_err(), "{bad}");
        }
        assert!(ssh_user("root").is_ok() && ssh_user("deploy.bot-1").is_ok());
        for bad in ["", "-oProxyCommand=x", "a b", "a;b", "a@b"] {
            assert!(ssh_user(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_destination("me@h:2222", "root").unwrap(), ("me".into(), "h".into(), 2222));
        assert_eq!(parse_destination("h", "root").unwrap(), ("root".into(), "h".into(), 22));
        assert_eq!(parse_destination("[::1]:2", "u").unwrap(), ("u".into(), "::1".into(), 2));
        assert_eq!(parse_destination("::1", "u").unwrap(), ("u".into(), "::1".into(), 22));
        for bad in ["h:0", "h:99999", "a b@h", "[::1", "h;rm", "[::1]x"] {
            assert!(parse_destination(bad, "root").is_err(), "{bad}");
        }
    }

    #[test]
    fn a_spec_is_checked_field_by_field() {
        let spec = SshSpec {
            user: " root ".into(),
            host: "[::1]".into(),
            port: 22,
            auth: SshAuth::Key,
            key_path: None,
            read_only: false,
        };
        let e = spec.clone().validated().unwrap_err();
        assert!(e.to_string().contains("SSH key"), "{e}");
        let ok = SshSpec { key_path: Some("~/.ssh/id_ed25519".into()), ..spec }.validated().unwrap();
        assert_eq!((ok.user.as_str(), ok.host.as_str()), ("root", "::1"));
        assert_eq!(SshSpec { port: 2222, ..ok.clone() }.display(), "root@[::1]:2222");
        let zero = SshSpec { port: 0, ..ok }.validated().unwrap_err();
        assert!(zero.to_string().contains("port"), "{zero}");
    }
}
