//! Socket plumbing the session needs: TCP keepalive and a bound on unacknowledged data (so a
//! dead link is noticed in seconds, not after the kernel's 15 minutes), `poll(2)`, the
//! wake-up pipe of the session thread, and the private directory for forwarded sockets.

use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn setsockopt(fd: RawFd, level: i32, name: i32, value: i32) {
    // SAFETY: a valid fd and a pointer to an int of the size given.
    unsafe {
        libc::setsockopt(fd, level, name, (&value as *const i32).cast(), std::mem::size_of::<i32>() as libc::socklen_t);
    }
}

/// Probes an idle link every few seconds and fails writes that stay unacknowledged for
/// `dead_after`.
pub fn keep_alive(tcp: &impl AsRawFd, dead_after: Duration) {
    let fd = tcp.as_raw_fd();
    let secs = (dead_after.as_secs() / 3).clamp(1, 60) as i32;
    setsockopt(fd, libc::SOL_SOCKET, libc::SO_KEEPALIVE, 1);
    setsockopt(fd, libc::IPPROTO_TCP, libc::TCP_KEEPIDLE, secs);
    setsockopt(fd, libc::IPPROTO_TCP, libc::TCP_KEEPINTVL, secs);
    setsockopt(fd, libc::IPPROTO_TCP, libc::TCP_KEEPCNT, 3);
    setsockopt(fd, libc::IPPROTO_TCP, libc::TCP_USER_TIMEOUT, dead_after.as_millis().min(i32::MAX as u128) as i32);
}

/// `poll(2)` over `fds`, retried on EINTR.
pub fn poll(fds: &mut [libc::pollfd], timeout: Duration) -> io::Result<usize> {
    let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
    loop {
        // SAFETY: `fds` is a valid, exclusively borrowed array of pollfd.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, ms) };
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

pub fn pollfd(fd: RawFd, events: i16) -> libc::pollfd {
    libc::pollfd { fd, events, revents: 0 }
}

/// A self-pipe: other threads write a byte to wake the session thread from `poll`.
pub struct Wake {
    pub rx: UnixStream,
    pub tx: UnixStream,
}

impl Wake {
    pub fn new() -> io::Result<Wake> {
        let (rx, tx) = UnixStream::pair()?;
        rx.set_nonblocking(true)?;
        tx.set_nonblocking(true)?;
        Ok(Wake { rx, tx })
    }

    /// Empties the pipe (the wake-ups are only a signal).
    pub fn drain(&self) {
        use std::io::Read;
        let mut buf = [0u8; 64];
        while matches!((&self.rx).read(&mut buf), Ok(n) if n > 0) {}
    }
}

/// Wakes the session thread; a full pipe already holds a wake-up.
pub fn wake(tx: &UnixStream) {
    use std::io::Write;
    let _ = (&*tx).write(&[1]);
}

/// A directory only this user can enter, for the sockets that lead to remote hosts:
/// `$XDG_RUNTIME_DIR/vireo` (a per-user tmpfs), else a fresh directory under the temp dir.
/// Refused if it exists with other permissions or another owner, or is a symlink.
pub fn private_dir(name: &str) -> io::Result<PathBuf> {
    let base = std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from).filter(|p| p.is_dir());
    let dir = match base {
        Some(b) => b.join("vireo"),
        // SAFETY: geteuid has no preconditions.
        None => std::env::temp_dir().join(format!("vireo-{}", unsafe { libc::geteuid() })),
    };
    make_private(&dir)?;
    let sub = dir.join(name);
    make_private(&sub)?;
    Ok(sub)
}

fn make_private(dir: &Path) -> io::Result<()> {
    match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    let meta = std::fs::symlink_metadata(dir)?;
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    if !meta.is_dir() || meta.uid() != me || meta.permissions().mode() & 0o077 != 0 {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("{} is not a private directory of this user (mode 0700, owned by uid {me})", dir.display()),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_others_can_enter_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let open = tmp.path().join("open");
        std::fs::create_dir(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(make_private(&open).unwrap_err().kind(), io::ErrorKind::PermissionDenied);
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&open, &link).unwrap();
        assert!(make_private(&link).is_err());
        let fresh = tmp.path().join("fresh");
        make_private(&fresh).unwrap();
        assert_eq!(std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777, 0o700);
    }
}
