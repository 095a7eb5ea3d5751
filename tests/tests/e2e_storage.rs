//! End to end: storage, the ISO library and VM creation in the real window under Xvfb
//! (tauri-driver + WebKitWebDriver) against the real libvirtd and the test guest. The
//! fixture's ISO is uploaded into the host's library through its page (its progress bar
//! seen, its SHA-256 checked), a directory pool is made on the Storage page, a VM is made
//! from the ISO through the Create VM wizard (its task's progress shown) and reaches
//! Running in the list, is deleted with its storage, and the ISO is deleted. Screenshots
//! of each step go to target/e2e/storage-*.png.

use std::process::Command;

use serde_json::json;
use vireo_tests::page::{choose, click, fill, seen_progress, task_state, text_of, wait_task, watch_progress};
use vireo_tests::storage_kit::sha256_of;
use vireo_tests::webdriver::Session;
use vireo_tests::window::{pick_host, shots_dir, wait_state, wait_until, Driver, FreshHome, Xvfb};
use vireo_tests::{fresh_binary, guest_fixture, unique_mac, unique_name};

/// Where the library of a host with no ISO directory set lives (vireo-app `DEFAULT_ISO_DIR`).
const ISO_DIR: &str = "/var/lib/libvirt/images/vireo-isos";

/// What the test made on the host, removed at the end, pass or fail: the VM, the ISO,
/// the pool.
struct Cleanup {
    vm: String,
    iso: String,
    pool: String,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let virsh = |args: &[&str]| {
            let _ = Command::new("virsh").arg("-q").args(args).output();
        };
        virsh(&["destroy", &self.vm]);
        virsh(&["undefine", "--nvram", "--remove-all-storage", &self.vm]);
        virsh(&["vol-delete", "--pool", "vireo-isos", &self.iso]);
        virsh(&["pool-destroy", &self.pool]);
        virsh(&["pool-undefine", &self.pool]);
    }
}

fn shot(s: &Session, name: &str) {
    vireo_tests::page::shot(s, "storage", name);
}

