//! `Host`: one machine's libvirt session, shared by every feature on that machine.
//!
//! A supervisor task keeps the connection up: it opens it (with a deadline, so an
//! unreachable host fails in seconds, not minutes), registers the event callbacks, waits
//! for the close callback or a call that finds the link dead, then reconnects with
//! exponential backoff. Status changes are broadcast as `HostEvent::HostStatus`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use tokio::sync::{broadcast, watch, Notify};
use tokio::task::JoinHandle;
use virt::connect::Connect;
use vireo_core::{validate, Error, HostEvent, HostId, HostStatus, Result};

use crate::error::open_error;
use crate::events::{Registration, Sink};
use crate::runtime;

#[derive(Debug, Clone)]
pub struct HostOptions {
    /// How long opening the connection may take before the host counts as unreachable.
    pub connect_timeout: Duration,
    /// libvirt keepalive: probe every `interval` seconds, give up after `count` misses.
    pub keepalive_interval: i32,
    pub keepalive_count: u32,
    /// Longest wait between reconnect attempts.
    pub max_backoff: Duration,
}

impl Default for HostOptions {
    fn default() -> Self {
        HostOptions {
            connect_timeout: Duration::from_secs(5),
            keepalive_interval: 5,
            keepalive_count: 3,
            max_backoff: Duration::from_secs(30),
        }
    }
}

/// A cheap handle; clones share the session.
#[derive(Clone)]
pub struct Host {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) id: HostId,
    pub(crate) uri: String,
    opts: HostOptions,
    session: Mutex<Option<Session>>,
    events: broadcast::Sender<HostEvent>,
    lost: Arc<Notify>,
    status: watch::Sender<(HostStatus, Option<String>)>,
    /// Last CPU time sample per domain UUID, for CPU % between two lists.
    pub(crate) cpu_samples: Mutex<HashMap<String, (u64, Instant)>>,
    supervisor: Mutex<Option<JoinHandle<()>>>,
}

struct Session {
    conn: Connect,
    _callbacks: Option<Registration>,
}

impl Host {
    /// Creates the host and starts connecting in the background; returns at once.
    /// Must be called inside a tokio runtime.
    pub fn new(id: impl Into<HostId>, uri: &str, opts: HostOptions) -> Result<Host> {
        let uri = validate::connection_uri(uri)?.to_owned();
        runtime::ensure_started();
        let (events, _) = broadcast::channel(1024);
        let (status, _) = watch::channel((HostStatus::Connecting, None));
        let inner = Arc::new(Inner {
            id: id.into(),
            uri,
            opts,
            session: Mutex::new(None),
            events,
            lost: Arc::new(Notify::new()),
            status,
            cpu_samples: Mutex::new(HashMap::new()),
            supervisor: Mutex::new(None),
        });
        let task = tokio::spawn(supervise(Arc::downgrade(&inner)));
        *inner.supervisor.lock().unwrap() = Some(task);
        Ok(Host { inner })
    }

    /// Creates the host and waits for the first connection attempt; its error if it failed.
    pub async fn connect(id: impl Into<HostId>, uri: &str, opts: HostOptions) -> Result<Host> {
        let host = Host::new(id, uri, opts)?;
        host.wait_first_attempt().await?;
        Ok(host)
    }

    /// Waits until the host is connected or the current attempt failed.
    pub async fn wait_first_attempt(&self) -> Result<()> {
        let mut rx = self.inner.status.subscribe();
        let (status, error) = rx.wait_for(|(s, _)| *s != HostStatus::Connecting).await.map_err(internal)?.clone();
        match status {
            HostStatus::Connected => Ok(()),
            _ => Err(self.not_connected(error)),
        }
    }

    pub fn id(&self) -> &str {
        &self.inner.id
    }

    pub fn uri(&self) -> &str {
        &self.inner.uri
    }

    pub fn status(&self) -> (HostStatus, Option<String>) {
        self.inner.status.borrow().clone()
    }

    /// Live events of this host: VM lifecycle and connection status.
    pub fn subscribe(&self) -> broadcast::Receiver<HostEvent> {
        self.inner.events.subscribe()
    }

