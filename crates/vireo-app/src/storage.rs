//! Storage pools and volumes, through the host's session, each change recorded.

use vireo_core::{Error, NewPool, NewVolume, PoolSummary, Result, VolumeSummary};
use vireo_host::PoolAction;

use crate::{blocking, Vireo};

impl Vireo {
    pub async fn list_pools(&self, host_id: &str) -> Result<Vec<PoolSummary>> {
        self.host(host_id)?.list_pools().await
    }

    pub async fn create_pool(&self, host_id: &str, pool: NewPool) -> Result<PoolSummary> {
        let name = pool.name.clone();
        let result = self.host(host_id)?.create_pool(pool).await;
        self.record(self.host_name(host_id), "create_pool", name, &result).await;
        result
    }

    pub async fn pool_action(&self, host_id: &str, name: &str, action: PoolAction) -> Result<()> {
        let result = self.host(host_id)?.pool_action(name, action).await;
        let label = match action {
            PoolAction::Start => "start_pool",
            PoolAction::Stop => "stop_pool",
            PoolAction::Refresh => "refresh_pool",
            PoolAction::Autostart(true) => "autostart_pool",
            PoolAction::Autostart(false) => "no_autostart_pool",
        };
        self.record(self.host_name(host_id), label, name.to_owned(), &result).await;
        result
    }

    pub async fn delete_pool(&self, host_id: &str, name: &str, delete_contents: bool) -> Result<()> {
        let result = self.host(host_id)?.delete_pool(name, delete_contents).await;
        let action = if delete_contents { "delete_pool_and_volumes" } else { "delete_pool" };
        self.record(self.host_name(host_id), action, name.to_owned(), &result).await;
        result
    }

    /// The pool's volumes, each with the VMs using it and the SHA-256 Vireo checked.
    pub async fn list_volumes(&self, host_id: &str, pool: &str) -> Result<Vec<VolumeSummary>> {
        let vols = self.host(host_id)?.list_volumes(pool).await?;
        self.with_checksums(host_id, vols).await
    }

    pub(crate) async fn with_checksums(&self, host_id: &str, mut vols: Vec<VolumeSummary>) -> Result<Vec<VolumeSummary>> {
        let (store, id) = (self.store.clone(), host_id.to_owned());
        blocking(move || {
            for v in &mut vols {
                v.sha256 = store.checksum(&id, &v.path, v.capacity)?;
            }
            Ok(vols)
        })
        .await
    }

    pub async fn create_volume(&self, host_id: &str, pool: &str, vol: NewVolume) -> Result<VolumeSummary> {
        let target = format!("{pool}/{}", vol.name);
        let result = self.host(host_id)?.create_volume(pool, vol).await;
        self.record(self.host_name(host_id), "create_volume", target, &result).await;
        result
    }

    pub async fn resize_volume(&self, host_id: &str, pool: &str, name: &str, capacity: u64) -> Result<()> {
        let result = self.host(host_id)?.resize_volume(pool, name, capacity).await;
        self.record(self.host_name(host_id), "resize_volume", format!("{pool}/{name}"), &result).await;
        result
    }

    pub async fn delete_volume(&self, host_id: &str, pool: &str, name: &str) -> Result<()> {
        let host = self.host(host_id)?;
        let path = host.volume(pool, name).await.map(|v| v.path);
        let result = host.delete_volume(pool, name).await;
        if let (Ok(()), Ok(path)) = (&result, path) {
            let (store, id) = (self.store.clone(), host_id.to_owned());
            let _ = blocking(move || store.forget_checksum(&id, &path).map_err(Error::from)).await;
        }
        self.record(self.host_name(host_id), "delete_volume", format!("{pool}/{name}"), &result).await;
        result
    }
}
