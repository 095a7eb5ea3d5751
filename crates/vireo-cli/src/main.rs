//! `vireo`: the same core as the desktop app, from a terminal.
//!
//! Exit status: 0 on success, 1 when the operation failed (the message and what to do
//! go to stderr; with `--json`, an `ErrorPayload` object), 2 for bad usage.

mod output;

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use vireo_app::history;
use vireo_core::{Error, VmAction, VmRef};
use vireo_host::{embedded_default, Host, HostOptions};

#[derive(Parser)]
#[command(name = "vireo", version, about = "Manage libvirt VMs locally and on remote hosts")]
struct Cli {
    /// libvirt connection URI; default: qemu:///system if its daemon answers, else the
    /// built-in demo hypervisor test:///default (the app's embedded default).
    #[arg(long, short = 'c', global = true, env = "VIREO_CONNECT")]
    connect: Option<String>,
    /// Print machine-readable JSON.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Virtual machines.
    #[command(subcommand)]
    Vm(VmCommand),
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
    /// Follow VM lifecycle events (started, suspended, stopped, ...) until interrupted;
    /// one line (or JSON object) per event.
    Events,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_env("VIREO_LOG")).with_writer(std::io::stderr).init();
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime");
    let json = cli.json;
    let code = match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            output::error(&e, json);
            ExitCode::FAILURE
        }
    };
    // A connect that timed out may still sit in libvirt on a blocking thread (libvirt
    // cannot cancel it); the answer is printed, so do not wait for that thread to end.
    rt.shutdown_timeout(Duration::from_millis(100));
    code
}

async fn run(cli: Cli) -> Result<(), Error> {
    if let Command::History { limit } = cli.command {
        let store = history::open_store(&vireo_app::default_data_dir()).await?;
        let entries = history::list(store, limit).await?;
        output::history(&entries, cli.json);
        return Ok(());
    }
    let uri = match cli.connect {
        Some(uri) => uri,
        None => {
            let d = embedded_default(Duration::from_secs(3)).await;
            if d.demo && !cli.json {
                eprintln!("note: using the demo hypervisor {} ({})", d.uri, d.reason.unwrap_or_default());
            }
            d.uri.to_owned()
        }
    };
    let host = Host::connect("cli", &uri, HostOptions::default()).await?;
    match cli.command {
        Command::Vm(VmCommand::List) => {
            let vms = host.list_vms().await?;
            output::vm_list(&vms, cli.json);
        }
        Command::Vm(VmCommand::Events) => {
            let mut events = host.subscribe();
            // Said once subscribed, so a script (or test) knows no event is missed from here.
            eprintln!("following events of {uri}; press Ctrl-C to stop");
            loop {
                match events.recv().await {
                    Ok(ev) => output::event(&ev, cli.json),
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => eprintln!("warning: missed {n} events"),
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return Ok(()),
                }
            }
        }
        Command::History { .. } => unreachable!("handled before connecting"),
        Command::Vm(cmd) => {
            let (action, name) = match cmd {
                VmCommand::List | VmCommand::Events => unreachable!("handled above"),
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
            record(&uri, action.as_str(), target.clone(), &result).await;
            result?;
            output::done(action, &target, cli.json);
        }
    }
    Ok(())
}

/// Records a CLI change in the app's history, under the saved host's name where the URI
/// is a saved host's. A database that cannot be opened costs a warning, never the change.
async fn record<T>(uri: &str, action: &str, target: String, result: &Result<T, Error>) {
    match history::open_store(&vireo_app::default_data_dir()).await {
        Ok(store) => {
            let label = history::host_label(&store, uri);
            history::record(store, "cli", label, action, target, result).await;
        }
        Err(e) => eprintln!("warning: not recorded in history: {e}"),
    }
}
