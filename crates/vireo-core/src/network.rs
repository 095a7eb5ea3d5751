//! libvirt virtual networks as the UI and the CLI see them, what a user asks for when
//! making one, and the checks that run before anything changes on a host: CIDR syntax,
//! the gateway and the DHCP range inside the subnet, static hosts, and overlap with the
//! host's other networks, routes and addresses.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::validate;

/// How a network reaches the world (libvirt's `<forward mode>`; `isolated` has none).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum NetworkKind {
    /// Guests behind the host's address (masquerade).
    Nat,
    /// Guests' own subnet routed by the host, no NAT.
    Routed,
    /// Guests and host only.
    Isolated,
    /// Routed with no firewall rules from libvirt.
    Open,
    /// Guests on an existing host bridge (the LAN).
    Bridge,
    /// A pool of an SR-IOV NIC's virtual functions, handed to guests as host devices.
    Sriov,
    /// A mode Vireo shows but does not make (macvtap `passthrough`, `vepa`, `private`).
    Other,
}

impl NetworkKind {
    /// libvirt's `<forward mode>` for it; `None` for isolated (no `<forward>`).
    pub fn forward_mode(self) -> Option<&'static str> {
        match self {
            NetworkKind::Nat => Some("nat"),
            NetworkKind::Routed => Some("route"),
            NetworkKind::Open => Some("open"),
            NetworkKind::Bridge => Some("bridge"),
            NetworkKind::Sriov => Some("hostdev"),
            NetworkKind::Isolated | NetworkKind::Other => None,
        }
    }

    pub fn from_forward_mode(mode: Option<&str>) -> NetworkKind {
        match mode {
            None => NetworkKind::Isolated,
            Some("nat") => NetworkKind::Nat,
            Some("route") => NetworkKind::Routed,
            Some("open") => NetworkKind::Open,
            Some("bridge") => NetworkKind::Bridge,
            Some("hostdev") => NetworkKind::Sriov,
            Some(_) => NetworkKind::Other,
        }
    }

    /// Whether libvirt runs an IP subnet (and dnsmasq) for it on the host.
    pub fn has_subnet(self) -> bool {
        matches!(self, NetworkKind::Nat | NetworkKind::Routed | NetworkKind::Isolated | NetworkKind::Open)
    }
}

/// An inclusive address range (`192.168.50.100` to `192.168.50.200`).
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct IpRange {
    pub start: String,
    pub end: String,
}

/// A static DHCP host: the address a MAC (IPv4) or a host name (IPv6) always gets.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct DhcpHost {
    pub mac: Option<String>,
    pub ip: String,
    pub name: Option<String>,
}

/// One IP family of a network: its subnet, the host's address on it, DHCP.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct NetworkIp {
    /// The subnet, host bits zero: `192.168.50.0/24`, `fd00:50::/64`.
    pub cidr: String,
    /// The host's address on the network; the subnet's first address when not given.
    pub gateway: Option<String>,
    /// The DHCP range; none: no DHCP for this family.
    pub dhcp: Option<IpRange>,
    #[serde(default)]
    pub hosts: Vec<DhcpHost>,
}

/// A network to make.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct NewNetwork {
    pub name: String,
    pub kind: NetworkKind,
    /// The bridge libvirt makes (subnet kinds; libvirt picks `virbrN` when not given), or
    /// the existing host bridge guests join (`bridge` kind, required).
    pub bridge: Option<String>,
    /// The host NIC traffic leaves by (nat/routed, optional), or the SR-IOV physical
    /// function whose virtual functions form the pool (`sriov`, required).
    pub device: Option<String>,
    pub ipv4: Option<NetworkIp>,
    pub ipv6: Option<NetworkIp>,
    pub autostart: bool,
}

/// A network as listed and described.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct NetworkSummary {
    pub name: String,
    pub uuid: String,
    pub kind: NetworkKind,
    /// libvirt's `<forward mode>` as written (for `other`).
    pub mode: Option<String>,
    pub active: bool,
    pub autostart: bool,
    pub persistent: bool,
    pub bridge: Option<String>,
    pub device: Option<String>,
    pub ipv4: Option<NetworkIp>,
    pub ipv6: Option<NetworkIp>,
    /// VMs with a NIC on it (any state), sorted.
    pub vms: Vec<String>,
}

