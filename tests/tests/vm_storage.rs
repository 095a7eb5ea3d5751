//! VMs made by Vireo and the storage under them, on the real libvirtd with the test
//! guest: a VM from the uploaded ISO with a blank disk and a cloud-init seed boots,
//! answers with the host name Vireo set, and is deleted with its storage; bad input is
//! refused before anything is made and leaves no orphan; uploads resume and are checked.

use std::path::Path;
use std::process::Command;

use vireo_app::UploadRequest;
use vireo_core::{CloudInit, DiskBus, Firmware, NewDisk, NewNic, NewVm, TaskState, VolumeFormat};
use vireo_tests::fixture::guest_fixture;
use vireo_tests::guest::{unique_mac, unique_name};
use vireo_tests::storage_kit::{local, sha256_of, validate, Cleanup, TestPool};
use vireo_tests::wait;

fn new_vm(name: &str, pool: &str, iso: &str, mac: &str) -> NewVm {
    NewVm {
        name: name.into(),
        vcpus: 1,
        memory_mib: 160,
        disk: NewDisk::Blank { pool: pool.into(), size: 64 << 20, format: VolumeFormat::Qcow2 },
        disk_bus: DiskBus::Virtio,
        cdrom: Some(iso.into()),
        nics: vec![NewNic { network: "default".into(), mac: Some(mac.into()) }],
        firmware: Firmware::Bios,
        cloud_init: None,
        description: Some("made by <vireo> & its tests".into()),
        start: true,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vm_from_the_uploaded_iso_boots_reads_its_seed_and_goes_with_its_storage() {
    let data = tempfile::tempdir().unwrap();
    let (app, host) = local(data.path()).await;
    let pool = TestPool::make(&app, &host).await;
    let pool_xml = Command::new("virsh").args(["pool-dumpxml", &pool.name]).output().unwrap();
    validate("storagepool", &String::from_utf8_lossy(&pool_xml.stdout));

    // The test ISO, uploaded with its checksum checked.
    let fixture = guest_fixture();
    let sha = sha256_of(&fixture.iso);
    let req = UploadRequest { pool: pool.name.clone(), file: fixture.iso.clone(), name: Some("guest.iso".into()), expected_sha256: Some(sha.to_uppercase()) };
    let task = app.upload_volume(&host, req).await.unwrap();
    let done = app.wait_task(&task.id).await.expect("upload");
    assert_eq!((done.state, done.result.as_deref()), (TaskState::Succeeded, Some(sha.as_str())));
    let iso = app.list_volumes(&host, &pool.name).await.unwrap().into_iter().find(|v| v.name == "guest.iso").unwrap();
    assert_eq!(iso.sha256.as_deref(), Some(sha.as_str()), "the checked checksum is listed");
    assert_eq!(sha256_of(Path::new(&iso.path)), sha, "the host holds the same bytes");

    // The wizard's path: ISO, blank disk, NIC on default, a cloud-init seed.
    let name = unique_name("mk");
    let _guard = Cleanup(name.clone());
    let mac = unique_mac();
    let hostname = format!("ci-{}", std::process::id());
    let mut vm = new_vm(&name, &pool.name, &iso.path, &mac);
    vm.cloud_init = Some(CloudInit { hostname: hostname.clone(), user: Some("ada".into()), password: Some("pw".into()), ssh_key: None, user_data: None });
    let mut events = app.subscribe();
    let task = app.create_vm(&host, vm).await.unwrap();
    let created = app.wait_task(&task.id).await.expect("create the VM");
    let uuid = created.result.clone().unwrap();
    // Progress was pushed while it ran, step by step.
    let mut steps = Vec::new();
    while let Ok(ev) = events.try_recv() {
        if let vireo_core::HostEvent::Task { task: t } = ev {
            if t.id == task.id && steps.last() != Some(&t.step) {
                steps.push(t.step);
            }
        }
    }
    assert!(steps.contains(&vireo_core::TaskStep::BuildingSeed) && steps.contains(&vireo_core::TaskStep::StartingVm), "{steps:?}");
    let xml = app.host(&host).unwrap().vm_xml(&vireo_core::VmRef::Uuid(uuid.clone())).await.unwrap();
    validate("domain", &xml);
    assert!(xml.contains("made by &lt;vireo&gt; &amp; its tests"), "the description is escaped, not pasted");

    let h = app.host(&host).unwrap();
    let lease = wait::lease(&h, "default", &mac, 120).await;
    let page = wait::http_until(&lease.ip, "/hostname", 60, "the seed's host name", |b| b.contains(&hostname)).await;
    assert!(page.contains(" 200 "), "{page}");
    let block = wait::http_until(&lease.ip, "/block", 30, "the disk", |b| b.contains("vda")).await;
    assert!(block.contains("sr0") && block.contains("sr1"), "ISO and seed drives: {block}");

    // The ISO is in use: deleting it is refused, naming the VM.
    let err = app.delete_volume(&host, &pool.name, "guest.iso").await.unwrap_err();
    assert_eq!(err.code(), "in_use");
    assert!(err.to_string().contains(&name), "{err}");

    // Deleted with its storage: its disk and seed go, the shared ISO stays.
    let task = app.delete_vm(&host, &uuid, true).await.unwrap();
    app.wait_task(&task.id).await.expect("delete the VM");
    assert_eq!(pool.files(), ["guest.iso"]);
    assert!(!h.vm_exists(&name).await.unwrap());
    let hist = app.history(20).await.unwrap();
    for action in ["upload_volume", "create_vm", "delete_vm"] {
        assert!(hist.iter().any(|e| e.action == action && e.ok), "history has {action}");
    }
}

/// UEFI where the host has OVMF (test.sh installs it): the wizard's path with UEFI firmware
/// boots the test ISO (its EFI image) on OVMF, its own NVRAM made beside libvirt's, and the
/// NVRAM goes with the VM.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_uefi_vm_boots_the_iso_on_ovmf_and_its_nvram_goes_with_it() {
    let data = tempfile::tempdir().unwrap();
    let (app, host) = local(data.path()).await;
    assert!(app.host_limits(&host).await.unwrap().uefi, "the host offers UEFI (OVMF is installed)");
    let pool = TestPool::make(&app, &host).await;
    let iso = pool.upload(&app, &host, &guest_fixture().iso, "guest.iso").await;
    let name = unique_name("efi");
    let _guard = Cleanup(name.clone());
    let mac = unique_mac();
    let mut vm = new_vm(&name, &pool.name, &iso.path, &mac);
    vm.firmware = Firmware::Uefi;
    // OVMF keeps part of a small guest's memory: at 160 MiB GRUB's EFI build runs out
    // loading the kernel and initrd ("error: out of memory"); 384 MiB boots.
    vm.memory_mib = 384;
    let task = app.create_vm(&host, vm).await.unwrap();
    let uuid = app.wait_task(&task.id).await.expect("create the UEFI VM").result.unwrap();
    let h = app.host(&host).unwrap();
    let xml = h.vm_xml(&vireo_core::VmRef::Uuid(uuid.clone())).await.unwrap();
    validate("domain", &xml);
    assert!(xml.contains("OVMF") && xml.contains("<nvram"), "libvirt picked OVMF and made an NVRAM: {xml}");
    let nvram = xml.split("<nvram").nth(1).and_then(|r| r.split('>').nth(1)).and_then(|r| r.split('<').next()).unwrap().to_owned();
    assert!(Path::new(&nvram).exists(), "{nvram}");
    let detail = app.vm_detail(&host, &uuid).await.unwrap();
    assert_eq!(detail.firmware, Firmware::Uefi);

    let lease = wait::lease(&h, "default", &mac, 180).await;
    let block = wait::http_until(&lease.ip, "/block", 60, "the disk", |b| b.contains("vda")).await;
    assert!(block.contains("sr0"), "booted from the ISO's EFI image: {block}");

    let task = app.delete_vm(&host, &uuid, true).await.unwrap();
    app.wait_task(&task.id).await.expect("delete the UEFI VM");
    assert!(!Path::new(&nvram).exists(), "its NVRAM went with it");
    assert_eq!(pool.files(), ["guest.iso"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_are_refused_before_anything_is_made() {
    let data = tempfile::tempdir().unwrap();
    let (app, host) = local(data.path()).await;
    let pool = TestPool::make(&app, &host).await;
    let h = app.host(&host).unwrap();
    let iso_path = guest_fixture().iso.display().to_string();
    // The ISO must be a volume libvirt knows: the fixture's directory is not a pool.
    let base = new_vm(&unique_name("bad"), &pool.name, &format!("{}/guest.iso", pool.dir.path().display()), &unique_mac());
    let limits = h.limits().await.unwrap();
    // What the wizard reads first: the same limits through the app, and the host's networks.
    assert_eq!(app.host_limits(&host).await.unwrap(), limits);
    assert!(limits.memory_kib > 0 && limits.cpus > 0, "{limits:?}");
    let nets = app.network_names(&host).await.unwrap();
    assert!(nets.contains(&"default".to_owned()) && nets.windows(2).all(|w| w[0] <= w[1]), "sorted, with default: {nets:?}");
    let cases: Vec<(&str, Change, &str)> = vec![
        ("<", Box::new(|v| v.name = "a<b".into()), "VM name"),
        ("&", Box::new(|v| v.name = "a&b".into()), "VM name"),
        ("quote", Box::new(|v| v.name = "a\"b".into()), "VM name"),
        ("slash", Box::new(|v| v.name = "a/b".into()), "VM name"),
        ("space", Box::new(|v| v.name = "a b".into()), "VM name"),
        ("300 chars", Box::new(|v| v.name = "x".repeat(300)), "VM name"),
        ("emoji", Box::new(|v| v.name = "vm-😀".into()), "VM name"),
        ("300 unicode chars", Box::new(|v| v.name = "名".repeat(300)), "VM name"),
        ("memory 0", Box::new(|v| v.memory_mib = 0), "memory"),
        ("memory beyond", Box::new(move |v| v.memory_mib = limits.memory_kib / 1024 + 1024), "memory"),
        ("vcpus 0", Box::new(|v| v.vcpus = 0), "vCPUs"),
        ("vcpus 10000", Box::new(|v| v.vcpus = 10000), "vCPUs"),
        ("disk 0", Box::new(|v| v.disk = NewDisk::Blank { pool: v.disk_pool(), size: 0, format: VolumeFormat::Qcow2 }), "disk size"),
        ("no such ISO", Box::new(move |v| v.cdrom = Some(format!("{iso_path}.absent"))), "volume at"),
        ("no such pool", Box::new(|v| v.disk = NewDisk::Blank { pool: "vireo-absent-pool".into(), size: 1 << 20, format: VolumeFormat::Qcow2 }), "storage pool"),
        ("no such network", Box::new(|v| v.nics[0].network = "vireo-absent-net".into()), "network"),
        ("bad MAC", Box::new(|v| v.nics[0].mac = Some("01:00:5e:00:00:01".into())), "MAC"),
    ];
    let upload = app
        .upload_volume(&host, UploadRequest { pool: pool.name.clone(), file: guest_fixture().iso, name: Some("guest.iso".into()), expected_sha256: None })
        .await
        .unwrap();
    app.wait_task(&upload.id).await.unwrap();
    for (what, change, field) in cases {
        let mut vm = base.clone();
        change(&mut vm);
        let err = app.create_vm(&host, vm).await.expect_err(what);
        assert!(err.to_string().contains(field), "{what}: {err}");
    }
    assert_eq!(pool.files(), ["guest.iso"], "nothing was made");

    // Volumes: a name that would be a path, a size of 0, a checksum that does not match.
    let vol = vireo_core::NewVolume { name: "../../etc/passwd".into(), capacity: 1 << 20, format: VolumeFormat::Raw, backing: None };
    assert!(app.create_volume(&host, &pool.name, vol).await.unwrap_err().to_string().contains("volume name"));
    let vol = vireo_core::NewVolume { name: "zero".into(), capacity: 0, format: VolumeFormat::Raw, backing: None };
    assert!(app.create_volume(&host, &pool.name, vol).await.unwrap_err().to_string().contains("size"));
    let req = UploadRequest { pool: pool.name.clone(), file: guest_fixture().iso, name: Some("other.iso".into()), expected_sha256: Some("0".repeat(64)) };
    let task = app.upload_volume(&host, req).await.unwrap();
    let err = app.wait_task(&task.id).await.unwrap_err();
    assert_eq!(err.code(), "checksum_mismatch", "{err}");
    assert_eq!(pool.files(), ["guest.iso"], "the mismatching upload was removed");
    let req = UploadRequest { pool: pool.name.clone(), file: "/nonexistent/x.iso".into(), name: None, expected_sha256: None };
    assert!(app.upload_volume(&host, req).await.unwrap_err().to_string().contains("/nonexistent/x.iso"));
}

/// One bad change to a good request.
type Change = Box<dyn Fn(&mut NewVm)>;

trait DiskPool {
    fn disk_pool(&self) -> String;
}

impl DiskPool for NewVm {
    fn disk_pool(&self) -> String {
        match &self.disk {
            NewDisk::Blank { pool, .. } => pool.clone(),
            _ => String::new(),
        }
    }
}


#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn linked_clones_and_copies_of_a_template_boot_and_leave_it_unchanged() {
    let data = tempfile::tempdir().unwrap();
    let (app, host) = local(data.path()).await;
    let pool = TestPool::make(&app, &host).await;
    // The test ISO is a hybrid image (grub-mkrescue): as a disk it boots too, so it
    // serves as the template disk.
    let req = UploadRequest { pool: pool.name.clone(), file: guest_fixture().iso, name: Some("template.img".into()), expected_sha256: None };
    let task = app.upload_volume(&host, req).await.unwrap();
    let template_sha = app.wait_task(&task.id).await.unwrap().result.unwrap();
    let template = app.list_volumes(&host, &pool.name).await.unwrap().into_iter().find(|v| v.name == "template.img").unwrap();
    let h = app.host(&host).unwrap();

    let mut guards = Vec::new();
    let mut macs = Vec::new();
    for (tag, disk) in [
        ("linked", NewDisk::LinkedClone { pool: pool.name.clone(), template: template.path.clone(), size: None }),
        ("copy", NewDisk::FullCopy { pool: pool.name.clone(), template: template.path.clone() }),
    ] {
        let name = unique_name(tag);
        guards.push(Cleanup(name.clone()));
        let mac = unique_mac();
        let mut vm = new_vm(&name, &pool.name, "", &mac);
        vm.cdrom = None;
        vm.disk = disk;
        let task = app.create_vm(&host, vm).await.unwrap();
        app.wait_task(&task.id).await.unwrap_or_else(|e| panic!("create {tag}: {e}"));
        macs.push((tag, name, mac));
    }
    let vols = app.list_volumes(&host, &pool.name).await.unwrap();
    let linked = vols.iter().find(|v| v.name.starts_with("vireo-test-linked")).unwrap();
    assert_eq!(linked.backing.as_deref(), Some(template.path.as_str()), "a qcow2 layer over the template");
    assert!(linked.allocation < template.allocation, "the linked clone holds only its changes");
    let tpl = vols.iter().find(|v| v.name == "template.img").unwrap();
    assert!(tpl.used_by.iter().any(|u| u.starts_with("linked clone")), "the template is in use: {:?}", tpl.used_by);
    let err = app.delete_volume(&host, &pool.name, "template.img").await.unwrap_err();
    assert_eq!(err.code(), "in_use", "{err}");

    for (tag, _, mac) in &macs {
        let lease = wait::lease(&h, "default", mac, 120).await;
        let page = wait::http_until(&lease.ip, "/", 60, "the guest's page", |b| b.contains(" 200 ")).await;
        assert!(page.contains("vireo test guest"), "{tag}: {page}");
    }
    for (_, name, _) in &macs {
        let uuid = h.vm_uuid(&vireo_core::VmRef::Name(name.clone())).await.unwrap();
        let task = app.delete_vm(&host, &uuid, true).await.unwrap();
        app.wait_task(&task.id).await.unwrap();
    }
    assert_eq!(pool.files(), ["template.img"], "the clones' disks went with them");
    assert_eq!(sha256_of(&pool.dir.path().join("template.img")), template_sha, "the template is unchanged");
}

/// Deleted keeping its storage: the domain goes, its disk stays in the pool (and can be
/// used again), and the history says which delete it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vm_deleted_keeping_its_storage_leaves_its_disk() {
    let data = tempfile::tempdir().unwrap();
    let (app, host) = local(data.path()).await;
    let h = app.host(&host).unwrap();
    let pool = TestPool::make(&app, &host).await;
    let iso = pool.guest_iso(&app, &host).await;
    let name = unique_name("keep");
    let _gone = Cleanup(name.clone());
    let vm = NewVm { start: false, ..new_vm(&name, &pool.name, &iso, &unique_mac()) };
    let task = app.create_vm(&host, vm).await.unwrap();
    app.wait_task(&task.id).await.expect("create the VM");
    let uuid = app.list_vms(&host).await.unwrap().into_iter().find(|v| v.name == name).expect("listed").uuid;
    let disks: Vec<String> = pool.files().into_iter().filter(|f| f != "guest.iso").collect();
    assert!(!disks.is_empty(), "the VM has a disk in the pool: {:?}", pool.files());

    let task = app.delete_vm(&host, &uuid, false).await.unwrap();
    app.wait_task(&task.id).await.expect("delete the VM, keeping its storage");
    assert!(!h.vm_exists(&name).await.unwrap(), "the domain is gone");
    for d in &disks {
        assert!(pool.files().contains(d), "{d} is kept: {:?}", pool.files());
        app.delete_volume(&host, &pool.name, d).await.expect("the kept disk is a volume like any other");
    }
    assert!(app.history(10).await.unwrap().iter().any(|e| e.action == "delete_vm" && e.ok && e.target == name));
}
