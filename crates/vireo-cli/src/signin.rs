//! Opening a saved host once, for one command: an SSH host through Vireo's own SSH
//! session with the host keys accepted before, answering what it asks on the way (an
//! unknown host key, a password, a key's passphrase) from the flags, the environment or
//! the terminal.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::broadcast::{error::RecvError, Receiver};
use vireo_app::history;
use vireo_core::{Error, HostEvent, HostPrompt, HostStatus, PromptAnswer, SshSpec};
use vireo_host::{Host, HostOptions, SshLink};
use vireo_ssh::{AcceptedKey, KeyInfo};
use vireo_store::{SavedHost, SavedHostKey, Store};

use crate::{terminal, Failure};

/// The variable a script puts the SSH password (or the key's passphrase) in.
pub const PASSWORD_VAR: &str = "VIREO_SSH_PASSWORD";

/// How long a new attempt after an answer may take (sign-in, then libvirt), at most.
const SETTLE: Duration = Duration::from_secs(30);

/// Wrong passwords typed on the terminal before giving up, as ssh does.
const TRIES: u32 = 3;

/// Connects `saved` and waits until it is connected, or fails with the reason (and what
/// to do). `accept_key` is the fingerprint given with `--accept-host-key`.
pub async fn open(store: &Arc<Store>, saved: &SavedHost, accept_key: Option<&str>) -> Result<Host, Failure> {
    let Some(spec) = &saved.ssh else {
        return Ok(Host::connect(saved.id.clone(), &saved.uri, HostOptions::default()).await?);
    };
    let accepted = vireo_app::accepted_keys(store, spec)?;
    let link = Arc::new(SshLink::new(spec.clone(), accepted));
    let host = Host::new_ssh(saved.id.clone(), link.clone(), HostOptions::default());
    let mut outcome = host.wait_first_attempt().await;
    let mut asker = Asker { spec, accept_key, env_secret_used: false, typed: 0 };
    loop {
        let error = match outcome {
            Ok(()) => {
                // A command that watches events must see them from the start.
                host.wait_live().await;
                return Ok(host);
            }
            Err(e) => e,
        };
        // No question: the failure is final for this command (the reason says why).
        let Some(prompt) = link.prompt() else { return Err(final_failure(error, spec)) };
        let answer = asker.answer(&prompt, error).await?;
        // Subscribed before answering, so the attempt the answer starts cannot be missed.
        let mut events = host.subscribe();
        if let Some(key) = link.answer(answer)? {
            save_key(store, &saved.name, key).await?;
        }
        outcome = settled(&host, &mut events).await;
    }
}

/// A failure no answer mends. Signed in as another user than root, libvirt on the host
/// may refuse that user after SSH let it in (its message is then libvirt's own): say so.
fn final_failure(error: Error, spec: &SshSpec) -> Failure {
    if spec.user == "root" {
        return error.into();
    }
    let (hint, user) = (error.hint().unwrap_or_default(), &spec.user);
    let more = format!(
        "If the sign-in worked, libvirt on the host may refuse '{user}': it must be allowed to use libvirt's socket there (usually the libvirt group, or a polkit rule), or sign in as root."
    );
    Failure::new(error, format!("{hint} {more}").trim_start().to_owned())
}

/// Ends an SSH host's session, waiting briefly for it to sign off, so the server sees a
/// clean close (the process ends right after; see `main`). Nothing to do for other hosts.
pub async fn close(host: Host) {
    let Some(ssh) = host.ssh() else { return };
    // The libvirt connection closes on a thread of its own once the last handle goes.
    drop(host);
    let _ = tokio::task::spawn_blocking(move || {
        ssh.close();
        ssh.wait_closed(Duration::from_secs(1))
    })
    .await;
}

/// Saves an accepted host key (so the next run does not ask) and records it in history.
async fn save_key(store: &Arc<Store>, host_name: &str, key: AcceptedKey) -> Result<(), Error> {
    let detail = format!("{} {}", key.key.kind, key.key.fingerprint);
    let saved = SavedHostKey { host: key.host, port: key.port, key_type: key.key.kind, fingerprint: key.key.fingerprint };
    let result = store.accept_host_key(&saved).map_err(Error::from);
    history::record(store.clone(), "cli", host_name.to_owned(), "accept_host_key", detail, &result).await;
    result
}

