//! What a task made, noted in the database *before* it is made, so a task that fails
//! half-way removes it, and what could not be removed then (the host went away
//! mid-task: libvirtd stopped, the link dropped) is removed when the host answers again.

use std::sync::Arc;

use vireo_core::{Error, HostEvent, HostStatus, Result, VmRef};
use vireo_host::Host;
use vireo_store::Store;

use crate::blocking;
use crate::tasks::TaskCtx;

pub(crate) struct Undo {
    host: Host,
    store: Arc<Store>,
    task: String,
    /// Journal row and what it undoes, in the order made.
    made: Vec<(i64, Made)>,
}

#[derive(Debug, Clone)]
enum Made {
    /// A volume, by its path on the host.
    Volume(String),
    /// A domain, by name (known free before it was defined).
    Domain(String),
}

impl Undo {
    pub(crate) fn new(host: &Host, store: &Arc<Store>, task: String) -> Undo {
        Undo { host: host.clone(), store: store.clone(), task, made: Vec::new() }
    }

    /// Notes that a volume will be made at `path`.
    pub(crate) async fn volume(&mut self, path: &str) -> Result<()> {
        self.note(Made::Volume(path.to_owned())).await
    }

    /// Notes that a domain named `name` will be defined.
    pub(crate) async fn domain(&mut self, name: &str) -> Result<()> {
        self.note(Made::Domain(name.to_owned())).await
    }

    async fn note(&mut self, made: Made) -> Result<()> {
        let (kind, target) = match &made {
            Made::Volume(p) => ("volume", p.clone()),
            Made::Domain(n) => ("domain", n.clone()),
        };
        let (store, host_id, task) = (self.store.clone(), self.host.id().to_owned(), self.task.clone());
        let id = blocking(move || store.add_cleanup(&host_id, kind, &target, &task).map_err(Error::from)).await?;
        self.made.push((id, made));
        Ok(())
    }

    /// Ends a task's work: with `made` Ok what it made stays and its value is the task's
    /// result; otherwise what it made is removed and the error is the task's.
    pub(crate) async fn settle(self, ctx: &TaskCtx, made: Result<String>) -> Result<Option<String>> {
        match made {
            Ok(value) => {
                self.keep().await;
                Ok(Some(value))
            }
            Err(e) => {
                ctx.step(vireo_core::TaskStep::CleaningUp);
                self.undo().await;
                Err(e)
            }
        }
    }

    /// The task succeeded: what it made stays.
    pub(crate) async fn keep(self) {
        for (id, _) in self.made {
            let store = self.store.clone();
            let _ = blocking(move || store.drop_cleanup(id).map_err(Error::from)).await;
        }
    }

    /// The task failed: removes what it made, newest first. What cannot be removed now
    /// stays noted and is removed when the host next connects.
    pub(crate) async fn undo(self) {
        for (id, made) in self.made.into_iter().rev() {
            if remove(&self.host, &made).await.is_ok() {
                let store = self.store.clone();
                let _ = blocking(move || store.drop_cleanup(id).map_err(Error::from)).await;
            }
        }
    }
}

async fn remove(host: &Host, made: &Made) -> Result<()> {
    let done = match made {
        Made::Volume(path) => host.delete_volume_at(path).await,
        Made::Domain(name) => match host.undefine_vm(&VmRef::Name(name.clone())).await {
            Err(Error::VmNotFound { .. }) => Ok(()),
            other => other,
        },
    };
    if let Err(e) = &done {
        tracing::warn!(host = %host.id(), "could not remove {made:?} yet: {e}");
    }
    done
}

/// Removes what failed tasks left on this host, each time it connects.
pub(crate) async fn on_connect(host: Host, store: Arc<Store>) {
    let mut rx = host.subscribe();
    loop {
        if host.status().0 == HostStatus::Connected {
            let (s, id) = (store.clone(), host.id().to_owned());
            if let Ok(pending) = blocking(move || s.cleanups(&id).map_err(Error::from)).await {
                for p in pending {
                    let made = if p.kind == "volume" { Made::Volume(p.target) } else { Made::Domain(p.target) };
                    if remove(&host, &made).await.is_ok() {
                        let s = store.clone();
                        let _ = blocking(move || s.drop_cleanup(p.id).map_err(Error::from)).await;
                    }
                }
            }
        }
        loop {
            match rx.recv().await {
                Ok(HostEvent::HostStatus { status: HostStatus::Connected, .. }) => break,
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    }
}
