//! The session thread: it alone touches the `ssh2::Session` after sign-in, in non-blocking
//! mode, and moves the bytes of every channel (commands, forwarded sockets, tunnels,
//! transfers) in one loop, so no channel waits behind another and no lock is held across
//! a blocking call. Other threads hand it work through a queue and a wake-up pipe.
//!
//! libssh2 may read the packets of one channel while serving another and keep them
//! queued, where `poll` on the socket cannot see them; so the loop waits in `poll` only
//! after a full pass over every channel moved nothing.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::os::unix::net::{UnixListener, UnixStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ssh2::{BlockDirections, Channel, ErrorCode, Session};

use crate::error::SshError;
use crate::socket::{self, pollfd, Wake};

/// libssh2's "would block".
const EAGAIN: i32 = -37;
/// The most read ahead per direction of a channel before its reader catches up.
const BUFFER: usize = 256 * 1024;
/// Bytes of a command's stderr kept (the rest is dropped; a message fits).
const STDERR_CAP: usize = 1024 * 1024;
/// The longest the thread sleeps when idle (keepalives are due at whole seconds).
const IDLE: Duration = Duration::from_millis(1000);

/// What a channel is opened to.
#[derive(Debug, Clone)]
pub(crate) enum Open {
    /// A command line for the remote shell (built by `quote`).
    Exec(Vec<u8>),
    /// A unix socket on the remote host (libvirt's).
    Unix(String),
    /// A TCP address as the remote host sees it (a VNC server).
    Tcp(String, u16),
}

/// The local side of a channel.
pub(crate) enum Local {
    /// A command's whole input, given up front, and its output, collected.
    Buffer { input: Vec<u8>, pos: usize, output: Vec<u8> },
    /// A socket whose bytes go to the channel and back (non-blocking).
    Stream(UnixStream),
}

/// How a channel ended.
#[derive(Debug, Default)]
pub(crate) struct Finished {
    pub status: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

pub(crate) type Reply<T> = mpsc::Sender<Result<T, SshError>>;

pub(crate) struct Job {
    open: Open,
    local: Local,
    /// Told once the channel is open (or could not be).
    opened: Option<Reply<()>>,
    /// Told how it ended.
    done: Option<Reply<Finished>>,
    channel: Option<Channel>,
    exec_sent: bool,
    up: Vec<u8>,
    up_pos: usize,
    down: Vec<u8>,
    stderr: Vec<u8>,
    local_eof: bool,
    eof_sent: bool,
    remote_eof: bool,
    local_shut: bool,
}

impl Job {
    pub(crate) fn new(open: Open, local: Local, opened: Option<Reply<()>>, done: Option<Reply<Finished>>) -> Job {
        Job {
            open,
            local,
            opened,
            done,
            channel: None,
            exec_sent: false,
            up: Vec::new(),
            up_pos: 0,
            down: Vec::new(),
            stderr: Vec::new(),
            local_eof: false,
            eof_sent: false,
            remote_eof: false,
            local_shut: false,
        }
    }

    fn fail(mut self, e: SshError) {
        let text = e.to_string();
        if let Some(tx) = self.opened.take() {
            let _ = tx.send(Err(SshError::Again(text.clone())));
        }
        if let Some(tx) = self.done.take() {
            let _ = tx.send(Err(e));
        }
    }

    fn finish(mut self) {
        let status = self.channel.as_ref().and_then(|c| c.exit_status().ok());
        let stdout = match &mut self.local {
            Local::Buffer { output, .. } => std::mem::take(output),
            Local::Stream(_) => Vec::new(),
        };
        let stderr = std::mem::take(&mut self.stderr);
        if let Some(tx) = self.done.take() {
            let _ = tx.send(Ok(Finished { status, stdout, stderr }));
        }
    }

