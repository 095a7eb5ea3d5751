//! One pool's allocator: its spans and which of their addresses are free. What holds a
//! taken address (a VM, a reservation) is the store's business; this only guarantees
//! that an address is handed out once, comes back on release, and that addresses the
//! host holds outside the pool (leases, static hosts, the gateway) are never handed out.

use std::collections::BTreeMap;
use std::net::IpAddr;

use vireo_core::{Error, Result};

use super::free_set::FreeSet;
use super::span::{self, to_int, to_ip, Family, Span};

#[derive(Debug, Clone)]
pub struct Pool {
    name: String,
    family: Family,
    spans: Vec<Span>,
    free: FreeSet,
    /// Addresses the host holds outside the pool (a lease, a static host, the gateway),
    /// with what holds them: taken out of the free set so allocation never steps over them.
    blocked: BTreeMap<u128, String>,
}

impl Pool {
    /// A pool with every address free.
    pub fn new(name: &str, ranges: &[String]) -> Result<Pool> {
        let (family, spans) = span::parse_all(ranges)?;
        Ok(Pool { name: name.to_owned(), family, free: FreeSet::new(&spans), spans, blocked: BTreeMap::new() })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn family(&self) -> Family {
        self.family
    }

    pub fn spans(&self) -> &[Span] {
        &self.spans
    }

    pub fn size(&self) -> u128 {
        self.spans.iter().fold(0u128, |n, s| n.saturating_add(s.len()))
    }

    pub fn free_count(&self) -> u128 {
        self.free.count()
    }

    /// The size in decimal (an IPv6 /64 has more addresses than a u64 holds).
    pub fn size_text(&self) -> String {
        self.size().to_string()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        Family::of(ip) == self.family && self.contains_int(to_int(ip))
    }

    fn contains_int(&self, a: u128) -> bool {
        let i = self.spans.partition_point(|s| s.end < a);
        self.spans.get(i).is_some_and(|s| s.contains(a))
    }

    pub fn is_free(&self, ip: IpAddr) -> bool {
        self.contains(ip) && self.free.is_free(to_int(ip))
    }

    /// `ip` is in this pool (of its family and inside one of its ranges), or why not.
    pub fn check_member(&self, ip: IpAddr) -> Result<u128> {
        if Family::of(ip) != self.family {
            return Err(Error::invalid(
                "address",
                format!("{ip} is {} but pool '{}' holds {} addresses", Family::of(ip).label(), self.name, self.family.label()),
            ));
        }
        let a = to_int(ip);
        if !self.contains_int(a) {
            return Err(Error::invalid("address", format!("{ip} is not in pool '{}' ({})", self.name, self.ranges_text())));
        }
        Ok(a)
    }

    /// The ranges as spans in text, for messages.
    pub fn ranges_text(&self) -> String {
        self.spans
            .iter()
            .map(|s| match s.start == s.end {
                true => to_ip(self.family, s.start).to_string(),
                false => format!("{}-{}", to_ip(self.family, s.start), to_ip(self.family, s.end)),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Marks an address taken as loaded from the store; false if it is outside the pool
    /// or was already taken.
    pub fn hold(&mut self, ip: IpAddr) -> bool {
        self.contains(ip) && self.free.take(to_int(ip))
    }

    /// Marks an address the host holds outside the pool (`by` says what: "a lease of
    /// 52:54:00:..", "the gateway"); false if it is outside the pool or already taken.
    pub fn block(&mut self, ip: IpAddr, by: &str) -> bool {
        if !self.hold(ip) {
            return false;
        }
        self.blocked.insert(to_int(ip), by.to_owned());
        true
    }

    /// Takes `want`, or the lowest free address; never one the host holds.
    pub fn allocate(&mut self, want: Option<IpAddr>) -> Result<IpAddr> {
        match want {
            Some(ip) => {
                let a = self.check_member(ip)?;
                if let Some(by) = self.blocked.get(&a) {
                    return Err(Error::AddressTaken { ip: ip.to_string(), by: by.clone() });
                }
                if !self.free.take(a) {
                    return Err(Error::AddressTaken { ip: ip.to_string(), by: format!("pool '{}' has already handed it out", self.name) });
                }
                Ok(ip)
            }
            None => {
                let a = self.free.first().ok_or_else(|| Error::Exhausted { pool: self.name.clone(), size: self.size_text() })?;
                self.free.take(a);
                Ok(to_ip(self.family, a))
            }
        }
    }

    /// Gives `ip` back to the pool.
    pub fn release(&mut self, ip: IpAddr) -> Result<()> {
        let a = self.check_member(ip)?;
        if let Some(by) = self.blocked.get(&a) {
            return Err(Error::invalid("address", format!("{ip} was not handed out by pool '{}': it is {by}", self.name)));
        }
        if !self.free.put(a) {
            return Err(Error::invalid("address", format!("{ip} is not handed out in pool '{}'", self.name)));
        }
        Ok(())
    }

    /// The first address this pool shares with `other`, if any.
    pub fn overlap(&self, other: &Pool) -> Option<IpAddr> {
        if self.family != other.family {
            return None;
        }
        let (mut i, mut j) = (0, 0);
        while i < self.spans.len() && j < other.spans.len() {
            let (a, b) = (self.spans[i], other.spans[j]);
            if a.overlaps(&b) {
                return Some(to_ip(self.family, a.start.max(b.start)));
            }
            if a.end < b.end {
                i += 1;
            } else {
                j += 1;
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(t: &str) -> IpAddr {
        t.parse().unwrap()
    }

    #[test]
    fn allocates_in_order_skipping_what_the_network_holds() {
        let mut p = Pool::new("lab", &["10.0.0.0/29".into()]).unwrap();
        assert!(p.block(ip("10.0.0.1"), "the gateway") && p.block(ip("10.0.0.3"), "a lease"));
        assert!(!p.block(ip("10.0.0.9"), "outside"));
        assert_eq!(p.allocate(None).unwrap(), ip("10.0.0.2"));
        assert_eq!(p.allocate(None).unwrap(), ip("10.0.0.4"));
        let e = p.allocate(Some(ip("10.0.0.3"))).unwrap_err();
        assert_eq!(e.to_string(), "10.0.0.3 is taken: a lease");
        assert!(p.allocate(Some(ip("10.0.0.2"))).unwrap_err().to_string().contains("already handed it out"));
        assert!(p.allocate(Some(ip("10.0.0.9"))).unwrap_err().to_string().contains("not in pool 'lab' (10.0.0.1-10.0.0.6)"));
        assert!(p.allocate(Some(ip("fd00::1"))).unwrap_err().to_string().contains("is IPv6"));
        assert_eq!(p.allocate(Some(ip("10.0.0.6"))).unwrap(), ip("10.0.0.6"));
        assert_eq!(p.allocate(None).unwrap(), ip("10.0.0.5"));
        let e = p.allocate(None).unwrap_err();
        assert_eq!(e.code(), "exhausted", "{e}");
        p.release(ip("10.0.0.4")).unwrap();
        assert!(p.release(ip("10.0.0.4")).is_err());
        assert_eq!(p.allocate(None).unwrap(), ip("10.0.0.4"));
        assert!(p.release(ip("10.0.0.3")).unwrap_err().to_string().contains("not handed out by pool 'lab': it is a lease"));
    }

    #[test]
    fn overlap_between_pools() {
        let a = Pool::new("a", &["10.0.0.0/24".into(), "10.0.2.0/24".into()]).unwrap();
        let b = Pool::new("b", &["10.0.1.0/24".into(), "10.0.2.200-10.0.3.5".into()]).unwrap();
        let c = Pool::new("c", &["10.0.1.0/24".into()]).unwrap();
        assert_eq!(a.overlap(&b), Some(ip("10.0.2.200")));
        assert_eq!(a.overlap(&c), None);
        assert_eq!(a.size(), 508);
    }
}
