//! The application core: everything the desktop app does, without Tauri.
//!
//! `Vireo` owns the store and one `Host` session per saved host, merges their live
//! events into one stream, and records every change in history. The Tauri shell is a
//! thin layer of commands over this type, so the whole app logic is testable headless.

mod first_start;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::sync::broadcast;
use vireo_core::{Accel, Error, HostEvent, HostId, HostKind, HostSummary, Result, VmAction, VmSummary};
use vireo_host::{kvm_guests_work, resolve_accel, DomainKind, Host, HostOptions};
use vireo_store::{NewHistory, Outcome, SavedHost, Store};

pub use first_start::ensure_default_host;

/// Where the app keeps its database unless told otherwise (`VIREO_DATA_DIR`).
pub fn default_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("VIREO_DATA_DIR") {
        return PathBuf::from(dir);
    }
    dirs::data_dir().unwrap_or_else(std::env::temp_dir).join("vireo")
}

pub struct Vireo {
    store: Arc<Store>,
    hosts: RwLock<BTreeMap<HostId, (SavedHost, Host)>>,
    events: broadcast::Sender<HostEvent>,
    /// Who is acting, for history (`app`, `cli`).
    actor: &'static str,
}

impl Vireo {
    /// Opens the database in `data_dir`, adds the embedded default host on first start,
    /// and starts a session for every saved host (connecting in the background).
    pub async fn start(data_dir: &Path, actor: &'static str) -> Result<Vireo> {
        let path = data_dir.join("vireo.db");
        let store = tokio::task::spawn_blocking(move || Store::open(&path))
            .await
            .map_err(|e| Error::Internal(e.to_string()))??;
        let store = Arc::new(store);
        ensure_default_host(&store, Duration::from_secs(3)).await?;
        let (events, _) = broadcast::channel(1024);
        let vireo = Vireo { store: store.clone(), hosts: RwLock::new(BTreeMap::new()), events, actor };
        for saved in store.hosts()? {
            vireo.open_session(saved)?;
        }
        Ok(vireo)
    }

    fn open_session(&self, saved: SavedHost) -> Result<()> {
        let host = Host::new(saved.id.clone(), &saved.uri, HostOptions::default())?;
        let mut rx = host.subscribe();
        let tx = self.events.clone();
        tokio::spawn(async move {
            loop {
                match rx.recv().await {
                    Ok(ev) => {
                        let _ = tx.send(ev);
                    }
                    Err(broadcast::error::RecvError::Lagged(n)) => tracing::warn!("dropped {n} host events"),
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
        });
        self.hosts.write().unwrap().insert(saved.id.clone(), (saved, host));
        Ok(())
    }

    /// Live events of every host.
    pub fn subscribe(&self) -> broadcast::Receiver<HostEvent> {
        self.events.subscribe()
    }

    pub fn list_hosts(&self) -> Vec<HostSummary> {
        self.hosts
            .read()
            .unwrap()
            .values()
            .map(|(saved, host)| {
                let (status, error) = host.status();
                HostSummary {
                    id: saved.id.clone(),
                    name: saved.name.clone(),
                    uri: saved.uri.clone(),
                    kind: saved.kind,
                    accel: saved.accel,
                    status,
                    error,
                }
            })
            .collect()
    }

    pub fn host(&self, id: &str) -> Result<Host> {
        self.hosts.read().unwrap().get(id).map(|(_, h)| h.clone()).ok_or_else(|| Error::HostNotFound(id.to_owned()))
    }

    fn host_name(&self, id: &str) -> String {
        self.hosts.read().unwrap().get(id).map(|(s, _)| s.name.clone()).unwrap_or_else(|| id.to_owned())
    }

    pub async fn list_vms(&self, host_id: &str) -> Result<Vec<VmSummary>> {
        self.host(host_id)?.list_vms().await
    }

    /// Runs a lifecycle action and records it in history, whether it worked or not.
    pub async fn vm_action(&self, host_id: &str, name: &str, action: VmAction) -> Result<()> {
        let result = self.host(host_id)?.vm_action(name, action).await;
        let detail = result.as_ref().err().map(ToString::to_string);
        let (store, actor, host, target) = (self.store.clone(), self.actor, self.host_name(host_id), name.to_owned());
        let outcome = if result.is_ok() { Outcome::Ok } else { Outcome::Failed };
        // SQLite is quick but still blocking I/O: keep it off the async workers too.
        let recorded = tokio::task::spawn_blocking(move || {
            store.record(&NewHistory {
                actor,
                host: &host,
                action: action.as_str(),
                target: &target,
                outcome,
                detail: detail.as_deref(),
            })
        })
        .await;
        match recorded {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!("could not record history: {e}"),
            Err(e) => tracing::error!("could not record history: {e}"),
        }
        result
    }

    /// Sets how guests on the host are accelerated (auto, kvm, qemu) and saves it.
    pub fn set_host_accel(&self, host_id: &str, accel: Accel) -> Result<()> {
        self.store.set_host_accel(host_id, accel)?;
        if let Some((saved, _)) = self.hosts.write().unwrap().get_mut(host_id) {
            saved.accel = accel;
        }
        Ok(())
    }

    /// The `<domain type>` new guests on this host get. `Auto` picks KVM only where it
    /// works: on the local machine a probe guest must run; on other hosts libvirt must offer
    /// KVM (a remote probe comes with the SSH command runner).
    pub async fn guest_domain_kind(&self, host_id: &str) -> Result<DomainKind> {
        let (saved, host) = {
            let hosts = self.hosts.read().unwrap();
            hosts.get(host_id).cloned().ok_or_else(|| Error::HostNotFound(host_id.to_owned()))?
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
        Ok(DomainKind::Kvm)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }
}
