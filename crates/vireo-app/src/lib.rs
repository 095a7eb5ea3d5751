//! The application core: everything the desktop app does, without Tauri.
//!
//! `Vireo` owns the store and one `Host` session per saved host, merges their live
//! events into one stream, and records every change in history. The Tauri shell is a
//! thin layer of commands over this type, so the whole app logic is testable headless.

mod batch;
mod cloud_init;
mod console_socket;
mod consoles;
mod first_start;
pub mod history;
mod host_facts;
mod hosts;
mod ip_pools;
mod iso_library;
mod networks;
mod session;
mod stats_pump;
mod storage;
mod tasks;
mod undo;
mod uploads;
mod vm_clone;
mod vm_create;
mod vm_delete;
mod vm_edit;
mod vm_media;
mod vm_snapshots;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::sync::broadcast;
use vireo_core::{
    Accel, Error, HistoryEntry, HostEvent, HostId, HostKind, HostSummary, Result, VmAction, VmRef, VmSummary,
};
use vireo_host::{kvm_guests_work, remote_kvm_guests_work, resolve_accel, DomainKind, Host, HostOptions, SshLink};
use vireo_store::{SavedHost, Store};

use crate::session::Session;

pub use consoles::ConsoleSink;
pub use first_start::ensure_default_host;
pub use hosts::accepted_keys;
pub use iso_library::{DEFAULT_ISO_DIR, ISO_POOL};
pub use uploads::{UploadRequest, CHUNK};
pub use vireo_host::PoolAction;

/// Where the app *and* the CLI keep their one database (so both share one history),
/// unless `VIREO_DATA_DIR` says otherwise: `$XDG_DATA_HOME/vireo`, i.e.
/// `~/.local/share/vireo`. The desktop shell uses this too, not Tauri's per-bundle
/// directory.
pub fn default_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("VIREO_DATA_DIR") {
        return PathBuf::from(dir);
    }
    dirs::data_dir().unwrap_or_else(std::env::temp_dir).join("vireo")
}

/// Ends what must not outlive the process's exit handlers: every SSH session (their
/// threads use OpenSSL, which the exit handlers tear down). Call it last, before exiting.
pub fn shutdown() {
    vireo_ssh::shutdown_all(Duration::from_secs(2));
}

pub struct Vireo {
    store: Arc<Store>,
    /// One live session per saved host; removing one ends its tasks.
    hosts: RwLock<BTreeMap<HostId, Session>>,
    events: broadcast::Sender<HostEvent>,
    /// Who is acting, for history (`app`, `cli`).
    actor: &'static str,
    consoles: Arc<consoles::Consoles>,
    /// The window's console transport, started with the first console it opens.
    socket: tokio::sync::OnceCell<console_socket::ConsoleSocket>,
    tasks: tasks::Tasks,
}

impl Vireo {
    /// Opens the database in `data_dir`, adds the embedded default host on first start,
    /// and starts a session for every saved host (connecting in the background).
    pub async fn start(data_dir: &Path, actor: &'static str) -> Result<Vireo> {
        let store = history::open_store(data_dir).await?;
        ensure_default_host(&store, Duration::from_secs(3)).await?;
        let (events, _) = broadcast::channel(1024);
        let tasks = tasks::Tasks::new(events.clone(), store.clone(), actor);
        let vireo = Vireo { store: store.clone(), hosts: RwLock::new(BTreeMap::new()), events, actor, consoles: Default::default(), socket: Default::default(), tasks };
        // One saved host that no longer opens (a URI an older version accepted) must not
        // keep the app from starting: it is logged and left out; the others start.
        for saved in store.hosts()? {
            let id = saved.id.clone();
            if let Err(e) = vireo.open_session(saved) {
                tracing::error!(host = %id, "saved host skipped: {e}");
            }
        }
        Ok(vireo)
    }

    /// The core over one host already open (the CLI's `--connect`), with the shared
    /// database: the same storage, tasks and history as the app, no other host started.
    pub async fn single(data_dir: &Path, actor: &'static str, saved: SavedHost, host: Host) -> Result<Vireo> {
        let store = history::open_store(data_dir).await?;
        let (events, _) = broadcast::channel(1024);
        let tasks = tasks::Tasks::new(events.clone(), store.clone(), actor);
        let vireo = Vireo { store: store.clone(), hosts: RwLock::new(BTreeMap::new()), events, actor, consoles: Default::default(), socket: Default::default(), tasks };
        let id = saved.id.clone();
        let session = Session::start(saved, host, &vireo.events, store, actor);
        vireo.hosts.write().unwrap().insert(id, session);
        Ok(vireo)
    }

