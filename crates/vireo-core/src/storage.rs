//! Storage pools and volumes as the UI and the CLI see them, and what a user asks for
//! when making one. Sizes are bytes throughout; the UI shows MiB/GiB.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::rules;

/// libvirt's pool states (`virStoragePoolState`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PoolState {
    Inactive,
    Building,
    Running,
    Degraded,
    Inaccessible,
}

impl PoolState {
    pub fn from_libvirt(n: u32) -> Self {
        match n {
            1 => PoolState::Building,
            2 => PoolState::Running,
            3 => PoolState::Degraded,
            4 => PoolState::Inaccessible,
            _ => PoolState::Inactive,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct PoolSummary {
    pub name: String,
    pub uuid: String,
    /// libvirt's pool type: `dir`, `logical`, `netfs`, ...
    pub kind: String,
    pub state: PoolState,
    pub autostart: bool,
    /// The pool's target path (a directory, a volume group's `/dev/<vg>`).
    pub path: Option<String>,
    #[ts(type = "number")]
    pub capacity: u64,
    #[ts(type = "number")]
    pub allocation: u64,
    #[ts(type = "number")]
    pub available: u64,
    /// How many volumes it holds (0 while it is not running).
    pub volumes: u32,
}

/// A volume's image format.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum VolumeFormat {
    #[default]
    Qcow2,
    Raw,
}

impl VolumeFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            VolumeFormat::Qcow2 => "qcow2",
            VolumeFormat::Raw => "raw",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "qcow2" => Ok(VolumeFormat::Qcow2),
            "raw" => Ok(VolumeFormat::Raw),
            other => Err(Error::invalid("volume format", format!("'{other}' is not qcow2 or raw"))),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct VolumeSummary {
    pub pool: String,
    pub name: String,
    /// Where it is on the host (what a domain's disk points at).
    pub path: String,
    /// The format libvirt reports (`qcow2`, `raw`, `iso`, ...), if any.
    pub format: Option<String>,
    #[ts(type = "number")]
    pub capacity: u64,
    #[ts(type = "number")]
    pub allocation: u64,
    /// The backing file of a linked clone.
    pub backing: Option<String>,
    /// SHA-256 of its contents when Vireo uploaded it and checked it (hex).
    pub sha256: Option<String>,
    /// VMs whose disks or CD-ROMs use it.
    pub used_by: Vec<String>,
}

/// What kind of pool to make.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NewPoolKind {
    /// A directory on the host (made if missing).
    Dir { path: String },
    /// An existing LVM volume group.
    Logical { volume_group: String },
    /// An NFS export mounted on `path`.
    Netfs { server: String, export: String, path: String },
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct NewPool {
    pub name: String,
    pub target: NewPoolKind,
    pub autostart: bool,
}

/// What can be done to a pool that exists (`"start"`, `{"autostart": true}` in JSON).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PoolAction {
    Start,
    Stop,
    Refresh,
    Autostart(bool),
}

/// A new volume in a pool: blank, or a linked clone over `backing` (qcow2 only).
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct NewVolume {
    pub name: String,
    #[ts(type = "number")]
    pub capacity: u64,
    pub format: VolumeFormat,
    /// Path of the volume this one is a copy-on-write layer over.
    pub backing: Option<String>,
}

/// A pool's name as Vireo creates them: the shared name rule.
pub fn pool_name(name: &str) -> Result<&str> {
    match rules::name_problem(name) {
        None => Ok(name),
        Some(reason) => Err(Error::invalid("pool name", reason)),
    }
}

/// A volume's name: the shared name rule (so `../../etc/passwd`, `a/b` or `.hidden`
/// never become a path on the host).
pub fn volume_name(name: &str) -> Result<&str> {
    match rules::name_problem(name) {
        None => Ok(name),
        Some(reason) => Err(Error::invalid("volume name", reason)),
    }
}

/// An absolute path on the host, as a pool target or an image to import: no NUL, no
/// control characters, no `..` component.
pub fn host_path<'a>(field: &'static str, path: &'a str) -> Result<&'a str> {
    if !path.starts_with('/') {
        return Err(Error::invalid(field, format!("'{path}' is not an absolute path (start it with /)")));
    }
    if let Some(c) = path.chars().find(|c| c.is_control()) {
        return Err(Error::invalid(field, format!("it contains the control character U+{:04X}", c as u32)));
    }
    if path.split('/').any(|part| part == "..") {
        return Err(Error::invalid(field, format!("'{path}' contains '..'; give the path without it")));
    }
    if path.len() > 4000 {
        return Err(Error::invalid(field, "it is longer than 4000 bytes"));
    }
    Ok(path)
}

/// A volume size: above zero, and below 1 PiB (a typo's worth of zeros).
pub fn volume_capacity(field: &'static str, bytes: u64) -> Result<u64> {
    const MAX: u64 = 1 << 50;
    if bytes == 0 {
        return Err(Error::invalid(field, "it is 0; give a size above zero, e.g. 10 GiB"));
    }
    if bytes > MAX {
        return Err(Error::invalid(field, format!("{bytes} bytes is beyond 1 PiB")));
    }
    Ok(bytes)
}

/// A SHA-256 a user pasted: 64 hex digits (any case, spaces around ignored), lower-cased.
pub fn sha256_hex(text: &str) -> Result<String> {
    let t = text.trim();
    if t.len() != 64 || !t.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(Error::invalid("SHA-256", format!("'{t}' is not 64 hexadecimal digits")));
    }
    Ok(t.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_names_never_become_paths() {
        for bad in ["../../etc/passwd", "a/b", ".hidden", "-rf", "", "a b", "x<y", "a&b", "\"q\""] {
            assert!(volume_name(bad).is_err(), "{bad:?} must be refused");
        }
        for good in ["disk0.qcow2", "debian-12.5.0-amd64-netinst.iso", "名字.img"] {
            assert!(volume_name(good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn host_paths_are_absolute_and_plain() {
        assert!(host_path("path", "/var/lib/libvirt/images").is_ok());
        assert!(host_path("path", "relative/dir").is_err());
        assert!(host_path("path", "/var/../etc").unwrap_err().to_string().contains(".."));
        assert!(host_path("path", "/a\nb").is_err());
    }

    #[test]
    fn sizes_and_checksums() {
        assert!(volume_capacity("disk size", 0).unwrap_err().to_string().contains("0"));
        assert!(volume_capacity("disk size", 1 << 51).is_err());
        assert_eq!(sha256_hex(&format!(" {} ", "AB".repeat(32))).unwrap(), "ab".repeat(32));
        assert!(sha256_hex("abc").is_err());
    }
}
