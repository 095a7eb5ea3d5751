//! A TCP proxy that makes a link slow: it listens on 127.0.0.1 and forwards every
//! connection to a target, holding each chunk it reads for a fixed time in each
//! direction before passing it on (25 ms each way = a 50 ms round trip). Bytes keep
//! their order; there is no rate limit (a chunk is written as soon as it is due).
//!
//! Two threads per connection, one per direction: each waits for input (poll) no longer
//! than until the oldest chunk it holds is due, so reading goes on while chunks wait. An end of
//! stream is passed on (as a half close) once the chunks before it are out.
//!
//! `DelayProxy` runs in the calling process. `DelayProxyProcess` runs it in a child
//! process (the calling program itself, started with `CHILD_FLAG`): a benchmark that
//! measures its own memory does not count the proxy's threads and buffers, and the child
//! ends by itself when its parent goes (its stdin closes).

use std::collections::VecDeque;
use std::io::{BufRead, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The first argument that makes a program call `serve_as_child` (see `run_child_if_asked`).
pub const CHILD_FLAG: &str = "--vireo-delay-proxy";

pub struct DelayProxy {
    port: u16,
    stop: Arc<AtomicBool>,
    /// Both ends of every connection, to cut them when the proxy stops.
    conns: Arc<Mutex<Vec<TcpStream>>>,
    accept: Option<JoinHandle<()>>,
}

impl DelayProxy {
    /// Listens on a free port of 127.0.0.1; forwards to `target`, `one_way` late each way.
    pub fn start(target: SocketAddr, one_way: Duration) -> DelayProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let conns = Arc::new(Mutex::new(Vec::new()));
        let accept = {
            let (stop, conns) = (stop.clone(), conns.clone());
            std::thread::Builder::new()
                .name("delay-proxy".into())
                .spawn(move || {
                    for client in listener.incoming() {
                        if stop.load(Ordering::SeqCst) {
                            return;
                        }
                        let Ok(client) = client else { continue };
                        let Ok(server) = TcpStream::connect(target) else { continue };
                        if let Err(e) = connect_pair(&client, &server, one_way, &conns) {
                            eprintln!("delay proxy: {e}");
                        }
                    }
                })
                .expect("spawn the delay proxy")
        };
        DelayProxy { port, stop, conns, accept: Some(accept) }
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }
}

/// Starts the two forwarding threads of one connection.
fn connect_pair(client: &TcpStream, server: &TcpStream, delay: Duration, conns: &Mutex<Vec<TcpStream>>) -> std::io::Result<()> {
    // No Nagle: a held chunk goes out when due, not when the next one joins it.
    client.set_nodelay(true)?;
    server.set_nodelay(true)?;
    {
        let mut list = conns.lock().unwrap();
        list.push(client.try_clone()?);
        list.push(server.try_clone()?);
    }
    let (c_in, s_out) = (client.try_clone()?, server.try_clone()?);
    let (s_in, c_out) = (server.try_clone()?, client.try_clone()?);
    let trace = Trace::from_env();
    std::thread::Builder::new().name("delay-up".into()).spawn(move || forward(c_in, s_out, delay, trace.map(|t| t.side(">"))))?;
    std::thread::Builder::new().name("delay-down".into()).spawn(move || forward(s_in, c_out, delay, trace.map(|t| t.side("<"))))?;
    Ok(())
}