    fn describe(&self) -> String {
        match &self.open {
            Open::Exec(_) => "the remote command".into(),
            Open::Unix(p) => format!("the remote socket {p}"),
            Open::Tcp(h, p) => format!("{h}:{p} on the remote host"),
        }
    }
}

/// What a step of one job came to.
enum Step {
    Idle,
    Moved,
    Done,
    Failed(SshError),
}

fn would_block(e: &ssh2::Error) -> bool {
    e.code() == ErrorCode::Session(EAGAIN)
}

/// Errors that mean the session itself is gone, not one channel.
fn session_lost(e: &ssh2::Error) -> bool {
    // SOCKET_SEND, SOCKET_DISCONNECT, SOCKET_TIMEOUT, SOCKET_RECV, KEX failure, timeout.
    matches!(e.code(), ErrorCode::Session(-7 | -13 | -30 | -43 | -5 | -9))
}

pub(crate) enum Request {
    Job(Box<Job>),
    /// Each connection accepted becomes a channel to this remote socket.
    Listen { id: u64, listener: UnixListener, remote: String },
    Unlisten(u64),
    Close,
}

struct Forward {
    id: u64,
    listener: UnixListener,
    remote: String,
}

pub(crate) struct Pump {
    pub sess: Session,
    pub tcp: TcpStream,
    pub wake: Wake,
    pub requests: mpsc::Receiver<Request>,
    jobs: Vec<Job>,
    forwards: Vec<Forward>,
    next_keepalive: Instant,
}

impl Pump {
    pub(crate) fn new(sess: Session, tcp: TcpStream, wake: Wake, requests: mpsc::Receiver<Request>) -> Pump {
        Pump { sess, tcp, wake, requests, jobs: Vec::new(), forwards: Vec::new(), next_keepalive: Instant::now() }
    }

    /// Runs until the session is closed or lost; returns why it ended.
    pub(crate) fn run(mut self) -> String {
        self.sess.set_blocking(false);
        let reason = loop {
            match self.take_requests() {
                Ok(()) => {}
                Err(reason) => break reason,
            }
            let mut moved = false;
            // A bounded number of busy passes, then a look at the sockets.
            for _ in 0..64 {
                match self.pass() {
                    Ok(true) => moved = true,
                    Ok(false) => break,
                    Err(reason) => return self.shut_down(reason),
                }
            }
            if let Err(reason) = self.keepalive() {
                break reason;
            }
            if let Err(reason) = self.wait(if moved { Duration::ZERO } else { IDLE }) {
                break reason;
            }
        };
        self.shut_down(reason)
    }

    fn shut_down(mut self, reason: String) -> String {
        for job in self.jobs.drain(..) {
            job.fail(SshError::Closed { target: String::new(), reason: reason.clone() });
        }
        // Requests that raced the end are answered too.
        while let Ok(req) = self.requests.try_recv() {
            if let Request::Job(job) = req {
                job.fail(SshError::Closed { target: String::new(), reason: reason.clone() });
            }
        }
        self.sess.set_blocking(true);
        self.sess.set_timeout(1000);
        let _ = self.sess.disconnect(None, "closed by Vireo", None);
        reason
    }

    fn take_requests(&mut self) -> Result<(), String> {
        loop {
            match self.requests.try_recv() {
                Ok(Request::Job(job)) => self.jobs.push(*job),
                Ok(Request::Listen { id, listener, remote }) => self.forwards.push(Forward { id, listener, remote }),
                Ok(Request::Unlisten(id)) => self.forwards.retain(|f| f.id != id),
                Ok(Request::Close) => return Err("closed".into()),
                Err(mpsc::TryRecvError::Empty) => return Ok(()),
                // Every handle is gone.
                Err(mpsc::TryRecvError::Disconnected) => return Err("closed".into()),
            }
        }
    }

    /// One pass over the forwards and every job; whether anything moved.
    fn pass(&mut self) -> Result<bool, String> {
        let mut moved = false;
        for f in &self.forwards {
            while let Ok((conn, _)) = f.listener.accept() {
                if conn.set_nonblocking(true).is_ok() {
                    self.jobs.push(Job::new(Open::Unix(f.remote.clone()), Local::Stream(conn), None, None));
                    moved = true;
                }
            }
        }
        let mut i = 0;
        while i < self.jobs.len() {
            match step(&self.sess, &mut self.jobs[i]) {
                Step::Idle => i += 1,
                Step::Moved => {
                    moved = true;
                    i += 1;
                }
                Step::Done => {
                    self.jobs.swap_remove(i).finish();
                    moved = true;
                }
                Step::Failed(SshError::Ssh { source, context }) if session_lost(&source) => {
                    return Err(format!("{context}: {}", source.message()));
                }
                Step::Failed(e) => {
                    self.jobs.swap_remove(i).fail(e);
                    moved = true;
                }
            }
        }
        Ok(moved)
    }

    fn keepalive(&mut self) -> Result<(), String> {
        if Instant::now() < self.next_keepalive {
            return Ok(());
        }
        match self.sess.keepalive_send() {
            Ok(secs) => {
                self.next_keepalive = Instant::now() + Duration::from_secs(u64::from(secs.max(1)));
                Ok(())
            }
            Err(e) if would_block(&e) => {
                self.next_keepalive = Instant::now() + Duration::from_millis(100);
                Ok(())
            }
            Err(e) => Err(format!("the link is gone ({})", e.message())),
        }
    }

