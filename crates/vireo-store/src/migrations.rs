//! Schema history. Append new migrations; never edit one that has shipped.

use rusqlite_migration::{Migrations, M};

pub(crate) fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        // 1: the skeleton.
        M::up(
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
        ),
        // 2: SSH hosts (where and how to sign in; never a secret) and the host keys the
        // user accepted. SQLite cannot change a CHECK, so `hosts` is rebuilt.
        M::up(
            "CREATE TABLE hosts_v2 (
                 id            INTEGER PRIMARY KEY,
                 name          TEXT NOT NULL UNIQUE,
                 uri           TEXT NOT NULL,
                 kind          TEXT NOT NULL CHECK (kind IN ('local', 'remote', 'ssh', 'demo')),
                 accel         TEXT NOT NULL DEFAULT 'auto' CHECK (accel IN ('auto', 'kvm', 'qemu')),
                 created_at    INTEGER NOT NULL,
                 ssh_user      TEXT,
                 ssh_host      TEXT,
                 ssh_port      INTEGER CHECK (ssh_port BETWEEN 1 AND 65535),
                 ssh_auth      TEXT CHECK (ssh_auth IN ('agent', 'key', 'password')),
                 ssh_key_path  TEXT,
                 ssh_read_only INTEGER NOT NULL DEFAULT 0,
                 CHECK ((kind = 'ssh') = (ssh_host IS NOT NULL))
             );
             INSERT INTO hosts_v2 (id, name, uri, kind, accel, created_at)
                 SELECT id, name, uri, kind, accel, created_at FROM hosts;
             DROP TABLE hosts;
             ALTER TABLE hosts_v2 RENAME TO hosts;
             CREATE TABLE host_keys (
                 host        TEXT NOT NULL,
                 port        INTEGER NOT NULL,
                 key_type    TEXT NOT NULL,
                 fingerprint TEXT NOT NULL,
                 accepted_at INTEGER NOT NULL,
                 PRIMARY KEY (host, port, key_type)
             );",
        ),
        // 3: storage. Uploads in progress (how far the host confirmed, to resume from),
        // the SHA-256 of what Vireo uploaded and checked, things a failed task made that
        // could not be removed yet (the host was gone), and each host's ISO directory.
        M::up(
            "CREATE TABLE uploads (
                 host_id     TEXT NOT NULL,
                 pool        TEXT NOT NULL,
                 volume      TEXT NOT NULL,
                 source      TEXT NOT NULL,
                 size        INTEGER NOT NULL,
                 mtime_ns    INTEGER NOT NULL,
                 confirmed   INTEGER NOT NULL,
                 started_ms  INTEGER NOT NULL,
                 PRIMARY KEY (host_id, pool, volume)
             );
             CREATE TABLE volume_checksums (
                 host_id    TEXT NOT NULL,
                 path       TEXT NOT NULL,
                 sha256     TEXT NOT NULL,
                 size       INTEGER NOT NULL,
                 checked_ms INTEGER NOT NULL,
                 PRIMARY KEY (host_id, path)
             );
             CREATE TABLE pending_cleanup (
                 id         INTEGER PRIMARY KEY,
                 host_id    TEXT NOT NULL,
                 kind       TEXT NOT NULL CHECK (kind IN ('volume', 'domain')),
                 target     TEXT NOT NULL,
                 task       TEXT NOT NULL,
                 created_ms INTEGER NOT NULL
             );
             ALTER TABLE hosts ADD COLUMN iso_dir TEXT;",
        ),
        // 4: IP pools, per host by its URI (what the app and the CLI both know it by). A
        // pool's ranges as the user wrote them (one per line), and each
        // address that is not free: used (by which VM and NIC) or reserved (with a note).
        // The primary key is what makes an address impossible to hand out twice.
        M::up(
            "CREATE TABLE ip_pools (
                 id         INTEGER PRIMARY KEY,
                 host_uri   TEXT NOT NULL,
                 name       TEXT NOT NULL,
                 network    TEXT,
                 v6         INTEGER NOT NULL CHECK (v6 IN (0, 1)),
                 ranges     TEXT NOT NULL,
                 created_ms INTEGER NOT NULL,
                 UNIQUE (host_uri, name)
             );
             CREATE TABLE ip_addresses (
                 pool_id   INTEGER NOT NULL REFERENCES ip_pools (id) ON DELETE CASCADE,
                 ip        TEXT NOT NULL,
                 state     TEXT NOT NULL CHECK (state IN ('used', 'reserved')),
                 vm        TEXT,
                 mac       TEXT,
                 note      TEXT,
                 dhcp_host INTEGER NOT NULL DEFAULT 0 CHECK (dhcp_host IN (0, 1)),
                 at_ms     INTEGER NOT NULL,
                 PRIMARY KEY (pool_id, ip)
             );",
        ),
    ])
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
    }
}
