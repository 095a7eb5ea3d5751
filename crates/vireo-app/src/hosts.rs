//! Saved hosts: add, edit, remove, connect and disconnect them, and answer what an SSH
//! host asks before it can connect (its host key, a password or passphrase). Every change
//! is recorded in history; secrets never are, and never reach the store.

use vireo_core::{validate, Accel, Error, HostPrompt, HostSummary, HostTarget, PromptAnswer, Result, SshSpec};
use vireo_ssh::{AcceptedKey, KeyInfo};
use vireo_store::{SavedHost, SavedHostKey, Store};

use crate::blocking;
use crate::{kind_of, Vireo};

/// The host keys accepted in Vireo for this host and port (what `SshLink::new` takes).
pub fn accepted_keys(store: &Store, spec: &SshSpec) -> Result<Vec<AcceptedKey>> {
    Ok(store
        .host_keys()?
        .into_iter()
        .filter(|k| k.host == spec.host && k.port == spec.port)
        .map(|k| AcceptedKey { host: k.host, port: k.port, key: KeyInfo { kind: k.key_type, fingerprint: k.fingerprint } })
        .collect())
}

/// Checks a target before anything is saved.
fn checked(target: HostTarget) -> Result<HostTarget> {
    Ok(match target {
        HostTarget::Uri { uri } => HostTarget::Uri { uri: validate::connection_uri(&uri)?.to_owned() },
        HostTarget::Ssh { spec } => HostTarget::Ssh { spec: spec.validated()? },
    })
}

impl Vireo {
    /// Saves a new host with a libvirt URI (see `add_host_target`).
    pub async fn add_host(&self, name: &str, uri: &str) -> Result<HostSummary> {
        self.add_host_target(name, HostTarget::Uri { uri: uri.to_owned() }).await
    }

    /// Saves a new host and starts its session (connecting in the background; its status
    /// arrives as events). Everything is checked first; nothing is saved if anything is bad.
    pub async fn add_host_target(&self, name: &str, target: HostTarget) -> Result<HostSummary> {
        let text = target.describe();
        let result = self.add_inner(name, target).await;
        self.record(name.trim().to_owned(), "add_host", text, &result).await;
        result
    }

    async fn add_inner(&self, name: &str, target: HostTarget) -> Result<HostSummary> {
        let name = validate::host_name(name)?.to_owned();
        let target = checked(target)?;
        let kind = match &target {
            HostTarget::Uri { uri } => kind_of(uri),
            HostTarget::Ssh { .. } => vireo_core::HostKind::Ssh,
        };
        let store = self.store.clone();
        let saved = blocking(move || Ok(store.add_target(&name, &target, kind, Accel::Auto)?)).await?;
        let id = saved.id.clone();
        self.open_session(saved)?;
        self.summary(&id)
    }

    fn summary(&self, id: &str) -> Result<HostSummary> {
        self.list_hosts().into_iter().find(|h| h.id == id).ok_or_else(|| Error::HostNotFound(id.to_owned()))
    }

    /// Renames a host and changes how it is reached; its session starts again with the
    /// new settings. Nothing changes if anything is bad.
    pub async fn edit_host(&self, host_id: &str, name: &str, target: HostTarget) -> Result<HostSummary> {
        let text = target.describe();
        let result = self.edit_inner(host_id, name, target).await;
        self.record(name.trim().to_owned(), "edit_host", text, &result).await;
        result
    }

    async fn edit_inner(&self, host_id: &str, name: &str, target: HostTarget) -> Result<HostSummary> {
        let name = validate::host_name(name)?.to_owned();
        let target = checked(target)?;
        self.host(host_id)?;
        let (store, id) = (self.store.clone(), host_id.to_owned());
        let saved: SavedHost = blocking(move || Ok(store.update_host(&id, &name, &target)?)).await?;
        // The old session goes (its connection closes off the async workers), the new one starts.
        let old = self.hosts.write().unwrap().remove(host_id);
        drop(old);
        self.open_session(saved)?;
        self.summary(host_id)
    }

    /// Forgets a saved host and closes its session. Its VMs are not touched.
    pub async fn remove_host(&self, host_id: &str) -> Result<()> {
        let name = self.host_name(host_id);
        let (store, id) = (self.store.clone(), host_id.to_owned());
        let result = blocking(move || Ok(store.remove_host(&id)?)).await;
        if result.is_ok() {
            // Dropping the session (after the lock is released) ends its event and stats
            // tasks; the connection closes once no caller holds the `Host` any more.
            let removed = self.hosts.write().unwrap().remove(host_id);
            drop(removed);
        }
        self.record(name.clone(), "remove_host", name, &result).await;
        result
    }

    /// Connects the host now: after a disconnect, a refused key or a failed sign-in.
    pub async fn connect_host(&self, host_id: &str) -> Result<()> {
        let result = self.host(host_id).map(|h| h.reconnect());
        self.record(self.host_name(host_id), "connect_host", self.host_name(host_id), &result).await;
        result
    }

    /// Closes the host's connection (and SSH session) until it is connected again.
    pub async fn disconnect_host(&self, host_id: &str) -> Result<()> {
        let result = self.host(host_id).map(|h| h.disconnect());
        self.record(self.host_name(host_id), "disconnect_host", self.host_name(host_id), &result).await;
        result
    }

    /// Takes the user's answer to what the host asks. An accepted host key is saved (type,
    /// fingerprint); a secret is kept in memory for the session only.
    pub async fn answer_prompt(&self, host_id: &str, answer: PromptAnswer) -> Result<()> {
        let host = self.host(host_id)?;
        let link = host
            .ssh_link()
            .ok_or_else(|| Error::invalid("answer", "this host does not sign in through Vireo's SSH session"))?;
        let asked = link.prompt();
        let action = match (&answer, &asked) {
            (PromptAnswer::AcceptHostKey { .. }, _) => "accept_host_key",
            (PromptAnswer::RefuseHostKey, _) => "refuse_host_key",
            (PromptAnswer::Secret { .. }, Some(HostPrompt::Passphrase { .. })) => "give_passphrase",
            (PromptAnswer::Secret { .. }, _) => "give_password",
            (PromptAnswer::Cancel, _) => "cancel_sign_in",
        };
        let detail = match &asked {
            Some(HostPrompt::HostKey { key_type, fingerprint }) => format!("{key_type} {fingerprint}"),
            _ => link.spec.display(),
        };
        let result = self.answer_inner(&link, answer).await;
        self.record(self.host_name(host_id), action, detail, &result).await;
        result
    }

    async fn answer_inner(&self, link: &vireo_host::SshLink, answer: PromptAnswer) -> Result<()> {
        if let Some(key) = link.answer(answer)? {
            let store = self.store.clone();
            let saved =
                SavedHostKey { host: key.host, port: key.port, key_type: key.key.kind, fingerprint: key.key.fingerprint };
            blocking(move || Ok(store.accept_host_key(&saved)?)).await?;
        }
        Ok(())
    }
}
