//! Editing VMs on the real libvirtd with the test guest: a disk and a NIC hot-plugged
//! into the running guest appear inside it (its httpd lists /sys/block and
//! /sys/class/net) and go again; vCPUs beyond the running maximum wait for the next
//! boot and say so; tags live in the domain's own metadata; the boot order is edited in
//! place, keeping what another tool wrote; addresses come from the leases; a guest
//! without an agent gets a clear message; bad input changes nothing.

use std::time::Duration;

use vireo_app::Vireo;
use vireo_core::{
    AddedDisk, AddressSource, Applied, BootDevice, DiskBus, Firmware, NewDisk, NewNic, NewVm, VmChange, VmRef, VolumeFormat,
};
use vireo_tests::guest::{unique_mac, unique_name};
use vireo_tests::storage_kit::{local, validate, virsh, Cleanup, TestPool};
use vireo_tests::wait;

async fn make_vm(app: &Vireo, host: &str, name: &str, pool: &str, iso: &str, mac: &str, start: bool) -> String {
    let vm = NewVm {
        name: name.into(),
        vcpus: 1,
        memory_mib: 160,
        disk: NewDisk::Blank { pool: pool.into(), size: 32 << 20, format: VolumeFormat::Qcow2 },
        disk_bus: DiskBus::Virtio,
        cdrom: Some(iso.into()),
        nics: vec![NewNic { network: "default".into(), mac: Some(mac.into()) }],
        firmware: Firmware::Bios,
        cloud_init: None,
        description: None,
        start,
    };
    let task = app.create_vm(host, vm).await.unwrap();
    app.wait_task(&task.id).await.expect("create the VM").result.unwrap()
}

