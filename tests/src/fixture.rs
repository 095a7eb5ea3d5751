//! The test guest: Debian's kernel plus a busybox initramfs (DHCP, httpd on :80, shells
//! on tty1 and ttyS0), and the same as a bootable ISO. Built once by
//! `tests/fixtures/build-guest.sh` and cached under `target/fixtures/guest`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

#[derive(Debug, Clone)]
pub struct GuestFixture {
    pub kernel: PathBuf,
    pub initrd: PathBuf,
    pub iso: PathBuf,
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

/// Builds the fixture if needed (once per process; the script itself is cached on disk).
pub fn guest_fixture() -> GuestFixture {
    static FIXTURE: OnceLock<GuestFixture> = OnceLock::new();
    FIXTURE
        .get_or_init(|| {
            let root = workspace_root();
            let out = root.join("target/fixtures/guest");
            let status = Command::new("bash")
                .arg(root.join("tests/fixtures/build-guest.sh"))
                .arg(&out)
                .stdout(std::process::Stdio::null())
                .status()
                .expect("run tests/fixtures/build-guest.sh");
            assert!(status.success(), "building the test guest failed (see the output above)");
            GuestFixture { kernel: out.join("vmlinuz"), initrd: out.join("initrd.img"), iso: out.join("guest.iso") }
        })
        .clone()
}

/// A binary of this workspace, built now if its sources changed, so a test never runs a
/// stale `target/debug/<name>` left from an older build. The build is the workspace's
/// whole `--all-targets` build, the one `scripts/test.sh` runs before the tests: the same
/// feature set, so after that step this is cargo's no-op freshness check and never a
/// rebuild of dependencies with other features (`-p <package>` would unify differently).
pub fn fresh_binary(package: &str, name: &str) -> PathBuf {
    build_binary(package, name, false)
}

/// The same in the release profile, for benchmarks (only `package` is built).
pub fn fresh_release_binary(package: &str, name: &str) -> PathBuf {
    build_binary(package, name, true)
}

fn build_binary(package: &str, name: &str, release: bool) -> PathBuf {
    static BUILT: std::sync::Mutex<Vec<(String, bool)>> = std::sync::Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    let root = workspace_root();
    let key = (format!("{package}/{name}"), release);
    if !built.contains(&key) {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "--quiet"]).current_dir(&root);
        if release {
            cmd.args(["--release", "-p", package, "--bin", name]);
        } else {
            cmd.args(["--workspace", "--all-targets"]);
        }
        let status = cmd.status().expect("run cargo build");
        assert!(status.success(), "cargo build -p {package} --bin {name} failed");
        built.push(key);
    }
    root.join(if release { "target/release" } else { "target/debug" }).join(name)
}
