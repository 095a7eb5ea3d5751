//! The ISO library's directory on the real libvirtd: an empty library moves (its pool made
//! again at the new place on next use), one holding an ISO is refused naming how many and
//! stays where it is, a relative path is refused; the library ends where it started.
//! Alone in its binary: the library's pool (`vireo-isos`) is the machine's, shared by
//! every test that uploads an ISO, and cargo runs test binaries one at a time.

use vireo_app::{UploadRequest, DEFAULT_ISO_DIR, ISO_POOL};
use vireo_tests::guest_fixture;
use vireo_tests::storage_kit::{local, virsh};

/// The library pool's directory as libvirt has it, if the pool exists.
fn pool_path() -> Option<String> {
    let xml = virsh(&["pool-dumpxml", ISO_POOL]);
    let start = xml.find("<path>")? + "<path>".len();
    Some(xml[start..start + xml[start..].find("</path>")?].to_owned())
}

/// Pass or fail, a library left elsewhere is forgotten, so the next user of the library (whose
/// setting is its own: this test's lives in its temporary data directory) makes it at the
/// default place again.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        if pool_path().is_some_and(|p| p != DEFAULT_ISO_DIR) {
            let _ = std::process::Command::new("virsh").args(["-q", "pool-destroy", ISO_POOL]).output();
            let _ = std::process::Command::new("virsh").args(["-q", "pool-undefine", ISO_POOL]).output();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_iso_library_moves_only_while_it_is_empty() {
    let data = tempfile::tempdir().unwrap();
    let (app, host) = local(data.path()).await;
    let _restore = Restore;
    let held = app.list_isos(&host).await.unwrap();
    assert!(held.is_empty(), "this test needs the library empty; an earlier run left {:?}", held.iter().map(|v| &v.name).collect::<Vec<_>>());
    assert_eq!(pool_path().as_deref(), Some(DEFAULT_ISO_DIR));

    let err = app.set_iso_dir(&host, "relative/isos").await.unwrap_err();
    assert!(err.to_string().contains("relative/isos"), "{err}");

    // Empty: it moves, and is made at the new place on next use.
    let elsewhere = tempfile::tempdir().unwrap();
    let dir = elsewhere.path().join("isos").display().to_string();
    app.set_iso_dir(&host, &dir).await.unwrap();
    assert_eq!(pool_path(), None, "the empty library's pool is forgotten");
    assert_eq!(app.iso_dir(&host).await.unwrap(), dir);
    assert!(app.list_isos(&host).await.unwrap().is_empty());
    assert_eq!(pool_path().as_deref(), Some(dir.as_str()), "made again at the new place");

    // Holding an ISO: refused, naming how many; nothing moves.
    let req = UploadRequest { pool: String::new(), file: guest_fixture().iso.clone(), name: Some("held.iso".into()), expected_sha256: None };
    let task = app.upload_iso(&host, req).await.unwrap();
    app.wait_task(&task.id).await.unwrap();
    let err = app.set_iso_dir(&host, DEFAULT_ISO_DIR).await.unwrap_err();
    assert_eq!(err.code(), "invalid_state", "{err}");
    assert!(err.to_string().contains("holding 1 ISO"), "{err}");
    assert_eq!(pool_path().as_deref(), Some(dir.as_str()));
    assert!(std::path::Path::new(&dir).join("held.iso").exists(), "the ISO is still there");

    // Emptied, it goes back where it started.
    app.delete_iso(&host, "held.iso").await.unwrap();
    app.set_iso_dir(&host, DEFAULT_ISO_DIR).await.unwrap();
    assert!(app.list_isos(&host).await.unwrap().is_empty());
    assert_eq!(pool_path().as_deref(), Some(DEFAULT_ISO_DIR));
}
