//! A program run on a pseudo-terminal, for what a program does only when a person sits
//! at a terminal (questions, passwords read without echo): stdin, stdout and stderr are
//! the terminal; the test reads what it shows and types answers.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

pub struct Pty {
    master: File,
    child: Child,
    /// Everything the program showed so far (`\r\n` line ends, as a terminal gets them).
    pub shown: String,
    /// Where the last text waited for ended.
    cursor: usize,
}

impl Pty {
    pub fn spawn(cmd: &mut Command) -> Pty {
        let (mut master, mut slave) = (-1, -1);
        // SAFETY: openpty fills two fds; the null arguments ask for default settings.
        let rc = unsafe { libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), std::ptr::null()) };
        assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
        // SAFETY: both fds were just opened and are owned here alone.
        let (master, slave) = unsafe { (File::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        let fd = |f: &OwnedFd| f.try_clone().expect("dup the terminal");
        let child = cmd.stdin(fd(&slave)).stdout(fd(&slave)).stderr(fd(&slave)).spawn().expect("spawn on the terminal");
        // Only the child holds the terminal now: its end reads as EOF (EIO) here.
        drop(slave);
        Pty { master, child, shown: String::new(), cursor: 0 }
    }

    /// Waits until the program has shown `needle` (after what was waited for before);
    /// panics with what it showed if it does not within `timeout`.
    pub fn expect(&mut self, needle: &str, timeout: Duration) {
        let end = Instant::now() + timeout;
        loop {
            if let Some(at) = self.shown[self.cursor..].find(needle) {
                self.cursor += at + needle.len();
                return;
            }
            let left = end.saturating_duration_since(Instant::now());
            assert!(!left.is_zero() && self.read_some(left), "{needle:?} not shown within {timeout:?}; shown: {:?}", self.shown);
        }
    }

    /// Types `text` (end it with "\n" for Enter).
    pub fn send(&mut self, text: &str) {
        self.master.write_all(text.as_bytes()).expect("type on the terminal");
    }

    /// Reads what is there within `timeout`; false once the program closed the terminal.
    fn read_some(&mut self, timeout: Duration) -> bool {
        let mut poll = libc::pollfd { fd: self.master.as_raw_fd(), events: libc::POLLIN, revents: 0 };
        // SAFETY: one valid pollfd.
        let n = unsafe { libc::poll(&mut poll, 1, timeout.as_millis().min(i32::MAX as u128) as i32) };
        if n <= 0 {
            return n == 0;
        }
        let mut buf = [0u8; 4096];
        match self.master.read(&mut buf) {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                self.shown.push_str(&String::from_utf8_lossy(&buf[..n]));
                true
            }
        }
    }

    /// Reads the rest and waits for the program to end.
    pub fn finish(mut self, timeout: Duration) -> (String, ExitStatus) {
        let end = Instant::now() + timeout;
        while self.read_some(end.saturating_duration_since(Instant::now())) {
            assert!(Instant::now() < end, "the program did not end within {timeout:?}; shown: {:?}", self.shown);
        }
        let status = self.child.wait().expect("wait for the program");
        (std::mem::take(&mut self.shown), status)
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
