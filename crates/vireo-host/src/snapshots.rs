//! A VM's snapshots on a `Host`: the whole tree in one pass, take, revert, delete.
//! Snapshots are libvirt's (its metadata, qcow2 internal snapshots by default), so virsh
//! and virt-manager see the same ones.

use std::collections::BTreeMap;

use virt::domain::Domain;
use virt::domain_snapshot::DomainSnapshot;
use vireo_core::{snapshot, Error, NewSnapshot, Result, SnapshotSummary, VmRef, VmState};

use crate::error::{message, raw_code};
use crate::host::Host;
use crate::vms::{domain_state, lookup};
use crate::xml::snapshot::{snapshot_xml, summary_of};

const VIR_ERR_NO_DOMAIN_SNAPSHOT: i32 = 72;

impl Host {
    /// Every snapshot of the VM, parents before their children (roots in the order
    /// taken), each naming its parent and children; the current one marked.
    pub async fn list_snapshots(&self, vm: &VmRef) -> Result<Vec<SnapshotSummary>> {
        let (vm, uri) = (vm.clone(), self.uri().to_owned());
        self.call(move |conn| {
            let (dom, name) = lookup(conn, &uri, &vm)?;
            list(&dom, &name)
        })
        .await
    }

    /// Takes a snapshot (atomically: all of it or nothing); a running VM's memory goes
    /// into it too. Returns it as listed.
    pub async fn create_snapshot(&self, vm: &VmRef, new: NewSnapshot) -> Result<SnapshotSummary> {
        let xml = snapshot_xml(&new)?;
        let (vm, uri) = (vm.clone(), self.uri().to_owned());
        self.call(move |conn| {
            let (dom, name) = lookup(conn, &uri, &vm)?;
            if Domain::lookup_snapshot_by_name(&dom, &new.name, 0).is_ok() {
                return Err(Error::AlreadyExists { kind: "snapshot", name: format!("{name}/{}", new.name), host: uri });
            }
            dom.create_snapshot_xml(&xml, virt::sys::VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC)
                .map_err(|e| snap_error(&name, &new.name, "take", &e))?;
            list(&dom, &name)?
                .into_iter()
                .find(|s| s.name == new.name)
                .ok_or_else(|| Error::Internal(format!("snapshot {} of {name} is not listed after it was taken", new.name)))
        })
        .await
    }

    /// Puts the VM back as it was when the snapshot was taken: its disks, its
    /// definition, and, for a snapshot of a running VM, its memory (it runs again). A VM
    /// running now is stopped first by libvirt when the snapshot is of a shut-off one.
    /// Returns the state the VM is in after it.
    pub async fn revert_snapshot(&self, vm: &VmRef, snapshot: &str) -> Result<VmState> {
        let (vm, uri, snap) = (vm.clone(), self.uri().to_owned(), snapshot.to_owned());
        self.call(move |conn| {
            let (dom, name) = lookup(conn, &uri, &vm)?;
            let s = find(&dom, &name, &snap, &uri)?;
            s.revert(0).map_err(|e| snap_error(&name, &snap, "revert to", &e))?;
            domain_state(&dom).map_err(|e| snap_error(&name, &snap, "read the state after reverting to", &e))
        })
        .await
    }

    /// Deletes a snapshot; its children then hang from its parent. With
    /// `with_children`, every snapshot below it goes too.
    pub async fn delete_snapshot(&self, vm: &VmRef, snapshot: &str, with_children: bool) -> Result<()> {
        let (vm, uri, snap) = (vm.clone(), self.uri().to_owned(), snapshot.to_owned());
        self.call(move |conn| {
            let (dom, name) = lookup(conn, &uri, &vm)?;
            let s = find(&dom, &name, &snap, &uri)?;
            let flags = if with_children { virt::sys::VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN } else { 0 };
            s.delete(flags).map_err(|e| snap_error(&name, &snap, "delete", &e))
        })
        .await
    }
}

