//! Benchmark: listing VMs through Vireo's own SSH session (the SSH sibling of `list_200`).
//!
//! Defines 200 shut-off domains (64 MiB, no disk) on the local libvirtd and reaches it as
//! a remote host would be reached: through a real sshd on 127.0.0.1 (its own port and
//! host key, root signing in with an unencrypted ed25519 key). Two links: loopback, and
//! the same sshd behind a proxy that holds every chunk 25 ms each way (a 50 ms round
//! trip; `vireo_tests::delay_proxy`, in a child process). For each link:
//!   - Vireo, cold: `Host::new_ssh` + `wait_first_attempt` + `list_vms`: TCP, the SSH
//!     handshake, the sign-in, finding the libvirt socket, libvirt's open through the
//!     forwarded socket and one bulk-stats call (median and min of 5);
//!   - the same with a password (a test user in the libvirt group): libssh2 probes a
//!     key with the server before it signs (as OpenSSH does), a password has no probe;
//!   - Vireo, warm: `list_vms` again on the open session (median of 20);
//!   - `virsh -c qemu+ssh://...` `list --all`, then `domstats`: two fresh processes, each
//!     with its own ssh, as a user runs them (median of 3).
//!
//! Then 21 saved SSH hosts started at once: 20 sshd instances (10 behind their own 50 ms
//! proxy, 10 direct) and one whose port is a silent peer (accepts, never answers). Prints
//! each host's time to its list, the time until every answering host has listed, and
//! this process's PSS before and after the 20 sessions are up (per extra host).
//!
//! Figures only, no assertions on them. Domains, sshd instances and proxies are removed
//! at the end, on a panic and after Ctrl-C (the run stops at the next step and prints
//! what it has); a run killed outright leaves its domains to the next run, which removes
//! them first.
//!
//! Run: `cargo bench -p vireo-tests --bench ssh_list` (about 2 min), as root, with
//! openssh-server and openssh-client installed (`scripts/bench-ssh.sh` installs them).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use vireo_core::{SshAuth, SshSpec};
use vireo_host::{Host, HostOptions, SshLink};
use vireo_ssh::{AcceptedKey, KeyInfo};
use vireo_tests::machine::{first_line, machine, Machine};
use vireo_tests::delay_proxy::{self, DelayProxyProcess};
use vireo_tests::procs;
use vireo_tests::silent_peer::SilentPeer;
use vireo_tests::sshd::{Sshd, TestUser};
use vireo_tests::DomainBatch;

const URI: &str = "qemu:///system";
/// Not `vireo-bench`: the window benchmark's domains are never taken for this run's.
const TAG: &str = "vireo-bench-ssh";
const DOMAINS: usize = 200;
const COLD_RUNS: usize = 5;
const WARM_RUNS: usize = 20;
const VIRSH_RUNS: usize = 3;
/// Each way: a 50 ms round trip.
const ONE_WAY: Duration = Duration::from_millis(25);
/// Saved hosts that answer in the second part: the first half delayed, the rest direct.
const FLEET: usize = 20;
/// tokio lets an idle blocking thread go after 10 s: waited before a memory figure, so
/// threads left from earlier opens are not counted as the hosts'.
const SETTLE: Duration = Duration::from_secs(11);

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

fn stopped() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// An sshd with what a client needs to sign in without a question.
struct Server {
    sshd: Sshd,
    fingerprint: String,
}

impl Server {
    fn start() -> Server {
        let sshd = Sshd::start();
        let fingerprint = sshd.fingerprint();
        Server { sshd, fingerprint }
    }

    /// A saved host reaching this sshd at `port` (its own, or a proxy's in front of it),
    /// root signing in with the key, its host key already accepted.
    fn link(&self, port: u16) -> Arc<SshLink> {
        let spec = SshSpec {
            user: "root".into(),
            host: "127.0.0.1".into(),
            port,
            auth: SshAuth::Key,
            key_path: Some(self.sshd.client_key().display().to_string()),
            read_only: false,
        };
        Arc::new(SshLink::new(spec, self.accepted(port)))
    }

    /// The same host, `user` signing in with a password given in advance.
    fn password_link(&self, port: u16, user: &TestUser) -> Arc<SshLink> {
        let spec = SshSpec {
            user: user.name.clone(),
            host: "127.0.0.1".into(),
            port,
            auth: SshAuth::Password,
            key_path: None,
            read_only: false,
        };
        Arc::new(SshLink::new(spec, self.accepted(port)).with_secret(user.password.clone()))
    }

