//! Commands for long work the core runs as tasks: listing and cancelling them. Their
//! progress reaches the window as `HostEvent::Task` on the `host-event` event.

use tauri::State;
use vireo_app::Vireo;
use vireo_core::{ErrorPayload, TaskSummary};

type CmdResult<T> = Result<T, ErrorPayload>;

#[tauri::command]
pub fn list_tasks(vireo: State<'_, Vireo>) -> Vec<TaskSummary> {
    vireo.list_tasks()
}

#[tauri::command]
pub fn cancel_task(vireo: State<'_, Vireo>, id: String) -> CmdResult<()> {
    Ok(vireo.cancel_task(&id)?)
}
