//! Uploads over the remote-host path (a saved SSH host: sshd on 127.0.0.1, libvirt
//! through Vireo's session): the test ISO, then a 1 GiB file whose upload is killed
//! half-way (SIGKILL to the CLI) and resumed from the last chunk libvirt confirmed,
//! ending with the host's file equal to the source by SHA-256.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use vireo_tests::fixture::{fresh_binary, guest_fixture};
use vireo_tests::guest::unique_name;
use vireo_tests::sshd::Sshd;
use vireo_tests::window::{save_ssh_host, FreshHome};

struct PoolGone(String);

impl Drop for PoolGone {
    fn drop(&mut self) {
        let _ = Command::new("virsh").args(["-q", "pool-destroy", &self.0]).output();
        let _ = Command::new("virsh").args(["-q", "pool-undefine", &self.0]).output();
    }
}

fn sha256_of(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap().to_owned()
}

fn vireo(cli: &Path, home: &FreshHome, args: &[&str]) -> std::process::Output {
    Command::new(cli).args(args).env_remove("VIREO_DATA_DIR").envs(home.env()).output().unwrap()
}

#[test]
fn uploads_over_ssh_resume_after_a_kill_and_match_the_source() {
    let sshd = Sshd::start();
    let home = FreshHome::new();
    let cli = fresh_binary("vireo-cli", "vireo");
    save_ssh_host(&cli, &home, "lab", &sshd, sshd.port);
    let pool_dir = tempfile::tempdir().unwrap();
    let pool = unique_name("up");
    let _gone = PoolGone(pool.clone());
    let out = vireo(&cli, &home, &["--connect", "lab", "pool", "create", &pool, "--dir", &pool_dir.path().display().to_string(), "--no-autostart"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // The test ISO, with its checksum checked.
    let iso = guest_fixture().iso;
    let iso_sha = sha256_of(&iso);
    let out = vireo(&cli, &home, &["--connect", "lab", "vol", "upload", &pool, &iso.display().to_string(), "--sha256", &iso_sha]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&iso_sha));
    assert_eq!(sha256_of(&pool_dir.path().join("guest.iso")), iso_sha);

    // 1 GiB of random bytes, killed after the first confirmed chunk.
    let src_dir = tempfile::tempdir().unwrap();
    let big = src_dir.path().join("big.img");
    let st = Command::new("head").args(["-c", "1G", "/dev/urandom"]).stdout(std::fs::File::create(&big).unwrap()).status().unwrap();
    assert!(st.success());
    let big_sha = sha256_of(&big);
    let db = home.path().join("xdg-data/vireo/vireo.db");
    let mut child = Command::new(&cli)
        .args(["--connect", "lab", "vol", "upload", &pool, &big.display().to_string()])
        .env_remove("VIREO_DATA_DIR")
        .envs(home.env())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let store = vireo_store::Store::open(&db).unwrap();
    let host_id = store.hosts().unwrap().into_iter().find(|h| h.name == "lab").unwrap().id;
    let deadline = Instant::now() + Duration::from_secs(120);
    let confirmed = loop {
        let rec = store.upload(&host_id, &pool, "big.img").unwrap();
        if let Some(r) = rec.filter(|r| r.confirmed >= vireo_app::CHUNK) {
            break r.confirmed;
        }
        assert!(child.try_wait().unwrap().is_none(), "the upload ended before it could be interrupted");
        assert!(Instant::now() < deadline, "no chunk confirmed in 120 s");
        std::thread::sleep(Duration::from_millis(20));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(confirmed < 1 << 30, "killed half-way: {confirmed} bytes confirmed");

    // Again: it resumes (hashes the confirmed part locally, sends the rest) and checks.
    let started = Instant::now();
    let out = vireo(&cli, &home, &["--connect", "lab", "vol", "upload", &pool, &big.display().to_string(), "--sha256", &big_sha]);
    let took = started.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("verifying"), "the second run resumed from {confirmed} bytes: {err}");
    assert_eq!(sha256_of(&pool_dir.path().join("big.img")), big_sha, "the host's file is the source");
    assert!(store.upload(&host_id, &pool, "big.img").unwrap().is_none(), "the finished upload's record is gone");
    eprintln!("killed after {} MiB confirmed; resumed and finished in {took:?}", confirmed >> 20);

    // Uploading it once more is refused: the volume exists and no upload is under way.
    let out = vireo(&cli, &home, &["--connect", "lab", "vol", "upload", &pool, &big.display().to_string()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already has a volume"), "{}", String::from_utf8_lossy(&out.stderr));
}