/// A current DHCP lease, with the VM whose NIC has its MAC and whether it is static.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct NetworkLease {
    pub ip: String,
    pub prefix: u32,
    pub mac: String,
    pub hostname: Option<String>,
    pub vm: Option<String>,
    /// Seconds since the epoch; 0: never expires.
    #[ts(type = "number")]
    pub expiry: i64,
    /// The address is a static DHCP host of the network.
    pub is_static: bool,
}

/// What a network change came to on the host.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum NetworkAction {
    Start,
    Stop,
    Autostart,
    NoAutostart,
}

/// Something else on the host that holds addresses: a libvirt network, or a route or
/// address of the host itself (on an interface).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occupied {
    pub net: IpNet,
    /// `network 'default'`, `route on eth0`, `address of eth0`.
    pub what: String,
}

/// A subnet as the user wrote it: `a.b.c.0/24`, host bits zero.
pub fn parse_cidr(field: &'static str, text: &str) -> Result<IpNet> {
    let t = text.trim();
    let net: IpNet = t
        .parse()
        .map_err(|_| Error::invalid(field, format!("'{t}' is not a subnet like 192.168.50.0/24 or fd00:50::/64")))?;
    if net.trunc() != net {
        return Err(Error::invalid(
            field,
            format!("'{t}' has host bits set; the subnet is {} (give the gateway apart)", net.trunc()),
        ));
    }
    Ok(net)
}

pub fn parse_ip(field: &'static str, text: &str) -> Result<IpAddr> {
    let t = text.trim();
    t.parse().map_err(|_| Error::invalid(field, format!("'{t}' is not an IP address")))
}

/// The address a gateway defaults to: the subnet's first.
pub fn first_host(net: &IpNet) -> Option<IpAddr> {
    match net {
        IpNet::V4(n) => n.hosts().next().map(IpAddr::V4),
        // ipnet counts every IPv6 address a host; the network one is the router anycast.
        IpNet::V6(n) => u128::from(n.network()).checked_add(1).map(std::net::Ipv6Addr::from).filter(|a| n.contains(a)).map(IpAddr::V6),
    }
}

/// A DHCP range for a subnet with its gateway at the first address: from the second
/// address to the last usable one (`.2`-`.254` in a /24; a /64 gets `::100`-`::ffff`).
pub fn default_dhcp_range(net: &IpNet) -> Option<IpRange> {
    match net {
        IpNet::V4(n) => {
            if n.prefix_len() > 29 {
                return None;
            }
            let first = u32::from(n.network()) + 2;
            let last = u32::from(n.broadcast()) - 1;
            Some(IpRange { start: std::net::Ipv4Addr::from(first).to_string(), end: std::net::Ipv4Addr::from(last).to_string() })
        }
        IpNet::V6(n) => {
            if n.prefix_len() > 112 {
                return None;
            }
            let base = u128::from(n.network());
            Some(IpRange {
                start: std::net::Ipv6Addr::from(base + 0x100).to_string(),
                end: std::net::Ipv6Addr::from(base + 0xffff).to_string(),
            })
        }
    }
}

/// A Linux interface name (a bridge, a NIC): 1-15 characters of letters, digits, `.`,
/// `_`, `-`, not `.` or `..` (the kernel's rule; `IFNAMSIZ` is 16 with the NUL).
pub fn interface_name(field: &'static str, name: &str) -> Result<String> {
    let ok = !name.is_empty()
        && name.len() <= 15
        && name != "."
        && name != ".."
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !ok {
        return Err(Error::invalid(field, format!("'{name}' is not an interface name (1-15 letters, digits, '.', '_', '-')")));
    }
    Ok(name.to_owned())
}

/// A network's IP family, checked and resolved: subnet, gateway, DHCP range and hosts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedIp {
    pub net: IpNet,
    pub gateway: IpAddr,
    pub dhcp: Option<(IpAddr, IpAddr)>,
    pub hosts: Vec<DhcpHost>,
}

