//! What a host can give a new VM, asked before anything is made.

use vireo_core::Result;

use crate::error::host_error;
use crate::host::Host;
use crate::xml::read;

pub use vireo_core::HostLimits;

impl Host {
    pub async fn limits(&self) -> Result<HostLimits> {
        self.call(|conn| {
            let info = conn.node_info().map_err(|e| host_error("read the host's size", &e))?;
            let caps = conn.domain_capabilities(None, Some("x86_64"), None, None, 0).unwrap_or_default();
            let uefi = read::elements(&caps, "domainCapabilities/os/enum")
                .iter()
                .any(|e| e.attr("name") == Some("firmware"))
                && read::elements(&caps, "domainCapabilities/os/enum/value").iter().any(|v| v.text == "efi");
            Ok(HostLimits { memory_kib: info.memory, cpus: info.cpus, uefi })
        })
        .await
    }

    /// Whether a domain of this name exists.
    pub async fn vm_exists(&self, name: &str) -> Result<bool> {
        let name = name.to_owned();
        self.call(move |conn| Ok(conn.lookup_domain_by_name(&name).is_ok())).await
    }

    /// Whether a libvirt network of this name exists.
    pub async fn network_exists(&self, name: &str) -> Result<bool> {
        let name = name.to_owned();
        self.call(move |conn| Ok(conn.lookup_network_by_name(&name).is_ok())).await
    }
}
