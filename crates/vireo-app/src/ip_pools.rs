//! IP pools, the address manager: pools kept in SQLite per host, each allocation decided
//! by `vireo-net`'s allocator with what the host already gives out (the gateway, static
//! hosts, leases of the pool's network) blocked, and, for a VM's NIC, made real by the
//! network's static DHCP host. Every change is recorded in history.

use std::net::IpAddr;

use vireo_core::ip_pool::{note, pool_name};
use vireo_core::network::{parse_cidr, parse_ip};
use vireo_core::validate::{self, VmRef};
use vireo_core::{
    AddressState, DhcpHost, Error, Hold, IpPoolDetail, IpPoolSummary, NetworkSummary, NewIpPool, PoolAddress, PoolConflict, Result,
};
use vireo_host::Host;
use vireo_net::ippool::{to_int, Pool};
use vireo_store::{holder_text, IpPoolRecord};

use crate::tasks::now_ms;
use crate::{blocking, Vireo};

/// What the host holds of a network's addresses, outside any pool.
struct Holder {
    ip: IpAddr,
    mac: Option<String>,
    /// "the gateway", "a static host for 52:54:..", "leased to 52:54:.. (VM web)".
    by: String,
    gateway: bool,
}

/// A pool as saved, its allocator with every taken address held, and those addresses.
struct Loaded {
    rec: IpPoolRecord,
    pool: Pool,
    addresses: Vec<PoolAddress>,
}

/// A pool's usage from its counts of used and reserved addresses.
fn summary(rec: &IpPoolRecord, size: u128, (used, reserved): (u32, u32)) -> IpPoolSummary {
    IpPoolSummary {
        name: rec.name.clone(),
        network: rec.network.clone(),
        v6: rec.v6,
        ranges: rec.ranges.clone(),
        size: size.to_string(),
        used,
        reserved,
        free: (size - (used + reserved) as u128).to_string(),
    }
}

fn loaded_summary(l: &Loaded) -> IpPoolSummary {
    let used = l.addresses.iter().filter(|a| a.state == AddressState::Used).count() as u32;
    summary(&l.rec, l.pool.size(), (used, l.addresses.len() as u32 - used))
}

fn loaded(rec: IpPoolRecord, addresses: Vec<PoolAddress>) -> Result<Loaded> {
    let mut pool = Pool::new(&rec.name, &rec.ranges)?;
    for a in &addresses {
        if let Ok(ip) = a.ip.parse::<IpAddr>() {
            pool.hold(ip);
        }
    }
    Ok(Loaded { rec, pool, addresses })
}

/// The addresses of `net` the host gives out itself, in `v6`'s family.
async fn holders(host: &Host, net: &NetworkSummary, v6: bool) -> Result<Vec<Holder>> {
    let mut out = Vec::new();
    let Some(ip) = (if v6 { &net.ipv6 } else { &net.ipv4 }) else { return Ok(out) };
    if let Some(gw) = ip.gateway.as_deref().and_then(|g| g.parse().ok()) {
        out.push(Holder { ip: gw, mac: None, by: format!("the gateway of network '{}'", net.name), gateway: true });
    }
    for h in &ip.hosts {
        if let Ok(a) = h.ip.parse() {
            let who = h.mac.clone().or_else(|| h.name.clone()).unwrap_or_default();
            out.push(Holder { ip: a, mac: h.mac.clone(), by: format!("a static host of network '{}' for {who}", net.name), gateway: false });
        }
    }
    for l in host.network_leases(&net.name).await? {
        let Ok(a) = l.ip.parse::<IpAddr>() else { continue };
        if a.is_ipv6() != v6 || l.is_static {
            continue;
        }
        let vm = l.vm.as_deref().map(|v| format!(" (VM {v})")).unwrap_or_default();
        out.push(Holder { ip: a, mac: Some(l.mac.clone()), by: format!("leased to {}{vm}", l.mac), gateway: false });
    }
    Ok(out)
}

