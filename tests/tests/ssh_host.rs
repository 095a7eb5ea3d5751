//! A remote host through Vireo's own SSH session, end to end in the app core: added with
//! its SSH fields, its unknown host key asked about and accepted (then saved), libvirt
//! reached through the forwarded socket, VM lifecycle events arriving over it, a password
//! host asking again after a wrong password, and the host coming back by itself after
//! sshd is killed and restarted and after libvirtd restarts.

use std::time::Instant;

use vireo_app::Vireo;
use vireo_core::{HostEvent, HostPrompt, HostStatus, HostTarget, PromptAnswer, SshAuth, SshSpec, VmAction, VmRef};
use vireo_host::{Host, HostOptions};
use vireo_tests::daemon::{start_libvirtd, stop_libvirtd, RestartOnDrop};
use vireo_tests::sshd::{Sshd, TestUser};
use vireo_tests::{unique_name, wait, TestDomain};

fn spec(sshd: &Sshd, user: &str, auth: SshAuth) -> SshSpec {
    SshSpec {
        user: user.into(),
        host: "127.0.0.1".into(),
        port: sshd.port,
        auth,
        key_path: (auth == SshAuth::Key).then(|| sshd.client_key().display().to_string()),
        read_only: false,
    }
}

fn status_of(ev: &HostEvent, id: &str) -> Option<(HostStatus, Option<String>, Option<HostPrompt>)> {
    match ev {
        HostEvent::HostStatus { host_id, status, error, prompt, .. } if host_id == id => Some((*status, error.clone(), prompt.clone())),
        _ => None,
    }
}

