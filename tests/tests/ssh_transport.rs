//! The SSH transport (vireo-ssh) against a real sshd on 127.0.0.1 with its own host key:
//! host keys (unknown, accepted, changed), sign-in by key, passphrase, agent and password,
//! commands with hostile arguments, libvirt through the forwarded socket, tunnels, file
//! transfers with checksums and cancel, and the session noticing sshd going away.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use vireo_ssh::{private_socket_path, AcceptedKey, Auth, ConnectOptions, Privilege, Secret, SshError, SshSession, Target};
use vireo_tests::silent_peer::SilentPeer;
use vireo_tests::sshd::{Agent, Sshd, TestUser};

fn root(sshd: &Sshd) -> Target {
    Target { host: "127.0.0.1".into(), port: sshd.port, user: "root".into() }
}

/// Options that trust nothing but what the test passes (not the machine's known_hosts).
fn opts() -> ConnectOptions {
    ConnectOptions { known_hosts: vec![], timeout: Duration::from_secs(5), ..Default::default() }
}

fn trusting(sshd: &Sshd) -> ConnectOptions {
    ConnectOptions { accept_new: Some(sshd.fingerprint()), ..opts() }
}

fn key(sshd: &Sshd) -> Auth {
    Auth::KeyFile { path: sshd.client_key(), passphrase: None }
}

#[test]
fn host_keys_are_never_accepted_silently_and_a_changed_one_is_refused() {
    let mut sshd = Sshd::start();
    let t = root(&sshd);
    // Unknown: refused, with the fingerprint ssh-keygen shows for the server's key.
    match SshSession::connect(&t, &key(&sshd), &opts()) {
        Err(SshError::HostKeyUnknown { key, .. }) => {
            assert_eq!(key.fingerprint, sshd.fingerprint());
            assert_eq!(key.kind, "ssh-ed25519");
        }
        other => panic!("an unknown key must be refused: {other:?}"),
    }
    // A wrong confirmation does not help.
    let wrong = ConnectOptions { accept_new: Some("SHA256:AAAA".into()), ..opts() };
    assert!(matches!(SshSession::connect(&t, &key(&sshd), &wrong), Err(SshError::HostKeyUnknown { .. })));
    // Confirmed by fingerprint: signed in, and the session says it was newly accepted.
    let s = SshSession::connect(&t, &key(&sshd), &trusting(&sshd)).expect("accepted key");
    assert!(s.newly_accepted());
    let accepted = AcceptedKey { host: t.host.clone(), port: t.port, key: s.host_key().clone() };
    drop(s);
    let known = ConnectOptions { accepted: vec![accepted.clone()], ..opts() };
    let s = SshSession::connect(&t, &key(&sshd), &known).expect("known key");
    assert!(!s.newly_accepted());
    drop(s);
    // In a known_hosts file (hashed, as OpenSSH writes by default) it is known too.
    let kh = sshd.dir().join("known_hosts");
    let line = format!("[127.0.0.1]:{} {}", sshd.port, std::fs::read_to_string(sshd.host_key_pub()).unwrap());
    std::fs::write(&kh, line).unwrap();
    assert!(std::process::Command::new("ssh-keygen").arg("-Hf").arg(&kh).output().unwrap().status.success());
    assert!(std::fs::read_to_string(&kh).unwrap().starts_with("|1|"), "hashed");
    let from_file = ConnectOptions { known_hosts: vec![kh.clone()], ..opts() };
    SshSession::connect(&t, &key(&sshd), &from_file).expect("key from a hashed known_hosts");

    // The server is "reinstalled": both records now refuse it, naming both fingerprints,
    // even with the new fingerprint offered.
    let old = sshd.fingerprint();
    sshd.restart(true);
    let new = sshd.fingerprint();
    for o in [
        ConnectOptions { accepted: vec![accepted], accept_new: Some(new.clone()), ..opts() },
        ConnectOptions { known_hosts: vec![kh], accept_new: Some(new.clone()), ..opts() },
    ] {
        match SshSession::connect(&t, &key(&sshd), &o) {
            Err(e @ SshError::HostKeyChanged { .. }) => {
                let msg = e.to_string();
                assert!(msg.contains(&old) && msg.contains(&new) && msg.contains("CHANGED"), "{msg}");
            }
            other => panic!("a changed key must be refused: {other:?}"),
        }
    }
}

