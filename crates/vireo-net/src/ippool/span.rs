//! The address sets a pool is made of, as inclusive spans of integers (an IPv4 address
//! as its u32, an IPv6 one as its u128), parsed from what a user writes: a subnet (its
//! usable hosts), a range `a-b`, or one address.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;
use vireo_core::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    pub fn of(ip: IpAddr) -> Family {
        if ip.is_ipv4() {
            Family::V4
        } else {
            Family::V6
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Family::V4 => "IPv4",
            Family::V6 => "IPv6",
        }
    }
}

/// Addresses `start..=end` of one family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: u128,
    pub end: u128,
}

impl Span {
    /// How many addresses; a whole IPv6 space (2^128) saturates to `u128::MAX`.
    pub fn len(&self) -> u128 {
        (self.end - self.start).saturating_add(1)
    }

    /// A span holds at least its start.
    pub fn is_empty(&self) -> bool {
        false
    }

    pub fn contains(&self, a: u128) -> bool {
        self.start <= a && a <= self.end
    }

    pub fn overlaps(&self, other: &Span) -> bool {
        self.start <= other.end && other.start <= self.end
    }
}

pub fn to_int(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(a) => u32::from(a) as u128,
        IpAddr::V6(a) => u128::from(a),
    }
}

pub fn to_ip(family: Family, a: u128) -> IpAddr {
    match family {
        Family::V4 => IpAddr::V4(Ipv4Addr::from(a as u32)),
        Family::V6 => IpAddr::V6(Ipv6Addr::from(a)),
    }
}

fn bad(text: &str, why: &str) -> Error {
    Error::invalid(
        "IP pool range",
        format!("'{text}' {why}; give a subnet (10.0.0.0/24, fd00::/64), a range (10.0.0.10-10.0.0.99) or one address"),
    )
}

fn address(whole: &str, part: &str) -> Result<IpAddr> {
    part.trim().parse().map_err(|_| bad(whole, &format!("holds '{}', which is not an IP address", part.trim())))
}

/// One piece of a pool as written, with its family.
pub fn parse(text: &str) -> Result<(Family, Span)> {
    let t = text.trim();
    if t.is_empty() {
        return Err(bad(t, "is empty"));
    }
    if t.contains('/') {
        let net: IpNet = t.parse().map_err(|_| bad(t, "is not a subnet (address/prefix, prefix up to 32 for IPv4 and 128 for IPv6)"))?;
        if net.trunc() != net {
            return Err(bad(t, &format!("has host bits set (the subnet is {})", net.trunc())));
        }
        return Ok(hosts(&net));
    }
    if let Some((a, b)) = t.split_once('-') {
        let (a, b) = (address(t, a)?, address(t, b)?);
        if Family::of(a) != Family::of(b) {
            return Err(bad(t, "mixes IPv4 and IPv6"));
        }
        let (start, end) = (to_int(a), to_int(b));
        if start > end {
            return Err(bad(t, "ends before it starts"));
        }
        return Ok((Family::of(a), Span { start, end }));
    }
    let a = address(t, t)?;
    Ok((Family::of(a), Span { start: to_int(a), end: to_int(a) }))
}

/// A subnet's addresses a host can have: IPv4 without its network and broadcast
/// addresses (a /31 and a /32 keep all theirs), IPv6 without the subnet-router anycast.
pub fn hosts(net: &IpNet) -> (Family, Span) {
    let (family, first, last) = match net {
        IpNet::V4(n) => (Family::V4, u32::from(n.network()) as u128, u32::from(n.broadcast()) as u128),
        IpNet::V6(n) => (Family::V6, u128::from(n.network()), u128::from(n.broadcast())),
    };
    let span = match (family, net.prefix_len()) {
        (Family::V4, 31 | 32) | (Family::V6, 128) => Span { start: first, end: last },
        (Family::V4, _) => Span { start: first + 1, end: last - 1 },
        (Family::V6, _) => Span { start: first + 1, end: last },
    };
    (family, span)
}

/// The spans of one pool: one family, none overlapping another. Sorted by start.
pub fn parse_all(texts: &[String]) -> Result<(Family, Vec<Span>)> {
    if texts.is_empty() {
        return Err(Error::invalid("IP pool range", "give at least one subnet, range or address"));
    }
    let mut family = None;
    let mut spans: Vec<(Span, &str)> = Vec::new();
    for text in texts {
        let (f, span) = parse(text)?;
        match family {
            None => family = Some(f),
            Some(first) if first != f => {
                return Err(Error::invalid(
                    "IP pool range",
                    format!("'{}' is {} but the pool's first range is {}: one family per pool", text.trim(), f.label(), first.label()),
                ))
            }
            Some(_) => {}
        }
        if let Some((_, other)) = spans.iter().find(|(s, _)| s.overlaps(&span)) {
            return Err(Error::invalid("IP pool range", format!("'{}' overlaps '{other}'", text.trim())));
        }
        spans.push((span, text.trim()));
    }
    let mut spans: Vec<Span> = spans.into_iter().map(|(s, _)| s).collect();
    spans.sort();
    Ok((family.expect("at least one range"), spans))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(t: &str) -> u128 {
        to_int(t.parse().unwrap())
    }

    #[test]
    fn subnets_give_their_host_addresses() {
        assert_eq!(parse("10.1.0.0/24").unwrap(), (Family::V4, Span { start: ip("10.1.0.1"), end: ip("10.1.0.254") }));
        assert_eq!(parse("10.1.0.0/16").unwrap().1.len(), 65534);
        assert_eq!(parse("10.1.0.4/31").unwrap().1.len(), 2);
        assert_eq!(parse("10.1.0.4/32").unwrap().1.len(), 1);
        let (f, s) = parse("fd00:1::/64").unwrap();
        assert_eq!((f, s.start, s.len()), (Family::V6, ip("fd00:1::1"), (1u128 << 64) - 1));
        assert_eq!(parse(" 10.1.0.10 - 10.1.0.20 ").unwrap().1.len(), 11);
        assert_eq!(parse("fd00::5").unwrap().1.len(), 1);
    }

    #[test]
    fn bad_ranges_are_named() {
        for (text, why) in [
            ("10.0.0.0/33", "not a subnet"),
            ("300.1.1.1/24", "not a subnet"),
            ("fe80::/129", "not a subnet"),
            ("10.0.0.5/24", "host bits set"),
            ("10.0.0.9-10.0.0.1", "ends before"),
            ("10.0.0.1-fd00::1", "mixes"),
            ("10.0.0.1-x", "'x', which is not an IP address"),
            ("", "empty"),
        ] {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.contains(why), "{text}: {e}");
        }
        let e = parse_all(&["10.0.0.0/24".into(), "10.0.0.100-10.0.1.5".into()]).unwrap_err().to_string();
        assert!(e.contains("overlaps '10.0.0.0/24'"), "{e}");
        let e = parse_all(&["10.0.0.0/24".into(), "fd00::/64".into()]).unwrap_err().to_string();
        assert!(e.contains("one family per pool"), "{e}");
    }
}
