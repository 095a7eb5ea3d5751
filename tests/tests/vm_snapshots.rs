//! A VM's CD-ROM media and snapshots through the app core, on the real libvirtd with the
//! test guest: an ISO inserted into a running guest's empty drive is seen inside it and
//! in the persistent definition, and gone after an eject; a snapshot taken, the disk
//! changed from inside the guest, reverted, and the change is gone (a running snapshot
//! comes back running, with its change); the tree lists children under their parent;
//! bad names, paths and drives are refused with the field named, nothing made.

use std::path::Path;

use vireo_core::{NewSnapshot, NewVolume, SnapshotState, TaskState, VmAction, VmRef, VolumeFormat};
use vireo_host::xml::DiskSpec;
use vireo_tests::storage_kit::{local, validate, virsh, TestPool};
use vireo_tests::wait;
use vireo_tests::{guest_fixture, guest_spec, unique_mac, unique_name, TestDomain};

/// The ISO9660 volume label of an image (what the guest's `/media` reports for a disc).
fn iso_label(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    String::from_utf8_lossy(&bytes[16 * 2048 + 40..16 * 2048 + 72]).trim_end().to_owned()
}

/// The guest's line for `sr0` in `/media`: `sr0 SECTORS LABEL`.
fn sr0(page: &str) -> Option<String> {
    page.lines().find(|l| l.starts_with("sr0 ")).map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_iso_goes_into_a_running_guest_and_out_again() {
    let data = tempfile::tempdir().unwrap();
    let (app, host) = local(data.path()).await;
    let pool = TestPool::make(&app, &host).await;
    let fixture = guest_fixture();
    let iso = pool.upload(&app, &host, &fixture.iso, "media.iso").await;
    let label = iso_label(&fixture.iso);

    let h = app.host(&host).unwrap();
    let (name, mac) = (unique_name("media"), unique_mac());
    let mut spec = guest_spec(&name, &mac, &fixture, false);
    spec.empty_cdrom = true;
    let dom = TestDomain::define(&h, &spec).await;
    let vm = VmRef::Name(dom.name.clone());
    let uuid = h.vm_uuid(&vm).await.unwrap();
    h.vm_action(&vm, VmAction::Start).await.unwrap();

    let drives = app.cdrom_drives(&host, &uuid).await.unwrap();
    assert_eq!(drives.len(), 1, "{drives:?}");
    let (target, bus) = (drives[0].target.clone(), drives[0].bus.clone());
    assert_eq!((target.as_str(), bus.as_str(), drives[0].source.as_deref()), ("sda", "sata", None));
    let lease = wait::lease(&h, "default", &mac, 120).await;
    wait::http_until(&lease.ip, "/media", 60, "an empty drive", |b| sr0(b).is_some_and(|l| l.ends_with(" -"))).await;

    // Inserted while it runs: in the guest at once, and in the definition it boots next.
    let after = app.change_media(&host, &uuid, &target, Some(&iso.path)).await.unwrap();
    assert_eq!(after[0].source.as_deref(), Some(iso.path.as_str()));
    let page = wait::http_until(&lease.ip, "/media", 60, "the disc in the guest", |b| sr0(b).is_some_and(|l| l.ends_with(&label))).await;
    let sectors: u64 = sr0(&page).unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    assert_eq!(sectors * 512, std::fs::metadata(&fixture.iso).unwrap().len(), "the guest sees the whole ISO: {page}");
    let config = virsh(&["dumpxml", "--inactive", &name]);
    assert!(config.contains(&iso.path), "the persistent definition has it too:\n{config}");
    validate("domain", &config);
    validate("domain", &virsh(&["dumpxml", &name]));
    let used = app.list_volumes(&host, &pool.name).await.unwrap().into_iter().find(|v| v.name == "media.iso").unwrap();
    assert!(used.used_by.contains(&name), "the ISO counts as used: {:?}", used.used_by);

    // Ejected: gone from the guest and from the definition.
    let after = app.change_media(&host, &uuid, &target, None).await.unwrap();
    assert_eq!(after[0].source, None);
    wait::http_until(&lease.ip, "/media", 60, "the drive empty again", |b| sr0(b).is_some_and(|l| l.ends_with(" -"))).await;
    let config = virsh(&["dumpxml", "--inactive", &name]);
    assert!(!config.contains(&iso.path), "{config}");
    validate("domain", &config);

    // Bad input: a drive it does not have, a target that is no drive name, an image
    // that is not a volume libvirt knows, a relative path.
    let err = app.change_media(&host, &uuid, "sdz", Some(&iso.path)).await.unwrap_err();
    assert_eq!(err.code(), "not_found", "{err}");
    assert!(err.to_string().contains("sdz") && err.to_string().contains("sda"), "names the drives it has: {err}");
    let err = app.change_media(&host, &uuid, "../sda", None).await.unwrap_err();
    assert!(err.to_string().contains("drive"), "{err}");
    let not_a_volume = fixture.iso.display().to_string();
    let err = app.change_media(&host, &uuid, &target, Some(&not_a_volume)).await.unwrap_err();
    assert!(err.to_string().contains("volume at") && err.to_string().contains(&not_a_volume), "{err}");
    let err = app.change_media(&host, &uuid, &target, Some("media.iso")).await.unwrap_err();
    assert!(err.to_string().contains("absolute"), "{err}");
    assert_eq!(app.cdrom_drives(&host, &uuid).await.unwrap()[0].source, None, "nothing was put in");

    // Shut off, a change goes into the definition only.
    h.vm_action(&vm, VmAction::Destroy).await.unwrap();
    app.change_media(&host, &uuid, &target, Some(&iso.path)).await.unwrap();
    assert!(virsh(&["dumpxml", "--inactive", &name]).contains(&iso.path));
    app.change_media(&host, &uuid, &target, None).await.unwrap();

    let hist = app.history(20).await.unwrap();
    for action in ["insert_media", "eject_media"] {
        assert!(hist.iter().any(|e| e.action == action && e.ok && e.target.starts_with(&name)), "history has {action}");
    }
    assert!(hist.iter().any(|e| e.action == "insert_media" && !e.ok), "the refused insert is recorded as failed");
}

/// `/disk` once the guest published it: the first line of its vda.
async fn disk_until(ip: &str, what: &str, pred: impl Fn(&str) -> bool) -> String {
    wait::http_until(ip, "/disk", 90, what, |b| b.contains(" 200 ") && pred(b.split("\r\n\r\n").nth(1).unwrap_or(""))).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_after_a_snapshot_is_gone_after_reverting_to_it() {
    let data = tempfile::tempdir().unwrap();
    let (app, host) = local(data.path()).await;
    let pool = TestPool::make(&app, &host).await;
    let h = app.host(&host).unwrap();
    let (name, mac) = (unique_name("snap"), unique_mac());
    let disk = NewVolume { name: format!("{name}.qcow2"), capacity: 16 << 20, format: VolumeFormat::Qcow2, backing: None };
    let disk = app.create_volume(&host, &pool.name, disk).await.unwrap();
    let mut spec = guest_spec(&name, &mac, &guest_fixture(), false);
    spec.disks.push(DiskSpec { path: disk.path.clone(), format: "qcow2".into(), bus: vireo_core::DiskBus::Virtio });
    let dom = TestDomain::define(&h, &spec).await;
    let vm = VmRef::Name(dom.name.clone());
    let uuid = h.vm_uuid(&vm).await.unwrap();

    // Bad names are refused before libvirt is asked.
    for (bad, why) in [("a/b", "'/'"), ("a<b", "'<'"), (&*"x".repeat(300), "300 characters"), ("", "empty")] {
        let err = app.create_snapshot(&host, &uuid, NewSnapshot { name: bad.into(), description: None }).await.unwrap_err();
        assert!(err.to_string().contains("snapshot name") && err.to_string().contains(why), "{bad:?}: {err}");
    }
    assert!(app.list_snapshots(&host, &uuid).await.unwrap().is_empty());

    // Shut off: the disk only.
    let desc = "before the <change> & all".to_owned();
    let before = app.create_snapshot(&host, &uuid, NewSnapshot { name: "before".into(), description: Some(desc.clone()) }).await.unwrap();
    assert_eq!((before.state, before.description.as_deref(), before.current), (SnapshotState::ShutOff, Some(desc.as_str()), true));
    assert!(!before.external, "inside the qcow2 image");
    validate("domainsnapshot", &virsh(&["snapshot-dumpxml", &name, "before"]));
    let err = app.create_snapshot(&host, &uuid, NewSnapshot { name: "before".into(), description: None }).await.unwrap_err();
    assert_eq!(err.code(), "already_exists", "{err}");

    // The guest changes its disk; a snapshot of the running VM holds that (and its memory).
    h.vm_action(&vm, VmAction::Start).await.unwrap();
    let lease = wait::lease(&h, "default", &mac, 120).await;
    disk_until(&lease.ip, "a blank disk", |d| d.is_empty()).await;
    let marked = wait::http_until(&lease.ip, "/cgi-bin/mark?changed", 30, "the mark", |b| b.contains("marked changed")).await;
    assert!(marked.contains(" 200 "), "{marked}");
    disk_until(&lease.ip, "the mark on the disk", |d| d.contains("vireo-mark changed")).await;
    let running = app.create_snapshot(&host, &uuid, NewSnapshot { name: "running".into(), description: None }).await.unwrap();
    assert_eq!((running.state, running.parent.as_deref()), (SnapshotState::Running, Some("before")));
    validate("domainsnapshot", &virsh(&["snapshot-dumpxml", &name, "running"]));
    wait::http_until(&lease.ip, "/cgi-bin/mark?later", 30, "a later mark", |b| b.contains("marked later")).await;

    // The tree: the running one under the first.
    let list = app.list_snapshots(&host, &uuid).await.unwrap();
    let names: Vec<&str> = list.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["before", "running"], "parents first");
    assert_eq!(list[0].children, ["running"]);
    assert!(list[1].current && !list[0].current);

    // Back to the shut-off one: the VM is off, and boots with neither mark.
    let task = app.revert_snapshot(&host, &uuid, "before").await.unwrap();
    let done = app.wait_task(&task.id).await.expect("revert to before");
    assert_eq!((done.state, done.result.as_deref()), (TaskState::Succeeded, Some("shut off")));
    h.vm_action(&vm, VmAction::Start).await.unwrap();
    let lease = wait::lease(&h, "default", &mac, 120).await;
    disk_until(&lease.ip, "the disk as it was before", |d| d.is_empty()).await;

    // Back to the running one: running again at once, the first mark there, not the later.
    let task = app.revert_snapshot(&host, &uuid, "running").await.unwrap();
    let done = app.wait_task(&task.id).await.expect("revert to running");
    assert_eq!(done.result.as_deref(), Some("running"));
    disk_until(&lease.ip, "the disk as it was when running", |d| d.contains("vireo-mark changed")).await;
    assert!(app.list_snapshots(&host, &uuid).await.unwrap().iter().any(|s| s.name == "running" && s.current));

    // Unknown snapshots are refused before a task starts.
    let err = app.revert_snapshot(&host, &uuid, "nope").await.unwrap_err();
    assert_eq!(err.code(), "not_found", "{err}");
    let err = app.delete_snapshot(&host, &uuid, "nope", false).await.unwrap_err();
    assert_eq!(err.code(), "not_found", "{err}");

    // Deleting the root with its children leaves none; the disk is the VM's still.
    app.delete_snapshot(&host, &uuid, "before", true).await.unwrap();
    assert!(app.list_snapshots(&host, &uuid).await.unwrap().is_empty());
    assert!(virsh(&["snapshot-list", "--name", &name]).trim().is_empty());
    let hist = app.history(30).await.unwrap();
    for action in ["create_snapshot", "revert_snapshot", "delete_snapshot_tree"] {
        assert!(hist.iter().any(|e| e.action == action && e.ok), "history has {action}");
    }
    h.vm_action(&vm, VmAction::Destroy).await.unwrap();
    drop(dom);
    assert_eq!(pool.files(), [format!("{name}.qcow2")]);
}
