//! Commands for libvirt networks. Each is one call into the core.

use tauri::State;
use vireo_app::Vireo;
use vireo_core::{ChangeOutcome, DhcpHost, ErrorPayload, NetworkAction, NetworkIp, NetworkLease, NetworkSummary, NewNetwork};

type CmdResult<T> = Result<T, ErrorPayload>;

#[tauri::command]
pub async fn list_networks(vireo: State<'_, Vireo>, host_id: String) -> CmdResult<Vec<NetworkSummary>> {
    Ok(vireo.list_networks(&host_id).await?)
}

#[tauri::command]
pub async fn create_network(vireo: State<'_, Vireo>, host_id: String, network: NewNetwork) -> CmdResult<NetworkSummary> {
    Ok(vireo.create_network(&host_id, network).await?)
}

/// `detach`: with `stop`, the running VMs' NICs on the network are removed first.
#[tauri::command]
pub async fn network_action(vireo: State<'_, Vireo>, host_id: String, name: String, action: NetworkAction, detach: bool) -> CmdResult<()> {
    Ok(vireo.network_action(&host_id, &name, action, detach).await?)
}

#[tauri::command]
pub async fn delete_network(vireo: State<'_, Vireo>, host_id: String, name: String, detach: bool) -> CmdResult<()> {
    Ok(vireo.delete_network(&host_id, &name, detach).await?)
}

#[tauri::command]
pub async fn set_network_ip(vireo: State<'_, Vireo>, host_id: String, name: String, ip: NetworkIp, v6: bool) -> CmdResult<ChangeOutcome> {
    Ok(vireo.set_network_ip(&host_id, &name, ip, v6).await?)
}

#[tauri::command]
pub async fn add_dhcp_host(vireo: State<'_, Vireo>, host_id: String, name: String, host: DhcpHost) -> CmdResult<()> {
    Ok(vireo.add_dhcp_host(&host_id, &name, host).await?)
}

#[tauri::command]
pub async fn remove_dhcp_host(vireo: State<'_, Vireo>, host_id: String, name: String, ip: String) -> CmdResult<()> {
    Ok(vireo.remove_dhcp_host(&host_id, &name, &ip).await?)
}

#[tauri::command]
pub async fn network_leases(vireo: State<'_, Vireo>, host_id: String, name: String) -> CmdResult<Vec<NetworkLease>> {
    Ok(vireo.network_leases(&host_id, &name).await?)
}

/// A Linux bridge on the host, with `nic` (one without addresses) on it.
#[tauri::command]
pub async fn create_bridge(vireo: State<'_, Vireo>, host_id: String, name: String, nic: Option<String>) -> CmdResult<()> {
    Ok(vireo.create_bridge(&host_id, &name, nic.as_deref()).await?)
}

#[tauri::command]
pub async fn delete_bridge(vireo: State<'_, Vireo>, host_id: String, name: String) -> CmdResult<()> {
    Ok(vireo.delete_bridge(&host_id, &name).await?)
}