    fn accepted(&self, port: u16) -> Vec<AcceptedKey> {
        let key = KeyInfo { kind: "ssh-ed25519".into(), fingerprint: self.fingerprint.clone() };
        vec![AcceptedKey { host: "127.0.0.1".into(), port, key }]
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// "median / min (n)" of `samples`, or why there are none.
fn median_min(samples: &[Duration], failed: &Option<String>) -> String {
    if samples.is_empty() {
        return failed.clone().unwrap_or_else(|| "—".into());
    }
    let mut s = samples.to_vec();
    s.sort();
    let mut out = format!("{} / {}", ms(s[s.len() / 2]), ms(s[0]));
    if let Some(why) = failed {
        out += &format!(" ({} runs; then: {why})", s.len());
    }
    out
}

fn median(samples: &[Duration]) -> String {
    let mut s = samples.to_vec();
    s.sort();
    s.get(s.len() / 2).map(|d| ms(*d)).unwrap_or_else(|| "—".into())
}

async fn sleep_checked(d: Duration) {
    let until = Instant::now() + d;
    while Instant::now() < until && !stopped() {
        tokio::time::sleep(Duration::from_millis(50).min(d)).await;
    }
}


/// What one link showed.
#[derive(Default)]
struct LinkRow {
    label: String,
    cold: Vec<Duration>,
    cold_failed: Option<String>,
    /// The same, signing in with a password (no key probe: one round trip fewer).
    cold_password: Vec<Duration>,
    cold_password_failed: Option<String>,
    warm: Vec<Duration>,
    warm_failed: Option<String>,
    listed: usize,
    virsh_list: Vec<Duration>,
    virsh_stats: Vec<Duration>,
    virsh_total: Vec<Duration>,
    virsh_failed: Option<String>,
    virsh_listed: usize,
}

/// Why a run failed: after Ctrl-C, the sshd and the proxies got the signal too.
fn failure(e: String) -> String {
    if stopped() {
        "interrupted".into()
    } else {
        e
    }
}

/// From nothing to a full list: a new host, its first connection, one list.
async fn cold(id: String, link: Arc<SshLink>) -> Result<(Duration, Host, usize), String> {
    let t = Instant::now();
    let host = Host::new_ssh(id, link, HostOptions::default());
    host.wait_first_attempt().await.map_err(|e| e.to_string())?;
    let n = host.list_vms().await.map_err(|e| e.to_string())?.len();
    Ok((t.elapsed(), host, n))
}

/// Runs `virsh -q -c uri args`; its stdout.
fn virsh(uri: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new("virsh")
        .args(["-q", "-c", uri])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("virsh: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!("virsh {}: {}", args.join(" "), err.lines().find(|l| !l.trim().is_empty()).unwrap_or("failed")));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The `ssh` libvirt's qemu+ssh transport runs (its `command=`): the real one, not
/// writing to root's known_hosts and offering only the URI's key (no agent or default
/// keys tried first: fewer round trips, fairer to virsh).
fn ssh_wrapper(dir: &Path) -> PathBuf {
    let path = dir.join("ssh");
    std::fs::write(
        &path,
        "#!/bin/sh\nexec ssh -o UserKnownHostsFile=/dev/null -o GlobalKnownHostsFile=/dev/null \
         -o IdentitiesOnly=yes -o LogLevel=ERROR \"$@\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

async fn measure_link(label: &str, server: &Server, port: u16, ssh: &Path, user: &TestUser) -> LinkRow {
    let mut row = LinkRow { label: label.to_owned(), ..Default::default() };
    eprintln!("{label}: Vireo cold with a password, {COLD_RUNS} runs");
    for i in 0..COLD_RUNS {
        if stopped() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        match cold(format!("cold-pw-{i}"), server.password_link(port, user)).await {
            Ok((took, host, n)) => {
                eprintln!("  cold {i}: {} ({n} VMs)", ms(took));
                row.cold_password.push(took);
                tokio::task::spawn_blocking(move || drop(host)).await.unwrap();
            }
            Err(e) => {
                eprintln!("  cold {i}: failed: {e}");
                row.cold_password_failed = Some(failure(e));
                break;
            }
        }
    }
    eprintln!("{label}: Vireo cold, {COLD_RUNS} runs");
    let mut last = None;
    for i in 0..COLD_RUNS {
        if stopped() {
            break;
        }
        // The previous host is closed first, as a fresh start has no session.
        drop(last.take());
        tokio::time::sleep(Duration::from_millis(300)).await;
        match cold(format!("cold-{i}"), server.link(port)).await {
            Ok((took, host, n)) => {
                eprintln!("  cold {i}: {} ({n} VMs)", ms(took));
                row.cold.push(took);
                row.listed = n;
                last = Some(host);
            }
            Err(e) => {
                eprintln!("  cold {i}: failed: {e}");
                row.cold_failed = Some(failure(e));
                break;
            }
        }
    }
    if let Some(host) = last.take() {
        eprintln!("{label}: Vireo warm, {WARM_RUNS} runs");
        for _ in 0..WARM_RUNS {
            if stopped() {
                break;
            }
            let t = Instant::now();
            match host.list_vms().await {
                Ok(vms) => {
                    row.warm.push(t.elapsed());
                    row.listed = vms.len();
                }
                Err(e) => {
                    row.warm_failed = Some(failure(e.to_string()));
                    break;
                }
            }
        }
        drop(host);
    }

    let key = server.sshd.client_key();
    let uri = format!(
        "qemu+ssh://root@127.0.0.1:{port}/system?keyfile={}&no_verify=1&no_tty=1&command={}",
        key.display(),
        ssh.display()
    );
    eprintln!("{label}: virsh list --all + domstats over qemu+ssh, {VIRSH_RUNS} runs");
    for i in 0..VIRSH_RUNS {
        if stopped() {
            break;
        }
        let run = tokio::task::spawn_blocking({
            let uri = uri.clone();
            move || -> Result<(Duration, Duration, usize), String> {
                let t = Instant::now();
                let list = virsh(&uri, &["list", "--all"])?;
                let listed = t.elapsed();
                let t = Instant::now();
                virsh(&uri, &["domstats"])?;
                Ok((listed, t.elapsed(), list.lines().filter(|l| !l.trim().is_empty()).count()))
            }
        })
        .await
        .unwrap();
        match run {
            Ok((list, stats, n)) => {
                eprintln!("  virsh {i}: list {} + domstats {} ({n} VMs)", ms(list), ms(stats));
                row.virsh_list.push(list);
                row.virsh_stats.push(stats);
                row.virsh_total.push(list + stats);
                row.virsh_listed = n;
            }
            Err(e) => {
                eprintln!("  virsh {i}: {e}");
                row.virsh_failed = Some(failure(e));
                break;
            }
        }
    }
    row
}

/// One saved host of the second part.
struct FleetHost {
    label: String,
    link: &'static str,
    /// Start of all -> connected, -> listed (with how many VMs), or the error.
    result: Result<(Duration, Duration, usize), (Duration, String)>,
}

struct FleetReport {
    hosts: Vec<FleetHost>,
    all_listed: Option<Duration>,
    pss_before: u64,
    pss_up: u64,
    pss_settled: Option<u64>,
}

async fn fleet(exe: &Path, since_part_one: Instant) -> Option<FleetReport> {
    eprintln!("fleet: starting {FLEET} sshd instances, {} delay proxies and a silent peer", FLEET / 2);
    let servers: Vec<Server> = (0..FLEET).map(|_| Server::start()).collect();
    let proxies: Vec<DelayProxyProcess> = servers[..FLEET / 2].iter().map(|s| DelayProxyProcess::spawn(exe, s.sshd.port, ONE_WAY)).collect();
    let silent = SilentPeer::start();
    if stopped() {
        return None;
    }
    // Threads left by the first part's opens go first.
    let settle = SETTLE.saturating_sub(since_part_one.elapsed());
    eprintln!("fleet: letting the first part's threads go ({:.0} s)", settle.as_secs_f64());
    sleep_checked(settle).await;
    if stopped() {
        return None;
    }
    let me = std::process::id();
    let pss_before = procs::pss_kib(me);

    // All 21 at once: each starts connecting as it is made.
    let t0 = Instant::now();
    let mut answering = Vec::new();
    for (i, s) in servers.iter().enumerate() {
        let (link, port) = if i < FLEET / 2 { ("50 ms RTT", proxies[i].port()) } else { ("loopback", s.sshd.port) };
        let host = Host::new_ssh(format!("fleet-{i:02}"), s.link(port), HostOptions::default());
        answering.push((format!("host {:02}", i + 1), link, host));
    }
    // Signed in like the others, if it ever answered.
    let silent_host = Host::new_ssh("fleet-silent", servers[0].link(silent.port()), HostOptions::default());

    let mut tasks = Vec::new();
    for (label, link, host) in answering {
        tasks.push(tokio::spawn(async move {
            let result = async {
                host.wait_first_attempt().await.map_err(|e| (t0.elapsed(), e.to_string()))?;
                let connected = t0.elapsed();
                let n = host.list_vms().await.map_err(|e| (t0.elapsed(), e.to_string()))?.len();
                Ok((connected, t0.elapsed(), n))
            }
            .await;
            (FleetHost { label, link, result }, host)
        }));
    }
    let silent_task = tokio::spawn({
        let host = silent_host.clone();
        async move {
            let r = host.wait_first_attempt().await;
            (t0.elapsed(), r.err().map(|e| e.to_string()))
        }
    });

    let mut hosts = Vec::new();
    let mut open = Vec::new();
    for t in tasks {
        let (report, host) = t.await.unwrap();
        hosts.push(report);
        open.push(host);
    }
    let all_listed = hosts.iter().all(|h| h.result.is_ok()).then(|| t0.elapsed());
    let pss_up = procs::pss_kib(me);
    eprintln!("fleet: {} answering hosts done after {}", hosts.len(), secs(t0.elapsed()));

    let silent_result = match tokio::time::timeout(Duration::from_secs(30), silent_task).await {
        Ok(Ok((at, None))) => Ok((at, at, 0)),
        Ok(Ok((at, Some(e)))) => Err((at, e)),
        Ok(Err(e)) => Err((t0.elapsed(), e.to_string())),
        Err(_) => Err((t0.elapsed(), "no outcome within 30 s".into())),
    };
    hosts.push(FleetHost { label: "silent".into(), link: "silent peer", result: silent_result });
    drop(silent_host);

    // The 20 sessions alone, once the opens' blocking threads have gone.
    eprintln!("fleet: letting the opens' threads go ({:.0} s)", SETTLE.as_secs_f64());
    sleep_checked(SETTLE).await;
    let pss_settled = (!stopped()).then(|| procs::pss_kib(me));
    drop(open);
    // Their last RPCs go out before the sshd instances are killed.
    tokio::time::sleep(Duration::from_millis(500)).await;
    drop(proxies);
    drop(servers);
    drop(silent);
    Some(FleetReport { hosts, all_listed, pss_before, pss_up, pss_settled })
}

fn kib(k: i64) -> String {
    if k.unsigned_abs() >= 10 * 1024 {
        format!("{:.1} MiB", k as f64 / 1024.0)
    } else {
        format!("{k} KiB")
    }
}

fn report(header: &[String], rows: &[LinkRow], fleet: Option<&FleetReport>) {
    println!();
    for h in header {
        println!("{h}");
    }
    println!();
    println!(
        "| link | Vireo cold: connect + sign-in (key) + list, median / min of {COLD_RUNS} | the same with a password | Vireo warm: list on the open session, median / min of {WARM_RUNS} \
         | virsh list --all + virsh domstats, median / min of {VIRSH_RUNS} | of which list --all / domstats, median |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for r in rows {
        let split = if r.virsh_list.is_empty() {
            "—".to_owned()
        } else {
            format!("{} / {}", median(&r.virsh_list), median(&r.virsh_stats))
        };
        println!(
            "| {} | {} | {} | {} | {} | {split} |",
            r.label,
            median_min(&r.cold, &r.cold_failed),
            median_min(&r.cold_password, &r.cold_password_failed),
            median_min(&r.warm, &r.warm_failed),
            median_min(&r.virsh_total, &r.virsh_failed)
        );
    }
    let counts: Vec<String> = rows
        .iter()
        .filter(|r| r.listed > 0 || r.virsh_listed > 0)
        .map(|r| format!("{}: Vireo {} VMs with stats, virsh list {} VMs", r.label, r.listed, r.virsh_listed))
        .collect();
    if !counts.is_empty() {
        println!();
        println!("Listed: {}", counts.join("; "));
    }

    let Some(f) = fleet else { return };
    println!();
    println!(
        "{} saved SSH hosts started at once: {} sshd behind their own 50 ms RTT proxy, {} direct, 1 whose port is a silent peer (accepts, never answers); \
         times from the start of all",
        f.hosts.len(),
        FLEET / 2,
        FLEET - FLEET / 2
    );
    println!();
    println!("| host | link | connected | listed | VMs |");
    println!("|---|---|---:|---:|---:|");
    for h in &f.hosts {
        match &h.result {
            Ok((c, l, n)) => println!("| {} | {} | {} | {} | {n} |", h.label, h.link, secs(*c), secs(*l)),
            Err((at, e)) => println!("| {} | {} | failed after {}: {e} | — | — |", h.label, h.link, secs(*at)),
        }
    }
    println!();
    let answering: Vec<&FleetHost> = f.hosts.iter().filter(|h| h.link != "silent peer").collect();
    let slowest = |link: &str| {
        answering.iter().filter(|h| h.link == link).filter_map(|h| h.result.as_ref().ok().map(|r| r.1)).max().map(secs).unwrap_or_else(|| "—".into())
    };
    match f.all_listed {
        Some(d) => println!(
            "Every answering host listed its VMs after {} (slowest direct {}, slowest 50 ms RTT {}).",
            secs(d),
            slowest("loopback"),
            slowest("50 ms RTT")
        ),
        None => println!("Not every answering host listed its VMs (see the table)."),
    }
    let n = FLEET as i64;
    let up = f.pss_up as i64 - f.pss_before as i64;
    let mut mem = format!(
        "PSS of this process: {} before, {} with the {FLEET} sessions up and listed (+{}, {} per host; the silent host's open still waiting)",
        kib(f.pss_before as i64),
        kib(f.pss_up as i64),
        kib(up),
        kib(up / n)
    );
    if let Some(settled) = f.pss_settled {
        let d = settled as i64 - f.pss_before as i64;
        mem += &format!(
            ", {} {} s later with the silent host gone and the opens' threads ended (+{}, {} per host)",
            kib(settled as i64),
            SETTLE.as_secs(),
            kib(d),
            kib(d / n)
        );
    }
    println!("{mem}.");
}

fn main() {
    // The delay proxies are this program again, in child processes.
    delay_proxy::run_child_if_asked();
    // SAFETY: installs a handler that only stores to an atomic.
    unsafe {
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
    }
    let exe = std::env::current_exe().expect("this program's path");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let local = rt.block_on(Host::connect("bench", URI, HostOptions::default())).expect("the local libvirtd (qemu:///system)");
    // Removes the domains at the end, on a panic and after Ctrl-C.
    let mut batch = DomainBatch::new(URI, TAG);
    let others = rt.block_on(local.list_vms()).expect("list the host's domains").len();
    let took = rt.block_on(batch.grow_to(&local, DOMAINS, 8));
    let on_host = rt.block_on(local.list_vms()).expect("list the host's domains").len();
    eprintln!("{DOMAINS} domains defined ({:.1} s); {on_host} on the host", took.as_secs_f64());

    let Machine { rev, cpus, mem_gib } = machine();
    let mut header = vec![
        format!(
            "SSH listing benchmark, {} — {DOMAINS} shut-off domains (64 MiB, no disk) on {URI}, {on_host} on the host; {cpus} CPUs, {mem_gib:.0} GiB; \
             Vireo bench build {}; virsh {}; {}",
            first_line(Command::new("date").arg("+%F %H:%M")).unwrap_or_default(),
            rev.unwrap_or_default(),
            first_line(Command::new("virsh").arg("--version")).unwrap_or_default(),
            first_line(Command::new("ssh").arg("-V")).unwrap_or_default()
        ),
        format!(
            "sshd on 127.0.0.1, root signing in with an ed25519 key, host key known in advance; 50 ms RTT: the same sshd behind a proxy holding every chunk {} ms each way; \
             virsh: qemu+ssh (OpenSSH's ssh, a fresh process per command)",
            ONE_WAY.as_millis()
        ),
    ];

    let tmp = tempfile::Builder::new().prefix("vireo-bench-ssh-").tempdir().unwrap();
    let ssh = ssh_wrapper(tmp.path());
    let mut rows = Vec::new();
    let mut fleet_report = None;
    rt.block_on(async {
        let server = Server::start();
        let user = TestUser::create();
        let proxy = DelayProxyProcess::spawn(&exe, server.sshd.port, ONE_WAY);
        for (label, port) in [("loopback", server.sshd.port), ("50 ms RTT", proxy.port())] {
            if stopped() {
                break;
            }
            rows.push(measure_link(label, &server, port, &ssh, &user).await);
        }
        drop(proxy);
        drop(server);
        let part_one_done = Instant::now();
        if !stopped() {
            fleet_report = fleet(&exe, part_one_done).await;
        }
    });

    if others > 0 {
        header.push(format!("the host also had {others} other domains, which every list includes"));
    }
    if stopped() {
        header.push("interrupted: partial figures".into());
    }
    report(&header, &rows, fleet_report.as_ref());

    let t = Instant::now();
    let count = batch.len();
    drop(batch);
    eprintln!("removed {count} domains in {:.1} s", t.elapsed().as_secs_f64());
    drop(local);
    drop(rt);
}
