//! `vireo`: the same core as the desktop app, from a terminal.
//!
//! Exit status: 0 on success, 1 when the operation failed (the message and what to do
//! go to stderr; with `--json`, an `ErrorPayload` object), 2 for bad usage.

mod history;
mod output;

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use vireo_core::{Error, VmAction};
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
    Start { name: String },
    /// Ask the guest to shut down (ACPI).
    Shutdown { name: String },
    /// Force a VM off at once, like pulling the plug.
    Destroy { name: String },
    /// Ask the guest to reboot.
    Reboot { name: String },
    /// Pause a running VM.
    Suspend { name: String },
    /// Resume a paused VM.
    Resume { name: String },
    /// Follow VM lifecycle events (started, suspended, stopped, ...) until interrupted;
    /// one line (or JSON object) per event.
    Events,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_env("VIREO_LOG")).with_writer(std::io::stderr).init();
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime");
    let json = cli.json;
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            output::error(&e, json);
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), Error> {
    if let Command::History { limit } = cli.command {
        let entries = history::list(limit).await?;
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
                VmCommand::Start { name } => (VmAction::Start, name),
                VmCommand::Shutdown { name } => (VmAction::Shutdown, name),
                VmCommand::Destroy { name } => (VmAction::Destroy, name),
                VmCommand::Reboot { name } => (VmAction::Reboot, name),
                VmCommand::Suspend { name } => (VmAction::Suspend, name),
                VmCommand::Resume { name } => (VmAction::Resume, name),
            };
            let result = host.vm_action(&name, action).await;
            history::record(&uri, action.as_str(), &name, &result).await;
            result?;
            output::done(action, &name, cli.json);
        }
    }
    Ok(())
}
