//! Benchmark: the window with many VMs, and virt-manager the same way in the same run.
//!
//! Defines N shut-off domains (64 MiB, no disk) on the local libvirtd, for each N of
//! `VIREO_BENCH_N` (default "1 200 2000", ascending), then launches on a private Xvfb,
//! one after the other, each with a fresh home (a first start) under `dbus-run-session`
//! (a desktop has a session bus; its own processes are not counted):
//!   - the release app (`target/release/vireo-desktop`, built now; `ui/dist` must be
//!     built first: `npm run build:ui`), with `VIREO_LOG=info`;
//!   - `virt-manager --no-fork -c qemu:///system`, where it is installed;
//!
//! and prints, for each: when the window was mapped (polled with `xwininfo`, from just
//! before the spawn); for Vireo, when its first screen of rows was painted (the app logs
//! `ui mark first-rows: <ms> ms after launch, epoch_ms=<unix ms>`); the PSS of the
//! program's processes (it and its descendants: WebKit's web and network processes,
//! virt-manager's python) at 10 s, a few times in between and at `VIREO_BENCH_LONG_SECS`
//! (default 600); and the CPU they used from 10 s to the end, in % of one core.
//!
//! Figures only, no assertions on them. The domains are removed at the end, on a panic,
//! and on Ctrl-C (the run stops at the next poll and prints what it has); a run killed
//! outright leaves them to the next run, which removes them first.
//!
//! Run: `npm run build:ui && cargo bench -p vireo-tests --bench window_scale`
//! (about 2 x 10 min per N with the defaults; logs in `target/bench/`).
//! `VIREO_BENCH_TOOLS` (default "vireo virt-manager") picks what to launch.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use vireo_host::{Host, HostOptions};
use vireo_tests::machine::{first_line, machine, Machine};
use vireo_tests::procs::{self, ProcInfo};
use vireo_tests::window::{artifacts_dir, spawn_logged, window_env, epoch_ms, FreshHome, LogTail, Xvfb};
use vireo_tests::{fresh_release_binary, workspace_root, DomainBatch};

const URI: &str = "qemu:///system";
const TAG: &str = "vireo-bench";
/// Sample times (s) between the first (10 s) and the last (`VIREO_BENCH_LONG_SECS`).
const SAMPLES: [u64; 6] = [10, 30, 60, 120, 300, 600];
/// How long to look for the window and the first-rows mark.
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(300);
const POLL: Duration = Duration::from_millis(50);

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

#[derive(Clone, Copy, PartialEq)]
enum Tool {
    Vireo,
    VirtManager,
}

impl Tool {
    fn label(self) -> &'static str {
        match self {
            Tool::Vireo => "Vireo",
            Tool::VirtManager => "virt-manager",
        }
    }

    /// The program whose process tree is measured.
    fn program(self) -> &'static str {
        match self {
            Tool::Vireo => "vireo-desktop",
            Tool::VirtManager => "virt-manager",
        }
    }

    /// Its main window's title.
    fn title(self) -> &'static str {
        match self {
            Tool::Vireo => "Vireo",
            Tool::VirtManager => "Virtual Machine Manager",
        }
    }
}

/// What one launch showed.
#[derive(Default)]
struct Measured {
    /// Spawn -> main window mapped.
    window: Option<Duration>,
    /// Spawn -> first screen of rows painted (the app's mark, by its epoch time).
    first_rows: Option<Duration>,
    /// Every `ui mark NAME: MS ms after launch` line, as the app logged it.
    marks: Vec<(String, f64)>,
    /// (seconds after spawn, PSS KiB of the whole tree).
    pss: Vec<(u64, u64)>,
    /// CPU % of one core from the first sample to the last.
    cpu_percent: Option<f64>,
    /// At the last sample: program name -> (processes, PSS KiB).
    breakdown: BTreeMap<String, (usize, u64)>,
    /// Why the launch ended early, if it did.
    failed: Option<String>,
}

struct Row {
    n: usize,
    on_host: usize,
    tool: Tool,
    m: Measured,
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty()).unwrap_or_else(|| default.to_owned())
}

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}


