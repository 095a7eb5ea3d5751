//! A VM's configuration as the detail page shows it, and the changes a user makes to it.
//!
//! A change to a running VM is applied live where libvirt and the guest allow it and
//! always to the next boot's definition; the outcome says which, so the UI can tell the
//! user "now" or "at the next boot".

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::new_vm::{DiskBus, Firmware};
use crate::validate;
use crate::vm::VmState;

/// What a VM's drive holds.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DriveKind {
    Disk,
    Cdrom,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct VmDisk {
    /// The guest-side name libvirt gives it (`vda`, `sda`): how a change names the disk.
    pub target: String,
    pub kind: DriveKind,
    /// `virtio`, `sata`, `scsi`, `ide`, ...
    pub bus: String,
    /// The image on the host; none for an empty CD-ROM drive.
    pub source: Option<String>,
    /// `qcow2`, `raw`, ...
    pub format: Option<String>,
    pub readonly: bool,
    /// Its place in the boot order (1 first), when it has one.
    pub boot_order: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct VmNic {
    pub mac: String,
    /// The libvirt network it is on (none for a bridge or direct interface).
    pub network: Option<String>,
    /// `virtio`, `e1000`, ...
    pub model: Option<String>,
    /// The host-side device while the VM runs (`vnet3`).
    pub device: Option<String>,
    pub boot_order: Option<u32>,
}

/// Something the VM can boot from, in the `<os><boot dev>` sense.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BootDevice {
    Hd,
    Cdrom,
    Network,
}

impl BootDevice {
    pub fn as_str(self) -> &'static str {
        match self {
            BootDevice::Hd => "hd",
            BootDevice::Cdrom => "cdrom",
            BootDevice::Network => "network",
        }
    }

    pub fn parse(s: &str) -> Option<BootDevice> {
        match s {
            "hd" => Some(BootDevice::Hd),
            "cdrom" => Some(BootDevice::Cdrom),
            "network" => Some(BootDevice::Network),
            _ => None,
        }
    }
}

/// A VM's configuration: what runs now and, where it differs, what the next boot gets.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
pub struct VmDetail {
    pub uuid: String,
    pub name: String,
    pub state: VmState,
    /// Whether libvirt keeps a definition (a transient VM has none to edit).
    pub persistent: bool,
    pub autostart: bool,
    pub description: String,
    /// Vireo's tags, kept in the domain's `<metadata>`.
    pub tags: Vec<String>,
    pub firmware: Firmware,
    pub vcpus: u32,
    pub max_vcpus: u32,
    #[ts(type = "number")]
    pub memory_mib: u64,
    #[ts(type = "number")]
    pub max_memory_mib: u64,
    /// The next boot's figures, when they differ from the running ones.
    pub next_vcpus: Option<u32>,
    #[ts(type = "number | null")]
    pub next_memory_mib: Option<u64>,
    pub disks: Vec<VmDisk>,
    pub nics: Vec<VmNic>,
    /// `<os><boot dev>` order of the next boot (empty when devices carry their own).
    pub boot: Vec<BootDevice>,
    /// Whether a guest agent channel is configured (IP addresses, guest password).
    pub agent_channel: bool,
}

/// Where a disk to add comes from.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AddedDisk {
    /// An existing volume of a pool.
    Volume { pool: String, volume: String },
    /// A new qcow2 volume of this size in the pool, named after the VM.
    New {
        pool: String,
        #[ts(type = "number")]
        capacity: u64,
    },
}

/// One change to a VM.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VmChange {
    Vcpus { count: u32 },
    Memory {
        #[ts(type = "number")]
        mib: u64,
    },
    Autostart { on: bool },
    Description { text: String },
    Tags { tags: Vec<String> },
    AddDisk { disk: AddedDisk, bus: DiskBus },
    /// Detaches the disk; its volume stays unless `delete_volume`.
    RemoveDisk { target: String, delete_volume: bool },
    /// Grows the disk to `capacity` bytes.
    ResizeDisk {
        target: String,
        #[ts(type = "number")]
        capacity: u64,
    },
    AddNic { network: String, mac: Option<String> },
    RemoveNic { mac: String },
    /// Moves the NIC to another libvirt network.
    NicNetwork { mac: String, network: String },
    /// Gives the NIC another MAC address.
    NicMac { mac: String, new_mac: String },
    Boot { order: Vec<BootDevice> },
}

