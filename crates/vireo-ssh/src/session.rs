//! `SshSession`: the handle every feature of a remote host shares. Cloning it shares the
//! one session; the session ends when the last handle is dropped, when `close` is called,
//! or when the link is lost (then every pending call fails with the reason, and
//! `wait_closed` returns it).

use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::time::Duration;

use crate::auth::Auth;
use crate::connect::{self, ConnectOptions, Target};
use crate::error::{Result, SshError};
use crate::hostkey::KeyInfo;
use crate::pump::{Finished, Job, Local, Open, Pump, Request};
use crate::quote::command_line;
use crate::socket::{self, Wake};

/// A finished remote command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The exit status; `None` when the command was killed by a signal or the server did not say.
    pub status: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Output {
    pub fn success(&self) -> bool {
        self.status == Some(0)
    }

    /// The first line of stderr, for messages.
    pub fn stderr_line(&self) -> String {
        String::from_utf8_lossy(&self.stderr).lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim().to_owned()
    }
}

/// Who a command runs as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Privilege {
    /// The login user.
    User,
    /// root: as is when signed in as root, else through `sudo -n` (never a password prompt).
    Root,
}

struct Inner {
    target: Target,
    host_key: KeyInfo,
    newly_accepted: bool,
    tx: mpsc::Sender<Request>,
    wake: UnixStream,
    /// Why the session ended, once it has.
    closed: Mutex<Option<String>>,
    closed_cv: Condvar,
    next_forward: AtomicU64,
}

impl Drop for Inner {
    fn drop(&mut self) {
        let _ = self.tx.send(Request::Close);
        socket::wake(&self.wake);
    }
}

#[derive(Clone)]
pub struct SshSession {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SshSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SshSession").field("target", &self.inner.target.to_string()).finish()
    }
}

impl SshSession {
    /// Connects, checks the host key, signs in and starts the session thread. Blocking.
    pub fn connect(target: &Target, auth: &Auth, opts: &ConnectOptions) -> Result<SshSession> {
        let opened = connect::open(target, auth, opts)?;
        let wake = Wake::new().map_err(|e| SshError::io("cannot create the session's wake-up pipe", e))?;
        let wake_tx = wake.tx.try_clone().map_err(|e| SshError::io("cannot share the wake-up pipe", e))?;
        let (tx, rx) = mpsc::channel();
        let inner = Arc::new(Inner {
            target: target.clone(),
            host_key: opened.host_key,
            newly_accepted: opened.newly_accepted,
            tx,
            wake: wake_tx,
            closed: Mutex::new(None),
            closed_cv: Condvar::new(),
            next_forward: AtomicU64::new(1),
        });
        let pump = Pump::new(opened.session, opened.tcp, wake, rx);
        // The thread holds a weak handle: dropping the last `SshSession` ends it.
        let weak = Arc::downgrade(&inner);
        let name = format!("ssh {}", target.host);
        let thread = std::thread::Builder::new()
            .name(name.chars().take(15).collect())
            .spawn(move || {
                let reason = pump.run();
                tracing::info!("SSH session ended: {reason}");
                if let Some(inner) = weak.upgrade() {
                    *inner.closed.lock().unwrap() = Some(reason);
                    inner.closed_cv.notify_all();
                }
            })
            .map_err(|e| SshError::io("cannot start the session thread", e))?;
        let mut live = LIVE.lock().unwrap();
        live.retain(|(_, t)| !t.is_finished());
        live.push((Arc::downgrade(&inner), thread));
        drop(live);
        Ok(SshSession { inner })
    }

    pub fn target(&self) -> &Target {
        &self.inner.target
    }

    /// The host key the session was verified with.
    pub fn host_key(&self) -> &KeyInfo {
        &self.inner.host_key
    }

    /// Whether the host key was unknown and accepted for this session (to be saved).
    pub fn newly_accepted(&self) -> bool {
        self.inner.newly_accepted
    }

    /// Why the session ended, if it has.
    pub fn closed_reason(&self) -> Option<String> {
        self.inner.closed.lock().unwrap().clone()
    }