fn find(dom: &Domain, vm: &str, snap: &str, uri: &str) -> Result<DomainSnapshot> {
    snapshot::snapshot_name(snap).map_err(|_| not_found(vm, snap, uri))?;
    Domain::lookup_snapshot_by_name(dom, snap, 0).map_err(|e| match raw_code(&e) {
        VIR_ERR_NO_DOMAIN_SNAPSHOT => not_found(vm, snap, uri),
        _ => snap_error(vm, snap, "find", &e),
    })
}

fn not_found(vm: &str, snap: &str, uri: &str) -> Error {
    Error::NotFound { kind: "snapshot", name: format!("{vm}/{snap}"), host: uri.to_owned() }
}

fn snap_error(vm: &str, snap: &str, action: &str, e: &virt::error::Error) -> Error {
    Error::Libvirt { action: format!("{action} snapshot '{snap}' of '{vm}'"), message: message(e) }
}

/// One list call and one XML read per snapshot (libvirt has no bulk description), the
/// tree put together here from each one's parent.
fn list(dom: &Domain, vm: &str) -> Result<Vec<SnapshotSummary>> {
    let snaps = dom.list_all_snapshots(0).map_err(|e| snap_error(vm, "*", "list", &e))?;
    let mut all = Vec::with_capacity(snaps.len());
    for s in &snaps {
        let xml = s.xml_desc(0).map_err(|e| snap_error(vm, &s.name().unwrap_or_default(), "read", &e))?;
        all.push(summary_of(&xml));
    }
    let current = dom.current_snapshot(0).ok().and_then(|s| s.name().ok());
    Ok(tree_order(all, current.as_deref()))
}

/// Parents before children: roots by creation time, each followed by its subtree, each
/// snapshot's `children` filled and the current one marked.
pub(crate) fn tree_order(mut all: Vec<SnapshotSummary>, current: Option<&str>) -> Vec<SnapshotSummary> {
    all.sort_by(|a, b| a.created.cmp(&b.created).then(a.name.cmp(&b.name)));
    let names: Vec<String> = all.iter().map(|s| s.name.clone()).collect();
    let mut children: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for s in &all {
        if let Some(p) = s.parent.as_ref().filter(|p| names.contains(p)) {
            children.entry(p.clone()).or_default().push(s.name.clone());
        }
    }
    for s in &mut all {
        s.children = children.get(&s.name).cloned().unwrap_or_default();
        s.current = current == Some(s.name.as_str());
    }
    let mut by_name: BTreeMap<String, SnapshotSummary> = all.iter().map(|s| (s.name.clone(), s.clone())).collect();
    let mut out = Vec::with_capacity(all.len());
    let roots: Vec<String> =
        all.iter().filter(|s| s.parent.as_ref().is_none_or(|p| !names.contains(p))).map(|s| s.name.clone()).collect();
    let mut stack: Vec<String> = roots.into_iter().rev().collect();
    while let Some(name) = stack.pop() {
        let Some(s) = by_name.remove(&name) else { continue };
        stack.extend(s.children.iter().rev().cloned());
        out.push(s);
    }
    // A cycle cannot come from libvirt; whatever was not reached is still listed.
    out.extend(by_name.into_values());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use vireo_core::SnapshotState;

    fn snap(name: &str, parent: Option<&str>, created: i64) -> SnapshotSummary {
        SnapshotSummary {
            name: name.into(),
            parent: parent.map(Into::into),
            children: Vec::new(),
            description: None,
            created,
            state: SnapshotState::ShutOff,
            current: false,
            external: false,
        }
    }

    #[test]
    fn parents_come_before_their_children() {
        let all = vec![snap("c2", Some("b"), 4), snap("b", Some("a"), 2), snap("a", None, 1), snap("c1", Some("b"), 3), snap("z", None, 0)];
        let out = tree_order(all, Some("c1"));
        let names: Vec<&str> = out.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["z", "a", "b", "c1", "c2"]);
        let b = out.iter().find(|s| s.name == "b").unwrap();
        assert_eq!(b.children, ["c1", "c2"]);
        assert!(out.iter().find(|s| s.name == "c1").unwrap().current);
        assert_eq!(out.iter().filter(|s| s.current).count(), 1);
    }
}