/// Checks one IP family of a network on its own.
pub fn check_ip(ip: &NetworkIp, v6: bool) -> Result<CheckedIp> {
    let field = if v6 { "IPv6 subnet" } else { "IPv4 subnet" };
    let net = parse_cidr(field, &ip.cidr)?;
    match (&net, v6) {
        (IpNet::V4(_), true) => return Err(Error::invalid(field, format!("{net} is an IPv4 subnet"))),
        (IpNet::V6(_), false) => return Err(Error::invalid(field, format!("{net} is an IPv6 subnet"))),
        _ => {}
    }
    let max_prefix = if v6 { 126 } else { 30 };
    if net.prefix_len() > max_prefix {
        return Err(Error::invalid(field, format!("{net} is too small for a network; use at most /{max_prefix}")));
    }
    if let IpNet::V4(n) = &net {
        if n.network().is_loopback() || n.network().is_multicast() || n.network().is_broadcast() || n.network().is_unspecified() {
            return Err(Error::invalid(field, format!("{net} is not a subnet a network can use")));
        }
    }
    let gateway = match &ip.gateway {
        Some(g) if !g.trim().is_empty() => parse_ip("gateway", g)?,
        _ => first_host(&net).ok_or_else(|| Error::invalid(field, format!("{net} has no host addresses")))?,
    };
    if !inside(&net, gateway) {
        return Err(Error::invalid("gateway", format!("{gateway} is outside {net}")));
    }
    if is_network_or_broadcast(&net, gateway) {
        return Err(Error::invalid("gateway", format!("{gateway} is the network or broadcast address of {net}")));
    }
    let dhcp = match &ip.dhcp {
        None => None,
        Some(r) => {
            let start = parse_ip("DHCP range start", &r.start)?;
            let end = parse_ip("DHCP range end", &r.end)?;
            for (what, a) in [("DHCP range start", start), ("DHCP range end", end)] {
                if !inside(&net, a) || is_network_or_broadcast(&net, a) {
                    return Err(Error::invalid(what, format!("{a} is outside the usable addresses of {net}")));
                }
            }
            if start > end {
                return Err(Error::invalid("DHCP range", format!("it starts at {start}, after its end {end}")));
            }
            if start <= gateway && gateway <= end {
                return Err(Error::invalid("DHCP range", format!("{start}-{end} holds the gateway {gateway}")));
            }
            Some((start, end))
        }
    };
    let mut hosts = Vec::new();
    for h in &ip.hosts {
        hosts.push(check_host(&net, gateway, h, v6)?);
    }
    for (i, a) in hosts.iter().enumerate() {
        for b in &hosts[i + 1..] {
            if a.ip == b.ip {
                return Err(Error::invalid("static host", format!("{} is given twice", a.ip)));
            }
            if a.mac.is_some() && a.mac == b.mac {
                return Err(Error::invalid("static host", format!("MAC {} is given twice", a.mac.as_deref().unwrap_or(""))));
            }
        }
    }
    Ok(CheckedIp { net, gateway, dhcp, hosts })
}

/// A static host checked against its subnet; its MAC lower-cased.
pub fn check_host(net: &IpNet, gateway: IpAddr, h: &DhcpHost, v6: bool) -> Result<DhcpHost> {
    let ip = parse_ip("static host address", &h.ip)?;
    if !inside(net, ip) || is_network_or_broadcast(net, ip) {
        return Err(Error::invalid("static host address", format!("{ip} is outside the usable addresses of {net}")));
    }
    if ip == gateway {
        return Err(Error::invalid("static host address", format!("{ip} is the gateway")));
    }
    let mac = match &h.mac {
        Some(m) if !m.trim().is_empty() => Some(validate::mac(m)?),
        _ => None,
    };
    let name = match &h.name {
        Some(n) if !n.trim().is_empty() => Some(validate::hostname(n.trim())?.to_owned()),
        _ => None,
    };
    if !v6 && mac.is_none() {
        return Err(Error::invalid("static host", format!("{ip} needs the MAC address of the NIC that gets it")));
    }
    if v6 && mac.is_none() && name.is_none() {
        return Err(Error::invalid("static host", format!("{ip} needs a host name or a MAC address")));
    }
    Ok(DhcpHost { mac, ip: ip.to_string(), name })
}

