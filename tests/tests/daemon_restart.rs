//! libvirtd stops under a live session: the host reports it at once (close callback),
//! calls fail with a clear error instead of hanging, the CLI says what to do, and the
//! session comes back by itself when the daemon returns.

use std::time::Duration;

use vireo_core::{HostEvent, HostKind, HostStatus};
use vireo_host::{Host, HostOptions};
use vireo_tests::daemon::{start_libvirtd, stop_libvirtd, RestartOnDrop};
use vireo_tests::{wait, workspace_root};

fn status_event(ev: &HostEvent, want: HostStatus) -> bool {
    matches!(ev, HostEvent::HostStatus { status, .. } if *status == want)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_daemon_is_reported_and_the_session_reconnects() {
    let opts = HostOptions { max_backoff: Duration::from_secs(2), ..Default::default() };
    let host = Host::connect("local", "qemu:///system", opts).await.expect("connect to libvirtd");
    let mut events = host.subscribe();
    let _guard = RestartOnDrop;

    tokio::task::spawn_blocking(stop_libvirtd).await.unwrap();
    let ev = wait::event(&mut events, "host disconnected", 20, |e| status_event(e, HostStatus::Disconnected)).await;
    let HostEvent::HostStatus { error: Some(reason), .. } = ev else { panic!("no reason given: {ev:?}") };
    assert!(!reason.is_empty());

    let err = tokio::time::timeout(Duration::from_secs(10), host.list_vms())
        .await
        .expect("listing on a dead connection returns instead of hanging")
        .unwrap_err();
    assert!(matches!(err.code(), "unreachable" | "disconnected"), "{err}");
    assert!(err.hint().unwrap().contains("libvirtd"), "the hint points at the daemon: {:?}", err.hint());

    let cli = workspace_root().join("target/debug/vireo");
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(cli).args(["-c", "qemu:///system", "vm", "list"]).output().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot connect to qemu:///system"), "{stderr}");
    assert!(stderr.contains("Is libvirtd running?"), "{stderr}");

    // With no daemon, a first start falls back to the labelled demo connection, and so
    // does the CLI's default, so the app works on any machine.
    let data = tempfile::tempdir().unwrap();
    let app = vireo_app::Vireo::start(data.path(), "test").await.unwrap();
    let hosts = app.list_hosts();
    assert_eq!(hosts.len(), 1);
    assert_eq!((hosts[0].kind, hosts[0].uri.as_str()), (HostKind::Demo, "test:///default"));
    assert!(hosts[0].name.contains("Demo"), "the demo host is labelled as such: {}", hosts[0].name);
    app.host(&hosts[0].id).unwrap().wait_first_attempt().await.unwrap();
    let demo_vms = app.list_vms(&hosts[0].id).await.unwrap();
    assert_eq!(demo_vms.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(), ["test"]);
    let cli = workspace_root().join("target/debug/vireo");
    let out = tokio::task::spawn_blocking(move || std::process::Command::new(cli).args(["vm", "list"]).output().unwrap())
        .await
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("demo hypervisor test:///default"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("test"));

    tokio::task::spawn_blocking(start_libvirtd).await.unwrap();
    wait::event(&mut events, "host reconnected", 60, |e| status_event(e, HostStatus::Connected)).await;
    host.list_vms().await.expect("listing works again after the reconnect");
}