#[test]
fn sign_in_by_key_passphrase_agent_and_password_with_clear_failures() {
    let sshd = Sshd::start();
    let t = root(&sshd);
    let o = trusting(&sshd);
    // A protected key: asked for, refused when wrong, accepted when right.
    let locked = |p: Option<&str>| Auth::KeyFile { path: sshd.locked_key(), passphrase: p.map(Secret::new) };
    assert!(matches!(SshSession::connect(&t, &locked(None), &o), Err(SshError::PassphraseNeeded { .. })));
    let wrong = SshSession::connect(&t, &locked(Some("wrong")), &o);
    assert!(matches!(wrong, Err(SshError::PassphraseWrong { .. })), "{wrong:?}");
    SshSession::connect(&t, &locked(Some("correct horse")), &o).expect("the right passphrase");

    // The agent (libssh2 reads SSH_AUTH_SOCK; this test alone in the binary sets it).
    let agent = Agent::start(&sshd.client_key());
    std::env::set_var("SSH_AUTH_SOCK", &agent.sock);
    let s = SshSession::connect(&t, &Auth::Agent, &o).expect("sign-in through the agent");
    assert_eq!(s.run(&["id", "-u"], Privilege::User).unwrap().stdout, b"0\n");
    drop(agent);
    std::env::set_var("SSH_AUTH_SOCK", "/nonexistent/agent.sock");
    assert!(matches!(SshSession::connect(&t, &Auth::Agent, &o), Err(SshError::NoAgent(_))));
    std::env::remove_var("SSH_AUTH_SOCK");

    // A password (with quotes and a dollar in it), then a wrong one.
    let user = TestUser::create();
    let ut = Target { user: user.name.clone(), ..t.clone() };
    let s = SshSession::connect(&ut, &Auth::Password(Secret::new(user.password.clone())), &o).expect("password sign-in");
    assert_eq!(String::from_utf8_lossy(&s.run(&["id", "-un"], Privilege::User).unwrap().stdout).trim(), user.name);
    // Root work as a user sudo does not know: a clear error, never a prompt.
    match s.exec(&["true"], &[], Privilege::Root) {
        Err(SshError::SudoPassword { .. }) | Err(SshError::Command(_)) => {}
        Ok(out) => assert!(!out.success(), "sudo as an unprivileged user must fail: {out:?}"),
        Err(e) => panic!("unexpected: {e}"),
    }
    drop(s);
    match SshSession::connect(&ut, &Auth::Password(Secret::new("nope")), &o) {
        Err(e @ SshError::AuthFailed { .. }) => assert!(e.to_string().contains(&user.name), "{e}"),
        other => panic!("a wrong password must fail: {other:?}"),
    }
    // The password never shows in a Debug print.
    assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(…)");
}

#[test]
fn unreachable_hosts_fail_fast_with_the_reason() {
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let t = Target { host: "127.0.0.1".into(), port: closed, user: "root".into() };
    let started = Instant::now();
    match SshSession::connect(&t, &Auth::Agent, &opts()) {
        Err(e @ SshError::Connect { .. }) => assert!(e.to_string().contains("127.0.0.1"), "{e}"),
        other => panic!("a closed port: {other:?}"),
    }
    // A peer that accepts and never speaks: the handshake times out.
    let silent = SilentPeer::start();
    let t = Target { port: silent.port(), ..t };
    let o = ConnectOptions { timeout: Duration::from_secs(2), ..opts() };
    match SshSession::connect(&t, &Auth::Agent, &o) {
        Err(SshError::Timeout { secs, .. }) => assert_eq!(secs, 2),
        other => panic!("a silent peer: {other:?}"),
    }
    println!("closed port + silent peer answered in {:.1} s", started.elapsed().as_secs_f64());
}

