//! Opening a session: TCP with a timeout, the SSH handshake, the host-key check, then the
//! sign-in. All of it blocking (the caller runs it off the async workers); the session
//! then goes to its own thread (`pump`).

use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use ssh2::Session;

use crate::auth::Auth;
use crate::error::{Result, SshError};
use crate::hostkey::{self, AcceptedKey, KeyInfo, Verdict};

/// Where to sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub host: String,
    pub port: u16,
    pub user: String,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.port == 22 {
            write!(f, "{}@{}", self.user, self.host)
        } else {
            write!(f, "{}@{}:{}", self.user, self.host, self.port)
        }
    }
}

/// How a session is opened and kept.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// For the TCP connect, the handshake and the sign-in, each.
    pub timeout: Duration,
    /// known_hosts files to trust (the user's own by default).
    pub known_hosts: Vec<PathBuf>,
    /// Keys accepted in Vireo before.
    pub accepted: Vec<AcceptedKey>,
    /// A fingerprint the user confirmed for an unknown key (`SHA256:...`); never applies
    /// to a changed one.
    pub accept_new: Option<String>,
    /// How often the session proves the link alive; a dead link is noticed within about
    /// three of these.
    pub keepalive: Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            timeout: Duration::from_secs(10),
            known_hosts: hostkey::default_known_hosts(),
            accepted: Vec::new(),
            accept_new: None,
            keepalive: Duration::from_secs(5),
        }
    }
}

/// A signed-in session, still blocking, with the key it was verified by.
pub struct Opened {
    pub session: Session,
    pub tcp: TcpStream,
    pub host_key: KeyInfo,
    /// Whether the key was unknown and accepted now by `accept_new` (the caller saves it).
    pub newly_accepted: bool,
}

/// libssh2's timeout error code.
const LIBSSH2_ERROR_TIMEOUT: i32 = -9;

/// AES-GCM first: OpenSSL runs it on the CPU's AES instructions, while libssh2's own
/// first choice, chacha20-poly1305, is its portable C code, the bottleneck of a
/// large upload (the others stay, in libssh2's order, for servers without GCM).
const CIPHERS: &str = "aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr";

fn prefer_fast_ciphers(sess: &Session) {
    for dir in [ssh2::MethodType::CryptCs, ssh2::MethodType::CryptSc] {
        if let Err(e) = sess.method_pref(dir, CIPHERS) {
            tracing::debug!("cipher preference not taken, libssh2's own order stays: {e}");
        }
    }
}

pub fn open(target: &Target, auth: &Auth, opts: &ConnectOptions) -> Result<Opened> {
    let name = target.to_string();
    let tcp = tcp_connect(target, opts.timeout)?;
    let mut sess = Session::new().map_err(|e| SshError::ssh("cannot start an SSH session", e))?;
    sess.set_tcp_stream(tcp.try_clone().map_err(|e| SshError::io("cannot share the socket", e))?);
    sess.set_timeout(opts.timeout.as_millis().min(u32::MAX as u128) as u32);
    prefer_fast_ciphers(&sess);
    sess.handshake().map_err(|e| {
        if is_timeout(&e) {
            SshError::Timeout { target: name.clone(), secs: opts.timeout.as_secs().max(1) }
        } else {
            SshError::Handshake { target: name.clone(), reason: e.message().to_owned() }
        }
    })?;
    let (blob, key) = hostkey::server_key(&sess)
        .ok_or_else(|| SshError::Handshake { target: name.clone(), reason: "the server showed no host key".into() })?;
    let verdict = hostkey::verify(&sess, &target.host, target.port, &blob, &key, &opts.known_hosts, &opts.accepted)?;
    let newly_accepted = match verdict {
        Verdict::Known => false,
        Verdict::Changed { expected } => {
            return Err(SshError::HostKeyChanged { target: name, host: target.host.clone(), expected, got: key })
        }
        Verdict::Unknown if opts.accept_new.as_deref() == Some(key.fingerprint.as_str()) => true,
        Verdict::Unknown => return Err(SshError::HostKeyUnknown { target: name, key }),
    };
    sign_in(&sess, target, auth, opts)?;
    sess.set_keepalive(true, opts.keepalive.as_secs().max(1) as u32);
    Ok(Opened { session: sess, tcp, host_key: key, newly_accepted })
}

fn is_timeout(e: &ssh2::Error) -> bool {
    e.code() == ssh2::ErrorCode::Session(LIBSSH2_ERROR_TIMEOUT)
}

/// Every address the name resolves to, in turn, each within the timeout.
fn tcp_connect(target: &Target, timeout: Duration) -> Result<TcpStream> {
    let name = target.to_string();
    let addrs: Vec<_> = (target.host.as_str(), target.port)
        .to_socket_addrs()
        .map_err(|e| SshError::Connect { target: name.clone(), source: e })?
        .collect();
    let deadline = Instant::now() + timeout;
    let mut last = None;
    for addr in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match TcpStream::connect_timeout(&addr, left) {
            Ok(tcp) => {
                let _ = tcp.set_nodelay(true);
                crate::socket::keep_alive(&tcp, timeout);
                return Ok(tcp);
            }
            Err(e) => last = Some(e),
        }
    }
    Err(match last {
        Some(e) if e.kind() == std::io::ErrorKind::TimedOut => SshError::Timeout { target: name, secs: timeout.as_secs().max(1) },
        Some(e) => SshError::Connect { target: name, source: e },
        None => SshError::Timeout { target: name, secs: timeout.as_secs().max(1) },
    })
}

