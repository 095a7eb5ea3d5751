//! `Host`: one machine's libvirt session, shared by every feature on that machine.
//!
//! A supervisor task keeps the connection up: it opens it (with a deadline, so an
//! unreachable host fails in seconds, not minutes), registers the event callbacks, waits
//! for the close callback or a call that finds the link dead, then reconnects with
//! jittered exponential backoff. Status changes are broadcast as `HostEvent::HostStatus`.
//!
//! The host counts as connected as soon as libvirt is open; the event callbacks are
//! registered beside the first list, not before it. Each registration is a round trip
//! (two with the close callback), and on a remote link a round trip is what a user waits
//! for. Once they are in place a `Resync` asks listeners to list again, so a change that
//! happened between the first list and the registration is not missed. `wait_live` is for
//! callers that must see every event from the start (the CLI's `vm events`, tests).
//!
//! Three rules keep a flaky peer from hurting the app:
//! - a loss signal belongs to the session it came from (each session has its own
//!   `Notify`), so a late close callback or a call that failed on the old link cannot
//!   tear down the next, healthy session;
//! - after a loss the supervisor waits before reconnecting, and the backoff only resets
//!   once a session has stayed up for `stable_after`, so a peer that accepts and then
//!   drops is retried ever more slowly, not in a tight loop;
//! - at most one open is in flight: libvirt cannot cancel a connect, so an open past its
//!   deadline is kept and waited on again by the next attempt instead of starting
//!   another (a peer that accepts and never answers costs one blocked thread, not one
//!   per retry).

use std::hash::BuildHasher;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use tokio::sync::{broadcast, watch, Notify};
use tokio::task::JoinHandle;
use virt::connect::Connect;
use virt::sys;
use vireo_core::{validate, Error, HostEvent, HostId, HostPrompt, HostStatus, Result};
use vireo_ssh::SshSession;

use crate::error::{is_unsupported, message, open_error};
use crate::cpu::CpuSamples;
use crate::events::{Registration, Sink};
use crate::runtime;
use crate::ssh_link::{SshLink, SshOpened};

#[derive(Debug, Clone)]
pub struct HostOptions {
    /// How long opening the connection may take before the host counts as unreachable.
    pub connect_timeout: Duration,
    /// libvirt keepalive: probe every `interval` seconds, give up after `count` misses.
    pub keepalive_interval: i32,
    pub keepalive_count: u32,
    /// Longest wait between reconnect attempts.
    pub max_backoff: Duration,
    /// Shortest wait before reconnecting, after a failed attempt or a lost session; the
    /// backoff starts here and doubles up to `max_backoff`.
    pub min_backoff: Duration,
    /// How long a session must stay up before the backoff starts again from
    /// `min_backoff`; a session that drops sooner keeps it growing.
    pub stable_after: Duration,
}

impl Default for HostOptions {
    fn default() -> Self {
        HostOptions {
            connect_timeout: Duration::from_secs(5),
            keepalive_interval: 5,
            keepalive_count: 3,
            max_backoff: Duration::from_secs(30),
            min_backoff: Duration::from_secs(1),
            stable_after: Duration::from_secs(30),
        }
    }
}

/// A cheap handle; clones share the session.
#[derive(Clone)]
pub struct Host {
    pub(crate) inner: Arc<Inner>,
}

/// How a host reaches libvirt.
#[derive(Clone)]
pub enum Transport {
    /// A URI libvirt opens itself (local sockets, libvirt's own remote transports).
    Uri(String),
    /// Vireo's own SSH session, with libvirt's socket forwarded through it.
    Ssh(Arc<SshLink>),
}

pub(crate) struct Inner {
    pub(crate) id: HostId,
    /// The URI, or `ssh://user@host:port` for an SSH host: what messages name.
    pub(crate) uri: String,
    pub(crate) transport: Transport,
    /// Whether the host should be connected (the user can disconnect it).
    wanted: watch::Sender<bool>,
    opts: HostOptions,
    session: Mutex<Option<Session>>,
    events: broadcast::Sender<HostEvent>,
    status: watch::Sender<(HostStatus, Option<String>)>,
    /// Whether the current session's event callbacks are in place (or failed for good).
    live: watch::Sender<bool>,
    /// CPU time baselines per VM, for CPU % between two lists.
    pub(crate) cpu_samples: Mutex<CpuSamples>,
    supervisor: Mutex<Option<JoinHandle<()>>>,
}

