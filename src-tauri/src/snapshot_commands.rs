//! Commands for a VM's CD-ROM media, its snapshots and clones. Each is one call into the core;
//! revert and clone run as tasks.

use tauri::State;
use vireo_app::Vireo;
use vireo_core::{CdromDrive, ErrorPayload, NewClone, NewSnapshot, SnapshotSummary, TaskSummary};

type CmdResult<T> = Result<T, ErrorPayload>;

#[tauri::command]
pub async fn cdrom_drives(vireo: State<'_, Vireo>, host_id: String, uuid: String) -> CmdResult<Vec<CdromDrive>> {
    Ok(vireo.cdrom_drives(&host_id, &uuid).await?)
}

/// Puts the ISO at path `iso` (a volume's path) in the drive, or ejects it when `iso` is null;
/// the drives after.
#[tauri::command]
pub async fn change_media(vireo: State<'_, Vireo>, host_id: String, uuid: String, target: String, iso: Option<String>) -> CmdResult<Vec<CdromDrive>> {
    Ok(vireo.change_media(&host_id, &uuid, &target, iso.as_deref()).await?)
}

#[tauri::command]
pub async fn list_snapshots(vireo: State<'_, Vireo>, host_id: String, uuid: String) -> CmdResult<Vec<SnapshotSummary>> {
    Ok(vireo.list_snapshots(&host_id, &uuid).await?)
}

#[tauri::command]
pub async fn create_snapshot(vireo: State<'_, Vireo>, host_id: String, uuid: String, snapshot: NewSnapshot) -> CmdResult<SnapshotSummary> {
    Ok(vireo.create_snapshot(&host_id, &uuid, snapshot).await?)
}

#[tauri::command]
pub async fn revert_snapshot(vireo: State<'_, Vireo>, host_id: String, uuid: String, snapshot: String) -> CmdResult<TaskSummary> {
    Ok(vireo.revert_snapshot(&host_id, &uuid, &snapshot).await?)
}

#[tauri::command]
pub async fn delete_snapshot(vireo: State<'_, Vireo>, host_id: String, uuid: String, snapshot: String, with_children: bool) -> CmdResult<()> {
    Ok(vireo.delete_snapshot(&host_id, &uuid, &snapshot, with_children).await?)
}

#[tauri::command]
pub async fn clone_vm(vireo: State<'_, Vireo>, host_id: String, uuid: String, clone: NewClone) -> CmdResult<TaskSummary> {
    Ok(vireo.clone_vm(&host_id, &uuid, clone).await?)
}
