//! Editing a VM: one `VmChange` at a time, checked, made live where it can be and for
//! the next boot always, recorded in history with where it took effect.

use vireo_core::{
    validate, AddedDisk, Applied, ChangeOutcome, Error, NewVolume, Result, VmAddresses, VmChange, VmDetail, VmRef, VolumeFormat,
};
use vireo_host::Host;

use crate::undo::Undo;
use crate::vm_create::make_volume;
use crate::Vireo;

impl Vireo {
    pub async fn vm_detail(&self, host_id: &str, uuid: &str) -> Result<VmDetail> {
        self.host(host_id)?.vm_detail(&VmRef::uuid(uuid)?).await
    }

    /// Makes one change to the VM; the outcome says whether it is live now or waits for
    /// the next boot (and why).
    pub async fn change_vm(&self, host_id: &str, uuid: &str, change: VmChange) -> Result<ChangeOutcome> {
        let vm = VmRef::uuid(uuid)?;
        let host = self.host(host_id)?;
        let name = host.vm_name(&vm).await.unwrap_or_else(|_| uuid.to_owned());
        let label = change.label();
        let what = describe(&change);
        let result = match change.check() {
            Ok(()) => self.apply_change(&host, &vm, &name, change).await,
            Err(e) => Err(e),
        };
        let target = match &result {
            Ok(o) if o.applied == Applied::NextBoot => format!("{name}: {what} (next boot)"),
            _ => format!("{name}: {what}"),
        };
        self.record(self.host_name(host_id), label, target, &result).await;
        result
    }

    async fn apply_change(&self, host: &Host, vm: &VmRef, name: &str, change: VmChange) -> Result<ChangeOutcome> {
        match change {
            VmChange::Vcpus { count } => host.set_vcpus(vm, count).await,
            VmChange::Memory { mib } => host.set_memory(vm, mib).await,
            VmChange::Autostart { on } => host.set_autostart(vm, on).await,
            VmChange::Description { text } => host.set_description(vm, &text).await,
            VmChange::Tags { tags } => host.set_tags(vm, &tags).await,
            VmChange::Boot { order } => host.set_boot_order(vm, order).await,
            VmChange::AddNic { network, mac } => Ok(host.attach_nic(vm, &network, mac.as_deref()).await?.1),
            VmChange::RemoveNic { mac } => host.detach_nic(vm, &mac).await,
            VmChange::NicNetwork { mac, network } => host.set_nic_network(vm, &mac, &network).await,
            VmChange::NicMac { mac, new_mac } => host.set_nic_mac(vm, &mac, &new_mac).await,
            VmChange::AddDisk { disk, bus } => self.add_disk(host, vm, name, disk, bus).await,
            VmChange::RemoveDisk { target, delete_volume } => {
                let (source, outcome) = host.detach_disk(vm, &target).await?;
                if let (true, Some(path)) = (delete_volume, source) {
                    // Another VM, or a linked clone over it, may still use the image.
                    let users: Vec<String> = host.volume_users().await?.of(&path).into_iter().filter(|u| u != name).collect();
                    if !users.is_empty() {
                        return Err(Error::InUse { kind: "volume", name: path, users });
                    }
                    host.delete_volume_at(&path).await?;
                }
                Ok(outcome)
            }
            VmChange::ResizeDisk { target, capacity } => {
                let detail = host.vm_detail(vm).await?;
                let disk = detail.disks.iter().find(|d| d.target == target).ok_or_else(|| Error::NotFound {
                    kind: "disk",
                    name: target.clone(),
                    host: name.to_owned(),
                })?;
                if detail.state.is_active() {
                    return host.resize_disk_live(vm, &target, capacity).await;
                }
                let path = disk.source.clone().ok_or_else(|| Error::invalid("disk", format!("{target} is an empty drive")))?;
                let vol = host.volume_at(&path).await?.ok_or_else(|| {
                    Error::invalid("disk", format!("{path} is not a volume libvirt manages; resize it on the host"))
                })?;
                host.resize_volume(&vol.pool, &vol.name, capacity).await?;
                Ok(ChangeOutcome::next_boot(None))
            }
        }
    }

