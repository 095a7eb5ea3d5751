//! Clones of a VM through the app core, on the real libvirtd with the test guest: a full
//! and a linked clone each boot with the source's disk content and answer on a DHCP
//! lease of their own (a new MAC); the source's image stays byte-identical and the
//! source still boots; clones that cannot be made (a running source, a name in use, a
//! pool that does not exist, a linked clone of a VM with snapshots, a copy into a pool
//! that fills up half-way) leave no volume and no domain.

use std::process::Command;

use vireo_core::{CloneMode, NewClone, NewPool, NewPoolKind, NewSnapshot, NewVolume, VmAction, VmRef, VolumeFormat};
use vireo_host::xml::DiskSpec;
use vireo_tests::storage_kit::{self, local, validate, virsh, TestPool};
use vireo_tests::wait;
use vireo_tests::{guest_fixture, guest_spec, unique_mac, unique_name, TestDomain};

/// A 128 KiB tmpfs, unmounted at the end: a pool that fills up half-way through a copy.
struct TinyDir(tempfile::TempDir);

impl TinyDir {
    fn mount() -> TinyDir {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("mount").args(["-t", "tmpfs", "-o", "size=128k", "tmpfs"]).arg(dir.path()).output().unwrap();
        assert!(out.status.success(), "mount a tmpfs: {}", String::from_utf8_lossy(&out.stderr));
        TinyDir(dir)
    }
}

impl Drop for TinyDir {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.0.path()).status();
    }
}

fn sha256_of(path: &str) -> String {
    storage_kit::sha256_of(std::path::Path::new(path))
}

/// The MAC of the domain's first NIC, from its definition.
fn mac_of(name: &str) -> String {
    let xml = virsh(&["dumpxml", "--inactive", name]);
    let at = xml.find("<mac address='").expect("a MAC") + "<mac address='".len();
    xml[at..at + 17].to_owned()
}

/// Forgets a pool at the end.
struct PoolGuard(String);

impl Drop for PoolGuard {
    fn drop(&mut self) {
        for args in [["pool-destroy", &self.0], ["pool-undefine", &self.0]] {
            let _ = Command::new("virsh").arg("-q").args(args).output();
        }
    }
}

