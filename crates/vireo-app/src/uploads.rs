//! Uploads from the workstation into a volume, as tasks: progress and speed, cancel,
//! resume from the last chunk the host confirmed (kept in the database), SHA-256 from
//! the bytes sent, checked against a value the user gives. A cancelled upload or a
//! checksum that does not match removes the volume; an interrupted one keeps it to
//! resume.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};
use vireo_core::storage::{self, NewVolume};
use vireo_core::{Error, ProgressUnit, Result, TaskKind, TaskStep, TaskSummary, VolumeFormat};
use vireo_host::{Host, UploadChunk};
use vireo_store::{Store, UploadRecord};

use crate::tasks::TaskCtx;
use crate::{blocking, Vireo};

/// Bytes per stream: each chunk's end is confirmed by libvirt and saved, so at most one
/// chunk is sent again after an interruption.
pub const CHUNK: u64 = 256 << 20;

/// What to upload where.
#[derive(Debug, Clone)]
pub struct UploadRequest {
    pub pool: String,
    pub file: PathBuf,
    /// The volume's name; the file's name when `None`.
    pub name: Option<String>,
    /// The SHA-256 the file must have (hex).
    pub expected_sha256: Option<String>,
}

impl Vireo {
    /// Starts an upload (or resumes the one under way to the same volume from the same
    /// file) and returns its task. Bad input is refused here, before anything is made.
    pub async fn upload_volume(&self, host_id: &str, req: UploadRequest) -> Result<TaskSummary> {
        let host = self.host(host_id)?;
        let name = match &req.name {
            Some(n) => n.clone(),
            None => req.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        };
        storage::volume_name(&name)?;
        let expected = req.expected_sha256.as_deref().map(storage::sha256_hex).transpose()?;
        let (size, mtime_ns) = local_file(&req.file)?;
        let source = std::fs::canonicalize(&req.file).unwrap_or(req.file.clone()).display().to_string();
        let pool = host.pool(&req.pool).await?;
        if pool.available < size && pool.kind != "netfs" {
            return Err(Error::BeyondHost {
                what: "the space",
                reason: format!("{} needs {size} bytes; pool {} has {} free", name, pool.name, pool.available),
            });
        }
        let (store, id, p, n) = (self.store.clone(), host_id.to_owned(), req.pool.clone(), name.clone());
        let record = blocking(move || store.upload(&id, &p, &n).map_err(Error::from)).await?;
        let existing = host.list_volumes(&req.pool).await?.into_iter().find(|v| v.name == name);
        let resume_from = match (&existing, &record) {
            (Some(_), Some(r)) if r.source == source && r.size == size && r.mtime_ns == mtime_ns => Some(r.confirmed),
            (Some(_), _) => {
                return Err(Error::AlreadyExists { kind: "volume", name: format!("{}/{name}", req.pool), host: self.host_name(host_id) })
            }
            (None, _) => None,
        };
        let job = Upload {
            host: host.clone(),
            store: self.store.clone(),
            host_id: host_id.to_owned(),
            pool: req.pool.clone(),
            name: name.clone(),
            file: req.file.clone(),
            source,
            size,
            mtime_ns,
            expected,
            resume_from,
        };
        Ok(self.tasks.spawn(host_id, self.host_name(host_id), TaskKind::UploadVolume, format!("{}/{name}", req.pool), move |ctx| job.run(ctx)))
    }
}

fn local_file(path: &Path) -> Result<(u64, i64)> {
    let meta = std::fs::metadata(path).map_err(|e| Error::invalid("file", format!("{}: {e}", path.display())))?;
    if !meta.is_file() {
        return Err(Error::invalid("file", format!("{} is not a regular file", path.display())));
    }
    if meta.len() == 0 {
        return Err(Error::invalid("file", format!("{} is empty", path.display())));
    }
    Ok((meta.len(), meta.mtime() * 1_000_000_000 + meta.mtime_nsec()))
}

struct Upload {
    host: Host,
    store: Arc<Store>,
    host_id: String,
    pool: String,
    name: String,
    file: PathBuf,
    source: String,
    size: u64,
    mtime_ns: i64,
    expected: Option<String>,
    resume_from: Option<u64>,
}

impl Upload {
    async fn run(self, ctx: TaskCtx) -> Result<Option<String>> {
        ctx.set_cancellable(true);
        let outcome = self.send(&ctx).await;
        match &outcome {
            // Interrupted: the volume and its record stay, to resume from.
            Err(Error::Interrupted { .. }) => {}
            Err(_) => self.discard().await,
            Ok(_) => {}
        }
        outcome.map(Some)
    }

