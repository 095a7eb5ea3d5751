//! The running VMs' IP addresses for the list, in one host call: the DHCP leases of
//! every active libvirt network (one call each) matched to the VMs' MACs, and, for a VM
//! with no lease (a bridged NIC, a static address), its guest agent where one is
//! connected. A VM whose agent channel is not connected is not asked: that call would
//! wait for an agent that is not there.

use std::collections::BTreeMap;

use virt::sys;
use vireo_core::{AddressSource, Result, VmAddresses};

use crate::error::host_error;
use crate::host::Host;
use crate::leases::read_leases;
use crate::vm_detail::{agent_channel, nics_of};
use crate::xml::tree::Element;

impl Host {
    pub async fn vm_addresses(&self) -> Result<Vec<VmAddresses>> {
        self.call(|conn| {
            let mut by_mac: BTreeMap<String, Vec<String>> = BTreeMap::new();
            let nets = conn.list_all_networks(sys::VIR_CONNECT_LIST_NETWORKS_ACTIVE).map_err(|e| host_error("list networks", &e))?;
            for net in &nets {
                // A network whose leases cannot be read (no DHCP) gives none.
                for lease in read_leases(net).unwrap_or_default() {
                    by_mac.entry(lease.mac.to_ascii_lowercase()).or_default().push(lease.ip);
                }
            }
            let doms = conn.list_all_domains(sys::VIR_CONNECT_LIST_DOMAINS_ACTIVE).map_err(|e| host_error("list VMs", &e))?;
            let mut out = Vec::new();
            for dom in doms {
                let (Ok(uuid), Ok(xml)) = (dom.uuid_string(), dom.xml_desc(0)) else { continue };
                let Ok(tree) = Element::parse(&xml) else { continue };
                let mut addresses: Vec<String> =
                    nics_of(&tree).iter().flat_map(|n| by_mac.get(&n.mac).cloned().unwrap_or_default()).collect();
                let mut source = AddressSource::Lease;
                let agent_up = agent_channel(&tree).is_some_and(|t| t.attr("state") == Some("connected"));
                if addresses.is_empty() && agent_up {
                    addresses = agent_addresses(&dom);
                    source = AddressSource::Agent;
                }
                if !addresses.is_empty() {
                    addresses.sort();
                    addresses.dedup();
                    out.push(VmAddresses { uuid, addresses, source });
                }
            }
            Ok(out)
        })
        .await
    }
}

/// The guest's own addresses, loopback and link-local left out.
fn agent_addresses(dom: &virt::domain::Domain) -> Vec<String> {
    let Ok(ifaces) = dom.interface_addresses(sys::VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT, 0) else { return Vec::new() };
    ifaces
        .into_iter()
        .filter(|i| i.name != "lo")
        .flat_map(|i| i.addrs)
        .map(|a| a.addr)
        .filter(|a| !a.starts_with("127.") && !a.starts_with("fe80:") && a != "::1")
        .collect()
}
