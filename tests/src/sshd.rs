//! A real sshd for the remote-host tests: on 127.0.0.1, a free port, its own host key and
//! config in a temp dir, run in the foreground (`-D`) and stopped when dropped. Keys and
//! passwords for the sign-in tests come from here too: a client key authorised for root,
//! a passphrase-protected one, and a throw-away user with a known password (removed on drop).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Sshd {
    pub port: u16,
    /// The address it listens on (127.0.0.1, or the namespace's own address).
    pub addr: String,
    /// What sshd is started through (`ip netns exec NS`, `unshare -m ...`), if anything.
    wrapper: Vec<String>,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

fn keygen(path: &Path, passphrase: &str) {
    let _ = std::fs::remove_file(path);
    let _ = std::fs::remove_file(path.with_extension("pub"));
    let st = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", passphrase, "-C", "vireo-test", "-f"])
        .arg(path)
        .status()
        .expect("run ssh-keygen (openssh-client)");
    assert!(st.success(), "ssh-keygen failed");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Sshd {
    /// Starts sshd with a fresh host key; root may sign in with `client_key()` (or the
    /// passphrase-protected `locked_key()`), other users with passwords.
    pub fn start() -> Sshd {
        Sshd::start_at("127.0.0.1", free_port(), None)
    }

    /// Starts sshd on `addr:port`, inside the network namespace `netns` if given.
    pub fn start_at(addr: &str, port: u16, netns: Option<&str>) -> Sshd {
        let wrapper = netns.map(|ns| vec!["ip".into(), "netns".into(), "exec".into(), ns.into()]).unwrap_or_default();
        Sshd::start_wrapped(addr, port, wrapper)
    }

    /// Starts sshd on 127.0.0.1 in a mount namespace of its own where `/var/run/libvirt`
    /// holds only `virtqemud-sock` (this machine's libvirt socket under the modular
    /// daemons' name): a host without `libvirt-sock`. `scratch` is an empty directory.
    pub fn start_modular(scratch: &Path) -> Sshd {
        std::fs::write(scratch.join("virtqemud-sock"), b"").unwrap();
        let script = r#"mount --bind /var/run/libvirt/libvirt-sock "$0/virtqemud-sock" && mount --rbind "$0" /var/run/libvirt && exec "$@""#;
        let wrapper = vec!["unshare".into(), "-m".into(), "sh".into(), "-c".into(), script.into(), scratch.display().to_string()];
        Sshd::start_wrapped("127.0.0.1", free_port(), wrapper)
    }

    fn start_wrapped(addr: &str, port: u16, wrapper: Vec<String>) -> Sshd {
        let dir = tempfile::Builder::new().prefix("vireo-sshd-").tempdir().unwrap();
        keygen(&dir.path().join("host_key"), "");
        keygen(&dir.path().join("client_key"), "");
        keygen(&dir.path().join("locked_key"), "correct horse");
        let mut auth = std::fs::read_to_string(dir.path().join("client_key.pub")).unwrap();
        auth += &std::fs::read_to_string(dir.path().join("locked_key.pub")).unwrap();
        std::fs::write(dir.path().join("authorized_keys"), auth).unwrap();
        let mut sshd = Sshd { port, addr: addr.to_owned(), wrapper, dir, child: None };
        sshd.launch();
        sshd
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn client_key(&self) -> PathBuf {
        self.dir().join("client_key")
    }

    pub fn locked_key(&self) -> PathBuf {
        self.dir().join("locked_key")
    }

    /// The host key's public half (for the fingerprint the tests expect).
    pub fn host_key_pub(&self) -> PathBuf {
        self.dir().join("host_key.pub")
    }

    /// `SHA256:...` of the host key, as `ssh-keygen -l` prints it.
    pub fn fingerprint(&self) -> String {
        let out = Command::new("ssh-keygen").arg("-lf").arg(self.host_key_pub()).output().unwrap();
        String::from_utf8_lossy(&out.stdout).split_whitespace().nth(1).unwrap().to_owned()
    }

    fn config(&self) -> String {
        let d = self.dir().display();
        format!(
            "Port {port}\nListenAddress {addr}\nHostKey {d}/host_key\nPidFile {d}/sshd.pid\n\
             AuthorizedKeysFile {d}/authorized_keys\nPermitRootLogin prohibit-password\n\
             PasswordAuthentication yes\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n\
             AllowTcpForwarding yes\nAllowStreamLocalForwarding yes\nClientAliveInterval 0\n\
             LogLevel ERROR\nSubsystem sftp internal-sftp\n",
            port = self.port,
            addr = self.addr
        )
    }

    fn launch(&mut self) {
        std::fs::create_dir_all("/run/sshd").unwrap();
        let conf = self.dir().join("sshd_config");
        std::fs::write(&conf, self.config()).unwrap();
        let mut cmd = match self.wrapper.split_first() {
            Some((program, args)) => {
                let mut c = Command::new(program);
                c.args(args).arg("/usr/sbin/sshd");
                c
            }
            None => Command::new("/usr/sbin/sshd"),
        };
        let child = cmd
            .args(["-D", "-e", "-f"])
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start /usr/sbin/sshd (openssh-server)");
        self.child = Some(child);
        let end = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect((self.addr.as_str(), self.port)).is_err() {
            assert!(Instant::now() < end, "sshd did not listen on port {} within 10 s", self.port);
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills sshd and every session it serves (its per-connection processes are its
    /// descendants, renamed `sshd: user@notty`), as a crashed or rebooted server would.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            for p in crate::procs::tree(c.id()).iter().filter(|p| p.pid != c.id()) {
                // SAFETY: kill(2) on a pid read from /proc; at worst it is gone already.
                unsafe { libc::kill(p.pid as i32, libc::SIGKILL) };
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts sshd again on the same port; with `new_host_key`, as a reinstalled server would.
    pub fn restart(&mut self, new_host_key: bool) {
        self.kill();
        if new_host_key {
            keygen(&self.dir().join("host_key"), "");
        }
        self.launch();
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A local user with a known password (in the libvirt group), for password sign-ins;
/// removed (home too) on drop.
pub struct TestUser {
    pub name: String,
    pub password: String,
}

impl TestUser {
    pub fn create() -> TestUser {
        let name = format!("vireot{}", std::process::id() % 100_000);
        let _ = Command::new("userdel").args(["-r", &name]).stderr(Stdio::null()).status();
        // In the libvirt group: it may manage the system libvirtd, as on Debian.
        let st = Command::new("useradd").args(["-m", "-s", "/bin/sh", "-G", "libvirt", &name]).status().expect("useradd");
        assert!(st.success(), "useradd {name}");
        let password = "s3cret pass'word\"$".to_owned();
        let mut chpasswd = Command::new("chpasswd").stdin(Stdio::piped()).spawn().expect("chpasswd");
        use std::io::Write;
        chpasswd.stdin.take().unwrap().write_all(format!("{name}:{password}\n").as_bytes()).unwrap();
        assert!(chpasswd.wait().unwrap().success(), "chpasswd {name}");
        TestUser { name, password }
    }
}

impl Drop for TestUser {
    fn drop(&mut self) {
        let _ = Command::new("pkill").args(["-KILL", "-u", &self.name]).status();
        let _ = Command::new("userdel").args(["-r", &self.name]).stderr(Stdio::null()).status();
    }
}

/// An ssh-agent holding `key`, stopped on drop.
pub struct Agent {
    pub sock: PathBuf,
    pid: u32,
    _dir: tempfile::TempDir,
}

impl Agent {
    pub fn start(key: &Path) -> Agent {
        let dir = tempfile::tempdir().unwrap();
        let sock = dir.path().join("agent.sock");
        let out = Command::new("ssh-agent").arg("-a").arg(&sock).arg("-s").output().expect("ssh-agent");
        let text = String::from_utf8_lossy(&out.stdout);
        let pid = text
            .split(';')
            .find_map(|p| p.trim().strip_prefix("SSH_AGENT_PID="))
            .and_then(|p| p.parse().ok())
            .expect("ssh-agent's pid");
        let st = Command::new("ssh-add").arg("-q").arg(key).env("SSH_AUTH_SOCK", &sock).status().expect("ssh-add");
        assert!(st.success(), "ssh-add");
        Agent { sock, pid, _dir: dir }
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.pid.to_string()).status();
    }
}
