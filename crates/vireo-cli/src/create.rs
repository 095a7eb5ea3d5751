//! `vireo vm create` and `vireo vm delete`: the wizard's form as flags, run as tasks.

use clap::Args;
use vireo_app::Vireo;
use vireo_core::{CloudInit, DiskBus, Error, Firmware, NewDisk, NewNic, NewVm, VmRef, VolumeFormat};

use crate::progress::follow;
use crate::sizes::{parse_mib, parse_size};
use crate::Failure;

#[derive(Args)]
pub struct CreateArgs {
    pub name: String,
    /// Memory: 512M, 2G (a plain number is MiB).
    #[arg(long, default_value = "1G")]
    pub memory: String,
    #[arg(long, default_value_t = 1)]
    pub vcpus: u32,
    /// An ISO on the host (a volume's path) to boot from.
    #[arg(long)]
    pub iso: Option<String>,
    /// Pool of the new disk.
    #[arg(long)]
    pub pool: Option<String>,
    /// A new blank disk of this size in --pool.
    #[arg(long, conflicts_with_all = ["linked_clone", "copy", "import"])]
    pub disk_size: Option<String>,
    #[arg(long, default_value = "qcow2")]
    pub disk_format: String,
    /// A linked (qcow2) clone in --pool over this template volume.
    #[arg(long, conflicts_with_all = ["copy", "import"])]
    pub linked_clone: Option<String>,
    /// A full copy in --pool of this volume.
    #[arg(long, conflicts_with = "import")]
    pub copy: Option<String>,
    /// Use this existing image as it is.
    #[arg(long)]
    pub import: Option<String>,
    #[arg(long, default_value = "virtio", value_parser = ["virtio", "sata", "scsi"])]
    pub bus: String,
    /// A NIC on this libvirt network, `NETWORK` or `NETWORK,mac=52:54:00:..`; repeat for more.
    #[arg(long = "network")]
    pub networks: Vec<String>,
    #[arg(long)]
    pub uefi: bool,
    /// A cloud-init NoCloud seed with this host name.
    #[arg(long)]
    pub ci_hostname: Option<String>,
    #[arg(long, requires = "ci_hostname")]
    pub ci_user: Option<String>,
    #[arg(long, requires = "ci_user")]
    pub ci_password: Option<String>,
    /// A public key file for --ci-user.
    #[arg(long, requires = "ci_user")]
    pub ci_ssh_key: Option<std::path::PathBuf>,
    /// A user-data file to use as it is.
    #[arg(long, requires = "ci_hostname")]
    pub ci_user_data: Option<std::path::PathBuf>,
    #[arg(long)]
    pub description: Option<String>,
    /// Define it, but do not start it.
    #[arg(long)]
    pub no_start: bool,
}

impl CreateArgs {
    fn to_new_vm(&self) -> Result<NewVm, Error> {
        let pool = || self.pool.clone().ok_or_else(|| Error::invalid("--pool", "a new disk needs --pool"));
        let disk = if let Some(size) = &self.disk_size {
            NewDisk::Blank { pool: pool()?, size: parse_size("--disk-size", size)?, format: VolumeFormat::parse(&self.disk_format)? }
        } else if let Some(template) = &self.linked_clone {
            NewDisk::LinkedClone { pool: pool()?, template: template.clone(), size: None }
        } else if let Some(template) = &self.copy {
            NewDisk::FullCopy { pool: pool()?, template: template.clone() }
        } else if let Some(path) = &self.import {
            NewDisk::Import { path: path.clone() }
        } else {
            NewDisk::None
        };
        let nics = self
            .networks
            .iter()
            .map(|n| match n.split_once(",mac=") {
                Some((net, mac)) => NewNic { network: net.into(), mac: Some(mac.into()) },
                None => NewNic { network: n.clone(), mac: None },
            })
            .collect();
        let read = |p: &std::path::PathBuf| {
            std::fs::read_to_string(p).map_err(|e| Error::invalid("file", format!("{}: {e}", p.display())))
        };
        let cloud_init = match &self.ci_hostname {
            Some(hostname) => Some(CloudInit {
                hostname: hostname.clone(),
                user: self.ci_user.clone(),
                password: self.ci_password.clone(),
                ssh_key: self.ci_ssh_key.as_ref().map(read).transpose()?,
                user_data: self.ci_user_data.as_ref().map(read).transpose()?,
            }),
            None => None,
        };
        Ok(NewVm {
            name: self.name.clone(),
            vcpus: self.vcpus,
            memory_mib: parse_mib("--memory", &self.memory)?,
            disk,
            disk_bus: match self.bus.as_str() {
                "sata" => DiskBus::Sata,
                "scsi" => DiskBus::Scsi,
                _ => DiskBus::Virtio,
            },
            cdrom: self.iso.clone(),
            nics,
            firmware: if self.uefi { Firmware::Uefi } else { Firmware::Bios },
            cloud_init,
            description: self.description.clone(),
            start: !self.no_start,
        })
    }
}

pub async fn create(core: &Vireo, host: &str, args: CreateArgs, json: bool) -> Result<(), Failure> {
    let task = core.create_vm(host, args.to_new_vm()?).await?;
    follow(core, &task, json).await?;
    Ok(())
}

pub async fn delete(core: &Vireo, host: &str, vm: &str, remove_storage: bool, yes: bool, json: bool) -> Result<(), Failure> {
    let h = core.host(host)?;
    let uuid = h.vm_uuid(&VmRef::parse(vm)?).await?;
    let what = if remove_storage { "and its disks" } else { "(its disks stay)" };
    crate::terminal::confirm_destructive(&format!("Delete VM {vm} {what}?"), yes)?;
    let task = core.delete_vm(host, &uuid, remove_storage).await?;
    follow(core, &task, json).await?;
    Ok(())
}
