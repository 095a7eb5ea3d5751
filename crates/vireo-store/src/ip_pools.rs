//! IP pools and their taken addresses. The allocator (`vireo-net`) decides which address;
//! this keeps what it decided, and its primary key refuses an address held twice even
//! if two callers race.

use rusqlite::{params, OptionalExtension};
use vireo_core::{AddressState, Error, PoolAddress};

use crate::{now_ms, Result, Store, StoreError};

/// A saved pool: where it belongs and its ranges as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpPoolRecord {
    pub id: i64,
    /// The host's URI as saved.
    pub host_uri: String,
    pub name: String,
    pub network: Option<String>,
    pub v6: bool,
    pub ranges: Vec<String>,
}

fn row_to_pool(r: &rusqlite::Row<'_>) -> rusqlite::Result<IpPoolRecord> {
    Ok(IpPoolRecord {
        id: r.get(0)?,
        host_uri: r.get(1)?,
        name: r.get(2)?,
        network: r.get(3)?,
        v6: r.get::<_, i64>(4)? != 0,
        ranges: r.get::<_, String>(5)?.lines().map(str::to_owned).collect(),
    })
}

const POOL_COLUMNS: &str = "id, host_uri, name, network, v6, ranges";

fn row_to_address(r: &rusqlite::Row<'_>) -> rusqlite::Result<PoolAddress> {
    Ok(PoolAddress {
        ip: r.get(0)?,
        state: if r.get::<_, String>(1)? == "reserved" { AddressState::Reserved } else { AddressState::Used },
        vm: r.get(2)?,
        mac: r.get(3)?,
        note: r.get(4)?,
        dhcp_host: r.get::<_, i64>(5)? != 0,
        at_ms: r.get(6)?,
    })
}

const ADDRESS_COLUMNS: &str = "ip, state, vm, mac, note, dhcp_host, at_ms";

