//! Vireo's saved state in SQLite: hosts, history, settings, IP pools. WAL mode, versioned
//! migrations, every write in a transaction.

mod history;
mod hosts;
mod ip_pools;
mod migrations;
mod storage;

use std::path::Path;
use std::sync::Mutex;

use rusqlite::Connection;

pub use history::{NewHistory, Outcome};
pub use hosts::{SavedHost, SavedHostKey};
pub use ip_pools::{holder_text, IpPoolRecord};
pub use storage::{PendingCleanup, UploadRecord};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database at {path}: {source}")]
    Open { path: String, source: rusqlite::Error },
    #[error("cannot upgrade the database schema: {0}")]
    Migrate(#[from] rusqlite_migration::Error),
    #[error("a host named '{0}' already exists; pick another name")]
    DuplicateHost(String),
    #[error("no saved host with id '{0}'")]
    NoSuchHost(String),
    #[error(transparent)]
    Invalid(#[from] vireo_core::Error),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
}

impl From<StoreError> for vireo_core::Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NoSuchHost(id) => vireo_core::Error::HostNotFound(id),
            StoreError::DuplicateHost(_) => vireo_core::Error::invalid("host name", e.to_string()),
            StoreError::Invalid(inner) => inner,
            other => vireo_core::Error::Store(other.to_string()),
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Milliseconds since the Unix epoch, as the tables keep times.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_millis() as i64
}

pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let conn = Connection::open(path)
            .map_err(|source| StoreError::Open { path: path.display().to_string(), source })?;
        Self::init(conn)
    }

    pub fn open_in_memory() -> Result<Store> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> Result<Store> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrations::migrations().to_latest(&mut conn)?;
        Ok(Store { conn: Mutex::new(conn) })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut conn)
    }
}
