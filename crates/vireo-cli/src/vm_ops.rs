//! `vireo vm media`, `vireo vm snapshot ...` and `vireo vm clone`: a VM's CD-ROM media,
//! its snapshots and its clones, through the same core as the app.

use clap::{Args, Subcommand};
use vireo_app::Vireo;
use vireo_core::{CdromDrive, CloneMode, Error, NewClone, NewSnapshot, SnapshotSummary, VmRef};

use crate::progress::follow;
use crate::terminal::confirm_destructive;
use crate::Failure;

#[derive(Args)]
pub struct MediaArgs {
    /// The VM's name, as libvirt holds it, or its UUID.
    pub vm: String,
    /// Which CD-ROM drive (`sda`, `hdc`); needed when the VM has more than one.
    #[arg(long)]
    pub drive: Option<String>,
    /// Put this ISO in the drive: `POOL/VOLUME`, or a volume's path on the host.
    #[arg(long, conflicts_with = "eject")]
    pub insert: Option<String>,
    /// Empty the drive.
    #[arg(long)]
    pub eject: bool,
}

#[derive(Subcommand)]
pub enum SnapshotCommand {
    /// The VM's snapshots as a tree (children under their parent); * marks the current one.
    List { vm: String },
    /// Take a snapshot (with the memory of a running VM).
    Create {
        vm: String,
        name: String,
        #[arg(long)]
        description: Option<String>,
    },
    /// Put the VM back as it was in the snapshot (a running one comes back running).
    Revert {
        vm: String,
        name: String,
        /// Do not ask first.
        #[arg(long)]
        yes: bool,
    },
    /// Delete a snapshot (its children then hang from its parent).
    Delete {
        vm: String,
        name: String,
        /// Delete every snapshot below it too.
        #[arg(long)]
        children: bool,
        /// Do not ask first.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Args)]
#[command(group(clap::ArgGroup::new("mode").required(true).args(["linked", "full"])))]
pub struct CloneArgs {
    /// The VM to clone (shut off).
    pub vm: String,
    /// The clone's name.
    pub new: String,
    /// Qcow2 layers over the source's disks, which become their frozen base (the source
    /// goes on in a layer of its own).
    #[arg(long)]
    pub linked: bool,
    /// Full copies of the source's disks.
    #[arg(long)]
    pub full: bool,
    /// The pool for the clone's disks (default: beside each disk of the source).
    #[arg(long)]
    pub pool: Option<String>,
}

async fn uuid_of(core: &Vireo, host: &str, vm: &str) -> Result<String, Failure> {
    Ok(core.host(host)?.vm_uuid(&VmRef::parse(vm)?).await?)
}

pub async fn media(core: &Vireo, host: &str, args: MediaArgs, json: bool) -> Result<(), Failure> {
    let uuid = uuid_of(core, host, &args.vm).await?;
    if args.insert.is_none() && !args.eject {
        drives(&core.cdrom_drives(host, &uuid).await?, json);
        return Ok(());
    }
    let target = match args.drive {
        Some(t) => t,
        None => {
            let all = core.cdrom_drives(host, &uuid).await?;
            match all.as_slice() {
                [one] => one.target.clone(),
                [] => return Err(Error::NotFound { kind: "CD-ROM drive", name: format!("{} (it has none)", args.vm), host: host.into() }.into()),
                many => {
                    let names: Vec<&str> = many.iter().map(|d| d.target.as_str()).collect();
                    let reason = format!("{} has {} CD-ROM drives ({}); say which", args.vm, many.len(), names.join(", "));
                    return Err(Error::invalid("--drive", reason).into());
                }
            }
        }
    };
    let iso = match &args.insert {
        Some(p) if p.starts_with('/') => Some(p.clone()),
        Some(p) => {
            let (pool, name) =
                p.split_once('/').ok_or_else(|| Error::invalid("--insert", format!("'{p}' is not POOL/VOLUME or a path on the host")))?;
            Some(core.host(host)?.volume(pool, name).await?.path)
        }
        None => None,
    };
    let after = core.change_media(host, &uuid, &target, iso.as_deref()).await?;
    drives(&after, json);
    Ok(())
}

fn drives(list: &[CdromDrive], json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(list).expect("serialise drives"));
        return;
    }
    println!("{:<8} {:<6} MEDIUM", "DRIVE", "BUS");
    for d in list {
        println!("{:<8} {:<6} {}", d.target, d.bus, d.source.as_deref().unwrap_or("(empty)"));
    }
}

pub async fn snapshot(core: &Vireo, host: &str, cmd: SnapshotCommand, json: bool) -> Result<(), Failure> {
    match cmd {
        SnapshotCommand::List { vm } => {
            let uuid = uuid_of(core, host, &vm).await?;
            snapshots(&core.list_snapshots(host, &uuid).await?, json);
        }
        SnapshotCommand::Create { vm, name, description } => {
            let uuid = uuid_of(core, host, &vm).await?;
            let s = core.create_snapshot(host, &uuid, NewSnapshot { name, description }).await?;
            snapshots(&[s], json);
        }
        SnapshotCommand::Revert { vm, name, yes } => {
            let uuid = uuid_of(core, host, &vm).await?;
            confirm_destructive(&format!("Revert {vm} to snapshot {name}? What changed since it was taken is lost."), yes)?;
            let task = core.revert_snapshot(host, &uuid, &name).await?;
            follow(core, &task, json).await?;
        }
        SnapshotCommand::Delete { vm, name, children, yes } => {
            let uuid = uuid_of(core, host, &vm).await?;
            let what = if children { "and every snapshot below it" } else { "(its children stay)" };
            confirm_destructive(&format!("Delete snapshot {name} of {vm} {what}?"), yes)?;
            core.delete_snapshot(host, &uuid, &name, children).await?;
            if json {
                println!("{}", serde_json::json!({ "ok": true, "deleted": name, "children": children }));
            } else {
                println!("{vm}: snapshot {name} deleted");
            }
        }
    }
    Ok(())
}

/// A tree: each snapshot indented under its parent (the list comes parents first).
fn snapshots(list: &[SnapshotSummary], json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(list).expect("serialise snapshots"));
        return;
    }
    if list.is_empty() {
        println!("no snapshots");
        return;
    }
    let depth = |s: &SnapshotSummary| {
        let mut d = 0;
        let mut parent = list.iter().find(|x| Some(&x.name) == s.parent.as_ref());
        while let Some(p) = parent.filter(|_| d < list.len()) {
            d += 1;
            parent = list.iter().find(|x| Some(&x.name) == p.parent.as_ref());
        }
        d
    };
    println!("{:<40} {:<10} {:<20} DESCRIPTION", "NAME", "STATE", "TAKEN");
    for s in list {
        let name = format!("{}{}{}", "  ".repeat(depth(s)), s.name, if s.current { " *" } else { "" });
        println!("{:<40} {:<10} {:<20} {}", name, s.state.as_str(), crate::output::utc(s.created), s.description.as_deref().unwrap_or(""));
    }
}

pub async fn clone(core: &Vireo, host: &str, args: CloneArgs, json: bool) -> Result<(), Failure> {
    let uuid = uuid_of(core, host, &args.vm).await?;
    let mode = if args.linked { CloneMode::Linked } else { CloneMode::Full };
    let task = core.clone_vm(host, &uuid, NewClone { name: args.new, mode, pool: args.pool }).await?;
    follow(core, &task, json).await?;
    Ok(())
}