struct Session {
    conn: Connect,
    /// Signalled when this session's link died, by its close callback or by a call that
    /// found it dead. Only this session's supervisor waits on it, so a late signal about
    /// an old session never reaches a newer one.
    lost: Arc<Notify>,
    /// Why keepalive is off, if it is (for the user's "connected, but ...").
    keepalive_off: Option<String>,
    /// Set once the registration that runs beside the first list is done.
    callbacks: Option<Registration>,
    /// The SSH session carrying the connection; dropped after it (fields drop in order).
    ssh: Option<SshOpened>,
}

impl Host {
    /// Creates the host and starts connecting in the background; returns at once.
    /// Must be called inside a tokio runtime.
    pub fn new(id: impl Into<HostId>, uri: &str, opts: HostOptions) -> Result<Host> {
        let uri = validate::connection_uri(uri)?.to_owned();
        Ok(Host::start(id.into(), uri.clone(), Transport::Uri(uri), opts))
    }

    /// A host behind Vireo's own SSH session; starts connecting in the background.
    pub fn new_ssh(id: impl Into<HostId>, link: Arc<SshLink>, opts: HostOptions) -> Host {
        Host::start(id.into(), link.display_uri(), Transport::Ssh(link), opts)
    }

    fn start(id: HostId, uri: String, transport: Transport, opts: HostOptions) -> Host {
        runtime::ensure_started();
        let (events, _) = broadcast::channel(1024);
        let (status, _) = watch::channel((HostStatus::Connecting, None));
        let (wanted, _) = watch::channel(true);
        let (live, _) = watch::channel(false);
        let inner = Arc::new(Inner {
            id,
            uri,
            transport,
            wanted,
            opts,
            session: Mutex::new(None),
            events,
            status,
            live,
            cpu_samples: Mutex::new(CpuSamples::default()),
            supervisor: Mutex::new(None),
        });
        let task = tokio::spawn(supervise(Arc::downgrade(&inner)));
        *inner.supervisor.lock().unwrap() = Some(task);
        Host { inner }
    }

    /// The SSH sign-in state, for an SSH host.
    pub fn ssh_link(&self) -> Option<Arc<SshLink>> {
        match &self.inner.transport {
            Transport::Ssh(link) => Some(link.clone()),
            Transport::Uri(_) => None,
        }
    }

    /// The SSH session of the current connection (commands, files, tunnels share it).
    pub fn ssh(&self) -> Option<SshSession> {
        self.inner.session.lock().unwrap().as_ref().and_then(|s| s.ssh.as_ref()).map(|o| o.session.clone())
    }

    /// What the host waits for from the user, if anything.
    pub fn prompt(&self) -> Option<HostPrompt> {
        self.ssh_link().and_then(|l| l.prompt())
    }

    /// Whether the host tries again on its own when it is not connected: false after
    /// `disconnect`, and while an SSH host waits for an answer or a refused key.
    pub fn retrying(&self) -> bool {
        self.inner.retrying()
    }

    /// Drops the connection and stays disconnected until `reconnect`.
    pub fn disconnect(&self) {
        self.inner.wanted.send_replace(false);
    }

    /// Connects again now (after `disconnect`, a refused host key or a failed sign-in).
    pub fn reconnect(&self) {
        self.inner.wanted.send_replace(true);
        if let Some(link) = self.ssh_link() {
            link.retry_now();
        }
    }

    /// Creates the host and waits for the first connection attempt, and for its event
    /// callbacks; the attempt's error if it failed.
    pub async fn connect(id: impl Into<HostId>, uri: &str, opts: HostOptions) -> Result<Host> {
        let host = Host::new(id, uri, opts)?;
        host.wait_first_attempt().await?;
        host.wait_live().await;
        Ok(host)
    }

