//! Snapshots of a VM: list (a tree), take, revert (a task: a running snapshot's memory is
//! loaded back, which takes a while), delete; each change recorded.

use vireo_core::{Error, NewSnapshot, Result, SnapshotSummary, TaskKind, TaskStep, TaskSummary, VmRef};

use crate::Vireo;

impl Vireo {
    /// The VM's snapshots, parents before their children.
    pub async fn list_snapshots(&self, host_id: &str, uuid: &str) -> Result<Vec<SnapshotSummary>> {
        self.host(host_id)?.list_snapshots(&VmRef::uuid(uuid)?).await
    }

    pub async fn create_snapshot(&self, host_id: &str, uuid: &str, new: NewSnapshot) -> Result<SnapshotSummary> {
        let vm = VmRef::uuid(uuid)?;
        let host = self.host(host_id)?;
        let target = format!("{}/{}", host.vm_name(&vm).await.unwrap_or_else(|_| vm.to_string()), new.name);
        let result = host.create_snapshot(&vm, new).await;
        self.record(self.host_name(host_id), "create_snapshot", target, &result).await;
        result
    }

    /// Reverts the VM to the snapshot as a task; its result is the VM's state after it.
    /// The snapshot must exist (checked before the task starts).
    pub async fn revert_snapshot(&self, host_id: &str, uuid: &str, snapshot: &str) -> Result<TaskSummary> {
        let vm = VmRef::uuid(uuid)?;
        let host = self.host(host_id)?;
        let name = host.vm_name(&vm).await?;
        if !host.list_snapshots(&vm).await?.iter().any(|s| s.name == snapshot) {
            return Err(Error::NotFound { kind: "snapshot", name: format!("{name}/{snapshot}"), host: self.host_name(host_id) });
        }
        let snap = snapshot.to_owned();
        let target = format!("{name}/{snapshot}");
        Ok(self.tasks.spawn(host_id, self.host_name(host_id), TaskKind::RevertSnapshot, target, move |ctx| async move {
            ctx.step(TaskStep::Reverting);
            let state = host.revert_snapshot(&vm, &snap).await?;
            Ok(Some(state.as_str().to_owned()))
        }))
    }

    /// Deletes a snapshot (its children then hang from its parent), or with
    /// `with_children` the snapshot and everything below it.
    pub async fn delete_snapshot(&self, host_id: &str, uuid: &str, snapshot: &str, with_children: bool) -> Result<()> {
        let vm = VmRef::uuid(uuid)?;
        let host = self.host(host_id)?;
        let target = format!("{}/{snapshot}", host.vm_name(&vm).await.unwrap_or_else(|_| vm.to_string()));
        let result = host.delete_snapshot(&vm, snapshot, with_children).await;
        let action = if with_children { "delete_snapshot_tree" } else { "delete_snapshot" };
        self.record(self.host_name(host_id), action, target, &result).await;
        result
    }
}
