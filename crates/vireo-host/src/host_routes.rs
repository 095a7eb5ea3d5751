//! The subnets the host itself uses, from `ip -json` run on it: its routes (main table)
//! and its interfaces' addresses. A new network must not overlap them, or the host
//! would lose the way to a LAN it reaches now. Default routes, loopback, link-local and
//! multicast say nothing about a subnet and are left out, as are the bridges of libvirt
//! networks (those are checked as the networks they are).

use ipnet::IpNet;
use serde::Deserialize;
use vireo_core::network::Occupied;
use vireo_core::Result;

use crate::host::Host;

#[derive(Deserialize)]
struct Route {
    dst: String,
    dev: Option<String>,
}

#[derive(Deserialize)]
struct Link {
    ifname: String,
    #[serde(default)]
    addr_info: Vec<Addr>,
}

#[derive(Deserialize)]
struct Addr {
    local: Option<String>,
    prefixlen: Option<u8>,
}

/// A host interface as `ip -details` shows it: its kind (`bridge`, `veth`; none for a
/// NIC) and how many SR-IOV virtual functions it has.
#[derive(Debug, Deserialize)]
pub(crate) struct HostLink {
    #[serde(default)]
    pub linkinfo: Option<LinkInfo>,
    #[serde(default)]
    pub num_vf: Option<u32>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct LinkInfo {
    pub info_kind: Option<String>,
}

impl HostLink {
    pub fn is_bridge(&self) -> bool {
        self.linkinfo.as_ref().and_then(|l| l.info_kind.as_deref()) == Some("bridge")
    }
}

/// The host's interface `name`, or `None` when it has none so named.
pub(crate) async fn host_link(host: &Host, name: &str) -> Result<Option<HostLink>> {
    let argv = ["ip", "-json", "-details", "link", "show", "dev", name].iter().map(|a| a.to_string()).collect();
    match host.run(argv).await {
        Ok(out) => Ok(serde_json::from_slice::<Vec<HostLink>>(&out).ok().and_then(|v| v.into_iter().next())),
        // `ip` fails for a name the host does not have.
        Err(e) if e.to_string().contains("does not exist") => Ok(None),
        Err(e) => Err(e),
    }
}

pub(crate) async fn host_occupied(host: &Host, libvirt_bridges: &[String]) -> Result<Vec<Occupied>> {
    let argv = |args: &[&str]| args.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    let v4 = host.run(argv(&["ip", "-json", "-4", "route", "show"])).await?;
    let v6 = host.run(argv(&["ip", "-json", "-6", "route", "show"])).await?;
    let addrs = host.run(argv(&["ip", "-json", "address", "show"])).await?;
    Ok(parse(&[&v4, &v6], &addrs, libvirt_bridges))
}

fn parse(routes: &[&[u8]], addrs: &[u8], libvirt_bridges: &[String]) -> Vec<Occupied> {
    let ours = |dev: &str| libvirt_bridges.iter().any(|b| b == dev) || dev == "lo";
    let mut out: Vec<Occupied> = Vec::new();
    let mut add = |net: IpNet, what: String| {
        if telling(&net) && !out.iter().any(|o| o.net == net) {
            out.push(Occupied { net, what });
        }
    };
    for json in routes {
        for r in serde_json::from_slice::<Vec<Route>>(json).unwrap_or_default() {
            let dev = r.dev.unwrap_or_default();
            if ours(&dev) {
                continue;
            }
            let net = r.dst.parse::<IpNet>().or_else(|_| r.dst.parse::<std::net::IpAddr>().map(IpNet::from));
            if let Ok(net) = net {
                add(net.trunc(), format!("the host's route on {dev}"));
            }
        }
    }
    for link in serde_json::from_slice::<Vec<Link>>(addrs).unwrap_or_default() {
        if ours(&link.ifname) {
            continue;
        }
        for a in link.addr_info {
            let (Some(local), Some(len)) = (a.local, a.prefixlen) else { continue };
            if let Some(net) = local.parse().ok().and_then(|ip| IpNet::new(ip, len).ok()) {
                add(net.trunc(), format!("the address of {}", link.ifname));
            }
        }
    }
    out
}

/// Whether a subnet says where a network may not go.
fn telling(net: &IpNet) -> bool {
    match net {
        IpNet::V4(n) => n.prefix_len() > 0 && !n.network().is_loopback() && !n.network().is_link_local() && !n.network().is_multicast(),
        IpNet::V6(n) => {
            let first = n.network().segments()[0];
            n.prefix_len() > 0 && !n.network().is_loopback() && (first & 0xffc0) != 0xfe80 && (first & 0xff00) != 0xff00
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_and_addresses_become_subnets() {
        let v4 = br#"[{"dst":"default","gateway":"192.0.2.1","dev":"eth0"},{"dst":"192.0.2.0/24","dev":"eth0"},{"dst":"192.168.122.0/24","dev":"virbr0"},{"dst":"10.9.9.9","dev":"tun0"}]"#;
        let v6 = br#"[{"dst":"fd00::/64","dev":"eth0"},{"dst":"fe80::/64","dev":"eth0"},{"dst":"default","dev":"eth0"}]"#;
        let addrs = br#"[{"ifname":"lo","addr_info":[{"local":"127.0.0.1","prefixlen":8}]},{"ifname":"eth0","addr_info":[{"local":"192.0.2.2","prefixlen":24},{"local":"fe80::1","prefixlen":64}]},{"ifname":"wg0","addr_info":[{"local":"10.50.0.3","prefixlen":16}]}]"#;
        let got: Vec<String> = parse(&[v4, v6], addrs, &["virbr0".into()]).iter().map(|o| format!("{} {}", o.net, o.what)).collect();
        assert_eq!(
            got,
            [
                "192.0.2.0/24 the host's route on eth0",
                "10.9.9.9/32 the host's route on tun0",
                "fd00::/64 the host's route on eth0",
                "10.50.0.0/16 the address of wg0",
            ]
        );
    }
}