    /// Waits until the current session's event callbacks are registered (or could not
    /// be), so no event after this returns is missed; returns at once when the host is
    /// not connected.
    pub async fn wait_live(&self) {
        let (mut live, mut status) = (self.inner.live.subscribe(), self.inner.status.subscribe());
        loop {
            if *live.borrow_and_update() || status.borrow_and_update().0 != HostStatus::Connected {
                return;
            }
            tokio::select! {
                r = live.changed() => if r.is_err() { return },
                r = status.changed() => if r.is_err() { return },
            }
        }
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
        let (conn, lost) = self.connection()?;
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
            // Tells the session this call ran on, not whichever is current by now.
            lost.notify_one();
            return Err(Error::Disconnected { uri: self.inner.uri.clone() });
        }
        result
    }

    /// The current session's connection and its loss signal.
    fn connection(&self) -> Result<(Connect, Arc<Notify>)> {
        if let Some(s) = self.inner.session.lock().unwrap().as_ref() {
            return Ok((s.conn.clone(), s.lost.clone()));
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
    let prompt = match &inner.transport {
        Transport::Ssh(link) => link.prompt(),
        Transport::Uri(_) => None,
    };
    let retrying = inner.retrying();
    let _ = inner.events.send(HostEvent::HostStatus { host_id: inner.id.clone(), status, error, prompt, retrying });
}

impl Inner {
    fn retrying(&self) -> bool {
        *self.wanted.borrow()
            && match &self.transport {
                Transport::Ssh(link) => !link.waits_for_user(),
                Transport::Uri(_) => true,
            }
    }
}

/// An open that outlived its attempt's deadline. libvirt cannot cancel a connect, so it
/// is kept, and the next attempt waits on it again instead of starting another.
struct InFlight {
    task: JoinHandle<Result<Session>>,
    started: Instant,
}

/// The supervisor's one open in flight, if any.
struct Pending(Option<InFlight>);

impl Drop for Pending {
    fn drop(&mut self) {
        let Some(open) = self.0.take() else { return };
        // An unfinished open drops its own result on its blocking thread when it ends. A
        // finished one would be dropped here, and closing a session sends RPCs: hand it
        // to a thread of its own (this runs when the supervisor task ends, on a worker).
        if open.task.is_finished() {
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                let close = move || drop(rt.block_on(open.task));
                let _ = std::thread::Builder::new().name("libvirt-close".into()).spawn(close);
            }
        }
    }
}

/// One connection attempt: starts an open unless the last one is still running, then
/// waits for it up to the deadline.
async fn attempt(
    pending: &mut Pending,
    (host_id, uri, transport, opts): (&HostId, &str, &Transport, &HostOptions),
) -> Result<Session> {
    let open = pending.0.get_or_insert_with(|| InFlight {
        task: spawn_open(host_id.clone(), transport.clone(), opts),
        started: Instant::now(),
    });
    match tokio::time::timeout(opts.connect_timeout, &mut open.task).await {
        Ok(joined) => {
            pending.0 = None;
            joined.map_err(internal)?
        }
        // Counted from the open's start: a retry may have waited on the same open before.
        Err(_) => Err(Error::Timeout { uri: uri.to_owned(), waited: open.started.elapsed() }),
    }
}

/// Opens the connection on the blocking pool and turns keepalive on (no round trip: the
/// open already asked whether the daemon supports it). What did not work is logged and
/// kept as the session's notice: the session is still usable, but the user should know
/// it is degraded.
fn spawn_open(host_id: HostId, transport: Transport, opts: &HostOptions) -> JoinHandle<Result<Session>> {
    let (interval, count) = (opts.keepalive_interval, opts.keepalive_count);
    let (timeout, keepalive) = (opts.connect_timeout, Duration::from_secs(interval.max(1) as u64));
    tokio::task::spawn_blocking(move || -> Result<Session> {
        let open_conn = |uri: &str, read_only: bool| {
            let opened = if read_only { Connect::open_read_only(Some(uri)) } else { Connect::open(Some(uri)) };
            opened.map_err(|e| open_error(uri, &e))
        };
        let (ssh, conn) = match &transport {
            Transport::Uri(uri) => (None, open_conn(uri, false)?),
            Transport::Ssh(link) => {
                let (opened, conn) = link.open(&host_id, timeout, keepalive, open_conn)?;
                (Some(opened), conn)
            }
        };
        let lost = Arc::new(Notify::new());
        let keepalive_off = enable_keepalive(&host_id, &conn, interval, count);
        Ok(Session { conn, lost, keepalive_off, callbacks: None, ssh })
    })
}

/// What the registration beside the first list gave: the callbacks, if any, and what
/// the user should know if they are not all there.
struct Registered {
    callbacks: Option<Registration>,
    degraded: Option<String>,
}

