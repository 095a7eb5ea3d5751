//! Saved host connections.

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, OptionalExtension};
use vireo_core::{validate, Accel, HostKind, HostTarget, SshAuth, SshSpec};

use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedHost {
    pub id: String,
    pub name: String,
    /// The libvirt URI, or `ssh://user@host:port` for an SSH host (for people; `ssh` holds the parts).
    pub uri: String,
    pub kind: HostKind,
    pub accel: Accel,
    pub ssh: Option<SshSpec>,
}

impl SavedHost {
    /// How the host is reached.
    pub fn target(&self) -> HostTarget {
        match &self.ssh {
            Some(spec) => HostTarget::Ssh { spec: spec.clone() },
            None => HostTarget::Uri { uri: self.uri.clone() },
        }
    }
}

/// A host key the user accepted in Vireo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedHostKey {
    pub host: String,
    pub port: u16,
    pub key_type: String,
    pub fingerprint: String,
}

const COLUMNS: &str = "id, name, uri, kind, accel, ssh_user, ssh_host, ssh_port, ssh_auth, ssh_key_path, ssh_read_only";

fn row_to_host(r: &rusqlite::Row<'_>) -> rusqlite::Result<SavedHost> {
    let ssh_host: Option<String> = r.get(6)?;
    let ssh = match ssh_host {
        Some(host) => Some(SshSpec {
            user: r.get(5)?,
            host,
            port: r.get(7)?,
            auth: SshAuth::parse(&r.get::<_, String>(8)?).unwrap_or(SshAuth::Agent),
            key_path: r.get(9)?,
            read_only: r.get::<_, i64>(10)? != 0,
        }),
        None => None,
    };
    Ok(SavedHost {
        id: r.get::<_, i64>(0)?.to_string(),
        name: r.get(1)?,
        uri: r.get(2)?,
        kind: HostKind::parse(&r.get::<_, String>(3)?).unwrap_or(HostKind::Remote),
        accel: Accel::parse(&r.get::<_, String>(4)?).unwrap_or_default(),
        ssh,
    })
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

/// `first` then the six SSH columns (`ssh_user` .. `ssh_read_only`), NULL for a URI host:
/// the parameters of the insert and the update, which list those columns in this order.
fn with_ssh(first: [Value; 4], ssh: Option<&SshSpec>) -> impl Iterator<Item = Value> {
    let field = |f: fn(&SshSpec) -> Option<&str>| ssh.and_then(f).map_or(Value::Null, text);
    let columns = [
        field(|s| Some(&s.user)),
        field(|s| Some(&s.host)),
        ssh.map_or(Value::Null, |s| Value::Integer(s.port.into())),
        field(|s| Some(s.auth.as_str())),
        field(|s| s.key_path.as_deref()),
        Value::Integer(ssh.is_some_and(|s| s.read_only).into()),
    ];
    first.into_iter().chain(columns)
}

/// What a target is saved as: kind, uri (for people when SSH), and the SSH parts; checked.
fn parts(target: &HostTarget, kind_for_uri: HostKind) -> Result<(HostKind, String, Option<SshSpec>)> {
    Ok(match target {
        HostTarget::Uri { uri } => (kind_for_uri, validate::connection_uri(uri)?.to_owned(), None),
        HostTarget::Ssh { spec } => {
            let spec = spec.clone().validated()?;
            (HostKind::Ssh, spec.uri(), Some(spec))
        }
    })
}

impl Store {
    pub fn hosts(&self) -> Result<Vec<SavedHost>> {
        self.with(|c| {
            let mut st = c.prepare(&format!("SELECT {COLUMNS} FROM hosts ORDER BY id"))?;
            let rows = st.query_map([], row_to_host)?;
            Ok(rows.collect::<std::result::Result<_, _>>()?)
        })
    }

    /// Saves a new host with a libvirt URI. The URI must already be valid; names are unique.
    pub fn add_host(&self, name: &str, uri: &str, kind: HostKind, accel: Accel) -> Result<SavedHost> {
        self.add_target(name, &HostTarget::Uri { uri: uri.to_owned() }, kind, accel)
    }

    /// Saves a new host reached as `target` (`kind` applies to a URI target; SSH is `Ssh`).
    pub fn add_target(&self, name: &str, target: &HostTarget, kind: HostKind, accel: Accel) -> Result<SavedHost> {
        let (kind, uri, ssh) = parts(target, kind)?;
        let name = name.trim();
        self.with(|c| {
            let tx = c.transaction()?;
            let taken: Option<i64> =
                tx.query_row("SELECT id FROM hosts WHERE name = ?1", [name], |r| r.get(0)).optional()?;
            if taken.is_some() {
                return Err(StoreError::DuplicateHost(name.to_owned()));
            }
            tx.execute(
                "INSERT INTO hosts (name, uri, kind, accel, created_at, ssh_user, ssh_host, ssh_port, ssh_auth, ssh_key_path, ssh_read_only)
                 VALUES (?1, ?2, ?3, ?4, unixepoch(), ?5, ?6, ?7, ?8, ?9, ?10)",
                params_from_iter(with_ssh([text(name), text(&uri), text(kind.as_str()), text(accel.as_str())], ssh.as_ref())),
            )?;
            let id = tx.last_insert_rowid();
            tx.commit()?;
            Ok(SavedHost { id: id.to_string(), name: name.to_owned(), uri, kind, accel, ssh })
        })
    }

    /// Changes a host's name and how it is reached, in one transaction; returns it as saved.
    pub fn update_host(&self, id: &str, name: &str, target: &HostTarget) -> Result<SavedHost> {
        let name = name.trim();
        self.with(|c| {
            let tx = c.transaction()?;
            let old = tx
                .query_row(&format!("SELECT {COLUMNS} FROM hosts WHERE id = ?1"), [id], row_to_host)
                .optional()?
                .ok_or_else(|| StoreError::NoSuchHost(id.to_owned()))?;
            let uri_kind = if old.kind == HostKind::Ssh { HostKind::Remote } else { old.kind };
            let (kind, uri, ssh) = parts(target, uri_kind)?;
            let taken: Option<i64> = tx
                .query_row("SELECT id FROM hosts WHERE name = ?1 AND id != ?2", params![name, id], |r| r.get(0))
                .optional()?;
            if taken.is_some() {
                return Err(StoreError::DuplicateHost(name.to_owned()));
            }
            tx.execute(
                "UPDATE hosts SET name = ?2, uri = ?3, kind = ?4, ssh_user = ?5, ssh_host = ?6, ssh_port = ?7,
                     ssh_auth = ?8, ssh_key_path = ?9, ssh_read_only = ?10 WHERE id = ?1",
                params_from_iter(with_ssh([text(id), text(name), text(&uri), text(kind.as_str())], ssh.as_ref())),
            )?;
            tx.commit()?;
            Ok(SavedHost { id: id.to_owned(), name: name.to_owned(), uri, kind, accel: old.accel, ssh })
        })
    }

    /// The host keys accepted in Vireo.
    pub fn host_keys(&self) -> Result<Vec<SavedHostKey>> {
        self.with(|c| {
            let mut st = c.prepare("SELECT host, port, key_type, fingerprint FROM host_keys ORDER BY host, port")?;
            let rows = st.query_map([], |r| {
                Ok(SavedHostKey { host: r.get(0)?, port: r.get(1)?, key_type: r.get(2)?, fingerprint: r.get(3)? })
            })?;
            Ok(rows.collect::<std::result::Result<_, _>>()?)
        })
    }

    /// Records an accepted host key (replacing one of the same type for that host and port).
    pub fn accept_host_key(&self, key: &SavedHostKey) -> Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT OR REPLACE INTO host_keys (host, port, key_type, fingerprint, accepted_at)
                 VALUES (?1, ?2, ?3, ?4, unixepoch())",
                params![key.host, key.port, key.key_type, key.fingerprint],
            )?;
            Ok(())
        })
    }

    /// Forgets the accepted keys of a host and port (after a known reinstall).
    pub fn forget_host_keys(&self, host: &str, port: u16) -> Result<usize> {
        self.with(|c| Ok(c.execute("DELETE FROM host_keys WHERE host = ?1 AND port = ?2", params![host, port])?))
    }

    pub fn set_host_accel(&self, id: &str, accel: Accel) -> Result<()> {
        self.with(|c| {
            let n = c.execute("UPDATE hosts SET accel = ?1 WHERE id = ?2", params![accel.as_str(), id])?;
            if n == 0 {
                return Err(StoreError::NoSuchHost(id.to_owned()));
            }
            Ok(())
        })
    }

    pub fn remove_host(&self, id: &str) -> Result<()> {
        self.with(|c| {
            let n = c.execute("DELETE FROM hosts WHERE id = ?1", [id])?;
            if n == 0 {
                return Err(StoreError::NoSuchHost(id.to_owned()));
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_list_update_remove() {
        let s = Store::open_in_memory().unwrap();
        let h = s.add_host("Local", "qemu:///system", HostKind::Local, Accel::Auto).unwrap();
        assert_eq!(s.hosts().unwrap(), vec![h.clone()]);
        s.set_host_accel(&h.id, Accel::Qemu).unwrap();
        assert_eq!(s.hosts().unwrap()[0].accel, Accel::Qemu);
        let e = s.add_host("Local", "test:///default", HostKind::Demo, Accel::Auto).unwrap_err();
        assert!(e.to_string().contains("already exists"), "{e}");
        s.remove_host(&h.id).unwrap();
        assert!(s.hosts().unwrap().is_empty());
        assert!(matches!(s.remove_host(&h.id), Err(StoreError::NoSuchHost(_))));
    }

    #[test]
    fn bad_uri_is_refused_and_nothing_saved() {
        let s = Store::open_in_memory().unwrap();
        let e = s.add_host("x", "nonsense", HostKind::Remote, Accel::Auto).unwrap_err();
        assert!(e.to_string().contains("no scheme"), "{e}");
        assert!(s.hosts().unwrap().is_empty());
    }

    #[test]
    fn ssh_hosts_and_host_keys_round_trip() {
        let s = Store::open_in_memory().unwrap();
        let spec = SshSpec {
            user: "root".into(),
            host: "192.0.2.7".into(),
            port: 2222,
            auth: SshAuth::Key,
            key_path: Some("~/.ssh/id_ed25519".into()),
            read_only: true,
        };
        let h = s.add_target("server", &HostTarget::Ssh { spec: spec.clone() }, HostKind::Remote, Accel::Auto).unwrap();
        assert_eq!((h.kind, h.uri.as_str()), (HostKind::Ssh, "ssh://root@192.0.2.7:2222"));
        assert_eq!(s.hosts().unwrap(), vec![h.clone()]);
        // A bad field is refused by name, and nothing changes.
        let bad = SshSpec { host: "host;rm".into(), ..spec.clone() };
        let e = s.update_host(&h.id, "server", &HostTarget::Ssh { spec: bad }).unwrap_err();
        assert!(e.to_string().contains("SSH host"), "{e}");
        assert_eq!(s.hosts().unwrap(), vec![h.clone()]);
        // Edited to a URI host and back.
        let u = s.update_host(&h.id, "renamed", &HostTarget::Uri { uri: "qemu+ssh://root@x/system".into() }).unwrap();
        assert_eq!((u.kind, u.ssh.clone()), (HostKind::Remote, None));
        let back = s.update_host(&h.id, "renamed", &HostTarget::Ssh { spec }).unwrap();
        assert_eq!(s.hosts().unwrap(), vec![back]);
        let key = SavedHostKey { host: "192.0.2.7".into(), port: 2222, key_type: "ssh-ed25519".into(), fingerprint: "SHA256:a".into() };
        s.accept_host_key(&key).unwrap();
        s.accept_host_key(&SavedHostKey { fingerprint: "SHA256:b".into(), ..key.clone() }).unwrap();
        assert_eq!(s.host_keys().unwrap(), vec![SavedHostKey { fingerprint: "SHA256:b".into(), ..key }]);
        assert_eq!(s.forget_host_keys("192.0.2.7", 2222).unwrap(), 1);
        assert!(s.host_keys().unwrap().is_empty());
    }

    #[test]
    fn survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vireo.db");
        Store::open(&path).unwrap().add_host("a", "test:///default", HostKind::Demo, Accel::Qemu).unwrap();
        let hosts = Store::open(&path).unwrap().hosts().unwrap();
        assert_eq!(hosts.len(), 1);
        assert_eq!(hosts[0].accel, Accel::Qemu);
    }
}
