//! A host reached through Vireo's own SSH session: the sign-in state the host keeps for
//! its session (secrets in memory only, host keys the user accepted, what it waits for
//! from the user), and opening libvirt through the session's forwarded socket.
//!
//! The remote libvirt socket is found, not assumed: the monolithic daemon's
//! `libvirt-sock` (which also proxies to modular daemons where `virtproxyd` runs), else
//! the modular `virtqemud-sock`; their `-ro` twins for a read-only host. The first open
//! tries `libvirt-sock` at once and looks for the others only if libvirt cannot be reached
//! there (a look costs three round trips: 150 ms on a 50 ms link); the socket found is
//! kept for reconnects.

use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::Notify;
use vireo_core::{Error, HostPrompt, PromptAnswer, Result, SshAuth, SshSpec};
use vireo_ssh::{private_socket_path, AcceptedKey, Auth, ConnectOptions, Forward, KeyInfo, Privilege, Secret, SshError, SshSession, Target};

/// The sockets looked for on the remote host, in order.
const SOCKETS: [&str; 2] = ["/var/run/libvirt/libvirt-sock", "/var/run/libvirt/virtqemud-sock"];

/// Prints the first of its arguments that is a socket; fails if none is. A fixed script:
/// the candidates are its arguments.
const FIRST_SOCKET: &str = r#"for s; do [ -S "$s" ] && { printf %s "$s"; exit 0; }; done; exit 1"#;

/// The sign-in state of one SSH host.
pub struct SshLink {
    pub spec: SshSpec,
    state: Mutex<State>,
    /// Woken when the user answered a prompt or asked to connect again.
    pub(crate) answered: Notify,
    /// The remote libvirt socket libvirt last answered on.
    socket: Mutex<Option<String>>,
}

#[derive(Default)]
struct State {
    /// The password or passphrase given for this session.
    secret: Option<Secret>,
    /// Host keys accepted in Vireo (from the store, and those accepted now).
    accepted: Vec<AcceptedKey>,
    /// What the host waits for; while set, the supervisor does not retry on its own.
    prompt: Option<HostPrompt>,
    /// A failure retrying cannot mend (a changed host key, a refused one): wait for the user.
    blocked: bool,
}

impl SshLink {
    pub fn new(spec: SshSpec, accepted: Vec<AcceptedKey>) -> SshLink {
        SshLink {
            spec,
            state: Mutex::new(State { accepted, ..Default::default() }),
            answered: Notify::new(),
            socket: Mutex::new(None),
        }
    }

    /// With the password (or the key's passphrase) known in advance, so the first sign-in
    /// asks nothing: a script's, or one kept for the session. Kept in memory only.
    pub fn with_secret(self, secret: String) -> SshLink {
        self.state.lock().unwrap().secret = Some(Secret::new(secret));
        self
    }

    pub fn target(&self) -> Target {
        Target { host: self.spec.host.clone(), port: self.spec.port, user: self.spec.user.clone() }
    }

    /// The host as people write it, for messages: `ssh://user@host:port`.
    pub fn display_uri(&self) -> String {
        self.spec.uri()
    }

    pub fn prompt(&self) -> Option<HostPrompt> {
        self.state.lock().unwrap().prompt.clone()
    }

    /// Whether the supervisor should wait for the user rather than retry.
    pub(crate) fn waits_for_user(&self) -> bool {
        let s = self.state.lock().unwrap();
        s.prompt.is_some() || s.blocked
    }

    /// Takes the user's answer to the current prompt. Returns the host key to save when
    /// one was accepted. Wakes the supervisor unless the answer was to give up.
    pub fn answer(&self, answer: PromptAnswer) -> Result<Option<AcceptedKey>> {
        let mut s = self.state.lock().unwrap();
        let mut saved = None;
        match (&s.prompt, answer) {
            (Some(HostPrompt::HostKey { key_type, fingerprint }), PromptAnswer::AcceptHostKey { fingerprint: given }) => {
                if given.trim() != fingerprint {
                    return Err(Error::invalid(
                        "host key",
                        format!("the fingerprint given ({}) is not the server's ({fingerprint})", given.trim()),
                    ));
                }
                let key = AcceptedKey {
                    host: self.spec.host.clone(),
                    port: self.spec.port,
                    key: KeyInfo { kind: key_type.clone(), fingerprint: fingerprint.clone() },
                };
                s.accepted.push(key.clone());
                saved = Some(key);
            }
            (Some(HostPrompt::HostKey { .. }), PromptAnswer::RefuseHostKey) | (_, PromptAnswer::Cancel) => {
                s.prompt = None;
                s.blocked = true;
                return Ok(None);
            }
            (Some(HostPrompt::Password { .. } | HostPrompt::Passphrase { .. }), PromptAnswer::Secret { secret }) => {
                s.secret = Some(Secret::new(secret));
            }
            (None, _) => return Err(Error::invalid("answer", "the host is not waiting for an answer")),
            (Some(_), _) => return Err(Error::invalid("answer", "that answer does not fit the question the host asks")),
        }
        s.prompt = None;
        s.blocked = false;
        drop(s);
        self.answered.notify_one();
        Ok(saved)
    }

    /// The user asked to connect: try again now, even after a refusal.
    pub fn retry_now(&self) {
        let mut s = self.state.lock().unwrap();
        s.blocked = false;
        drop(s);
        self.answered.notify_one();
    }

