//! The app core on the local libvirtd with a storage pool of the test's own, and the
//! schema check every XML Vireo defined must pass.

use std::path::Path;
use std::process::Command;

use vireo_app::{UploadRequest, Vireo};
use vireo_core::{NewPool, NewPoolKind, VolumeSummary};

use crate::guest::unique_name;

/// The core over a fresh database in `dir`, and the id of its `qemu:///system` host,
/// connected.
pub async fn local_app(dir: &Path) -> (Vireo, String) {
    let app = Vireo::start(dir, "test").await.unwrap();
    let id = app.list_hosts().into_iter().find(|h| h.uri == "qemu:///system").expect("the local host").id;
    app.host(&id).unwrap().wait_first_attempt().await.unwrap();
    (app, id)
}

/// A directory pool in a temporary directory, forgotten (with its volumes) at the end.
pub struct TestPool {
    pub name: String,
    pub dir: tempfile::TempDir,
}

impl TestPool {
    pub async fn make(app: &Vireo, host: &str) -> TestPool {
        let dir = tempfile::tempdir().unwrap();
        let name = unique_name("pool");
        let target = NewPoolKind::Dir { path: dir.path().display().to_string() };
        app.create_pool(host, NewPool { name: name.clone(), target, autostart: false }).await.expect("create the test pool");
        TestPool { name, dir }
    }

    /// The file names in the pool's directory, sorted.
    pub fn files(&self) -> Vec<String> {
        let mut v: Vec<String> =
            std::fs::read_dir(self.dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    /// Uploads `file` into the pool as `name`; the new volume.
    pub async fn upload(&self, app: &Vireo, host: &str, file: &Path, name: &str) -> VolumeSummary {
        let req = UploadRequest { pool: self.name.clone(), file: file.to_owned(), name: Some(name.into()), expected_sha256: None };
        let task = app.upload_volume(host, req).await.unwrap();
        app.wait_task(&task.id).await.unwrap_or_else(|e| panic!("upload {name}: {e}"));
        app.list_volumes(host, &self.name).await.unwrap().into_iter().find(|v| v.name == name).unwrap()
    }
}

impl Drop for TestPool {
    fn drop(&mut self) {
        for args in [vec!["pool-destroy", &self.name], vec!["pool-undefine", &self.name]] {
            let _ = Command::new("virsh").arg("-q").args(args).output();
        }
    }
}

/// Fails the test unless `xml` passes `virt-xml-validate` as `kind` (`domain`,
/// `domainsnapshot`, `storagepool`, ...).
pub fn validate_xml(kind: &str, xml: &str) {
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), xml).unwrap();
    let out = Command::new("virt-xml-validate").arg(f.path()).arg(kind).output().expect("virt-xml-validate");
    assert!(out.status.success(), "{kind} XML does not validate: {}\n{xml}", String::from_utf8_lossy(&out.stderr));
}

/// `virsh ARGS...` on the local daemon: its stdout (the test fails when virsh does).
pub fn virsh(args: &[&str]) -> String {
    let out = Command::new("virsh").args(args).output().expect("run virsh");
    assert!(out.status.success(), "virsh {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}