/// Where what the host gives out disagrees with the pool.
fn conflicts(l: &Loaded, held: &[Holder], statics: &[DhcpHost]) -> Vec<PoolConflict> {
    let mut out = Vec::new();
    for h in held.iter().filter(|h| !h.gateway && l.pool.contains(h.ip)) {
        let ip = h.ip.to_string();
        match l.addresses.iter().find(|a| a.ip == ip) {
            None => out.push(PoolConflict { ip, reason: format!("{} but the pool has it free", h.by) }),
            Some(a) if a.state == AddressState::Reserved => {
                out.push(PoolConflict { ip, reason: format!("reserved in the pool, but {}", h.by) })
            }
            Some(a) => {
                if let (Some(mine), Some(theirs)) = (&a.mac, &h.mac) {
                    if mine != theirs {
                        out.push(PoolConflict { ip, reason: format!("the pool gave it to {mine}, but it is {}", h.by) });
                    }
                }
            }
        }
    }
    for a in l.addresses.iter().filter(|a| a.dhcp_host) {
        if !statics.iter().any(|s| s.ip == a.ip) {
            let net = l.rec.network.as_deref().unwrap_or("?");
            out.push(PoolConflict { ip: a.ip.clone(), reason: format!("its static host on network '{net}' is gone; release and assign it again") });
        }
    }
    out.sort_by_key(|c| c.ip.parse::<IpAddr>().map(to_int).unwrap_or_default());
    out
}

impl Vireo {
    /// What pools are kept under: the host's URI as saved, which the CLI knows too.
    fn pool_key(&self, host_id: &str) -> Result<String> {
        self.hosts.read().unwrap().get(host_id).map(|s| s.saved.uri.clone()).ok_or_else(|| Error::HostNotFound(host_id.to_owned()))
    }

    async fn load_pool(&self, host_id: &str, name: &str) -> Result<Loaded> {
        let (store, host, name_owned) = (self.store.clone(), self.pool_key(host_id)?, name.to_owned());
        let host_name = self.host_name(host_id);
        blocking(move || {
            let rec = store
                .ip_pool(&host, &name_owned)?
                .ok_or_else(|| Error::NotFound { kind: "IP pool", name: name_owned.clone(), host: host_name })?;
            let addresses = store.pool_addresses(rec.id)?;
            loaded(rec, addresses)
        })
        .await
    }

    /// The network a pool belongs to, with the addresses the host holds on it blocked in
    /// the allocator; what `nic` (the NIC being given an address) holds itself stays free.
    async fn block_network(&self, host: &Host, l: &mut Loaded, nic: Option<&str>) -> Result<Option<NetworkSummary>> {
        let Some(net) = &l.rec.network else { return Ok(None) };
        let net = host.network(net).await?;
        for h in holders(host, &net, l.rec.v6).await? {
            // An address the pool handed out that the host now gives its NIC is the same holding.
            let ip = h.ip.to_string();
            if !l.addresses.iter().any(|a| a.ip == ip) && (nic.is_none() || h.mac.as_deref() != nic) {
                l.pool.block(h.ip, &h.by);
            }
        }
        Ok(Some(net))
    }

    pub async fn list_ip_pools(&self, host_id: &str) -> Result<Vec<IpPoolSummary>> {
        let (store, host) = (self.store.clone(), self.pool_key(host_id)?);
        blocking(move || {
            let mut out = Vec::new();
            // Counts, not the address rows: a full /16 is 65 534 of them.
            for rec in store.ip_pools(&host)? {
                let size = Pool::new(&rec.name, &rec.ranges)?.size();
                out.push(summary(&rec, size, store.pool_counts(rec.id)?));
            }
            Ok(out)
        })
        .await
    }