/// Waits for the end of the attempt an answer started: connected, or failed again. The
/// attempt starts with `Connecting`; a status before that is the last attempt's (its
/// event can still be on the way when the answer is given).
async fn settled(host: &Host, events: &mut Receiver<HostEvent>) -> Result<(), Error> {
    let uri = host.uri().to_owned();
    let wait = async {
        let mut started = false;
        loop {
            match events.recv().await {
                Ok(HostEvent::HostStatus { status: HostStatus::Connecting, .. }) => started = true,
                Ok(HostEvent::HostStatus { status: HostStatus::Connected, .. }) if started => return Ok(()),
                Ok(HostEvent::HostStatus { status: HostStatus::Disconnected, error, .. }) if started => {
                    let reason = error.unwrap_or_else(|| "the connection failed".into());
                    return Err(Error::Unreachable { uri: uri.clone(), reason });
                }
                Ok(_) | Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return Err(Error::Disconnected { uri: uri.clone() }),
            }
        }
    };
    tokio::time::timeout(SETTLE, wait).await.unwrap_or_else(|_| Err(Error::Timeout { uri: uri.clone(), waited: SETTLE }))
}

/// Answers a host's questions for one command.
struct Asker<'a> {
    spec: &'a SshSpec,
    accept_key: Option<&'a str>,
    /// The secret from `VIREO_SSH_PASSWORD` was given once already (and so was refused).
    env_secret_used: bool,
    /// Secrets typed on the terminal so far.
    typed: u32,
}

impl Asker<'_> {
    /// The answer to `prompt`, or why there is none. `error` is how the attempt failed.
    async fn answer(&mut self, prompt: &HostPrompt, error: Error) -> Result<PromptAnswer, Failure> {
        let who = self.spec.display();
        match prompt {
            HostPrompt::HostKey { key_type, fingerprint } => {
                let key = KeyInfo { kind: key_type.clone(), fingerprint: fingerprint.clone() };
                let compare = format!(
                    "Compare it with the server's own (`ssh-keygen -lf /etc/ssh/ssh_host_{}_key.pub` on it) and accept it only if they match.",
                    key.file_stem()
                );
                if let Some(given) = self.accept_key {
                    if given.trim() == fingerprint {
                        return Ok(PromptAnswer::AcceptHostKey { fingerprint: fingerprint.clone() });
                    }
                    let reason = format!(
                        "the host key of {who} is {key_type} {fingerprint}, not {}; nothing was accepted",
                        given.trim()
                    );
                    return Err(Failure::new(Error::invalid("--accept-host-key", reason), compare));
                }
                if !terminal::interactive() {
                    let hint = format!(
                        "No terminal to ask on. {compare} To accept it, pass --accept-host-key {fingerprint}"
                    );
                    return Err(Failure::new(error, hint));
                }
                let question = format!("The host key of {who} is not known: {key_type} {fingerprint}\n{compare}\nAccept it?");
                if blocking(move || terminal::confirm(&question)).await? {
                    return Ok(PromptAnswer::AcceptHostKey { fingerprint: fingerprint.clone() });
                }
                let reason = format!("the host key {key_type} {fingerprint} was not accepted");
                Err(Failure::new(Error::Unreachable { uri: format!("ssh://{who}"), reason }, compare))
            }
            HostPrompt::Password { retry } => self.secret(format!("password for {who}"), *retry, error).await,
            HostPrompt::Passphrase { path, retry } => {
                self.secret(format!("passphrase of the key {path}"), *retry, error).await
            }
        }
    }

    /// A password or passphrase: from `VIREO_SSH_PASSWORD` (once), else typed on the
    /// terminal without echo (up to `TRIES` times).
    async fn secret(&mut self, what: String, retry: bool, error: Error) -> Result<PromptAnswer, Failure> {
        if let Some(secret) = std::env::var_os(PASSWORD_VAR) {
            if self.env_secret_used {
                return Err(Failure::new(error, format!("The {what} in {PASSWORD_VAR} was refused; correct it.")));
            }
            self.env_secret_used = true;
            let secret = secret
                .into_string()
                .map_err(|_| Error::invalid(PASSWORD_VAR, "it is not valid UTF-8"))?;
            return Ok(PromptAnswer::Secret { secret });
        }
        if !terminal::interactive() {
            let hint = format!("No terminal to ask on: for a script, put the {what} in the environment variable {PASSWORD_VAR}.");
            return Err(Failure::new(error, hint));
        }
        if self.typed >= TRIES {
            return Err(Failure::new(error, format!("{TRIES} attempts failed; check the {what}.")));
        }
        self.typed += 1;
        let prompt = if retry { format!("Refused; the {what} again: ") } else { format!("The {what}: ") };
        match blocking(move || terminal::secret(&prompt)).await? {
            Some(secret) => Ok(PromptAnswer::Secret { secret }),
            None => Err(Failure::new(error, "Sign-in cancelled.".into())),
        }
    }
}

/// Runs a terminal question off the async workers (the host's tasks keep running).
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> std::io::Result<T> + Send + 'static) -> Result<T, Error> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
        .map_err(|e| Error::Internal(format!("cannot read the answer from the terminal: {e}")))
}
