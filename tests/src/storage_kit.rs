//! What tests of VMs with storage share: a throw-away directory pool, a guard that
//! forgets a domain, the app core over the local host, and the XML schema check.

use std::path::Path;
use std::process::Command;

use vireo_app::{UploadRequest, Vireo};
use vireo_core::{NewPool, NewPoolKind, VolumeSummary};

use crate::guest::unique_name;

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

    /// The test guest's ISO copied into the pool and known to libvirt (the pool refreshed);
    /// its path, for a VM's CD-ROM.
    pub async fn guest_iso(&self, app: &Vireo, host: &str) -> String {
        std::fs::copy(crate::fixture::guest_fixture().iso, self.dir.path().join("guest.iso")).unwrap();
        app.pool_action(host, &self.name, vireo_app::PoolAction::Refresh).await.unwrap();
        app.host(host).unwrap().volume(&self.name, "guest.iso").await.unwrap().path
    }

    /// The files in the pool's directory, sorted.
    pub fn files(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
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

/// Forces off and forgets the domain when the test ends, pass or fail.
pub struct Cleanup(pub String);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = Command::new("virsh").args(["-q", "destroy", &self.0]).output();
        let _ = Command::new("virsh").args(["-q", "undefine", "--nvram", "--snapshots-metadata", &self.0]).output();
    }
}

/// The app core with its database in `dir`, and the id of the local host, connected.
pub async fn local(dir: &Path) -> (Vireo, String) {
    let app = Vireo::start(dir, "test").await.unwrap();
    let id = app.list_hosts().into_iter().find(|h| h.uri == "qemu:///system").expect("the local host").id;
    app.host(&id).unwrap().wait_first_attempt().await.unwrap();
    (app, id)
}

/// Fails unless `xml` passes `virt-xml-validate` as `kind` (`domain`, `storagepool`, ...).
pub fn validate(kind: &str, xml: &str) {
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), xml).unwrap();
    let out = Command::new("virt-xml-validate").arg(f.path()).arg(kind).output().expect("virt-xml-validate");
    assert!(out.status.success(), "{kind} XML does not validate: {}\n{xml}", String::from_utf8_lossy(&out.stderr));
}

pub fn sha256_of(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap().to_owned()
}

/// `virsh` with these arguments; its standard output.
pub fn virsh(args: &[&str]) -> String {
    let out = Command::new("virsh").args(args).output().expect("virsh");
    String::from_utf8_lossy(&out.stdout).into_owned()
}
