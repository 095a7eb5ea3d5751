//! DHCP leases of a libvirt network (`virNetworkGetDHCPLeases`, not wrapped by `virt` 0.5):
//! how Vireo learns a VM's address without a guest agent.

use serde::Serialize;
use virt::sys;
use vireo_core::{Error, Result};

use crate::error::host_error;
use crate::ffi::opt_string;
use crate::host::Host;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lease {
    pub iface: String,
    pub mac: String,
    pub ip: String,
    pub prefix: u32,
    pub hostname: Option<String>,
    /// Seconds since the epoch.
    pub expiry: i64,
}

impl Host {
    /// Current leases on the network `network`.
    pub async fn dhcp_leases(&self, network: &str) -> Result<Vec<Lease>> {
        let network = network.to_owned();
        let uri = self.uri().to_owned();
        self.call(move |conn| {
            let net = conn.lookup_network_by_name(&network).map_err(|e| match crate::error::raw_code(&e) {
                crate::error::VIR_ERR_NO_NETWORK => Error::invalid("network", format!("no network named '{network}' on {uri}")),
                _ => host_error("find the network", &e),
            })?;
            read_leases(&net)
        })
        .await
    }
}

/// The network's current leases (one libvirt call).
pub(crate) fn read_leases(net: &virt::network::Network) -> Result<Vec<Lease>> {
    let mut leases: *mut sys::virNetworkDHCPLeasePtr = std::ptr::null_mut();
    // SAFETY: a valid network; libvirt allocates the array, freed below.
    let n = unsafe { sys::virNetworkGetDHCPLeases(net.as_ptr(), std::ptr::null(), &mut leases, 0) };
    if n < 0 {
        return Err(host_error("read DHCP leases", &virt::error::Error::last_error()));
    }
    let mut out = Vec::with_capacity(n as usize);
    for i in 0..n as usize {
        // SAFETY: libvirt returned `n` valid leases; each is freed after copying.
        unsafe {
            let l = *leases.add(i);
            out.push(Lease {
                iface: opt_string((*l).iface).unwrap_or_default(),
                mac: opt_string((*l).mac).unwrap_or_default(),
                ip: opt_string((*l).ipaddr).unwrap_or_default(),
                prefix: (*l).prefix,
                hostname: opt_string((*l).hostname),
                expiry: (*l).expirytime,
            });
            sys::virNetworkDHCPLeaseFree(l);
        }
    }
    if !leases.is_null() {
        // SAFETY: the array itself was malloc'ed by libvirt.
        unsafe { libc::free(leases as *mut libc::c_void) };
    }
    Ok(out)
}
