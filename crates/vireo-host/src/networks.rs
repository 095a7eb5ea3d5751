//! libvirt networks on a `Host`: list and describe (with the VMs on each), create (after
//! the checks against the host's other networks, routes and addresses), start, stop,
//! autostart, delete (refused while VMs use it unless they are detached), DHCP range and
//! static hosts (live and persistent), and the lease list.

use std::collections::BTreeMap;

use virt::connect::Connect;
use virt::network::Network;
use virt::sys;
use vireo_core::network::{self, CheckedIp, DhcpHost, IpRange, NetworkIp, Occupied};
use vireo_core::{Applied, ChangeOutcome, Error, NetworkAction, NetworkKind, NetworkLease, NetworkSummary, NewNetwork, Result, VmRef};

use crate::error::{host_error, message, raw_code, VIR_ERR_NO_NETWORK};
use crate::host::Host;
use crate::host_routes::{host_link, host_occupied};
use crate::leases::read_leases;
use crate::vm_detail::nics_of;
use crate::xml::network::{host_element, ip_index, network_xml, range_element, read_network, set_ip};
use crate::xml::tree::Element;

/// A VM's NIC on a network, as the network's users are found.
#[derive(Debug, Clone)]
struct NicOn {
    vm: String,
    mac: String,
    running: bool,
}

impl Host {
    pub async fn list_networks(&self) -> Result<Vec<NetworkSummary>> {
        self.call(|conn| {
            let nets = conn.list_all_networks(0).map_err(|e| host_error("list networks", &e))?;
            let users = nic_users(conn)?;
            let mut out: Vec<NetworkSummary> = nets.iter().filter_map(|n| summary(n, &users).ok()).collect();
            out.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(out)
        })
        .await
    }

    pub async fn network(&self, name: &str) -> Result<NetworkSummary> {
        let (name, uri) = (name.to_owned(), self.uri().to_owned());
        self.call(move |conn| {
            let n = lookup_network(conn, &uri, &name)?;
            summary(&n, &nic_users(conn)?).map_err(|e| net_error(&name, "read", &e))
        })
        .await
    }

    /// What already holds addresses on the host: its libvirt networks (all but `except`)
    /// and, where Vireo can run `ip` there, its own routes and addresses (those on the
    /// bridges of libvirt networks are the networks themselves).
    pub async fn occupied_subnets(&self, except: Option<&str>) -> Result<Vec<Occupied>> {
        let except = except.map(str::to_owned);
        let (mut occupied, bridges) = self
            .call(move |conn| {
                let nets = conn.list_all_networks(0).map_err(|e| host_error("list networks", &e))?;
                let mut occupied = Vec::new();
                let mut bridges = Vec::new();
                for n in &nets {
                    let (Ok(name), Ok(xml)) = (n.name(), n.xml_desc(0)) else { continue };
                    let Ok(fields) = read_network(&xml) else { continue };
                    if let Some(b) = &fields.bridge {
                        bridges.push(b.clone());
                    }
                    if except.as_deref() == Some(name.as_str()) {
                        continue;
                    }
                    for ip in [fields.ipv4, fields.ipv6].into_iter().flatten() {
                        if let Ok(net) = ip.cidr.parse() {
                            occupied.push(Occupied { net, what: format!("network '{name}'") });
                        }
                    }
                }
                Ok((occupied, bridges))
            })
            .await?;
        if self.has_runner() {
            occupied.extend(host_occupied(self, &bridges).await?);
        }
        Ok(occupied)
    }

