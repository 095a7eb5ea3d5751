//! `vireo net`: libvirt networks through the same core as the app.

use clap::{Subcommand, ValueEnum};
use vireo_app::Vireo;
use vireo_core::network::{default_dhcp_range, parse_cidr};
use vireo_core::{DhcpHost, Error, IpRange, NetworkAction, NetworkIp, NetworkKind, NetworkLease, NetworkSummary, NewNetwork};

use crate::Failure;

#[derive(Clone, Copy, ValueEnum)]
pub enum KindArg {
    Nat,
    Routed,
    Isolated,
    Open,
    Bridge,
    Sriov,
}

impl From<KindArg> for NetworkKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Nat => NetworkKind::Nat,
            KindArg::Routed => NetworkKind::Routed,
            KindArg::Isolated => NetworkKind::Isolated,
            KindArg::Open => NetworkKind::Open,
            KindArg::Bridge => NetworkKind::Bridge,
            KindArg::Sriov => NetworkKind::Sriov,
        }
    }
}

#[derive(Subcommand)]
pub enum NetCommand {
    /// Every network with its kind, state, subnets and VMs (filters narrow the list).
    List {
        #[arg(long, value_enum)]
        kind: Option<KindArg>,
        #[arg(long, value_parser = ["active", "inactive"])]
        state: Option<String>,
        /// Part of the name.
        #[arg(long)]
        name: Option<String>,
    },
    /// One network in full: subnets, gateway, DHCP, static hosts, bridge, VMs.
    Show { name: String },
    /// Make a network (checked against the host's other networks, routes and addresses first).
    Create {
        name: String,
        #[arg(long, value_enum, default_value = "nat")]
        kind: KindArg,
        /// IPv4 subnet, like 192.168.50.0/24.
        #[arg(long)]
        ipv4: Option<String>,
        /// The host's address on it (default: the subnet's first).
        #[arg(long)]
        gateway4: Option<String>,
        /// START-END, `auto` (the whole subnet after the gateway) or `none`.
        #[arg(long, default_value = "auto")]
        dhcp4: String,
        /// IPv6 subnet, like fd00:50::/64.
        #[arg(long)]
        ipv6: Option<String>,
        #[arg(long)]
        gateway6: Option<String>,
        #[arg(long, default_value = "none")]
        dhcp6: String,
        /// The bridge libvirt makes, or for --kind bridge the host bridge guests join.
        #[arg(long)]
        bridge: Option<String>,
        /// The host NIC traffic leaves by (nat/routed), or the SR-IOV physical function.
        #[arg(long)]
        dev: Option<String>,
        #[arg(long)]
        no_autostart: bool,
    },
    Start { name: String },
    /// Stop a network; refused while running VMs use it unless --detach-vms.
    Stop {
        name: String,
        #[arg(long)]
        detach_vms: bool,
        #[arg(long)]
        yes: bool,
    },
    /// Start the network with the host's libvirt (on) or not (off).
    Autostart { name: String, #[arg(value_parser = ["on", "off"])] on: String },
    /// Forget a network; refused while VMs have NICs on it unless --detach-vms.
    Delete {
        name: String,
        #[arg(long)]
        detach_vms: bool,
        #[arg(long)]
        yes: bool,
    },
    /// Change a subnet, gateway or DHCP range (a running network gets a new range live).
    Subnet {
        name: String,
        #[arg(long)]
        cidr: String,
        #[arg(long)]
        gateway: Option<String>,
        #[arg(long, default_value = "auto")]
        dhcp: String,
    },
    /// Static DHCP hosts: a MAC (or, in IPv6, a host name) always gets its address.
    #[command(subcommand)]
    Host(HostCommand),
    /// Current DHCP leases with the VM holding each.
    Leases { name: String },
    /// Linux bridges on the host, for bridge networks.
    #[command(subcommand)]
    Bridge(BridgeCommand),
}

#[derive(Subcommand)]
pub enum BridgeCommand {
    /// Make a bridge (up), optionally with a NIC that has no address on it.
    Create {
        name: String,
        #[arg(long)]
        nic: Option<String>,
    },
    /// Remove a bridge; refused while a network is on it.
    Delete {
        name: String,
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Subcommand)]
pub enum HostCommand {
    Add {
        network: String,
        #[arg(long)]
        ip: String,
        #[arg(long)]
        mac: Option<String>,
        #[arg(long)]
        hostname: Option<String>,
    },
    Remove {
        network: String,
        #[arg(long)]
        ip: String,
    },
}

pub async fn net(core: &Vireo, host: &str, cmd: NetCommand, json: bool) -> Result<(), Failure> {
    match cmd {
        NetCommand::List { kind, state, name } => {
            let kind = kind.map(NetworkKind::from);
            let list: Vec<NetworkSummary> = core
                .list_networks(host)
                .await?
                .into_iter()
                .filter(|n| kind.is_none_or(|k| n.kind == k))
                .filter(|n| state.as_deref().is_none_or(|s| (s == "active") == n.active))
                .filter(|n| name.as_deref().is_none_or(|part| n.name.to_lowercase().contains(&part.to_lowercase())))
                .collect();
            networks(&list, json);
        }
        NetCommand::Show { name } => show(&core.network(host, &name).await?, json),
        NetCommand::Create { name, kind, ipv4, gateway4, dhcp4, ipv6, gateway6, dhcp6, bridge, dev, no_autostart } => {
            let ipv4 = ipv4.map(|c| family("--ipv4", c, gateway4, &dhcp4)).transpose()?;
            let ipv6 = ipv6.map(|c| family("--ipv6", c, gateway6, &dhcp6)).transpose()?;
            let net = NewNetwork { name, kind: kind.into(), bridge, device: dev, ipv4, ipv6, autostart: !no_autostart };
            show(&core.create_network(host, net).await?, json);
        }
        NetCommand::Start { name } => core.network_action(host, &name, NetworkAction::Start, false).await?,
        NetCommand::Stop { name, detach_vms, yes } => {
            if detach_vms {
                crate::terminal::confirm_destructive(&format!("Stop network {name} and remove the NICs running VMs have on it?"), yes)?;
            }
            core.network_action(host, &name, NetworkAction::Stop, detach_vms).await?
        }
        NetCommand::Autostart { name, on } => {
            let action = if on == "on" { NetworkAction::Autostart } else { NetworkAction::NoAutostart };
            core.network_action(host, &name, action, false).await?
        }
        NetCommand::Delete { name, detach_vms, yes } => {
            let question = if detach_vms {
                format!("Delete network {name} and remove every VM's NIC on it?")
            } else {
                format!("Delete network {name}?")
            };
            crate::terminal::confirm_destructive(&question, yes)?;
            core.delete_network(host, &name, detach_vms).await?
        }
        NetCommand::Subnet { name, cidr, gateway, dhcp } => {
            let v6 = cidr.contains(':');
            let ip = family("--cidr", cidr, gateway, &dhcp)?;
            let current = core.network(host, &name).await?;
            let hosts = if v6 { current.ipv6 } else { current.ipv4 }.map(|i| i.hosts).unwrap_or_default();
            let outcome = core.set_network_ip(host, &name, NetworkIp { hosts, ..ip }, v6).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&outcome).expect("serialise outcome"));
            } else if let Some(reason) = outcome.reason {
                println!("saved; {reason}");
            }
        }
        NetCommand::Host(HostCommand::Add { network, ip, mac, hostname }) => {
            core.add_dhcp_host(host, &network, DhcpHost { mac, ip, name: hostname }).await?
        }
        NetCommand::Host(HostCommand::Remove { network, ip }) => core.remove_dhcp_host(host, &network, &ip).await?,
        NetCommand::Leases { name } => leases(&core.network_leases(host, &name).await?, json),
        NetCommand::Bridge(BridgeCommand::Create { name, nic }) => core.create_bridge(host, &name, nic.as_deref()).await?,
        NetCommand::Bridge(BridgeCommand::Delete { name, yes }) => {
            crate::terminal::confirm_destructive(&format!("Remove bridge {name} from the host?"), yes)?;
            core.delete_bridge(host, &name).await?
        }
    }
    Ok(())
}