/// Registers the session's event and close callbacks on the blocking pool.
fn spawn_register(host_id: HostId, session: &Session, events: broadcast::Sender<HostEvent>) -> JoinHandle<Registered> {
    let (conn, lost) = (session.conn.clone(), session.lost.clone());
    tokio::task::spawn_blocking(move || {
        let sink = || Sink { host_id: host_id.clone(), events: events.clone(), lost: lost.clone() };
        match Registration::register(&conn, sink) {
            Ok(reg) => {
                let degraded = match &reg.close_error {
                    // In-process drivers (test://) have no link that could close.
                    Some(e) if is_unsupported(e) => {
                        tracing::debug!(host = %host_id, "no close callback: {}", message(e));
                        None
                    }
                    Some(e) => {
                        tracing::warn!(host = %host_id, "close callback not registered: {}", message(e));
                        Some(format!("a lost connection is noticed only at the next call: {}", message(e)))
                    }
                    None => None,
                };
                Registered { callbacks: Some(reg), degraded }
            }
            Err(e) => {
                tracing::warn!(host = %host_id, "event callbacks not registered: {}", message(&e));
                Registered { callbacks: None, degraded: Some(format!("live updates are off: {}", message(&e))) }
            }
        }
    })
}

/// "connected, but ..." from everything the session does less well than it should.
fn notice_of(parts: impl IntoIterator<Item = String>) -> Option<String> {
    let parts: Vec<String> = parts.into_iter().collect();
    (!parts.is_empty()).then(|| format!("connected, but {}", parts.join("; ")))
}

/// Turns libvirt keepalive on, so a peer that vanished without closing the link (host
/// frozen, network cut) is noticed. Returns what the user should know if it is off.
fn enable_keepalive(host_id: &str, conn: &Connect, interval: i32, count: u32) -> Option<String> {
    // Called directly: virt's wrapper folds "the daemon does not support keepalive" (1)
    // into success.
    // SAFETY: `conn` is an open connection; the other arguments are plain integers.
    let rc = unsafe { sys::virConnectSetKeepAlive(conn.as_ptr(), interval, count) };
    let reason = match rc {
        0 => return None,
        1 => "the daemon does not support keepalive".to_owned(),
        _ => {
            let e = virt::error::Error::last_error();
            if is_unsupported(&e) {
                // Expected for in-process drivers (test://): there is no link to watch.
                tracing::debug!(host = %host_id, "keepalive not supported: {}", message(&e));
                return None;
            }
            message(&e)
        }
    };
    tracing::warn!(host = %host_id, "keepalive is off: {reason}");
    Some(format!("a dead link may go unnoticed until the next call: {reason}"))
}

/// Jittered exponential backoff. Waits start at `min` and double up to `max`; each varies
/// by up to a quarter either way (within those bounds) so hosts, and app instances, that
/// lost the same daemon do not all retry in the same instant.
struct Backoff {
    min: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    fn new(min: Duration, max: Duration) -> Backoff {
        Backoff { min, max, next: min }
    }

    /// Only once a session stayed up a while: one that drops soon keeps the backoff growing.
    fn reset(&mut self) {
        self.next = self.min;
    }

    fn next_wait(&mut self, unit: f64) -> Duration {
        let base = self.next;
        self.next = (base * 2).min(self.max).max(self.min);
        base.mul_f64(0.75 + 0.5 * unit.clamp(0.0, 1.0)).min(self.max).max(self.min)
    }
}