    async fn send(&self, ctx: &TaskCtx) -> Result<String> {
        let mut confirmed = match self.resume_from {
            Some(at) => at,
            None => {
                ctx.step(TaskStep::CreatingDisk);
                let vol = NewVolume { name: self.name.clone(), capacity: self.size, format: VolumeFormat::Raw, backing: None };
                self.host.create_volume(&self.pool, vol).await?;
                self.save(0).await?;
                0
            }
        };
        // The hash of what the host already has, from the local file (no round trip).
        let mut hasher = Sha256::new();
        if confirmed > 0 {
            ctx.step(TaskStep::Verifying);
            ctx.measure(ProgressUnit::Bytes, Some(confirmed));
            hasher = hash_prefix(self.file.clone(), confirmed, ctx.clone()).await?;
        }
        ctx.step(TaskStep::Uploading);
        ctx.measure(ProgressUnit::Bytes, Some(self.size));
        ctx.progress(confirmed);
        while confirmed < self.size {
            ctx.check_cancel("the upload")?;
            let len = CHUNK.min(self.size - confirmed);
            let base = confirmed;
            let progress_ctx = ctx.clone();
            let chunk = UploadChunk { file: self.file.clone(), offset: confirmed, len, hasher };
            let progress = Arc::new(move |sent: u64| progress_ctx.progress(base + sent));
            hasher = match self.host.upload_chunk(&self.pool, &self.name, chunk, progress, ctx.cancel_flag()).await {
                Ok(h) => h,
                Err(e @ (Error::Cancelled { .. } | Error::InvalidInput { .. })) => return Err(e),
                Err(e) => {
                    return Err(Error::Interrupted {
                        what: format!("the upload of {} to {}/{}", self.file.display(), self.pool, self.name),
                        done: confirmed,
                        total: self.size,
                        reason: e.to_string(),
                    })
                }
            };
            confirmed += len;
            self.save(confirmed).await?;
        }
        ctx.set_cancellable(false);
        let actual = hex(&hasher.finalize());
        if let Some(expected) = &self.expected {
            if *expected != actual {
                return Err(Error::ChecksumMismatch { name: self.name.clone(), expected: expected.clone(), actual });
            }
        }
        let path = self.host.volume(&self.pool, &self.name).await?.path;
        let (store, id, pool, name, sha, size) =
            (self.store.clone(), self.host_id.clone(), self.pool.clone(), self.name.clone(), actual.clone(), self.size);
        blocking(move || {
            store.set_checksum(&id, &path, &sha, size)?;
            store.forget_upload(&id, &pool, &name)?;
            Ok(())
        })
        .await?;
        Ok(actual)
    }

    async fn save(&self, confirmed: u64) -> Result<()> {
        let record = UploadRecord {
            host_id: self.host_id.clone(),
            pool: self.pool.clone(),
            volume: self.name.clone(),
            source: self.source.clone(),
            size: self.size,
            mtime_ns: self.mtime_ns,
            confirmed,
        };
        let store = self.store.clone();
        blocking(move || store.save_upload(&record).map_err(Error::from)).await
    }

    /// Removes the volume and its record (cancelled, or not the file it should be).
    async fn discard(&self) {
        if let Ok(v) = self.host.volume(&self.pool, &self.name).await {
            let _ = self.host.delete_volume_at(&v.path).await;
        }
        let (store, id, pool, name) = (self.store.clone(), self.host_id.clone(), self.pool.clone(), self.name.clone());
        let _ = blocking(move || store.forget_upload(&id, &pool, &name).map_err(Error::from)).await;
    }
}

async fn hash_prefix(file: PathBuf, len: u64, ctx: TaskCtx) -> Result<Sha256> {
    blocking(move || {
        use std::io::Read;
        let mut f = std::fs::File::open(&file).map_err(|e| Error::invalid("file", format!("{}: {e}", file.display())))?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut done = 0u64;
        while done < len {
            let want = (len - done).min(buf.len() as u64) as usize;
            let n = f.read(&mut buf[..want]).map_err(|e| Error::invalid("file", format!("{}: {e}", file.display())))?;
            if n == 0 {
                return Err(Error::invalid("file", format!("{} is shorter than when the upload started", file.display())));
            }
            hasher.update(&buf[..n]);
            done += n as u64;
            ctx.progress(done);
        }
        Ok(hasher)
    })
    .await
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
