//! libvirtd stops under a live session: the host reports it at once (close callback),
//! calls fail with a clear error instead of hanging, the CLI says what to do, and the
//! session comes back by itself when the daemon returns.
//!
//! Both tests stop the one libvirtd, so they take turns (`DAEMON`).

use std::time::{Duration, Instant};

use vireo_core::{HostEvent, HostKind, HostStatus};
use vireo_host::{Host, HostOptions};
use vireo_tests::daemon::{start_libvirtd, stop_libvirtd, RestartOnDrop};
use vireo_tests::wait;

/// Held by each test for its whole run: tests of one binary run in parallel.
static DAEMON: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn status_event(ev: &HostEvent, want: HostStatus) -> bool {
    matches!(ev, HostEvent::HostStatus { status, .. } if *status == want)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_daemon_is_reported_and_the_session_reconnects() {
    let _turn = DAEMON.lock().await;
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

    let cli = vireo_tests::fresh_binary("vireo-cli", "vireo");
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
    let cli = vireo_tests::fresh_binary("vireo-cli", "vireo");
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

/// Calls that find the link dead during an outage signal a loss. Those signals belong
/// to the dead session: the session opened once the daemon is back must stay up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn losses_signalled_during_an_outage_do_not_drop_the_next_session() {
    const CALLS: usize = 3;
    let _turn = DAEMON.lock().await;
    let opts = HostOptions { max_backoff: Duration::from_secs(2), ..Default::default() };
    let host = Host::connect("local", "qemu:///system", opts).await.expect("connect to libvirtd");
    let mut events = host.subscribe();
    let _guard = RestartOnDrop;

    // Calls that take the live connection now and make their request only once the
    // daemon is gone, as a slow call caught by the outage would.
    let (started_tx, mut started) = tokio::sync::mpsc::unbounded_channel();
    let mut gates = Vec::new();
    let mut caught = Vec::new();
    for _ in 0..CALLS {
        let (gate_tx, gate) = tokio::sync::oneshot::channel::<()>();
        let started_tx = started_tx.clone();
        let host = host.clone();
        caught.push(tokio::spawn(async move {
            host.call(move |conn| {
                started_tx.send(()).unwrap();
                let _ = gate.blocking_recv();
                conn.num_of_domains().map_err(|e| vireo_core::Error::Internal(e.to_string()))
            })
            .await
        }));
        gates.push(gate_tx);
    }
    for _ in 0..CALLS {
        started.recv().await.expect("the call started");
    }

    tokio::task::spawn_blocking(stop_libvirtd).await.unwrap();
    wait::event(&mut events, "host disconnected", 20, |e| status_event(e, HostStatus::Disconnected)).await;
    for gate in gates {
        gate.send(()).unwrap();
    }
    for call in caught {
        let err = call.await.unwrap().expect_err("a call on the dead link fails");
        assert_eq!(err.code(), "disconnected", "{err}");
    }
    // Calls made while the daemon is away fail at once with the reason.
    let err = host.list_vms().await.expect_err("no daemon, no list");
    assert!(matches!(err.code(), "unreachable" | "disconnected"), "{err}");

    let launched = Instant::now();
    let start = tokio::task::spawn_blocking(move || {
        start_libvirtd();
        launched.elapsed()
    });
    wait::event(&mut events, "host reconnected", 60, |e| status_event(e, HostStatus::Connected)).await;
    let connected = launched.elapsed();
    let answered = start.await.unwrap();

    // A stale loss signal acts at once; a few quiet seconds show there is none.
    let spurious = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match events.recv().await {
                Ok(ev) if status_event(&ev, HostStatus::Disconnected) => return ev,
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(e) => panic!("event stream ended: {e}"),
            }
        }
    })
    .await;
    let for_good = match spurious {
        Ok(_) => {
            wait::event(&mut events, "host reconnected again", 60, |e| status_event(e, HostStatus::Connected)).await;
            launched.elapsed()
        }
        Err(_) => connected,
    };
    println!(
        "libvirtd launched -> answering: {answered:?}; -> host connected: {connected:?}; -> connected for good: {for_good:?}"
    );
    println!("spurious reconnect after the outage: {}", if spurious.is_ok() { "yes" } else { "no" });
    assert!(spurious.is_err(), "the new session was dropped by a stale loss signal: {spurious:?}");
    assert_eq!(host.status(), (HostStatus::Connected, None));
    host.list_vms().await.expect("listing works on the new session");
}

/// A VM create stopped half-way by libvirtd going away (its disk being copied): the task
/// fails with a clear error, and what it made is gone once the daemon is back (the undo
/// journal in SQLite, finished on reconnect): no domain, no volume.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_killed_half_way_leaves_nothing_behind() {
    use vireo_core::{DiskBus, Firmware, NewDisk, NewVm, TaskStep};
    use vireo_tests::storage_kit::{local, virsh, TestPool};

    let _turn = DAEMON.lock().await;
    let _guard = RestartOnDrop;
    let data = tempfile::tempdir().unwrap();
    let (app, host) = local(data.path()).await;
    let pool = TestPool::make(&app, &host).await;
    // A big sparse template: copying it takes seconds, long enough to stop the daemon.
    let template = pool.dir.path().join("template.img");
    std::fs::File::create(&template).unwrap().set_len(6 << 30).unwrap();
    app.pool_action(&host, &pool.name, vireo_app::PoolAction::Refresh).await.unwrap();
    let name = vireo_tests::unique_name("killed");
    let vm = NewVm {
        name: name.clone(),
        vcpus: 1,
        memory_mib: 64,
        disk: NewDisk::FullCopy { pool: pool.name.clone(), template: template.display().to_string() },
        disk_bus: DiskBus::Virtio,
        cdrom: None,
        nics: vec![],
        firmware: Firmware::Bios,
        cloud_init: None,
        description: None,
        start: false,
    };
    let task = app.create_vm(&host, vm).await.unwrap();
    let mut watch = app.watch_task(&task.id).unwrap();
    watch.wait_for(|t| t.step == TaskStep::CopyingDisk || t.state.is_done()).await.unwrap();
    tokio::task::spawn_blocking(stop_libvirtd).await.unwrap();
    let err = app.wait_task(&task.id).await.expect_err("the create cannot finish without libvirtd");
    println!("the create failed with: {err}");
    assert!(["disconnected", "libvirt", "unreachable"].contains(&err.code()), "a clear error: {err:?}");

    tokio::task::spawn_blocking(start_libvirtd).await.unwrap();
    let copy = format!("{name}.qcow2");
    let deadline = Instant::now() + Duration::from_secs(90);
    while pool.files() != ["template.img"] && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(pool.files(), ["template.img"], "the half-made copy was removed on reconnect");
    assert!(!virsh(&["list", "--all", "--name"]).contains(&name), "no domain was left");
    assert!(!virsh(&["vol-list", &pool.name]).contains(&copy), "no volume was left");
}