fn sign_in(sess: &Session, target: &Target, auth: &Auth, opts: &ConnectOptions) -> Result<()> {
    let failed = |reason: String| SshError::AuthFailed {
        target: target.to_string(),
        user: target.user.clone(),
        method: auth.method(),
        reason,
    };
    let result = match auth {
        Auth::Agent => agent_sign_in(sess, &target.user).map_err(|e| match e {
            SshError::AuthFailed { reason, .. } => failed(reason),
            other => other,
        }),
        Auth::KeyFile { path, passphrase } => {
            check_key_file(path, passphrase.is_some())?;
            sess.userauth_pubkey_file(&target.user, None, path, passphrase.as_ref().map(|p| p.expose())).map_err(|e| {
                if passphrase.is_some() && is_key_decode_error(&e) {
                    SshError::PassphraseWrong { path: path.display().to_string() }
                } else {
                    failed(e.message().to_owned())
                }
            })
        }
        Auth::Password(pw) => sess.userauth_password(&target.user, pw.expose()).map_err(|e| failed(e.message().to_owned())),
        Auth::AskPassword => Err(SshError::PasswordNeeded { target: target.to_string() }),
    };
    match result {
        Err(SshError::AuthFailed { .. }) | Err(SshError::NoAgent(_)) | Err(SshError::PassphraseWrong { .. }) if is_timeout_now(sess) => {
            Err(SshError::Timeout { target: target.to_string(), secs: opts.timeout.as_secs().max(1) })
        }
        Err(e) => Err(e),
        Ok(()) if sess.authenticated() => Ok(()),
        Ok(()) => Err(failed("the server did not accept the credentials".into())),
    }
}

fn is_timeout_now(sess: &Session) -> bool {
    ssh2::Error::last_session_error(sess).is_some_and(|e| is_timeout(&e))
}

/// libssh2 reports a wrong passphrase as a failure to decode the private key.
fn is_key_decode_error(e: &ssh2::Error) -> bool {
    // LIBSSH2_ERROR_FILE (-16): "Unable to extract public key from private key file" / decrypt.
    e.code() == ssh2::ErrorCode::Session(-16)
}

/// An encrypted key without a passphrase is asked for before trying it (sshd would only say "denied").
fn check_key_file(path: &std::path::Path, have_passphrase: bool) -> Result<()> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| SshError::KeyFile { path: path.display().to_string(), reason: e.to_string() })?;
    if !have_passphrase && key_is_encrypted(&text) {
        return Err(SshError::PassphraseNeeded { path: path.display().to_string() });
    }
    Ok(())
}

/// Whether a PEM or OpenSSH private key is encrypted.
pub(crate) fn key_is_encrypted(text: &str) -> bool {
    if text.contains("ENCRYPTED") {
        return true;
    }
    // openssh-key-v1: the cipher name follows the magic; "none" when unencrypted.
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .ok()
        .filter(|b| b.starts_with(b"openssh-key-v1\0"))
        .is_some_and(|b| {
            let rest = &b[15..];
            rest.len() >= 8 && {
                let n = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
                rest.get(4..4 + n) != Some(b"none".as_slice())
            }
        })
}

fn agent_sign_in(sess: &Session, user: &str) -> Result<()> {
    let sock = std::env::var("SSH_AUTH_SOCK").unwrap_or_else(|_| "unset".into());
    let mut agent = sess.agent().map_err(|e| SshError::ssh("cannot use the SSH agent", e))?;
    agent.connect().map_err(|_| SshError::NoAgent(sock.clone()))?;
    agent.list_identities().map_err(|_| SshError::NoAgent(sock.clone()))?;
    let ids = agent.identities().map_err(|_| SshError::NoAgent(sock))?;
    let mut last = "the agent holds no keys (ssh-add adds one)".to_owned();
    for id in &ids {
        match agent.userauth(user, id) {
            Ok(()) => {
                let _ = agent.disconnect();
                return Ok(());
            }
            Err(e) => last = format!("no key of the agent was accepted ({})", e.message()),
        }
    }
    let _ = agent.disconnect();
    Err(SshError::AuthFailed { target: String::new(), user: user.to_owned(), method: "agent", reason: last })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypted_keys_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        for (pass, want) in [("", false), ("secret", true)] {
            let path = dir.path().join(format!("k{}", pass.len()));
            let st = std::process::Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", pass, "-f"])
                .arg(&path)
                .status()
                .unwrap();
            assert!(st.success());
            assert_eq!(key_is_encrypted(&std::fs::read_to_string(&path).unwrap()), want, "{pass:?}");
        }
    }
}
