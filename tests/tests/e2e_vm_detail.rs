//! End to end: a VM's detail page in the real window under Xvfb (tauri-driver +
//! WebKitWebDriver) against the real libvirtd. A running test guest with a qcow2 disk and
//! an empty CD-ROM drive: the fixture's ISO inserted from the host's ISO library while it
//! runs and ejected again (libvirt's live and next-boot definitions both checked with
//! virsh); the VM forced off from the page (asked first); a snapshot taken, the
//! description changed after it, the snapshot reverted (its task followed in the task
//! list) and the change gone, in the page and in libvirt. Screenshots of each step go to
//! target/e2e/detail-*.png.

use std::process::Command;

use serde_json::json;
use vireo_app::UploadRequest;
use vireo_core::{NewVolume, VmAction, VolumeFormat};
use vireo_host::xml::DiskSpec;
use vireo_tests::page::{choose, click, fill, gone, text_of, wait_task};
use vireo_tests::storage_kit::{local, virsh, TestPool};
use vireo_tests::webdriver::Session;
use vireo_tests::window::{pick_host, shots_dir, wait_state, wait_until, Driver, FreshHome, Xvfb};
use vireo_tests::{fresh_binary, guest_fixture, guest_spec, unique_mac, unique_name, TestDomain};

fn shot(s: &Session, name: &str) {
    vireo_tests::page::shot(s, "detail", name);
}

/// The ISO put in the host's library for the test, removed at the end, pass or fail.
struct LibraryIso(String);

impl Drop for LibraryIso {
    fn drop(&mut self) {
        let _ = Command::new("virsh").args(["-q", "vol-delete", "--pool", vireo_app::ISO_POOL, &self.0]).output();
    }
}

/// What the CD-ROM drive `sda` holds: in the running VM (`live`) or its next boot's definition.
fn cdrom_source(vm: &str, live: bool) -> String {
    let mut args = vec!["domblklist", vm, "--details"];
    if !live {
        args.push("--inactive");
    }
    let out = virsh(&args);
    out.lines().find(|l| l.split_whitespace().nth(2) == Some("sda")).and_then(|l| l.split_whitespace().nth(3)).unwrap_or("-").to_owned()
}