/// Whether a viewable top-level window titled `title` is on `display`.
fn window_shown(display: &str, title: &str) -> bool {
    let Ok(out) = Command::new("xwininfo").args(["-display", display, "-root", "-tree"]).output() else { return false };
    let wanted = format!("\"{title}\":");
    String::from_utf8_lossy(&out.stdout).lines().filter(|l| l.contains(&wanted)).any(|l| {
        let Some(id) = l.split_whitespace().next() else { return false };
        Command::new("xwininfo")
            .args(["-display", display, "-id", id])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("IsViewable"))
    })
}

fn sample_times(long: u64) -> Vec<u64> {
    let mut times: Vec<u64> = SAMPLES.iter().copied().filter(|t| *t < long).collect();
    times.push(long);
    times
}

/// Launches `tool` on `display` with a fresh home, measures it for `long` seconds, stops it.
fn measure(tool: Tool, n: usize, display: &str, app: &Path, long: u64, logs: &Path, xwininfo: bool) -> Measured {
    let home = FreshHome::new();
    let log = logs.join(format!("{}-{n}.log", tool.program()));
    let mut cmd = if have("dbus-run-session") {
        let mut c = Command::new("dbus-run-session");
        c.arg("--");
        c
    } else {
        Command::new("env")
    };
    match tool {
        Tool::Vireo => cmd.arg(app),
        Tool::VirtManager => cmd.args(["virt-manager", "--no-fork", "-c", URI]),
    };
    window_env(&mut cmd, display, &home).env("VIREO_LOG", "info").env("NO_COLOR", "1").current_dir(home.path());

    let mut m = Measured::default();
    let times = sample_times(long);
    let mut next = 0;
    let mut tail = LogTail::new(&log);
    let mut first_cpu: Option<(Instant, u64)> = None;
    let ticks = procs::ticks_per_second();
    let (start, start_ms) = (Instant::now(), epoch_ms());
    let mut proc = spawn_logged(&mut cmd, tool.program(), &log);
    let mut root: Option<u32> = None;
    while next < times.len() {
        if STOP.load(Ordering::SeqCst) {
            m.failed = Some("interrupted".into());
            break;
        }
        if let Some(status) = proc.exited() {
            m.failed = Some(format!("exited ({status}) after {:.1} s; see {}", start.elapsed().as_secs_f64(), log.display()));
            break;
        }
        let looking = start.elapsed() < LAUNCH_TIMEOUT;
        if m.window.is_none() && xwininfo && looking && window_shown(display, tool.title()) {
            m.window = Some(start.elapsed());
            eprintln!("  {} window mapped at {:.2} s", tool.label(), start.elapsed().as_secs_f64());
        }
        if tool == Tool::Vireo && m.first_rows.is_none() && looking {
            let seen = start.elapsed();
            for mark in tail.marks() {
                eprintln!("  Vireo mark {}: {} ms after launch (app's clock)", mark.name, mark.ms);
                if mark.name == "first-rows" && m.first_rows.is_none() {
                    m.first_rows = Some(mark.since(start_ms).unwrap_or(seen));
                }
                m.marks.push((mark.name, mark.ms));
            }
        }
        if start.elapsed() >= Duration::from_secs(times[next]) {
            // The program itself, below the dbus-run-session wrapper.
            root = root.or_else(|| procs::find_in_tree(proc.id(), tool.program()));
            let tree: Vec<ProcInfo> = root.map(procs::tree).unwrap_or_default();
            let pss: u64 = tree.iter().map(|p| p.pss_kib).sum();
            let cpu: u64 = tree.iter().map(|p| p.cpu_ticks).sum();
            m.pss.push((times[next], pss));
            eprintln!("  {} PSS at {:>3} s: {} ({} processes)", tool.label(), times[next], mib(pss), tree.len());
            match first_cpu {
                None => first_cpu = Some((Instant::now(), cpu)),
                Some((t0, c0)) => {
                    let wall = t0.elapsed().as_secs_f64();
                    m.cpu_percent = Some(cpu.saturating_sub(c0) as f64 / ticks as f64 / wall * 100.0);
                }
            }
            m.breakdown.clear();
            for p in &tree {
                let e = m.breakdown.entry(p.name.clone()).or_default();
                e.0 += 1;
                e.1 += p.pss_kib;
            }
            next += 1;
        }
        // Poll fast while the launch is being timed, then idle.
        let launching = (m.window.is_none() && xwininfo) || (tool == Tool::Vireo && m.first_rows.is_none());
        sleep_checked(if launching && looking { POLL } else { Duration::from_millis(250) });
    }
    drop(proc);
    if tool == Tool::Vireo && m.first_rows.is_none() && m.failed.is_none() {
        eprintln!("  no 'ui mark first-rows' line in {}", log.display());
    }
    m
}

