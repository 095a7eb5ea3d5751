//! Choosing between KVM and plain QEMU emulation for a host's guests.
//!
//! `/dev/kvm` existing is not enough: on some machines (nested virtualisation without
//! the right CPU flags) KVM guests start but hang. `Auto` therefore asks libvirt whether
//! it offers KVM at all and, for the local machine, runs a short probe guest.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use vireo_core::Accel;

/// The `<domain type=...>` of a guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainKind {
    Kvm,
    Qemu,
}

impl DomainKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DomainKind::Kvm => "kvm",
            DomainKind::Qemu => "qemu",
        }
    }
}

/// The domain type for a host's setting; `kvm_works` is only consulted for `Auto`.
pub fn resolve_accel(accel: Accel, kvm_works: impl FnOnce() -> bool) -> DomainKind {
    match accel {
        Accel::Kvm => DomainKind::Kvm,
        Accel::Qemu => DomainKind::Qemu,
        Accel::Auto if kvm_works() => DomainKind::Kvm,
        Accel::Auto => DomainKind::Qemu,
    }
}

/// Whether KVM guests run at a usable speed on this machine. Probed once per process
/// (≤ 3 s, blocking: call it off the async workers) and cached.
///
/// The probe boots a 64 KiB BIOS whose reset vector spins 8.4 M iterations and then
/// writes to QEMU's isa-debug-exit port (QEMU exits with 99). Real KVM finishes in
/// milliseconds and TCG in ~0.1 s; a software-only `/dev/kvm` (e.g. PVM without
/// VT-x/AMD-V underneath) needs ~7 s and is killed at the deadline. A trivial probe is not
/// enough: such machines run a few instructions fine and only crawl on real work.
pub fn kvm_guests_work() -> bool {
    static RESULT: OnceLock<bool> = OnceLock::new();
    *RESULT.get_or_init(|| {
        let works = probe_kvm(Duration::from_secs(3));
        tracing::info!("KVM probe: guests {}", if works { "run" } else { "do not run usably; using QEMU emulation" });
        works
    })
}

/// Reset-vector code: `mov ecx,0x800000; l: dec ecx; jnz l; mov al,0x31; out 0xf4,al; hlt`.
const PROBE_CODE: [u8; 16] = [
    0x66, 0xB9, 0x00, 0x00, 0x80, 0x00, 0x66, 0x49, 0x75, 0xFC, 0xB0, 0x31, 0xE6, 0xF4, 0xF4, 0xF4,
];
/// QEMU's exit status when the guest writes 0x31 to isa-debug-exit: (0x31 << 1) | 1.
const PROBE_EXIT: i32 = 99;

/// The probe's 64 KiB BIOS image.
fn probe_bios() -> Vec<u8> {
    let mut bios = vec![0xF4u8; 64 * 1024];
    bios[0xFFF0..].copy_from_slice(&PROBE_CODE);
    bios
}

/// The same probe on a remote host, through its SSH session: the BIOS goes over stdin into
/// a private temp directory there, QEMU runs under `timeout` as the login user. A fixed
/// script; its exit status is QEMU's (99 when the guest ran), 124 at the deadline, and
/// 3-5 when the host has no /dev/kvm, no QEMU, or the user may not open /dev/kvm.
const REMOTE_PROBE: &str = r#"d=$(mktemp -d) || exit 2
trap 'rm -rf "$d"' EXIT
cat > "$d/bios.bin"
[ -e /dev/kvm ] || exit 3
q=$(command -v qemu-system-x86_64) || { [ -x /usr/libexec/qemu-kvm ] && q=/usr/libexec/qemu-kvm; } || exit 4
[ -r /dev/kvm ] && [ -w /dev/kvm ] || exit 5
timeout 3 "$q" -accel kvm -display none -nodefaults -monitor none -serial none -device isa-debug-exit,iobase=0xf4,iosize=0x04 -bios "$d/bios.bin" </dev/null >/dev/null 2>&1"#;

/// Whether KVM guests run usably on the remote host: `Some(works)`, or `None` when the
/// probe cannot tell (the login user may not open /dev/kvm; libvirt's word is all there is).
pub fn remote_kvm_guests_work(session: &vireo_ssh::SshSession) -> Option<bool> {
    let out = session.exec(&["sh", "-c", REMOTE_PROBE], &probe_bios(), vireo_ssh::Privilege::User).ok()?;
    let verdict = match out.status {
        Some(PROBE_EXIT) => Some(true),
        Some(3 | 4) => Some(false),
        Some(5) | Some(2) | None => None,
        // 124 (the deadline) or any other QEMU failure: guests would not run usably.
        Some(_) => Some(false),
    };
    tracing::info!("remote KVM probe on {}: {:?} -> {verdict:?}", session.target(), out.status);
    verdict
}

fn probe_kvm(deadline: Duration) -> bool {
    if !Path::new("/dev/kvm").exists() {
        return false;
    }
    let Some(qemu) = ["/usr/bin/qemu-system-x86_64", "/usr/libexec/qemu-kvm"].into_iter().find(|p| Path::new(p).exists())
    else {
        return false;
    };
    let bios = probe_bios();
    // A private directory (mode 0700, random name, created with O_EXCL semantics): the app
    // may run as root, and a predictable name in the shared /tmp would let anyone plant a
    // symlink there that the write follows.
    let Ok(dir) = tempfile::Builder::new().prefix("vireo-kvm-probe-").tempdir() else {
        return false;
    };
    let path = dir.path().join("bios.bin");
    if write_new(&path, &bios).is_err() {
        return false;
    }
    let child = Command::new(qemu)
        .args(["-accel", "kvm", "-display", "none", "-nodefaults", "-monitor", "none", "-serial", "none"])
        .args(["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-bios"])
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let works = match child {
        Ok(mut child) => {
            let start = Instant::now();
            loop {
                match child.try_wait() {
                    Ok(Some(status)) => break status.code() == Some(PROBE_EXIT),
                    Ok(None) if start.elapsed() < deadline => std::thread::sleep(Duration::from_millis(20)),
                    _ => {
                        let _ = child.kill();
                        let _ = child.wait();
                        break false;
                    }
                }
            }
        }
        Err(_) => false,
    };
    drop(dir);
    works
}

/// Writes a file that must not exist yet (O_CREAT|O_EXCL: never follows a symlink).
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    std::fs::OpenOptions::new().write(true).create_new(true).open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_settings_win() {
        assert_eq!(resolve_accel(Accel::Kvm, || false), DomainKind::Kvm);
        assert_eq!(resolve_accel(Accel::Qemu, || true), DomainKind::Qemu);
        assert_eq!(resolve_accel(Accel::Auto, || true), DomainKind::Kvm);
        assert_eq!(resolve_accel(Accel::Auto, || false), DomainKind::Qemu);
    }

    #[test]
    fn probe_file_is_never_written_through_a_planted_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("victim");
        std::fs::write(&target, b"keep").unwrap();
        let link = dir.path().join("bios.bin");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(write_new(&link, b"probe").is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"keep");
    }

    #[test]
    fn probe_code_sits_at_the_reset_vector_and_ends_in_the_exit_port_write() {
        // out 0xf4, al with al = 0x31 -> QEMU exit status 99.
        assert_eq!(&PROBE_CODE[10..14], &[0xB0, 0x31, 0xE6, 0xF4]);
        assert_eq!((0x31 << 1) | 1, PROBE_EXIT);
    }
}
