//! The stats push (issue #12): each host session sends the figures of its running VMs
//! every `STATS_INTERVAL` as `HostEvent::VmStats`, only while there is something to say,
//! and stops when the host is removed. Against the real drivers: libvirt's demo driver
//! (its own VM "test", private to this process) and the local libvirtd.

use std::time::Duration;

use tokio::sync::broadcast::{error::RecvError, Receiver};
use vireo_app::Vireo;
use vireo_core::{HostEvent, VmAction, VmStats, STATS_INTERVAL};
use vireo_tests::{unique_name, TestDomain};

/// Generous: a busy machine may deliver late; the pushes themselves are what is checked.
fn within(intervals: u32) -> Duration {
    STATS_INTERVAL * intervals + Duration::from_secs(2)
}

/// The next stats push of `host_id`, or `None` if none came within `wait`.
async fn next_push(rx: &mut Receiver<HostEvent>, host_id: &str, wait: Duration) -> Option<Vec<VmStats>> {
    tokio::time::timeout(wait, async {
        loop {
            match rx.recv().await {
                Ok(HostEvent::VmStats { host_id: h, vms }) if h == host_id => return vms,
                Ok(_) => continue,
                Err(RecvError::Lagged(n)) => panic!("the test fell {n} events behind"),
                Err(RecvError::Closed) => panic!("the app's event channel closed"),
            }
        }
    })
    .await
    .ok()
}

async fn push(rx: &mut Receiver<HostEvent>, host_id: &str, what: &str) -> Vec<VmStats> {
    next_push(rx, host_id, within(2)).await.unwrap_or_else(|| panic!("no stats push {what}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_host_pushes_its_running_vm_then_one_empty_list_then_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = Vireo::start(dir.path(), "test").await.unwrap();
    let mut rx = app.subscribe();
    let demo = app.add_host("Demo", "test:///default").await.unwrap();
    app.host(&demo.id).unwrap().wait_first_attempt().await.unwrap();
    let listed = app.list_vms(&demo.id).await.unwrap();
    let test_vm = listed.iter().find(|v| v.name == "test").expect("the demo driver's VM").clone();
    assert!(test_vm.state.is_active(), "{test_vm:?}");

    // Pushes while it runs: its UUID, its state, and a CPU % once a baseline exists.
    let first = push(&mut rx, &demo.id, "while 'test' runs").await;
    assert_eq!(first.iter().map(|v| v.uuid.as_str()).collect::<Vec<_>>(), [test_vm.uuid.as_str()]);
    assert!(first[0].state.is_active() && first[0].figures.memory_kib > 0, "{first:?}");
    let second = push(&mut rx, &demo.id, "on the next tick").await;
    assert!(second[0].figures.cpu_percent.is_some(), "the list made the baseline: {second:?}");

    // Stopped: one empty push, then silence.
    app.vm_action(&demo.id, &test_vm.uuid, VmAction::Destroy).await.unwrap();
    let mut after_stop = push(&mut rx, &demo.id, "after the VM stopped").await;
    if !after_stop.is_empty() {
        // A tick that measured just before the stop.
        after_stop = push(&mut rx, &demo.id, "after the VM stopped").await;
    }
    assert!(after_stop.is_empty(), "{after_stop:?}");
    let silent = next_push(&mut rx, &demo.id, STATS_INTERVAL * 5 / 2).await;
    assert_eq!(silent, None, "an idle host sends nothing");

    // Started again: pushes resume.
    app.vm_action(&demo.id, &test_vm.uuid, VmAction::Start).await.unwrap();
    let again = push(&mut rx, &demo.id, "after the VM started again").await;
    assert_eq!(again.len(), 1, "{again:?}");

    // Removed while its VM runs: its pump ends with it.
    app.remove_host(&demo.id).await.unwrap();
    let drained = next_push(&mut rx, &demo.id, Duration::from_millis(100)).await;
    let late = next_push(&mut rx, &demo.id, STATS_INTERVAL * 5 / 2).await;
    assert_eq!(late, None, "a removed host still pushes (drained one in flight: {drained:?})");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_local_host_pushes_a_started_vm_and_never_a_shut_off_one() {
    let dir = tempfile::tempdir().unwrap();
    let app = Vireo::start(dir.path(), "test").await.unwrap();
    let local = app.list_hosts().into_iter().find(|h| h.uri == "qemu:///system").expect("libvirtd runs here");
    let host = app.host(&local.id).unwrap();
    host.wait_first_attempt().await.unwrap();
    // Two tiny diskless TCG domains: one started, one left shut off.
    let (run_name, idle_name) = (unique_name("push-run"), unique_name("push-idle"));
    let _run = TestDomain::define_odd(&host, &run_name).await;
    let _idle = TestDomain::define_odd(&host, &idle_name).await;
    let listed = app.list_vms(&local.id).await.unwrap();
    let uuid_of = |name: &str| listed.iter().find(|v| v.name == name).expect("defined VM is listed").uuid.clone();
    let (run_uuid, idle_uuid) = (uuid_of(&run_name), uuid_of(&idle_name));

    let mut rx = app.subscribe();
    app.vm_action(&local.id, &run_uuid, VmAction::Start).await.unwrap();
    // Other tests may run VMs of their own here: look for ours, and at what every push holds.
    let mut seen = None;
    for _ in 0..3 {
        let vms = push(&mut rx, &local.id, "while our VM runs").await;
        assert!(vms.iter().all(|v| v.state.is_active()), "only running VMs are pushed: {vms:?}");
        assert!(vms.iter().all(|v| v.uuid != idle_uuid), "the shut-off VM was pushed: {vms:?}");
        if let Some(ours) = vms.into_iter().find(|v| v.uuid == run_uuid) {
            seen = Some(ours);
            break;
        }
    }
    let ours = seen.expect("the started VM is pushed within two intervals");
    assert!(ours.figures.memory_kib > 0, "{ours:?}");

    app.vm_action(&local.id, &run_uuid, VmAction::Destroy).await.unwrap();
    // The first push measured after the stop leaves it out; empty unless others run VMs.
    let mut after = push(&mut rx, &local.id, "after our VM stopped").await;
    if after.iter().any(|v| v.uuid == run_uuid) {
        after = push(&mut rx, &local.id, "after our VM stopped").await;
    }
    assert!(after.iter().all(|v| v.uuid != run_uuid && v.uuid != idle_uuid), "{after:?}");
    if after.is_empty() {
        assert_eq!(next_push(&mut rx, &local.id, STATS_INTERVAL * 5 / 2).await, None, "silence once nothing runs");
    }
}