#[test]
fn e2e_vm_detail_media_live_and_a_snapshot_reverted() {
    let app_bin = fresh_binary("vireo-desktop", "vireo-desktop");
    let fixture = guest_fixture();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let data = tempfile::tempdir().unwrap();
    let name = unique_name("e2ed");
    let iso_name = format!("{}.iso", unique_name("media"));

    // The guest, defined and started through the core (another client of the same libvirtd).
    let (core, host) = rt.block_on(local(data.path()));
    let pool = rt.block_on(TestPool::make(&core, &host));
    let _iso = LibraryIso(iso_name.clone());
    let iso = rt.block_on(async {
        let req = UploadRequest { pool: String::new(), file: fixture.iso.clone(), name: Some(iso_name.clone()), expected_sha256: None };
        let task = core.upload_iso(&host, req).await.unwrap();
        core.wait_task(&task.id).await.unwrap();
        core.list_isos(&host).await.unwrap().into_iter().find(|v| v.name == iso_name).unwrap()
    });
    let h = core.host(&host).unwrap();
    let _vm = rt.block_on(async {
        let disk = NewVolume { name: format!("{name}.qcow2"), capacity: 16 << 20, format: VolumeFormat::Qcow2, backing: None };
        let disk = core.create_volume(&host, &pool.name, disk).await.unwrap();
        let mut spec = guest_spec(&name, &unique_mac(), &fixture, false);
        spec.disks.push(DiskSpec { path: disk.path.clone(), format: "qcow2".into(), bus: vireo_core::DiskBus::Virtio });
        spec.empty_cdrom = true;
        let vm = TestDomain::define(&h, &spec).await;
        let uuid = core.list_vms(&host).await.unwrap().into_iter().find(|v| v.name == name).unwrap().uuid;
        core.vm_action(&host, &uuid, VmAction::Start).await.unwrap();
        vm
    });

    let xvfb = Xvfb::start(&shots_dir());
    let home = FreshHome::new();
    let driver = Driver::start(&xvfb, &home, &[]);
    let s = driver.session(&app_bin);
    pick_host(&s, "Local");
    wait_state(&s, &name, "running", 60);
    click(&s, &format!("tr[data-vm=\"{name}\"] [data-testid=\"vm-details\"]"));
    s.wait_for(&format!("[data-testid=\"vm-detail\"][data-vm=\"{name}\"]"), 20).expect("the detail page");
    s.wait_for("[data-testid=\"disk-row-vda\"]", 20).expect("the VM's disk listed");
    shot(&s, "1-page");

    // The ISO in while it runs: live and for the next boot.
    s.wait_for("[data-testid=\"media-drive-sda\"]", 20).expect("the CD-ROM drive listed");
    choose(&s, "[data-testid=\"media-iso-sda\"]", &iso.path);
    click(&s, "[data-testid=\"media-insert-sda\"]");
    wait_until("the ISO shown in the drive", 30, || text_of(&s, "[data-testid=\"media-source-sda\"]").contains(&iso_name));
    assert_eq!(cdrom_source(&name, true), iso.path, "the running VM has the ISO in its drive");
    assert_eq!(cdrom_source(&name, false), iso.path, "and its next boot too");
    shot(&s, "2-iso-inserted");
    click(&s, "[data-testid=\"media-eject-sda\"]");
    wait_until("the drive shown empty", 30, || !text_of(&s, "[data-testid=\"media-source-sda\"]").contains(&iso_name));
    assert_eq!(cdrom_source(&name, true), "-", "ejected from the running VM");
    assert_eq!(cdrom_source(&name, false), "-", "and from its next boot");
    shot(&s, "3-iso-ejected");

    // Forced off from the page, asked first.
    click(&s, "[data-testid=\"vm-detail\"] [data-action=\"destroy\"]");
    click(&s, "[data-testid=\"confirm-ok\"]");
    wait_until("the VM shut off", 60, || virsh(&["domstate", &name]).trim() == "shut off");

    // A snapshot, a change after it, the revert: the change is gone.
    if gone(&s, "[data-testid=\"snapshot-name\"]") {
        click(&s, "[data-testid=\"snapshot-take\"]");
    }
    fill(&s, "[data-testid=\"snapshot-name\"]", "before");
    fill(&s, "[data-testid=\"snapshot-description\"]", "before the change");
    click(&s, "[data-testid=\"snapshot-create\"]");
    s.wait_for("[data-testid=\"snapshot-row-before\"]", 60).expect("the snapshot listed");
    assert!(virsh(&["snapshot-list", &name, "--name"]).lines().any(|l| l.trim() == "before"), "libvirt has the snapshot");
    shot(&s, "4-snapshot");
    let changed = "changed after the snapshot";
    fill(&s, "[data-testid=\"detail-description\"]", changed);
    click(&s, "[data-testid=\"detail-description-save\"]");
    s.wait_for("[data-testid=\"detail-config-outcome\"]", 20).unwrap();
    assert_eq!(virsh(&["desc", &name]).trim(), changed, "the description changed in libvirt");
    click(&s, "[data-testid=\"snapshot-revert-before\"]");
    shot(&s, "5-revert-asked");
    click(&s, "[data-testid=\"confirm-ok\"]");
    wait_task(&s, "revert_snapshot", &format!("{name}/before"), 120);
    wait_until("the description gone from libvirt", 30, || virsh(&["desc", &name]).trim() != changed);
    wait_until("and from the page", 30, || {
        s.execute("return document.querySelector('[data-testid=detail-description]')?.value", json!([])).ok() != Some(json!(changed))
    });
    shot(&s, "6-reverted");
    s.end();
}
