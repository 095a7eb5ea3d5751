//! Commands for making and deleting VMs (both run as tasks) and what the Create VM wizard
//! reads of the host first. Each is one call into the core.

use tauri::State;
use vireo_app::Vireo;
use vireo_core::{ErrorPayload, HostLimits, NewVm, TaskSummary};

type CmdResult<T> = Result<T, ErrorPayload>;

#[tauri::command]
pub async fn host_limits(vireo: State<'_, Vireo>, host_id: String) -> CmdResult<HostLimits> {
    Ok(vireo.host_limits(&host_id).await?)
}

#[tauri::command]
pub async fn list_network_names(vireo: State<'_, Vireo>, host_id: String) -> CmdResult<Vec<String>> {
    Ok(vireo.network_names(&host_id).await?)
}

/// Checks the form against the host and starts the VM's creation as a task.
#[tauri::command]
pub async fn create_vm(vireo: State<'_, Vireo>, host_id: String, vm: NewVm) -> CmdResult<TaskSummary> {
    Ok(vireo.create_vm(&host_id, vm).await?)
}

/// Deletes the VM with this UUID as a task, its disks too when `remove_storage`.
#[tauri::command]
pub async fn delete_vm(vireo: State<'_, Vireo>, host_id: String, uuid: String, remove_storage: bool) -> CmdResult<TaskSummary> {
    Ok(vireo.delete_vm(&host_id, &uuid, remove_storage).await?)
}
