//! Storage volumes on a `Host`: list (with the VMs using each), create (blank or a
//! linked clone), resize, clone, delete. A volume a VM uses is never deleted.

use std::collections::BTreeMap;

use virt::connect::Connect;
use virt::storage_pool::StoragePool;
use virt::storage_vol::StorageVol;
use vireo_core::storage::{self, NewVolume};
use vireo_core::{Error, Result, VolumeSummary};

use crate::error::{message, raw_code};
use crate::host::Host;
use crate::pools::lookup_pool;
use crate::xml::{self, read};

const VIR_ERR_NO_STORAGE_VOL: i32 = 50;

/// Which VMs use which image (disk and CD-ROM sources, current and next-boot config),
/// and which volumes are linked clones over which.
#[derive(Debug, Clone, Default)]
pub struct VolumeUsers {
    by_path: BTreeMap<String, Vec<String>>,
}

impl VolumeUsers {
    /// The VMs (and linked clones) that use the image at `path`.
    pub fn of(&self, path: &str) -> Vec<String> {
        self.by_path.get(path).cloned().unwrap_or_default()
    }

    fn add(&mut self, path: String, user: String) {
        let users = self.by_path.entry(path).or_default();
        if !users.contains(&user) {
            users.push(user);
        }
    }
}

impl Host {
    /// Every image path a domain's disks or CD-ROMs point at, and every backing file of
    /// a volume in a running pool.
    pub async fn volume_users(&self) -> Result<VolumeUsers> {
        self.call(|conn| Ok(collect_users(conn))).await
    }

    pub async fn list_volumes(&self, pool: &str) -> Result<Vec<VolumeSummary>> {
        let (pool, uri) = (pool.to_owned(), self.uri().to_owned());
        self.call(move |conn| {
            let p = running_pool(conn, &uri, &pool)?;
            let _ = p.refresh(0);
            let users = collect_users(conn);
            let vols = p.list_all_volumes(0).map_err(|e| vol_error(&pool, "", "list the volumes of", &e))?;
            let mut out: Vec<VolumeSummary> = vols.iter().filter_map(|v| summary(&pool, v, &users).ok()).collect();
            out.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(out)
        })
        .await
    }

    pub async fn volume(&self, pool: &str, name: &str) -> Result<VolumeSummary> {
        let (pool, name, uri) = (pool.to_owned(), name.to_owned(), self.uri().to_owned());
        self.call(move |conn| {
            let p = running_pool(conn, &uri, &pool)?;
            let v = lookup_volume(&p, &uri, &pool, &name)?;
            summary(&pool, &v, &collect_users(conn)).map_err(|e| vol_error(&pool, &name, "read", &e))
        })
        .await
    }

    /// The volume at `path` on the host (any pool), if libvirt knows one there.
    pub async fn volume_at(&self, path: &str) -> Result<Option<VolumeSummary>> {
        let path = path.to_owned();
        self.call(move |conn| {
            let Ok(v) = conn.lookup_storage_vol_by_path(&path) else { return Ok(None) };
            let pool = v.lookup_storage_pool().and_then(|p| p.name()).unwrap_or_default();
            Ok(summary(&pool, &v, &VolumeUsers::default()).ok())
        })
        .await
    }

