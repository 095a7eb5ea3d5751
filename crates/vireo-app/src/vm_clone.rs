//! Cloning a VM as a task: checked against the host first (the source shut off, the
//! name free, pools running, volume names free), then each disk made, the clone defined
//! from the source's own definition (new name, no UUID, new MACs, its disks repointed,
//! everything else kept), each noted before it is made so a failure leaves nothing.
//!
//! The source must be shut off, for both modes:
//! - a full copy reads the image while nothing writes it: QEMU holds a write lock on a
//!   running (or paused) VM's image, and a copy taken under its writes is not one state
//!   of the disk. Pausing is not enough either: a paused VM's memory belongs to the disk
//!   as it goes on, and QEMU keeps its lock;
//! - a linked clone is a qcow2 layer over each of the source's images, which then must
//!   never change again (the layer records only its differences). So the source moves
//!   onto a layer of its own over the same image, as VirtualBox does for its linked
//!   clones: the image is frozen as the base of both, and the source's definition points
//!   at its new layer. Internal snapshots live inside that image, where its new layer
//!   cannot revert to them, so a source with snapshots gets only full clones.

use vireo_core::{
    validate, CloneMode, Error, NewClone, NewVolume, ProgressUnit, Result, TaskKind, TaskStep, TaskSummary, VmRef,
    VolumeFormat, VolumeSummary,
};
use vireo_host::xml::clone::{clone_xml, own_disks, repoint_disks, DiskSwap};
use vireo_host::Host;

use crate::tasks::TaskCtx;
use crate::undo::Undo;
use crate::vm_create::planned_path;
use crate::Vireo;

/// What the clone makes for one disk of the source.
struct PlannedDisk {
    target: String,
    /// The source's image.
    image: VolumeSummary,
    /// The clone's image: pool and name.
    pool: String,
    name: String,
    /// Linked mode: the source's own new layer (name) in its image's pool.
    source_layer: Option<String>,
}

struct Plan {
    /// The source's definition as it boots next.
    xml: String,
    disks: Vec<PlannedDisk>,
}

impl Vireo {
    /// Checks the clone against the host and starts it as a task; its result is the
    /// clone's UUID.
    pub async fn clone_vm(&self, host_id: &str, uuid: &str, new: NewClone) -> Result<TaskSummary> {
        validate::vm_name(&new.name)?;
        let vm = VmRef::uuid(uuid)?;
        let host = self.host(host_id)?;
        let label = self.host_name(host_id);
        let plan = plan(&host, &vm, &new, &label).await?;
        let store = self.store.clone();
        Ok(self.tasks.spawn(host_id, label, TaskKind::CloneVm, new.name.clone(), move |ctx| async move {
            let mut undo = Undo::new(&host, &store, ctx.id());
            let made = build(&host, &vm, &new, &plan, &ctx, &mut undo).await;
            undo.settle(&ctx, made).await
        }))
    }
}

/// Refused unless shut off (see the module's comment for why).
async fn ensure_shut_off(host: &Host, vm: &VmRef, name: &str) -> Result<()> {
    let uuid = host.vm_uuid(vm).await?;
    let state = host.list_vms().await?.into_iter().find(|v| v.uuid == uuid).map(|v| v.state);
    match state {
        Some(s) if !s.is_active() => Ok(()),
        Some(s) => Err(Error::InvalidState { action: "clone".into(), name: name.to_owned(), state: format!("{s}; shut it down first") }),
        None => Err(Error::VmNotFound { host: host.uri().to_owned(), name: name.to_owned() }),
    }
}

/// Everything the host can refuse, asked before anything is made.
async fn plan(host: &Host, vm: &VmRef, new: &NewClone, label: &str) -> Result<Plan> {
    let source = host.vm_name(vm).await?;
    ensure_shut_off(host, vm, &source).await?;
    if host.vm_exists(&new.name).await? {
        return Err(Error::AlreadyExists { kind: "VM", name: new.name.clone(), host: label.to_owned() });
    }
    if new.mode == CloneMode::Linked {
        let n = host.list_snapshots(vm).await?.len();
        if n > 0 {
            return Err(Error::invalid(
                "clone mode",
                format!("{source} has {n} snapshot(s) inside its disks; a linked clone freezes those disks under new layers, where they could no longer be reverted. Make a full clone, or delete the snapshots first"),
            ));
        }
    }
    if let Some(pool) = &new.pool {
        running_pool(host, pool, label).await?;
    }
    let xml = host.clone_source_xml(vm).await?;
    let mut disks = Vec::new();
    let mut taken: Vec<(String, String)> = Vec::new();
    for (i, d) in own_disks(&xml)?.into_iter().enumerate() {
        let image = host
            .volume_at(&d.path)
            .await?
            .ok_or_else(|| Error::NotFound { kind: "volume at", name: format!("{} (disk {} of {source})", d.path, d.target), host: label.to_owned() })?;
        let pool = new.pool.clone().unwrap_or_else(|| image.pool.clone());
        let qcow2 = new.mode == CloneMode::Linked || image.format.as_deref() == Some("qcow2");
        let ext = if qcow2 { "qcow2" } else { "img" };
        let name = if i == 0 { format!("{}.{ext}", new.name) } else { format!("{}-{}.{ext}", new.name, d.target) };
        let names = names_in(host, &pool, label, &taken).await?;
        if names.contains(&name) {
            return Err(Error::AlreadyExists { kind: "volume", name: format!("{pool}/{name}"), host: label.to_owned() });
        }
        taken.push((pool.clone(), name.clone()));
        let source_layer = match new.mode {
            CloneMode::Full => None,
            CloneMode::Linked => {
                let in_pool = names_in(host, &image.pool, label, &taken).await?;
                let layer = layer_name(&image.name, &new.name, &d.target, &in_pool);
                taken.push((image.pool.clone(), layer.clone()));
                Some(layer)
            }
        };
        disks.push(PlannedDisk { target: d.target, image, pool, name, source_layer });
    }
    Ok(Plan { xml, disks })
}

