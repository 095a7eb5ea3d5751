//! IP pools, Vireo's address manager: sets of IPv4 or IPv6 addresses (subnets or
//! ranges), optionally tied to a libvirt network, each address free, used (by which VM
//! and NIC) or reserved (with a note). The allocation itself lives in `vireo-net`; these
//! are the shapes the app, the CLI and the UI share.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

/// A pool to make.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct NewIpPool {
    pub name: String,
    /// The libvirt network its addresses belong to: they must lie in its subnet, leases
    /// and static hosts there are never handed out, and assigning one to a VM's NIC
    /// writes the network's static DHCP host.
    pub network: Option<String>,
    /// Subnets (`10.0.0.0/24`: its usable hosts), ranges (`10.0.0.10-10.0.0.99`) or
    /// single addresses; one family per pool.
    pub ranges: Vec<String>,
}

/// A pool with its usage.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct IpPoolSummary {
    pub name: String,
    pub network: Option<String>,
    pub v6: bool,
    pub ranges: Vec<String>,
    /// How many addresses it holds, in decimal (an IPv6 /64 has 2^64).
    pub size: String,
    pub used: u32,
    pub reserved: u32,
    /// Free addresses, in decimal.
    pub free: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AddressState {
    Used,
    Reserved,
}

/// An address of a pool that is not free.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct PoolAddress {
    pub ip: String,
    pub state: AddressState,
    /// The VM and NIC (by MAC) holding it.
    pub vm: Option<String>,
    pub mac: Option<String>,
    pub note: Option<String>,
    /// Whether Vireo wrote the network's static DHCP host for it (removed on release).
    pub dhcp_host: bool,
    #[ts(type = "number")]
    pub at_ms: i64,
}

/// Something on the host that disagrees with the pool: an address leased or bound to a
/// MAC the pool does not know, or held in the pool by a NIC the network gives another.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct PoolConflict {
    pub ip: String,
    pub reason: String,
}

/// A pool, its addresses in order and what on the host disagrees with it.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct IpPoolDetail {
    pub pool: IpPoolSummary,
    pub addresses: Vec<PoolAddress>,
    pub conflicts: Vec<PoolConflict>,
}

/// What an address is taken for.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Hold {
    /// Used by a VM (its NIC by MAC, when known), without a DHCP host written.
    Use { vm: Option<String>, mac: Option<String>, note: Option<String> },
    /// Kept back, never handed out until released.
    Reserve { note: String },
}

/// A pool's name, by the shared name rule (`lab`, `public-v6`).
pub fn pool_name(name: &str) -> Result<&str> {
    match crate::rules::name_problem(name) {
        None => Ok(name),
        Some(reason) => Err(Error::invalid("IP pool name", reason)),
    }
}

/// Longest note on an address.
pub const NOTE_MAX: usize = 200;

/// A note on an address: one line, at most [`NOTE_MAX`] characters.
pub fn note(text: &str) -> Result<String> {
    let t = text.trim();
    if t.chars().count() > NOTE_MAX {
        return Err(Error::invalid("note", format!("it is longer than {NOTE_MAX} characters")));
    }
    if t.chars().any(char::is_control) {
        return Err(Error::invalid("note", "it holds a line break or control character; keep it to one line"));
    }
    Ok(t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_notes_are_checked() {
        assert!(pool_name("lab-v4").is_ok());
        assert!(pool_name("a<b").is_err());
        assert!(pool_name("a/b").is_err());
        assert_eq!(note("  web front ").unwrap(), "web front");
        assert!(note("two\nlines").unwrap_err().to_string().contains("line break"));
        assert!(note(&"x".repeat(201)).is_err());
    }
}
