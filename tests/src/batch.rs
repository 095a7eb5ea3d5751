//! Many tiny domains at once, for the scale test and the window benchmark: defined in
//! parallel through the core, removed all together (one virsh session) when the guard
//! is dropped, also when the test or benchmark panics.

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use vireo_host::xml::DomainSpec;
use vireo_host::{DomainKind, Host};

/// Domains named `<prefix>-0000`, `<prefix>-0001`, ...: shut off, 64 MiB, no disk, type
/// `qemu` (TCG: they start anywhere, booting into an empty BIOS). The prefix is
/// `<tag>-<pid>`, unique to this process; every domain under it is undefined (forced off
/// first) when the guard drops.
pub struct DomainBatch {
    uri: String,
    prefix: String,
    defined: usize,
}

impl DomainBatch {
    /// An empty batch named `<tag>-<pid>`. First removes what earlier runs under the same
    /// tag left behind (a run killed before its guard ran): domains `<tag>-<pid>-NNNN`
    /// whose process is gone.
    pub fn new(uri: &str, tag: &str) -> DomainBatch {
        let batch = DomainBatch { uri: uri.to_owned(), prefix: format!("{tag}-{}", std::process::id()), defined: 0 };
        let stale: Vec<String> = batch.all_names().into_iter().filter(|n| is_left_over(n, tag)).collect();
        if !stale.is_empty() {
            println!("removing {} domains left by earlier runs ({tag}-<pid>-NNNN, process gone)", stale.len());
            remove(&batch.uri, &stale);
        }
        batch
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The name of domain `i`.
    pub fn name(&self, i: usize) -> String {
        format!("{}-{i:04}", self.prefix)
    }

    /// How many domains the batch holds.
    pub fn len(&self) -> usize {
        self.defined
    }

    pub fn is_empty(&self) -> bool {
        self.defined == 0
    }

    /// Defines domains until the batch holds `n`, `parallel` calls at a time on `host`'s
    /// connection; returns how long that took.
    pub async fn grow_to(&mut self, host: &Host, n: usize, parallel: usize) -> Duration {
        let t = Instant::now();
        let next = Arc::new(AtomicUsize::new(self.defined));
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..parallel.max(1) {
            let (host, next, prefix) = (host.clone(), next.clone(), self.prefix.clone());
            workers.spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        return Ok::<(), String>(());
                    }
                    let mut spec = DomainSpec::new(&format!("{prefix}-{i:04}"), DomainKind::Qemu);
                    spec.memory_mib = 64;
                    let xml = spec.to_xml().map_err(|e| e.to_string())?;
                    host.define_vm(xml).await.map_err(|e| format!("define {prefix}-{i:04}: {e}"))?;
                }
            });
        }
        // Counted as defined before the outcome is known, so the guard also removes
        // whatever a failing worker left half done.
        self.defined = self.defined.max(n);
        while let Some(done) = workers.join_next().await {
            done.expect("define worker").unwrap_or_else(|e| panic!("{e}"));
        }
        t.elapsed()
    }

    /// Every domain name on the host.
    fn all_names(&self) -> Vec<String> {
        virsh_names(&self.uri, &["list", "--all", "--name"])
    }

    /// Forces off and undefines every domain under the prefix (one virsh session).
    pub fn remove_all(&mut self) {
        let mine = format!("{}-", self.prefix);
        let names: Vec<String> = self.all_names().into_iter().filter(|n| n.starts_with(&mine)).collect();
        remove(&self.uri, &names);
        self.defined = 0;
    }
}

impl Drop for DomainBatch {
    fn drop(&mut self) {
        // Plain virsh: works even when the caller's runtime is gone or panicking.
        self.remove_all();
    }
}

/// `<tag>-<pid>-NNNN` where process `pid` is gone.
fn is_left_over(name: &str, tag: &str) -> bool {
    let Some(rest) = name.strip_prefix(tag).and_then(|r| r.strip_prefix('-')) else { return false };
    let Some((pid, n)) = rest.split_once('-') else { return false };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(pid) && digits(n) && n.len() == 4 && !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

fn virsh_names(uri: &str, args: &[&str]) -> Vec<String> {
    let out = Command::new("virsh").args(["-q", "-c", uri]).args(args).stderr(Stdio::null()).output();
    match out {
        Ok(o) if o.status.success() => {
            String::from_utf8_lossy(&o.stdout).lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
        }
        _ => Vec::new(),
    }
}

/// Forces off the running ones among `names`, then undefines them all, in one virsh
/// session reading commands from its stdin (it goes on past a failed command).
fn remove(uri: &str, names: &[String]) {
    if names.is_empty() {
        return;
    }
    let running = virsh_names(uri, &["list", "--name", "--state-running", "--state-paused"]);
    let mut script = String::new();
    for n in names.iter().filter(|n| running.contains(n)) {
        script.push_str(&format!("destroy {n}\n"));
    }
    for n in names {
        script.push_str(&format!("undefine --nvram {n}\n"));
    }
    let child = Command::new("virsh")
        .args(["-q", "-c", uri])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        eprintln!("could not run virsh to remove {} domains", names.len());
        return;
    };
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        let _ = stdin.write_all(script.as_bytes());
    }
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    #[test]
    fn left_overs_are_only_dead_runs_of_the_tag() {
        assert!(super::is_left_over("vireo-bench-999999999-0001", "vireo-bench"));
        let me = format!("vireo-bench-{}-0001", std::process::id());
        assert!(!super::is_left_over(&me, "vireo-bench"), "a live run's domains stay");
        assert!(!super::is_left_over("vireo-bench-999999999-01", "vireo-bench"));
        assert!(!super::is_left_over("vireo-bench-x-0001", "vireo-bench"));
        assert!(!super::is_left_over("vireo-benchy-999999999-0001", "vireo-bench"));
        assert!(!super::is_left_over("my-vm", "vireo-bench"));
    }
}