    fn auth(&self) -> Auth {
        let s = self.state.lock().unwrap();
        match self.spec.auth {
            SshAuth::Agent => Auth::Agent,
            SshAuth::Key => Auth::KeyFile {
                path: expand_home(self.spec.key_path.as_deref().unwrap_or("")),
                passphrase: s.secret.clone(),
            },
            SshAuth::Password => s.secret.clone().map_or(Auth::AskPassword, Auth::Password),
        }
    }

    /// Notes what a failed sign-in needs from the user.
    fn note_failure(&self, e: &SshError) {
        let mut s = self.state.lock().unwrap();
        let retry = s.secret.is_some();
        s.prompt = match e {
            SshError::HostKeyUnknown { key, .. } => {
                Some(HostPrompt::HostKey { key_type: key.kind.clone(), fingerprint: key.fingerprint.clone() })
            }
            SshError::PasswordNeeded { .. } => Some(HostPrompt::Password { retry: false }),
            SshError::AuthFailed { .. } if self.spec.auth == SshAuth::Password => Some(HostPrompt::Password { retry }),
            SshError::PassphraseNeeded { path } => Some(HostPrompt::Passphrase { path: path.clone(), retry: false }),
            SshError::PassphraseWrong { path } => Some(HostPrompt::Passphrase { path: path.clone(), retry: true }),
            _ => None,
        };
        if s.prompt.is_some() {
            // A refused secret is not tried again.
            s.secret = None;
        }
        s.blocked = matches!(e, SshError::HostKeyChanged { .. });
    }

    /// Signs in, forwards the remote libvirt socket to a private local one and opens
    /// libvirt there with `open_conn` (given the URI). Blocking (the host's open runs on
    /// the blocking pool).
    pub(crate) fn open<C>(
        &self,
        host_id: &str,
        timeout: Duration,
        keepalive: Duration,
        open_conn: impl Fn(&str, bool) -> Result<C>,
    ) -> Result<(SshOpened, C)> {
        let accepted = self.state.lock().unwrap().accepted.clone();
        let opts = ConnectOptions { timeout, accepted, keepalive, ..Default::default() };
        let session = SshSession::connect(&self.target(), &self.auth(), &opts).map_err(|e| {
            self.note_failure(&e);
            self.error(e)
        })?;
        let candidates = self.candidates();
        let known = self.socket.lock().unwrap().clone();
        let first = known.clone().unwrap_or_else(|| candidates[0].clone());
        let opened = self.forward(host_id, session, &first)?;
        match open_conn(&opened.uri, self.spec.read_only) {
            Ok(conn) => {
                *self.socket.lock().unwrap() = Some(first);
                tracing::info!(host = %host_id, "SSH session to {} up; libvirt at {}", self.spec.display(), opened.remote);
                Ok((opened, conn))
            }
            // Not there after all: look for the socket the host has, and open that.
            Err(first_error) => {
                let found = self.find_socket(&opened.session, &candidates)?;
                if found == first {
                    return Err(first_error);
                }
                let again = self.forward(host_id, opened.session.clone(), &found)?;
                drop(opened.forward);
                let conn = open_conn(&again.uri, self.spec.read_only)?;
                *self.socket.lock().unwrap() = Some(found);
                tracing::info!(host = %host_id, "SSH session to {} up; libvirt at {}", self.spec.display(), again.remote);
                Ok((again, conn))
            }
        }
    }

    fn candidates(&self) -> Vec<String> {
        SOCKETS.iter().map(|s| if self.spec.read_only { format!("{s}-ro") } else { (*s).to_owned() }).collect()
    }

    /// The first candidate that is a socket on the host, by one fixed script; an error
    /// naming them all when there is none.
    fn find_socket(&self, session: &SshSession, candidates: &[String]) -> Result<String> {
        let mut argv = vec!["sh", "-c", FIRST_SOCKET, "sh"];
        argv.extend(candidates.iter().map(String::as_str));
        let out = session.exec(&argv, &[], Privilege::User).map_err(|e| self.error(e))?;
        if !out.success() {
            return Err(Error::Unreachable {
                uri: self.display_uri(),
                reason: format!(
                    "no libvirt socket on the host (looked for {}); is libvirtd or virtqemud running there?",
                    candidates.join(", ")
                ),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Forwards `remote` to a fresh private local socket.
    fn forward(&self, host_id: &str, session: SshSession, remote: &str) -> Result<SshOpened> {
        // Unique per open: a late close of the last session's socket cannot remove this one.
        let local = private_socket_path(&format!("host-{host_id}-{}.sock", unique())).map_err(|e| self.error(e))?;
        let forward = session.forward_unix(remote, &local).map_err(|e| self.error(e))?;
        let uri = format!("qemu+unix:///system?socket={}", local.display());
        Ok(SshOpened { session, forward, uri, remote: remote.to_owned() })
    }

    fn error(&self, e: SshError) -> Error {
        Error::Unreachable { uri: self.display_uri(), reason: e.to_string() }
    }
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(1);
    N.fetch_add(1, Ordering::Relaxed)
}

/// A key path as typed (`~/.ssh/id_ed25519`), with `~` as the user's home.
fn expand_home(path: &str) -> std::path::PathBuf {
    match (path.strip_prefix("~/"), dirs::home_dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => std::path::PathBuf::from(path),
    }
}

/// An SSH session with libvirt's socket forwarded; kept with the libvirt connection it
/// carries, and dropped with it.
pub struct SshOpened {
    pub session: SshSession,
    pub forward: Forward,
    pub uri: String,
    /// The remote libvirt socket it leads to.
    pub remote: String,
}
