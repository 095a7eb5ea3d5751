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

    let err = app.vm_action(&hosts[0].id, "vireo-absent", VmAction::Start).await.unwrap_err();
    assert_eq!(err.code(), "vm_not_found");
    let history = app.store().history(10).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!((history[0].action.as_str(), history[0].target.as_str(), history[0].ok), ("start", "vireo-absent", false));
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

    app.set_host_accel(&id, Accel::Qemu).unwrap();
    assert_eq!(app.guest_domain_kind(&id).await.unwrap(), DomainKind::Qemu);
    app.set_host_accel(&id, Accel::Kvm).unwrap();
    assert_eq!(app.guest_domain_kind(&id).await.unwrap(), DomainKind::Kvm);
    assert_eq!(app.list_hosts()[0].accel, Accel::Kvm);
    drop(app);
    // The setting is saved.
    let again = Vireo::start(dir.path(), "test").await.unwrap();
    assert_eq!(again.list_hosts()[0].accel, Accel::Kvm);
    assert!(app_err(again.set_host_accel("999", Accel::Qemu)).contains("999"));
}

fn app_err(r: vireo_core::Result<()>) -> String {
    r.unwrap_err().to_string()
}