impl Store {
    pub fn ip_pools(&self, host_uri: &str) -> Result<Vec<IpPoolRecord>> {
        self.with(|c| {
            let mut st = c.prepare(&format!("SELECT {POOL_COLUMNS} FROM ip_pools WHERE host_uri = ?1 ORDER BY name"))?;
            let rows = st.query_map([host_uri], row_to_pool)?.collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    pub fn ip_pool(&self, host_uri: &str, name: &str) -> Result<Option<IpPoolRecord>> {
        self.with(|c| {
            Ok(c.query_row(
                &format!("SELECT {POOL_COLUMNS} FROM ip_pools WHERE host_uri = ?1 AND name = ?2"),
                params![host_uri, name],
                row_to_pool,
            )
            .optional()?)
        })
    }

    /// Saves a new pool (its ranges already checked); a name in use on the host is refused.
    pub fn add_ip_pool(&self, host_uri: &str, host_name: &str, name: &str, network: Option<&str>, v6: bool, ranges: &[String]) -> Result<IpPoolRecord> {
        self.with(|c| {
            let tx = c.transaction()?;
            let taken: Option<i64> = tx
                .query_row("SELECT id FROM ip_pools WHERE host_uri = ?1 AND name = ?2", params![host_uri, name], |r| r.get(0))
                .optional()?;
            if taken.is_some() {
                return Err(StoreError::Invalid(Error::AlreadyExists { kind: "IP pool", name: name.to_owned(), host: host_name.to_owned() }));
            }
            tx.execute(
                "INSERT INTO ip_pools (host_uri, name, network, v6, ranges, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![host_uri, name, network, v6 as i64, ranges.join("\n"), now_ms()],
            )?;
            let id = tx.last_insert_rowid();
            tx.commit()?;
            Ok(IpPoolRecord { id, host_uri: host_uri.to_owned(), name: name.to_owned(), network: network.map(str::to_owned), v6, ranges: ranges.to_vec() })
        })
    }

    /// Removes a pool and every address it held.
    pub fn remove_ip_pool(&self, id: i64) -> Result<()> {
        self.with(|c| {
            c.execute("DELETE FROM ip_pools WHERE id = ?1", [id])?;
            Ok(())
        })
    }

    /// The pool's taken addresses, in the order they were taken.
    pub fn pool_addresses(&self, pool_id: i64) -> Result<Vec<PoolAddress>> {
        self.with(|c| {
            let mut st = c.prepare_cached(&format!("SELECT {ADDRESS_COLUMNS} FROM ip_addresses WHERE pool_id = ?1 ORDER BY at_ms, rowid"))?;
            let rows = st.query_map([pool_id], row_to_address)?.collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    /// (used, reserved) addresses of a pool.
    pub fn pool_counts(&self, pool_id: i64) -> Result<(u32, u32)> {
        self.with(|c| {
            Ok(c.query_row(
                "SELECT COUNT(*) FILTER (WHERE state = 'used'), COUNT(*) FILTER (WHERE state = 'reserved') FROM ip_addresses WHERE pool_id = ?1",
                [pool_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
    }

    /// Records an address as taken; one already held in the pool is refused, naming its holder.
    pub fn hold_address(&self, pool_id: i64, a: &PoolAddress) -> Result<()> {
        self.with(|c| {
            let tx = c.transaction()?;
            let holder: Option<PoolAddress> = tx
                .query_row(&format!("SELECT {ADDRESS_COLUMNS} FROM ip_addresses WHERE pool_id = ?1 AND ip = ?2"), params![pool_id, a.ip], row_to_address)
                .optional()?;
            if let Some(h) = holder {
                return Err(StoreError::Invalid(Error::AddressTaken { ip: a.ip.clone(), by: holder_text(&h) }));
            }
            let state = match a.state {
                AddressState::Used => "used",
                AddressState::Reserved => "reserved",
            };
            tx.execute(
                "INSERT INTO ip_addresses (pool_id, ip, state, vm, mac, note, dhcp_host, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![pool_id, a.ip, state, a.vm, a.mac, a.note, a.dhcp_host as i64, a.at_ms],
            )?;
            tx.commit()?;
            Ok(())
        })
    }

    /// Forgets a taken address, returning what held it (None: it was free).
    pub fn release_address(&self, pool_id: i64, ip: &str) -> Result<Option<PoolAddress>> {
        self.with(|c| {
            let tx = c.transaction()?;
            let held = tx
                .query_row(&format!("SELECT {ADDRESS_COLUMNS} FROM ip_addresses WHERE pool_id = ?1 AND ip = ?2"), params![pool_id, ip], row_to_address)
                .optional()?;
            tx.execute("DELETE FROM ip_addresses WHERE pool_id = ?1 AND ip = ?2", params![pool_id, ip])?;
            tx.commit()?;
            Ok(held)
        })
    }
}

/// Who holds an address, in words: "VM web (52:54:00:..)", "reserved: the router".
pub fn holder_text(a: &PoolAddress) -> String {
    match (a.state, &a.vm, &a.mac, &a.note) {
        (AddressState::Reserved, _, _, Some(n)) if !n.is_empty() => format!("reserved: {n}"),
        (AddressState::Reserved, ..) => "reserved".into(),
        (AddressState::Used, Some(vm), Some(mac), _) => format!("used by VM {vm} ({mac})"),
        (AddressState::Used, Some(vm), None, _) => format!("used by VM {vm}"),
        (AddressState::Used, None, Some(mac), _) => format!("used by NIC {mac}"),
        (AddressState::Used, None, None, Some(n)) if !n.is_empty() => format!("used: {n}"),
        (AddressState::Used, None, None, _) => "used".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn used(ip: &str, vm: &str) -> PoolAddress {
        PoolAddress { ip: ip.into(), state: AddressState::Used, vm: Some(vm.into()), mac: None, note: None, dhcp_host: false, at_ms: 1 }
    }

    #[test]
    fn pools_and_addresses_round_trip() {
        let s = Store::open_in_memory().unwrap();
        let p = s.add_ip_pool("1", "Local", "lab", Some("default"), false, &["10.0.0.0/24".into(), "10.0.1.5".into()]).unwrap();
        let e = s.add_ip_pool("1", "Local", "lab", None, false, &["10.9.0.0/24".into()]).unwrap_err();
        assert_eq!(vireo_core::Error::from(e).code(), "already_exists");
        assert!(s.add_ip_pool("2", "Other", "lab", None, false, &["10.9.0.0/24".into()]).is_ok(), "names are per host");
        assert_eq!(s.ip_pool("1", "lab").unwrap().unwrap(), p);
        assert_eq!(s.ip_pools("1").unwrap().len(), 1);

        s.hold_address(p.id, &used("10.0.0.1", "web")).unwrap();
        let e = vireo_core::Error::from(s.hold_address(p.id, &used("10.0.0.1", "db")).unwrap_err());
        assert_eq!(e.to_string(), "10.0.0.1 is taken: used by VM web");
        let r = PoolAddress { state: AddressState::Reserved, vm: None, note: Some("router".into()), ..used("10.0.0.2", "") };
        s.hold_address(p.id, &r).unwrap();
        assert_eq!(s.pool_counts(p.id).unwrap(), (1, 1));
        assert_eq!(s.pool_addresses(p.id).unwrap()[1].note.as_deref(), Some("router"));
        assert_eq!(s.release_address(p.id, "10.0.0.1").unwrap().unwrap().vm.as_deref(), Some("web"));
        assert_eq!(s.release_address(p.id, "10.0.0.1").unwrap(), None);
        s.remove_ip_pool(p.id).unwrap();
        assert_eq!(s.pool_counts(p.id).unwrap(), (0, 0), "its addresses went with it");
    }
}
