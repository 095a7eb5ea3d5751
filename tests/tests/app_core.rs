//! The application core the Tauri shell wraps: first start, host sessions, history.

use vireo_app::Vireo;
use vireo_core::{HostKind, HostStatus, VmAction};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_start_adds_the_local_host_and_records_actions() {
    let dir = tempfile::tempdir().unwrap();
    let app = Vireo::start(dir.path(), "test").await.unwrap();
    let hosts = app.list_hosts();
    assert_eq!(hosts.len(), 1);
    assert_eq!(hosts[0].kind, HostKind::Local, "libvirtd runs here, so the local host is added");
    assert_eq!(hosts[0].uri, "qemu:///system");
    let host = app.host(&hosts[0].id).unwrap();
    host.wait_first_attempt().await.unwrap();
    assert_eq!(app.list_hosts()[0].status, HostStatus::Connected);

    let absent = "00000000-0000-4000-8000-00000000abcd";
    let err = app.vm_action(&hosts[0].id, absent, VmAction::Start).await.unwrap_err();
    assert_eq!(err.code(), "vm_not_found");
    let history = app.store().history(10).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!((history[0].action.as_str(), history[0].target.as_str(), history[0].ok), ("start", absent, false));
    let err = app.vm_action(&hosts[0].id, "vireo-absent", VmAction::Start).await.unwrap_err();
    assert_eq!(err.code(), "invalid_input", "the app addresses VMs by UUID only");
    drop(app);

    // A second start keeps the saved host rather than adding another.
    let again = Vireo::start(dir.path(), "test").await.unwrap();
    assert_eq!(again.list_hosts().len(), 1);
}

#[tokio::test]
async fn unknown_host_ids_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let app = Vireo::start(dir.path(), "test").await.unwrap();
    let err = app.list_vms("999").await.unwrap_err();
    assert_eq!(err.code(), "host_not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guest_acceleration_is_detected_and_can_be_overridden_per_host() {
    use vireo_core::Accel;
    use vireo_host::DomainKind;

    let dir = tempfile::tempdir().unwrap();
    let app = Vireo::start(dir.path(), "test").await.unwrap();
    let id = app.list_hosts()[0].id.clone();
    app.host(&id).unwrap().wait_first_attempt().await.unwrap();
    // Auto: the probe decides; both answers are legitimate on some machine, but it must
    // agree with the probe run directly.
    let probed = tokio::task::spawn_blocking(vireo_host::kvm_guests_work).await.unwrap();
    let offered = app.host(&id).unwrap().offers_kvm().await.unwrap();
    let auto = app.guest_domain_kind(&id).await.unwrap();
    assert_eq!(auto == DomainKind::Kvm, probed && offered);

    app.set_host_accel(&id, Accel::Qemu).await.unwrap();
    assert_eq!(app.guest_domain_kind(&id).await.unwrap(), DomainKind::Qemu);
    app.set_host_accel(&id, Accel::Kvm).await.unwrap();
    assert_eq!(app.guest_domain_kind(&id).await.unwrap(), DomainKind::Kvm);
    assert_eq!(app.list_hosts()[0].accel, Accel::Kvm);
    drop(app);
    // The setting is saved.
    let again = Vireo::start(dir.path(), "test").await.unwrap();
    assert_eq!(again.list_hosts()[0].accel, Accel::Kvm);
    assert!(app_err(again.set_host_accel("999", Accel::Qemu).await).contains("999"));
}

fn app_err(r: vireo_core::Result<()>) -> String {
    r.unwrap_err().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hosts_are_added_checked_and_removed_with_history() {
    let dir = tempfile::tempdir().unwrap();
    let app = Vireo::start(dir.path(), "test").await.unwrap();
    let mut events = app.subscribe();

    // Bad input: nothing is saved, and the error names the problem.
    let err = app.add_host("Broken", "not-a-uri").await.unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    assert!(err.to_string().contains("no scheme"), "{err}");
    let err = app.add_host("   ", "test:///default").await.unwrap_err();
    assert!(err.to_string().contains("host name"), "{err}");
    let err = app.add_host("Local", "test:///default").await.unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    assert_eq!(app.list_hosts().len(), 1);

    // An unreachable host is saved, shown disconnected, with the reason.
    let bad = app.add_host("Unreachable", "qemu+tcp://127.0.0.1:1/system").await.unwrap();
    assert_eq!(bad.kind, HostKind::Remote);
    let ev = vireo_tests::wait::event(&mut events, "unreachable host status", 10, |e| {
        matches!(e, vireo_core::HostEvent::HostStatus { host_id, status: HostStatus::Disconnected, .. } if *host_id == bad.id)
    })
    .await;
    let vireo_core::HostEvent::HostStatus { error: Some(reason), .. } = ev else { panic!("{ev:?}") };
    assert!(reason.contains("Connection refused"), "{reason}");
    let err = app.list_vms(&bad.id).await.unwrap_err();
    assert_eq!(err.code(), "unreachable");

    // A second, working connection to the demo driver.
    let demo = app.add_host("Demo", "test:///default").await.unwrap();
    assert_eq!(demo.kind, HostKind::Demo);
    app.host(&demo.id).unwrap().wait_first_attempt().await.unwrap();
    assert_eq!(app.list_vms(&demo.id).await.unwrap()[0].name, "test");
    assert_eq!(app.list_hosts().len(), 3);

    app.remove_host(&bad.id).await.unwrap();
    assert!(app.list_hosts().iter().all(|h| h.id != bad.id));
    assert_eq!(app.remove_host(&bad.id).await.unwrap_err().code(), "host_not_found");
    drop(app);
    let again = Vireo::start(dir.path(), "test").await.unwrap();
    let names: Vec<String> = again.list_hosts().into_iter().map(|h| h.name).collect();
    assert_eq!(names, ["Local", "Demo"], "removal and additions were saved");

    let history = again.history(50).await.unwrap();
    let summary: Vec<(&str, bool)> = history.iter().map(|h| (h.action.as_str(), h.ok)).collect();
    assert_eq!(
        summary,
        [
            ("remove_host", false),
            ("remove_host", true),
            ("add_host", true),
            ("add_host", true),
            ("add_host", false),
            ("add_host", false),
            ("add_host", false),
        ]
    );
    assert!(history[4].detail.as_deref().unwrap().contains("already exists"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_host_that_no_longer_validates_does_not_stop_the_app() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = vireo_store::Store::open(&dir.path().join("vireo.db")).unwrap();
        store.add_host("Good", "test:///default", HostKind::Demo, vireo_core::Accel::Auto).unwrap();
        store.add_host("Old", "qemu+ssh://h/system", HostKind::Remote, vireo_core::Accel::Auto).unwrap();
    }
    // As saved by an older version that accepted it; today's rule refuses it.
    let db = rusqlite::Connection::open(dir.path().join("vireo.db")).unwrap();
    db.execute("UPDATE hosts SET uri = 'qemu+ssh://h/system?command=/bin/sh' WHERE name = 'Old'", []).unwrap();
    drop(db);
    let app = Vireo::start(dir.path(), "test").await.expect("the app starts with the good host");
    let names: Vec<String> = app.list_hosts().into_iter().map(|h| h.name).collect();
    assert_eq!(names, ["Good"]);
}