    /// Waits until the session ends (returns why), or `timeout` passes (`None`).
    pub fn wait_closed(&self, timeout: Duration) -> Option<String> {
        let guard = self.inner.closed.lock().unwrap();
        let (guard, _) = self.inner.closed_cv.wait_timeout_while(guard, timeout, |c| c.is_none()).unwrap();
        guard.clone()
    }

    /// Ends the session now (every handle sees it closed).
    pub fn close(&self) {
        let _ = self.inner.tx.send(Request::Close);
        socket::wake(&self.inner.wake);
    }

    fn closed_error(&self) -> SshError {
        let reason = self.closed_reason().unwrap_or_else(|| "the session thread stopped".into());
        SshError::Closed { target: self.inner.target.to_string(), reason }
    }

    fn submit(&self, req: Request) -> Result<()> {
        if self.closed_reason().is_some() {
            return Err(self.closed_error());
        }
        self.inner.tx.send(req).map_err(|_| self.closed_error())?;
        socket::wake(&self.inner.wake);
        Ok(())
    }

    fn await_reply<T>(&self, rx: mpsc::Receiver<Result<T>>) -> Result<T> {
        match rx.recv() {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(SshError::Closed { reason, .. })) => {
                Err(SshError::Closed { target: self.inner.target.to_string(), reason })
            }
            Ok(Err(e)) => Err(e),
            Err(_) => Err(self.closed_error()),
        }
    }

    /// Runs `argv` on the remote host and returns its status and output. `argv` is quoted
    /// for the remote shell by `quote::command_line`; nothing is ever pasted into a string.
    pub fn exec<S: AsRef<OsStr>>(&self, argv: &[S], input: &[u8], privilege: Privilege) -> Result<Output> {
        let line = self.command_line(argv, privilege)?;
        let (tx, rx) = mpsc::channel();
        let local = Local::Buffer { input: input.to_vec(), pos: 0, output: Vec::new() };
        self.submit(Request::Job(Box::new(Job::new(Open::Exec(line), local, None, Some(tx)))))?;
        let Finished { status, stdout, stderr } = self.await_reply(rx)?;
        let out = Output { status, stdout, stderr };
        if privilege == Privilege::Root && self.needs_sudo() && sudo_wants_password(&out) {
            return Err(SshError::SudoPassword { target: self.inner.target.to_string() });
        }
        Ok(out)
    }

    /// `exec` that treats a non-zero status as an error carrying the command's stderr.
    pub fn run<S: AsRef<OsStr>>(&self, argv: &[S], privilege: Privilege) -> Result<Output> {
        let out = self.exec(argv, &[], privilege)?;
        if out.success() {
            return Ok(out);
        }
        let program = argv.first().map(|a| a.as_ref().to_string_lossy().into_owned()).unwrap_or_default();
        let status = out.status.map_or_else(|| "no status".to_owned(), |s| format!("status {s}"));
        Err(SshError::Command(format!("{program} on {} failed ({status}): {}", self.inner.target, out.stderr_line())))
    }

    fn needs_sudo(&self) -> bool {
        self.inner.target.user != "root"
    }

    fn command_line<S: AsRef<OsStr>>(&self, argv: &[S], privilege: Privilege) -> Result<Vec<u8>> {
        let mut full: Vec<&OsStr> = Vec::with_capacity(argv.len() + 3);
        if privilege == Privilege::Root && self.needs_sudo() {
            full.extend([OsStr::new("sudo"), OsStr::new("-n"), OsStr::new("--")]);
        }
        full.extend(argv.iter().map(AsRef::as_ref));
        Ok(command_line(&full)?)
    }

    /// Starts `argv` with its stdin and stdout bridged to the returned socket; the receiver
    /// gets its status and stderr when it ends. For transfers.
    pub(crate) fn spawn_stream<S: AsRef<OsStr>>(
        &self,
        argv: &[S],
        privilege: Privilege,
    ) -> Result<(UnixStream, mpsc::Receiver<Result<Finished>>)> {
        let line = self.command_line(argv, privilege)?;
        let (mine, theirs) = stream_pair()?;
        let (tx, rx) = mpsc::channel();
        self.submit(Request::Job(Box::new(Job::new(Open::Exec(line), Local::Stream(theirs), None, Some(tx)))))?;
        Ok((mine, rx))
    }

    pub(crate) fn finish_stream(&self, rx: mpsc::Receiver<Result<Finished>>) -> Result<Output> {
        let Finished { status, stdout, stderr } = self.await_reply(rx)?;
        Ok(Output { status, stdout, stderr })
    }

    /// A connection to `host:port` as the remote host sees it (its loopback included), as a
    /// local socket. Waits until the remote side has connected, so a refusal is an error here.
    pub fn tunnel_tcp(&self, host: &str, port: u16) -> Result<UnixStream> {
        self.tunnel(Open::Tcp(host.to_owned(), port))
    }

    /// A connection to a unix socket on the remote host, as a local socket.
    pub fn tunnel_unix(&self, path: &str) -> Result<UnixStream> {
        self.tunnel(Open::Unix(path.to_owned()))
    }

    fn tunnel(&self, open: Open) -> Result<UnixStream> {
        let (mine, theirs) = stream_pair()?;
        let (tx, rx) = mpsc::channel();
        self.submit(Request::Job(Box::new(Job::new(open, Local::Stream(theirs), Some(tx), None))))?;
        self.await_reply(rx)?;
        Ok(mine)
    }

    /// Serves a local unix socket at `local` (mode 0600; its directory must be private, see
    /// `private_socket_path`) whose every connection is forwarded to `remote` on the host.
    /// The socket goes when the returned guard is dropped.
    pub fn forward_unix(&self, remote: &str, local: &Path) -> Result<Forward> {
        let _ = std::fs::remove_file(local);
        let listener = UnixListener::bind(local)
            .map_err(|e| SshError::io(format!("cannot create the socket {}", local.display()), e))?;
        std::fs::set_permissions(local, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| SshError::io(format!("cannot restrict the socket {}", local.display()), e))?;
        listener.set_nonblocking(true).map_err(|e| SshError::io("cannot make the socket non-blocking", e))?;
        let id = self.inner.next_forward.fetch_add(1, Ordering::Relaxed);
        self.submit(Request::Listen { id, listener, remote: remote.to_owned() })?;
        Ok(Forward { session: self.clone(), id, path: local.to_owned() })
    }
}