    /// A new volume; with `backing`, a qcow2 layer over that image (at least its size).
    pub async fn create_volume(&self, pool: &str, vol: NewVolume) -> Result<VolumeSummary> {
        let (pool, uri) = (pool.to_owned(), self.uri().to_owned());
        self.call(move |conn| {
            let p = running_pool(conn, &uri, &pool)?;
            if p.lookup_storage_vol_by_name(&vol.name).is_ok() {
                return Err(Error::AlreadyExists { kind: "volume", name: format!("{pool}/{}", vol.name), host: uri });
            }
            let mut vol = vol;
            let backing_format = match &vol.backing {
                Some(path) => {
                    let base = conn.lookup_storage_vol_by_path(path).map_err(|_| Error::NotFound {
                        kind: "volume at",
                        name: path.clone(),
                        host: uri.clone(),
                    })?;
                    let info = base.info().map_err(|e| vol_error(&pool, path, "read", &e))?;
                    vol.capacity = vol.capacity.max(info.capacity);
                    let base_xml = base.xml_desc(0).map_err(|e| vol_error(&pool, path, "read", &e))?;
                    // libvirt reports an ISO's format as `iso`; to QEMU that is raw.
                    Some(match read::attribute(&base_xml, "volume/target/format", "type").as_deref() {
                        Some("qcow2") => "qcow2".to_owned(),
                        _ => "raw".to_owned(),
                    })
                }
                None => None,
            };
            let xml = xml::volume_xml(&vol, backing_format.as_deref())?;
            let v = StorageVol::create_xml(&p, &xml, 0).map_err(|e| vol_error(&pool, &vol.name, "create", &e))?;
            summary(&pool, &v, &VolumeUsers::default()).map_err(|e| vol_error(&pool, &vol.name, "read", &e))
        })
        .await
    }

    /// A full copy of `source` (a volume's path, any pool) as `name` in `pool`: libvirt
    /// copies it on the host. Blocks for as long as the copy takes (run it as a task).
    pub async fn copy_volume(&self, source: &str, pool: &str, name: &str) -> Result<VolumeSummary> {
        storage::volume_name(name)?;
        let (source, pool, name, uri) = (source.to_owned(), pool.to_owned(), name.to_owned(), self.uri().to_owned());
        self.call(move |conn| {
            let p = running_pool(conn, &uri, &pool)?;
            if p.lookup_storage_vol_by_name(&name).is_ok() {
                return Err(Error::AlreadyExists { kind: "volume", name: format!("{pool}/{name}"), host: uri });
            }
            let src = conn
                .lookup_storage_vol_by_path(&source)
                .map_err(|_| Error::NotFound { kind: "volume at", name: source.clone(), host: uri.clone() })?;
            let info = src.info().map_err(|e| vol_error(&pool, &source, "read", &e))?;
            let src_xml = src.xml_desc(0).map_err(|e| vol_error(&pool, &source, "read", &e))?;
            let format = match read::attribute(&src_xml, "volume/target/format", "type").as_deref() {
                Some("qcow2") => vireo_core::VolumeFormat::Qcow2,
                _ => vireo_core::VolumeFormat::Raw,
            };
            let new = NewVolume { name: name.clone(), capacity: info.capacity, format, backing: None };
            let xml = xml::volume_xml(&new, None)?;
            let v = StorageVol::create_xml_from(&p, &xml, &src, 0).map_err(|e| vol_error(&pool, &name, "copy into", &e))?;
            summary(&pool, &v, &VolumeUsers::default()).map_err(|e| vol_error(&pool, &name, "read", &e))
        })
        .await
    }

    /// Grows a volume to `capacity` bytes (shrinking would cut a guest's file system).
    pub async fn resize_volume(&self, pool: &str, name: &str, capacity: u64) -> Result<()> {
        storage::volume_capacity("volume size", capacity)?;
        let (pool, name, uri) = (pool.to_owned(), name.to_owned(), self.uri().to_owned());
        self.call(move |conn| {
            let p = running_pool(conn, &uri, &pool)?;
            let v = lookup_volume(&p, &uri, &pool, &name)?;
            let info = v.info().map_err(|e| vol_error(&pool, &name, "read", &e))?;
            if capacity < info.capacity {
                return Err(Error::invalid(
                    "volume size",
                    format!("{capacity} bytes is below its {} bytes; volumes only grow (shrinking would cut the guest's data)", info.capacity),
                ));
            }
            v.resize(capacity, 0).map_err(|e| vol_error(&pool, &name, "resize", &e))
        })
        .await
    }