    /// Attaches an existing volume, or a new qcow2 one named after the VM (removed again
    /// when the attach fails).
    async fn add_disk(&self, host: &Host, vm: &VmRef, name: &str, disk: AddedDisk, bus: vireo_core::DiskBus) -> Result<ChangeOutcome> {
        match disk {
            AddedDisk::Volume { pool, volume } => {
                let vol = host.volume(&pool, &volume).await?;
                let format = if vol.format.as_deref() == Some("qcow2") { "qcow2" } else { "raw" };
                Ok(host.attach_disk(vm, &vol.path, format, bus).await?.1)
            }
            AddedDisk::New { pool, capacity } => {
                vireo_core::storage::volume_capacity("disk size", capacity)?;
                validate::vm_name(name).map_err(|_| Error::invalid("disk", format!("'{name}' cannot name a volume; add an existing volume instead")))?;
                let taken: Vec<String> = host.list_volumes(&pool).await?.into_iter().map(|v| v.name).collect();
                let volume = (2..).map(|n| format!("{name}-{n}.qcow2")).find(|v| !taken.contains(v)).expect("a free name");
                let mut undo = Undo::new(host, &self.store, format!("add-disk:{vm}"));
                let made = make_volume(host, &pool, NewVolume { name: volume, capacity, format: VolumeFormat::Qcow2, backing: None }, &mut undo).await;
                let attached = match made {
                    Ok(spec) => host.attach_disk(vm, &spec.path, "qcow2", bus).await,
                    Err(e) => Err(e),
                };
                match attached {
                    Ok((_, outcome)) => {
                        undo.keep().await;
                        Ok(outcome)
                    }
                    Err(e) => {
                        undo.undo().await;
                        Err(e)
                    }
                }
            }
        }
    }

    /// The running VMs' IP addresses, for the whole host in one call.
    pub async fn vm_addresses(&self, host_id: &str) -> Result<Vec<VmAddresses>> {
        self.host(host_id)?.vm_addresses().await
    }

    /// Every VM's tags, for filtering the list.
    pub async fn vm_tags(&self, host_id: &str) -> Result<Vec<(String, Vec<String>)>> {
        self.host(host_id)?.vm_tags().await
    }

    /// Sets a user's password in the running guest through its agent (the password is
    /// not recorded, only that it was set).
    pub async fn set_guest_password(&self, host_id: &str, uuid: &str, user: &str, password: &str) -> Result<()> {
        let vm = VmRef::uuid(uuid)?;
        let host = self.host(host_id)?;
        let name = host.vm_name(&vm).await.unwrap_or_else(|_| uuid.to_owned());
        let result = host.set_guest_password(&vm, user, password).await;
        self.record(self.host_name(host_id), "set_guest_password", format!("{name}: user {user}"), &result).await;
        result
    }
}

/// The change in a few words, for history.
fn describe(change: &VmChange) -> String {
    match change {
        VmChange::Vcpus { count } => format!("{count} vCPUs"),
        VmChange::Memory { mib } => format!("{mib} MiB"),
        VmChange::Autostart { on } => if *on { "autostart on" } else { "autostart off" }.to_owned(),
        VmChange::Description { .. } => "description".to_owned(),
        VmChange::Tags { tags } => format!("tags {}", tags.join(", ")),
        VmChange::AddDisk { disk: AddedDisk::Volume { pool, volume }, .. } => format!("disk {pool}/{volume}"),
        VmChange::AddDisk { disk: AddedDisk::New { pool, capacity }, .. } => format!("new disk of {capacity} bytes in {pool}"),
        VmChange::RemoveDisk { target, delete_volume: true } => format!("disk {target} and its volume"),
        VmChange::RemoveDisk { target, .. } => format!("disk {target}"),
        VmChange::ResizeDisk { target, capacity } => format!("disk {target} to {capacity} bytes"),
        VmChange::AddNic { network, .. } => format!("NIC on {network}"),
        VmChange::RemoveNic { mac } => format!("NIC {mac}"),
        VmChange::NicNetwork { mac, network } => format!("NIC {mac} to {network}"),
        VmChange::NicMac { mac, new_mac } => format!("NIC {mac} to {new_mac}"),
        VmChange::Boot { order } => format!("boot {}", order.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(", ")),
    }
}
