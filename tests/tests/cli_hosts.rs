//! `vireo host ...` and `vireo --connect NAME`: saved hosts from the CLI, SSH hosts
//! through Vireo's own SSH session against a real sshd on 127.0.0.1 (which reaches this
//! machine's libvirtd), host keys, passwords from the environment, bad input, history.
//!
//! Every run has its own HOME and VIREO_DATA_DIR in a temp dir, and stdin is not a
//! terminal (so nothing is ever asked: what would be asked must come from flags or the
//! environment), except on the pseudo-terminal of the terminal test. The listing and
//! events tests each define one small stopped domain (removed at the end); the others
//! only list.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use vireo_tests::pty::Pty;
use vireo_tests::sshd::{Sshd, TestUser};

/// One user's CLI: a HOME and a data directory of its own.
struct Cli {
    home: tempfile::TempDir,
}

impl Cli {
    fn new() -> Cli {
        Cli { home: tempfile::tempdir().unwrap() }
    }

    fn data(&self) -> std::path::PathBuf {
        self.home.path().join("data")
    }

    /// The command, in this user's HOME and data directory, with nothing from the
    /// caller's environment that would change what it does.
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(vireo_tests::fresh_binary("vireo-cli", "vireo"));
        cmd.args(args)
            .env("HOME", self.home.path())
            .env("VIREO_DATA_DIR", self.data())
            .env_remove("VIREO_CONNECT")
            .env_remove("VIREO_SSH_PASSWORD")
            .env_remove("SSH_AUTH_SOCK")
            .env_remove("XDG_DATA_HOME");
        cmd
    }

    fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = self.command(args);
        cmd.stdin(Stdio::null()).envs(env.iter().copied());
        cmd.output().expect("run vireo")
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, &[])
    }

    /// Runs a command that must work and returns its JSON output.
    fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert!(out.status.success(), "vireo {args:?}: {}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("vireo {args:?} printed no JSON ({e}): {}", text(&out.stdout)))
    }

    /// A command that must fail with exit status 1; its stderr.
    fn fails(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let out = self.run_with(args, env);
        assert_eq!(out.status.code(), Some(1), "vireo {args:?} must fail with 1: {}{}", text(&out.stdout), text(&out.stderr));
        text(&out.stderr)
    }

    fn hosts(&self) -> Vec<Value> {
        self.json(&["host", "list", "--json"]).as_array().unwrap().clone()
    }

    /// The CLI's history entries, oldest first, as (host, action, target, ok).
    fn history(&self) -> Vec<(String, String, String, bool)> {
        let entries = self.json(&["history", "--json"]);
        let mut got: Vec<_> = entries
            .as_array()
            .unwrap()
            .iter()
            .inspect(|e| assert_eq!(e["actor"], "cli", "{e}"))
            .map(|e| {
                let s = |k: &str| e[k].as_str().unwrap().to_owned();
                (s("host"), s("action"), s("target"), e["ok"].as_bool().unwrap())
            })
            .collect();
        got.reverse();
        got
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn uuids(list: &Value) -> BTreeSet<String> {
    list.as_array().unwrap().iter().map(|v| v["uuid"].as_str().unwrap().to_owned()).collect()
}

fn add_root_by_key(cli: &Cli, name: &str, sshd: &Sshd, key: &Path) {
    let dest = format!("root@127.0.0.1:{}", sshd.port);
    let key = key.to_str().unwrap();
    let added = cli.json(&["--json", "host", "add", name, "--ssh", &dest, "--auth", "key", "--key", key]);
    assert_eq!(added["host"]["kind"], "ssh", "{added}");
    assert_eq!(added["host"]["where"], dest.as_str(), "{added}");
}

/// The whole path of an SSH host: unknown key refused without the flag (and with a wrong
/// one), accepted with the right one and saved, the local libvirtd's VMs listed through
/// the forwarded socket, no question the next time, and a changed key always refused.
#[test]
fn an_ssh_host_by_key_lists_this_machines_vms_and_its_accepted_key_is_kept() {
    let mut sshd = Sshd::start();
    let fp = sshd.fingerprint();
    let cli = Cli::new();
    add_root_by_key(&cli, "lab", &sshd, &sshd.client_key());
    let list = ["--connect", "lab", "--json", "vm", "list"];

    // No terminal, no flag: refused, with the fingerprint and the flag to pass.
    let err = cli.fails(&list, &[]);
    assert!(err.contains("is not known") && err.contains(&fp), "{err}");
    assert!(err.contains(&format!("--accept-host-key {fp}")), "{err}");
    // A fingerprint that is not the server's: refused, naming both, nothing accepted.
    let wrong = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let err = cli.fails(&["--connect", "lab", "--accept-host-key", wrong, "vm", "list"], &[]);
    assert!(err.contains(&fp) && err.contains(wrong) && err.contains("nothing was accepted"), "{err}");
    assert!(cli.fails(&list, &[]).contains("is not known"), "the wrong fingerprint was not saved");

    // The right one: the VMs of this machine's libvirtd, through SSH; one of them this
    // test's own, so the list is never empty.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let local_host = rt.block_on(vireo_host::Host::connect("t", "qemu:///system", Default::default())).unwrap();
    let name = vireo_tests::unique_name("ssh-list");
    let spec = vireo_host::xml::DomainSpec::new(&name, vireo_host::DomainKind::Qemu);
    let _vm = rt.block_on(vireo_tests::TestDomain::define(&local_host, &spec));
    let t = Instant::now();
    let before = uuids(&cli.json(&["--connect", "qemu:///system", "--json", "vm", "list"]));
    let local = t.elapsed();
    let t = Instant::now();
    let over_ssh = cli.json(&["--connect", "lab", "--accept-host-key", &fp, "--json", "vm", "list"]);
    let first = t.elapsed();
    let ours = over_ssh.as_array().unwrap().iter().find(|v| v["name"] == name.as_str()).expect("this test's VM, over SSH");
    assert_eq!(ours["state"], "shut_off", "{ours}");
    let after = uuids(&cli.json(&["--connect", "qemu:///system", "--json", "vm", "list"]));
    let over_ssh = uuids(&over_ssh);
    // Other tests may define or remove VMs meanwhile: every VM there before and after is
    // listed, and nothing that was in neither local list.
    let stable: BTreeSet<_> = before.intersection(&after).cloned().collect();
    let seen: BTreeSet<_> = before.union(&after).cloned().collect();
    assert!(stable.is_subset(&over_ssh), "missing over SSH: {:?}", stable.difference(&over_ssh).collect::<Vec<_>>());
    assert!(over_ssh.is_subset(&seen), "unknown over SSH: {:?}", over_ssh.difference(&seen).collect::<Vec<_>>());

    // Saved: the next run asks nothing.
    let t = Instant::now();
    let again = uuids(&cli.json(&list));
    let second = t.elapsed();
    assert!(stable.is_subset(&again));
    eprintln!(
        "vm list of {} VMs, whole CLI run: {local:?} local (qemu:///system); through SSH {first:?} accepting the key, {second:?} with it known",
        again.len()
    );
    let out = cli.run(&["--connect", "lab", "vm", "list"]);
    assert!(out.status.success() && text(&out.stdout).starts_with("NAME"), "{}", text(&out.stderr));

    // An action through SSH: libvirt's answer, recorded under the host's name.
    let err = cli.fails(&["--connect", "lab", "vm", "start", "ghost"], &[]);
    assert!(err.contains(&format!("no VM named 'ghost' on ssh://root@127.0.0.1:{}", sshd.port)), "{err}");

    let history = cli.history();
    assert_eq!(history.last(), Some(&("lab".to_owned(), "start".to_owned(), "ghost".to_owned(), false)));
    let accepted = ("lab".to_owned(), "accept_host_key".to_owned(), format!("ssh-ed25519 {fp}"), true);
    assert_eq!(history.iter().filter(|e| **e == accepted).count(), 1, "{history:?}");

    // The server is reinstalled: its new key is refused, even when offered with the flag.
    sshd.restart(true);
    let new_fp = sshd.fingerprint();
    let err = cli.fails(&["--connect", "lab", "--accept-host-key", &new_fp, "vm", "list"], &[]);
    assert!(err.contains("CHANGED") && err.contains(&fp) && err.contains(&new_fp), "{err}");

    // The user knows why it changed: forgets the old key, and the new one is asked for
    // (and taken with the flag) like a first one.
    let forgot = cli.json(&["--json", "host", "forget-key", "lab"]);
    assert_eq!(forgot["forgotten"], 1, "{forgot}");
    let err = cli.fails(&list, &[]);
    assert!(err.contains("is not known") && err.contains(&new_fp), "{err}");
    let over_ssh = cli.json(&["--connect", "lab", "--accept-host-key", &new_fp, "--json", "vm", "list"]);
    assert!(over_ssh.as_array().unwrap().iter().any(|v| v["name"] == name.as_str()), "{over_ssh}");
    assert_eq!(cli.json(&["--json", "host", "forget-key", "lab"])["forgotten"], 1);
    let err = cli.fails(&["host", "forget-key", "nowhere"], &[]);
    assert!(err.contains("no saved host is named 'nowhere'"), "{err}");
}

/// An sshd, a throw-away user with a password, and the host `pw` saved to sign in as it.
struct PasswordHost {
    fp: String,
    dest: String,
    user: TestUser,
    _sshd: Sshd,
    /// `TestUser` names the user after the process: one test at a time has it.
    _one_at_a_time: std::sync::MutexGuard<'static, ()>,
}

impl PasswordHost {
    fn add(cli: &Cli) -> PasswordHost {
        static USER: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let lock = USER.lock().unwrap_or_else(|e| e.into_inner());
        let (sshd, user) = (Sshd::start(), TestUser::create());
        let dest = format!("{}@127.0.0.1:{}", user.name, sshd.port);
        let added = cli.json(&["--json", "host", "add", "pw", "--ssh", &dest, "--auth", "password"]);
        assert_eq!(added["host"]["auth"], "password", "{added}");
        PasswordHost { fp: sshd.fingerprint(), dest, user, _sshd: sshd, _one_at_a_time: lock }
    }
}

/// A password sign-in with the password from VIREO_SSH_PASSWORD. What is checked is the
/// sign-in: whether libvirt then lets the user in is the host's setup (the fixture's
/// user is in the libvirt group, which this machine's libvirtd may or may not allow).
/// Connected, the status and VM count are printed; refused by libvirt after signing in,
/// the error names ssh://user@host, is no sign-in failure, and says libvirt may refuse
/// the user.
#[test]
fn a_password_from_the_environment_signs_in_and_is_never_shown() {
    let cli = Cli::new();
    let PasswordHost { fp, user, dest, .. } = &PasswordHost::add(&cli);
    let connect = ["host", "connect", "pw", "--accept-host-key", fp.as_str()];

    // No terminal and no variable: what to set is said.
    let err = cli.fails(&connect, &[]);
    assert!(err.contains("wants a password") && err.contains("VIREO_SSH_PASSWORD"), "{err}");
    // A wrong one: refused as a sign-in failure, and the secret is not echoed.
    let err = cli.fails(&connect, &[("VIREO_SSH_PASSWORD", "not it")]);
    assert!(err.contains(&format!("refused the sign-in as {}", user.name)), "{err}");
    assert!(err.contains("VIREO_SSH_PASSWORD was refused") && !err.contains("not it"), "{err}");

    let out = cli.run_with(&connect, &[("VIREO_SSH_PASSWORD", &user.password)]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(!stdout.contains(&user.password) && !stderr.contains(&user.password), "the secret was printed");
    if out.status.success() {
        assert!(stdout.starts_with(&format!("pw: connected to ssh://{dest}")), "{stdout}");
    } else {
        // Signed in (no sign-in error), then refused by libvirt, said as such.
        assert_eq!(out.status.code(), Some(1));
        assert!(!stderr.contains("refused the sign-in") && !stderr.contains("password"), "{stderr}");
        assert!(stderr.contains(&format!("cannot connect to ssh://{dest}")), "{stderr}");
        assert!(stderr.contains(&format!("libvirt on the host may refuse '{}'", user.name)), "{stderr}");
        eprintln!("signed in, then libvirt refused the user: {stderr}");
    }
    // Never saved either.
    let db = std::fs::read(cli.data().join("vireo.db")).unwrap();
    let needle = user.password.as_bytes();
    assert!(!db.windows(needle.len()).any(|w| w == needle), "the password is in the database");
}

/// A key file's passphrase comes from the same variable; the host is then connected once.
#[test]
fn a_locked_key_with_its_passphrase_connects_and_reports_the_vm_count() {
    let sshd = Sshd::start();
    let cli = Cli::new();
    add_root_by_key(&cli, "locked", &sshd, &sshd.locked_key());
    let fp = sshd.fingerprint();
    let connect = ["host", "connect", "locked", "--accept-host-key", fp.as_str()];
    let err = cli.fails(&connect, &[]);
    assert!(err.contains("protected by a passphrase") && err.contains("VIREO_SSH_PASSWORD"), "{err}");
    let err = cli.fails(&connect, &[("VIREO_SSH_PASSWORD", "wrong")]);
    assert!(err.contains("passphrase") && err.contains("is wrong"), "{err}");
    let out = cli.run_with(&["--json", "host", "connect", "locked"], &[("VIREO_SSH_PASSWORD", "correct horse")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((got["host"].as_str(), got["status"].as_str()), (Some("locked"), Some("connected")), "{got}");
    assert!(got["vms"].as_u64().is_some(), "{got}");

    // There is nothing to disconnect, and it says so.
    let out = cli.run(&["host", "disconnect", "locked"]);
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("nothing to disconnect"), "{}", text(&out.stdout));
}

#[test]
fn bad_input_is_refused_by_name_and_nothing_is_saved() {
    let cli = Cli::new();
    let cases: [(&[&str], &str); 9] = [
        (&["host", "add", "x", "--ssh", "a b"], "invalid SSH host: 'a b'"),
        (&["host", "add", "x", "--ssh", "host;rm"], "invalid SSH host: 'host;rm'"),
        (&["host", "add", "x", "--ssh=-oProxyCommand=x@h"], "invalid SSH user"),
        (&["host", "add", "x", "--ssh", "h:0"], "invalid SSH port"),
        (&["host", "add", "x", "--uri", "qemu+ssh://[::1"], "unmatched '['"),
        (&["host", "add", "x", "--uri", "nonsense"], "invalid connection URI"),
        (&["host", "add", "x", "--ssh", "h", "--auth", "key"], "invalid SSH key"),
        (&["host", "add", "x", "--ssh", "h", "--key", "/nonexistent/key"], "cannot read /nonexistent/key"),
        (&["host", "add", "x", "--ssh", "h", "--auth", "password", "--key", "/etc/hostname"], "goes with --auth key"),
    ];
    for (args, want) in cases {
        let err = cli.fails(args, &[]);
        assert!(err.contains(want), "vireo {args:?}: {err}");
    }
    assert_eq!(cli.hosts(), Vec::<Value>::new());
    assert!(cli.fails(&["--json", "host", "add", "x", "--ssh", "a b"], &[]).contains("\"code\":\"invalid_input\""));

    // A duplicate name: refused, and the first host is unchanged.
    cli.json(&["--json", "host", "add", "demo", "--uri", "test:///default"]);
    let err = cli.fails(&["host", "add", "demo", "--ssh", "root@h"], &[]);
    assert!(err.contains("a host named 'demo' already exists"), "{err}");
    let err = cli.fails(&["host", "edit", "demo", "--ssh", "a b"], &[]);
    assert!(err.contains("invalid SSH host"), "{err}");
    let hosts = cli.hosts();
    assert_eq!(hosts.len(), 1);
    assert_eq!((hosts[0]["name"].as_str(), hosts[0]["uri"].as_str()), (Some("demo"), Some("test:///default")));

    // An unknown name, wherever a name is taken.
    for args in [
        &["host", "rm", "ghost"][..],
        &["host", "connect", "ghost"],
        &["host", "edit", "ghost", "--name", "g"],
        &["host", "disconnect", "ghost"],
        &["--connect", "ghost", "vm", "list"],
    ] {
        let err = cli.fails(args, &[]);
        assert!(err.contains("no saved host is named 'ghost' (saved: demo"), "vireo {args:?}: {err}");
    }
    assert!(cli.fails(&["--connect", "demo", "--accept-host-key", "abc", "vm", "list"], &[]).contains("not a key fingerprint"));
    assert_eq!(cli.hosts().len(), 1);
}

#[test]
fn hosts_are_added_listed_edited_and_removed_and_history_says_so() {
    let cli = Cli::new();
    cli.json(&["--json", "host", "add", "demo", "--uri", "test:///default"]);
    cli.json(&["--json", "host", "add", "far", "--ssh", "deploy@192.0.2.7:2222", "--key", "/etc/hostname"]);
    let hosts = cli.hosts();
    let row = |h: &Value| {
        let s = |k: &str| h[k].as_str().map(str::to_owned);
        (s("name"), s("kind"), s("where"), s("auth"), h["read_only"].as_bool())
    };
    let got: Vec<_> = hosts.iter().map(row).collect();
    let some = |s: &str| Some(s.to_owned());
    assert_eq!(
        got,
        [
            (some("demo"), some("demo"), some("test:///default"), None, Some(false)),
            (some("far"), some("ssh"), some("deploy@192.0.2.7:2222"), some("key"), Some(false)),
        ]
    );
    let table = text(&cli.run(&["host", "list"]).stdout);
    assert!(table.lines().any(|l| l.starts_with("far ") && l.contains("deploy@192.0.2.7:2222") && l.ends_with("key /etc/hostname")), "{table}");

    // The demo host is usable by name, like a URI.
    let vms = cli.json(&["--connect", "demo", "--json", "vm", "list"]);
    assert_eq!(vms[0]["name"], "test");

    // Renamed and made read-only (options not given are kept), then back to read-write.
    cli.json(&["--json", "host", "edit", "far", "--name", "lab", "--read-only"]);
    let lab = cli.hosts().into_iter().find(|h| h["name"] == "lab").unwrap();
    assert_eq!((lab["where"].as_str(), lab["auth"].as_str(), lab["read_only"].as_bool()), (Some("deploy@192.0.2.7:2222"), Some("key"), Some(true)));
    cli.json(&["--json", "host", "edit", "lab", "--ssh", "root@192.0.2.8", "--auth", "agent", "--read-only=false"]);
    let lab = cli.hosts().into_iter().find(|h| h["name"] == "lab").unwrap();
    assert_eq!((lab["where"].as_str(), lab["auth"].as_str(), lab["read_only"].as_bool()), (Some("root@192.0.2.8"), Some("agent"), Some(false)));
    assert!(lab["key_path"].is_null(), "{lab}");

    let out = cli.run(&["host", "rm", "demo"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let names: Vec<_> = cli.hosts().iter().map(|h| h["name"].as_str().unwrap().to_owned()).collect();
    assert_eq!(names, ["lab"]);

    let history = cli.history();
    let entry = |host: &str, action: &str, target: &str| (host.to_owned(), action.to_owned(), target.to_owned(), true);
    assert_eq!(
        history,
        [
            entry("demo", "add_host", "test:///default"),
            entry("far", "add_host", "ssh://deploy@192.0.2.7:2222"),
            entry("lab", "edit_host", "ssh://deploy@192.0.2.7:2222"),
            entry("lab", "edit_host", "ssh://root@192.0.2.8"),
            entry("demo", "remove_host", "demo"),
        ]
    );
}

/// On a terminal the CLI asks: the host key (no is no, and nothing is saved), then the
/// password, without echo, again when refused.
#[test]
fn on_a_terminal_the_key_and_the_password_are_asked_and_the_password_is_not_echoed() {
    let cli = Cli::new();
    let PasswordHost { fp, user, dest, .. } = &PasswordHost::add(&cli);
    let wait = Duration::from_secs(20);
    let question = format!("The host key of {dest} is not known: ssh-ed25519 {fp}");

    let mut term = Pty::spawn(&mut cli.command(&["host", "connect", "pw"]));
    term.expect(&question, wait);
    term.expect("Accept it? [y/N] ", wait);
    term.send("n\n");
    let (shown, status) = term.finish(wait);
    assert_eq!(status.code(), Some(1), "{shown}");
    assert!(shown.contains("was not accepted"), "{shown}");
    assert!(cli.fails(&["host", "connect", "pw"], &[]).contains("is not known"), "a refused key is not saved");

    let mut term = Pty::spawn(&mut cli.command(&["host", "connect", "pw"]));
    term.expect("Accept it? [y/N] ", wait);
    term.send("y\n");
    term.expect(&format!("The password for {dest}: "), wait);
    term.send("typo-on-purpose\n");
    term.expect(&format!("Refused; the password for {dest} again: "), wait);
    term.send(&format!("{}\n", user.password));
    let (shown, status) = term.finish(wait);
    assert!(!shown.contains("typo-on-purpose") && !shown.contains(&user.password), "a secret was echoed: {shown}");
    // Signed in; libvirt may still refuse the unprivileged user (see the test above).
    assert!(!shown.contains("refused the sign-in"), "{shown}");
    assert!(status.success() || shown.contains(&format!("libvirt on the host may refuse '{}'", user.name)), "{shown}");
    // The key was saved: without a terminal, only the password is missing now.
    let err = cli.fails(&["host", "connect", "pw"], &[]);
    assert!(err.contains("wants a password") && !err.contains("is not known"), "{err}");
}

/// `vm events` by a saved SSH host's name: libvirt's events come through the session.
/// (It defines, and undefines, one small stopped domain on the local libvirtd.)
#[test]
fn events_of_an_ssh_host_arrive_through_its_session() {
    use std::io::{BufRead, BufReader};

    let sshd = Sshd::start();
    let cli = Cli::new();
    add_root_by_key(&cli, "lab", &sshd, &sshd.client_key());
    let fp = sshd.fingerprint();
    /// Stopped however the test ends.
    struct Watcher(std::process::Child);
    impl Drop for Watcher {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut watcher = Watcher(
        cli.command(&["--connect", "lab", "--accept-host-key", &fp, "--json", "vm", "events"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut ready = String::new();
    BufReader::new(watcher.0.stderr.take().unwrap()).read_line(&mut ready).unwrap();
    assert!(ready.starts_with("following events of lab"), "{ready:?}");
    let (tx, lines) = std::sync::mpsc::channel();
    let stdout = BufReader::new(watcher.0.stdout.take().unwrap());
    std::thread::spawn(move || stdout.lines().map_while(Result::ok).try_for_each(|l| tx.send(l)));

    let rt = tokio::runtime::Runtime::new().unwrap();
    let local = rt.block_on(vireo_host::Host::connect("t", "qemu:///system", Default::default())).unwrap();
    let name = vireo_tests::unique_name("ssh-events");
    let spec = vireo_host::xml::DomainSpec::new(&name, vireo_host::DomainKind::Qemu);
    let vm = rt.block_on(vireo_tests::TestDomain::define(&local, &spec));
    let defined = loop {
        let line = lines.recv_timeout(Duration::from_secs(30)).expect("an event line within 30 s");
        let ev: Value = serde_json::from_str(&line).unwrap();
        if ev["name"] == name.as_str() {
            break ev;
        }
    };
    assert_eq!(defined["event"], "defined", "{defined}");
    drop(vm);
    drop(watcher);
}
