//! A TCP peer that accepts connections and never says a word: what a wedged libvirtd (or
//! a proxy in front of a dead one) looks like to a client. libvirt's open blocks on it
//! until the socket closes, so it shows whether retries pile up blocked threads.

use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

pub struct SilentPeer {
    port: u16,
    held: Arc<Mutex<Vec<TcpStream>>>,
    accepted: Arc<Mutex<usize>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl SilentPeer {
    /// Listens on a free port of 127.0.0.1 (one thread that only accepts).
    pub fn start() -> SilentPeer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().unwrap().port();
        let held = Arc::new(Mutex::new(Vec::new()));
        let accepted = Arc::new(Mutex::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (held, accepted, stop) = (held.clone(), accepted.clone(), stop.clone());
            std::thread::Builder::new()
                .name("silent-peer".into())
                .spawn(move || {
                    for stream in listener.incoming() {
                        if stop.load(Ordering::SeqCst) {
                            return;
                        }
                        if let Ok(s) = stream {
                            *accepted.lock().unwrap() += 1;
                            // Kept open and never read or written: the client waits for an answer.
                            held.lock().unwrap().push(s);
                        }
                    }
                })
                .expect("spawn silent peer")
        };
        SilentPeer { port, held, accepted, stop, thread: Some(thread) }
    }

    /// A libvirt URI that reaches this peer.
    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn uri(&self) -> String {
        format!("qemu+tcp://127.0.0.1:{}/system", self.port)
    }

    /// How many connections the peer has accepted so far.
    pub fn accepted(&self) -> usize {
        *self.accepted.lock().unwrap()
    }

    /// Closes every accepted connection, so opens blocked on them fail and their threads end.
    pub fn hang_up(&self) {
        self.held.lock().unwrap().clear();
    }
}

impl Drop for SilentPeer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees `stop`.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.hang_up();
    }
}
