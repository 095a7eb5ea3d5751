//! Questions on the terminal: yes/no, and secrets read without echo. Questions go to
//! stderr (stdout is for results); answers come from stdin, and only when it is a
//! terminal. Everything here blocks: call it off the async workers.

use std::io::{self, BufRead, IsTerminal, Write};
use std::sync::OnceLock;

/// Whether there is someone to ask: stdin is a terminal.
pub fn interactive() -> bool {
    io::stdin().is_terminal()
}

/// Whether progress can be drawn in place (stderr is a terminal).
pub fn interactive_stderr() -> bool {
    io::stderr().is_terminal()
}

/// Reads one line from stdin, without its line ending; `None` at end of input (Ctrl-D).
fn read_line() -> io::Result<Option<String>> {
    let mut line = String::new();
    if io::stdin().lock().read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let end = line.trim_end_matches(['\n', '\r']).len();
    line.truncate(end);
    Ok(Some(line))
}

fn ask(prompt: &str) {
    let mut err = io::stderr().lock();
    let _ = write!(err, "{prompt}");
    let _ = err.flush();
}

/// Asks a yes/no question; anything but `y` or `yes` is no.
pub fn confirm(question: &str) -> io::Result<bool> {
    ask(&format!("{question} [y/N] "));
    Ok(read_line()?.is_some_and(|a| matches!(a.trim().to_ascii_lowercase().as_str(), "y" | "yes")))
}

/// A destructive action goes ahead with `--yes`, or when the person at the terminal
/// says yes; without a terminal and without `--yes` it is refused, saying so.
pub fn confirm_destructive(question: &str, yes: bool) -> Result<(), vireo_core::Error> {
    if yes {
        return Ok(());
    }
    if !interactive() {
        return Err(vireo_core::Error::invalid("--yes", format!("{question} Nothing was done: pass --yes to confirm without a terminal")));
    }
    match confirm(question) {
        Ok(true) => Ok(()),
        _ => Err(vireo_core::Error::Cancelled { what: "it".into() }),
    }
}

/// The terminal's settings before echo was turned off, for the signal handler.
static ORIGINAL: OnceLock<libc::termios> = OnceLock::new();

/// Ctrl-C (or a hang-up) while echo is off: give the terminal its echo back, then die of
/// the signal as usual. Only async-signal-safe calls.
extern "C" fn restore_and_die(sig: libc::c_int) {
    if let Some(t) = ORIGINAL.get() {
        // SAFETY: tcsetattr, signal and raise are async-signal-safe; `t` is a valid termios.
        unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, t) };
    }
    // SAFETY: as above.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        libc::raise(sig);
    }
}

const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// Echo off until dropped (also if the process is interrupted meanwhile).
struct NoEcho {
    saved: libc::termios,
    handlers: [libc::sighandler_t; 3],
}

impl NoEcho {
    fn start() -> io::Result<NoEcho> {
        let fd = libc::STDIN_FILENO;
        // SAFETY: termios is plain data; tcgetattr fills it, or fails and we return.
        let mut saved: libc::termios = unsafe { std::mem::zeroed() };
        if unsafe { libc::tcgetattr(fd, &mut saved) } != 0 {
            return Err(io::Error::last_os_error());
        }
        let _ = ORIGINAL.set(saved);
        let handler = restore_and_die as extern "C" fn(libc::c_int) as libc::sighandler_t;
        // SAFETY: installs a handler that only makes async-signal-safe calls.
        let handlers = SIGNALS.map(|sig| unsafe { libc::signal(sig, handler) });
        let mut quiet = saved;
        // No echo of what is typed, but the Enter still moves to the next line.
        quiet.c_lflag &= !libc::ECHO;
        quiet.c_lflag |= libc::ECHONL;
        // SAFETY: `quiet` is a termios obtained from tcgetattr, modified in its flags only.
        if unsafe { libc::tcsetattr(fd, libc::TCSAFLUSH, &quiet) } != 0 {
            let e = io::Error::last_os_error();
            drop(NoEcho { saved, handlers });
            return Err(e);
        }
        Ok(NoEcho { saved, handlers })
    }
}

impl Drop for NoEcho {
    fn drop(&mut self) {
        // SAFETY: restores the settings and handlers saved in `start`.
        unsafe {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &self.saved);
            for (sig, old) in SIGNALS.iter().zip(self.handlers) {
                libc::signal(*sig, old);
            }
        }
    }
}

/// Reads a secret without echo; `None` when the user ended the input (Ctrl-D). The
/// secret is never shown, logged or kept here.
pub fn secret(prompt: &str) -> io::Result<Option<String>> {
    // Echo off before the question shows, so nothing typed after it can be echoed (what
    // was typed before it is discarded, as ssh does).
    let _echo_off = NoEcho::start()?;
    ask(prompt);
    read_line()
}
