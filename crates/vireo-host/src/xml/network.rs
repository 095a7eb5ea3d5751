//! `<network>` definitions: the typed builder for the networks Vireo makes, the reader of
//! the fields it shows, and in-place edits of a definition (through the element tree,
//! so what Vireo does not model, such as `<dns>`, `<tftp>`, `<bootp>` or other tools'
//! `<metadata>`, stays as it was).

use std::net::IpAddr;

use ipnet::IpNet;
use vireo_core::network::{self, CheckedIp, DhcpHost, IpRange, NetworkIp, NetworkKind, NewNetwork};
use vireo_core::Result;

use super::tree::Element;

/// Checks the network on its own, then renders the XML `virNetworkDefineXML` takes.
pub fn network_xml(net: &NewNetwork) -> Result<String> {
    let (v4, v6) = network::check_new(net)?;
    let mut root = Element::new("network").with_child(Element::new("name").with_text(&net.name));
    if let Some(mode) = net.kind.forward_mode() {
        let mut fwd = Element::new("forward").with_attr("mode", mode);
        match (net.kind, &net.device) {
            (NetworkKind::Sriov, Some(pf)) => {
                fwd.set_attr("managed", "yes");
                fwd.push(Element::new("pf").with_attr("dev", pf));
            }
            (NetworkKind::Nat | NetworkKind::Routed, Some(dev)) => fwd.set_attr("dev", dev),
            _ => {}
        }
        root.push(fwd);
    }
    match (net.kind, &net.bridge) {
        (NetworkKind::Bridge, Some(br)) => root.push(Element::new("bridge").with_attr("name", br)),
        (NetworkKind::Sriov, _) => {}
        (_, Some(br)) => root.push(Element::new("bridge").with_attr("name", br).with_attr("stp", "on").with_attr("delay", "0")),
        (_, None) => {}
    }
    for ip in [v4, v6].into_iter().flatten() {
        root.push(ip_element(&ip));
    }
    root.to_xml()
}

/// `<ip>` for a checked family, with its `<dhcp>` when it has a range or hosts.
fn ip_element(ip: &CheckedIp) -> Element {
    let mut el = Element::new("ip");
    if ip.net.addr().is_ipv6() {
        el.set_attr("family", "ipv6");
    }
    el.set_attr("address", &ip.gateway.to_string());
    el.set_attr("prefix", &ip.net.prefix_len().to_string());
    if ip.dhcp.is_some() || !ip.hosts.is_empty() {
        let mut dhcp = Element::new("dhcp");
        if let Some((start, end)) = ip.dhcp {
            dhcp.push(range_element(start, end));
        }
        for h in &ip.hosts {
            dhcp.push(host_element(h));
        }
        el.push(dhcp);
    }
    el
}

pub fn range_element(start: IpAddr, end: IpAddr) -> Element {
    Element::new("range").with_attr("start", &start.to_string()).with_attr("end", &end.to_string())
}

/// `<host mac ip name/>`, the element `virNetworkUpdate` takes for a static host too.
pub fn host_element(h: &DhcpHost) -> Element {
    let mut el = Element::new("host");
    if let Some(mac) = &h.mac {
        el.set_attr("mac", mac);
    }
    if let Some(name) = &h.name {
        el.set_attr("name", name);
    }
    el.set_attr("ip", &h.ip);
    el
}

/// What Vireo reads from a network's XML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkFields {
    pub kind: NetworkKind,
    pub mode: Option<String>,
    pub bridge: Option<String>,
    pub device: Option<String>,
    pub ipv4: Option<NetworkIp>,
    pub ipv6: Option<NetworkIp>,
}