async fn running_pool(host: &Host, pool: &str, label: &str) -> Result<()> {
    let p = host.pool(pool).await.map_err(|e| match e {
        Error::NotFound { .. } => Error::NotFound { kind: "storage pool", name: pool.to_owned(), host: label.to_owned() },
        other => other,
    })?;
    if p.state != vireo_core::PoolState::Running {
        return Err(Error::InvalidState { action: "use".into(), name: format!("storage pool {pool}"), state: "stopped".into() });
    }
    Ok(())
}

/// The volume names in `pool` now, and those this plan takes there already.
async fn names_in(host: &Host, pool: &str, label: &str, taken: &[(String, String)]) -> Result<Vec<String>> {
    running_pool(host, pool, label).await?;
    let mut names: Vec<String> = host.list_volumes(pool).await?.into_iter().map(|v| v.name).collect();
    names.extend(taken.iter().filter(|(p, _)| p == pool).map(|(_, n)| n.clone()));
    Ok(names)
}

/// The source's new layer over its frozen image `image` (`web.qcow2`): `web.1.qcow2`,
/// `web.2.qcow2`, ... the first free one; from the clone's name when the image's name is
/// not one Vireo would give.
fn layer_name(image: &str, clone: &str, target: &str, taken: &[String]) -> String {
    let stem = image.strip_suffix(".qcow2").or_else(|| image.strip_suffix(".img")).unwrap_or(image);
    let stem = if vireo_core::storage::volume_name(stem).is_ok() && stem.chars().count() < 50 {
        stem.to_owned()
    } else {
        format!("{clone}-source-{target}")
    };
    (1..).map(|n| format!("{stem}.{n}.qcow2")).find(|n| !taken.contains(n)).expect("a free name")
}

fn swap_of(target: &str, v: &VolumeSummary) -> DiskSwap {
    let format = if v.format.as_deref() == Some("qcow2") { "qcow2" } else { "raw" };
    // A volume of an LVM pool is a device node; any other pool's is a file.
    DiskSwap { target: target.to_owned(), path: v.path.clone(), format: format.into(), block: v.path.starts_with("/dev/") }
}

async fn build(host: &Host, vm: &VmRef, new: &NewClone, plan: &Plan, ctx: &TaskCtx, undo: &mut Undo) -> Result<String> {
    let source = host.vm_name(vm).await?;
    let layers = plan.disks.iter().filter(|d| d.source_layer.is_some()).count() as u64;
    ctx.measure(ProgressUnit::Steps, Some(plan.disks.len() as u64 + layers + 1 + u64::from(layers > 0)));
    let mut done = 0;
    let mut swaps = Vec::new();
    let mut source_swaps = Vec::new();
    for d in &plan.disks {
        // Asked again: the source may have been started since the check.
        ensure_shut_off(host, vm, &source).await?;
        undo.volume(&planned_path(host, &d.pool, &d.name).await?).await?;
        let made = match new.mode {
            CloneMode::Full => {
                ctx.step(TaskStep::CopyingDisk);
                host.copy_volume(&d.image.path, &d.pool, &d.name).await?
            }
            CloneMode::Linked => {
                ctx.step(TaskStep::CreatingDisk);
                host.create_volume(&d.pool, layer(&d.name, &d.image)).await?
            }
        };
        swaps.push(swap_of(&d.target, &made));
        done += 1;
        ctx.progress(done);
        if let Some(name) = &d.source_layer {
            undo.volume(&planned_path(host, &d.image.pool, name).await?).await?;
            let made = host.create_volume(&d.image.pool, layer(name, &d.image)).await?;
            source_swaps.push(swap_of(&d.target, &made));
            done += 1;
            ctx.progress(done);
        }
    }
    ctx.step(TaskStep::DefiningVm);
    let xml = clone_xml(&plan.xml, &new.name, &swaps)?;
    undo.domain(&new.name).await?;
    host.define_vm(xml).await?;
    let uuid = host.vm_uuid(&VmRef::Name(new.name.clone())).await?;
    done += 1;
    ctx.progress(done);
    if !source_swaps.is_empty() {
        // Last: until here the source is as it was, and a failure undoes all the rest.
        ensure_shut_off(host, vm, &source).await?;
        host.define_vm(repoint_disks(&plan.xml, &source_swaps)?).await?;
        ctx.progress(done + 1);
    }
    Ok(uuid)
}

/// A qcow2 layer named `name` over `image` (at least its size).
fn layer(name: &str, image: &VolumeSummary) -> NewVolume {
    NewVolume { name: name.to_owned(), capacity: image.capacity, format: VolumeFormat::Qcow2, backing: Some(image.path.clone()) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn source_layers_are_named_after_the_image() {
        let taken = vec!["web.1.qcow2".to_owned()];
        assert_eq!(super::layer_name("web.qcow2", "c", "vda", &taken), "web.2.qcow2");
        assert_eq!(super::layer_name("disk.img", "c", "vda", &[]), "disk.1.qcow2");
        assert_eq!(super::layer_name("My VM.qcow2", "c", "vdb", &[]), "c-source-vdb.1.qcow2");
    }
}