    fn open_session(&self, saved: SavedHost) -> Result<()> {
        let host = match &saved.ssh {
            Some(spec) => {
                let accepted = hosts::accepted_keys(&self.store, spec)?;
                let link = Arc::new(SshLink::new(spec.clone(), accepted));
                Host::new_ssh(saved.id.clone(), link, HostOptions::default())
            }
            None => Host::new(saved.id.clone(), &saved.uri, HostOptions::default())?,
        };
        let id = saved.id.clone();
        let session = Session::start(saved, host, &self.events, self.store.clone(), self.actor);
        self.hosts.write().unwrap().insert(id, session);
        Ok(())
    }

    /// Live events of every host: lifecycle and status as they happen, the running VMs'
    /// figures every `STATS_INTERVAL` (`HostEvent::VmStats`).
    pub fn subscribe(&self) -> broadcast::Receiver<HostEvent> {
        self.events.subscribe()
    }

    pub fn list_hosts(&self) -> Vec<HostSummary> {
        self.hosts
            .read()
            .unwrap()
            .values()
            .map(|Session { saved, host, .. }| {
                let (status, error) = host.status();
                HostSummary {
                    id: saved.id.clone(),
                    name: saved.name.clone(),
                    uri: saved.uri.clone(),
                    kind: saved.kind,
                    accel: saved.accel,
                    status,
                    error,
                    ssh: saved.ssh.clone(),
                    prompt: host.prompt(),
                    retrying: host.retrying(),
                }
            })
            .collect()
    }

    /// Opens the VNC console of a running VM; its frames go to `sink` until it is closed.
    pub async fn open_console(&self, host_id: &str, vm: &str, view_only: bool, sink: ConsoleSink) -> Result<vireo_core::ConsoleInfo> {
        let vm = VmRef::uuid(vm)?;
        self.consoles.open(self.host(host_id)?, vm, view_only, sink).await
    }

    /// Opens the VNC console of a running VM for the window: its records and its input
    /// go over a WebSocket on 127.0.0.1 (`console_socket`) whose URL the answer holds.
    pub async fn open_console_socket(&self, host_id: &str, vm: &str, view_only: bool) -> Result<vireo_core::ConsoleOpened> {
        let socket = self.socket.get_or_try_init(|| console_socket::ConsoleSocket::start(self.consoles.clone())).await?;
        let (sink, pending) = socket.prepare()?;
        let info = self.open_console(host_id, vm, view_only, sink).await?;
        let socket_url = socket.issue(pending, &info.id);
        Ok(vireo_core::ConsoleOpened { info, socket_url })
    }

    pub async fn console_input(&self, id: &str, input: vireo_core::ConsoleInput) -> Result<()> {
        self.consoles.input(id, input).await
    }

    /// Saves the console's screen as a PNG in the user's pictures folder (or the data
    /// directory's `screenshots`); the file's path.
    pub async fn console_screenshot(&self, id: &str) -> Result<PathBuf> {
        let dir = dirs::picture_dir().map(|d| d.join("Vireo")).unwrap_or_else(|| default_data_dir().join("screenshots"));
        self.consoles.screenshot(id, dir).await
    }

    pub async fn close_console(&self, id: &str) -> Result<()> {
        if let Some(socket) = self.socket.get() {
            socket.forget(id);
        }
        self.consoles.close(id).await
    }

    /// How many consoles are open.
    pub fn open_consoles(&self) -> usize {
        self.consoles.count()
    }

    pub fn host(&self, id: &str) -> Result<Host> {
        self.hosts.read().unwrap().get(id).map(|s| s.host.clone()).ok_or_else(|| Error::HostNotFound(id.to_owned()))
    }

    fn host_name(&self, id: &str) -> String {
        self.hosts.read().unwrap().get(id).map(|s| s.saved.name.clone()).unwrap_or_else(|| id.to_owned())
    }

    pub async fn list_vms(&self, host_id: &str) -> Result<Vec<VmSummary>> {
        self.host(host_id)?.list_vms().await
    }

    /// Runs a lifecycle action on the VM with this UUID and records it in history (under
    /// the VM's current name, for people), whether it worked or not.
    pub async fn vm_action(&self, host_id: &str, uuid: &str, action: VmAction) -> Result<()> {
        let vm = VmRef::uuid(uuid)?;
        let host = self.host(host_id)?;
        let result = host.vm_action(&vm, action).await;
        let target = host.vm_name(&vm).await.unwrap_or_else(|_| vm.to_string());
        self.record(self.host_name(host_id), action.as_str(), target, &result).await;
        result
    }

