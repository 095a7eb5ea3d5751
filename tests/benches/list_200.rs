//! Benchmark: listing 200 VMs with their figures.
//!
//! Defines 200 (stopped) domains on the real libvirtd, then times, in the same run:
//!   - `Host::list_vms` through the core (one bulk-stats round trip),
//!   - `vireo vm list --json` (a whole CLI process: connect + list + JSON),
//!   - `virsh list --all` + `virsh domstats` (two processes, libvirt's own tool).
//!
//! Prints median / min / max of N runs each. Run: `cargo bench -p vireo-tests --bench list_200`.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use vireo_host::xml::DomainSpec;
use vireo_host::{DomainKind, Host, HostOptions};
use vireo_tests::{fresh_release_binary, TestDomain};

const DOMAINS: usize = 200;
const RUNS: usize = 15;

fn summary(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{name:<40} median {:>8.2} ms   min {:>8.2} ms   max {:>8.2} ms   ({} runs)",
        ms(samples[samples.len() / 2]),
        ms(samples[0]),
        ms(samples[samples.len() - 1]),
        samples.len()
    );
}

fn run_quiet(cmd: &mut Command) {
    let ok = cmd.stdout(Stdio::null()).stderr(Stdio::null()).status().map(|s| s.success()).unwrap_or(false);
    assert!(ok, "{cmd:?} failed");
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let prefix = format!("vireo-bench-{}", std::process::id());
    rt.block_on(async {
        let host = Host::connect("bench", "qemu:///system", HostOptions::default()).await.expect("libvirtd");
        let t = Instant::now();
        // Each guard undefines its domain when dropped, also when the bench panics.
        let mut domains = Vec::with_capacity(DOMAINS);
        for i in 0..DOMAINS {
            let spec = DomainSpec::new(&format!("{prefix}-{i:03}"), DomainKind::Qemu);
            domains.push(TestDomain::define(&host, &spec).await);
        }
        println!("defined {DOMAINS} domains in {:.2} s", t.elapsed().as_secs_f64());
        let total = host.list_vms().await.unwrap().len();
        println!("domains on the host: {total}");

        let mut core = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            let vms = host.list_vms().await.unwrap();
            core.push(t.elapsed());
            assert!(vms.len() >= DOMAINS);
        }

        let cli = fresh_release_binary("vireo-cli", "vireo");
        let mut via_cli = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            run_quiet(Command::new(&cli).args(["-c", "qemu:///system", "vm", "list", "--json"]));
            via_cli.push(t.elapsed());
        }

        let mut virsh = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            run_quiet(Command::new("virsh").args(["-c", "qemu:///system", "list", "--all"]));
            run_quiet(Command::new("virsh").args(["-c", "qemu:///system", "domstats"]));
            virsh.push(t.elapsed());
        }

        println!();
        summary("core: Host::list_vms (list + stats)", core);
        summary(&format!("cli: {} vm list --json", cli.file_name().unwrap().to_string_lossy()), via_cli);
        summary("virsh list --all + virsh domstats", virsh);

        let t = Instant::now();
        drop(domains);
        println!("removed {DOMAINS} domains in {:.2} s", t.elapsed().as_secs_f64());
    });
}