#[test]
fn commands_tunnels_libvirt_and_files_share_one_session() {
    let mut sshd = Sshd::start();
    let s = SshSession::connect(&root(&sshd), &key(&sshd), &trusting(&sshd)).expect("sign in");

    // Hostile arguments come back byte for byte, several commands at once.
    let hostile = ["", "it's", "$(touch /tmp/vireo-pwned)", "`id`", "a;b|c&&d", "\\'\"", "line\nbreak", "名字 🚀", "-n", "*"];
    let mut argv = vec!["printf", "%s\\0"];
    argv.extend(hostile);
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (s, argv) = (s.clone(), argv.clone());
            std::thread::spawn(move || s.run(&argv, Privilege::User).unwrap().stdout)
        })
        .collect();
    let want: Vec<u8> = hostile.iter().flat_map(|h| h.bytes().chain([0])).collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), want);
    }
    assert!(!std::path::Path::new("/tmp/vireo-pwned").exists());
    // Status, stderr and stdin.
    let out = s.exec(&["sh", "-c", "cat; echo oops >&2; exit 3"], b"fed through stdin", Privilege::User).unwrap();
    assert_eq!((out.status, out.stdout.as_slice(), out.stderr_line().as_str()), (Some(3), &b"fed through stdin"[..], "oops"));
    assert!(s.run(&["false"], Privilege::Root).is_err());

    // The KVM probe through the session says what the local probe says (same machine).
    let remote = vireo_host::remote_kvm_guests_work(&s);
    let local = vireo_host::kvm_guests_work();
    println!("KVM probe: local {local}, through SSH {remote:?}");
    assert_eq!(remote, Some(local));

    // A TCP tunnel to a service on the remote's loopback.
    let echo = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = echo.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (mut c, _) = echo.accept().unwrap();
        let mut buf = [0u8; 5];
        c.read_exact(&mut buf).unwrap();
        c.write_all(&buf.iter().map(u8::to_ascii_uppercase).collect::<Vec<_>>()).unwrap();
    });
    let mut tunnel = s.tunnel_tcp("127.0.0.1", port).expect("tunnel");
    tunnel.write_all(b"hello").unwrap();
    let mut back = [0u8; 5];
    tunnel.read_exact(&mut back).unwrap();
    assert_eq!(&back, b"HELLO");
    let refused = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    assert!(s.tunnel_tcp("127.0.0.1", refused).is_err(), "a closed remote port is an error");

    // libvirt through the forwarded socket, opened the way vireo-host opens any URI.
    let sock = private_socket_path(&format!("test-{}.sock", std::process::id())).unwrap();
    let fwd = s.forward_unix("/var/run/libvirt/libvirt-sock", &sock).expect("forward libvirt's socket");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(fwd.path()).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::metadata(fwd.path().parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
    let uri = format!("qemu+unix:///system?socket={}", fwd.path().display());
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (remote, local) = rt.block_on(async {
        let remote = vireo_host::Host::connect("ssh", &uri, Default::default()).await.expect("libvirt over ssh");
        let local = vireo_host::Host::connect("local", "qemu:///system", Default::default()).await.unwrap();
        let t = Instant::now();
        let r = remote.list_vms().await.expect("list over ssh");
        println!("list of {} VMs with stats through the SSH session: {:.1} ms", r.len(), t.elapsed().as_secs_f64() * 1000.0);
        (r, local.list_vms().await.unwrap())
    });
    let names = |v: &[vireo_core::VmSummary]| v.iter().map(|v| v.uuid.clone()).collect::<std::collections::BTreeSet<_>>();
    // Domains come and go under other tests: the two lists taken a moment apart mostly agree.
    let (r, l) = (names(&remote), names(&local));
    assert!(r.intersection(&l).count() + 2 >= r.len().max(l.len()), "ssh {} vs local {}", r.len(), l.len());

    // Files: up and down, verified by SHA-256 on both sides; cancel leaves nothing.
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src.bin");
    let data: Vec<u8> = (0..6_000_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(&src, &data).unwrap();
    let remote_path = dir.path().join("remote copy 'x'.bin").display().to_string();
    let mut seen = Vec::new();
    let t = Instant::now();
    s.upload(&src, &remote_path, Privilege::User, &mut |p| seen.push(p.done), &AtomicBool::new(false)).expect("upload");
    println!("upload of 6 MB: {:.0} ms", t.elapsed().as_secs_f64() * 1000.0);
    assert_eq!(std::fs::read(&remote_path).unwrap(), data);
    assert_eq!(seen.last(), Some(&(data.len() as u64)));
    assert!(seen.len() > 3, "progress in steps: {seen:?}");
    let back: PathBuf = dir.path().join("back.bin");
    s.download(&remote_path, &back, Privilege::User, &mut |_| {}, &AtomicBool::new(false)).expect("download");
    assert_eq!(std::fs::read(&back).unwrap(), data);
    let cancel = AtomicBool::new(false);
    let cancelled_path = dir.path().join("never.bin").display().to_string();
    let r = s.upload(&src, &cancelled_path, Privilege::User, &mut |p| {
        if p.done > 1_000_000 {
            cancel.store(true, std::sync::atomic::Ordering::Relaxed)
        }
    }, &cancel);
    assert!(matches!(r, Err(SshError::Cancelled)), "{r:?}");
    assert!(!std::path::Path::new(&cancelled_path).exists());
    assert!(!std::path::Path::new(&format!("{cancelled_path}.vireo-part")).exists());

    // sshd goes away: the session notices, says why, and fails calls instead of hanging.
    drop(tunnel);
    let t = Instant::now();
    sshd.kill();
    let reason = s.wait_closed(Duration::from_secs(20)).expect("the session notices sshd is gone");
    println!("sshd killed -> session closed after {:.1} s: {reason}", t.elapsed().as_secs_f64());
    assert!(matches!(s.run(&["true"], Privilege::User), Err(SshError::Closed { .. })));
    drop(fwd);
    assert!(!sock.exists(), "the forwarded socket is removed");
    drop((remote, local));
}

/// A "remote" host with an address of its own: sshd inside a network namespace, reached
/// over a veth link, carrying commands and libvirt like any server would.
#[test]
fn a_host_in_its_own_network_namespace() {
    let ns = vireo_tests::netns::Netns::create("ssh");
    let sshd = Sshd::start_at(&ns.addr, 22, Some(&ns.name));
    let t = Target { host: ns.addr.clone(), port: 22, user: "root".into() };
    let s = SshSession::connect(&t, &key(&sshd), &trusting(&sshd)).expect("sign in across the veth link");
    // Its commands run in the namespace: they see its address, not loopback's.
    let out = s.run(&["ip", "-o", "-4", "addr", "show"], Privilege::User).unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(&ns.addr), "{}", String::from_utf8_lossy(&out.stdout));
    let sock = private_socket_path(&format!("ns-{}.sock", std::process::id())).unwrap();
    let fwd = s.forward_unix("/var/run/libvirt/libvirt-sock", &sock).unwrap();
    let uri = format!("qemu+unix:///system?socket={}", fwd.path().display());
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let n = rt.block_on(async {
        let host = vireo_host::Host::connect("ns", &uri, Default::default()).await.expect("libvirt through the namespace host");
        host.list_vms().await.unwrap().len()
    });
    println!("namespace host {}: {n} VMs through its SSH session", ns.addr);
}

