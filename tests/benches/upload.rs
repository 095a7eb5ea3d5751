//! Upload throughput: a 1 GiB file of random bytes into a volume through Vireo (the
//! release CLI: libvirt's volume upload stream, locally and through Vireo's SSH session
//! to sshd on 127.0.0.1), beside `scp` of the same file to the same sshd, on loopback
//! and through a 50 ms round trip (`delay_proxy`, 25 ms each way). Three runs each,
//! alternating, median MB/s printed with Vireo / scp.
//! Run with `./scripts/bench-upload.sh` (or `cargo bench -p vireo-tests --bench upload`).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use vireo_tests::delay_proxy::{self, DelayProxyProcess};
use vireo_tests::fixture::fresh_release_binary;
use vireo_tests::guest::unique_name;
use vireo_tests::sshd::Sshd;
use vireo_tests::window::{save_ssh_host, FreshHome};

const SIZE: u64 = 1 << 30;
const RUNS: usize = 3;

struct PoolGone(String);

impl Drop for PoolGone {
    fn drop(&mut self) {
        let _ = Command::new("virsh").args(["-q", "pool-destroy", &self.0]).output();
        let _ = Command::new("virsh").args(["-q", "pool-undefine", &self.0]).output();
    }
}

fn vireo(cli: &Path, home: &FreshHome, args: &[&str]) {
    let out = Command::new(cli).args(args).env_remove("VIREO_DATA_DIR").envs(home.env()).output().unwrap();
    assert!(out.status.success(), "vireo {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn mbps(d: Duration) -> f64 {
    SIZE as f64 / 1e6 / d.as_secs_f64()
}

fn main() {
    delay_proxy::run_child_if_asked();
    let exe = std::env::current_exe().unwrap();
    let sshd = Sshd::start();
    let proxy = DelayProxyProcess::spawn(&exe, sshd.port, Duration::from_millis(25));
    let home = FreshHome::new();
    let cli = fresh_release_binary("vireo-cli", "vireo");
    save_ssh_host(&cli, &home, "lab", &sshd, sshd.port);
    save_ssh_host(&cli, &home, "lab50", &sshd, proxy.port());
    let pool_dir = tempfile::tempdir().unwrap();
    let pool = unique_name("bench-up");
    let _gone = PoolGone(pool.clone());
    vireo(&cli, &home, &["-c", "qemu:///system", "pool", "create", &pool, "--dir", &pool_dir.path().display().to_string(), "--no-autostart"]);
    let src_dir = tempfile::tempdir().unwrap();
    let file = src_dir.path().join("one-gib.img");
    let st = Command::new("head").args(["-c", "1G", "/dev/urandom"]).stdout(std::fs::File::create(&file).unwrap()).status().unwrap();
    assert!(st.success());
    let file_s = file.display().to_string();
    let key = sshd.client_key().display().to_string();

    let vireo_upload = |connect: &str| {
        let t = Instant::now();
        vireo(&cli, &home, &["--connect", connect, "vol", "upload", &pool, &file_s, "--name", "up.img"]);
        let d = t.elapsed();
        vireo(&cli, &home, &["--connect", connect, "vol", "delete", &pool, "up.img"]);
        d
    };
    let scp = |port: u16| {
        let dest = format!("root@127.0.0.1:{}/scp.img", pool_dir.path().display());
        let t = Instant::now();
        let st = Command::new("scp")
            .args(["-q", "-i", &key, "-P", &port.to_string(), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes"])
            .arg(&file)
            .arg(&dest)
            .status()
            .unwrap();
        assert!(st.success(), "scp");
        let d = t.elapsed();
        let _ = std::fs::remove_file(pool_dir.path().join("scp.img"));
        d
    };

    println!("upload of 1 GiB (random bytes), median of {RUNS} runs, MB/s (10^6 bytes/s)");
    println!("{:<28} {:>10} {:>10} {:>12}", "path", "Vireo", "scp", "Vireo/scp");
    let mut local = Vec::new();
    for _ in 0..RUNS {
        local.push(mbps(vireo_upload("qemu:///system")));
    }
    println!("{:<28} {:>10.1} {:>10} {:>12}", "local (unix socket)", median(local), "-", "-");
    for (label, connect, port) in [("SSH, loopback", "lab", sshd.port), ("SSH, 50 ms round trip", "lab50", proxy.port())] {
        let (mut v, mut s) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            v.push(mbps(vireo_upload(connect)));
            s.push(mbps(scp(port)));
        }
        let (v, s) = (median(v), median(s));
        println!("{label:<28} {v:>10.1} {s:>10.1} {:>11.2}x", v / s);
    }
}