async fn until_status(
    rx: &mut tokio::sync::broadcast::Receiver<HostEvent>,
    id: &str,
    what: &str,
    secs: u64,
    want: impl Fn(HostStatus, &Option<HostPrompt>) -> bool,
) -> (HostStatus, Option<String>, Option<HostPrompt>) {
    let ev = wait::event(rx, what, secs, |e| status_of(e, id).is_some_and(|(s, _, p)| want(s, &p))).await;
    status_of(&ev, id).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ssh_host_asks_for_its_key_lists_vms_follows_events_and_comes_back_after_faults() {
    let mut sshd = Sshd::start();
    let data = tempfile::tempdir().unwrap();
    let app = Vireo::start(data.path(), "test").await.unwrap();
    let mut rx = app.subscribe();

    // Bad input is refused by name and saves nothing.
    for (field, bad) in [("SSH host", SshSpec { host: "host;rm".into(), ..spec(&sshd, "root", SshAuth::Agent) }),
                         ("SSH host", SshSpec { host: "a b".into(), ..spec(&sshd, "root", SshAuth::Agent) }),
                         ("SSH user", SshSpec { user: "-oProxyCommand=x".into(), ..spec(&sshd, "root", SshAuth::Agent) })] {
        let before = app.list_hosts().len();
        let e = app.add_host_target("bad", HostTarget::Ssh { spec: bad }).await.unwrap_err();
        assert!(e.to_string().contains(field), "{e}");
        assert_eq!(app.list_hosts().len(), before);
    }

    let t0 = Instant::now();
    let added = app.add_host_target("server", HostTarget::Ssh { spec: spec(&sshd, "root", SshAuth::Key) }).await.unwrap();
    assert_eq!(added.uri, format!("ssh://root@127.0.0.1:{}", sshd.port));
    let id = added.id.clone();
    let (_, error, prompt) = until_status(&mut rx, &id, "the host-key question", 20, |_, p| p.is_some()).await;
    let Some(HostPrompt::HostKey { key_type, fingerprint }) = prompt else { panic!("{prompt:?}") };
    assert_eq!((key_type.as_str(), fingerprint.as_str()), ("ssh-ed25519", sshd.fingerprint().as_str()));
    assert!(error.unwrap().contains(&fingerprint));
    assert_eq!(app.list_hosts().iter().find(|h| h.id == id).unwrap().prompt, Some(HostPrompt::HostKey { key_type, fingerprint: fingerprint.clone() }));
    // A wrong fingerprint is refused; the right one connects.
    let wrong = app.answer_prompt(&id, PromptAnswer::AcceptHostKey { fingerprint: "SHA256:nope".into() }).await.unwrap_err();
    assert!(wrong.to_string().contains(&fingerprint), "{wrong}");
    let t1 = Instant::now();
    app.answer_prompt(&id, PromptAnswer::AcceptHostKey { fingerprint: fingerprint.clone() }).await.unwrap();
    until_status(&mut rx, &id, "connected over SSH", 30, |s, _| s == HostStatus::Connected).await;
    println!("added -> host-key prompt {:.0} ms; accepted -> connected {:.0} ms", (t1 - t0).as_secs_f64() * 1000.0, t1.elapsed().as_secs_f64() * 1000.0);
    let keys = app.store().host_keys().unwrap();
    assert!(keys.iter().any(|k| k.fingerprint == fingerprint && k.port == sshd.port), "saved: {keys:?}");

    // Its VMs are the local libvirt's, read through the SSH session.
    let local = Host::connect("local", "qemu:///system", HostOptions::default()).await.unwrap();
    let over_ssh = app.list_vms(&id).await.unwrap();
    let here = local.list_vms().await.unwrap();
    let uuids = |v: &[vireo_core::VmSummary]| v.iter().map(|v| v.uuid.clone()).collect::<std::collections::BTreeSet<_>>();
    assert!(uuids(&over_ssh).intersection(&uuids(&here)).count() + 2 >= here.len(), "{} vs {}", over_ssh.len(), here.len());
    assert!(app.host(&id).unwrap().ssh().is_some(), "the session is there for commands and tunnels");

    // A VM started here: its lifecycle event arrives over SSH, and so does the stop.
    let name = unique_name("ssh");
    let _domain = TestDomain::define(&local, &vireo_host::xml::DomainSpec::new(&name, vireo_host::DomainKind::Qemu)).await;
    let uuid = local.list_vms().await.unwrap().into_iter().find(|v| v.name == name).unwrap().uuid;
    app.vm_action(&id, &uuid, VmAction::Start).await.expect("start over SSH");
    wait::event(&mut rx, "started over SSH", 30, |e| matches!(e, HostEvent::VmLifecycle { host_id, name: n, event, .. } if *host_id == id && *n == name && event == "started")).await;
    local.vm_action(&VmRef::Name(name.clone()), VmAction::Destroy).await.unwrap();
    wait::event(&mut rx, "stopped, seen over SSH", 30, |e| matches!(e, HostEvent::VmLifecycle { host_id, name: n, event, .. } if *host_id == id && *n == name && event == "stopped")).await;

    // sshd dies: the host says so within seconds, then comes back by itself.
    let t = Instant::now();
    sshd.kill();
    let (_, reason, _) = until_status(&mut rx, &id, "disconnected after sshd died", 30, |s, _| s == HostStatus::Disconnected).await;
    println!("sshd killed -> host disconnected after {:.1} s: {}", t.elapsed().as_secs_f64(), reason.unwrap_or_default());
    sshd.restart(false);
    let t = Instant::now();
    until_status(&mut rx, &id, "reconnected after sshd came back", 60, |s, _| s == HostStatus::Connected).await;
    println!("sshd back -> host connected after {:.1} s", t.elapsed().as_secs_f64());
    assert!(!app.list_vms(&id).await.unwrap().is_empty());

    // libvirtd restarts behind the SSH session: the host comes back by itself.
    let _restart = RestartOnDrop;
    let t = Instant::now();
    tokio::task::spawn_blocking(stop_libvirtd).await.unwrap();
    until_status(&mut rx, &id, "disconnected while libvirtd is down", 30, |s, _| s == HostStatus::Disconnected).await;
    tokio::task::spawn_blocking(start_libvirtd).await.unwrap();
    until_status(&mut rx, &id, "reconnected after libvirtd came back", 90, |s, _| s == HostStatus::Connected).await;
    println!("libvirtd restarted -> host connected {:.1} s after the stop", t.elapsed().as_secs_f64());
    assert!(!app.list_vms(&id).await.unwrap().is_empty());

    // Disconnect and connect by request.
    app.disconnect_host(&id).await.unwrap();
    until_status(&mut rx, &id, "disconnected on request", 10, |s, _| s == HostStatus::Disconnected).await;
    assert!(app.host(&id).unwrap().ssh().is_none(), "the session is closed");
    app.connect_host(&id).await.unwrap();
    until_status(&mut rx, &id, "connected on request", 30, |s, _| s == HostStatus::Connected).await;

    // History has the host changes and the key acceptance.
    let actions: Vec<String> = app.history(50).await.unwrap().into_iter().map(|h| h.action).collect();
    for want in ["add_host", "accept_host_key", "disconnect_host", "connect_host", "start"] {
        assert!(actions.iter().any(|a| a == want), "{want} in {actions:?}");
    }
    drop(app);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_host_asks_again_after_a_wrong_password() {
    let sshd = Sshd::start();
    let user = TestUser::create();
    let data = tempfile::tempdir().unwrap();
    let app = Vireo::start(data.path(), "test").await.unwrap();
    let mut rx = app.subscribe();
    let added = app.add_host_target("pw", HostTarget::Ssh { spec: spec(&sshd, &user.name, SshAuth::Password) }).await.unwrap();
    let id = added.id;
    let (_, _, p) = until_status(&mut rx, &id, "the host-key question", 20, |_, p| p.is_some()).await;
    let Some(HostPrompt::HostKey { fingerprint, .. }) = p else { panic!("{p:?}") };
    app.answer_prompt(&id, PromptAnswer::AcceptHostKey { fingerprint }).await.unwrap();
    let (_, _, p) = until_status(&mut rx, &id, "the password question", 20, |_, p| matches!(p, Some(HostPrompt::Password { .. }))).await;
    assert_eq!(p, Some(HostPrompt::Password { retry: false }));
    app.answer_prompt(&id, PromptAnswer::Secret { secret: "wrong".into() }).await.unwrap();
    let (_, error, p) = until_status(&mut rx, &id, "asked again", 30, |_, p| matches!(p, Some(HostPrompt::Password { retry: true }))).await;
    assert!(error.unwrap_or_default().contains(&user.name));
    assert!(p.is_some());
    // The right one signs in; the user is in the libvirt group, so its VMs are listed.
    app.answer_prompt(&id, PromptAnswer::Secret { secret: user.password.clone() }).await.unwrap();
    let (status, error, prompt) =
        until_status(&mut rx, &id, "signed in", 30, |s, p| p.is_none() && s != HostStatus::Connecting).await;
    assert_eq!((status, prompt), (HostStatus::Connected, None), "{error:?}");
    app.list_vms(&id).await.expect("the libvirt group member lists VMs over SSH");
    // The refused password is in history as a failed sign-in; secrets never are.
    let entries = app.history(50).await.unwrap();
    assert!(entries.iter().any(|h| h.action == "sign_in" && !h.ok), "{entries:?}");
    // Secrets never reach the history or the store.
    let history = format!("{:?}", app.history(50).await.unwrap());
    assert!(!history.contains(&user.password) && !history.contains("wrong"), "{history}");
    let db = std::fs::read(data.path().join("vireo.db")).unwrap_or_default();
    assert!(!String::from_utf8_lossy(&db).contains(&user.password));
}
