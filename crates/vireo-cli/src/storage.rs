//! `vireo pool`, `vireo vol`, `vireo iso`: storage through the same core as the app.

use std::path::PathBuf;

use clap::Subcommand;
use vireo_app::{PoolAction, UploadRequest, Vireo};
use vireo_core::{Error, NewPool, NewPoolKind, NewVolume, PoolSummary, VolumeFormat, VolumeSummary};

use crate::progress::follow;
use crate::sizes::{parse_size, show_size};
use crate::Failure;

#[derive(Subcommand)]
pub enum PoolCommand {
    /// Every storage pool with its state and space.
    List,
    /// Make a pool: a directory on the host (made if missing), an LVM volume group, or an NFS export.
    Create {
        name: String,
        #[arg(long, conflicts_with_all = ["vg", "nfs"])]
        dir: Option<String>,
        /// An existing LVM volume group.
        #[arg(long)]
        vg: Option<String>,
        /// `server:/export`, mounted on --mount.
        #[arg(long, requires = "mount")]
        nfs: Option<String>,
        #[arg(long)]
        mount: Option<String>,
        #[arg(long)]
        no_autostart: bool,
    },
    Start { name: String },
    Stop { name: String },
    Refresh { name: String },
    /// Start the pool with the host's libvirt (on) or not (off).
    Autostart { name: String, #[arg(value_parser = ["on", "off"])] on: String },
    /// Forget a pool; with --with-volumes also delete its volumes and directory.
    Delete {
        name: String,
        #[arg(long)]
        with_volumes: bool,
        /// Do not ask first.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Subcommand)]
pub enum VolCommand {
    /// A pool's volumes: format, size, allocation, backing file, users, checksum.
    List { pool: String },
    /// A new volume (sizes like 512M, 10G, 1.5T); --backing makes a linked clone.
    Create {
        pool: String,
        name: String,
        #[arg(long)]
        size: String,
        #[arg(long, default_value = "qcow2")]
        format: String,
        #[arg(long)]
        backing: Option<String>,
    },
    /// Grow a volume.
    Resize { pool: String, name: String, #[arg(long)] size: String },
    Delete { pool: String, name: String },
    /// Upload a workstation file into a new volume (resumes an interrupted upload of the same file).
    Upload {
        pool: String,
        file: PathBuf,
        #[arg(long)]
        name: Option<String>,
        /// The SHA-256 the file must have; a mismatch removes the volume.
        #[arg(long)]
        sha256: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum IsoCommand {
    /// The host's ISO library (made on first use).
    List,
    /// Upload an ISO into the library (resumable, checksum shown and checked).
    Upload {
        file: PathBuf,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        sha256: Option<String>,
    },
    /// Delete an ISO (refused while a VM uses it).
    Delete { name: String },
    /// Show or set where the library is made on this host.
    Dir { path: Option<String> },
}

pub async fn pool(core: &Vireo, host: &str, cmd: PoolCommand, json: bool) -> Result<(), Failure> {
    match cmd {
        PoolCommand::List => pools(&core.list_pools(host).await?, json),
        PoolCommand::Create { name, dir, vg, nfs, mount, no_autostart } => {
            let target = match (dir, vg, nfs) {
                (Some(path), None, None) => NewPoolKind::Dir { path },
                (None, Some(volume_group), None) => NewPoolKind::Logical { volume_group },
                (None, None, Some(nfs)) => {
                    let (server, export) = nfs
                        .split_once(':')
                        .ok_or_else(|| Error::invalid("--nfs", format!("'{nfs}' is not server:/export")))?;
                    NewPoolKind::Netfs { server: server.into(), export: export.into(), path: mount.unwrap_or_default() }
                }
                _ => return Err(Error::invalid("pool", "give one of --dir PATH, --vg GROUP or --nfs server:/export").into()),
            };
            let p = core.create_pool(host, NewPool { name, target, autostart: !no_autostart }).await?;
            pools(&[p], json);
        }
        PoolCommand::Start { name } => core.pool_action(host, &name, PoolAction::Start).await?,
        PoolCommand::Stop { name } => core.pool_action(host, &name, PoolAction::Stop).await?,
        PoolCommand::Refresh { name } => core.pool_action(host, &name, PoolAction::Refresh).await?,
        PoolCommand::Autostart { name, on } => core.pool_action(host, &name, PoolAction::Autostart(on == "on")).await?,
        PoolCommand::Delete { name, with_volumes, yes } => {
            if with_volumes {
                crate::terminal::confirm_destructive(&format!("Delete pool {name} and every volume in it?"), yes)?;
            }
            core.delete_pool(host, &name, with_volumes).await?
        }
    }
    Ok(())
}

pub async fn vol(core: &Vireo, host: &str, cmd: VolCommand, json: bool) -> Result<(), Failure> {
    match cmd {
        VolCommand::List { pool } => volumes(&core.list_volumes(host, &pool).await?, json),
        VolCommand::Create { pool, name, size, format, backing } => {
            let vol = NewVolume { name, capacity: parse_size("--size", &size)?, format: VolumeFormat::parse(&format)?, backing };
            volumes(&[core.create_volume(host, &pool, vol).await?], json);
        }
        VolCommand::Resize { pool, name, size } => core.resize_volume(host, &pool, &name, parse_size("--size", &size)?).await?,
        VolCommand::Delete { pool, name } => core.delete_volume(host, &pool, &name).await?,
        VolCommand::Upload { pool, file, name, sha256 } => {
            let task = core.upload_volume(host, UploadRequest { pool, file, name, expected_sha256: sha256 }).await?;
            follow(core, &task, json).await?;
        }
    }
    Ok(())
}

pub async fn iso(core: &Vireo, host: &str, cmd: IsoCommand, json: bool) -> Result<(), Failure> {
    match cmd {
        IsoCommand::List => volumes(&core.list_isos(host).await?, json),
        IsoCommand::Upload { file, name, sha256 } => {
            let req = UploadRequest { pool: String::new(), file, name, expected_sha256: sha256 };
            let task = core.upload_iso(host, req).await?;
            follow(core, &task, json).await?;
        }
        IsoCommand::Delete { name } => core.delete_iso(host, &name).await?,
        IsoCommand::Dir { path: Some(path) } => core.set_iso_dir(host, &path).await?,
        IsoCommand::Dir { path: None } => println!("{}", core.iso_dir(host).await?),
    }
    Ok(())
}

fn pools(list: &[PoolSummary], json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(list).expect("serialise pools"));
        return;
    }
    println!("{:<20} {:<8} {:<12} {:>10} {:>10} {:>8}  PATH", "NAME", "TYPE", "STATE", "CAPACITY", "FREE", "VOLUMES");
    for p in list {
        println!(
            "{:<20} {:<8} {:<12} {:>10} {:>10} {:>8}  {}",
            p.name,
            p.kind,
            format!("{:?}", p.state).to_lowercase(),
            show_size(p.capacity),
            show_size(p.available),
            p.volumes,
            p.path.as_deref().unwrap_or("-")
        );
    }
}

fn volumes(list: &[VolumeSummary], json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(list).expect("serialise volumes"));
        return;
    }
    println!("{:<32} {:<6} {:>10} {:>10}  {:<16} SHA-256", "NAME", "FORMAT", "SIZE", "ALLOCATED", "USED BY");
    for v in list {
        let users = if v.used_by.is_empty() { "-".to_owned() } else { v.used_by.join(",") };
        println!(
            "{:<32} {:<6} {:>10} {:>10}  {:<16} {}",
            v.name,
            v.format.as_deref().unwrap_or("-"),
            show_size(v.capacity),
            show_size(v.allocation),
            users,
            v.sha256.as_deref().unwrap_or("-")
        );
    }
}
