//! Stopping and starting the real libvirtd, for the tests of a daemon that goes away.
//! Only the `daemon_restart` test binary uses this; cargo runs test binaries one at a
//! time, so no other test sees the daemon down.

use std::process::Command;
use std::time::Duration;

const PID_FILE: &str = "/run/libvirtd.pid";

fn pid() -> Option<i32> {
    std::fs::read_to_string(PID_FILE).ok()?.trim().parse().ok().filter(|p| Path::new(&format!("/proc/{p}")).exists())
}

use std::path::Path;

/// Stops libvirtd (SIGTERM) and waits until its process is gone. It finishes the calls in
/// flight first (a disk copy that a test stops it during), which on a loaded machine takes
/// a while: up to 30 s.
pub fn stop_libvirtd() {
    let pid = pid().expect("libvirtd is running (no live pid in /run/libvirtd.pid)");
    let ok = Command::new("kill").arg(pid.to_string()).status().expect("kill").success();
    assert!(ok, "could not signal libvirtd ({pid})");
    for _ in 0..600 {
        if !Path::new(&format!("/proc/{pid}")).exists() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("libvirtd ({pid}) did not stop within 30 s");
}

/// Starts libvirtd again (daemonised) and waits until it answers.
pub fn start_libvirtd() {
    let ok = Command::new("libvirtd").arg("-d").status().expect("run libvirtd").success();
    assert!(ok, "libvirtd -d failed");
    for _ in 0..100 {
        let answered = Command::new("virsh")
            .args(["-c", "qemu:///system", "version"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if answered {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("libvirtd did not answer within 10 s of starting");
}

/// Restarts libvirtd when dropped, so a failing test never leaves it down.
pub struct RestartOnDrop;

impl Drop for RestartOnDrop {
    fn drop(&mut self) {
        if pid().is_none() {
            start_libvirtd();
        }
    }
}