    /// A pool with its addresses in order and what on the host disagrees with it.
    pub async fn ip_pool(&self, host_id: &str, name: &str) -> Result<IpPoolDetail> {
        let host = self.host(host_id)?;
        let mut l = self.load_pool(host_id, name).await?;
        let (held, statics) = match &l.rec.network {
            Some(n) => {
                let net = host.network(n).await?;
                let statics = if l.rec.v6 { &net.ipv6 } else { &net.ipv4 }.as_ref().map(|i| i.hosts.clone()).unwrap_or_default();
                (holders(&host, &net, l.rec.v6).await?, statics)
            }
            None => (Vec::new(), Vec::new()),
        };
        let conflicts = conflicts(&l, &held, &statics);
        l.addresses.sort_by_key(|a| a.ip.parse::<IpAddr>().map(to_int).unwrap_or_default());
        Ok(IpPoolDetail { pool: loaded_summary(&l), addresses: l.addresses, conflicts })
    }

    pub async fn create_ip_pool(&self, host_id: &str, new: NewIpPool) -> Result<IpPoolSummary> {
        let target = new.name.clone();
        let result = self.create_ip_pool_inner(host_id, new).await;
        self.record(self.host_name(host_id), "create_ip_pool", target, &result).await;
        result
    }

    async fn create_ip_pool_inner(&self, host_id: &str, new: NewIpPool) -> Result<IpPoolSummary> {
        let host = self.host(host_id)?;
        let name = pool_name(new.name.trim())?.to_owned();
        let ranges: Vec<String> = new.ranges.iter().map(|r| r.trim().to_owned()).filter(|r| !r.is_empty()).collect();
        let pool = Pool::new(&name, &ranges)?;
        let v6 = pool.family() == vireo_net::ippool::Family::V6;
        let network = match new.network.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => {
                let net = host.network(validate::network_name(n)?).await?;
                let ip = if v6 { &net.ipv6 } else { &net.ipv4 };
                let family = if v6 { "IPv6" } else { "IPv4" };
                let ip = ip.as_ref().ok_or_else(|| Error::invalid("IP pool network", format!("network '{n}' has no {family} subnet")))?;
                let subnet = parse_cidr("network subnet", &ip.cidr)?;
                for span in pool.spans() {
                    for end in [span.start, span.end] {
                        let a = vireo_net::ippool::to_ip(pool.family(), end);
                        if !subnet.contains(&a) {
                            return Err(Error::invalid("IP pool range", format!("{a} is outside network '{n}' ({subnet})")));
                        }
                    }
                }
                Some(n.to_owned())
            }
            None => None,
        };
        let (store, host_id_owned, host_name) = (self.store.clone(), self.pool_key(host_id)?, self.host_name(host_id));
        blocking(move || {
            for other in store.ip_pools(&host_id_owned)? {
                if other.name == name {
                    continue;
                }
                if let Some(a) = Pool::new(&other.name, &other.ranges).ok().and_then(|o| pool.overlap(&o)) {
                    return Err(Error::invalid("IP pool range", format!("pool '{}' already holds {a}", other.name)));
                }
            }
            let rec = store.add_ip_pool(&host_id_owned, &host_name, &name, network.as_deref(), v6, &ranges)?;
            Ok(summary(&rec, pool.size(), (0, 0)))
        })
        .await
    }

    /// Deletes a pool. Refused while VMs use its addresses (named), unless `release`:
    /// then each is released first (their static DHCP hosts removed).
    pub async fn delete_ip_pool(&self, host_id: &str, name: &str, release: bool) -> Result<()> {
        let result = self.delete_ip_pool_inner(host_id, name, release).await;
        let label = if release { "delete_ip_pool_releasing" } else { "delete_ip_pool" };
        self.record(self.host_name(host_id), label, name.to_owned(), &result).await;
        result
    }

    async fn delete_ip_pool_inner(&self, host_id: &str, name: &str, release: bool) -> Result<()> {
        let l = self.load_pool(host_id, name).await?;
        let used: Vec<&PoolAddress> = l.addresses.iter().filter(|a| a.state == AddressState::Used).collect();
        if !used.is_empty() && !release {
            let users = used.iter().map(|a| format!("{} ({})", a.vm.as_deref().or(a.mac.as_deref()).unwrap_or("a holder"), a.ip)).collect();
            return Err(Error::InUse { kind: "IP pool", name: name.to_owned(), users });
        }
        for a in l.addresses.iter().filter(|a| a.dhcp_host) {
            self.remove_static_host(host_id, &l.rec, &a.ip).await?;
        }
        let (store, id) = (self.store.clone(), l.rec.id);
        blocking(move || Ok(store.remove_ip_pool(id)?)).await
    }

    async fn remove_static_host(&self, host_id: &str, rec: &IpPoolRecord, ip: &str) -> Result<()> {
        let Some(net) = &rec.network else { return Ok(()) };
        match self.host(host_id)?.remove_dhcp_host(net, ip).await {
            // Already gone (removed by hand): nothing left to undo.
            Err(Error::NotFound { kind: "static host", .. }) | Ok(()) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Takes an address (`want`, or the next free one) for a use or a reservation.
    pub async fn allocate_ip(&self, host_id: &str, pool: &str, want: Option<&str>, hold: Hold) -> Result<PoolAddress> {
        let label = match hold {
            Hold::Use { .. } => "allocate_ip",
            Hold::Reserve { .. } => "reserve_ip",
        };
        let result = self.allocate_inner(host_id, pool, want, hold).await;
        let target = match &result {
            Ok(a) => format!("{pool} {}", a.ip),
            Err(_) => format!("{pool} {}", want.unwrap_or("next free")),
        };
        self.record(self.host_name(host_id), label, target, &result).await;
        result
    }

    async fn allocate_inner(&self, host_id: &str, pool: &str, want: Option<&str>, hold: Hold) -> Result<PoolAddress> {
        let host = self.host(host_id)?;
        let want = want.map(|w| parse_ip("address", w)).transpose()?;
        let address = match hold {
            Hold::Use { vm, mac, note: n } => PoolAddress {
                ip: String::new(),
                state: AddressState::Used,
                vm: vm.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()),
                mac: mac.map(|m| validate::mac(&m)).transpose()?,
                note: n.map(|n| note(&n)).transpose()?.filter(|n| !n.is_empty()),
                dhcp_host: false,
                at_ms: now_ms(),
            },
            Hold::Reserve { note: n } => PoolAddress {
                ip: String::new(),
                state: AddressState::Reserved,
                vm: None,
                mac: None,
                note: Some(note(&n)?).filter(|n| !n.is_empty()),
                dhcp_host: false,
                at_ms: now_ms(),
            },
        };
        let mut l = self.load_pool(host_id, pool).await?;
        self.block_network(&host, &mut l, None).await?;
        self.take(&l, want, address).await.map(|(a, _)| a)
    }

    /// Decides the address in `l`'s allocator and saves it; an address already held is
    /// refused, naming its holder.
    async fn take(&self, l: &Loaded, want: Option<IpAddr>, mut address: PoolAddress) -> Result<(PoolAddress, IpAddr)> {
        if let Some(w) = want {
            if let Some(h) = l.addresses.iter().find(|a| a.ip == w.to_string()) {
                return Err(Error::AddressTaken { ip: w.to_string(), by: holder_text(h) });
            }
        }
        let mut pool = l.pool.clone();
        let ip = pool.allocate(want)?;
        address.ip = ip.to_string();
        let (store, id, saved) = (self.store.clone(), l.rec.id, address.clone());
        blocking(move || Ok(store.hold_address(id, &saved)?)).await?;
        Ok((address, ip))
    }

    /// Gives a VM's NIC on the pool's network an address from the pool (`want`, or the
    /// next free one) and writes the network's static DHCP host for it, so the guest gets
    /// exactly that address at its next DHCP request. `mac` picks the NIC when the VM
    /// has several on the network.
    pub async fn assign_ip(&self, host_id: &str, pool: &str, vm: &str, mac: Option<&str>, want: Option<&str>) -> Result<PoolAddress> {
        let result = self.assign_inner(host_id, pool, vm, mac, want).await;
        let target = match &result {
            Ok(a) => format!("{pool} {} {vm}", a.ip),
            Err(_) => format!("{pool} {vm}"),
        };
        self.record(self.host_name(host_id), "assign_ip", target, &result).await;
        result
    }

    async fn assign_inner(&self, host_id: &str, pool: &str, vm: &str, mac: Option<&str>, want: Option<&str>) -> Result<PoolAddress> {
        let host = self.host(host_id)?;
        let want = want.map(|w| parse_ip("address", w)).transpose()?;
        let mac = mac.map(validate::mac).transpose()?;
        let mut l = self.load_pool(host_id, pool).await?;
        let network = l.rec.network.clone().ok_or_else(|| {
            Error::invalid("IP pool", format!("pool '{pool}' is not tied to a network, so no NIC can be given its address; allocate it instead"))
        })?;
        if l.rec.v6 {
            return Err(Error::invalid(
                "IP pool",
                format!("pool '{pool}' is IPv6: libvirt binds IPv6 static hosts by DHCP ID, not MAC; allocate the address and set it in the guest"),
            ));
        }
        let detail = host.vm_detail(&VmRef::parse(vm)?).await?;
        let on_net: Vec<&str> = detail.nics.iter().filter(|n| n.network.as_deref() == Some(network.as_str())).map(|n| n.mac.as_str()).collect();
        let nic = match (&mac, on_net.as_slice()) {
            (Some(m), _) if on_net.contains(&m.as_str()) => m.clone(),
            (Some(m), _) => return Err(Error::invalid("NIC", format!("VM '{}' has no NIC {m} on network '{network}'", detail.name))),
            (None, [one]) => (*one).to_owned(),
            (None, []) => return Err(Error::invalid("NIC", format!("VM '{}' has no NIC on network '{network}'", detail.name))),
            (None, _) => {
                return Err(Error::invalid("NIC", format!("VM '{}' has {} NICs on network '{network}'; give the MAC of one", detail.name, on_net.len())))
            }
        };
        if let Some(a) = l.addresses.iter().find(|a| a.mac.as_deref() == Some(nic.as_str()) && a.state == AddressState::Used) {
            return Err(Error::AddressTaken { ip: a.ip.clone(), by: format!("NIC {nic} already has it from pool '{pool}'; release it first") });
        }
        self.block_network(&host, &mut l, Some(&nic)).await?;
        let address = PoolAddress {
            ip: String::new(),
            state: AddressState::Used,
            vm: Some(detail.name.clone()),
            mac: Some(nic.clone()),
            note: None,
            dhcp_host: true,
            at_ms: now_ms(),
        };
        // Saved first (the address is then the NIC's, whoever races), then made real on
        // the host; if the host refuses (a MAC already bound), the saved row goes again.
        let (address, ip) = self.take(&l, want, address).await?;
        if let Err(e) = host.add_dhcp_host(&network, DhcpHost { mac: Some(nic), ip: ip.to_string(), name: None }).await {
            let (store, id, ip) = (self.store.clone(), l.rec.id, address.ip.clone());
            blocking(move || Ok(store.release_address(id, &ip)?)).await?;
            return Err(e);
        }
        Ok(address)
    }

    /// Gives an address back: its static DHCP host, if Vireo wrote one, is removed first.
    pub async fn release_ip(&self, host_id: &str, pool: &str, ip: &str) -> Result<()> {
        let result = self.release_inner(host_id, pool, ip).await;
        self.record(self.host_name(host_id), "release_ip", format!("{pool} {ip}"), &result).await;
        result
    }

    async fn release_inner(&self, host_id: &str, pool: &str, ip: &str) -> Result<()> {
        let ip = parse_ip("address", ip)?;
        let l = self.load_pool(host_id, pool).await?;
        l.pool.check_member(ip)?;
        let text = ip.to_string();
        let Some(a) = l.addresses.iter().find(|a| a.ip == text) else {
            return Err(Error::invalid("address", format!("{ip} is free in pool '{pool}': there is nothing to release")));
        };
        if a.dhcp_host {
            self.remove_static_host(host_id, &l.rec, &text).await?;
        }
        let (store, id) = (self.store.clone(), l.rec.id);
        blocking(move || Ok(store.release_address(id, &text)?)).await.map(|_| ())
    }
}
