//! Sending a workstation file into a volume through libvirt's storage-volume upload
//! stream: the same RPC stream locally and over the host's SSH session. The file goes in
//! chunks, each its own stream that `finish` confirms (libvirt has written it), so an
//! interrupted upload resumes at the last confirmed chunk; the SHA-256 is computed from
//! the bytes as they are sent.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use sha2::{Digest, Sha256};
use virt::stream::Stream;
use vireo_core::{Error, Result};

use crate::host::Host;
use crate::volumes::{lookup_volume, running_pool, vol_error};

/// Largest buffer handed to `virStreamSend`: libvirt's RPC carries at most 256 KiB of
/// stream data per message.
const SEND_BUF: usize = 256 * 1024 - 1024;

/// One stretch of the file, sent as one stream.
pub struct UploadChunk {
    pub file: PathBuf,
    pub offset: u64,
    pub len: u64,
    /// The hash of the file's bytes before `offset`, continued with this chunk's.
    pub hasher: Sha256,
}

/// Called from the sending thread with the bytes of this chunk sent so far.
pub type UploadProgress = Arc<dyn Fn(u64) + Send + Sync>;

impl Host {
    /// Sends `chunk.len` bytes of the file from `chunk.offset` into the volume at the
    /// same offset, and returns the hash continued over them once libvirt confirmed
    /// them. `cancel` is checked between sends; a cancelled chunk is aborted.
    pub async fn upload_chunk(
        &self,
        pool: &str,
        volume: &str,
        chunk: UploadChunk,
        progress: UploadProgress,
        cancel: Arc<AtomicBool>,
    ) -> Result<Sha256> {
        let (pool, volume, uri) = (pool.to_owned(), volume.to_owned(), self.uri().to_owned());
        self.call(move |conn| {
            let p = running_pool(conn, &uri, &pool)?;
            let v = lookup_volume(&p, &uri, &pool, &volume)?;
            let UploadChunk { file, offset, len, mut hasher } = chunk;
            let mut f = File::open(&file).map_err(|e| local_error(&file, &e))?;
            f.seek(SeekFrom::Start(offset)).map_err(|e| local_error(&file, &e))?;
            let stream = Stream::new(conn, 0).map_err(|e| vol_error(&pool, &volume, "open an upload stream to", &e))?;
            v.upload(&stream, offset, len, 0).map_err(|e| vol_error(&pool, &volume, "upload to", &e))?;
            let mut buf = vec![0u8; SEND_BUF];
            let mut sent = 0u64;
            while sent < len {
                if cancel.load(Ordering::Relaxed) {
                    let _ = stream.abort();
                    return Err(Error::Cancelled { what: format!("the upload to {pool}/{volume}") });
                }
                let want = (len - sent).min(buf.len() as u64) as usize;
                let n = match f.read(&mut buf[..want]) {
                    Ok(0) => {
                        let _ = stream.abort();
                        return Err(Error::invalid("file", format!("{} ended at {} bytes; it changed while uploading", file.display(), offset + sent)));
                    }
                    Ok(n) => n,
                    Err(e) => {
                        let _ = stream.abort();
                        return Err(local_error(&file, &e));
                    }
                };
                hasher.update(&buf[..n]);
                let mut at = 0;
                while at < n {
                    match stream.send(&buf[at..n]) {
                        Ok(k) if k > 0 => at += k as usize,
                        Ok(_) => {}
                        Err(e) => {
                            let _ = stream.abort();
                            return Err(vol_error(&pool, &volume, "upload to", &e));
                        }
                    }
                }
                sent += n as u64;
                progress(sent);
            }
            stream.finish().map_err(|e| vol_error(&pool, &volume, "finish the upload to", &e))?;
            Ok(hasher)
        })
        .await
    }
}

fn local_error(path: &std::path::Path, e: &std::io::Error) -> Error {
    Error::invalid("file", format!("cannot read {}: {e}", path.display()))
}