    /// Defines, starts and sets autostart of a network after every check; a step that
    /// fails undoes the ones before, so no half-made network stays.
    pub async fn create_network(&self, net: NewNetwork) -> Result<NetworkSummary> {
        let xml = network_xml(&net)?;
        let (v4, v6) = network::check_new(&net)?;
        let occupied = self.occupied_subnets(None).await?;
        for ip in [&v4, &v6].into_iter().flatten() {
            let field = if ip.net.addr().is_ipv6() { "IPv6 subnet" } else { "IPv4 subnet" };
            network::check_no_overlap(field, &ip.net, &occupied)?;
        }
        self.check_host_device(&net).await?;
        let uri = self.uri().to_owned();
        self.call(move |conn| {
            if conn.lookup_network_by_name(&net.name).is_ok() {
                return Err(Error::AlreadyExists { kind: "network", name: net.name.clone(), host: uri });
            }
            if let (Some(bridge), true) = (&net.bridge, net.kind.has_subnet()) {
                if let Some(other) = network_with_bridge(conn, bridge) {
                    return Err(Error::invalid("bridge name", format!("{bridge} is the bridge of network '{other}' already")));
                }
            }
            let n = conn.define_network_xml(&xml).map_err(|e| net_error(&net.name, "define", &e))?;
            let made = (|| {
                n.create().map_err(|e| net_error(&net.name, "start", &e))?;
                n.set_autostart(net.autostart).map_err(|e| net_error(&net.name, "set autostart of", &e))?;
                summary(&n, &nic_users(conn)?).map_err(|e| net_error(&net.name, "read", &e))
            })();
            if made.is_err() {
                let _ = n.destroy();
                let _ = n.undefine();
            }
            made
        })
        .await
    }

    /// A bridge network needs the host bridge, an SR-IOV one a NIC with virtual
    /// functions: libvirt would start the network without them and fail only when a VM
    /// attaches, so they are looked for first (where Vireo can run `ip` on the host).
    async fn check_host_device(&self, net: &NewNetwork) -> Result<()> {
        if !self.has_runner() {
            return Ok(());
        }
        match (net.kind, &net.bridge, &net.device) {
            (NetworkKind::Bridge, Some(br), _) => match host_link(self, br).await? {
                Some(link) if link.is_bridge() => Ok(()),
                Some(_) => Err(Error::invalid("bridge name", format!("{br} on {} is not a bridge", self.uri()))),
                None => Err(Error::invalid("bridge name", format!("{} has no bridge named {br}; make the bridge on the host first", self.uri()))),
            },
            (NetworkKind::Sriov, _, Some(pf)) => match host_link(self, pf).await? {
                Some(link) if link.num_vf.unwrap_or(0) > 0 => Ok(()),
                Some(_) => Err(Error::invalid(
                    "device",
                    format!("{pf} has no SR-IOV virtual functions (enable them: echo N > /sys/class/net/{pf}/device/sriov_numvfs)"),
                )),
                None => Err(Error::invalid("device", format!("{} has no interface named {pf}", self.uri()))),
            },
            _ => Ok(()),
        }
    }

    /// Starts, stops or sets autostart. Stopping a network running VMs use is refused,
    /// naming them, unless `detach` (their NICs on it are removed first).
    pub async fn network_action(&self, name: &str, action: NetworkAction, detach: bool) -> Result<()> {
        if action == NetworkAction::Stop {
            self.clear_users(name, true, detach).await?;
        }
        let (name, uri) = (name.to_owned(), self.uri().to_owned());
        self.call(move |conn| {
            let n = lookup_network(conn, &uri, &name)?;
            let active = n.is_active().unwrap_or(false);
            match action {
                NetworkAction::Start if active => Ok(()),
                NetworkAction::Start => n.create().map_err(|e| net_error(&name, "start", &e)),
                NetworkAction::Stop if !active => Ok(()),
                NetworkAction::Stop => n.destroy().map_err(|e| net_error(&name, "stop", &e)),
                NetworkAction::Autostart => n.set_autostart(true).map_err(|e| net_error(&name, "set autostart of", &e)),
                NetworkAction::NoAutostart => n.set_autostart(false).map_err(|e| net_error(&name, "set autostart of", &e)),
            }
        })
        .await
    }

    /// Stops and forgets a network. VMs with a NIC on it (running or not) make it
    /// refused, naming them, unless `detach`.
    pub async fn delete_network(&self, name: &str, detach: bool) -> Result<()> {
        self.clear_users(name, false, detach).await?;
        let (name, uri) = (name.to_owned(), self.uri().to_owned());
        self.call(move |conn| {
            let n = lookup_network(conn, &uri, &name)?;
            if n.is_active().unwrap_or(false) {
                n.destroy().map_err(|e| net_error(&name, "stop", &e))?;
            }
            if n.is_persistent().unwrap_or(true) {
                n.undefine().map_err(|e| net_error(&name, "forget", &e))?;
            }
            Ok(())
        })
        .await
    }

