//! One action on a selection of VMs, on the real libvirtd: three test guests started,
//! forced off and deleted together; a VM that is gone by then is reported by itself,
//! the others are done all the same, and each VM's change is in history.

use vireo_core::{BatchAction, VmRef, VmState};
use vireo_tests::fixture::guest_fixture;
use vireo_tests::guest::{guest_spec, unique_mac, unique_name, TestDomain};
use vireo_tests::storage_kit::local;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_selection_is_started_forced_off_and_deleted_each_vm_reported() {
    let data = tempfile::tempdir().unwrap();
    let (app, host) = local(data.path()).await;
    let h = app.host(&host).unwrap();
    let fixture = guest_fixture();
    let mut guests = Vec::new();
    let mut uuids = Vec::new();
    for _ in 0..3 {
        let name = unique_name("batch");
        let g = TestDomain::define(&h, &guest_spec(&name, &unique_mac(), &fixture, false)).await;
        uuids.push(h.vm_uuid(&VmRef::Name(g.name.clone())).await.unwrap());
        guests.push(g);
    }
    let state_of = |uuid: String| {
        let h = h.clone();
        async move { h.list_vms().await.unwrap().into_iter().find(|v| v.uuid == uuid).map(|v| v.state) }
    };

    let started = app.batch(&host, uuids.clone(), BatchAction::Start).await.unwrap();
    assert!(started.iter().all(|i| i.error.is_none()), "{started:?}");
    assert_eq!(started.iter().map(|i| i.name.clone()).collect::<Vec<_>>(), guests.iter().map(|g| g.name.clone()).collect::<Vec<_>>());
    for u in &uuids {
        assert_eq!(state_of(u.clone()).await, Some(VmState::Running));
    }
    // Starting them again: each refused for its state, by name.
    let again = app.batch(&host, uuids.clone(), BatchAction::Start).await.unwrap();
    assert!(again.iter().all(|i| i.error.as_ref().is_some_and(|e| e.code == "invalid_state" && e.message.contains(&i.name))), "{again:?}");

    let off = app.batch(&host, uuids.clone(), BatchAction::Destroy).await.unwrap();
    assert!(off.iter().all(|i| i.error.is_none()), "{off:?}");

    // One of them is deleted elsewhere first: the batch reports it and deletes the rest.
    h.undefine_vm(&VmRef::Uuid(uuids[1].clone())).await.unwrap();
    let deleted = app.batch(&host, uuids.clone(), BatchAction::Delete { remove_storage: false }).await.unwrap();
    let failed: Vec<_> = deleted.iter().filter(|i| i.error.is_some()).collect();
    assert_eq!(failed.len(), 1, "{deleted:?}");
    assert_eq!((failed[0].uuid.as_str(), failed[0].error.as_ref().unwrap().code.as_str()), (uuids[1].as_str(), "vm_not_found"));
    for u in [&uuids[0], &uuids[2]] {
        assert_eq!(state_of(u.clone()).await, None, "deleted");
    }
    let history = app.history(50).await.unwrap();
    for g in [&guests[0], &guests[2]] {
        assert!(history.iter().any(|e| e.action == "start" && e.target == g.name), "start of {} recorded", g.name);
        assert!(history.iter().any(|e| e.action == "delete_vm" && e.target == g.name), "delete of {} recorded", g.name);
    }

    let err = app.batch(&host, vec![], BatchAction::Start).await.unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    let err = app.batch(&host, vec!["../x".into()], BatchAction::Start).await.unwrap_err();
    assert_eq!(err.code(), "invalid_input");
}
