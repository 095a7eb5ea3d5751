//! The record of every change: who did what to which object, when, and how it ended.

use rusqlite::params;
use vireo_core::HistoryEntry;

use crate::{Result, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Failed,
}

#[derive(Debug, Clone)]
pub struct NewHistory<'a> {
    /// `app` or `cli` (later: the OS user).
    pub actor: &'a str,
    pub host: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub outcome: Outcome,
    /// The error message when it failed.
    pub detail: Option<&'a str>,
}

impl Store {
    pub fn record(&self, e: &NewHistory<'_>) -> Result<()> {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let outcome = match e.outcome {
            Outcome::Ok => "ok",
            Outcome::Failed => "failed",
        };
        self.with(|c| {
            c.execute(
                "INSERT INTO history (at_ms, actor, host, action, target, outcome, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![now.as_millis() as i64, e.actor, e.host, e.action, e.target, outcome, e.detail],
            )?;
            Ok(())
        })
    }

    /// The newest `limit` entries, newest first.
    pub fn history(&self, limit: u32) -> Result<Vec<HistoryEntry>> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT id, at_ms, actor, host, action, target, outcome, detail
                 FROM history ORDER BY at_ms DESC, id DESC LIMIT ?1",
            )?;
            let rows = st.query_map([limit], |r| {
                Ok(HistoryEntry {
                    id: r.get(0)?,
                    at_ms: r.get(1)?,
                    actor: r.get(2)?,
                    host: r.get(3)?,
                    action: r.get(4)?,
                    target: r.get(5)?,
                    ok: r.get::<_, String>(6)? == "ok",
                    detail: r.get(7)?,
                })
            })?;
            Ok(rows.collect::<std::result::Result<_, _>>()?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_newest_first() {
        let s = Store::open_in_memory().unwrap();
        for (i, outcome) in [Outcome::Ok, Outcome::Failed].into_iter().enumerate() {
            s.record(&NewHistory {
                actor: "app",
                host: "Local",
                action: "start",
                target: &format!("vm{i}"),
                outcome,
                detail: (outcome == Outcome::Failed).then_some("boom"),
            })
            .unwrap();
        }
        let h = s.history(10).unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].target, "vm1");
        assert!(!h[0].ok);
        assert_eq!(h[0].detail.as_deref(), Some("boom"));
        assert!(h[1].ok);
    }
}