    /// The VMs with a NIC on `name` (only running ones with `running_only`): an error
    /// naming them, or, with `detach`, their NICs on it removed.
    async fn clear_users(&self, name: &str, running_only: bool, detach: bool) -> Result<()> {
        let (net, uri) = (name.to_owned(), self.uri().to_owned());
        let users: Vec<NicOn> = self
            .call(move |conn| {
                lookup_network(conn, &uri, &net)?;
                Ok(nic_users(conn)?.remove(&net).unwrap_or_default())
            })
            .await?
            .into_iter()
            .filter(|u| u.running || !running_only)
            .collect();
        if users.is_empty() {
            return Ok(());
        }
        if !detach {
            let mut names: Vec<String> = users.iter().map(|u| u.vm.clone()).collect();
            names.dedup();
            return Err(Error::InUse { kind: "network", name: name.to_owned(), users: names });
        }
        for u in users {
            self.detach_nic(&VmRef::Name(u.vm.clone()), &u.mac).await?;
        }
        Ok(())
    }

    /// Changes a family's subnet, gateway and DHCP range. A running network whose
    /// subnet and gateway stay gets the new range live; anything else is written to the
    /// definition and applies when the network next starts (the outcome says which).
    pub async fn set_network_ip(&self, name: &str, ip: NetworkIp, v6: bool) -> Result<ChangeOutcome> {
        let checked = network::check_ip(&ip, v6)?;
        let occupied = self.occupied_subnets(Some(name)).await?;
        network::check_no_overlap(if v6 { "IPv6 subnet" } else { "IPv4 subnet" }, &checked.net, &occupied)?;
        let (name, uri) = (name.to_owned(), self.uri().to_owned());
        self.call(move |conn| {
            let n = lookup_network(conn, &uri, &name)?;
            let config = n.xml_desc(sys::VIR_NETWORK_XML_INACTIVE).map_err(|e| net_error(&name, "read", &e))?;
            let before = read_network(&config).map_err(|e| Error::Internal(e.to_string()))?;
            let old = if v6 { before.ipv6 } else { before.ipv4 };
            for h in old.iter().flat_map(|o| o.hosts.iter()) {
                network::check_host(&checked.net, checked.gateway, h, v6).map_err(|e| {
                    Error::invalid("subnet", format!("the static host {} would not fit any more: {e}", h.ip))
                })?;
            }
            let active = n.is_active().unwrap_or(false);
            let same_subnet = old.as_ref().is_some_and(|o| {
                o.cidr == checked.net.to_string() && o.gateway.as_deref() == Some(checked.gateway.to_string().as_str())
            });
            let old_range = old.as_ref().and_then(|o| o.dhcp.clone());
            if let (true, true, Some(old_range), Some(_)) = (active, same_subnet, &old_range, checked.dhcp) {
                update_range_live(&n, &name, v6, &config, old_range, &checked)?;
                return Ok(ChangeOutcome::now());
            }
            let edited = set_ip(&config, &checked)?;
            conn.define_network_xml(&edited).map_err(|e| net_error(&name, "change", &e))?;
            Ok(if active {
                ChangeOutcome { applied: Applied::NextBoot, reason: Some("a new subnet or gateway applies when the network restarts".into()) }
            } else {
                ChangeOutcome::now()
            })
        })
        .await
    }

