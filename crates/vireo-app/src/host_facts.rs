//! What the Create VM wizard asks of a host before it sends a form: its limits (memory,
//! CPUs, UEFI) to check the fields against, and its networks to put NICs on.

use vireo_core::{HostLimits, Result};

use crate::Vireo;

impl Vireo {
    pub async fn host_limits(&self, host_id: &str) -> Result<HostLimits> {
        self.host(host_id)?.limits().await
    }

    /// The host's libvirt networks, sorted by name.
    pub async fn network_names(&self, host_id: &str) -> Result<Vec<String>> {
        self.host(host_id)?.network_names().await
    }
}