    /// Sleeps until the session socket, a local socket or a request wants attention.
    fn wait(&mut self, timeout: Duration) -> Result<(), String> {
        let tcp_events = match self.sess.block_directions() {
            BlockDirections::Outbound => libc::POLLOUT,
            BlockDirections::Both => libc::POLLIN | libc::POLLOUT,
            _ => libc::POLLIN,
        };
        let mut fds = vec![pollfd(self.tcp.as_raw_fd(), tcp_events), pollfd(self.wake.rx.as_raw_fd(), libc::POLLIN)];
        for f in &self.forwards {
            fds.push(pollfd(f.listener.as_raw_fd(), libc::POLLIN));
        }
        for job in &self.jobs {
            if let Local::Stream(s) = &job.local {
                let mut ev = 0;
                if !job.local_eof && job.up_pos >= job.up.len() && job.channel.is_some() {
                    ev |= libc::POLLIN;
                }
                if !job.down.is_empty() {
                    ev |= libc::POLLOUT;
                }
                if ev != 0 {
                    fds.push(pollfd(s.as_raw_fd(), ev));
                }
            }
        }
        let until_keepalive = self.next_keepalive.saturating_duration_since(Instant::now());
        socket::poll(&mut fds, timeout.min(until_keepalive)).map_err(|e| format!("poll failed: {e}"))?;
        if fds[0].revents & (libc::POLLERR | libc::POLLNVAL) != 0 {
            return Err("the connection failed".into());
        }
        if fds[1].revents != 0 {
            self.wake.drain();
        }
        Ok(())
    }
}

/// Moves what can be moved for one job without blocking.
fn step(sess: &Session, job: &mut Job) -> Step {
    let mut moved = false;
    if job.channel.is_none() {
        let opened = match &job.open {
            Open::Exec(_) => sess.channel_session(),
            Open::Unix(path) => sess.channel_direct_streamlocal(path, None),
            Open::Tcp(host, port) => sess.channel_direct_tcpip(host, *port, None),
        };
        match opened {
            Ok(ch) => job.channel = Some(ch),
            Err(e) if would_block(&e) => return Step::Idle,
            Err(e) if session_lost(&e) => return Step::Failed(SshError::ssh("the session failed", e)),
            Err(e) => {
                let what = job.describe();
                return Step::Failed(SshError::Channel { what, reason: e.message().to_owned() });
            }
        }
        moved = true;
    }
    let ch = job.channel.as_mut().expect("opened above");
    if let Open::Exec(line) = &job.open {
        if !job.exec_sent {
            match ch.exec(&String::from_utf8_lossy(line)) {
                Ok(()) => job.exec_sent = true,
                Err(e) if would_block(&e) => return if moved { Step::Moved } else { Step::Idle },
                Err(e) => return Step::Failed(SshError::ssh("cannot start the remote command", e)),
            }
            moved = true;
        }
    }
    if let Some(tx) = job.opened.take() {
        let _ = tx.send(Ok(()));
    }
    match pump_up(ch, job_parts_up(&mut job.local), &mut job.up, &mut job.up_pos, &mut job.local_eof, &mut job.eof_sent) {
        Ok(m) => moved |= m,
        Err(e) => return Step::Failed(e),
    }
    match pump_down(ch, &mut job.local, &mut job.down, &mut job.stderr, &mut job.remote_eof) {
        Ok(m) => moved |= m,
        Err(e) => return Step::Failed(e),
    }
    // Remote side finished and everything handed over: tell the local side.
    if job.remote_eof && job.down.is_empty() && !job.local_shut {
        if let Local::Stream(s) = &job.local {
            let _ = s.shutdown(std::net::Shutdown::Write);
        }
        job.local_shut = true;
        moved = true;
    }
    let finished = match job.open {
        // A command ends when its output has ended; its status comes with the close.
        Open::Exec(_) => job.remote_eof && job.down.is_empty(),
        // A tunnel ends when both directions have.
        _ => job.remote_eof && job.down.is_empty() && job.eof_sent,
    };
    if finished {
        match ch.wait_close() {
            Ok(()) => return Step::Done,
            Err(e) if would_block(&e) => {}
            Err(_) => return Step::Done,
        }
    }
    if moved {
        Step::Moved
    } else {
        Step::Idle
    }
}

/// The input side of a job's local end (a buffer to take from, or a socket to read).
enum UpSource<'a> {
    Buffer(&'a [u8], &'a mut usize),
    Stream(&'a UnixStream),
}

fn job_parts_up(local: &mut Local) -> UpSource<'_> {
    match local {
        Local::Buffer { input, pos, .. } => UpSource::Buffer(input, pos),
        Local::Stream(s) => UpSource::Stream(s),
    }
}