    /// Adds a static DHCP host, live on a running network and in its definition.
    pub async fn add_dhcp_host(&self, name: &str, host: DhcpHost) -> Result<()> {
        let (name, uri) = (name.to_owned(), self.uri().to_owned());
        self.call(move |conn| {
            let n = lookup_network(conn, &uri, &name)?;
            let config = n.xml_desc(sys::VIR_NETWORK_XML_INACTIVE).map_err(|e| net_error(&name, "read", &e))?;
            let fields = read_network(&config)?;
            let v6 = host.ip.contains(':');
            let family = if v6 { fields.ipv6 } else { fields.ipv4 };
            let ip = family.ok_or_else(|| Error::invalid("static host address", format!("network '{name}' has no {} subnet", if v6 { "IPv6" } else { "IPv4" })))?;
            let checked = network::check_ip(&ip, v6)?;
            let h = network::check_host(&checked.net, checked.gateway, &host, v6)?;
            if let Some(other) = checked.hosts.iter().find(|o| o.ip == h.ip || (h.mac.is_some() && o.mac == h.mac)) {
                let who = other.mac.clone().or_else(|| other.name.clone()).unwrap_or_default();
                return Err(Error::invalid("static host", format!("network '{name}' already gives {} to {who}", other.ip)));
            }
            let index = ip_index(&config, v6)?.unwrap_or(0) as i32;
            let xml = host_element(&h).to_xml()?;
            n.update(sys::VIR_NETWORK_UPDATE_COMMAND_ADD_LAST, sys::VIR_NETWORK_SECTION_IP_DHCP_HOST, index, &xml, affect(&n))
                .map_err(|e| net_error(&name, "add a static host to", &e))
        })
        .await
    }

    /// Removes the static host holding `ip`.
    pub async fn remove_dhcp_host(&self, name: &str, ip: &str) -> Result<()> {
        let ip_addr = network::parse_ip("static host address", ip)?.to_string();
        let (name, uri) = (name.to_owned(), self.uri().to_owned());
        self.call(move |conn| {
            let n = lookup_network(conn, &uri, &name)?;
            let config = n.xml_desc(sys::VIR_NETWORK_XML_INACTIVE).map_err(|e| net_error(&name, "read", &e))?;
            let fields = read_network(&config)?;
            let v6 = ip_addr.contains(':');
            let hosts = if v6 { fields.ipv6 } else { fields.ipv4 }.map(|i| i.hosts).unwrap_or_default();
            let h = hosts
                .into_iter()
                .find(|h| h.ip == ip_addr)
                .ok_or_else(|| Error::NotFound { kind: "static host", name: ip_addr.clone(), host: format!("network '{name}'") })?;
            let index = ip_index(&config, v6)?.unwrap_or(0) as i32;
            let xml = host_element(&h).to_xml()?;
            n.update(sys::VIR_NETWORK_UPDATE_COMMAND_DELETE, sys::VIR_NETWORK_SECTION_IP_DHCP_HOST, index, &xml, affect(&n))
                .map_err(|e| net_error(&name, "remove a static host from", &e))
        })
        .await
    }

    /// The network's current leases, each with the VM whose NIC has its MAC and whether
    /// its address is a static host.
    pub async fn network_leases(&self, name: &str) -> Result<Vec<NetworkLease>> {
        let (name, uri) = (name.to_owned(), self.uri().to_owned());
        self.call(move |conn| {
            let n = lookup_network(conn, &uri, &name)?;
            if !n.is_active().unwrap_or(false) {
                return Ok(Vec::new());
            }
            let fields = read_network(&n.xml_desc(0).map_err(|e| net_error(&name, "read", &e))?)?;
            let statics: Vec<DhcpHost> = [fields.ipv4, fields.ipv6].into_iter().flatten().flat_map(|i| i.hosts).collect();
            let by_mac: BTreeMap<String, String> =
                nic_users(conn)?.into_values().flatten().map(|u| (u.mac, u.vm)).collect();
            let mut out: Vec<NetworkLease> = read_leases(&n)?
                .into_iter()
                .map(|l| {
                    let mac = l.mac.to_ascii_lowercase();
                    NetworkLease {
                        is_static: statics.iter().any(|h| h.ip == l.ip),
                        vm: by_mac.get(&mac).cloned(),
                        ip: l.ip,
                        prefix: l.prefix,
                        mac,
                        hostname: l.hostname,
                        expiry: l.expiry,
                    }
                })
                .collect();
            out.sort_by(|a, b| a.ip.cmp(&b.ip));
            Ok(out)
        })
        .await
    }
}

/// Live and persistent on a running network; persistent only on a stopped one.
fn affect(n: &Network) -> sys::virNetworkUpdateFlags {
    if n.is_active().unwrap_or(false) {
        sys::VIR_NETWORK_UPDATE_AFFECT_LIVE | sys::VIR_NETWORK_UPDATE_AFFECT_CONFIG
    } else {
        sys::VIR_NETWORK_UPDATE_AFFECT_CONFIG
    }
}