/// Every session thread started, with its session, so `shutdown_all` can end them.
static LIVE: Mutex<Vec<(std::sync::Weak<Inner>, std::thread::JoinHandle<()>)>> = Mutex::new(Vec::new());

/// Closes every session and waits (up to `deadline`) for their threads to end. For the
/// end of the process: a session thread still sending while the exit handlers free
/// OpenSSL's state crashes the process (seen with the CLI, about one run in three).
pub fn shutdown_all(deadline: Duration) {
    let live: Vec<_> = std::mem::take(&mut *LIVE.lock().unwrap());
    for (inner, _) in &live {
        if let Some(inner) = inner.upgrade() {
            SshSession { inner }.close();
        }
    }
    let end = std::time::Instant::now() + deadline;
    for (_, thread) in live {
        while !thread.is_finished() && std::time::Instant::now() < end {
            std::thread::sleep(Duration::from_millis(10));
        }
        if thread.is_finished() {
            let _ = thread.join();
        }
    }
}

/// A path for a forwarded socket in this user's private runtime directory.
pub fn private_socket_path(name: &str) -> Result<PathBuf> {
    let dir = socket::private_dir("sockets").map_err(|e| SshError::io("cannot prepare the private socket directory", e))?;
    Ok(dir.join(name))
}

fn stream_pair() -> Result<(UnixStream, UnixStream)> {
    let (mine, theirs) = UnixStream::pair().map_err(|e| SshError::io("cannot create a socket pair", e))?;
    theirs.set_nonblocking(true).map_err(|e| SshError::io("cannot make the socket non-blocking", e))?;
    Ok((mine, theirs))
}

/// sudo -n fails with status 1 and says so when it would have asked.
fn sudo_wants_password(out: &Output) -> bool {
    out.status == Some(1) && String::from_utf8_lossy(&out.stderr).contains("a password is required")
}

/// A forwarded socket; dropping it stops the forward and removes the socket file.
pub struct Forward {
    session: SshSession,
    id: u64,
    path: PathBuf,
}

impl Forward {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Forward {
    fn drop(&mut self) {
        let _ = self.session.submit(Request::Unlisten(self.id));
        let _ = std::fs::remove_file(&self.path);
    }
}