pub fn read_network(xml: &str) -> Result<NetworkFields> {
    let root = Element::parse(xml)?;
    let fwd = root.child("forward");
    let mode = fwd.and_then(|f| f.attr("mode")).map(str::to_owned);
    // A `<forward>` without a mode is NAT (libvirt's default).
    let kind = match (fwd, mode.as_deref()) {
        (Some(_), None) => NetworkKind::Nat,
        (_, m) => NetworkKind::from_forward_mode(m),
    };
    let device = fwd.and_then(|f| f.attr("dev").map(str::to_owned).or_else(|| f.child("pf").and_then(|p| p.attr("dev")).map(str::to_owned)));
    let bridge = root.child("bridge").and_then(|b| b.attr("name")).map(str::to_owned);
    let (mut ipv4, mut ipv6) = (None, None);
    for ip in root.children_named("ip") {
        let Some(read) = read_ip(ip) else { continue };
        let slot = if read.cidr.contains(':') { &mut ipv6 } else { &mut ipv4 };
        // The first of a family is the one Vireo shows and edits (libvirt allows one DHCP per family).
        if slot.is_none() {
            *slot = Some(read);
        }
    }
    Ok(NetworkFields { kind, mode, bridge, device, ipv4, ipv6 })
}

fn read_ip(ip: &Element) -> Option<NetworkIp> {
    let addr: IpAddr = ip.attr("address")?.parse().ok()?;
    let prefix = match (ip.attr("prefix"), ip.attr("netmask")) {
        (Some(p), _) => p.parse().ok()?,
        (None, Some(mask)) => ipnet::ipv4_mask_to_prefix(mask.parse().ok()?).ok()?,
        (None, None) => {
            if addr.is_ipv6() {
                64
            } else {
                24
            }
        }
    };
    let net = IpNet::new(addr, prefix).ok()?.trunc();
    let dhcp = ip.child("dhcp");
    let range = dhcp.and_then(|d| d.child("range")).and_then(|r| Some(IpRange { start: r.attr("start")?.to_owned(), end: r.attr("end")?.to_owned() }));
    let hosts = dhcp
        .map(|d| {
            d.children_named("host")
                .filter_map(|h| Some(DhcpHost { mac: h.attr("mac").map(str::to_owned), ip: h.attr("ip")?.to_owned(), name: h.attr("name").map(str::to_owned) }))
                .collect()
        })
        .unwrap_or_default();
    Some(NetworkIp { cidr: net.to_string(), gateway: Some(addr.to_string()), dhcp: range, hosts })
}

/// The `<ip>` elements' position of a family in the document (what `virNetworkUpdate`
/// calls the parent index), if the network has that family.
pub fn ip_index(xml: &str, v6: bool) -> Result<Option<usize>> {
    let root = Element::parse(xml)?;
    let at = root.children_named("ip").position(|ip| is_v6(ip) == v6);
    Ok(at)
}

/// Replaces a family's subnet, gateway and DHCP range in the definition, keeping the
/// rest of that `<ip>` (its static hosts, `<tftp>`, `<bootp>`) and every other element.
pub fn set_ip(xml: &str, checked: &CheckedIp) -> Result<String> {
    let mut root = Element::parse(xml)?;
    let v6 = checked.net.addr().is_ipv6();
    let existing = root.children_named_mut("ip").find(|ip| is_v6(ip) == v6);
    match existing {
        None => root.insert_after("ip", ip_element(checked)),
        Some(ip) => {
            ip.remove_attr("netmask");
            ip.set_attr("address", &checked.gateway.to_string());
            ip.set_attr("prefix", &checked.net.prefix_len().to_string());
            match checked.dhcp {
                Some((start, end)) => {
                    let dhcp = ip.child_or_insert("dhcp");
                    dhcp.remove_children(|e| e.name == "range");
                    dhcp.children.insert(0, super::tree::Node::Element(range_element(start, end)));
                }
                None => {
                    if let Some(dhcp) = ip.child_mut("dhcp") {
                        dhcp.remove_children(|e| e.name == "range");
                    }
                }
            }
        }
    }
    root.to_xml()
}

