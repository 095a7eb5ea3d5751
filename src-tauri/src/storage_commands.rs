//! Commands for storage pools, volumes and the ISO library. Each is one call into the core.

use std::path::PathBuf;

use tauri::State;
use vireo_app::{UploadRequest, Vireo};
use vireo_core::{ErrorPayload, NewPool, NewVolume, PoolAction, PoolSummary, TaskSummary, VolumeSummary};

type CmdResult<T> = Result<T, ErrorPayload>;

#[tauri::command]
pub async fn list_pools(vireo: State<'_, Vireo>, host_id: String) -> CmdResult<Vec<PoolSummary>> {
    Ok(vireo.list_pools(&host_id).await?)
}

#[tauri::command]
pub async fn create_pool(vireo: State<'_, Vireo>, host_id: String, pool: NewPool) -> CmdResult<PoolSummary> {
    Ok(vireo.create_pool(&host_id, pool).await?)
}

#[tauri::command]
pub async fn pool_action(vireo: State<'_, Vireo>, host_id: String, name: String, action: PoolAction) -> CmdResult<()> {
    Ok(vireo.pool_action(&host_id, &name, action).await?)
}

#[tauri::command]
pub async fn delete_pool(vireo: State<'_, Vireo>, host_id: String, name: String, delete_contents: bool) -> CmdResult<()> {
    Ok(vireo.delete_pool(&host_id, &name, delete_contents).await?)
}

#[tauri::command]
pub async fn list_volumes(vireo: State<'_, Vireo>, host_id: String, pool: String) -> CmdResult<Vec<VolumeSummary>> {
    Ok(vireo.list_volumes(&host_id, &pool).await?)
}

#[tauri::command]
pub async fn create_volume(vireo: State<'_, Vireo>, host_id: String, pool: String, volume: NewVolume) -> CmdResult<VolumeSummary> {
    Ok(vireo.create_volume(&host_id, &pool, volume).await?)
}

#[tauri::command]
pub async fn resize_volume(vireo: State<'_, Vireo>, host_id: String, pool: String, name: String, capacity: u64) -> CmdResult<()> {
    Ok(vireo.resize_volume(&host_id, &pool, &name, capacity).await?)
}

#[tauri::command]
pub async fn delete_volume(vireo: State<'_, Vireo>, host_id: String, pool: String, name: String) -> CmdResult<()> {
    Ok(vireo.delete_volume(&host_id, &pool, &name).await?)
}

#[tauri::command]
pub async fn list_isos(vireo: State<'_, Vireo>, host_id: String) -> CmdResult<Vec<VolumeSummary>> {
    Ok(vireo.list_isos(&host_id).await?)
}

/// Uploads a file on this workstation into the host's ISO library, as a task; `name`:
/// the volume's name (the file's when absent); `expected_sha256`: checked after sending.
#[tauri::command]
pub async fn upload_iso(
    vireo: State<'_, Vireo>,
    host_id: String,
    path: String,
    name: Option<String>,
    expected_sha256: Option<String>,
) -> CmdResult<TaskSummary> {
    // The core picks the library's pool.
    let req = UploadRequest { pool: String::new(), file: PathBuf::from(path), name, expected_sha256 };
    Ok(vireo.upload_iso(&host_id, req).await?)
}

#[tauri::command]
pub async fn delete_iso(vireo: State<'_, Vireo>, host_id: String, name: String) -> CmdResult<()> {
    Ok(vireo.delete_iso(&host_id, &name).await?)
}

#[tauri::command]
pub async fn iso_dir(vireo: State<'_, Vireo>, host_id: String) -> CmdResult<String> {
    Ok(vireo.iso_dir(&host_id).await?)
}

#[tauri::command]
pub async fn set_iso_dir(vireo: State<'_, Vireo>, host_id: String, dir: String) -> CmdResult<()> {
    Ok(vireo.set_iso_dir(&host_id, &dir).await?)
}
