//! Creating a VM as a task: checked against the host first (name free, memory and CPUs
//! it has, pools, networks and images that exist), then disk, seed, definition and
//! start, each noted before it is made so a failure half-way leaves nothing behind.

use vireo_core::{Error, NewDisk, NewVm, NewVolume, Result, TaskKind, TaskStep, TaskSummary, VolumeFormat};
use vireo_host::xml::{Boot, DiskSpec, DomainSpec, NicSpec};
use vireo_host::{DomainKind, Host};

use crate::tasks::TaskCtx;
use crate::undo::Undo;
use crate::Vireo;

impl Vireo {
    /// Checks `new` against the host and starts its creation as a task.
    pub async fn create_vm(&self, host_id: &str, new: NewVm) -> Result<TaskSummary> {
        new.check()?;
        let host = self.host(host_id)?;
        precheck(&host, &new, &self.host_name(host_id)).await?;
        let kind = self.guest_domain_kind(host_id).await?;
        let store = self.store.clone();
        let name = new.name.clone();
        Ok(self.tasks.spawn(host_id, self.host_name(host_id), TaskKind::CreateVm, name, move |ctx| async move {
            let mut undo = Undo::new(&host, &store, ctx.id());
            let made = build(&host, &new, kind, &ctx, &mut undo).await;
            undo.settle(&ctx, made).await
        }))
    }
}

/// Everything the host can refuse, asked before anything is made.
async fn precheck(host: &Host, new: &NewVm, host_label: &str) -> Result<()> {
    if host.vm_exists(&new.name).await? {
        return Err(Error::AlreadyExists { kind: "VM", name: new.name.clone(), host: host_label.to_owned() });
    }
    let limits = host.limits().await?;
    if new.memory_mib * 1024 > limits.memory_kib {
        return Err(Error::BeyondHost {
            what: "that much memory",
            reason: format!("{} MiB asked, the host has {} MiB", new.memory_mib, limits.memory_kib / 1024),
        });
    }
    if new.vcpus > limits.cpus {
        return Err(Error::BeyondHost { what: "that many vCPUs", reason: format!("{} asked, the host has {} CPUs", new.vcpus, limits.cpus) });
    }
    if new.firmware == vireo_core::Firmware::Uefi && !limits.uefi {
        return Err(Error::BeyondHost { what: "UEFI firmware", reason: "libvirt finds no OVMF build there (install the ovmf package)".into() });
    }
    for nic in &new.nics {
        if !host.network_exists(&nic.network).await? {
            return Err(Error::NotFound { kind: "network", name: nic.network.clone(), host: host_label.to_owned() });
        }
    }
    let image = |path: &str| {
        let path = path.to_owned();
        async move {
            match host.volume_at(&path).await? {
                Some(v) => Ok(v),
                None => Err(Error::NotFound { kind: "volume at", name: path, host: host_label.to_owned() }),
            }
        }
    };
    if let Some(iso) = &new.cdrom {
        image(iso).await?;
    }
    let pool = match &new.disk {
        NewDisk::None => None,
        NewDisk::Blank { pool, .. } => Some(pool),
        NewDisk::LinkedClone { pool, template, size } => {
            let t = image(template).await?;
            if let Some(size) = size {
                if *size < t.capacity {
                    return Err(Error::invalid("disk size", format!("{size} bytes is below the template's {} bytes", t.capacity)));
                }
            }
            Some(pool)
        }
        NewDisk::FullCopy { pool, template } => {
            image(template).await?;
            Some(pool)
        }
        NewDisk::Import { path } => {
            image(path).await?;
            None
        }
    };
    if let Some(pool) = pool {
        let p = host.pool(pool).await?;
        if p.state != vireo_core::PoolState::Running {
            return Err(Error::InvalidState { action: "use".into(), name: format!("storage pool {pool}"), state: "stopped".into() });
        }
        let disk = disk_name(new, pool_format(&new.disk));
        if host.list_volumes(pool).await?.iter().any(|v| v.name == disk) {
            return Err(Error::AlreadyExists { kind: "volume", name: format!("{pool}/{disk}"), host: host_label.to_owned() });
        }
        if let NewDisk::Blank { size, format: VolumeFormat::Raw, .. } = &new.disk {
            if *size > p.available {
                return Err(Error::BeyondHost { what: "the space", reason: format!("{size} bytes asked, pool {pool} has {} free", p.available) });
            }
        }
    }
    Ok(())
}

fn pool_format(disk: &NewDisk) -> VolumeFormat {
    match disk {
        NewDisk::Blank { format, .. } => *format,
        _ => VolumeFormat::Qcow2,
    }
}

/// `<vm>.qcow2` or `<vm>.img`: the name rule keeps it a plain file name.
fn disk_name(new: &NewVm, format: VolumeFormat) -> String {
    match format {
        VolumeFormat::Qcow2 => format!("{}.qcow2", new.name),
        VolumeFormat::Raw => format!("{}.img", new.name),
    }
}

