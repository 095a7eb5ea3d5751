//! The names of a host's libvirt networks: what a new VM's NICs can be put on. (Managing
//! networks themselves is a feature of its own; this only lists them.)

use vireo_core::Result;

use crate::error::host_error;
use crate::host::Host;

impl Host {
    /// Every network libvirt knows on the host, running or not, sorted by name.
    pub async fn network_names(&self) -> Result<Vec<String>> {
        self.call(|conn| {
            let nets = conn.list_all_networks(0).map_err(|e| host_error("list networks", &e))?;
            let mut names: Vec<String> = nets.iter().filter_map(|n| n.name().ok()).collect();
            names.sort();
            Ok(names)
        })
        .await
    }
}
