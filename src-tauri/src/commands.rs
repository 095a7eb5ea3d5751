//! The commands the UI invokes. Each is one call into the core.

use tauri::State;
use vireo_app::Vireo;
use vireo_core::{Accel, ErrorPayload, HostSummary, VmAction, VmSummary};

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
pub async fn vm_action(vireo: State<'_, Vireo>, host_id: String, name: String, action: VmAction) -> CmdResult<()> {
    Ok(vireo.vm_action(&host_id, &name, action).await?)
}

#[tauri::command]
pub fn set_host_accel(vireo: State<'_, Vireo>, host_id: String, accel: Accel) -> CmdResult<()> {
    Ok(vireo.set_host_accel(&host_id, accel)?)
}