fn sleep_checked(d: Duration) {
    let until = Instant::now() + d;
    while Instant::now() < until && !STOP.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(10).min(d));
    }
}

fn mib(kib: u64) -> String {
    format!("{:.0} MiB", kib as f64 / 1024.0)
}

fn secs(d: Option<Duration>) -> String {
    d.map(|d| format!("{:.2} s", d.as_secs_f64())).unwrap_or_else(|| "—".into())
}

fn report(rows: &[Row], times: &[u64], header: &[String]) {
    println!();
    for h in header {
        println!("{h}");
    }
    println!();
    let mut head = "| VMs | program | window | first rows |".to_owned();
    let mut rule = "|---:|---|---:|---:|".to_owned();
    for t in times {
        head += &format!(" PSS {t} s |");
        rule += "---:|";
    }
    head += &format!(" CPU {}–{} s |", times[0], times[times.len() - 1]);
    rule += "---:|";
    println!("{head}\n{rule}");
    for r in rows {
        let vms = if r.on_host != r.n { format!("{} ({} on host)", r.n, r.on_host) } else { r.n.to_string() };
        let mut line = format!("| {vms} | {} |", r.tool.label());
        // Nothing measured: say why instead.
        if let Some(why) = r.m.failed.as_ref().filter(|_| r.m.pss.is_empty() && r.m.window.is_none()) {
            println!("{line} {why} |");
            continue;
        }
        let first_rows = match (r.tool, r.m.first_rows) {
            (Tool::VirtManager, _) => "n/a".to_owned(),
            (_, Some(d)) => format!("{:.2} s", d.as_secs_f64()),
            (_, None) => "no mark".to_owned(),
        };
        line += &format!(" {} | {first_rows} |", secs(r.m.window));
        for t in times {
            let v = r.m.pss.iter().find(|(at, _)| at == t).map(|(_, k)| mib(*k)).unwrap_or_else(|| "—".into());
            line += &format!(" {v} |");
        }
        line += &format!(" {} |", r.m.cpu_percent.map(|c| format!("{c:.1} %")).unwrap_or_else(|| "—".into()));
        println!("{line}");
    }
    println!();
    println!("Processes at the last sample (PSS):");
    println!();
    println!("| VMs | program | processes |");
    println!("|---:|---|---|");
    for r in rows {
        let parts: Vec<String> = r
            .m
            .breakdown
            .iter()
            .map(|(name, (count, kib))| if *count > 1 { format!("{name} ×{count} {}", mib(*kib)) } else { format!("{name} {}", mib(*kib)) })
            .collect();
        let mut note = parts.join(", ");
        if let Some(why) = &r.m.failed {
            note += &format!(" ({why})");
        }
        println!("| {} | {} | {note} |", r.n, r.tool.label());
    }
    let marks: Vec<String> = rows
        .iter()
        .filter(|r| !r.m.marks.is_empty())
        .map(|r| {
            let list: Vec<String> = r.m.marks.iter().map(|(name, ms)| format!("{name} {ms} ms")).collect();
            format!("- {} VMs: {}", r.n, list.join(", "))
        })
        .collect();
    if !marks.is_empty() {
        println!();
        println!("Vireo's own marks (ms after launch, by the app's clock):");
        println!();
        for m in marks {
            println!("{m}");
        }
    }
}