fn is_v6(ip: &Element) -> bool {
    ip.attr("family") == Some("ipv6") || ip.attr("address").is_some_and(|a| a.contains(':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab() -> NewNetwork {
        NewNetwork {
            name: "lab&co".into(),
            kind: NetworkKind::Nat,
            bridge: Some("virbr-lab".into()),
            device: None,
            ipv4: Some(NetworkIp {
                cidr: "192.168.50.0/24".into(),
                gateway: None,
                dhcp: Some(IpRange { start: "192.168.50.100".into(), end: "192.168.50.200".into() }),
                hosts: vec![DhcpHost { mac: Some("52:54:00:00:00:01".into()), ip: "192.168.50.10".into(), name: Some("web".into()) }],
            }),
            ipv6: Some(NetworkIp { cidr: "fd00:50::/64".into(), gateway: None, dhcp: None, hosts: vec![] }),
            autostart: true,
        }
    }

    #[test]
    fn a_nat_network_renders_and_reads_back() {
        let mut n = lab();
        n.name = "lab".into();
        let xml = network_xml(&n).unwrap();
        assert!(xml.contains("<forward mode=\"nat\"/>"), "{xml}");
        assert!(xml.contains("<ip address=\"192.168.50.1\" prefix=\"24\">"), "{xml}");
        assert!(xml.contains("<ip family=\"ipv6\" address=\"fd00:50::1\" prefix=\"64\"/>"), "{xml}");
        let f = read_network(&xml).unwrap();
        assert_eq!(f.kind, NetworkKind::Nat);
        assert_eq!(f.bridge.as_deref(), Some("virbr-lab"));
        let v4 = f.ipv4.unwrap();
        assert_eq!(v4.cidr, "192.168.50.0/24");
        assert_eq!(v4.dhcp.unwrap().start, "192.168.50.100");
        assert_eq!(v4.hosts[0].name.as_deref(), Some("web"));
        assert_eq!(f.ipv6.unwrap().gateway.as_deref(), Some("fd00:50::1"));
    }

    #[test]
    fn bad_names_never_reach_the_xml() {
        assert!(network_xml(&lab()).unwrap_err().to_string().contains("network name"));
    }

    #[test]
    fn libvirts_default_network_reads_with_its_netmask() {
        let xml = "<network><name>default</name><uuid>u</uuid><forward mode='nat'><nat><port start='1024' end='65535'/></nat></forward>\
                   <bridge name='virbr0' stp='on' delay='0'/><mac address='52:54:00:0a:0b:0c'/>\
                   <ip address='192.168.122.1' netmask='255.255.255.0'><dhcp><range start='192.168.122.2' end='192.168.122.254'/></dhcp></ip></network>";
        let f = read_network(xml).unwrap();
        assert_eq!(f.ipv4.as_ref().unwrap().cidr, "192.168.122.0/24");
        // An edit keeps the NAT port range, the MAC and the rest.
        let checked = network::check_ip(
            &NetworkIp { cidr: "192.168.122.0/24".into(), gateway: None, dhcp: Some(IpRange { start: "192.168.122.50".into(), end: "192.168.122.60".into() }), hosts: vec![] },
            false,
        )
        .unwrap();
        let edited = set_ip(xml, &checked).unwrap();
        assert!(edited.contains("<port start=\"1024\" end=\"65535\"/>") && edited.contains("<mac address=\"52:54:00:0a:0b:0c\"/>"), "{edited}");
        assert!(edited.contains("<range start=\"192.168.122.50\" end=\"192.168.122.60\"/>") && !edited.contains("netmask"), "{edited}");
    }

    #[test]
    fn bridge_and_sriov_networks() {
        let mut n = lab();
        n.name = "lan".into();
        n.kind = NetworkKind::Bridge;
        n.bridge = Some("br0".into());
        n.ipv4 = None;
        n.ipv6 = None;
        let xml = network_xml(&n).unwrap();
        assert!(xml.contains("<forward mode=\"bridge\"/><bridge name=\"br0\"/>"), "{xml}");
        n.kind = NetworkKind::Sriov;
        n.bridge = None;
        n.device = Some("enp1s0f0".into());
        let xml = network_xml(&n).unwrap();
        assert!(xml.contains("<forward mode=\"hostdev\" managed=\"yes\"><pf dev=\"enp1s0f0\"/></forward>"), "{xml}");
        assert_eq!(read_network(&xml).unwrap().device.as_deref(), Some("enp1s0f0"));
    }
}