/// Copies `from` to `to`, each chunk `delay` after it was read, in order.
fn forward(mut from: TcpStream, mut to: TcpStream, delay: Duration, trace: Option<Trace>) {
    let mut held: VecDeque<(Instant, Vec<u8>)> = VecDeque::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut ended = false;
    loop {
        while held.front().is_some_and(|(due, _)| *due <= Instant::now()) {
            let (_, chunk) = held.pop_front().unwrap();
            if to.write_all(&chunk).is_err() {
                let _ = from.shutdown(Shutdown::Both);
                return;
            }
        }
        let wait = held.front().map(|(due, _)| due.saturating_duration_since(Instant::now()).max(Duration::from_millis(1)));
        if ended {
            match wait {
                Some(w) => std::thread::sleep(w),
                None => {
                    // Everything before the end is out: pass the end on.
                    let _ = to.shutdown(Shutdown::Write);
                    return;
                }
            }
            continue;
        }
        if !readable_within(&from, wait) {
            continue;
        }
        match from.read(&mut buf) {
            Ok(0) => ended = true,
            Ok(n) => {
                if let Some(t) = &trace {
                    t.chunk(n);
                }
                held.push_back((Instant::now() + delay, buf[..n].to_vec()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => {
                // Reset: the other side is cut too, at once.
                let _ = to.shutdown(Shutdown::Both);
                return;
            }
        }
    }
}

/// `VIREO_DELAY_TRACE=1`: every chunk read is printed on stderr with the time since its
/// connection was accepted and its direction (`>` client to server), so the round trips a
/// protocol pays can be counted.
#[derive(Clone, Copy)]
struct Trace {
    since: Instant,
    id: u32,
    side: &'static str,
}

impl Trace {
    fn from_env() -> Option<Trace> {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        std::env::var_os("VIREO_DELAY_TRACE").map(|_| Trace {
            since: Instant::now(),
            id: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            side: "",
        })
    }

    fn side(self, side: &'static str) -> Trace {
        Trace { side, ..self }
    }

    fn chunk(&self, bytes: usize) {
        eprintln!("delay trace: conn {} {:>8.1} ms {} {bytes} B", self.id, self.since.elapsed().as_secs_f64() * 1e3, self.side);
    }
}

/// Whether `s` has something to read (data, an end, an error) within `wait` (`None`:
/// however long it takes). poll(2), not a socket read timeout: that one rounds up to
/// the kernel's tick and would add milliseconds to every delay.
fn readable_within(s: &TcpStream, wait: Option<Duration>) -> bool {
    let mut fd = libc::pollfd { fd: s.as_raw_fd(), events: libc::POLLIN, revents: 0 };
    let ms = wait.map_or(-1, |w| w.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32);
    // SAFETY: one valid pollfd for the length of the call; the fd is `s`'s, open meanwhile.
    unsafe { libc::poll(&mut fd, 1, ms) > 0 }
}

impl Drop for DelayProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees `stop`.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
        for c in self.conns.lock().unwrap().drain(..) {
            let _ = c.shutdown(Shutdown::Both);
        }
    }
}

/// For a program's `main`, first thing: when started as a proxy child (`CHILD_FLAG
/// <target port on 127.0.0.1> <one-way ms>`), serves until stdin closes, then exits.
/// Otherwise returns at once.
pub fn run_child_if_asked() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) != Some(CHILD_FLAG) {
        return;
    }
    let target: u16 = args.get(2).and_then(|p| p.parse().ok()).expect("delay proxy: target port");
    let ms: u64 = args.get(3).and_then(|p| p.parse().ok()).expect("delay proxy: one-way delay in ms");
    let proxy = DelayProxy::start(SocketAddr::from(([127, 0, 0, 1], target)), Duration::from_millis(ms));
    println!("{}", proxy.port());
    let _ = std::io::stdout().flush();
    // The parent holds our stdin: it closes when the parent ends or drops us.
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    drop(proxy);
    std::process::exit(0);
}

/// A `DelayProxy` in a child process: `program` (which calls `run_child_if_asked`)
/// started again with `CHILD_FLAG`. Killed when dropped.
pub struct DelayProxyProcess {
    port: u16,
    child: Child,
}

impl DelayProxyProcess {
    pub fn spawn(program: &Path, target_port: u16, one_way: Duration) -> DelayProxyProcess {
        let mut child = Command::new(program)
            .args([CHILD_FLAG, &target_port.to_string(), &one_way.as_millis().to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("start the delay proxy ({}): {e}", program.display()));
        let mut line = String::new();
        let out = child.stdout.take().unwrap();
        let _ = std::io::BufReader::new(out).read_line(&mut line);
        let Ok(port) = line.trim().parse() else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the delay proxy did not say its port (got {line:?})");
        };
        DelayProxyProcess { port, child }
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for DelayProxyProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