    /// Deletes a volume; refused, naming them, while VMs or linked clones use it.
    pub async fn delete_volume(&self, pool: &str, name: &str) -> Result<()> {
        let (pool, name, uri) = (pool.to_owned(), name.to_owned(), self.uri().to_owned());
        self.call(move |conn| {
            let p = running_pool(conn, &uri, &pool)?;
            let v = lookup_volume(&p, &uri, &pool, &name)?;
            let path = v.path().map_err(|e| vol_error(&pool, &name, "read", &e))?;
            let users = collect_users(conn).of(&path);
            if !users.is_empty() {
                return Err(Error::InUse { kind: "volume", name: format!("{pool}/{name}"), users });
            }
            v.delete(0).map_err(|e| vol_error(&pool, &name, "delete", &e))
        })
        .await
    }

    /// Deletes the volume at `path` whoever uses it (undoing what a failed task made).
    pub async fn delete_volume_at(&self, path: &str) -> Result<()> {
        let path = path.to_owned();
        self.call(move |conn| match conn.lookup_storage_vol_by_path(&path) {
            Ok(v) => v.delete(0).map_err(|e| vol_error("", &path, "delete", &e)),
            Err(e) if raw_code(&e) == VIR_ERR_NO_STORAGE_VOL => Ok(()),
            Err(e) => Err(vol_error("", &path, "find", &e)),
        })
        .await
    }
}

pub(crate) fn running_pool(conn: &Connect, uri: &str, pool: &str) -> Result<StoragePool> {
    let p = lookup_pool(conn, uri, pool)?;
    if !p.is_active().unwrap_or(false) {
        return Err(Error::InvalidState { action: "use".into(), name: format!("storage pool {pool}"), state: "stopped".into() });
    }
    Ok(p)
}

pub(crate) fn lookup_volume(p: &StoragePool, uri: &str, pool: &str, name: &str) -> Result<StorageVol> {
    p.lookup_storage_vol_by_name(name).map_err(|e| match raw_code(&e) {
        VIR_ERR_NO_STORAGE_VOL => Error::NotFound { kind: "volume", name: format!("{pool}/{name}"), host: uri.to_owned() },
        _ => vol_error(pool, name, "find", &e),
    })
}

pub(crate) fn vol_error(pool: &str, name: &str, action: &str, e: &virt::error::Error) -> Error {
    let what = if pool.is_empty() { name.to_owned() } else { format!("{pool}/{name}") };
    Error::Libvirt { action: format!("{action} volume '{what}'"), message: message(e) }
}

fn summary(pool: &str, v: &StorageVol, users: &VolumeUsers) -> Result<VolumeSummary, virt::error::Error> {
    let info = v.info()?;
    let xml = v.xml_desc(0)?;
    let path = v.path()?;
    Ok(VolumeSummary {
        pool: pool.to_owned(),
        name: v.name()?,
        format: read::attribute(&xml, "volume/target/format", "type"),
        capacity: info.capacity,
        allocation: info.allocation,
        backing: read::text(&xml, "volume/backingStore/path"),
        sha256: None,
        used_by: users.of(&path),
        path,
    })
}

fn collect_users(conn: &Connect) -> VolumeUsers {
    let mut users = VolumeUsers::default();
    for dom in conn.list_all_domains(0).unwrap_or_default() {
        let name = dom.name().unwrap_or_default();
        let mut xmls: Vec<String> = dom.xml_desc(0).into_iter().collect();
        if dom.is_active().unwrap_or(false) {
            xmls.extend(dom.xml_desc(virt::sys::VIR_DOMAIN_XML_INACTIVE));
        }
        for xml in &xmls {
            for disk in read::elements(xml, "domain/devices/disk/source") {
                if let Some(path) = disk.attr("file").or(disk.attr("dev")) {
                    users.add(path.to_owned(), name.clone());
                }
            }
        }
    }
    for pool in conn.list_all_storage_pools(virt::sys::VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE).unwrap_or_default() {
        for v in pool.list_all_volumes(0).unwrap_or_default() {
            let Ok(xml) = v.xml_desc(0) else { continue };
            if let Some(backing) = read::text(&xml, "volume/backingStore/path") {
                let clone = v.name().unwrap_or_default();
                users.add(backing, format!("linked clone {clone}"));
            }
        }
    }
    users
}
