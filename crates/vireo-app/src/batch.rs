//! One action on a selection of VMs: a few at a time, each recorded in history as if
//! run alone, every VM's outcome reported by name (one failure does not stop the rest).

use futures_util::stream::{self, StreamExt};
use vireo_core::{BatchAction, BatchItem, Error, Result, VmRef};

use crate::Vireo;

/// How many VMs are acted on at once: enough to overlap libvirt's round trips, few
/// enough not to start a storm of guests booting on a small host.
const AT_ONCE: usize = 4;

impl Vireo {
    pub async fn batch(&self, host_id: &str, uuids: Vec<String>, action: BatchAction) -> Result<Vec<BatchItem>> {
        if uuids.is_empty() {
            return Err(Error::invalid("selection", "no VM is selected"));
        }
        let uuids: Vec<String> = uuids.iter().map(|u| VmRef::uuid(u).map(|_| u.clone())).collect::<Result<_>>()?;
        let host = self.host(host_id)?;
        let items = stream::iter(uuids)
            .map(|uuid| {
                let host = host.clone();
                async move {
                    let name = host.vm_name(&VmRef::Uuid(uuid.clone())).await.unwrap_or_else(|_| uuid.clone());
                    let done = self.batch_one(host_id, &uuid, action).await;
                    BatchItem { uuid, name, error: done.err().map(|e| e.payload()) }
                }
            })
            .buffered(AT_ONCE)
            .collect()
            .await;
        Ok(items)
    }

    async fn batch_one(&self, host_id: &str, uuid: &str, action: BatchAction) -> Result<()> {
        match action.lifecycle() {
            Some(a) => self.vm_action(host_id, uuid, a).await,
            None => {
                let BatchAction::Delete { remove_storage } = action else { unreachable!("only delete has no lifecycle action") };
                let task = self.delete_vm(host_id, uuid, remove_storage).await?;
                self.wait_task(&task.id).await.map(drop)
            }
        }
    }
}
