//! `vireo vm show|edit|disk|nic|addresses|tags|password`: a VM's configuration and the
//! changes to it, each said to take effect now or at the next boot.

use clap::{Args, Subcommand};
use vireo_app::Vireo;
use vireo_core::{AddedDisk, Applied, BootDevice, ChangeOutcome, DiskBus, Error, VmChange, VmDetail, VmRef};

use crate::sizes::{parse_mib, parse_size};
use crate::Failure;

#[derive(Args)]
pub struct EditArgs {
    pub vm: String,
    #[arg(long)]
    pub vcpus: Option<u32>,
    /// Memory: 512M, 2G (a plain number is MiB).
    #[arg(long)]
    pub memory: Option<String>,
    #[arg(long, value_parser = ["on", "off"])]
    pub autostart: Option<String>,
    /// The description ("" removes it).
    #[arg(long)]
    pub description: Option<String>,
    /// Comma-separated tags, replacing the VM's ("" removes them).
    #[arg(long)]
    pub tags: Option<String>,
    /// Boot order, comma-separated from hd, cdrom, network.
    #[arg(long)]
    pub boot: Option<String>,
}

#[derive(Subcommand)]
pub enum DiskCommand {
    /// Attach a disk: an existing volume (--volume POOL/NAME) or a new one (--pool P --size 10G).
    Add {
        vm: String,
        #[arg(long, conflicts_with_all = ["size"])]
        volume: Option<String>,
        #[arg(long)]
        pool: Option<String>,
        #[arg(long, requires = "pool")]
        size: Option<String>,
        #[arg(long, default_value = "virtio", value_parser = ["virtio", "sata", "scsi"])]
        bus: String,
    },
    /// Detach the disk TARGET (vdb); --delete-volume also deletes its volume.
    Rm {
        vm: String,
        target: String,
        #[arg(long)]
        delete_volume: bool,
        #[arg(long)]
        yes: bool,
    },
    /// Grow the disk TARGET to SIZE (10G).
    Resize { vm: String, target: String, size: String },
}

#[derive(Subcommand)]
pub enum NicCommand {
    /// Add a NIC on a libvirt network.
    Add {
        vm: String,
        network: String,
        #[arg(long)]
        mac: Option<String>,
    },
    /// Remove the NIC with this MAC.
    Rm {
        vm: String,
        mac: String,
        #[arg(long)]
        yes: bool,
    },
    /// Move the NIC to another network and/or give it another MAC.
    Set {
        vm: String,
        mac: String,
        #[arg(long)]
        network: Option<String>,
        #[arg(long = "new-mac")]
        new_mac: Option<String>,
    },
}

async fn uuid_of(core: &Vireo, host: &str, vm: &str) -> Result<String, Failure> {
    Ok(core.host(host)?.vm_uuid(&VmRef::parse(vm)?).await?)
}

pub async fn show(core: &Vireo, host: &str, vm: &str, json: bool) -> Result<(), Failure> {
    let d = core.vm_detail(host, &uuid_of(core, host, vm).await?).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&d).unwrap_or_default());
    } else {
        print_detail(&d);
    }
    Ok(())
}

fn print_detail(d: &VmDetail) {
    let next = |v: Option<String>| v.map(|v| format!(" (next boot: {v})")).unwrap_or_default();
    println!("{} ({}) {}", d.name, d.uuid, d.state);
    println!("vCPUs      {} of at most {}{}", d.vcpus, d.max_vcpus, next(d.next_vcpus.map(|v| v.to_string())));
    println!("memory     {} MiB of at most {} MiB{}", d.memory_mib, d.max_memory_mib, next(d.next_memory_mib.map(|m| format!("{m} MiB"))));
    println!("autostart  {}", if d.autostart { "on" } else { "off" });
    println!("firmware   {:?}", d.firmware);
    println!("boot       {}", d.boot.iter().map(|b| b.as_str()).collect::<Vec<_>>().join(", "));
    println!("tags       {}", d.tags.join(", "));
    if !d.description.is_empty() {
        println!("description {}", d.description);
    }
    for disk in &d.disks {
        let kind = format!("{:?}", disk.kind).to_lowercase();
        println!("disk {} {} {} {}", disk.target, kind, disk.bus, disk.source.as_deref().unwrap_or("(empty)"));
    }
    for nic in &d.nics {
        println!("nic  {} {} {}", nic.mac, nic.network.as_deref().unwrap_or("-"), nic.device.as_deref().unwrap_or(""));
    }
}