/// A host with the modular daemons' socket only (`virtqemud-sock`, no `libvirt-sock`):
/// the first open finds libvirt absent where it usually is, looks, and opens it there.
#[test]
fn the_remote_libvirt_socket_is_found_where_the_host_has_it() {
    let dir = tempfile::tempdir().unwrap();
    let sshd = Sshd::start_modular(dir.path());
    let out = SshSession::connect(&root(&sshd), &key(&sshd), &trusting(&sshd)).unwrap().run(&["ls", "/var/run/libvirt"], Privilege::User).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "virtqemud-sock", "the host has no libvirt-sock");
    let spec = vireo_core::SshSpec {
        user: "root".into(),
        host: "127.0.0.1".into(),
        port: sshd.port,
        auth: vireo_core::SshAuth::Key,
        key_path: Some(sshd.client_key().display().to_string()),
        read_only: false,
    };
    let key = vireo_ssh::KeyInfo { kind: "ssh-ed25519".into(), fingerprint: sshd.fingerprint() };
    let accepted = vec![AcceptedKey { host: "127.0.0.1".into(), port: sshd.port, key }];
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let link = std::sync::Arc::new(vireo_host::SshLink::new(spec, accepted));
        let host = vireo_host::Host::new_ssh("modular", link, Default::default());
        host.wait_first_attempt().await.expect("libvirt found at virtqemud-sock");
        host.list_vms().await.expect("list through the socket found");
    });
}