fn count(list: &str, prefix: &str) -> usize {
    list.split_whitespace().filter(|w| w.starts_with(prefix)).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hotplugged_disks_and_nics_appear_in_the_running_guest_and_edits_say_when_they_apply() {
    let data = tempfile::tempdir().unwrap();
    let (app, host) = local(data.path()).await;
    let pool = TestPool::make(&app, &host).await;
    let iso = pool.guest_iso(&app, &host).await;
    let name = unique_name("ed");
    let _guard = Cleanup(name.clone());
    let mac = unique_mac();
    let uuid = make_vm(&app, &host, &name, &pool.name, &iso, &mac, true).await;
    let h = app.host(&host).unwrap();
    let lease = wait::lease(&h, "default", &mac, 120).await;
    let block = wait::http_until(&lease.ip, "/block", 60, "the first disk", |b| count(b, "vd") == 1).await;
    assert!(block.contains(" 200 "), "{block}");
    wait::http_until(&lease.ip, "/net", 30, "one NIC", |b| b.contains("eth0") && !b.contains("eth1")).await;

    // Another tool's metadata, which every edit below must keep.
    let out = std::process::Command::new("virsh")
        .args(["metadata", &name, "--uri", "urn:other-tool", "--key", "other", "--set", "<keep answer=\"42\"/>", "--config"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // A new disk, hot-plugged: the guest sees a second virtio disk.
    let added = app
        .change_vm(&host, &uuid, VmChange::AddDisk { disk: AddedDisk::New { pool: pool.name.clone(), capacity: 16 << 20 }, bus: DiskBus::Virtio })
        .await
        .expect("add a disk");
    assert_eq!(added.applied, Applied::Now, "{added:?}");
    wait::http_until(&lease.ip, "/block", 30, "the hot-plugged disk", |b| count(b, "vd") == 2).await;
    let detail = app.vm_detail(&host, &uuid).await.unwrap();
    let new_disk = detail.disks.iter().find(|d| d.target == "vdb").expect("vdb in the detail").clone();
    assert!(new_disk.source.as_deref().unwrap().ends_with(&format!("{name}-2.qcow2")), "{new_disk:?}");
    assert!(virsh(&["dumpxml", "--inactive", &name]).contains("vdb"), "the next boot keeps the disk");

    // Grown live.
    let grown = app.change_vm(&host, &uuid, VmChange::ResizeDisk { target: "vdb".into(), capacity: 32 << 20 }).await.unwrap();
    assert_eq!(grown.applied, Applied::Now);
    assert!(virsh(&["domblkinfo", &name, "vdb"]).contains(&(32u64 << 20).to_string()), "{}", virsh(&["domblkinfo", &name, "vdb"]));
    let shrink = app.change_vm(&host, &uuid, VmChange::ResizeDisk { target: "vdb".into(), capacity: 1 << 20 }).await.unwrap_err();
    assert_eq!(shrink.code(), "invalid_input", "{shrink}");

    // A second NIC, hot-plugged on the same network: the guest sees eth1.
    let nic_mac = unique_mac();
    let nic = app.change_vm(&host, &uuid, VmChange::AddNic { network: "default".into(), mac: Some(nic_mac.clone()) }).await.unwrap();
    assert_eq!(nic.applied, Applied::Now);
    wait::http_until(&lease.ip, "/net", 30, "the hot-plugged NIC", |b| b.contains("eth1")).await;
    // Without a MAC given, libvirt's is reported in the detail.
    let third = app.change_vm(&host, &uuid, VmChange::AddNic { network: "default".into(), mac: None }).await.unwrap();
    assert_eq!(third.applied, Applied::Now);
    let detail = app.vm_detail(&host, &uuid).await.unwrap();
    assert_eq!(detail.nics.len(), 3, "{:?}", detail.nics);
    let generated = detail.nics.iter().map(|n| n.mac.clone()).find(|m| *m != mac && *m != nic_mac).unwrap();
    validate("domain", &virsh(&["dumpxml", &name]));
    validate("domain", &virsh(&["dumpxml", "--inactive", &name]));

    // Unplugged again: the guest loses them (ACPI hot-unplug).
    for m in [&nic_mac, &generated] {
        let gone = app.change_vm(&host, &uuid, VmChange::RemoveNic { mac: m.clone() }).await.unwrap();
        assert_eq!(gone.applied, Applied::Now);
    }
    wait::http_until(&lease.ip, "/net", 30, "the NICs unplugged", |b| b.contains("eth0") && !b.contains("eth1") && !b.contains("eth2")).await;
    let removed = app.change_vm(&host, &uuid, VmChange::RemoveDisk { target: "vdb".into(), delete_volume: true }).await.unwrap();
    assert_eq!(removed.applied, Applied::Now);
    wait::http_until(&lease.ip, "/block", 30, "the disk unplugged", |b| count(b, "vd") == 1).await;
    assert!(!pool.files().iter().any(|f| f == &format!("{name}-2.qcow2")), "its volume went: {:?}", pool.files());

    // vCPUs beyond the running maximum: from the next boot, with the reason.
    let cpus = app.change_vm(&host, &uuid, VmChange::Vcpus { count: 2 }).await.unwrap();
    assert_eq!(cpus.applied, Applied::NextBoot, "{cpus:?}");
    assert!(cpus.reason.as_deref().unwrap_or("").contains("at most 1"), "{cpus:?}");
    let detail = app.vm_detail(&host, &uuid).await.unwrap();
    assert_eq!((detail.vcpus, detail.next_vcpus), (1, Some(2)));
    // Memory within the running maximum: the balloon moves now.
    let mem = app.change_vm(&host, &uuid, VmChange::Memory { mib: 128 }).await.unwrap();
    assert_eq!(mem.applied, Applied::Now, "{mem:?}");
    assert!(virsh(&["dumpxml", "--inactive", &name]).contains("<memory unit='KiB'>131072</memory>"));

    // Tags in the domain's own metadata, under Vireo's namespace; listed in bulk.
    app.change_vm(&host, &uuid, VmChange::Tags { tags: vec!["web".into(), "生产".into()] }).await.unwrap();
    let xml = virsh(&["dumpxml", &name]);
    assert!(xml.contains("https://vireo.dev/xmlns/vm/1") && xml.contains("生产"), "{xml}");
    let tags = app.vm_tags(&host).await.unwrap();
    assert_eq!(tags.iter().find(|(u, _)| *u == uuid).map(|(_, t)| t.clone()), Some(vec!["web".to_owned(), "生产".to_owned()]));
    app.change_vm(&host, &uuid, VmChange::Description { text: "a <b> & c".into() }).await.unwrap();
    assert_eq!(app.vm_detail(&host, &uuid).await.unwrap().description, "a <b> & c");
    app.change_vm(&host, &uuid, VmChange::Autostart { on: true }).await.unwrap();
    assert!(app.vm_detail(&host, &uuid).await.unwrap().autostart);
    app.change_vm(&host, &uuid, VmChange::Autostart { on: false }).await.unwrap();

    // Boot order: edited in the definition in place; the other tool's metadata stays.
    let boot = app.change_vm(&host, &uuid, VmChange::Boot { order: vec![BootDevice::Hd, BootDevice::Cdrom] }).await.unwrap();
    assert_eq!(boot.applied, Applied::NextBoot);
    let next = virsh(&["dumpxml", "--inactive", &name]);
    let (hd, cd) = (next.find("<boot dev='hd'/>").unwrap(), next.find("<boot dev='cdrom'/>").unwrap());
    assert!(hd < cd, "{next}");
    assert!(next.contains("urn:other-tool") && next.contains("answer=\"42\""), "another tool's metadata is kept: {next}");
    validate("domain", &next);

    // Addresses from the leases, for the whole host in one call.
    let addrs = app.vm_addresses(&host).await.unwrap();
    let ours = addrs.iter().find(|a| a.uuid == uuid).expect("the VM's addresses");
    assert_eq!((ours.addresses.clone(), ours.source), (vec![lease.ip.clone()], AddressSource::Lease));

    // No guest agent in the test guest: a clear message naming it.
    let err = app.set_guest_password(&host, &uuid, "root", "s3cret").await.unwrap_err();
    assert_eq!(err.code(), "no_guest_agent", "{err}");
    assert!(err.to_string().contains(&name) && err.hint().unwrap().contains("qemu-guest-agent"), "{err}");
    let history = app.history(40).await.unwrap();
    assert!(history.iter().any(|e| e.action == "set_guest_password" && !e.target.contains("s3cret")), "recorded without the password");
    assert!(history.iter().any(|e| e.action == "set_vcpus" && e.target.contains("next boot")), "history says when it applies");

    // After a restart the next-boot values are live.
    h.vm_action(&VmRef::Uuid(uuid.clone()), vireo_core::VmAction::Destroy).await.unwrap();
    h.vm_action(&VmRef::Uuid(uuid.clone()), vireo_core::VmAction::Start).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let detail = app.vm_detail(&host, &uuid).await.unwrap();
    assert_eq!((detail.vcpus, detail.next_vcpus, detail.boot.clone()), (2, None, vec![BootDevice::Hd, BootDevice::Cdrom]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_edits_are_refused_with_a_clear_error_and_change_nothing() {
    let data = tempfile::tempdir().unwrap();
    let (app, host) = local(data.path()).await;
    let pool = TestPool::make(&app, &host).await;
    let iso = pool.guest_iso(&app, &host).await;
    let name = unique_name("bad");
    let _guard = Cleanup(name.clone());
    let uuid = make_vm(&app, &host, &name, &pool.name, &iso, &unique_mac(), false).await;
    let before = virsh(&["dumpxml", "--inactive", &name]);
    let volumes_before = pool.files();
    let cases: Vec<(VmChange, &str, &str)> = vec![
        (VmChange::Vcpus { count: 0 }, "invalid_input", "vCPUs"),
        (VmChange::Vcpus { count: 10000 }, "invalid_input", "1-512"),
        (VmChange::Vcpus { count: 512 }, "beyond_host", "CPUs"),
        (VmChange::Memory { mib: 0 }, "invalid_input", "memory"),
        (VmChange::Memory { mib: 1 << 40 }, "beyond_host", "memory"),
        (VmChange::Tags { tags: vec!["<b>".into()] }, "invalid_input", "tag"),
        (VmChange::Tags { tags: vec!["a".repeat(33)] }, "invalid_input", "32"),
        (VmChange::RemoveDisk { target: "../../etc/passwd".into(), delete_volume: true }, "invalid_input", "disk"),
        (VmChange::RemoveDisk { target: "vdq".into(), delete_volume: false }, "not_found", "vdq"),
        (VmChange::ResizeDisk { target: "vda".into(), capacity: 0 }, "invalid_input", "size"),
        (VmChange::AddDisk { disk: AddedDisk::New { pool: pool.name.clone(), capacity: 0 }, bus: DiskBus::Virtio }, "invalid_input", "size"),
        (VmChange::AddDisk { disk: AddedDisk::Volume { pool: pool.name.clone(), volume: "../../etc/passwd".into() }, bus: DiskBus::Virtio }, "invalid_input", "volume name"),
        (VmChange::AddDisk { disk: AddedDisk::Volume { pool: pool.name.clone(), volume: "missing.qcow2".into() }, bus: DiskBus::Virtio }, "not_found", "missing"),
        (VmChange::AddNic { network: "no-such-net".into(), mac: None }, "not_found", "no-such-net"),
        (VmChange::AddNic { network: "default".into(), mac: Some("01:00:5e:00:00:01".into()) }, "invalid_input", "multicast"),
        (VmChange::RemoveNic { mac: "52:54:00:00:00:99".into() }, "not_found", "52:54:00:00:00:99"),
        (VmChange::NicMac { mac: "52:54:00:00:00:99".into(), new_mac: "zz".into() }, "invalid_input", "MAC"),
        (VmChange::Boot { order: vec![] }, "invalid_input", "boot"),
        (VmChange::Boot { order: vec![BootDevice::Hd, BootDevice::Hd] }, "invalid_input", "twice"),
    ];
    for (change, code, says) in cases {
        let shown = format!("{change:?}");
        let err = app.change_vm(&host, &uuid, change).await.expect_err(&shown);
        assert_eq!(err.code(), code, "{shown}: {err}");
        assert!(err.to_string().contains(says), "{shown}: '{err}' should name {says}");
    }
    assert_eq!(virsh(&["dumpxml", "--inactive", &name]), before, "the definition is unchanged");
    assert_eq!(pool.files(), volumes_before, "no volume was made");
    let err = app.change_vm(&host, "not-a-uuid", VmChange::Vcpus { count: 1 }).await.unwrap_err();
    assert_eq!(err.code(), "invalid_input");
}