/// The changes the flags ask for, checked before any is made.
fn edits(a: &EditArgs) -> Result<Vec<VmChange>, Error> {
    let mut out = Vec::new();
    if let Some(count) = a.vcpus {
        out.push(VmChange::Vcpus { count });
    }
    if let Some(m) = &a.memory {
        out.push(VmChange::Memory { mib: parse_mib("--memory", m)? });
    }
    if let Some(on) = &a.autostart {
        out.push(VmChange::Autostart { on: on == "on" });
    }
    if let Some(text) = &a.description {
        out.push(VmChange::Description { text: text.clone() });
    }
    if let Some(tags) = &a.tags {
        let tags = tags.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect();
        out.push(VmChange::Tags { tags });
    }
    if let Some(boot) = &a.boot {
        let order = boot
            .split(',')
            .map(|b| BootDevice::parse(b.trim()).ok_or_else(|| Error::invalid("--boot", format!("'{b}' is not hd, cdrom or network"))))
            .collect::<Result<_, _>>()?;
        out.push(VmChange::Boot { order });
    }
    out.iter().try_for_each(VmChange::check)?;
    if out.is_empty() {
        return Err(Error::invalid("vm edit", "nothing to change: give --vcpus, --memory, --autostart, --description, --tags or --boot"));
    }
    Ok(out)
}

pub async fn edit(core: &Vireo, host: &str, args: EditArgs, json: bool) -> Result<(), Failure> {
    let changes = edits(&args)?;
    let uuid = uuid_of(core, host, &args.vm).await?;
    for change in changes {
        let label = change.label();
        let outcome = core.change_vm(host, &uuid, change).await?;
        said(label, &outcome, json);
    }
    Ok(())
}

pub async fn disk(core: &Vireo, host: &str, cmd: DiskCommand, json: bool) -> Result<(), Failure> {
    let (vm, change) = match cmd {
        DiskCommand::Add { vm, volume, pool, size, bus } => {
            let bus = match bus.as_str() {
                "sata" => DiskBus::Sata,
                "scsi" => DiskBus::Scsi,
                _ => DiskBus::Virtio,
            };
            let disk = match (volume, pool, size) {
                (Some(v), _, _) => {
                    let (pool, volume) = v
                        .split_once('/')
                        .ok_or_else(|| Error::invalid("--volume", format!("'{v}' is not POOL/NAME")))?;
                    AddedDisk::Volume { pool: pool.to_owned(), volume: volume.to_owned() }
                }
                (None, Some(pool), Some(size)) => AddedDisk::New { pool, capacity: parse_size("--size", &size)? },
                _ => return Err(Error::invalid("vm disk add", "give --volume POOL/NAME, or --pool and --size").into()),
            };
            (vm, VmChange::AddDisk { disk, bus })
        }
        DiskCommand::Rm { vm, target, delete_volume, yes } => {
            let what = if delete_volume { "and delete its volume" } else { "(its volume stays)" };
            crate::terminal::confirm_destructive(&format!("Detach disk {target} from {vm} {what}?"), yes)?;
            (vm, VmChange::RemoveDisk { target, delete_volume })
        }
        DiskCommand::Resize { vm, target, size } => (vm, VmChange::ResizeDisk { target, capacity: parse_size("size", &size)? }),
    };
    change_one(core, host, &vm, change, json).await
}

