//! The NoCloud seed for cloud images: `meta-data` and `user-data` written as JSON (a
//! subset of YAML that cloud-init reads; serialized, never pasted), made into an ISO9660
//! image labelled `cidata` by xorriso on the workstation (an argv, no shell), and sent
//! into the VM's pool through the same upload stream as any volume.

use std::sync::Arc;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use vireo_core::{CloudInit, Error, NewVolume, Result, VolumeFormat};
use vireo_host::{Host, UploadChunk};

use crate::undo::Undo;

/// The seed's `meta-data`.
pub(crate) fn meta_data(vm: &str, ci: &CloudInit) -> Value {
    json!({ "instance-id": format!("vireo-{vm}"), "local-hostname": ci.hostname })
}

/// The seed's `user-data`: the user's own, or a `#cloud-config` with the user, the
/// password and the SSH key asked for.
pub(crate) fn user_data(ci: &CloudInit) -> String {
    if let Some(own) = &ci.user_data {
        return own.clone();
    }
    let mut config = serde_json::Map::new();
    config.insert("hostname".into(), json!(ci.hostname));
    if let Some(user) = &ci.user {
        let mut u = serde_json::Map::new();
        u.insert("name".into(), json!(user));
        u.insert("shell".into(), json!("/bin/bash"));
        u.insert("sudo".into(), json!("ALL=(ALL) NOPASSWD:ALL"));
        if let Some(key) = &ci.ssh_key {
            u.insert("ssh_authorized_keys".into(), json!([key.trim()]));
        }
        if let Some(pw) = &ci.password {
            u.insert("plain_text_passwd".into(), json!(pw));
            u.insert("lock_passwd".into(), json!(false));
        }
        config.insert("users".into(), json!([Value::Object(u)]));
        if ci.password.is_some() {
            config.insert("ssh_pwauth".into(), json!(true));
        }
    }
    format!("#cloud-config\n{}\n", Value::Object(config))
}

/// Builds the seed ISO and puts it in `pool` as `<vm>-cidata.iso`; returns its path.
pub(crate) async fn make_seed(host: &Host, pool: &str, vm: &str, ci: &CloudInit, undo: &mut Undo) -> Result<String> {
    let dir = tempfile::tempdir().map_err(|e| Error::Internal(format!("temporary directory: {e}")))?;
    let files = dir.path().join("files");
    std::fs::create_dir(&files).map_err(|e| Error::Internal(e.to_string()))?;
    std::fs::write(files.join("meta-data"), meta_data(vm, ci).to_string()).map_err(|e| Error::Internal(e.to_string()))?;
    std::fs::write(files.join("user-data"), user_data(ci)).map_err(|e| Error::Internal(e.to_string()))?;
    let iso = dir.path().join("seed.iso");
    let out = tokio::process::Command::new("xorriso")
        .args(["-as", "mkisofs", "-quiet", "-V", "cidata", "-J", "-r", "-o"])
        .arg(&iso)
        .arg(&files)
        .output()
        .await
        .map_err(|e| Error::invalid("cloud-init", format!("cannot run xorriso to build the seed ({e}); install the xorriso package")))?;
    if !out.status.success() {
        return Err(Error::Internal(format!("xorriso failed: {}", String::from_utf8_lossy(&out.stderr).trim())));
    }
    let size = std::fs::metadata(&iso).map_err(|e| Error::Internal(e.to_string()))?.len();
    let name = format!("{vm}-cidata.iso");
    let vol = NewVolume { name: name.clone(), capacity: size, format: VolumeFormat::Raw, backing: None };
    let disk = crate::vm_create::make_volume(host, pool, vol, undo).await?;
    let chunk = UploadChunk { file: iso, offset: 0, len: size, hasher: Sha256::new() };
    host.upload_chunk(pool, &name, chunk, Arc::new(|_| {}), Arc::default()).await?;
    Ok(disk.path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ci() -> CloudInit {
        CloudInit { hostname: "web-01".into(), user: Some("ada".into()), password: Some("p\"w: x".into()), ssh_key: None, user_data: None }
    }

    #[test]
    fn seed_files_are_serialized_not_pasted() {
        let m = meta_data("vm1", &ci());
        assert_eq!(m["local-hostname"], "web-01");
        let u = user_data(&ci());
        assert!(u.starts_with("#cloud-config\n"));
        let body: Value = serde_json::from_str(u.trim_start_matches("#cloud-config\n")).unwrap();
        assert_eq!(body["users"][0]["plain_text_passwd"], "p\"w: x");
        assert_eq!(body["ssh_pwauth"], true);
    }
}
