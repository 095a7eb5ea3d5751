//! Each host's ISO library: a directory pool (`vireo-isos`) made on first use at the
//! host's ISO directory (a host setting), its volumes listed with size and checksum,
//! uploads into it, and deletes refused while a VM uses the ISO.

use vireo_core::storage;
use vireo_core::{Error, NewPool, NewPoolKind, PoolState, Result, TaskSummary, VolumeSummary};
use vireo_host::PoolAction;

use crate::uploads::UploadRequest;
use crate::{blocking, Vireo};

/// The library's pool name on every host.
pub const ISO_POOL: &str = "vireo-isos";
/// Where the library lives on a host that has no ISO directory set.
pub const DEFAULT_ISO_DIR: &str = "/var/lib/libvirt/images/vireo-isos";

impl Vireo {
    /// The host's ISO directory (its setting, or the default).
    pub async fn iso_dir(&self, host_id: &str) -> Result<String> {
        let (store, id) = (self.store.clone(), host_id.to_owned());
        let set = blocking(move || store.iso_dir(&id).map_err(Error::from)).await?;
        Ok(set.unwrap_or_else(|| DEFAULT_ISO_DIR.to_owned()))
    }

    /// Sets where the host's ISO library is made. A library already made elsewhere moves
    /// only while it holds no ISO (its pool is forgotten here and made again at `dir` on
    /// next use); one holding ISOs is refused, naming how many, so nothing is lost.
    pub async fn set_iso_dir(&self, host_id: &str, dir: &str) -> Result<()> {
        storage::host_path("ISO directory", dir)?;
        let host = self.host(host_id)?;
        let result = async {
            if let Ok(pool) = host.pool(ISO_POOL).await {
                if pool.path.as_deref() != Some(dir) {
                    let held = if pool.state == PoolState::Running { host.list_volumes(ISO_POOL).await?.len() } else { pool.volumes as usize };
                    if held > 0 {
                        return Err(Error::InvalidState {
                            action: "move".into(),
                            name: format!("the ISO library ({})", pool.path.unwrap_or_default()),
                            state: format!("holding {held} ISO(s); delete them first, or keep the library where it is"),
                        });
                    }
                    host.delete_pool(ISO_POOL, false).await?;
                }
            }
            let (store, id, d) = (self.store.clone(), host_id.to_owned(), dir.to_owned());
            blocking(move || store.set_iso_dir(&id, Some(&d)).map_err(Error::from)).await
        }
        .await;
        self.record(self.host_name(host_id), "set_iso_dir", dir.to_owned(), &result).await;
        result
    }

    /// The library's pool, made (and started) if it is not there yet.
    pub async fn iso_pool(&self, host_id: &str) -> Result<String> {
        let host = self.host(host_id)?;
        match host.pool(ISO_POOL).await {
            Ok(p) if p.state == PoolState::Running => Ok(ISO_POOL.to_owned()),
            Ok(_) => host.pool_action(ISO_POOL, PoolAction::Start).await.map(|_| ISO_POOL.to_owned()),
            Err(Error::NotFound { .. }) => {
                let path = self.iso_dir(host_id).await?;
                let pool = NewPool { name: ISO_POOL.into(), target: NewPoolKind::Dir { path }, autostart: true };
                self.create_pool(host_id, pool).await.map(|_| ISO_POOL.to_owned())
            }
            Err(e) => Err(e),
        }
    }

    pub async fn list_isos(&self, host_id: &str) -> Result<Vec<VolumeSummary>> {
        let pool = self.iso_pool(host_id).await?;
        self.list_volumes(host_id, &pool).await
    }

    pub async fn upload_iso(&self, host_id: &str, mut req: UploadRequest) -> Result<TaskSummary> {
        req.pool = self.iso_pool(host_id).await?;
        self.upload_volume(host_id, req).await
    }

    /// Deletes an ISO; refused, naming them, while VMs have it in a drive.
    pub async fn delete_iso(&self, host_id: &str, name: &str) -> Result<()> {
        let pool = self.iso_pool(host_id).await?;
        self.delete_volume(host_id, &pool, name).await
    }
}