/// Local input to the channel, then EOF once the input has ended.
fn pump_up(
    ch: &mut Channel,
    mut src: UpSource<'_>,
    up: &mut Vec<u8>,
    up_pos: &mut usize,
    local_eof: &mut bool,
    eof_sent: &mut bool,
) -> Result<bool, SshError> {
    let mut moved = false;
    loop {
        if *up_pos >= up.len() && !*local_eof {
            up.clear();
            *up_pos = 0;
            match &mut src {
                UpSource::Buffer(input, pos) => {
                    let take = (input.len() - **pos).min(64 * 1024);
                    if take == 0 {
                        *local_eof = true;
                    } else {
                        up.extend_from_slice(&input[**pos..**pos + take]);
                        **pos += take;
                    }
                }
                UpSource::Stream(s) => {
                    up.resize(64 * 1024, 0);
                    match (&**s).read(up) {
                        Ok(0) => {
                            up.clear();
                            *local_eof = true;
                        }
                        Ok(n) => up.truncate(n),
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                            up.clear();
                            break;
                        }
                        Err(_) => {
                            // The local side is gone: as good as its end.
                            up.clear();
                            *local_eof = true;
                        }
                    }
                }
            }
            moved = true;
        }
        if *up_pos >= up.len() {
            break;
        }
        match ch.write(&up[*up_pos..]) {
            Ok(0) => break,
            Ok(n) => {
                *up_pos += n;
                moved = true;
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) => return Err(io_to_ssh("cannot send to the remote side", e)),
        }
    }
    if *local_eof && *up_pos >= up.len() && !*eof_sent {
        match ch.send_eof() {
            Ok(()) => {
                *eof_sent = true;
                moved = true;
            }
            Err(e) if would_block(&e) => {}
            Err(e) => return Err(SshError::ssh("cannot end the input", e)),
        }
    }
    Ok(moved)
}

/// Channel output (and stderr) to the local side, as far as the local side takes it.
fn pump_down(
    ch: &mut Channel,
    local: &mut Local,
    down: &mut Vec<u8>,
    stderr: &mut Vec<u8>,
    remote_eof: &mut bool,
) -> Result<bool, SshError> {
    let mut moved = false;
    let mut buf = [0u8; 32 * 1024];
    loop {
        // Hand over what is pending first.
        if !down.is_empty() {
            match local {
                Local::Buffer { output, .. } => {
                    output.append(down);
                    moved = true;
                }
                Local::Stream(s) => match (&*s).write(down) {
                    Ok(n) => {
                        down.drain(..n);
                        moved |= n > 0;
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(_) => {
                        // Nobody reads any more: drop it, and close the channel.
                        down.clear();
                        let _ = ch.close();
                        *remote_eof = true;
                        return Ok(true);
                    }
                },
            }
        }
        if down.len() >= BUFFER || *remote_eof {
            break;
        }
        match ch.read(&mut buf) {
            Ok(0) => {
                if ch.eof() {
                    *remote_eof = true;
                    moved = true;
                }
                break;
            }
            Ok(n) => {
                down.extend_from_slice(&buf[..n]);
                moved = true;
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) => return Err(io_to_ssh("cannot read from the remote side", e)),
        }
    }
    loop {
        match ch.stderr().read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let room = STDERR_CAP.saturating_sub(stderr.len());
                stderr.extend_from_slice(&buf[..n.min(room)]);
                moved = true;
            }
            Err(_) => break,
        }
    }
    Ok(moved)
}

/// ssh2's `Read`/`Write` wrap its errors in `io::Error`; unwrap them so a lost session is told apart.
fn io_to_ssh(context: &str, e: io::Error) -> SshError {
    match e.get_ref().and_then(|inner| inner.downcast_ref::<ssh2::Error>()) {
        Some(inner) => SshError::Ssh {
            context: format!("{context} ({})", inner.message()),
            source: ssh2::Error::new(inner.code(), "channel I/O failed"),
        },
        None => SshError::io(context, e),
    }
}