    /// The newest `limit` history entries, newest first.
    pub async fn history(&self, limit: u32) -> Result<Vec<HistoryEntry>> {
        history::list(self.store.clone(), limit).await
    }

    async fn record<T>(&self, host: String, action: &'static str, target: String, result: &Result<T>) {
        history::record(self.store.clone(), self.actor, host, action, target, result).await;
    }

    /// Sets how guests on the host are accelerated (auto, kvm, qemu) and saves it.
    pub async fn set_host_accel(&self, host_id: &str, accel: Accel) -> Result<()> {
        let store = self.store.clone();
        let id = host_id.to_owned();
        let result = tokio::task::spawn_blocking(move || store.set_host_accel(&id, accel))
            .await
            .map_err(|e| Error::Internal(e.to_string()))
            .and_then(|r| r.map_err(Error::from));
        if result.is_ok() {
            if let Some(session) = self.hosts.write().unwrap().get_mut(host_id) {
                session.saved.accel = accel;
            }
        }
        self.record(self.host_name(host_id), "set_accel", accel.as_str().to_owned(), &result).await;
        result
    }

    /// The `<domain type>` new guests on this host get. `Auto` picks KVM only where it
    /// works: libvirt must offer KVM, and a probe guest must run (on the local machine, and
    /// on an SSH host through its session).
    pub async fn guest_domain_kind(&self, host_id: &str) -> Result<DomainKind> {
        let (saved, host) = {
            let hosts = self.hosts.read().unwrap();
            let s = hosts.get(host_id).ok_or_else(|| Error::HostNotFound(host_id.to_owned()))?;
            (s.saved.clone(), s.host.clone())
        };
        if saved.accel != Accel::Auto || saved.kind == HostKind::Demo {
            return Ok(resolve_accel(saved.accel, || false));
        }
        let offered = host.offers_kvm().await?;
        if !offered {
            return Ok(DomainKind::Qemu);
        }
        if saved.kind == HostKind::Local {
            let works = tokio::task::spawn_blocking(kvm_guests_work).await.map_err(|e| Error::Internal(e.to_string()))?;
            return Ok(resolve_accel(Accel::Auto, || works));
        }
        // An SSH host runs the same probe through its session; where it cannot tell (or
        // for a URI host, with no command channel), libvirt's offer decides.
        if let Some(session) = host.ssh() {
            let verdict = tokio::task::spawn_blocking(move || remote_kvm_guests_work(&session))
                .await
                .map_err(|e| Error::Internal(e.to_string()))?;
            if let Some(works) = verdict {
                return Ok(resolve_accel(Accel::Auto, || works));
            }
        }
        Ok(DomainKind::Kvm)
    }

    /// Running tasks and the most recent ended ones, newest first.
    pub fn list_tasks(&self) -> Vec<vireo_core::TaskSummary> {
        self.tasks.list()
    }

    pub fn cancel_task(&self, id: &str) -> Result<()> {
        self.tasks.cancel(id)
    }

    /// Follows a task: its summary now and at each change.
    pub fn watch_task(&self, id: &str) -> Result<tokio::sync::watch::Receiver<vireo_core::TaskSummary>> {
        self.tasks.watch(id)
    }

    /// Waits for a task to end: its summary, or the error it failed with.
    pub async fn wait_task(&self, id: &str) -> Result<vireo_core::TaskSummary> {
        self.tasks.wait(id).await
    }

    pub fn store(&self) -> &Store {
        &self.store
    }
}

/// Runs blocking work (SQLite, files) off the async workers.
pub(crate) async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| Error::Internal(e.to_string()))?
}

/// What kind of host a URI names: this machine's system daemon, the demo driver, or remote.
pub(crate) fn kind_of(uri: &str) -> HostKind {
    if uri.starts_with("test:") || uri.starts_with("test+") {
        HostKind::Demo
    } else if uri.starts_with("qemu:///") {
        HostKind::Local
    } else {
        HostKind::Remote
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_uris() {
        assert_eq!(kind_of("qemu:///system"), HostKind::Local);
        assert_eq!(kind_of("test:///default"), HostKind::Demo);
        assert_eq!(kind_of("qemu+ssh://root@h/system"), HostKind::Remote);
        assert_eq!(kind_of("qemu+tcp://127.0.0.1/system"), HostKind::Remote);
    }
}