/// The whole network checked on its own (not against the host): the name, the kind's
/// needs, each family. Returns the checked families.
pub fn check_new(net: &NewNetwork) -> Result<(Option<CheckedIp>, Option<CheckedIp>)> {
    validate::network_name(&net.name)?;
    if let Some(b) = &net.bridge {
        interface_name("bridge name", b)?;
    }
    if let Some(d) = &net.device {
        interface_name("device", d)?;
    }
    let v4 = net.ipv4.as_ref().map(|ip| check_ip(ip, false)).transpose()?;
    let v6 = net.ipv6.as_ref().map(|ip| check_ip(ip, true)).transpose()?;
    match net.kind {
        NetworkKind::Nat if v4.is_none() => {
            return Err(Error::invalid("IPv4 subnet", "a NAT network needs an IPv4 subnet (NAT is for IPv4)"));
        }
        NetworkKind::Routed if v4.is_none() && v6.is_none() => {
            return Err(Error::invalid("subnet", "a routed network needs an IPv4 or IPv6 subnet to route"));
        }
        NetworkKind::Bridge | NetworkKind::Sriov if v4.is_some() || v6.is_some() => {
            return Err(Error::invalid("subnet", "a bridge or SR-IOV network has no subnet of its own: the LAN gives addresses"));
        }
        NetworkKind::Bridge if net.bridge.is_none() => {
            return Err(Error::invalid("bridge name", "a bridge network needs the host bridge guests join (for example br0)"));
        }
        NetworkKind::Sriov if net.device.is_none() => {
            return Err(Error::invalid("device", "an SR-IOV network needs the physical NIC whose virtual functions it hands out"));
        }
        NetworkKind::Isolated | NetworkKind::Open if net.device.is_some() => {
            return Err(Error::invalid("device", "an isolated or open network does not leave by a host NIC"));
        }
        NetworkKind::Other => return Err(Error::invalid("kind", "choose nat, routed, isolated, open, bridge or sriov")),
        _ => {}
    }
    Ok((v4, v6))
}

/// The first thing on the host `net` overlaps, as an error naming both.
pub fn check_no_overlap(field: &'static str, net: &IpNet, occupied: &[Occupied]) -> Result<()> {
    match occupied.iter().find(|o| overlaps(net, &o.net)) {
        Some(o) => Err(Error::invalid(field, format!("{net} overlaps {} ({})", o.what, o.net))),
        None => Ok(()),
    }
}

pub fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

pub fn inside(net: &IpNet, a: IpAddr) -> bool {
    net.contains(&a)
}

