//! What storage work keeps between runs: uploads to resume, checksums of uploaded
//! volumes, and undo work a failed task could not finish (its host was gone).

use rusqlite::{params, OptionalExtension};

use crate::{now_ms, Result, Store};

/// An upload under way: how far the host has confirmed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRecord {
    pub host_id: String,
    pub pool: String,
    pub volume: String,
    /// The workstation file, its size and modification time when it started: a file
    /// that changed since is not resumed.
    pub source: String,
    pub size: u64,
    pub mtime_ns: i64,
    pub confirmed: u64,
}

/// Something a failed task made, to remove when its host answers again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingCleanup {
    pub id: i64,
    pub host_id: String,
    /// `volume` (target: its path) or `domain` (target: its name).
    pub kind: String,
    pub target: String,
    pub task: String,
}

impl Store {
    pub fn upload(&self, host_id: &str, pool: &str, volume: &str) -> Result<Option<UploadRecord>> {
        self.with(|c| {
            Ok(c.query_row(
                "SELECT source, size, mtime_ns, confirmed FROM uploads WHERE host_id = ?1 AND pool = ?2 AND volume = ?3",
                params![host_id, pool, volume],
                |r| {
                    Ok(UploadRecord {
                        host_id: host_id.to_owned(),
                        pool: pool.to_owned(),
                        volume: volume.to_owned(),
                        source: r.get(0)?,
                        size: r.get::<_, i64>(1)? as u64,
                        mtime_ns: r.get(2)?,
                        confirmed: r.get::<_, i64>(3)? as u64,
                    })
                },
            )
            .optional()?)
        })
    }

    /// Starts or moves on an upload's record.
    pub fn save_upload(&self, u: &UploadRecord) -> Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO uploads (host_id, pool, volume, source, size, mtime_ns, confirmed, started_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (host_id, pool, volume) DO UPDATE SET
                     source = excluded.source, size = excluded.size,
                     mtime_ns = excluded.mtime_ns, confirmed = excluded.confirmed",
                params![u.host_id, u.pool, u.volume, u.source, u.size as i64, u.mtime_ns, u.confirmed as i64, now_ms()],
            )?;
            Ok(())
        })
    }

    pub fn forget_upload(&self, host_id: &str, pool: &str, volume: &str) -> Result<()> {
        self.with(|c| {
            c.execute("DELETE FROM uploads WHERE host_id = ?1 AND pool = ?2 AND volume = ?3", params![host_id, pool, volume])?;
            Ok(())
        })
    }

    pub fn set_checksum(&self, host_id: &str, path: &str, sha256: &str, size: u64) -> Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO volume_checksums (host_id, path, sha256, size, checked_ms) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (host_id, path) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size, checked_ms = excluded.checked_ms",
                params![host_id, path, sha256, size as i64, now_ms()],
            )?;
            Ok(())
        })
    }

    /// The checksum recorded for the volume at `path`, if its size still matches.
    pub fn checksum(&self, host_id: &str, path: &str, size: u64) -> Result<Option<String>> {
        self.with(|c| {
            Ok(c.query_row(
                "SELECT sha256 FROM volume_checksums WHERE host_id = ?1 AND path = ?2 AND size = ?3",
                params![host_id, path, size as i64],
                |r| r.get(0),
            )
            .optional()?)
        })
    }

    pub fn forget_checksum(&self, host_id: &str, path: &str) -> Result<()> {
        self.with(|c| {
            c.execute("DELETE FROM volume_checksums WHERE host_id = ?1 AND path = ?2", params![host_id, path])?;
            Ok(())
        })
    }

    /// Notes, before it is made, something a task will have to remove if it fails.
    pub fn add_cleanup(&self, host_id: &str, kind: &str, target: &str, task: &str) -> Result<i64> {
        self.with(|c| {
            c.execute(
                "INSERT INTO pending_cleanup (host_id, kind, target, task, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![host_id, kind, target, task, now_ms()],
            )?;
            Ok(c.last_insert_rowid())
        })
    }

    pub fn drop_cleanup(&self, id: i64) -> Result<()> {
        self.with(|c| {
            c.execute("DELETE FROM pending_cleanup WHERE id = ?1", [id])?;
            Ok(())
        })
    }

    /// The host's pending removals, newest first (undo in reverse order of making).
    pub fn cleanups(&self, host_id: &str) -> Result<Vec<PendingCleanup>> {
        self.with(|c| {
            let mut st = c.prepare("SELECT id, kind, target, task FROM pending_cleanup WHERE host_id = ?1 ORDER BY id DESC")?;
            let rows = st.query_map([host_id], |r| {
                Ok(PendingCleanup { id: r.get(0)?, host_id: host_id.to_owned(), kind: r.get(1)?, target: r.get(2)?, task: r.get(3)? })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    pub fn iso_dir(&self, host_id: &str) -> Result<Option<String>> {
        self.with(|c| Ok(c.query_row("SELECT iso_dir FROM hosts WHERE id = ?1", [host_id], |r| r.get(0)).optional()?.flatten()))
    }

    pub fn set_iso_dir(&self, host_id: &str, dir: Option<&str>) -> Result<()> {
        self.with(|c| {
            let n = c.execute("UPDATE hosts SET iso_dir = ?2 WHERE id = ?1", params![host_id, dir])?;
            if n == 0 {
                return Err(crate::StoreError::NoSuchHost(host_id.to_owned()));
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_checksums_and_cleanups_round_trip() {
        let s = Store::open_in_memory().unwrap();
        let mut u = UploadRecord {
            host_id: "1".into(),
            pool: "isos".into(),
            volume: "a.iso".into(),
            source: "/tmp/a.iso".into(),
            size: 100,
            mtime_ns: 7,
            confirmed: 0,
        };
        s.save_upload(&u).unwrap();
        u.confirmed = 50;
        s.save_upload(&u).unwrap();
        assert_eq!(s.upload("1", "isos", "a.iso").unwrap(), Some(u));
        s.forget_upload("1", "isos", "a.iso").unwrap();
        assert_eq!(s.upload("1", "isos", "a.iso").unwrap(), None);

        s.set_checksum("1", "/p/a.iso", "ab", 100).unwrap();
        assert_eq!(s.checksum("1", "/p/a.iso", 100).unwrap().as_deref(), Some("ab"));
        assert_eq!(s.checksum("1", "/p/a.iso", 101).unwrap(), None, "a changed size is not the checked file");

        let a = s.add_cleanup("1", "volume", "/p/d.qcow2", "t1").unwrap();
        let b = s.add_cleanup("1", "domain", "vm", "t1").unwrap();
        let got: Vec<i64> = s.cleanups("1").unwrap().iter().map(|c| c.id).collect();
        assert_eq!(got, [b, a]);
        s.drop_cleanup(a).unwrap();
        assert_eq!(s.cleanups("1").unwrap().len(), 1);
    }
}