    /// Runs a blocking libvirt call on the blocking pool with this host's connection.
    /// A call that finds the connection dead fails with `Error::Disconnected` and wakes
    /// the supervisor to reconnect.
    pub async fn call<R, F>(&self, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&Connect) -> Result<R> + Send + 'static,
    {
        let conn = self.connection()?;
        let (result, alive) = tokio::task::spawn_blocking(move || {
            let result = f(&conn);
            // After a failure, ask the client whether the link is still up (a local
            // check, no round trip): a dead link explains the failure better than
            // whatever the call reported, and the supervisor must reconnect.
            let alive = result.is_ok() || conn.is_alive().unwrap_or(false);
            (result, alive)
        })
        .await
        .map_err(internal)?;
        if !alive {
            self.inner.lost.notify_one();
            return Err(Error::Disconnected { uri: self.inner.uri.clone() });
        }
        result
    }

    fn connection(&self) -> Result<Connect> {
        if let Some(s) = self.inner.session.lock().unwrap().as_ref() {
            return Ok(s.conn.clone());
        }
        let (_, error) = self.status();
        Err(self.not_connected(error))
    }

    fn not_connected(&self, error: Option<String>) -> Error {
        match error {
            Some(reason) => Error::Unreachable { uri: self.inner.uri.clone(), reason },
            None => Error::Disconnected { uri: self.inner.uri.clone() },
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(task) = self.supervisor.lock().unwrap().take() {
            task.abort();
        }
        // Closing sends a last RPC; the last handle may be dropped on an async worker.
        if let Some(session) = self.session.lock().unwrap().take() {
            let _ = std::thread::Builder::new().name("libvirt-close".into()).spawn(move || drop(session));
        }
    }
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::Internal(e.to_string())
}

fn set_status(inner: &Inner, status: HostStatus, error: Option<String>) {
    inner.status.send_replace((status, error.clone()));
    let _ = inner.events.send(HostEvent::HostStatus { host_id: inner.id.clone(), status, error });
}

/// Opens the connection on a blocking thread with a deadline. A timed-out open leaves
/// its thread to finish on its own; libvirt offers no way to cancel a connect.
async fn open(uri: String, opts: &HostOptions, sink: impl Fn() -> Sink + Send + 'static) -> Result<Session> {
    let deadline = opts.connect_timeout;
    let (interval, count) = (opts.keepalive_interval, opts.keepalive_count);
    let uri2 = uri.clone();
    let task = tokio::task::spawn_blocking(move || -> Result<Session> {
        let conn = Connect::open(Some(&uri2)).map_err(|e| open_error(&uri2, &e))?;
        // Keepalive notices a dead peer; drivers without it (test://) simply decline.
        let _ = conn.set_keep_alive(interval, count);
        let callbacks = Registration::register(&conn, sink).ok();
        Ok(Session { conn, _callbacks: callbacks })
    });
    match tokio::time::timeout(deadline, task).await {
        Ok(joined) => joined.map_err(internal)?,
        Err(_) => Err(Error::Timeout { uri, seconds: deadline.as_secs() }),
    }
}

async fn supervise(weak: Weak<Inner>) {
    let mut backoff = Duration::from_secs(1);
    loop {
        let Some(inner) = weak.upgrade() else { return };
        let sink = {
            let (host_id, events, lost) = (inner.id.clone(), inner.events.clone(), inner.lost.clone());
            move || Sink { host_id: host_id.clone(), events: events.clone(), lost: lost.clone() }
        };
        let (uri, opts, lost) = (inner.uri.clone(), inner.opts.clone(), inner.lost.clone());
        drop(inner);
        let attempt = open(uri, &opts, sink).await;
        let Some(inner) = weak.upgrade() else { return };
        match attempt {
            Ok(session) => {
                backoff = Duration::from_secs(1);
                *inner.session.lock().unwrap() = Some(session);
                set_status(&inner, HostStatus::Connected, None);
                drop(inner);
                lost.notified().await;
                let Some(inner) = weak.upgrade() else { return };
                let old = inner.session.lock().unwrap().take();
                // Closing may send a last RPC: keep it off the async workers.
                tokio::task::spawn_blocking(move || drop(old));
                let msg = "the connection was lost; reconnecting".to_owned();
                set_status(&inner, HostStatus::Disconnected, Some(msg));
                tracing::warn!(host = %inner.id, "libvirt connection lost");
            }
            Err(e) => {
                tracing::info!(host = %inner.id, "connect failed: {e}");
                set_status(&inner, HostStatus::Disconnected, Some(reason_of(&e)));
                drop(inner);
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(opts.max_backoff);
            }
        }
        if let Some(inner) = weak.upgrade() {
            set_status(&inner, HostStatus::Connecting, None);
        }
    }
}

fn reason_of(e: &Error) -> String {
    match e {
        Error::Unreachable { reason, .. } => reason.clone(),
        other => other.to_string(),
    }
}