impl VmChange {
    /// The history label.
    pub fn label(&self) -> &'static str {
        match self {
            VmChange::Vcpus { .. } => "set_vcpus",
            VmChange::Memory { .. } => "set_memory",
            VmChange::Autostart { on: true } => "autostart",
            VmChange::Autostart { on: false } => "no_autostart",
            VmChange::Description { .. } => "set_description",
            VmChange::Tags { .. } => "set_tags",
            VmChange::AddDisk { .. } => "add_disk",
            VmChange::RemoveDisk { .. } => "remove_disk",
            VmChange::ResizeDisk { .. } => "resize_disk",
            VmChange::AddNic { .. } => "add_nic",
            VmChange::RemoveNic { .. } => "remove_nic",
            VmChange::NicNetwork { .. } => "set_nic_network",
            VmChange::NicMac { .. } => "set_nic_mac",
            VmChange::Boot { .. } => "set_boot_order",
        }
    }

    /// Checks what can be checked without the host.
    pub fn check(&self) -> Result<()> {
        use crate::storage::{pool_name, volume_name};
        match self {
            VmChange::Vcpus { count } if *count == 0 || *count > 512 => {
                Err(Error::invalid("vCPUs", format!("{count} is not within 1-512")))
            }
            VmChange::Memory { mib } if *mib < 16 => Err(Error::invalid("memory", format!("{mib} MiB is below 16 MiB"))),
            VmChange::Description { text } if text.chars().count() > 4096 => {
                Err(Error::invalid("description", "longer than 4096 characters".to_owned()))
            }
            VmChange::Tags { tags } => tags.iter().try_for_each(|t| validate::tag(t).map(drop)),
            VmChange::AddDisk { disk: AddedDisk::New { capacity: 0, .. }, .. } => {
                Err(Error::invalid("disk size", "0 bytes: give a size above zero".to_owned()))
            }
            VmChange::AddDisk { disk: AddedDisk::Volume { pool, volume }, .. } => {
                pool_name(pool)?;
                volume_name(volume).map(drop)
            }
            VmChange::AddDisk { disk: AddedDisk::New { pool, .. }, .. } => pool_name(pool).map(drop),
            VmChange::RemoveDisk { target, .. } | VmChange::ResizeDisk { target, .. } => validate::disk_target(target).map(drop),
            VmChange::AddNic { network, mac } => {
                validate::network_name(network)?;
                mac.as_deref().map_or(Ok(()), |m| validate::mac(m).map(drop))
            }
            VmChange::RemoveNic { mac } => validate::mac(mac).map(drop),
            VmChange::NicNetwork { mac, network } => {
                validate::mac(mac)?;
                validate::network_name(network).map(drop)
            }
            VmChange::NicMac { mac, new_mac } => {
                validate::mac(mac)?;
                validate::mac(new_mac).map(drop)
            }
            VmChange::Boot { order } => {
                if order.is_empty() {
                    return Err(Error::invalid("boot order", "empty: name at least one device".to_owned()));
                }
                for (i, d) in order.iter().enumerate() {
                    if order[..i].contains(d) {
                        return Err(Error::invalid("boot order", format!("'{}' appears twice", d.as_str())));
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// When a change takes effect.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Applied {
    /// On the running VM now, and kept for the next boot.
    Now,
    /// Only from the next boot (the VM is off, or the change cannot be made live).
    NextBoot,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct ChangeOutcome {
    pub applied: Applied,
    /// Why it could not be made live, when the VM runs and it was not.
    pub reason: Option<String>,
}

impl ChangeOutcome {
    pub fn now() -> Self {
        ChangeOutcome { applied: Applied::Now, reason: None }
    }

    pub fn next_boot(reason: Option<String>) -> Self {
        ChangeOutcome { applied: Applied::NextBoot, reason }
    }
}

/// A running VM's addresses, and where they were learnt.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct VmAddresses {
    pub uuid: String,
    pub addresses: Vec<String>,
    pub source: AddressSource,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AddressSource {
    /// The DHCP leases of libvirt's networks.
    Lease,
    /// The QEMU guest agent inside the VM.
    Agent,
}