pub async fn nic(core: &Vireo, host: &str, cmd: NicCommand, json: bool) -> Result<(), Failure> {
    match cmd {
        NicCommand::Add { vm, network, mac } => change_one(core, host, &vm, VmChange::AddNic { network, mac }, json).await,
        NicCommand::Rm { vm, mac, yes } => {
            crate::terminal::confirm_destructive(&format!("Remove NIC {mac} from {vm}?"), yes)?;
            change_one(core, host, &vm, VmChange::RemoveNic { mac }, json).await
        }
        NicCommand::Set { vm, mac, network, new_mac } => {
            if network.is_none() && new_mac.is_none() {
                return Err(Error::invalid("vm nic set", "nothing to change: give --network or --new-mac").into());
            }
            if let Some(network) = network {
                change_one(core, host, &vm, VmChange::NicNetwork { mac: mac.clone(), network }, json).await?;
            }
            if let Some(new_mac) = new_mac {
                change_one(core, host, &vm, VmChange::NicMac { mac, new_mac }, json).await?;
            }
            Ok(())
        }
    }
}

async fn change_one(core: &Vireo, host: &str, vm: &str, change: VmChange, json: bool) -> Result<(), Failure> {
    change.check()?;
    let uuid = uuid_of(core, host, vm).await?;
    let label = change.label();
    let outcome = core.change_vm(host, &uuid, change).await?;
    said(label, &outcome, json);
    Ok(())
}

fn said(label: &str, o: &ChangeOutcome, json: bool) {
    if json {
        println!("{}", serde_json::json!({ "change": label, "applied": o.applied, "reason": o.reason }));
        return;
    }
    match (o.applied, &o.reason) {
        (Applied::Now, _) => println!("{label}: done, now"),
        (Applied::NextBoot, Some(r)) => println!("{label}: done, from the next boot ({r})"),
        (Applied::NextBoot, None) => println!("{label}: done, from the next boot"),
    }
}

pub async fn addresses(core: &Vireo, host: &str, json: bool) -> Result<(), Failure> {
    let list = core.vm_addresses(host).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
        return Ok(());
    }
    let vms = core.list_vms(host).await?;
    for a in &list {
        let name = vms.iter().find(|v| v.uuid == a.uuid).map(|v| v.name.as_str()).unwrap_or(&a.uuid);
        println!("{name}  {}  ({:?})", a.addresses.join(" "), a.source);
    }
    Ok(())
}

pub async fn tags(core: &Vireo, host: &str, json: bool) -> Result<(), Failure> {
    let list = core.vm_tags(host).await?;
    if json {
        let obj: serde_json::Map<String, serde_json::Value> = list.into_iter().map(|(u, t)| (u, serde_json::json!(t))).collect();
        println!("{}", serde_json::Value::Object(obj));
        return Ok(());
    }
    let vms = core.list_vms(host).await?;
    for (uuid, tags) in &list {
        let name = vms.iter().find(|v| &v.uuid == uuid).map(|v| v.name.as_str()).unwrap_or(uuid);
        println!("{name}  {}", tags.join(", "));
    }
    Ok(())
}

/// Sets a guest user's password; read from standard input (one line), or asked for on a
/// terminal without echo, never taken from the command line (it would show in `ps`).
pub async fn password(core: &Vireo, host: &str, vm: &str, user: &str, json: bool) -> Result<(), Failure> {
    let password = if crate::terminal::interactive() {
        crate::terminal::secret(&format!("New password for {user} in {vm}: ")).map_err(|e| Error::Internal(e.to_string()))?
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map_err(|e| Error::Internal(e.to_string()))?;
        Some(line.trim_end_matches(['\n', '\r']).to_owned())
    };
    let password = password.ok_or_else(|| Error::invalid("password", "none was given"))?;
    let uuid = uuid_of(core, host, vm).await?;
    core.set_guest_password(host, &uuid, user, &password).await?;
    if json {
        println!("{}", serde_json::json!({ "done": "set_guest_password", "vm": vm, "user": user }));
    } else {
        println!("password of {user} in {vm} set");
    }
    Ok(())
}