/// `/disk` of the guest at `ip` until it holds `want`.
async fn disk_has(ip: &str, want: &str) {
    wait::http_until(ip, "/disk", 90, want, |b| b.contains(" 200 ") && b.contains(want)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_and_linked_clones_boot_on_their_own_and_leave_the_source_as_it_was() {
    let data = tempfile::tempdir().unwrap();
    let (app, host) = local(data.path()).await;
    let pool = TestPool::make(&app, &host).await;
    let other = TestPool::make(&app, &host).await;
    let h = app.host(&host).unwrap();

    // The source: the test guest with a qcow2 disk that it marks, then shut off.
    let (name, mac) = (unique_name("src"), unique_mac());
    let disk = NewVolume { name: format!("{name}.qcow2"), capacity: 16 << 20, format: VolumeFormat::Qcow2, backing: None };
    let disk = app.create_volume(&host, &pool.name, disk).await.unwrap();
    let mut spec = guest_spec(&name, &mac, &guest_fixture(), false);
    spec.disks.push(DiskSpec { path: disk.path.clone(), format: "qcow2".into(), bus: vireo_core::DiskBus::Virtio });
    spec.empty_cdrom = true;
    spec.description = Some("the source & its <clones>".into());
    let source = TestDomain::define(&h, &spec).await;
    let vm = VmRef::Name(source.name.clone());
    let uuid = h.vm_uuid(&vm).await.unwrap();
    h.vm_action(&vm, VmAction::Start).await.unwrap();
    let lease = wait::lease(&h, "default", &mac, 120).await;
    wait::http_until(&lease.ip, "/cgi-bin/mark?source", 60, "the mark", |b| b.contains("marked source")).await;

    // Running: refused, nothing made.
    let refused = app.clone_vm(&host, &uuid, NewClone { name: unique_name("no"), mode: CloneMode::Full, pool: None }).await.unwrap_err();
    assert_eq!(refused.code(), "invalid_state", "{refused}");
    assert!(refused.to_string().contains("shut it down"), "{refused}");
    h.vm_action(&vm, VmAction::Destroy).await.unwrap();

    // Bad requests: refused before anything is made.
    let in_use = app.clone_vm(&host, &uuid, NewClone { name: name.clone(), mode: CloneMode::Full, pool: None }).await.unwrap_err();
    assert_eq!(in_use.code(), "already_exists", "{in_use}");
    let no_pool = NewClone { name: unique_name("np"), mode: CloneMode::Linked, pool: Some("vireo-absent-pool".into()) };
    let err = app.clone_vm(&host, &uuid, no_pool).await.unwrap_err();
    assert!(err.code() == "not_found" && err.to_string().contains("vireo-absent-pool"), "{err}");
    let bad = app.clone_vm(&host, &uuid, NewClone { name: "a/b".into(), mode: CloneMode::Full, pool: None }).await.unwrap_err();
    assert!(bad.to_string().contains("VM name"), "{bad}");
    app.create_snapshot(&host, &uuid, NewSnapshot { name: "s1".into(), description: None }).await.unwrap();
    let err = app.clone_vm(&host, &uuid, NewClone { name: unique_name("ls"), mode: CloneMode::Linked, pool: None }).await.unwrap_err();
    assert!(err.to_string().contains("snapshot"), "{err}");
    app.delete_snapshot(&host, &uuid, "s1", false).await.unwrap();
    assert_eq!(pool.files(), [format!("{name}.qcow2")], "nothing was made");
    assert!(other.files().is_empty());
    // (Taken after the snapshot above, which wrote its tables into the image.)
    let image_sha = sha256_of(&disk.path);

    // A copy that fails half-way (its pool fills up): what it made is removed.
    let tiny = TinyDir::mount();
    let full = NewPoolKind::Dir { path: tiny.0.path().display().to_string() };
    let tiny_pool = unique_name("tiny");
    app.create_pool(&host, NewPool { name: tiny_pool.clone(), target: full, autostart: false }).await.unwrap();
    let _forget = PoolGuard(tiny_pool.clone());
    let failed = unique_name("half");
    let task = app.clone_vm(&host, &uuid, NewClone { name: failed.clone(), mode: CloneMode::Full, pool: Some(tiny_pool.clone()) }).await.unwrap();
    let err = app.wait_task(&task.id).await.unwrap_err();
    assert!(err.to_string().contains(&format!("{failed}.qcow2")), "the copy failed: {err}");
    assert_eq!(std::fs::read_dir(tiny.0.path()).unwrap().count(), 0, "no half copy is left");
    assert!(!h.vm_exists(&failed).await.unwrap(), "no domain is left");
    assert!(virsh(&["vol-list", &tiny_pool]).trim().lines().count() <= 2, "no volume is left");

    // A full copy beside the source's disk, a linked clone in the other pool.
    let mut clones = Vec::new();
    for (tag, mode, into) in [("full", CloneMode::Full, None), ("linked", CloneMode::Linked, Some(other.name.clone()))] {
        let clone = unique_name(tag);
        let guard = TestDomain { host: h.clone(), name: clone.clone() };
        let task = app.clone_vm(&host, &uuid, NewClone { name: clone.clone(), mode, pool: into }).await.unwrap();
        let done = app.wait_task(&task.id).await.unwrap_or_else(|e| panic!("{tag} clone: {e}"));
        let clone_uuid = done.result.clone().unwrap();
        assert_ne!(clone_uuid, uuid);
        let xml = virsh(&["dumpxml", "--inactive", &clone]);
        validate("domain", &xml);
        assert!(xml.contains("the source &amp; its &lt;clones&gt;"), "the rest of the definition is kept: {xml}");
        assert!(xml.contains("device='cdrom'"), "{xml}");
        assert_ne!(mac_of(&clone), mac, "{tag}: a MAC of its own");
        clones.push((tag, clone, guard));
    }
    let vols = app.list_volumes(&host, &other.name).await.unwrap();
    let linked = vols.iter().find(|v| v.name.starts_with("vireo-test-linked")).expect("the linked clone's disk");
    assert_eq!(linked.backing.as_deref(), Some(disk.path.as_str()), "a layer over the source's image");
    let source_xml = virsh(&["dumpxml", "--inactive", &name]);
    validate("domain", &source_xml);
    let layer = format!("{name}.1.qcow2");
    assert!(source_xml.contains(&layer), "the source goes on in a layer of its own: {source_xml}");
    assert!(pool.files().contains(&layer), "{:?}", pool.files());

    // Each boots, answers on its own lease and has the source's disk.
    for (tag, clone, _) in &clones {
        h.vm_action(&VmRef::Name(clone.clone()), VmAction::Start).await.unwrap();
        let lease = wait::lease(&h, "default", &mac_of(clone), 120).await;
        let page = wait::http_until(&lease.ip, "/", 60, "the clone's page", |b| b.contains(" 200 ")).await;
        assert!(page.contains("vireo test guest"), "{tag}: {page}");
        disk_has(&lease.ip, "vireo-mark source").await;
        // A change in the clone stays in the clone.
        wait::http_until(&lease.ip, &format!("/cgi-bin/mark?{tag}"), 30, "the clone's mark", |b| b.contains("marked")).await;
    }
    for (_, clone, _) in &clones {
        h.vm_action(&VmRef::Name(clone.clone()), VmAction::Destroy).await.unwrap();
    }
    assert_eq!(sha256_of(&disk.path), image_sha, "the source's image is unchanged");

    // The source still boots with its own disk.
    h.vm_action(&vm, VmAction::Start).await.unwrap();
    let lease = wait::lease(&h, "default", &mac, 120).await;
    disk_has(&lease.ip, "vireo-mark source").await;
    h.vm_action(&vm, VmAction::Destroy).await.unwrap();
    assert_eq!(sha256_of(&disk.path), image_sha, "the source wrote to its layer, not to the frozen image");

    let hist = app.history(30).await.unwrap();
    assert_eq!(hist.iter().filter(|e| e.action == "clone_vm" && e.ok).count(), 2, "one entry per clone");
    drop(clones);
    drop(source);
}