/// One family from the command line: `auto` DHCP is the subnet after its gateway.
fn family(flag: &'static str, cidr: String, gateway: Option<String>, dhcp: &str) -> Result<NetworkIp, Error> {
    let dhcp = match dhcp.trim() {
        "none" => None,
        "auto" => {
            let net = parse_cidr(flag, &cidr)?;
            default_dhcp_range(&net)
        }
        range => {
            let (start, end) = range
                .split_once('-')
                .ok_or_else(|| Error::invalid("DHCP range", format!("'{range}' is not START-END, auto or none")))?;
            Some(IpRange { start: start.trim().into(), end: end.trim().into() })
        }
    };
    Ok(NetworkIp { cidr, gateway, dhcp, hosts: Vec::new() })
}

fn kind_name(k: NetworkKind) -> &'static str {
    match k {
        NetworkKind::Nat => "nat",
        NetworkKind::Routed => "routed",
        NetworkKind::Isolated => "isolated",
        NetworkKind::Open => "open",
        NetworkKind::Bridge => "bridge",
        NetworkKind::Sriov => "sriov",
        NetworkKind::Other => "other",
    }
}

fn networks(list: &[NetworkSummary], json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(list).expect("serialise networks"));
        return;
    }
    println!("{:<20} {:<9} {:<9} {:<10} {:<20} {:<20} VMS", "NAME", "KIND", "STATE", "BRIDGE", "IPV4", "IPV6");
    for n in list {
        println!(
            "{:<20} {:<9} {:<9} {:<10} {:<20} {:<20} {}",
            n.name,
            kind_name(n.kind),
            if n.active { "active" } else { "inactive" },
            n.bridge.as_deref().unwrap_or("-"),
            n.ipv4.as_ref().map_or("-", |i| i.cidr.as_str()),
            n.ipv6.as_ref().map_or("-", |i| i.cidr.as_str()),
            if n.vms.is_empty() { "-".to_owned() } else { n.vms.join(",") }
        );
    }
}

