//! The test guest on the real libvirtd: define, start, lease, HTTP, lifecycle events,
//! listing with live figures, clean-up.

use vireo_core::{HostEvent, VmAction, VmRef, VmState};
use vireo_host::{Host, HostOptions};
use vireo_tests::{guest_fixture, guest_spec, unique_mac, unique_name, wait, TestDomain};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guest_boots_gets_a_lease_serves_http_and_reports_lifecycle_events() {
    let fixture = guest_fixture();
    let host = Host::connect("local", "qemu:///system", HostOptions::default()).await.expect("connect to libvirtd");
    let mut events = host.subscribe();
    let (name, mac) = (unique_name("life"), unique_mac());
    let spec = guest_spec(&name, &mac, &fixture, false);
    let vm = TestDomain::define(&host, &spec).await;
    wait::lifecycle(&mut events, &name, "defined").await;

    let listed = host.list_vms().await.unwrap();
    let me = listed.iter().find(|v| v.name == name).expect("defined VM is listed");
    assert_eq!(me.state, VmState::ShutOff);
    assert_eq!(me.vcpus, 1);
    assert_eq!(me.max_memory_kib, 160 * 1024);

    host.vm_action(&VmRef::Name(vm.name.clone()), VmAction::Start).await.unwrap();
    let ev = wait::lifecycle(&mut events, &name, "started").await;
    assert!(matches!(ev, HostEvent::VmLifecycle { state: Some(VmState::Running), .. }));

    let lease = wait::lease(&host, "default", &mac, 90).await;
    assert!(lease.ip.starts_with("192.168.122."), "lease on the default network: {lease:?}");
    let page = wait::http_get(&lease.ip, 60).await;
    assert!(page.contains("vireo test guest"), "guest page: {page}");
    assert!(page.contains(&name), "the page names the guest's hostname: {page}");

    // Figures: the NIC has moved bytes (DHCP + HTTP); CPU % needs a second sample. A
    // running guest under emulation always burns some CPU, and a reading beyond 100 % is
    // reported as no figure, so both ends of the range can fail here.
    let first = cpu_of(&host, &name).await;
    assert_eq!(first.state, VmState::Running);
    assert!(first.figures.net_rx_bytes > 0 && first.figures.net_tx_bytes > 0, "network counters: {first:?}");
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let cpu = cpu_of(&host, &name).await.figures.cpu_percent.expect("CPU % on the second sample of a running VM");
    assert!(cpu > 0.0 && cpu <= 100.0, "running guest: {cpu} %");

    host.vm_action(&VmRef::Name(name.clone()), VmAction::Suspend).await.unwrap();
    wait::lifecycle(&mut events, &name, "suspended").await;
    // A paused guest's vCPUs stand still. Its figure is not exactly 0: without a cgroup
    // (containers) libvirt counts the whole QEMU process, whose own threads still tick
    // (seen: 3 % on a loaded machine), but it is far from a busy vCPU.
    cpu_of(&host, &name).await;
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let paused = cpu_of(&host, &name).await.figures.cpu_percent.expect("CPU % of a paused VM");
    assert!((0.0..20.0).contains(&paused), "paused guest: {paused} %");
    let err = host.vm_action(&VmRef::Name(name.clone()), VmAction::Suspend).await.unwrap_err();
    assert_eq!(err.code(), "invalid_state", "{err}");
    assert!(err.to_string().contains("paused"), "{err}");

    host.vm_action(&VmRef::Name(name.clone()), VmAction::Resume).await.unwrap();
    wait::lifecycle(&mut events, &name, "resumed").await;

    host.vm_action(&VmRef::Name(name.clone()), VmAction::Destroy).await.unwrap();
    let ev = wait::lifecycle(&mut events, &name, "stopped").await;
    assert!(matches!(ev, HostEvent::VmLifecycle { state: Some(VmState::ShutOff), .. }));

    host.undefine_vm(&VmRef::Name(name.clone())).await.unwrap();
    wait::lifecycle(&mut events, &name, "undefined").await;
    assert!(host.list_vms().await.unwrap().iter().all(|v| v.name != name));
    drop(vm);
}

async fn cpu_of(host: &Host, name: &str) -> vireo_core::VmSummary {
    host.list_vms().await.unwrap().into_iter().find(|v| v.name == name).expect("VM is listed")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guest_installs_from_the_iso_fixture() {
    let fixture = guest_fixture();
    let host = Host::connect("local", "qemu:///system", HostOptions::default()).await.expect("connect to libvirtd");
    let (name, mac) = (unique_name("iso"), unique_mac());
    let spec = guest_spec(&name, &mac, &fixture, true);
    let xml = spec.to_xml().unwrap();
    assert!(xml.contains("<boot dev=\"cdrom\"/>"));
    let _vm = TestDomain::define(&host, &spec).await;
    host.vm_action(&VmRef::Name(name.clone()), VmAction::Start).await.unwrap();
    let lease = wait::lease(&host, "default", &mac, 120).await;
    let page = wait::http_get(&lease.ip, 60).await;
    assert!(page.contains("vireo test guest"), "ISO-booted guest page: {page}");
}
