//! Snapshots, CD-ROM media and clones of a VM as the UI and the CLI see them, and what a
//! user asks for when making one.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::rules;

/// What a snapshot holds of the VM: its disks and, when it was taken while the VM ran,
/// its memory (reverting to such a snapshot brings the VM back running).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotState {
    /// Taken while the VM ran: disks and memory.
    Running,
    /// Taken while it was paused: disks and memory, back paused.
    Paused,
    /// Taken while it was shut off: disks only.
    ShutOff,
    /// Disks only, taken while it ran (no memory).
    DiskOnly,
    /// Any other state libvirt reports (crashed, pmsuspended, ...).
    Other,
}

impl SnapshotState {
    /// Maps libvirt's `<domainsnapshot><state>` text.
    pub fn from_libvirt(text: &str) -> Self {
        match text {
            "running" | "blocked" => SnapshotState::Running,
            "paused" => SnapshotState::Paused,
            "shutoff" | "shutdown" => SnapshotState::ShutOff,
            "disk-snapshot" => SnapshotState::DiskOnly,
            _ => SnapshotState::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SnapshotState::Running => "running",
            SnapshotState::Paused => "paused",
            SnapshotState::ShutOff => "shut off",
            SnapshotState::DiskOnly => "disk only",
            SnapshotState::Other => "other",
        }
    }
}

/// One snapshot of a VM, with its place in the tree.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct SnapshotSummary {
    pub name: String,
    /// The snapshot this one was taken on top of (`None` for a root).
    pub parent: Option<String>,
    /// The names of the snapshots taken on top of this one.
    pub children: Vec<String>,
    pub description: Option<String>,
    /// When it was taken, seconds since the Unix epoch.
    #[ts(type = "number")]
    pub created: i64,
    pub state: SnapshotState,
    /// Whether the VM runs on top of this one now (libvirt's current snapshot).
    pub current: bool,
    /// Whether its disks are inside the images (qcow2 internal) or beside them (external).
    pub external: bool,
}

/// A snapshot to take.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct NewSnapshot {
    pub name: String,
    pub description: Option<String>,
}

impl NewSnapshot {
    /// The name by the shared name rule, the description without control characters
    /// other than line breaks and at most 4000 characters.
    pub fn check(&self) -> Result<()> {
        snapshot_name(&self.name)?;
        if let Some(d) = &self.description {
            description(d)?;
        }
        Ok(())
    }
}

/// A snapshot's name as Vireo creates them: the shared name rule (no `/`, which libvirt
/// refuses, no `<` or quotes, at most 64 characters).
pub fn snapshot_name(name: &str) -> Result<&str> {
    match rules::name_problem(name) {
        None => Ok(name),
        Some(reason) => Err(Error::invalid("snapshot name", reason)),
    }
}

/// A free text a user gives (a snapshot's description): line breaks and tabs are fine,
/// other control characters are not (XML 1.0 cannot carry most of them).
pub fn description(text: &str) -> Result<&str> {
    if let Some(c) = text.chars().find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(Error::invalid("description", format!("it contains the control character U+{:04X}", c as u32)));
    }
    if text.chars().count() > 4000 {
        return Err(Error::invalid("description", "it is longer than 4000 characters"));
    }
    Ok(text)
}

/// A VM's CD-ROM drive and the image in it.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct CdromDrive {
    /// The drive's target as libvirt names it (`sda`, `hdc`): what insert and eject take.
    pub target: String,
    /// `sata`, `ide`, `scsi`, ...
    pub bus: String,
    /// The image's path on the host; `None` when the drive is empty.
    pub source: Option<String>,
}

/// A CD-ROM drive's target name (`sda`, `hdc`, `sdaa`): a bus prefix and letters, the
/// shape libvirt gives them.
pub fn drive_target(target: &str) -> Result<&str> {
    let ok = target.len() <= 16
        && ["sd", "hd", "vd", "xvd"].iter().any(|p| {
            target.strip_prefix(p).is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_lowercase()))
        });
    if !ok {
        return Err(Error::invalid("drive", format!("'{target}' is not a drive target like sda or hdc")));
    }
    Ok(target)
}

/// How a clone's disks are made.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CloneMode {
    /// A full, independent copy of each disk.
    Full,
    /// A qcow2 layer over each of the source's disks, which are frozen as their base
    /// (the source goes on in a layer of its own).
    Linked,
}

/// A clone to make of a shut-off VM.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
pub struct NewClone {
    pub name: String,
    pub mode: CloneMode,
    /// The pool for the clone's disks; `None`: each beside the disk it comes from.
    pub pool: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_names_follow_the_name_rule() {
        for bad in ["a/b", "a<b", "", "a b", "-x", ".x", "\"q\""] {
            assert!(snapshot_name(bad).is_err(), "{bad:?}");
        }
        assert!(snapshot_name(&"x".repeat(300)).unwrap_err().to_string().contains("300 characters"));
        for good in ["before-upgrade", "快照1", "s.1_2"] {
            assert!(snapshot_name(good).is_ok(), "{good:?}");
        }
        let s = NewSnapshot { name: "ok".into(), description: Some("line\nnext & <more>".into()) };
        assert!(s.check().is_ok());
        let s = NewSnapshot { name: "ok".into(), description: Some("bell\u{7}".into()) };
        assert!(s.check().unwrap_err().to_string().contains("U+0007"));
    }

    #[test]
    fn drive_targets() {
        for good in ["sda", "hdc", "vdb", "sdaa"] {
            assert!(drive_target(good).is_ok(), "{good}");
        }
        for bad in ["", "sd", "sda1", "../sda", "SDA", "nvme0", "sd a"] {
            assert!(drive_target(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn states_from_libvirt() {
        assert_eq!(SnapshotState::from_libvirt("running"), SnapshotState::Running);
        assert_eq!(SnapshotState::from_libvirt("shutoff"), SnapshotState::ShutOff);
        assert_eq!(SnapshotState::from_libvirt("disk-snapshot"), SnapshotState::DiskOnly);
        assert_eq!(SnapshotState::from_libvirt("pmsuspended"), SnapshotState::Other);
    }
}