/// A number in [0, 1) that differs from call to call and from process to process: a new
/// `RandomState` comes with fresh random keys. Enough to spread retries; no crate needed.
fn unit_random() -> f64 {
    let bits = std::collections::hash_map::RandomState::new().hash_one(Instant::now());
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

async fn supervise(weak: Weak<Inner>) {
    let Some(inner) = weak.upgrade() else { return };
    let (host_id, uri, opts, events) = (inner.id.clone(), inner.uri.clone(), inner.opts.clone(), inner.events.clone());
    let transport = inner.transport.clone();
    let mut wanted = inner.wanted.subscribe();
    drop(inner);
    let link = match &transport {
        Transport::Ssh(link) => Some(link.clone()),
        Transport::Uri(_) => None,
    };
    let mut backoff = Backoff::new(opts.min_backoff, opts.max_backoff);
    let mut pending = Pending(None);
    loop {
        // Disconnected by the user: wait until asked to connect again.
        if !*wanted.borrow_and_update() {
            if let Some(inner) = weak.upgrade() {
                set_status(&inner, HostStatus::Disconnected, Some("disconnected; connect it to see its VMs".into()));
            }
            if wanted.wait_for(|w| *w).await.is_err() {
                return;
            }
            backoff.reset();
            if let Some(inner) = weak.upgrade() {
                set_status(&inner, HostStatus::Connecting, None);
            }
        }
        let attempt = attempt(&mut pending, (&host_id, &uri, &transport, &opts)).await;
        // `inner` only within this block: the task must not keep the host alive while it
        // waits, or dropping the last `Host` would not end it.
        {
            let Some(inner) = weak.upgrade() else { return };
            match attempt {
                Ok(session) => {
                    let (lost, keepalive_off) = (session.lost.clone(), session.keepalive_off.clone());
                    let mut registering = Some(spawn_register(host_id.clone(), &session, events.clone()));
                    inner.live.send_replace(false);
                    *inner.session.lock().unwrap() = Some(session);
                    set_status(&inner, HostStatus::Connected, notice_of(keepalive_off.clone()));
                    drop(inner);
                    let up_since = Instant::now();
                    let by_user = loop {
                        tokio::select! {
                            _ = lost.notified() => break false,
                            _ = wanted.wait_for(|w| !*w) => break true,
                            done = async { registering.as_mut().expect("guarded").await }, if registering.is_some() => {
                                registering = None;
                                let Some(inner) = weak.upgrade() else { return };
                                registered(&inner, done.map_err(internal), keepalive_off.clone());
                            }
                        }
                    };
                    // Callbacks still being registered deregister with an RPC: dropped on the
                    // blocking pool when they arrive, never on an async worker.
                    if let Some(task) = registering {
                        tokio::spawn(async move {
                            if let Ok(late) = task.await {
                                tokio::task::spawn_blocking(move || drop(late));
                            }
                        });
                    }
                    let Some(inner) = weak.upgrade() else { return };
                    inner.live.send_replace(false);
                    let old = inner.session.lock().unwrap().take();
                    // Closing may send a last RPC: keep it off the async workers.
                    tokio::task::spawn_blocking(move || drop(old));
                    if by_user {
                        continue;
                    }
                    let up_for = up_since.elapsed();
                    if up_for >= opts.stable_after {
                        backoff.reset();
                    }
                    let msg = "the connection was lost; reconnecting".to_owned();
                    set_status(&inner, HostStatus::Disconnected, Some(msg));
                    tracing::warn!(host = %host_id, ?up_for, "libvirt connection lost");
                }
                Err(e) => {
                    tracing::info!(host = %host_id, "connect failed: {e}");
                    set_status(&inner, HostStatus::Disconnected, Some(reason_of(&e)));
                }
            }
        }
        // A host that waits for the user (a host key to accept, a password) is not retried
        // on its own: the answer, or "connect", wakes it.
        if let Some(link) = link.as_ref().filter(|l| l.waits_for_user()) {
            tokio::select! {
                _ = link.answered.notified() => backoff.reset(),
                _ = wanted.wait_for(|w| !*w) => continue,
            }
        } else {
            // Also after a loss: a peer that accepts and then drops must not be hammered.
            let wait = backoff.next_wait(unit_random());
            match &link {
                Some(link) => {
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = link.answered.notified() => backoff.reset(),
                    }
                }
                None => tokio::time::sleep(wait).await,
            }
        }
        if let Some(inner) = weak.upgrade() {
            if *wanted.borrow() {
                set_status(&inner, HostStatus::Connecting, None);
            }
        }
    }
}

/// Puts the callbacks registered beside the first list into the session, says what is
/// degraded, and asks listeners to list again: a change between their first list and the
/// registration would otherwise be missed.
fn registered(inner: &Inner, done: Result<Registered>, keepalive_off: Option<String>) {
    let Registered { callbacks, degraded } = done.unwrap_or_else(|e| Registered {
        callbacks: None,
        degraded: Some(format!("live updates are off: {e}")),
    });
    if let Some(session) = inner.session.lock().unwrap().as_mut() {
        session.callbacks = callbacks;
    }
    inner.live.send_replace(true);
    if degraded.is_some() {
        set_status(inner, HostStatus::Connected, notice_of(keepalive_off.into_iter().chain(degraded)));
    }
    let _ = inner.events.send(HostEvent::Resync { host_id: Some(inner.id.clone()) });
}

