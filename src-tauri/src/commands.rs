//! The commands the UI invokes. Each is one call into the core.

use tauri::State;
use vireo_app::Vireo;
use vireo_core::{Accel, ErrorPayload, HistoryEntry, HostSummary, HostTarget, PromptAnswer, VmAction, VmSummary};

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
pub async fn add_host(vireo: State<'_, Vireo>, name: String, target: HostTarget) -> CmdResult<HostSummary> {
    Ok(vireo.add_host_target(&name, target).await?)
}

#[tauri::command]
pub async fn edit_host(vireo: State<'_, Vireo>, host_id: String, name: String, target: HostTarget) -> CmdResult<HostSummary> {
    Ok(vireo.edit_host(&host_id, &name, target).await?)
}

#[tauri::command]
pub async fn connect_host(vireo: State<'_, Vireo>, host_id: String) -> CmdResult<()> {
    Ok(vireo.connect_host(&host_id).await?)
}

#[tauri::command]
pub async fn disconnect_host(vireo: State<'_, Vireo>, host_id: String) -> CmdResult<()> {
    Ok(vireo.disconnect_host(&host_id).await?)
}

/// The answer to a host's prompt; a secret in it is passed on and not kept here.
#[tauri::command]
pub async fn answer_prompt(vireo: State<'_, Vireo>, host_id: String, answer: PromptAnswer) -> CmdResult<()> {
    Ok(vireo.answer_prompt(&host_id, answer).await?)
}

#[tauri::command]
pub async fn remove_host(vireo: State<'_, Vireo>, host_id: String) -> CmdResult<()> {
    Ok(vireo.remove_host(&host_id).await?)
}

#[tauri::command]
pub async fn list_history(vireo: State<'_, Vireo>, limit: u32) -> CmdResult<Vec<HistoryEntry>> {
    Ok(vireo.history(limit).await?)
}

/// Opens a VM's console; its binary records (`vireo_core::console`) and its input travel on
/// the WebSocket whose URL the answer holds (see `vireo_app`'s console socket), not on IPC.
#[tauri::command]
pub async fn open_console(vireo: State<'_, Vireo>, host_id: String, vm: String, view_only: Option<bool>) -> CmdResult<vireo_core::ConsoleOpened> {
    Ok(vireo.open_console_socket(&host_id, &vm, view_only.unwrap_or(false)).await?)
}

#[tauri::command]
pub async fn console_input(vireo: State<'_, Vireo>, id: String, input: vireo_core::ConsoleInput) -> CmdResult<()> {
    Ok(vireo.console_input(&id, input).await?)
}

#[tauri::command]
pub async fn console_screenshot(vireo: State<'_, Vireo>, id: String) -> CmdResult<String> {
    Ok(vireo.console_screenshot(&id).await?.display().to_string())
}

#[tauri::command]
pub async fn close_console(vireo: State<'_, Vireo>, id: String) -> CmdResult<()> {
    Ok(vireo.close_console(&id).await?)
}
