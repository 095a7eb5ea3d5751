//! Commands of the VM detail page and the list's extras: the VM's configuration and the
//! changes to it, the guest password, batch actions, and the host's tags and addresses
//! (each in one call for the whole host). Each is one call into the core.

use std::collections::HashMap;

use tauri::State;
use vireo_app::Vireo;
use vireo_core::{BatchAction, BatchItem, ChangeOutcome, ErrorPayload, VmAddresses, VmChange, VmDetail};

type CmdResult<T> = Result<T, ErrorPayload>;

#[tauri::command]
pub async fn vm_detail(vireo: State<'_, Vireo>, host_id: String, uuid: String) -> CmdResult<VmDetail> {
    Ok(vireo.vm_detail(&host_id, &uuid).await?)
}

/// One change; the outcome says whether it is live now or from the next boot.
#[tauri::command]
pub async fn change_vm(vireo: State<'_, Vireo>, host_id: String, uuid: String, change: VmChange) -> CmdResult<ChangeOutcome> {
    Ok(vireo.change_vm(&host_id, &uuid, change).await?)
}

/// The running VMs' addresses, for the whole host.
#[tauri::command]
pub async fn vm_addresses(vireo: State<'_, Vireo>, host_id: String) -> CmdResult<Vec<VmAddresses>> {
    Ok(vireo.vm_addresses(&host_id).await?)
}

/// Every VM's tags, by UUID.
#[tauri::command]
pub async fn vm_tags(vireo: State<'_, Vireo>, host_id: String) -> CmdResult<HashMap<String, Vec<String>>> {
    Ok(vireo.vm_tags(&host_id).await?.into_iter().collect())
}

/// The password is passed on to the guest agent and not kept or recorded.
#[tauri::command]
pub async fn set_guest_password(vireo: State<'_, Vireo>, host_id: String, uuid: String, user: String, password: String) -> CmdResult<()> {
    Ok(vireo.set_guest_password(&host_id, &uuid, &user, &password).await?)
}

/// The action on each VM of the selection; each one's outcome by name.
#[tauri::command]
pub async fn batch_vms(vireo: State<'_, Vireo>, host_id: String, uuids: Vec<String>, action: BatchAction) -> CmdResult<Vec<BatchItem>> {
    Ok(vireo.batch(&host_id, uuids, action).await?)
}