fn reason_of(e: &Error) -> String {
    match e {
        Error::Unreachable { reason, .. } => reason.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn backoff_doubles_to_the_cap_and_resets_to_the_floor() {
        let mut b = Backoff::new(S, 8 * S);
        let waits: Vec<_> = (0..5).map(|_| b.next_wait(0.5)).collect();
        assert_eq!(waits, [S, 2 * S, 4 * S, 8 * S, 8 * S]);
        b.reset();
        assert_eq!(b.next_wait(0.5), S);
    }

    #[test]
    fn jitter_stays_within_the_bounds() {
        let mut b = Backoff::new(S, 8 * S);
        // Never below the floor, even with the most jitter down...
        assert_eq!(b.next_wait(0.0), S);
        // ...a quarter either way in between...
        assert_eq!(b.next_wait(0.0), 2 * S * 3 / 4);
        assert_eq!(b.next_wait(1.0), 4 * S * 5 / 4);
        // ...and never above the cap.
        assert_eq!(b.next_wait(1.0), 8 * S);
        // A floor above the cap wins: there is always some wait.
        let mut odd = Backoff::new(2 * S, S);
        assert_eq!((odd.next_wait(0.0), odd.next_wait(1.0)), (2 * S, 2 * S));
    }

    #[test]
    fn unit_random_varies() {
        let samples: Vec<f64> = (0..50).map(|_| unit_random()).collect();
        assert!(samples.iter().all(|u| (0.0..1.0).contains(u)));
        assert!(samples.iter().any(|u| *u != samples[0]), "{samples:?}");
    }

    fn status_is(ev: &HostEvent, want: HostStatus) -> bool {
        matches!(ev, HostEvent::HostStatus { status, .. } if *status == want)
    }

    async fn next_status(rx: &mut broadcast::Receiver<HostEvent>, want: HostStatus, secs: u64) -> Option<HostEvent> {
        tokio::time::timeout(Duration::from_secs(secs), async {
            loop {
                match rx.recv().await {
                    Ok(ev) if status_is(&ev, want) => return ev,
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(e) => panic!("event stream ended: {e}"),
                }
            }
        })
        .await
        .ok()
    }

    /// A loss signalled late about a session (its close callback, a call that failed on
    /// it) must not tear down the session that replaced it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stale_loss_signal_leaves_the_next_session_up() {
        let opts = HostOptions {
            min_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(20),
            ..Default::default()
        };
        let host = Host::connect("demo", "test:///default", opts).await.unwrap();
        // test:// has no keepalive; that is expected, not news for the user.
        assert_eq!(host.status(), (HostStatus::Connected, None));
        let mut events = host.subscribe();

        let (_, first) = host.connection().unwrap();
        first.notify_one();
        next_status(&mut events, HostStatus::Disconnected, 10).await.expect("the loss is reported");
        next_status(&mut events, HostStatus::Connected, 10).await.expect("a new session opens");

        for _ in 0..3 {
            first.notify_one();
        }
        let spurious = next_status(&mut events, HostStatus::Disconnected, 1).await;
        assert!(spurious.is_none(), "a stale signal dropped the new session: {spurious:?}");
        assert_eq!(host.status(), (HostStatus::Connected, None));
        let n = host.call(|c| c.num_of_domains().map_err(internal)).await.unwrap();
        assert!(n >= 1, "the demo hypervisor runs its 'test' VM");
    }

    /// Sessions that drop as soon as they open (a peer that accepts and then hangs up)
    /// are retried ever more slowly, never at once. Lower bounds only: a busy machine
    /// may wait longer, never shorter.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sessions_that_drop_at_once_are_retried_ever_more_slowly() {
        let ms = Duration::from_millis;
        let opts = HostOptions { min_backoff: ms(50), max_backoff: ms(400), ..Default::default() };
        let host = Host::connect("demo", "test:///default", opts).await.unwrap();
        let mut events = host.subscribe();
        let mut waits = Vec::new();
        for _ in 0..4 {
            let (_, lost) = host.connection().unwrap();
            let signalled = Instant::now();
            lost.notify_one();
            next_status(&mut events, HostStatus::Connecting, 10).await.expect("a new attempt");
            waits.push(signalled.elapsed());
            next_status(&mut events, HostStatus::Connected, 10).await.expect("a new session");
        }
        // 50, 100, 200, 400 ms, less at most a quarter of jitter, never under the floor.
        for (wait, floor) in waits.iter().zip([ms(50), ms(75), ms(150), ms(300)]) {
            assert!(*wait >= floor, "waits after each loss: {waits:?}");
        }
    }
}