fn show(n: &NetworkSummary, json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(n).expect("serialise network"));
        return;
    }
    println!("name:      {}", n.name);
    println!("kind:      {}", kind_name(n.kind));
    println!("state:     {}{}", if n.active { "active" } else { "inactive" }, if n.autostart { ", autostart" } else { "" });
    println!("bridge:    {}", n.bridge.as_deref().unwrap_or("-"));
    if let Some(d) = &n.device {
        println!("device:    {d}");
    }
    for ip in [&n.ipv4, &n.ipv6].into_iter().flatten() {
        println!("subnet:    {} gateway {}", ip.cidr, ip.gateway.as_deref().unwrap_or("-"));
        match &ip.dhcp {
            Some(r) => println!("  dhcp:    {} - {}", r.start, r.end),
            None => println!("  dhcp:    off"),
        }
        for h in &ip.hosts {
            println!("  static:  {} {} {}", h.ip, h.mac.as_deref().unwrap_or("-"), h.name.as_deref().unwrap_or(""));
        }
    }
    println!("vms:       {}", if n.vms.is_empty() { "-".to_owned() } else { n.vms.join(", ") });
}

fn leases(list: &[NetworkLease], json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(list).expect("serialise leases"));
        return;
    }
    println!("{:<26} {:<18} {:<16} {:<16} {:<8} EXPIRES", "IP", "MAC", "HOSTNAME", "VM", "TYPE");
    for l in list {
        println!(
            "{:<26} {:<18} {:<16} {:<16} {:<8} {}",
            format!("{}/{}", l.ip, l.prefix),
            l.mac,
            l.hostname.as_deref().unwrap_or("-"),
            l.vm.as_deref().unwrap_or("-"),
            if l.is_static { "static" } else { "dynamic" },
            l.expiry
        );
    }
}
