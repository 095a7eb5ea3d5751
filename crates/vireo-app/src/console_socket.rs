//! The window's console transport: a WebSocket server on 127.0.0.1 that carries a
//! console's binary records to the page and its input back, one connection per console.
//!
//! Why not the IPC channel: a Tauri channel message costs two trips through the UI
//! thread (an eval, then a fetch for the bytes) and every input a command call, which
//! added 6-16 ms to a key's echo while the guest redraws; a WebSocket goes straight from
//! here to the page's own network stack, as noVNC's does.
//!
//! Each console gets a ticket: a random 128-bit token in the URL it is reached at. The
//! ticket is used once (the first connection takes it) and forgotten when the console
//! closes, so no other local process can read a screen or type into it without it.
//! Records queue until the page connects, so nothing drawn before is lost.

use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::Message;
use vireo_core::{ConsoleInput, Error, Result};

use crate::consoles::Consoles;
use crate::ConsoleSink;

/// The path a console is reached at: `/console/<token>`.
const PATH: &str = "/console/";

struct Ticket {
    console_id: String,
    records: mpsc::UnboundedReceiver<Vec<u8>>,
}

pub(crate) struct ConsoleSocket {
    port: u16,
    tickets: Arc<Mutex<HashMap<String, Ticket>>>,
}

/// A console's records before its ticket is issued: the sink to open it with.
pub(crate) struct Pending {
    token: String,
    records: mpsc::UnboundedReceiver<Vec<u8>>,
}

impl ConsoleSocket {
    /// Listens on a free port of 127.0.0.1; input that arrives goes to `consoles`.
    pub(crate) async fn start(consoles: Arc<Consoles>) -> Result<ConsoleSocket> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| Error::Internal(format!("the console socket cannot listen on 127.0.0.1: {e}")))?;
        let port = listener.local_addr().map_err(|e| Error::Internal(e.to_string()))?.port();
        let tickets: Arc<Mutex<HashMap<String, Ticket>>> = Arc::default();
        let taken = tickets.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                let _ = stream.set_nodelay(true);
                tokio::spawn(serve(stream, taken.clone(), consoles.clone()));
            }
        });
        Ok(ConsoleSocket { port, tickets })
    }

    /// A sink for a console about to open, and what `issue` needs once it has.
    pub(crate) fn prepare(&self) -> Result<(ConsoleSink, Pending)> {
        let (tx, records) = mpsc::unbounded_channel();
        let sink: ConsoleSink = Arc::new(move |buf: Vec<u8>| {
            let _ = tx.send(buf);
        });
        Ok((sink, Pending { token: token()?, records }))
    }

    /// The URL the page reaches the opened console `console_id` at.
    pub(crate) fn issue(&self, pending: Pending, console_id: &str) -> String {
        let url = format!("ws://127.0.0.1:{}{PATH}{}", self.port, pending.token);
        self.tickets.lock().unwrap().insert(pending.token, Ticket { console_id: console_id.to_owned(), records: pending.records });
        url
    }

    /// Forgets a closed console's ticket if the page never used it.
    pub(crate) fn forget(&self, console_id: &str) {
        self.tickets.lock().unwrap().retain(|_, t| t.console_id != console_id);
    }
}

/// 128 random bits from the kernel, as hex.
fn token() -> Result<String> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| Error::Internal(format!("no random bytes for the console's ticket: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// One page's connection: its ticket's records out, its input in, until either side ends.
async fn serve(stream: TcpStream, tickets: Arc<Mutex<HashMap<String, Ticket>>>, consoles: Arc<Consoles>) {
    let mut ticket = None;
    // The handshake callback's type is tungstenite's, large error and all.
    #[allow(clippy::result_large_err)]
    let check = |req: &Request, resp: Response| -> std::result::Result<Response, ErrorResponse> {
        let token = req.uri().path().strip_prefix(PATH).unwrap_or_default();
        ticket = tickets.lock().unwrap().remove(token);
        if ticket.is_some() {
            return Ok(resp);
        }
        let mut refused = ErrorResponse::new(Some("no console has this ticket".into()));
        *refused.status_mut() = tokio_tungstenite::tungstenite::http::StatusCode::FORBIDDEN;
        Err(refused)
    };
    let Ok(ws) = tokio_tungstenite::accept_hdr_async(stream, check).await else { return };
    let Some(Ticket { console_id, mut records }) = ticket else { return };
    let (mut out, mut incoming) = ws.split();
    loop {
        tokio::select! {
            record = records.recv() => match record {
                Some(buf) => {
                    if out.send(Message::Binary(buf.into())).await.is_err() {
                        break;
                    }
                }
                // The console was closed: its sink is gone.
                None => break,
            },
            msg = incoming.next() => match msg {
                Some(Ok(Message::Text(text))) => match serde_json::from_str::<ConsoleInput>(text.as_str()) {
                    // A console that is reconnecting refuses input; the page shows its state.
                    Ok(input) => {
                        let _ = consoles.input(&console_id, input).await;
                    }
                    Err(e) => tracing::warn!(console = %console_id, "console input not understood: {e}"),
                },
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
        }
    }
    let _ = out.close().await;
}