async fn build(host: &Host, new: &NewVm, kind: DomainKind, ctx: &TaskCtx, undo: &mut Undo) -> Result<String> {
    ctx.set_cancellable(true);
    let steps = 2 + u64::from(new.disk != NewDisk::None) + u64::from(new.cloud_init.is_some()) + u64::from(new.start);
    ctx.measure(vireo_core::ProgressUnit::Steps, Some(steps));
    let mut done = 0;
    let mut spec = DomainSpec::new(&new.name, kind);
    spec.memory_mib = new.memory_mib;
    spec.vcpus = new.vcpus;
    spec.firmware = new.firmware;
    spec.description = new.description.clone();
    spec.nics = new.nics.iter().map(|n| NicSpec { network: n.network.clone(), mac: n.mac.clone() }).collect();
    spec.boot = match &new.cdrom {
        Some(iso) => Boot::Cdrom { iso: iso.clone() },
        None => Boot::Disk,
    };
    spec.empty_cdrom = new.cdrom.is_none();
    done += 1;
    ctx.progress(done);

    let disk = match &new.disk {
        NewDisk::None => None,
        NewDisk::Import { path } => Some(DiskSpec { path: path.clone(), format: image_format(host, path).await, bus: new.disk_bus }),
        NewDisk::Blank { pool, size, format } => {
            ctx.step(TaskStep::CreatingDisk);
            let vol = NewVolume { name: disk_name(new, *format), capacity: *size, format: *format, backing: None };
            Some(make_volume(host, pool, vol, undo).await?)
        }
        NewDisk::LinkedClone { pool, template, size } => {
            ctx.step(TaskStep::CreatingDisk);
            let vol = NewVolume {
                name: disk_name(new, VolumeFormat::Qcow2),
                capacity: size.unwrap_or(1),
                format: VolumeFormat::Qcow2,
                backing: Some(template.clone()),
            };
            Some(make_volume(host, pool, vol, undo).await?)
        }
        NewDisk::FullCopy { pool, template } => {
            ctx.step(TaskStep::CopyingDisk);
            ctx.set_cancellable(false);
            let name = disk_name(new, VolumeFormat::Qcow2);
            undo.volume(&planned_path(host, pool, &name).await?).await?;
            let v = host.copy_volume(template, pool, &name).await?;
            ctx.set_cancellable(true);
            let format = if v.format.as_deref() == Some("qcow2") { "qcow2" } else { "raw" };
            Some(DiskSpec { path: v.path, format: format.into(), bus: new.disk_bus })
        }
    };
    if let Some(mut d) = disk {
        d.bus = new.disk_bus;
        spec.disks.push(d);
        done += 1;
        ctx.progress(done);
    }
    ctx.check_cancel("creating the VM")?;

    if let Some(ci) = &new.cloud_init {
        ctx.step(TaskStep::BuildingSeed);
        let pool = match &new.disk {
            NewDisk::Blank { pool, .. } | NewDisk::LinkedClone { pool, .. } | NewDisk::FullCopy { pool, .. } => pool.clone(),
            _ => return Err(Error::invalid("cloud-init", "a seed goes into the pool of a new disk; pick one")),
        };
        let seed = crate::cloud_init::make_seed(host, &pool, &new.name, ci, undo).await?;
        spec.extra_cdroms.push(seed);
        done += 1;
        ctx.progress(done);
    }
    ctx.check_cancel("creating the VM")?;

    ctx.step(TaskStep::DefiningVm);
    let xml = spec.to_xml()?;
    undo.domain(&new.name).await?;
    host.define_vm(xml).await?;
    let uuid = host.vm_uuid(&vireo_core::VmRef::Name(new.name.clone())).await?;
    done += 1;
    ctx.progress(done);

    if new.start {
        ctx.check_cancel("creating the VM")?;
        ctx.set_cancellable(false);
        ctx.step(TaskStep::StartingVm);
        host.vm_action(&vireo_core::VmRef::Uuid(uuid.clone()), vireo_core::VmAction::Start).await?;
        done += 1;
        ctx.progress(done);
    }
    Ok(uuid)
}

pub(crate) async fn planned_path(host: &Host, pool: &str, name: &str) -> Result<String> {
    let p = host.pool(pool).await?;
    let dir = p.path.ok_or_else(|| Error::Internal(format!("pool {pool} has no target path")))?;
    Ok(format!("{}/{name}", dir.trim_end_matches('/')))
}

pub(crate) async fn make_volume(host: &Host, pool: &str, vol: NewVolume, undo: &mut Undo) -> Result<DiskSpec> {
    undo.volume(&planned_path(host, pool, &vol.name).await?).await?;
    let format = vol.format;
    let v = host.create_volume(pool, vol).await?;
    Ok(DiskSpec { path: v.path, format: format.as_str().into(), bus: vireo_core::DiskBus::Virtio })
}

async fn image_format(host: &Host, path: &str) -> String {
    match host.volume_at(path).await.ok().flatten().and_then(|v| v.format) {
        Some(f) if f == "qcow2" => f,
        _ => "raw".into(),
    }
}
