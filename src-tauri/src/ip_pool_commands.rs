//! Commands for IP pools, the address manager. Each is one call into the core.

use tauri::State;
use vireo_app::Vireo;
use vireo_core::{ErrorPayload, Hold, IpPoolDetail, IpPoolSummary, NewIpPool, PoolAddress};

type CmdResult<T> = Result<T, ErrorPayload>;

#[tauri::command]
pub async fn list_ip_pools(vireo: State<'_, Vireo>, host_id: String) -> CmdResult<Vec<IpPoolSummary>> {
    Ok(vireo.list_ip_pools(&host_id).await?)
}

#[tauri::command]
pub async fn ip_pool(vireo: State<'_, Vireo>, host_id: String, name: String) -> CmdResult<IpPoolDetail> {
    Ok(vireo.ip_pool(&host_id, &name).await?)
}

#[tauri::command]
pub async fn create_ip_pool(vireo: State<'_, Vireo>, host_id: String, pool: NewIpPool) -> CmdResult<IpPoolSummary> {
    Ok(vireo.create_ip_pool(&host_id, pool).await?)
}

/// `release`: every address is released first (their static DHCP hosts removed).
#[tauri::command]
pub async fn delete_ip_pool(vireo: State<'_, Vireo>, host_id: String, name: String, release: bool) -> CmdResult<()> {
    Ok(vireo.delete_ip_pool(&host_id, &name, release).await?)
}

/// `ip`: a chosen address, or the next free one.
#[tauri::command]
pub async fn allocate_ip(vireo: State<'_, Vireo>, host_id: String, pool: String, ip: Option<String>, hold: Hold) -> CmdResult<PoolAddress> {
    Ok(vireo.allocate_ip(&host_id, &pool, ip.as_deref(), hold).await?)
}

#[tauri::command]
pub async fn assign_ip(
    vireo: State<'_, Vireo>,
    host_id: String,
    pool: String,
    vm: String,
    mac: Option<String>,
    ip: Option<String>,
) -> CmdResult<PoolAddress> {
    Ok(vireo.assign_ip(&host_id, &pool, &vm, mac.as_deref(), ip.as_deref()).await?)
}

#[tauri::command]
pub async fn release_ip(vireo: State<'_, Vireo>, host_id: String, pool: String, ip: String) -> CmdResult<()> {
    Ok(vireo.release_ip(&host_id, &pool, &ip).await?)
}
