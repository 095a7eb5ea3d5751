//! libvirt networks through the host's session, each change recorded in history.

use vireo_core::{ChangeOutcome, DhcpHost, NetworkAction, NetworkIp, NetworkLease, NetworkSummary, NewNetwork, Result};

use crate::Vireo;

impl Vireo {
    pub async fn list_networks(&self, host_id: &str) -> Result<Vec<NetworkSummary>> {
        self.host(host_id)?.list_networks().await
    }

    pub async fn network(&self, host_id: &str, name: &str) -> Result<NetworkSummary> {
        self.host(host_id)?.network(name).await
    }

    pub async fn create_network(&self, host_id: &str, net: NewNetwork) -> Result<NetworkSummary> {
        let name = net.name.clone();
        let result = self.host(host_id)?.create_network(net).await;
        self.record(self.host_name(host_id), "create_network", name, &result).await;
        result
    }

    pub async fn network_action(&self, host_id: &str, name: &str, action: NetworkAction, detach: bool) -> Result<()> {
        let result = self.host(host_id)?.network_action(name, action, detach).await;
        let label = match (action, detach) {
            (NetworkAction::Start, _) => "start_network",
            (NetworkAction::Stop, false) => "stop_network",
            (NetworkAction::Stop, true) => "stop_network_detaching_vms",
            (NetworkAction::Autostart, _) => "autostart_network",
            (NetworkAction::NoAutostart, _) => "no_autostart_network",
        };
        self.record(self.host_name(host_id), label, name.to_owned(), &result).await;
        result
    }

    pub async fn delete_network(&self, host_id: &str, name: &str, detach: bool) -> Result<()> {
        let result = self.host(host_id)?.delete_network(name, detach).await;
        let label = if detach { "delete_network_detaching_vms" } else { "delete_network" };
        self.record(self.host_name(host_id), label, name.to_owned(), &result).await;
        result
    }

    pub async fn set_network_ip(&self, host_id: &str, name: &str, ip: NetworkIp, v6: bool) -> Result<ChangeOutcome> {
        let target = format!("{name} {}", ip.cidr);
        let result = self.host(host_id)?.set_network_ip(name, ip, v6).await;
        self.record(self.host_name(host_id), "change_network_subnet", target, &result).await;
        result
    }

    pub async fn add_dhcp_host(&self, host_id: &str, name: &str, host: DhcpHost) -> Result<()> {
        let target = format!("{name} {}", host.ip);
        let result = self.host(host_id)?.add_dhcp_host(name, host).await;
        self.record(self.host_name(host_id), "add_static_host", target, &result).await;
        result
    }

    pub async fn remove_dhcp_host(&self, host_id: &str, name: &str, ip: &str) -> Result<()> {
        let result = self.host(host_id)?.remove_dhcp_host(name, ip).await;
        self.record(self.host_name(host_id), "remove_static_host", format!("{name} {ip}"), &result).await;
        result
    }

    pub async fn network_leases(&self, host_id: &str, name: &str) -> Result<Vec<NetworkLease>> {
        self.host(host_id)?.network_leases(name).await
    }

    /// Makes a Linux bridge on the host (for a bridge network), with `nic` enslaved.
    pub async fn create_bridge(&self, host_id: &str, name: &str, nic: Option<&str>) -> Result<()> {
        let result = self.host(host_id)?.create_bridge(name, nic).await;
        let target = match nic {
            Some(n) => format!("{name} {n}"),
            None => name.to_owned(),
        };
        self.record(self.host_name(host_id), "create_bridge", target, &result).await;
        result
    }

    /// Removes a Linux bridge; refused while a network is on it.
    pub async fn delete_bridge(&self, host_id: &str, name: &str) -> Result<()> {
        let result = self.host(host_id)?.delete_bridge(name).await;
        self.record(self.host_name(host_id), "delete_bridge", name.to_owned(), &result).await;
        result
    }
}