#[test]
fn e2e_upload_an_iso_create_a_vm_from_it_in_the_wizard_and_delete_both() {
    let app = fresh_binary("vireo-desktop", "vireo-desktop");
    let fixture = guest_fixture();
    let iso_size = std::fs::metadata(&fixture.iso).unwrap().len();
    let sha = sha256_of(&fixture.iso);
    let (vm, iso, pool) = (unique_name("e2es"), format!("{}.iso", unique_name("iso")), unique_name("pool"));
    let pool_dir = tempfile::tempdir().unwrap();
    let _cleanup = Cleanup { vm: vm.clone(), iso: iso.clone(), pool: pool.clone() };

    let xvfb = Xvfb::start(&shots_dir());
    let home = FreshHome::new();
    let driver = Driver::start(&xvfb, &home, &[]);
    let s = driver.session(&app);
    pick_host(&s, "Local");
    s.wait_for("[data-testid=\"vm-table\"]", 30).unwrap();

    // The ISO library: the fixture's ISO uploaded from its path with its SHA-256.
    click(&s, "[data-testid=\"show-isos\"]");
    s.wait_for("[data-testid=\"iso-page\"]", 10).unwrap();
    s.wait_for("[data-testid=\"iso-table\"] tbody tr", 30).unwrap();
    fill(&s, "[data-testid=\"iso-upload-path\"]", &fixture.iso.display().to_string());
    fill(&s, "[data-testid=\"iso-upload-name\"]", &iso);
    fill(&s, "[data-testid=\"iso-upload-sha\"]", &sha.to_uppercase());
    watch_progress(&s);
    click(&s, "[data-testid=\"iso-upload\"]");
    shot(&s, "1-uploading");
    let row = format!("tr[data-iso=\"{iso}\"]");
    s.wait_for(&row, 120).expect("the uploaded ISO in the library");
    let seen = seen_progress(&s);
    let total = iso_size.to_string();
    assert!(
        seen.iter().any(|r| r[1] == "running" && r[3] == total),
        "the upload's progress bar (of {total} bytes) was shown: {seen:?}"
    );
    println!("upload progress states seen: {}", seen.len());
    let listed_sha = text_of(&s, &format!("{row} [data-testid=\"iso-sha\"]"));
    assert_eq!(listed_sha, sha, "the library lists the checked SHA-256");
    wait_until("the upload's task to show done", 10, || task_state(&s, "upload_volume", &format!("vireo-isos/{iso}")).as_deref() == Some("succeeded"));
    shot(&s, "2-uploaded");

    // A directory pool for the VM's disk, made on the Storage page.
    click(&s, "[data-testid=\"show-storage\"]");
    s.wait_for("[data-testid=\"storage-page\"]", 10).unwrap();
    click(&s, "[data-testid=\"pool-new\"]");
    fill(&s, "[data-testid=\"pool-name\"]", &pool);
    fill(&s, "[data-testid=\"pool-path\"]", &pool_dir.path().display().to_string());
    click(&s, "[data-testid=\"pool-create\"]");
    s.wait_for(&format!("tr[data-pool=\"{pool}\"] [data-state=\"running\"]"), 30).expect("the new pool, running");
    shot(&s, "3-pool");

    // The wizard: the ISO, 1 vCPU, 160 MiB, a 64 MiB disk in the new pool, a NIC on
    // default with a MAC, started once made.
    click(&s, "[data-testid=\"show-vms\"]");
    click(&s, "[data-testid=\"create-vm\"]");
    s.wait_for("[data-testid=\"wizard\"][data-step=\"source\"]", 60).unwrap();
    click(&s, "[data-testid=\"wizard-source-iso\"]");
    choose(&s, "[data-testid=\"wizard-iso\"]", &format!("{ISO_DIR}/{iso}"));
    click(&s, "[data-testid=\"wizard-next\"]");
    s.wait_for("[data-testid=\"wizard\"][data-step=\"hardware\"]", 10).unwrap();
    // A checked limit first: more vCPUs than the host has is refused in the form.
    fill(&s, "[data-testid=\"wizard-name\"]", &vm);
    fill(&s, "[data-testid=\"wizard-vcpus\"]", "100000");
    click(&s, "[data-testid=\"wizard-next\"]");
    let why = text_of(&s, "[data-testid=\"wizard-problem-vcpus\"]");
    assert!(why.contains("CPUs"), "the form names the host's limit: {why}");
    shot(&s, "4-wizard-limit");
    fill(&s, "[data-testid=\"wizard-vcpus\"]", "1");
    fill(&s, "[data-testid=\"wizard-memory\"]", "160");
    choose(&s, "[data-testid=\"wizard-memory-unit\"]", "MiB");
    fill(&s, "[data-testid=\"wizard-disk-size\"]", "64");
    choose(&s, "[data-testid=\"wizard-disk-size-unit\"]", "MiB");
    choose(&s, "[data-testid=\"wizard-pool\"]", &pool);
    click(&s, "[data-testid=\"wizard-next\"]");
    s.wait_for("[data-testid=\"wizard\"][data-step=\"network\"]", 10).unwrap();
    choose(&s, "[data-testid=\"wizard-nic-network-0\"]", "default");
    fill(&s, "[data-testid=\"wizard-nic-mac-0\"]", &unique_mac());
    click(&s, "[data-testid=\"wizard-next\"]");
    s.wait_for("[data-testid=\"wizard\"][data-step=\"setup\"]", 10).unwrap();
    s.wait_for("[data-testid=\"wizard-start\"]", 5).unwrap();
    let start = s.execute("return document.querySelector('[data-testid=wizard-start]').checked", json!([])).unwrap();
    assert_eq!(start, json!(true), "the VM starts once made by default");
    shot(&s, "5-wizard");
    watch_progress(&s);
    click(&s, "[data-testid=\"wizard-create\"]");
    wait_until("the wizard to close", 30, || s.execute("return !document.querySelector('[data-testid=wizard]')", json!([])).ok() == Some(json!(true)));
    shot(&s, "6-creating");
    wait_task(&s, "create_vm", &vm, 120);
    let seen = seen_progress(&s);
    assert!(seen.iter().any(|r| r[1] == "running" && !r[3].is_empty()), "the create task's progress was shown: {seen:?}");
    let took = wait_state(&s, &vm, "running", 60);
    println!("created {vm}; running in the list {:.1} s after its task ended", took.as_secs_f64());
    shot(&s, "7-running");
    assert_eq!(std::fs::read_dir(pool_dir.path()).unwrap().count(), 1, "the VM's disk is in the new pool");

    // Deleted with its storage: asked first, the disk goes with it.
    click(&s, &format!("tr[data-vm=\"{vm}\"] [data-testid=\"vm-delete\"]"));
    click(&s, "[data-testid=\"delete-vm-storage\"]");
    shot(&s, "8-delete-asked");
    click(&s, "[data-testid=\"confirm-ok\"]");
    wait_task(&s, "delete_vm", &vm, 60);
    wait_until("the deleted VM to leave the list", 30, || s.execute("return !document.querySelector(arguments[0])", json!([format!("tr[data-vm=\"{vm}\"]")])).ok() == Some(json!(true)));
    let left: Vec<_> = std::fs::read_dir(pool_dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "the VM's disk went with it: {left:?}");
    let out = Command::new("virsh").args(["-q", "dominfo", &vm]).output().unwrap();
    assert!(!out.status.success(), "libvirt no longer knows {vm}");
    shot(&s, "9-deleted");

    // The ISO, asked first, then gone from the library and the host.
    click(&s, "[data-testid=\"show-isos\"]");
    click(&s, &format!("{row} [data-testid=\"iso-delete\"]"));
    click(&s, "[data-testid=\"confirm-ok\"]");
    wait_until("the ISO to leave the library", 30, || s.execute("return !document.querySelector(arguments[0])", json!([row])).ok() == Some(json!(true)));
    assert!(!std::path::Path::new(&format!("{ISO_DIR}/{iso}")).exists(), "the ISO file is gone from the host");
    shot(&s, "10-iso-deleted");
    s.end();
}
