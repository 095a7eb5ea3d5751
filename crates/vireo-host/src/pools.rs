//! Storage pools on a `Host`: list, create (define, build, start, autostart), start,
//! stop, refresh, autostart, delete.

use virt::connect::Connect;
use virt::storage_pool::StoragePool;
use vireo_core::{Error, NewPool, PoolState, PoolSummary, Result};

use crate::error::{host_error, message, raw_code};
use crate::host::Host;
use crate::xml::{self, read};

const VIR_ERR_NO_STORAGE_POOL: i32 = 49;

pub use vireo_core::PoolAction;

impl Host {
    pub async fn list_pools(&self) -> Result<Vec<PoolSummary>> {
        self.call(|conn| {
            let pools = conn.list_all_storage_pools(0).map_err(|e| host_error("list storage pools", &e))?;
            let mut out: Vec<PoolSummary> = pools.iter().filter_map(|p| summary(p).ok()).collect();
            out.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(out)
        })
        .await
    }

    pub async fn pool(&self, name: &str) -> Result<PoolSummary> {
        let (name, uri) = (name.to_owned(), self.uri().to_owned());
        self.call(move |conn| summary(&lookup_pool(conn, &uri, &name)?).map_err(|e| pool_error(&name, "read", &e))).await
    }

    /// Defines the pool, builds it (makes its directory or mount point), starts it and
    /// sets autostart as asked. A step that fails undoes the ones before: no half-made
    /// pool stays defined.
    pub async fn create_pool(&self, pool: NewPool) -> Result<PoolSummary> {
        let xml = xml::pool_xml(&pool)?;
        let uri = self.uri().to_owned();
        self.call(move |conn| {
            if conn.lookup_storage_pool_by_name(&pool.name).is_ok() {
                return Err(Error::AlreadyExists { kind: "storage pool", name: pool.name.clone(), host: uri });
            }
            let p = conn.define_storage_pool_xml(&xml, 0).map_err(|e| pool_error(&pool.name, "define", &e))?;
            let made = (|| {
                // Logical pools use an existing volume group; building would format disks.
                if !matches!(pool.target, vireo_core::NewPoolKind::Logical { .. }) {
                    p.build(0).map_err(|e| pool_error(&pool.name, "build", &e))?;
                }
                p.create(0).map_err(|e| pool_error(&pool.name, "start", &e))?;
                p.set_autostart(pool.autostart).map_err(|e| pool_error(&pool.name, "set autostart of", &e))?;
                summary(&p).map_err(|e| pool_error(&pool.name, "read", &e))
            })();
            if made.is_err() {
                let _ = p.destroy();
                let _ = p.undefine();
            }
            made
        })
        .await
    }

    pub async fn pool_action(&self, name: &str, action: PoolAction) -> Result<()> {
        let (name, uri) = (name.to_owned(), self.uri().to_owned());
        self.call(move |conn| {
            let p = lookup_pool(conn, &uri, &name)?;
            let active = p.is_active().unwrap_or(false);
            match action {
                PoolAction::Start if active => Ok(()),
                PoolAction::Start => p.create(0).map_err(|e| pool_error(&name, "start", &e)),
                PoolAction::Stop if !active => Ok(()),
                PoolAction::Stop => p.destroy().map_err(|e| pool_error(&name, "stop", &e)),
                PoolAction::Refresh if !active => {
                    Err(Error::InvalidState { action: "refresh".into(), name, state: "stopped".into() })
                }
                PoolAction::Refresh => p.refresh(0).map_err(|e| pool_error(&name, "refresh", &e)),
                PoolAction::Autostart(on) => p.set_autostart(on).map_err(|e| pool_error(&name, "set autostart of", &e)),
            }
        })
        .await
    }

    /// Stops and forgets a pool. With `delete_contents`, its volumes and its directory
    /// go too; a pool whose volumes a VM uses is refused, naming the VMs.
    pub async fn delete_pool(&self, name: &str, delete_contents: bool) -> Result<()> {
        let users = self.volume_users().await?;
        let (name, uri) = (name.to_owned(), self.uri().to_owned());
        self.call(move |conn| {
            let p = lookup_pool(conn, &uri, &name)?;
            let mut active = p.is_active().unwrap_or(false);
            if delete_contents {
                if !active {
                    p.create(0).map_err(|e| pool_error(&name, "start", &e))?;
                    active = true;
                }
                let _ = p.refresh(0);
                let vols = p.list_all_volumes(0).map_err(|e| pool_error(&name, "list the volumes of", &e))?;
                let mut in_use: Vec<String> = vols
                    .iter()
                    .filter_map(|v| v.path().ok())
                    .flat_map(|path| users.of(&path))
                    .collect();
                in_use.sort();
                in_use.dedup();
                if !in_use.is_empty() {
                    return Err(Error::InUse { kind: "storage pool", name, users: in_use });
                }
                for v in &vols {
                    v.delete(0).map_err(|e| pool_error(&name, "delete a volume of", &e))?;
                }
            }
            if active {
                p.destroy().map_err(|e| pool_error(&name, "stop", &e))?;
            }
            if delete_contents {
                p.delete(0).map_err(|e| pool_error(&name, "delete the directory of", &e))?;
            }
            p.undefine().map_err(|e| pool_error(&name, "forget", &e))
        })
        .await
    }
}

pub(crate) fn lookup_pool(conn: &Connect, uri: &str, name: &str) -> Result<StoragePool> {
    conn.lookup_storage_pool_by_name(name).map_err(|e| match raw_code(&e) {
        VIR_ERR_NO_STORAGE_POOL => Error::NotFound { kind: "storage pool", name: name.to_owned(), host: uri.to_owned() },
        _ => pool_error(name, "find", &e),
    })
}

pub(crate) fn pool_error(name: &str, action: &str, e: &virt::error::Error) -> Error {
    Error::Libvirt { action: format!("{action} storage pool '{name}'"), message: message(e) }
}

fn summary(p: &StoragePool) -> Result<PoolSummary, virt::error::Error> {
    let info = p.info()?;
    let xml = p.xml_desc(0)?;
    let state = PoolState::from_libvirt(info.state);
    Ok(PoolSummary {
        name: p.name()?,
        uuid: p.uuid_string()?,
        kind: read::attribute(&xml, "pool", "type").unwrap_or_default(),
        state,
        autostart: p.autostart().unwrap_or(false),
        path: read::text(&xml, "pool/target/path"),
        capacity: info.capacity,
        allocation: info.allocation,
        available: info.available,
        volumes: if state == PoolState::Running { p.num_of_volumes().unwrap_or(0) } else { 0 },
    })
}
