//! The open VNC consoles of the app: any number at once, on one host or several. Each is
//! reached through its host's session (an SSH host's console is a channel of the one SSH
//! session, so it asks for nothing), and comes back by itself when the server goes away
//! (the VM restarted, the tunnel dropped) for as long as the VM may come back.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;
use vireo_console::{state_message, Console, ConsoleOptions};
use vireo_core::{ConsoleInfo, ConsoleInput, ConsoleState, Error, Result, VmRef};
use vireo_host::Host;

/// Where a console's binary messages go (the window's channel, a test's queue).
pub type ConsoleSink = Arc<dyn Fn(Vec<u8>) + Send + Sync>;

/// How long a console keeps trying after its server went away before it gives up.
const RECONNECT_FOR: Duration = Duration::from_secs(120);
/// The wait between two attempts to reach the server again.
const RECONNECT_EVERY: Duration = Duration::from_millis(500);

#[derive(Default)]
pub(crate) struct Consoles {
    next: AtomicU64,
    open: Mutex<HashMap<String, Open>>,
}

struct Open {
    vm_name: String,
    /// The connection now; replaced by each reconnect.
    current: Arc<Mutex<Option<Arc<Console>>>>,
    /// Watches the connection and reconnects; aborted on close.
    keeper: JoinHandle<()>,
}

impl Consoles {
    /// Opens a console of `vm` on `host`: its VNC display found, reached and signed in to.
    pub(crate) async fn open(&self, host: Host, vm: VmRef, view_only: bool, sink: ConsoleSink) -> Result<ConsoleInfo> {
        let (name, console) = connect(&host, &vm, view_only, &sink).await?;
        let id = format!("console-{}", self.next.fetch_add(1, Ordering::Relaxed) + 1);
        let current = Arc::new(Mutex::new(Some(Arc::new(console))));
        let keeper = tokio::spawn(keep(host.clone(), vm, view_only, sink, current.clone()));
        let info = ConsoleInfo { id: id.clone(), host_id: host.id().to_owned(), vm_name: name.clone() };
        self.open.lock().unwrap().insert(id, Open { vm_name: name, current, keeper });
        Ok(info)
    }

    pub(crate) async fn input(&self, id: &str, input: ConsoleInput) -> Result<()> {
        let (name, console) = self.current(id)?;
        let Some(console) = console else {
            return Err(Error::NoConsole { name, reason: "it is reconnecting; try again in a moment".into() });
        };
        console.send(input).await.map_err(|e| Error::NoConsole { name, reason: e.to_string() })
    }

    /// The screen now as a PNG, written under `dir`; the file's path.
    pub(crate) async fn screenshot(&self, id: &str, dir: PathBuf) -> Result<PathBuf> {
        let (name, console) = self.current(id)?;
        let console = console.ok_or_else(|| Error::NoConsole { name: name.clone(), reason: "it is reconnecting".into() })?;
        tokio::task::spawn_blocking(move || {
            let png = console.screenshot_png().map_err(|e| Error::NoConsole { name: name.clone(), reason: e.to_string() })?;
            std::fs::create_dir_all(&dir).map_err(|e| Error::Internal(format!("cannot create {}: {e}", dir.display())))?;
            let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
            // The VM's name may hold anything libvirt allows; the file name keeps only the safe part.
            let safe: String = name.chars().map(|c| if c.is_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
            let path = dir.join(format!("{safe}-{stamp}.png"));
            std::fs::write(&path, png).map_err(|e| Error::Internal(format!("cannot write {}: {e}", path.display())))?;
            Ok(path)
        })
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
    }

    /// Closes a console: its connection, its tunnel and its reconnecting.
    pub(crate) async fn close(&self, id: &str) -> Result<()> {
        let open = self.open.lock().unwrap().remove(id).ok_or_else(|| unknown(id))?;
        open.keeper.abort();
        let console = open.current.lock().unwrap().take();
        if let Some(console) = console {
            console.close().await;
        }
        Ok(())
    }

    /// How many consoles are open (for tests and leak checks).
    pub(crate) fn count(&self) -> usize {
        self.open.lock().unwrap().len()
    }

    fn current(&self, id: &str) -> Result<(String, Option<Arc<Console>>)> {
        let open = self.open.lock().unwrap();
        let o = open.get(id).ok_or_else(|| unknown(id))?;
        let console = o.current.lock().unwrap().clone();
        Ok((o.vm_name.clone(), console))
    }
}

fn unknown(id: &str) -> Error {
    Error::invalid("console", format!("no open console '{id}' (it was closed)"))
}

/// Finds the VM's display, reaches it and speaks RFB; the VM's name and the console.
async fn connect(host: &Host, vm: &VmRef, view_only: bool, sink: &ConsoleSink) -> Result<(String, Console)> {
    let (name, display) = host.vnc_display(vm).await?;
    let stream = host.open_vnc(&name, &display.address).await?;
    let sink = sink.clone();
    let opts = ConsoleOptions { password: display.password.clone(), view_only };
    let console = Console::connect(stream, opts, Box::new(move |buf| sink(buf)))
        .await
        .map_err(|e| Error::NoConsole { name: name.clone(), reason: e.to_string() })?;
    Ok((name, console))
}

/// Waits for the connection to end and reconnects, telling the UI it does; gives up
/// after `RECONNECT_FOR` without a server (the VM was shut down or deleted).
async fn keep(host: Host, vm: VmRef, view_only: bool, sink: ConsoleSink, current: Arc<Mutex<Option<Arc<Console>>>>) {
    loop {
        let Some(console) = current.lock().unwrap().clone() else { return };
        let reason = console.wait_ended().await;
        *current.lock().unwrap() = None;
        sink(state_message(ConsoleState::Reconnecting, &reason));
        let since = Instant::now();
        let mut last = reason;
        let console = loop {
            if since.elapsed() > RECONNECT_FOR {
                let why = format!("gave up after {} s without its VNC server: {last}", RECONNECT_FOR.as_secs());
                sink(state_message(ConsoleState::Closed, &why));
                return;
            }
            tokio::time::sleep(RECONNECT_EVERY).await;
            match connect(&host, &vm, view_only, &sink).await {
                Ok((_, console)) => break console,
                Err(e) => last = e.to_string(),
            }
        };
        tracing::info!(host = %host.id(), vm = %vm, "console reconnected after {:?}", since.elapsed());
        *current.lock().unwrap() = Some(Arc::new(console));
    }
}
