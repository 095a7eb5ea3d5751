//! Schema history. Append new migrations; never edit one that has shipped.

use rusqlite_migration::{Migrations, M};

pub(crate) fn migrations() -> Migrations<'static> {
    Migrations::new(vec![M::up(
        "CREATE TABLE hosts (
             id         INTEGER PRIMARY KEY,
             name       TEXT NOT NULL UNIQUE,
             uri        TEXT NOT NULL,
             kind       TEXT NOT NULL CHECK (kind IN ('local', 'remote', 'demo')),
             accel      TEXT NOT NULL DEFAULT 'auto' CHECK (accel IN ('auto', 'kvm', 'qemu')),
             created_at INTEGER NOT NULL
         );
         CREATE TABLE history (
             id        INTEGER PRIMARY KEY,
             at_ms     INTEGER NOT NULL,
             actor     TEXT NOT NULL,
             host      TEXT NOT NULL,
             action    TEXT NOT NULL,
             target    TEXT NOT NULL,
             outcome   TEXT NOT NULL CHECK (outcome IN ('ok', 'failed')),
             detail    TEXT
         );
         CREATE INDEX history_at ON history (at_ms DESC);
         CREATE TABLE settings (
             key   TEXT PRIMARY KEY,
             value TEXT NOT NULL
         );",
    )])
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
    }
}
