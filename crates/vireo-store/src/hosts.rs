//! Saved host connections.

use rusqlite::{params, OptionalExtension};
use vireo_core::{validate, Accel, HostKind};

use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedHost {
    pub id: String,
    pub name: String,
    pub uri: String,
    pub kind: HostKind,
    pub accel: Accel,
}

impl Store {
    pub fn hosts(&self) -> Result<Vec<SavedHost>> {
        self.with(|c| {
            let mut st = c.prepare("SELECT id, name, uri, kind, accel FROM hosts ORDER BY id")?;
            let rows = st.query_map([], |r| {
                Ok(SavedHost {
                    id: r.get::<_, i64>(0)?.to_string(),
                    name: r.get(1)?,
                    uri: r.get(2)?,
                    kind: HostKind::parse(&r.get::<_, String>(3)?).unwrap_or(HostKind::Remote),
                    accel: Accel::parse(&r.get::<_, String>(4)?).unwrap_or_default(),
                })
            })?;
            Ok(rows.collect::<std::result::Result<_, _>>()?)
        })
    }

    /// Saves a new host. The URI must already be valid; names are unique.
    pub fn add_host(&self, name: &str, uri: &str, kind: HostKind, accel: Accel) -> Result<SavedHost> {
        let uri = validate::connection_uri(uri)?;
        let name = name.trim();
        self.with(|c| {
            let tx = c.transaction()?;
            let taken: Option<i64> =
                tx.query_row("SELECT id FROM hosts WHERE name = ?1", [name], |r| r.get(0)).optional()?;
            if taken.is_some() {
                return Err(StoreError::DuplicateHost(name.to_owned()));
            }
            tx.execute(
                "INSERT INTO hosts (name, uri, kind, accel, created_at) VALUES (?1, ?2, ?3, ?4, unixepoch())",
                params![name, uri, kind.as_str(), accel.as_str()],
            )?;
            let id = tx.last_insert_rowid();
            tx.commit()?;
            Ok(SavedHost { id: id.to_string(), name: name.to_owned(), uri: uri.to_owned(), kind, accel })
        })
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
    fn survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vireo.db");
        Store::open(&path).unwrap().add_host("a", "test:///default", HostKind::Demo, Accel::Qemu).unwrap();
        let hosts = Store::open(&path).unwrap().hosts().unwrap();
        assert_eq!(hosts.len(), 1);
        assert_eq!(hosts[0].accel, Accel::Qemu);
    }
}
