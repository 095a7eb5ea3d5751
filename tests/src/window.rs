//! The real window under a private X display, shared by the end-to-end tests and the
//! window benchmark: a private Xvfb, a fresh home (so every launch is a first start),
//! helper processes in their own process groups, tauri-driver and a WebDriver session.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::io::{Read, Seek, SeekFrom};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::json;

use crate::sshd::Sshd;
use crate::webdriver::Session;
use crate::workspace_root;

/// A helper process in its own process group, killed with everything it started
/// (tauri-driver starts WebKitWebDriver, which starts the app; the app starts WebKit's
/// processes) when dropped. Output goes to a log file, never to the caller's own pipes,
/// which an orphan would otherwise hold open.
pub struct Proc {
    child: Child,
    what: String,
}

impl Proc {
    /// The process id, which is also its process group's id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Its exit status if it has ended.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// What it is (the name given to `spawn`).
    pub fn what(&self) -> &str {
        &self.what
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let group = -(self.child.id() as libc::pid_t);
        // SAFETY: kill(2) on our own child's process group; no memory is involved.
        unsafe { libc::kill(group, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.exited().is_none() {
            if Instant::now() > deadline {
                // SAFETY: as above.
                unsafe { libc::kill(group, libc::SIGKILL) };
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.wait();
    }
}

/// `target/<sub>`, created: where logs and screenshots go.
pub fn artifacts_dir(sub: &str) -> PathBuf {
    let dir = workspace_root().join("target").join(sub);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `target/e2e`: the end-to-end tests' logs and screenshots.
pub fn shots_dir() -> PathBuf {
    artifacts_dir("e2e")
}

/// Starts `cmd` in a process group of its own, output to `target/e2e/<what>.log`.
pub fn spawn(cmd: &mut Command, what: &str) -> Proc {
    spawn_logged(cmd, what, &shots_dir().join(format!("{what}.log")))
}

/// Starts `cmd` in a process group of its own, stdout and stderr to `log`.
pub fn spawn_logged(cmd: &mut Command, what: &str, log: &Path) -> Proc {
    use std::os::unix::process::CommandExt;
    let file = std::fs::File::create(log).unwrap_or_else(|e| panic!("cannot create {}: {e}", log.display()));
    let child = cmd
        .stdin(Stdio::null())
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e} (run scripts/test.sh to install it)"));
    Proc { child, what: what.to_owned() }
}

/// Polls `ok` every 50 ms; panics naming `what` after `secs`.
pub fn wait_until(what: &str, secs: u64, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !ok() {
        assert!(Instant::now() < deadline, "{what} not within {secs} s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A private X display (Xvfb, 1400x900x24, no TCP), stopped when dropped.
pub struct Xvfb {
    display: String,
    _proc: Proc,
}

impl Xvfb {
    /// Starts Xvfb on the first free display from :90 + pid % 100 on (so parallel runs
    /// do not collide), its log in `log_dir/Xvfb.log`.
    pub fn start(log_dir: &Path) -> Xvfb {
        let first = 90 + std::process::id() % 100;
        for n in (first..first + 200).map(|n| n % 1000) {
            let (lock, sock) = (format!("/tmp/.X{n}-lock"), format!("/tmp/.X11-unix/X{n}"));
            if Path::new(&lock).exists() || Path::new(&sock).exists() {
                continue;
            }
            let display = format!(":{n}");
            let mut proc = spawn_logged(
                Command::new("Xvfb").args([display.as_str(), "-screen", "0", "1400x900x24", "-nolisten", "tcp"]),
                "Xvfb",
                &log_dir.join("Xvfb.log"),
            );
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                if Path::new(&sock).exists() {
                    return Xvfb { display, _proc: proc };
                }
                // Another run took this display between the check and the start.
                if proc.exited().is_some() {
                    break;
                }
                assert!(Instant::now() < deadline, "Xvfb {display}: no socket {sock} within 20 s");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        panic!("no free X display found for Xvfb");
    }

    /// `:N`, for `DISPLAY`.
    pub fn display(&self) -> &str {
        &self.display
    }
}

/// A fresh, empty home for one launch: Vireo's database (no VIREO_DATA_DIR: the default
/// place, shared with the CLI) and WebKit's profile (localStorage keeps the chosen
/// language) live under the XDG directories, so every launch is a first start.
pub struct FreshHome {
    dir: tempfile::TempDir,
}

impl Default for FreshHome {
    fn default() -> Self {
        FreshHome::new()
    }
}

impl FreshHome {
    pub fn new() -> FreshHome {
        FreshHome { dir: tempfile::tempdir().expect("temporary home") }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// HOME and the XDG data, config and cache directories, all inside this home.
    pub fn env(&self) -> Vec<(&'static str, PathBuf)> {
        let home = self.dir.path();
        vec![
            ("HOME", home.to_path_buf()),
            ("XDG_DATA_HOME", home.join("xdg-data")),
            ("XDG_CONFIG_HOME", home.join("xdg-config")),
            ("XDG_CACHE_HOME", home.join("xdg-cache")),
        ]
    }
}

/// The environment a window is launched with here: the private display, a fresh home,
/// no VIREO_DATA_DIR, and GTK on X11 with WebKit's compositing off (Xvfb has no GL).
pub fn window_env<'c>(cmd: &'c mut Command, display: &str, home: &FreshHome) -> &'c mut Command {
    cmd.env("DISPLAY", display)
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("VIREO_DATA_DIR")
        .envs(home.env())
        .env("GDK_BACKEND", "x11")
        .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
}

/// tauri-driver (which starts WebKitWebDriver, which starts the app) on free ports,
/// stopped with all it started when dropped. The app inherits its environment.
pub struct Driver {
    url: String,
    proc: Proc,
}

impl Driver {
    /// Starts tauri-driver on `xvfb`'s display with `home` (see `window_env`) and `extra`
    /// environment (e.g. `VIREO_LOG`); waits until it accepts connections.
    pub fn start(xvfb: &Xvfb, home: &FreshHome, extra: &[(&str, &str)]) -> Driver {
        let (port, native) = (free_port(), free_port());
        let mut cmd = Command::new("tauri-driver");
        cmd.args(["--port", &port.to_string(), "--native-port", &native.to_string()]);
        window_env(&mut cmd, xvfb.display(), home).envs(extra.iter().copied());
        let proc = spawn(&mut cmd, "tauri-driver");
        wait_until("tauri-driver port", 30, || TcpStream::connect(("127.0.0.1", port)).is_ok());
        Driver { url: format!("http://127.0.0.1:{port}"), proc }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// tauri-driver's process id (WebKitWebDriver and the app run below it).
    pub fn pid(&self) -> u32 {
        self.proc.id()
    }

    /// A WebDriver session that launches the app at `app`. tauri-driver accepts
    /// connections before it can always start a session: retried briefly.
    pub fn session(&self, app: &Path) -> Session {
        let app = app.display().to_string();
        let mut attempt = Session::start(&self.url, &app);
        for _ in 0..4 {
            if attempt.is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_secs(1));
            attempt = Session::start(&self.url, &app);
        }
        attempt.expect("WebDriver session")
    }
}

/// Polls the VM's state badge until it shows `want`; returns how long that took.
pub fn wait_state(s: &Session, vm: &str, want: &str, secs: u64) -> Duration {
    let css = format!("tr[data-vm=\"{vm}\"] [data-testid=\"vm-state\"]");
    let start = Instant::now();
    loop {
        let state = s.wait_for(&css, secs).and_then(|el| s.attribute(&el, "data-state")).ok().flatten();
        if state.as_deref() == Some(want) {
            return start.elapsed();
        }
        assert!(start.elapsed() < Duration::from_secs(secs), "{vm} shows {state:?}, not {want}, after {secs} s");
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// The window's VM list shows `host`'s VMs.
pub fn pick_host(s: &Session, host: &str) {
    wait_until(&format!("host {host} connected"), 60, || {
        s.execute(
            "const h = [...document.querySelectorAll('[data-host-id]')].find(h => h.querySelector('.name')?.textContent === arguments[0]);
             if (!h || h.dataset.status !== 'connected') return false;
             h.click();
             return true;",
            json!([host]),
        )
        .is_ok_and(|v| v.as_bool() == Some(true))
    });
}

/// Runs the CLI `cli` on `home`'s Vireo database; panics with its stderr if it fails.
fn run_cli(cli: &Path, home: &FreshHome, args: &[&str]) {
    let out = Command::new(cli).args(args).env_remove("VIREO_DATA_DIR").envs(home.env()).output().unwrap();
    assert!(out.status.success(), "vireo {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Saves this machine's libvirtd as the host "Local" in `home`'s database with the CLI:
/// the app adds it by itself only when no host is saved, so a home where the CLI saves an
/// SSH host first needs it saved too.
pub fn save_local_host(cli: &Path, home: &FreshHome) {
    run_cli(cli, home, &["host", "add", "Local", "--uri", "qemu:///system"]);
}

/// Saves an SSH host in the home's Vireo database with the CLI and accepts its key (the
/// window then connects to it at launch, as a person's saved host).
pub fn save_ssh_host(cli: &Path, home: &FreshHome, name: &str, sshd: &Sshd, port: u16) {
    let run = |args: &[&str]| run_cli(cli, home, args);
    let key = sshd.client_key().display().to_string();
    run(&["host", "add", name, "--ssh", &format!("root@127.0.0.1:{port}"), "--auth", "key", "--key", &key]);
    run(&["--connect", name, "--accept-host-key", &sshd.fingerprint(), "vm", "list"]);
}

/// Milliseconds since the Unix epoch, to compare with the `epoch_ms` of a `UiMark`.
pub fn epoch_ms() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis()
}

/// A timing mark the app logs when the UI reaches a point (the `ui_mark` command), e.g.
/// `ui mark first-rows: 812 ms after launch, epoch_ms=1764680400812`.
#[derive(Debug, Clone, PartialEq)]
pub struct UiMark {
    pub name: String,
    /// Milliseconds after the app's launch, by its own clock.
    pub ms: f64,
    /// When, in Unix milliseconds.
    pub epoch_ms: Option<u128>,
}

impl UiMark {
    /// Parses a log line (tracing's colours and prefix allowed); None if it holds no mark.
    pub fn parse(line: &str) -> Option<UiMark> {
        let line = strip_ansi(line);
        let rest = &line[line.find("ui mark ")? + "ui mark ".len()..];
        let (name, rest) = rest.split_once(':')?;
        let num: String = rest.trim_start().chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
        let ms = num.parse().ok()?;
        let epoch_ms = line
            .find("epoch_ms=")
            .and_then(|i| line[i + "epoch_ms=".len()..].chars().take_while(char::is_ascii_digit).collect::<String>().parse().ok());
        Some(UiMark { name: name.trim().to_owned(), ms, epoch_ms })
    }

    /// How long after `start_epoch_ms` (e.g. just before the spawn) the mark was logged.
    pub fn since(&self, start_epoch_ms: u128) -> Option<Duration> {
        self.epoch_ms.map(|e| Duration::from_millis(e.saturating_sub(start_epoch_ms) as u64))
    }
}

/// Drops ANSI escape sequences (tracing colours its levels).
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// Follows a log file as it grows: whole new lines since the last read.
pub struct LogTail {
    path: PathBuf,
    offset: u64,
}

impl LogTail {
    pub fn new(path: &Path) -> LogTail {
        LogTail { path: path.to_path_buf(), offset: 0 }
    }

    /// The whole lines appended since the last call.
    pub fn lines(&mut self) -> Vec<String> {
        let Ok(mut f) = std::fs::File::open(&self.path) else { return Vec::new() };
        if f.seek(SeekFrom::Start(self.offset)).is_err() {
            return Vec::new();
        }
        let mut buf = Vec::new();
        let _ = f.read_to_end(&mut buf);
        let Some(end) = buf.iter().rposition(|b| *b == b'\n') else { return Vec::new() };
        self.offset += end as u64 + 1;
        String::from_utf8_lossy(&buf[..end]).lines().map(str::to_owned).collect()
    }

    /// The `UiMark`s among the lines appended since the last call.
    pub fn marks(&mut self) -> Vec<UiMark> {
        self.lines().iter().filter_map(|l| UiMark::parse(l)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::UiMark;

    #[test]
    fn parses_the_apps_mark_line() {
        let line = "\x1b[2m2026-12-02T13:00:00Z\x1b[0m \x1b[32m INFO\x1b[0m vireo_desktop_lib::commands: ui mark first-rows: 812 ms after launch, epoch_ms=1764680400812";
        let mark = UiMark::parse(line).unwrap();
        assert_eq!(mark, UiMark { name: "first-rows".into(), ms: 812.0, epoch_ms: Some(1764680400812) });
        assert_eq!(mark.since(1764680400000), Some(std::time::Duration::from_millis(812)));
        assert_eq!(UiMark::parse("ui mark x: 1.5 ms after launch").unwrap().ms, 1.5);
        assert_eq!(UiMark::parse("nothing here"), None);
    }

    #[test]
    fn a_log_tail_returns_whole_new_lines_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        let mut tail = super::LogTail::new(&path);
        assert!(tail.lines().is_empty(), "no file yet");
        std::fs::write(&path, "one\ntw").unwrap();
        assert_eq!(tail.lines(), ["one"]);
        std::fs::write(&path, "one\ntwo\nui mark first-rows: 5 ms after launch, epoch_ms=7\n").unwrap();
        assert_eq!(tail.marks(), [UiMark { name: "first-rows".into(), ms: 5.0, epoch_ms: Some(7) }]);
        assert!(tail.lines().is_empty());
    }
}
