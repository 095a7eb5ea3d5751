//! The commands the UI invokes. Each is one call into the core.

use tauri::State;
use vireo_app::Vireo;
use vireo_core::{Accel, ErrorPayload, HistoryEntry, HostSummary, VmAction, VmSummary};

type CmdResult<T> = Result<T, ErrorPayload>;

#[tauri::command]
pub fn list_hosts(vireo: State<'_, Vireo>) -> Vec<HostSummary> {
    vireo.list_hosts()
}

#[tauri::command]
pub async fn list_vms(vireo: State<'_, Vireo>, host_id: String) -> CmdResult<Vec<VmSummary>> {
    Ok(vireo.list_vms(&host_id).await?)
}

#[tauri::command]
pub async fn vm_action(vireo: State<'_, Vireo>, host_id: String, uuid: String, action: VmAction) -> CmdResult<()> {
    Ok(vireo.vm_action(&host_id, &uuid, action).await?)
}

#[tauri::command]
pub async fn set_host_accel(vireo: State<'_, Vireo>, host_id: String, accel: Accel) -> CmdResult<()> {
    Ok(vireo.set_host_accel(&host_id, accel).await?)
}

#[tauri::command]
pub async fn add_host(vireo: State<'_, Vireo>, name: String, uri: String) -> CmdResult<HostSummary> {
    Ok(vireo.add_host(&name, &uri).await?)
}

#[tauri::command]
pub async fn remove_host(vireo: State<'_, Vireo>, host_id: String) -> CmdResult<()> {
    Ok(vireo.remove_host(&host_id).await?)
}

#[tauri::command]
pub async fn list_history(vireo: State<'_, Vireo>, limit: u32) -> CmdResult<Vec<HistoryEntry>> {
    Ok(vireo.history(limit).await?)
}
