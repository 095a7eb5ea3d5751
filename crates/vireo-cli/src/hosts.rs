//! `vireo host ...`: the saved hosts the app and the CLI share. Adding, editing and
//! removing work on the store directly (no host is connected for that), and each is
//! recorded in history, whether it worked or not, as the app does.

use std::path::Path;
use std::sync::Arc;

use clap::{Args, Subcommand, ValueEnum};
use vireo_app::history;
use vireo_core::{ssh, validate, Accel, Error, HostKind, HostTarget, SshAuth, SshSpec};
use vireo_store::{SavedHost, Store};

use crate::{output, signin, Failure};

#[derive(Subcommand)]
pub enum HostCommand {
    /// List the saved hosts (the desktop app's too): name, kind, where, how it signs in.
    List,
    /// Save a host, reached by a libvirt URI or through Vireo's own SSH session.
    #[command(group(clap::ArgGroup::new("target").required(true).args(["uri", "ssh"])))]
    Add {
        /// A name for the host (what `--connect` and the app show).
        name: String,
        #[command(flatten)]
        target: TargetArgs,
    },
    /// Rename a host or change how it is reached; options not given keep their value.
    Edit {
        /// The host's current name.
        name: String,
        /// Its new name.
        #[arg(long = "name", value_name = "NEW")]
        new_name: Option<String>,
        #[command(flatten)]
        target: TargetArgs,
    },
    /// Forget a saved host (its VMs are not touched).
    Rm {
        /// The saved host's name.
        name: String,
    },
    /// Connect once: sign in, print the status and the number of VMs.
    ///
    /// Asks what the host needs on the way (an unknown host key, a password or passphrase;
    /// see `vireo --help`), then closes the connection. Exit status 1, with the reason,
    /// when it cannot connect.
    Connect {
        /// The saved host's name.
        name: String,
    },
    /// Forget the host keys accepted in Vireo for an SSH host (after the server was
    /// reinstalled, say): the next connection asks again. `~/.ssh/known_hosts` is not
    /// touched.
    ForgetKey {
        /// The saved host's name.
        name: String,
    },
    /// Nothing to disconnect in the CLI: it keeps no connection between commands.
    ///
    /// Each command connects, does its work and closes the connection when it ends, so
    /// this only says so (exit status 0 for a saved host). It does not touch the desktop
    /// app's connection to the host; use Disconnect in the app for that.
    Disconnect {
        /// The saved host's name.
        name: String,
    },
}

/// How a host is reached. An edit keeps what is not given (`--read-only=false` undoes
/// `--read-only`).
#[derive(Args)]
pub struct TargetArgs {
    /// A libvirt URI, opened by libvirt itself: qemu:///system, qemu+ssh://user@host/system, ...
    #[arg(long, value_name = "URI", conflicts_with_all = ["ssh", "auth", "key", "read_only"])]
    uri: Option<String>,
    /// Reach the host through Vireo's own SSH session. The user defaults to your login
    /// name, the port to 22; IPv6 with a port as [addr]:port.
    #[arg(long, value_name = "[USER@]HOST[:PORT]")]
    ssh: Option<String>,
    /// How to sign in over SSH [default: key with --key, else agent]. A password or
    /// passphrase is asked for when connecting, never saved.
    #[arg(long, value_enum)]
    auth: Option<AuthArg>,
    /// The private key file, for --auth key.
    #[arg(long, value_name = "PATH")]
    key: Option<String>,
    /// Use libvirt's read-only socket on the host: list and watch, change nothing
    /// (`--read-only=false` to undo it with `host edit`).
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    read_only: Option<bool>,
}