/// Swaps a running network's DHCP range: the old one out, the new one in, live and
/// persistent; if adding the new one fails the old one is put back.
fn update_range_live(n: &Network, name: &str, v6: bool, config: &str, old: &IpRange, new: &CheckedIp) -> Result<()> {
    let index = ip_index(config, v6)?.unwrap_or(0) as i32;
    let flags = affect(n);
    let old_xml = Element::new("range").with_attr("start", &old.start).with_attr("end", &old.end).to_xml()?;
    let (start, end) = new.dhcp.expect("checked by the caller");
    let new_xml = range_element(start, end).to_xml()?;
    n.update(sys::VIR_NETWORK_UPDATE_COMMAND_DELETE, sys::VIR_NETWORK_SECTION_IP_DHCP_RANGE, index, &old_xml, flags)
        .map_err(|e| net_error(name, "change the DHCP range of", &e))?;
    if let Err(e) = n.update(sys::VIR_NETWORK_UPDATE_COMMAND_ADD_LAST, sys::VIR_NETWORK_SECTION_IP_DHCP_RANGE, index, &new_xml, flags) {
        let _ = n.update(sys::VIR_NETWORK_UPDATE_COMMAND_ADD_LAST, sys::VIR_NETWORK_SECTION_IP_DHCP_RANGE, index, &old_xml, flags);
        return Err(net_error(name, "change the DHCP range of", &e));
    }
    Ok(())
}

pub(crate) fn lookup_network(conn: &Connect, uri: &str, name: &str) -> Result<Network> {
    conn.lookup_network_by_name(name).map_err(|e| match raw_code(&e) {
        VIR_ERR_NO_NETWORK => Error::NotFound { kind: "network", name: name.to_owned(), host: uri.to_owned() },
        _ => net_error(name, "find", &e),
    })
}

fn net_error(name: &str, action: &str, e: &virt::error::Error) -> Error {
    Error::Libvirt { action: format!("{action} network '{name}'"), message: message(e) }
}

fn network_with_bridge(conn: &Connect, bridge: &str) -> Option<String> {
    let nets = conn.list_all_networks(0).ok()?;
    nets.iter().find_map(|n| {
        let fields = read_network(&n.xml_desc(0).ok()?).ok()?;
        (fields.bridge.as_deref() == Some(bridge)).then(|| n.name().ok()).flatten()
    })
}

/// Every VM's NICs on libvirt networks, by network name.
fn nic_users(conn: &Connect) -> Result<BTreeMap<String, Vec<NicOn>>> {
    let doms = conn.list_all_domains(0).map_err(|e| host_error("list VMs", &e))?;
    let mut by_net: BTreeMap<String, Vec<NicOn>> = BTreeMap::new();
    for dom in doms {
        let (Ok(vm), Ok(xml)) = (dom.name(), dom.xml_desc(0)) else { continue };
        let running = dom.is_active().unwrap_or(false);
        let Ok(tree) = Element::parse(&xml) else { continue };
        for nic in nics_of(&tree) {
            if let Some(net) = nic.network {
                by_net.entry(net).or_default().push(NicOn { vm: vm.clone(), mac: nic.mac, running });
            }
        }
    }
    for users in by_net.values_mut() {
        users.sort_by(|a, b| a.vm.cmp(&b.vm));
    }
    Ok(by_net)
}

fn summary(n: &Network, users: &BTreeMap<String, Vec<NicOn>>) -> Result<NetworkSummary, virt::error::Error> {
    let name = n.name()?;
    let xml = n.xml_desc(0)?;
    let fields = read_network(&xml).map_err(|_| virt::error::Error::last_error())?;
    let mut vms: Vec<String> = users.get(&name).map(|u| u.iter().map(|u| u.vm.clone()).collect()).unwrap_or_default();
    vms.dedup();
    Ok(NetworkSummary {
        uuid: n.uuid_string()?,
        kind: fields.kind,
        mode: fields.mode,
        active: n.is_active()?,
        autostart: n.autostart().unwrap_or(false),
        persistent: n.is_persistent().unwrap_or(true),
        bridge: fields.bridge,
        device: fields.device,
        ipv4: fields.ipv4,
        ipv6: fields.ipv6,
        vms,
        name,
    })
}
