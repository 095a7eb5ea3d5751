//! `vireo ippool`: Vireo's address manager through the same core as the app.

use clap::Subcommand;
use vireo_app::Vireo;
use vireo_core::{AddressState, Hold, IpPoolDetail, IpPoolSummary, NewIpPool, PoolAddress};

use crate::Failure;

#[derive(Subcommand)]
pub enum IpPoolCommand {
    /// Every pool with its usage.
    List,
    /// One pool: its addresses (used by whom, reserved why) and what on the host disagrees with it.
    Show { name: String },
    /// Make a pool of subnets (10.0.0.0/24), ranges (10.0.0.10-10.0.0.99) or addresses.
    Create {
        name: String,
        /// A subnet, range or address; repeat for more (one family per pool).
        #[arg(long = "range", required = true)]
        ranges: Vec<String>,
        /// The libvirt network its addresses belong to (they must lie in its subnet).
        #[arg(long)]
        network: Option<String>,
    },
    /// Forget a pool; refused while VMs use its addresses unless --release.
    Delete {
        name: String,
        /// Release every address first (removing the static DHCP hosts Vireo wrote).
        #[arg(long)]
        release: bool,
        #[arg(long)]
        yes: bool,
    },
    /// Take the next free address (or --ip) for a use.
    Allocate {
        pool: String,
        #[arg(long)]
        ip: Option<String>,
        /// The VM it is for (recorded; use `assign` to give a NIC the address by DHCP).
        #[arg(long)]
        vm: Option<String>,
        #[arg(long)]
        mac: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Keep an address back: it is never handed out until released.
    Reserve {
        pool: String,
        #[arg(long)]
        ip: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Give a VM's NIC on the pool's network an address (next free or --ip) by a static DHCP host.
    Assign {
        pool: String,
        vm: String,
        /// The NIC, when the VM has several on the network.
        #[arg(long)]
        mac: Option<String>,
        #[arg(long)]
        ip: Option<String>,
    },
    /// Give an address back (its static DHCP host, if Vireo wrote one, goes too).
    Release {
        pool: String,
        ip: String,
    },
}

pub async fn ippool(core: &Vireo, host: &str, cmd: IpPoolCommand, json: bool) -> Result<(), Failure> {
    match cmd {
        IpPoolCommand::List => pools(&core.list_ip_pools(host).await?, json),
        IpPoolCommand::Show { name } => show(&core.ip_pool(host, &name).await?, json),
        IpPoolCommand::Create { name, ranges, network } => {
            let pool = core.create_ip_pool(host, NewIpPool { name, network, ranges }).await?;
            pools(std::slice::from_ref(&pool), json);
        }
        IpPoolCommand::Delete { name, release, yes } => {
            let question = if release {
                format!("Delete IP pool {name} and release every address it holds?")
            } else {
                format!("Delete IP pool {name}?")
            };
            crate::terminal::confirm_destructive(&question, yes)?;
            core.delete_ip_pool(host, &name, release).await?;
        }
        IpPoolCommand::Allocate { pool, ip, vm, mac, note } => {
            let a = core.allocate_ip(host, &pool, ip.as_deref(), Hold::Use { vm, mac, note }).await?;
            address(&a, json);
        }
        IpPoolCommand::Reserve { pool, ip, note } => {
            let a = core.allocate_ip(host, &pool, Some(&ip), Hold::Reserve { note }).await?;
            address(&a, json);
        }
        IpPoolCommand::Assign { pool, vm, mac, ip } => {
            let a = core.assign_ip(host, &pool, &vm, mac.as_deref(), ip.as_deref()).await?;
            address(&a, json);
        }
        IpPoolCommand::Release { pool, ip } => core.release_ip(host, &pool, &ip).await?,
    }
    Ok(())
}

fn pools(list: &[IpPoolSummary], json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(list).expect("serialise pools"));
        return;
    }
    println!("{:<16} {:<5} {:<14} {:>10} {:>8} {:>8} {:>10} RANGES", "NAME", "IP", "NETWORK", "SIZE", "USED", "RESERVED", "FREE");
    for p in list {
        println!(
            "{:<16} {:<5} {:<14} {:>10} {:>8} {:>8} {:>10} {}",
            p.name,
            if p.v6 { "v6" } else { "v4" },
            p.network.as_deref().unwrap_or("-"),
            p.size,
            p.used,
            p.reserved,
            p.free,
            p.ranges.join(",")
        );
    }
}

fn show(d: &IpPoolDetail, json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(d).expect("serialise pool"));
        return;
    }
    pools(std::slice::from_ref(&d.pool), false);
    println!();
    println!("{:<40} {:<9} {:<16} {:<18} {:<5} NOTE", "ADDRESS", "STATE", "VM", "MAC", "DHCP");
    for a in &d.addresses {
        println!(
            "{:<40} {:<9} {:<16} {:<18} {:<5} {}",
            a.ip,
            state(a.state),
            a.vm.as_deref().unwrap_or("-"),
            a.mac.as_deref().unwrap_or("-"),
            if a.dhcp_host { "yes" } else { "-" },
            a.note.as_deref().unwrap_or("")
        );
    }
    for c in &d.conflicts {
        println!("conflict: {} {}", c.ip, c.reason);
    }
}

fn state(s: AddressState) -> &'static str {
    match s {
        AddressState::Used => "used",
        AddressState::Reserved => "reserved",
    }
}

fn address(a: &PoolAddress, json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(a).expect("serialise address"));
    } else {
        println!("{}", a.ip);
    }
}