fn is_network_or_broadcast(net: &IpNet, a: IpAddr) -> bool {
    match net {
        IpNet::V4(n) => a == IpAddr::V4(n.network()) || a == IpAddr::V4(n.broadcast()),
        // IPv6 has no broadcast; its subnet-router anycast address is the network one.
        IpNet::V6(n) => a == IpAddr::V6(n.network()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(cidr: &str, gw: Option<&str>, dhcp: Option<(&str, &str)>) -> NetworkIp {
        NetworkIp {
            cidr: cidr.into(),
            gateway: gw.map(Into::into),
            dhcp: dhcp.map(|(s, e)| IpRange { start: s.into(), end: e.into() }),
            hosts: vec![],
        }
    }

    fn nat(v4: NetworkIp) -> NewNetwork {
        NewNetwork { name: "lab".into(), kind: NetworkKind::Nat, bridge: None, device: None, ipv4: Some(v4), ipv6: None, autostart: true }
    }

    fn err(r: Result<impl std::fmt::Debug>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn a_plain_nat_network_resolves_its_gateway() {
        let (v4, v6) = check_new(&nat(ip("192.168.50.0/24", None, Some(("192.168.50.2", "192.168.50.254"))))).unwrap();
        let v4 = v4.unwrap();
        assert_eq!(v4.gateway.to_string(), "192.168.50.1");
        assert!(v6.is_none());
    }

    #[test]
    fn bad_subnets_are_named() {
        assert!(err(check_new(&nat(ip("192.168.50.0/33", None, None)))).contains("not a subnet like"));
        assert!(err(check_new(&nat(ip("10.0.0.0/8x", None, None)))).contains("not a subnet"));
        assert!(err(check_new(&nat(ip("192.168.50.1/24", None, None)))).contains("host bits set; the subnet is 192.168.50.0/24"));
        assert!(err(check_new(&nat(ip("192.168.50.0/31", None, None)))).contains("too small"));
        assert!(err(check_new(&nat(ip("fd00::/64", None, None)))).contains("is an IPv6 subnet"));
        assert!(err(check_new(&nat(ip("127.0.0.0/8", None, None)))).contains("not a subnet a network can use"));
    }

    #[test]
    fn the_gateway_and_the_range_stay_inside() {
        assert!(err(check_new(&nat(ip("192.168.50.0/24", Some("192.168.51.1"), None)))).contains("outside 192.168.50.0/24"));
        assert!(err(check_new(&nat(ip("192.168.50.0/24", Some("192.168.50.255"), None)))).contains("broadcast"));
        let r = check_new(&nat(ip("192.168.50.0/24", None, Some(("192.168.50.1", "192.168.50.9")))));
        assert!(err(r).contains("holds the gateway 192.168.50.1"));
        let r = check_new(&nat(ip("192.168.50.0/24", None, Some(("192.168.50.9", "192.168.50.2")))));
        assert!(err(r).contains("after its end"));
        let r = check_new(&nat(ip("192.168.50.0/24", None, Some(("192.168.50.9", "192.168.60.2")))));
        assert!(err(r).contains("outside the usable addresses"));
    }

    #[test]
    fn static_hosts_need_a_mac_in_ipv4_and_are_unique() {
        let mut v4 = ip("192.168.50.0/24", None, None);
        v4.hosts = vec![DhcpHost { mac: None, ip: "192.168.50.10".into(), name: None }];
        assert!(err(check_new(&nat(v4.clone()))).contains("needs the MAC"));
        v4.hosts = vec![
            DhcpHost { mac: Some("52:54:00:AA:00:01".into()), ip: "192.168.50.10".into(), name: None },
            DhcpHost { mac: Some("52:54:00:aa:00:01".into()), ip: "192.168.50.11".into(), name: None },
        ];
        assert!(err(check_new(&nat(v4.clone()))).contains("given twice"));
        v4.hosts[1].mac = Some("52:54:00:aa:00:02".into());
        let (c, _) = check_new(&nat(v4)).unwrap();
        assert_eq!(c.unwrap().hosts[0].mac.as_deref(), Some("52:54:00:aa:00:01"));
    }

    #[test]
    fn kinds_need_what_they_use() {
        let mut n = nat(ip("192.168.50.0/24", None, None));
        n.ipv4 = None;
        assert!(err(check_new(&n)).contains("NAT network needs an IPv4 subnet"));
        n.kind = NetworkKind::Bridge;
        assert!(err(check_new(&n)).contains("host bridge"));
        n.bridge = Some("br0".into());
        check_new(&n).unwrap();
        n.kind = NetworkKind::Sriov;
        assert!(err(check_new(&n)).contains("physical NIC"));
        n.bridge = Some("a-very-long-bridge-name".into());
        assert!(err(check_new(&n)).contains("not an interface name"));
        n.name = "a/b".into();
        assert!(err(check_new(&n)).contains("network name"));
    }

    #[test]
    fn overlap_names_what_is_there() {
        let occ = vec![Occupied { net: "192.168.122.0/24".parse().unwrap(), what: "network 'default'".into() }];
        let e = check_no_overlap("IPv4 subnet", &"192.168.0.0/16".parse().unwrap(), &occ).unwrap_err().to_string();
        assert!(e.contains("overlaps network 'default' (192.168.122.0/24)"), "{e}");
        check_no_overlap("IPv4 subnet", &"192.168.123.0/24".parse().unwrap(), &occ).unwrap();
    }

    #[test]
    fn default_ranges_fit() {
        let r = default_dhcp_range(&"192.168.50.0/24".parse().unwrap()).unwrap();
        assert_eq!((r.start.as_str(), r.end.as_str()), ("192.168.50.2", "192.168.50.254"));
        let r = default_dhcp_range(&"fd00:50::/64".parse().unwrap()).unwrap();
        assert_eq!((r.start.as_str(), r.end.as_str()), ("fd00:50::100", "fd00:50::ffff"));
    }

    #[test]
    fn ipv6_subnets_check_too() {
        let n = NewNetwork {
            name: "v6".into(),
            kind: NetworkKind::Isolated,
            bridge: None,
            device: None,
            ipv4: None,
            ipv6: Some(ip("fd00:50::/64", None, Some(("fd00:50::100", "fd00:50::1ff")))),
            autostart: false,
        };
        let (_, v6) = check_new(&n).unwrap();
        assert_eq!(v6.unwrap().gateway.to_string(), "fd00:50::1");
    }
}
