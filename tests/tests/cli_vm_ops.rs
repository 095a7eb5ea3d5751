//! `vireo vm media`, `vireo vm snapshot` and `vireo vm clone` on the real libvirtd: JSON
//! results, the tree as text, destructive steps refused without --yes off a terminal,
//! bad input as exit status 1 with the reason, each change in the shared history.

use std::path::Path;
use std::process::{Command, Output};

use vireo_core::{NewVolume, VmRef, VolumeFormat};
use vireo_host::xml::DiskSpec;
use vireo_tests::storage_kit::{local, virsh, TestPool};
use vireo_tests::{guest_fixture, guest_spec, unique_mac, unique_name, TestDomain};

fn vireo(data: &Path, args: &[&str]) -> Output {
    let bin = vireo_tests::fresh_binary("vireo-cli", "vireo");
    Command::new(bin).args(["-c", "qemu:///system"]).args(args).env("VIREO_DATA_DIR", data).output().expect("run vireo")
}

/// Runs it, expects success; its standard output.
fn ok(data: &Path, args: &[&str]) -> String {
    let out = vireo(data, args);
    assert!(out.status.success(), "vireo {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs it, expects exit status 1; its standard error.
fn fails(data: &Path, args: &[&str]) -> String {
    let out = vireo(data, args);
    assert_eq!(out.status.code(), Some(1), "vireo {args:?} should fail: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text.trim().lines().last().filter(|l| l.starts_with('{')).unwrap_or(text)).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_snapshots_and_clones_from_the_cli() {
    let data = tempfile::tempdir().unwrap();
    let (app, host) = local(data.path()).await;
    let pool = TestPool::make(&app, &host).await;
    let iso = pool.upload(&app, &host, &guest_fixture().iso, "media.iso").await;
    let h = app.host(&host).unwrap();
    let name = unique_name("cli");
    let disk = NewVolume { name: format!("{name}.qcow2"), capacity: 16 << 20, format: VolumeFormat::Qcow2, backing: None };
    let disk = app.create_volume(&host, &pool.name, disk).await.unwrap();
    let mut spec = guest_spec(&name, &unique_mac(), &guest_fixture(), false);
    spec.disks.push(DiskSpec { path: disk.path.clone(), format: "qcow2".into(), bus: vireo_core::DiskBus::Virtio });
    spec.empty_cdrom = true;
    let _vm = TestDomain::define(&h, &spec).await;
    let d = data.path();

    // Media: the drives, an ISO in by POOL/VOLUME, an unknown drive refused, ejected.
    let drives = json(&ok(d, &["--json", "vm", "media", &name]));
    assert_eq!((drives[0]["target"].as_str(), drives[0]["source"].is_null()), (Some("sda"), true), "{drives}");
    let inserted = format!("{}/media.iso", pool.name);
    let drives = json(&ok(d, &["--json", "vm", "media", &name, "--insert", &inserted]));
    assert_eq!(drives[0]["source"].as_str(), Some(iso.path.as_str()));
    let err = fails(d, &["vm", "media", &name, "--drive", "sdz", "--eject"]);
    assert!(err.contains("sdz") && err.contains("sda"), "{err}");
    let err = fails(d, &["vm", "media", &name, "--insert", "no-such-pool/x.iso"]);
    assert!(err.contains("no-such-pool"), "{err}");
    assert!(ok(d, &["vm", "media", &name, "--eject"]).contains("(empty)"));

    // Snapshots: two, the second under the first; revert asks first; bad names refused.
    let s1 = json(&ok(d, &["--json", "vm", "snapshot", "create", &name, "s1", "--description", "first <one>"]));
    assert_eq!(s1[0]["description"], "first <one>");
    ok(d, &["vm", "snapshot", "create", &name, "s2"]);
    let list = json(&ok(d, &["--json", "vm", "snapshot", "list", &name]));
    assert_eq!((list[1]["name"].as_str(), list[1]["parent"].as_str()), (Some("s2"), Some("s1")), "{list}");
    let text = ok(d, &["vm", "snapshot", "list", &name]);
    assert!(text.lines().any(|l| l.starts_with("s1 ")) && text.lines().any(|l| l.starts_with("  s2 *")), "{text}");
    let err = fails(d, &["vm", "snapshot", "revert", &name, "s1"]);
    assert!(err.contains("--yes"), "{err}");
    let done = json(&ok(d, &["--json", "vm", "snapshot", "revert", &name, "s1", "--yes"]));
    assert_eq!((done["state"].as_str(), done["result"].as_str()), (Some("succeeded"), Some("shut off")), "{done}");
    let err = fails(d, &["vm", "snapshot", "create", &name, "a/b"]);
    assert!(err.contains("snapshot name"), "{err}");
    ok(d, &["vm", "snapshot", "delete", &name, "s1", "--children", "--yes"]);
    assert!(ok(d, &["vm", "snapshot", "list", &name]).contains("no snapshots"));

    // Clone: a full copy; the name is then taken; a mode must be given.
    let clone = unique_name("clic");
    let _clone = TestDomain { host: h.clone(), name: clone.clone() };
    let done = json(&ok(d, &["--json", "vm", "clone", &name, &clone, "--full"]));
    assert_eq!(done["state"], "succeeded", "{done}");
    assert_eq!(h.vm_uuid(&VmRef::Name(clone.clone())).await.unwrap(), done["result"].as_str().unwrap());
    assert!(virsh(&["dumpxml", "--inactive", &clone]).contains(&format!("{clone}.qcow2")));
    let err = fails(d, &["vm", "clone", &name, &clone, "--full"]);
    assert!(err.contains("already has a VM"), "{err}");
    assert_eq!(vireo(d, &["vm", "clone", &name, "x"]).status.code(), Some(2), "no mode is a usage error");

    let hist = ok(d, &["history", "--limit", "30"]);
    for action in ["insert_media", "eject_media", "create_snapshot", "revert_snapshot", "delete_snapshot_tree", "clone_vm"] {
        assert!(hist.contains(action), "history has {action}:\n{hist}");
    }
}
