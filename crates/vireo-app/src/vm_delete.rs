//! Deleting a VM as a task: forced off, its definition forgotten (with its snapshots'
//! metadata and NVRAM), and, when asked, the volumes of its disks removed, except those
//! another VM or a linked clone still uses (named in the result).
//!
//! Snapshots: libvirt's record of them goes with the definition. Internal (qcow2)
//! snapshots are inside the disk images, so they go with removed disks and stay inside
//! kept ones (`qemu-img snapshot -l` lists them; no VM refers to them any more). The
//! result says how many snapshots there were and which of these happened.

use vireo_core::{Result, TaskKind, TaskStep, TaskSummary, VmRef};

use crate::Vireo;

impl Vireo {
    pub async fn delete_vm(&self, host_id: &str, uuid: &str, remove_storage: bool) -> Result<TaskSummary> {
        let vm = VmRef::uuid(uuid)?;
        let host = self.host(host_id)?;
        let name = host.vm_name(&vm).await?;
        let images = host.vm_images(&vm).await?;
        let snapshots = host.list_snapshots(&vm).await.map(|s| s.len()).unwrap_or(0);
        Ok(self.tasks.spawn(host_id, self.host_name(host_id), TaskKind::DeleteVm, name.clone(), move |ctx| async move {
            ctx.step(TaskStep::Deleting);
            host.undefine_vm(&vm).await?;
            let snapshot_note = match (snapshots, remove_storage) {
                (0, _) => None,
                (n, true) => Some(format!("{n} snapshot(s) forgotten; internal ones went with the removed disks")),
                (n, false) => Some(format!("{n} snapshot(s) forgotten; internal ones stay inside the kept disks")),
            };
            if !remove_storage {
                return Ok(snapshot_note);
            }
            // Disks, and the VM's own cloud-init seed; shared ISOs stay.
            let seed = format!("{name}-cidata.iso");
            let own: Vec<String> = images
                .into_iter()
                .filter(|(device, path)| device == "disk" || path.ends_with(&format!("/{seed}")))
                .map(|(_, path)| path)
                .collect();
            ctx.measure(vireo_core::ProgressUnit::Steps, Some(own.len() as u64));
            let users = host.volume_users().await?;
            let mut kept = Vec::new();
            for (i, path) in own.iter().enumerate() {
                let others = users.of(path).into_iter().filter(|u| *u != name).collect::<Vec<_>>();
                if !others.is_empty() {
                    kept.push(format!("{path} (used by {})", others.join(", ")));
                } else if host.volume_at(path).await?.is_some() {
                    host.delete_volume_at(path).await?;
                } else {
                    kept.push(format!("{path} (not a volume libvirt manages)"));
                }
                ctx.progress(i as u64 + 1);
            }
            let kept = (!kept.is_empty()).then(|| format!("kept {}", kept.join("; ")));
            let notes: Vec<String> = kept.into_iter().chain(snapshot_note).collect();
            Ok((!notes.is_empty()).then(|| notes.join("; ")))
        }))
    }
}