impl TargetArgs {
    fn ssh_options_given(&self) -> bool {
        self.ssh.is_some() || self.auth.is_some() || self.key.is_some() || self.read_only.is_some()
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum AuthArg {
    /// The keys an ssh-agent holds (SSH_AUTH_SOCK).
    Agent,
    /// A private key file (--key); its passphrase is asked for if it has one.
    Key,
    /// A password, asked for when connecting.
    Password,
}

impl From<AuthArg> for SshAuth {
    fn from(a: AuthArg) -> SshAuth {
        match a {
            AuthArg::Agent => SshAuth::Agent,
            AuthArg::Key => SshAuth::Key,
            AuthArg::Password => SshAuth::Password,
        }
    }
}

pub async fn run(cmd: HostCommand, json: bool, accept_key: Option<&str>) -> Result<(), Failure> {
    // The store's calls are short local SQLite work, made in place: the CLI runs one
    // command, and nothing else waits on this worker meanwhile.
    let store = open_store().await?;
    match cmd {
        HostCommand::List => output::host_list(&store.hosts().map_err(Error::from)?, json),
        // What is typed is checked first (a mistake there is not a change, and is not
        // recorded); what the store then does is recorded, whether it worked or not.
        HostCommand::Add { name, target } => {
            let (name, target) = (validate::host_name(&name)?.to_owned(), checked_target(None, &target)?);
            let kind = match &target {
                HostTarget::Uri { uri } => kind_of_uri(uri),
                HostTarget::Ssh { .. } => HostKind::Ssh,
            };
            let result = store.add_target(&name, &target, kind, Accel::Auto).map_err(Error::from);
            history::record(store.clone(), "cli", name, "add_host", target.describe(), &result).await;
            output::host_saved("added", &result?, json);
        }
        HostCommand::Edit { name, new_name, target } => {
            let old = find(&store, &name)?;
            if new_name.is_none() && target.uri.is_none() && !target.ssh_options_given() {
                return Err(Error::invalid("edit", "nothing to change; give --name, --uri or --ssh (and its options)").into());
            }
            let new_name = validate::host_name(new_name.as_deref().unwrap_or(&old.name))?.to_owned();
            let target = checked_target(Some(&old), &target)?;
            let result = store.update_host(&old.id, &new_name, &target).map_err(Error::from);
            history::record(store.clone(), "cli", new_name, "edit_host", target.describe(), &result).await;
            output::host_saved("changed", &result?, json);
        }
        HostCommand::Rm { name } => {
            let old = find(&store, &name)?;
            let result = store.remove_host(&old.id).map_err(Error::from);
            history::record(store.clone(), "cli", old.name.clone(), "remove_host", old.name.clone(), &result).await;
            result?;
            output::host_saved("removed", &old, json);
        }
        HostCommand::Connect { name } => {
            let saved = find(&store, &name)?;
            let host = signin::open(&store, &saved, accept_key).await?;
            let vms = host.list_vms().await?;
            output::host_connected(&saved, host.uri(), host.status(), vms.len(), json);
            signin::close(host).await;
        }
        HostCommand::ForgetKey { name } => {
            let saved = find(&store, &name)?;
            let Some(spec) = &saved.ssh else {
                let reason = format!("'{}' is reached by the libvirt URI {}, not through Vireo's SSH session", saved.name, saved.uri);
                return Err(Error::invalid("host", reason).into());
            };
            let result = store.forget_host_keys(&spec.host, spec.port).map_err(Error::from);
            let target = format!("{}:{}", spec.host, spec.port);
            history::record(store.clone(), "cli", saved.name.clone(), "forget_host_key", target, &result).await;
            output::keys_forgotten(&saved, result?, json);
        }
        HostCommand::Disconnect { name } => {
            let saved = find(&store, &name)?;
            output::host_not_held(&saved, json);
        }
    }
    Ok(())
}

/// The saved host of this name, or an error that names it and the saved ones.
pub fn find(store: &Store, name: &str) -> Result<SavedHost, Error> {
    let name = name.trim();
    let hosts = store.hosts()?;
    if let Some(h) = hosts.iter().find(|h| h.name == name) {
        return Ok(h.clone());
    }
    let saved: Vec<&str> = hosts.iter().map(|h| h.name.as_str()).collect();
    let known = if saved.is_empty() { "there are none yet".to_owned() } else { format!("saved: {}", saved.join(", ")) };
    Err(Error::invalid("host", format!("no saved host is named '{name}' ({known}; see `vireo host list`)")))
}

/// The target the options give, checked; for an edit, on top of the host's (`old`).
fn checked_target(old: Option<&SavedHost>, args: &TargetArgs) -> Result<HostTarget, Error> {
    let base = old.and_then(|h| h.ssh.as_ref());
    Ok(match (&args.uri, old) {
        (Some(uri), _) => uri_target(uri)?,
        (None, Some(old)) if !args.ssh_options_given() => old.target(),
        (None, Some(old)) if base.is_none() && args.ssh.is_none() => {
            let reason = format!(
                "'{}' is reached by the libvirt URI {}; give --ssh [user@]host[:port] to reach it through SSH",
                old.name, old.uri
            );
            return Err(Error::invalid("--auth/--key/--read-only", reason));
        }
        (None, _) => HostTarget::Ssh { spec: ssh_spec(base, args)? },
    })
}

/// A URI target, checked: an IPv6 address's brackets, then the core's rules.
fn uri_target(uri: &str) -> Result<HostTarget, Error> {
    let uri = uri.trim();
    let authority = uri.split_once("://").map_or("", |(_, rest)| rest.split(['/', '?']).next().unwrap_or(""));
    if authority.contains('[') != authority.contains(']') {
        return Err(Error::invalid("connection URI", format!("'{uri}': the host '{authority}' has an unmatched '[' or ']'")));
    }
    Ok(HostTarget::Uri { uri: validate::connection_uri(uri)?.to_owned() })
}

/// The kind a URI host is saved as, as the app decides it: this machine's daemon, the
/// demo driver, or anything else.
fn kind_of_uri(uri: &str) -> HostKind {
    match uri.split_once(':').map(|(scheme, _)| scheme) {
        Some("test") => HostKind::Demo,
        Some(s) if s.starts_with("test+") => HostKind::Demo,
        _ if uri.starts_with("qemu:///") => HostKind::Local,
        _ => HostKind::Remote,
    }
}

/// The SSH settings from the options, on top of `base` (the host's, for an edit); checked.
fn ssh_spec(base: Option<&SshSpec>, args: &TargetArgs) -> Result<SshSpec, Error> {
    let (user, host, port) = match (&args.ssh, base) {
        (Some(dest), _) => ssh::parse_destination(dest, &login_name())?,
        (None, Some(b)) => (b.user.clone(), b.host.clone(), b.port),
        (None, None) => return Err(Error::invalid("--ssh", "give the host as [user@]host[:port]")),
    };
    let auth = match (args.auth, &args.key) {
        (Some(a), _) => a.into(),
        (None, Some(_)) => SshAuth::Key,
        (None, None) => base.map_or(SshAuth::Agent, |b| b.auth),
    };
    let key_path = match &args.key {
        Some(_) if auth != SshAuth::Key => {
            return Err(Error::invalid("--key", format!("a key file goes with --auth key, not --auth {}", auth.as_str())));
        }
        Some(path) => Some(key_file(path)?),
        None => base.and_then(|b| b.key_path.clone()),
    };
    let read_only = args.read_only.or(base.map(|b| b.read_only)).unwrap_or(false);
    SshSpec { user, host, port, auth, key_path, read_only }.validated()
}

/// A key file's path as saved: absolute (a relative one is taken from the current
/// directory) or `~/...`; it must be a file that can be read now.
fn key_file(path: &str) -> Result<String, Error> {
    let path = path.trim();
    let full = if path.starts_with('/') || path.starts_with("~/") || path.is_empty() {
        path.to_owned()
    } else {
        let cwd = std::env::current_dir().map_err(|e| Error::invalid("SSH key", format!("'{path}': {e}")))?;
        cwd.join(path).display().to_string()
    };
    let full = ssh::key_path(&full)?.to_owned();
    let on_disk = match (full.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => Path::new(&full).to_path_buf(),
    };
    match std::fs::File::open(&on_disk) {
        Ok(_) if on_disk.is_file() => Ok(full),
        Ok(_) => Err(Error::invalid("SSH key", format!("{full} is not a file"))),
        Err(e) => Err(Error::invalid("SSH key", format!("cannot read {full}: {e}"))),
    }
}

/// Who to sign in as when `--ssh` names no user: the login name, as ssh does.
fn login_name() -> String {
    for var in ["USER", "LOGNAME"] {
        if let Some(name) = std::env::var(var).ok().filter(|n| !n.is_empty()) {
            return name;
        }
    }
    // SAFETY: getpwuid returns null or a pointer to a static entry, read at once; the
    // CLI reads no other passwd entry meanwhile.
    unsafe {
        let pw = libc::getpwuid(libc::getuid());
        if !pw.is_null() && !(*pw).pw_name.is_null() {
            return std::ffi::CStr::from_ptr((*pw).pw_name).to_string_lossy().into_owned();
        }
    }
    "root".to_owned()
}

/// The one database the app and the CLI share.
pub async fn open_store() -> Result<Arc<Store>, Error> {
    history::open_store(&vireo_app::default_data_dir()).await
}