fn main() {
    // SAFETY: installs a handler that only stores to an atomic.
    unsafe {
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
    }
    let mut ns: Vec<usize> = env_or("VIREO_BENCH_N", "1 200 2000")
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap_or_else(|_| panic!("VIREO_BENCH_N: {s:?} is not a number")))
        .collect();
    ns.sort_unstable();
    ns.dedup();
    let long: u64 = env_or("VIREO_BENCH_LONG_SECS", "600").parse().expect("VIREO_BENCH_LONG_SECS: seconds");
    assert!(long >= 1, "VIREO_BENCH_LONG_SECS must be at least 1");
    let tools_env = env_or("VIREO_BENCH_TOOLS", "vireo virt-manager");
    let mut tools = Vec::new();
    for t in tools_env.split([' ', ',']).filter(|s| !s.is_empty()) {
        tools.push(match t {
            "vireo" => Tool::Vireo,
            "virt-manager" => Tool::VirtManager,
            other => panic!("VIREO_BENCH_TOOLS: unknown {other:?} (vireo, virt-manager)"),
        });
    }

    let mut header = Vec::new();
    let mut app = PathBuf::new();
    if tools.contains(&Tool::Vireo) {
        let dist = workspace_root().join("ui/dist/index.html");
        assert!(dist.exists(), "{} is missing: run `npm run build:ui` first (the app embeds it)", dist.display());
        eprintln!("building the release app (cargo build --release -p vireo-desktop)");
        app = fresh_release_binary("vireo-desktop", "vireo-desktop");
    }
    let virt_manager = if !tools.contains(&Tool::VirtManager) {
        None
    } else if have("virt-manager") {
        Some(first_line(Command::new("virt-manager").arg("--version")).unwrap_or_default())
    } else {
        header.push("virt-manager: not installed (`apt-get install --no-install-recommends virt-manager` adds it to this run)".into());
        None
    };
    tools.retain(|t| *t != Tool::VirtManager || virt_manager.is_some());
    let xwininfo = have("xwininfo");

    let logs = artifacts_dir("bench");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let host = rt.block_on(Host::connect("bench", URI, HostOptions::default())).expect("the local libvirtd (qemu:///system)");
    // Removes the domains at the end, on a panic and after Ctrl-C.
    let mut batch = DomainBatch::new(URI, TAG);
    let others = rt.block_on(host.list_vms()).expect("list the host's domains").len();
    let xvfb = Xvfb::start(&logs);

    let Machine { rev, cpus, mem_gib } = machine();
    header.insert(
        0,
        format!(
            "Window benchmark, {} — shut-off domains (64 MiB, no disk) on {URI}; Xvfb 1400x900; {cpus} CPUs, {mem_gib:.0} GiB; Vireo release build {}{}",
            first_line(Command::new("date").arg("+%F %H:%M")).unwrap_or_default(),
            rev.unwrap_or_default(),
            virt_manager.as_ref().map(|v| format!("; virt-manager {v}")).unwrap_or_default()
        ),
    );
    header.insert(
        1,
        format!(
            "window: spawn → main window mapped (xwininfo{}); first rows: spawn → Vireo's `ui mark first-rows` (its first screen of rows painted); \
             PSS: the program and its descendants (not dbus-run-session's bus); CPU: % of one core",
            if xwininfo { "" } else { ": not installed, not measured" }
        ),
    );

    let mut rows = Vec::new();
    'runs: for &n in &ns {
        if STOP.load(Ordering::SeqCst) {
            break;
        }
        let took = rt.block_on(batch.grow_to(&host, n, 8));
        let on_host = rt.block_on(host.list_vms()).expect("list the host's domains").len();
        eprintln!("{n} domains defined ({:.1} s); {on_host} on the host", took.as_secs_f64());
        for &tool in &tools {
            if STOP.load(Ordering::SeqCst) {
                break 'runs;
            }
            eprintln!("{} with {n} VMs: measuring for {long} s", tool.label());
            let m = measure(tool, n, xvfb.display(), &app, long, &logs, xwininfo);
            rows.push(Row { n, on_host, tool, m });
            // Let libvirtd and the X server settle between launches.
            sleep_checked(Duration::from_secs(2));
        }
    }
    if others > 0 {
        header.push(format!("the host also had {others} other domains, which the programs list too"));
    }
    if STOP.load(Ordering::SeqCst) {
        header.push("interrupted: partial figures".into());
    }
    report(&rows, &sample_times(long), &header);
    let t = Instant::now();
    let count = batch.len();
    drop(batch);
    eprintln!("removed {count} domains in {:.1} s", t.elapsed().as_secs_f64());
    drop(xvfb);
}
