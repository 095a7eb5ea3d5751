//! `vireo`: the same core as the desktop app, from a terminal.
//!
//! Exit status: 0 on success, 1 when the operation failed (the message and what to do
//! go to stderr; with `--json`, an `ErrorPayload` object), 2 for bad usage.

mod batch;
mod create;
mod edit;
mod hosts;
mod ip_pools;
mod networks;
mod output;
mod progress;
mod signin;
mod sizes;
mod storage;
mod terminal;
mod vm_ops;

use std::io::Write;
use std::time::Duration;

use clap::{Parser, Subcommand};
use vireo_app::history;
use vireo_core::{Error, VmAction, VmRef};
use vireo_host::{embedded_default, Host, HostOptions};

use crate::hosts::HostCommand;

const AFTER_HELP: &str = "\
SSH hosts (`vireo host add NAME --ssh user@host`) sign in through Vireo's own SSH session.
An unknown host key is shown and asked about when stdin is a terminal; without one, pass
--accept-host-key with the fingerprint shown. Accepted keys are saved and not asked again;
a changed key is always refused.
A password or key passphrase is read from the terminal without echo or, for scripts, from
the environment variable VIREO_SSH_PASSWORD. It is kept in memory for the command only,
never saved or printed.";

#[derive(Parser)]
#[command(name = "vireo", version, about = "Manage libvirt VMs locally and on remote hosts", after_help = AFTER_HELP)]
struct Cli {
    /// A saved host's name (see `vireo host list`) or a libvirt connection URI (anything
    /// with "://"); default: qemu:///system if its daemon answers, else the built-in demo
    /// hypervisor test:///default (the app's embedded default).
    #[arg(long, short = 'c', global = true, env = "VIREO_CONNECT", value_name = "HOST|URI")]
    connect: Option<String>,
    /// Print machine-readable JSON.
    #[arg(long, global = true)]
    json: bool,
    /// Trust an SSH host's unknown key if, and only if, its fingerprint is this one
    /// (compare it with the server's own first). Never overrides a changed key.
    #[arg(long, global = true, value_name = "SHA256:...")]
    accept_host_key: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Virtual machines.
    #[command(subcommand)]
    Vm(VmCommand),
    /// Saved hosts, shared with the desktop app.
    #[command(subcommand)]
    Host(HostCommand),
    /// Storage pools.
    #[command(subcommand)]
    Pool(storage::PoolCommand),
    /// Storage volumes.
    #[command(subcommand)]
    Vol(storage::VolCommand),
    /// The host's ISO library.
    #[command(subcommand)]
    Iso(storage::IsoCommand),
    /// libvirt networks: kinds, subnets, DHCP, static hosts, leases.
    #[command(subcommand)]
    Net(networks::NetCommand),
    /// IP pools, the address manager: allocate, reserve, assign to a VM's NIC, release.
    #[command(subcommand)]
    Ippool(ip_pools::IpPoolCommand),
    /// What was changed, by whom, when, and how it ended (the app's and the CLI's), newest first.
    History {
        /// How many entries to show.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

#[derive(Subcommand)]
enum VmCommand {
    /// List every VM with its state and live figures.
    List,
    /// Start a VM.
    Start {
        /// The VM's name, as libvirt holds it (quote names with spaces), or its UUID.
        vm: String,
    },
    /// Ask the guest to shut down (ACPI).
    Shutdown {
        /// The VM's name, as libvirt holds it (quote names with spaces), or its UUID.
        vm: String,
    },
    /// Force a VM off at once, like pulling the plug.
    Destroy {
        /// The VM's name, as libvirt holds it (quote names with spaces), or its UUID.
        vm: String,
    },
    /// Ask the guest to reboot.
    Reboot {
        /// The VM's name, as libvirt holds it (quote names with spaces), or its UUID.
        vm: String,
    },
    /// Pause a running VM.
    Suspend {
        /// The VM's name, as libvirt holds it (quote names with spaces), or its UUID.
        vm: String,
    },
    /// Resume a paused VM.
    Resume {
        /// The VM's name, as libvirt holds it (quote names with spaces), or its UUID.
        vm: String,
    },
    /// Create a VM (from an ISO, a template as linked clone or copy, or an existing disk),
    /// showing its progress; what a failure half-way made is removed.
    Create(Box<create::CreateArgs>),
    /// Delete a VM, forcing it off; --remove-storage also deletes its disks.
    Delete {
        vm: String,
        #[arg(long)]
        remove_storage: bool,
        /// Do not ask first.
        #[arg(long)]
        yes: bool,
    },
    /// A VM's CD-ROM drives; --insert POOL/VOLUME or --eject changes a drive's medium
    /// (live and for the next boot while it runs).
    Media(vm_ops::MediaArgs),
    /// A VM's snapshots: list, create, revert, delete.
    #[command(subcommand)]
    Snapshot(vm_ops::SnapshotCommand),
    /// A VM's configuration: vCPUs, memory, disks, NICs, boot order, tags.
    Show { vm: String },
    /// Change vCPUs, memory, autostart, description, tags or boot order; each says
    /// whether it took effect now or from the next boot.
    Edit(Box<edit::EditArgs>),
    /// A VM's disks: add, remove, grow.
    #[command(subcommand)]
    Disk(edit::DiskCommand),
    /// A VM's NICs: add, remove, move to another network, change MAC.
    #[command(subcommand)]
    Nic(edit::NicCommand),
    /// The running VMs' IP addresses (DHCP leases, then guest agents).
    Addresses,
    /// Every VM's tags.
    Tags,
    /// One action on several VMs (a few at a time); each one's outcome is shown.
    Batch {
        #[arg(value_enum)]
        action: batch::BatchVerb,
        #[arg(required = true)]
        vms: Vec<String>,
        /// With delete: also their disks.
        #[arg(long)]
        remove_storage: bool,
        #[arg(long)]
        yes: bool,
    },
    /// Set a user's password in a running guest through its guest agent (read from
    /// standard input, or asked for on a terminal).
    Password { vm: String, user: String },
    /// Clone a shut-off VM (--full copies of its disks, or --linked layers over them),
    /// showing its progress; what a failure half-way made is removed.
    Clone(vm_ops::CloneArgs),
    /// Follow VM lifecycle events (started, suspended, stopped, ...) until interrupted;
    /// one line (or JSON object) per event.
    Events,
}

/// A failed command: the error, and what to do about it (the core's hint, unless the
/// CLI knows better, e.g. which flag to pass).
pub struct Failure {
    pub error: Error,
    pub hint: Option<String>,
}

impl Failure {
    pub fn new(error: Error, hint: String) -> Failure {
        Failure { error, hint: Some(hint) }
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure { hint: error.hint(), error }
    }
}

fn main() {
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_env("VIREO_LOG")).with_writer(std::io::stderr).init();
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime");
    let json = cli.json;
    let code = match rt.block_on(run(cli)) {
        Ok(()) => 0,
        Err(e) => {
            output::error(&e, json);
            1
        }
    };
    // A connect that timed out may still sit in libvirt on a blocking thread (libvirt
    // cannot cancel it); the answer is printed, so do not wait for that thread to end.
    rt.shutdown_timeout(Duration::from_millis(100));
    exit_now(code)
}

/// Ends the process without the C exit handlers. Threads the CLI cannot join may still
/// run: libvirt's event loop and connection close, and an SSH session's thread signing
/// off (always so after a failed open, whose session the host dropped). OpenSSL's exit
/// handler frees its locks under such a thread, which then crashes the process
/// (SIGSEGV after the answer was printed). The answer is written and flushed, the
/// history saved: nothing is left for the exit handlers to do.
fn exit_now(code: i32) -> ! {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: _exit ends the process at once; nothing of this process is used after it.
    unsafe { libc::_exit(code) }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let accept_key = cli.accept_host_key.as_deref().map(str::trim);
    if let Some(fp) = accept_key.filter(|fp| !fp.starts_with("SHA256:")) {
        let reason = format!("'{fp}' is not a key fingerprint; give it as shown, like SHA256:Xq3v...");
        return Err(Error::invalid("--accept-host-key", reason).into());
    }
    let command = match cli.command {
        Command::History { limit } => {
            let store = hosts::open_store().await?;
            let entries = history::list(store, limit).await?;
            output::history(&entries, cli.json);
            return Ok(());
        }
        Command::Host(cmd) => return hosts::run(cmd, cli.json, accept_key).await,
        Command::Vm(cmd) => Work::Vm(cmd),
        Command::Pool(cmd) => Work::Pool(cmd),
        Command::Vol(cmd) => Work::Vol(cmd),
        Command::Iso(cmd) => Work::Iso(cmd),
        Command::Net(cmd) => Work::Net(cmd),
        Command::Ippool(cmd) => Work::Ippool(cmd),
    };
    let (host, label) = open(cli.connect, cli.json, accept_key).await?;
    let command = match command {
        Work::Vm(VmCommand::Create(args)) => {
            let core = core(&host, label).await?;
            let done = create::create(&core, host.id(), *args, cli.json).await;
            return close(host, done).await;
        }
        Work::Vm(VmCommand::Delete { vm, remove_storage, yes }) => {
            let core = core(&host, label).await?;
            let done = create::delete(&core, host.id(), &vm, remove_storage, yes, cli.json).await;
            return close(host, done).await;
        }
        Work::Vm(VmCommand::Media(args)) => {
            let core = core(&host, label).await?;
            let done = vm_ops::media(&core, host.id(), args, cli.json).await;
            return close(host, done).await;
        }
        Work::Vm(VmCommand::Snapshot(cmd)) => {
            let core = core(&host, label).await?;
            let done = vm_ops::snapshot(&core, host.id(), cmd, cli.json).await;
            return close(host, done).await;
        }
        Work::Vm(VmCommand::Clone(args)) => {
            let core = core(&host, label).await?;
            let done = vm_ops::clone(&core, host.id(), args, cli.json).await;
            return close(host, done).await;
        }
        Work::Vm(cmd @ (VmCommand::Show { .. }
        | VmCommand::Edit(_)
        | VmCommand::Disk(_)
        | VmCommand::Nic(_)
        | VmCommand::Addresses
        | VmCommand::Tags
        | VmCommand::Batch { .. }
        | VmCommand::Password { .. })) => {
            let core = core(&host, label).await?;
            let (id, json) = (host.id(), cli.json);
            let done = match cmd {
                VmCommand::Show { vm } => edit::show(&core, id, &vm, json).await,
                VmCommand::Edit(args) => edit::edit(&core, id, *args, json).await,
                VmCommand::Disk(c) => edit::disk(&core, id, c, json).await,
                VmCommand::Nic(c) => edit::nic(&core, id, c, json).await,
                VmCommand::Addresses => edit::addresses(&core, id, json).await,
                VmCommand::Tags => edit::tags(&core, id, json).await,
                VmCommand::Batch { action, vms, remove_storage, yes } => batch::batch(&core, id, action, &vms, remove_storage, yes, json).await,
                VmCommand::Password { vm, user } => edit::password(&core, id, &vm, &user, json).await,
                _ => unreachable!("matched above"),
            };
            return close(host, done).await;
        }
        Work::Vm(cmd) => cmd,
        Work::Pool(cmd) => {
            let core = core(&host, label).await?;
            let done = storage::pool(&core, host.id(), cmd, cli.json).await;
            return close(host, done).await;
        }
        Work::Vol(cmd) => {
            let core = core(&host, label).await?;
            let done = storage::vol(&core, host.id(), cmd, cli.json).await;
            return close(host, done).await;
        }
        Work::Iso(cmd) => {
            let core = core(&host, label).await?;
            let done = storage::iso(&core, host.id(), cmd, cli.json).await;
            return close(host, done).await;
        }
        Work::Net(cmd) => {
            let core = core(&host, label).await?;
            let done = networks::net(&core, host.id(), cmd, cli.json).await;
            return close(host, done).await;
        }
        Work::Ippool(cmd) => {
            let core = core(&host, label).await?;
            let done = ip_pools::ippool(&core, host.id(), cmd, cli.json).await;
            return close(host, done).await;
        }
    };
    match command {
        VmCommand::List => {
            let vms = host.list_vms().await?;
            output::vm_list(&vms, cli.json);
        }
        VmCommand::Events => {
            let mut events = host.subscribe();
            // Said once subscribed, so a script (or test) knows no event is missed from here.
            eprintln!("following events of {}; press Ctrl-C to stop", label.as_deref().unwrap_or(host.uri()));
            loop {
                match events.recv().await {
                    Ok(ev) => output::event(&ev, cli.json),
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => eprintln!("warning: missed {n} events"),
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return Ok(()),
                }
            }
        }
        cmd => {
            let (action, name) = match cmd {
                VmCommand::List
                | VmCommand::Events
                | VmCommand::Create(_)
                | VmCommand::Delete { .. }
                | VmCommand::Media(_)
                | VmCommand::Snapshot(_)
                | VmCommand::Show { .. }
                | VmCommand::Edit(_)
                | VmCommand::Disk(_)
                | VmCommand::Nic(_)
                | VmCommand::Addresses
                | VmCommand::Tags
                | VmCommand::Batch { .. }
                | VmCommand::Password { .. }
                | VmCommand::Clone(_) => unreachable!("handled above"),
                VmCommand::Start { vm } => (VmAction::Start, vm),
                VmCommand::Shutdown { vm } => (VmAction::Shutdown, vm),
                VmCommand::Destroy { vm } => (VmAction::Destroy, vm),
                VmCommand::Reboot { vm } => (VmAction::Reboot, vm),
                VmCommand::Suspend { vm } => (VmAction::Suspend, vm),
                VmCommand::Resume { vm } => (VmAction::Resume, vm),
            };
            let vm = VmRef::parse(&name)?;
            let result = host.vm_action(&vm, action).await;
            let target = host.vm_name(&vm).await.unwrap_or_else(|_| vm.to_string());
            record(label, host.uri(), action.as_str(), target.clone(), &result).await;
            result?;
            output::done(action, &target, cli.json);
        }
    }
    signin::close(host).await;
    Ok(())
}

enum Work {
    Vm(VmCommand),
    Pool(storage::PoolCommand),
    Vol(storage::VolCommand),
    Iso(storage::IsoCommand),
    Net(networks::NetCommand),
    Ippool(ip_pools::IpPoolCommand),
}

/// The app's core over the one host this command uses (storage, tasks and history
/// shared with the app): the saved host when `--connect` named one.
async fn core(host: &Host, label: Option<String>) -> Result<vireo_app::Vireo, Failure> {
    let store = hosts::open_store().await?;
    let saved = match label {
        Some(name) => hosts::find(&store, &name)?,
        None => vireo_store::SavedHost {
            id: host.id().to_owned(),
            name: history::host_label(&store, host.uri()),
            uri: host.uri().to_owned(),
            kind: vireo_core::HostKind::Remote,
            accel: vireo_core::Accel::Auto,
            ssh: None,
        },
    };
    let saved = vireo_store::SavedHost { kind: kind_of(&saved.uri, saved.kind), ..saved };
    Ok(vireo_app::Vireo::single(&vireo_app::default_data_dir(), "cli", saved, host.clone()).await?)
}

fn kind_of(uri: &str, saved: vireo_core::HostKind) -> vireo_core::HostKind {
    if uri.starts_with("qemu:///") {
        vireo_core::HostKind::Local
    } else if uri.starts_with("test:") {
        vireo_core::HostKind::Demo
    } else {
        saved
    }
}

async fn close(host: Host, done: Result<(), Failure>) -> Result<(), Failure> {
    signin::close(host).await;
    done
}

/// Opens what `--connect` names: a URI (anything with "://"), or a saved host by name
/// (an SSH host through Vireo's SSH session). Returns the host and, for a saved host,
/// its name (what history records the change under).
async fn open(connect: Option<String>, json: bool, accept_key: Option<&str>) -> Result<(Host, Option<String>), Failure> {
    let uri = match connect {
        Some(uri) if uri.contains("://") => uri,
        Some(name) => {
            let store = hosts::open_store().await?;
            let saved = hosts::find(&store, &name)?;
            if accept_key.is_some() && saved.ssh.is_none() {
                eprintln!("note: --accept-host-key does nothing here: '{}' is reached by the URI {}", saved.name, saved.uri);
            }
            let host = signin::open(&store, &saved, accept_key).await?;
            return Ok((host, Some(saved.name)));
        }
        None => {
            let d = embedded_default(Duration::from_secs(3)).await;
            if d.demo && !json {
                eprintln!("note: using the demo hypervisor {} ({})", d.uri, d.reason.unwrap_or_default());
            }
            d.uri.to_owned()
        }
    };
    if accept_key.is_some() {
        eprintln!("note: --accept-host-key does nothing for a libvirt URI; it applies to saved SSH hosts");
    }
    // A URI's host is known by the URI (what the database keys its uploads and undo work on).
    Ok((Host::connect(uri.clone(), &uri, HostOptions::default()).await?, None))
}

/// Records a CLI change in the app's history, under `label` (the saved host's name), or
/// the name of the saved host with this URI, or the URI. A database that cannot be
/// opened costs a warning, never the change.
async fn record<T>(label: Option<String>, uri: &str, action: &str, target: String, result: &Result<T, Error>) {
    match hosts::open_store().await {
        Ok(store) => {
            let label = label.unwrap_or_else(|| history::host_label(&store, uri));
            history::record(store, "cli", label, action, target, result).await;
        }
        Err(e) => eprintln!("warning: not recorded in history: {e}"),
    }
}
