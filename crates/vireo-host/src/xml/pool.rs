//! `<pool>` definitions for the pool kinds Vireo makes.

use quick_xml::Writer;
use vireo_core::storage::{self, NewPool, NewPoolKind};
use vireo_core::{Error, Result};

use super::writer::{finish, text};

/// Checks the values, then renders the XML `virStoragePoolDefineXML` takes.
pub fn pool_xml(pool: &NewPool) -> Result<String> {
    storage::pool_name(&pool.name)?;
    let kind = match &pool.target {
        NewPoolKind::Dir { path } => {
            storage::host_path("pool directory", path)?;
            "dir"
        }
        NewPoolKind::Logical { volume_group } => {
            vireo_core::rules::name_problem(volume_group).map_or(Ok(()), |r| Err(Error::invalid("volume group", r)))?;
            "logical"
        }
        NewPoolKind::Netfs { server, export, path } => {
            vireo_core::ssh::ssh_host(server).map_err(|_| Error::invalid("NFS server", format!("'{server}' is not a host name or address")))?;
            storage::host_path("NFS export", export)?;
            storage::host_path("mount point", path)?;
            "netfs"
        }
    };
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let written = w.create_element("pool").with_attribute(("type", kind)).write_inner_content(|w| {
        text(w, "name", &pool.name)?;
        match &pool.target {
            NewPoolKind::Dir { path } => target(w, path),
            NewPoolKind::Logical { volume_group } => {
                w.create_element("source").write_inner_content(|w| {
                    text(w, "name", volume_group)?;
                    w.create_element("format").with_attribute(("type", "lvm2")).write_empty()?;
                    Ok(())
                })?;
                target(w, &format!("/dev/{volume_group}"))
            }
            NewPoolKind::Netfs { server, export, path } => {
                w.create_element("source").write_inner_content(|w| {
                    w.create_element("host").with_attribute(("name", server.as_str())).write_empty()?;
                    w.create_element("dir").with_attribute(("path", export.as_str())).write_empty()?;
                    w.create_element("format").with_attribute(("type", "nfs")).write_empty()?;
                    Ok(())
                })?;
                target(w, path)
            }
        }
    });
    let written = written.map(drop);
    finish(w, written)
}

fn target(w: &mut Writer<Vec<u8>>, path: &str) -> std::io::Result<()> {
    w.create_element("target").write_inner_content(|w| text(w, "path", path))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dir_pool_xml_is_escaped_and_checked() {
        let xml = pool_xml(&NewPool {
            name: "isos".into(),
            target: NewPoolKind::Dir { path: "/srv/a&b".into() },
            autostart: true,
        })
        .unwrap();
        assert!(xml.contains("<pool type=\"dir\">"), "{xml}");
        assert!(xml.contains("<path>/srv/a&amp;b</path>"), "{xml}");
        let bad = NewPool { name: "../x".into(), target: NewPoolKind::Dir { path: "/srv".into() }, autostart: false };
        assert!(pool_xml(&bad).unwrap_err().to_string().contains("pool name"));
        let bad = NewPool { name: "p".into(), target: NewPoolKind::Dir { path: "srv".into() }, autostart: false };
        assert!(pool_xml(&bad).unwrap_err().to_string().contains("absolute"));
    }

    #[test]
    fn logical_and_netfs_pools_name_their_sources() {
        let xml = pool_xml(&NewPool { name: "vg".into(), target: NewPoolKind::Logical { volume_group: "vg0".into() }, autostart: false }).unwrap();
        assert!(xml.contains("<path>/dev/vg0</path>") && xml.contains("<name>vg0</name>"), "{xml}");
        let xml = pool_xml(&NewPool {
            name: "nfs".into(),
            target: NewPoolKind::Netfs { server: "nas.lan".into(), export: "/export/vm".into(), path: "/mnt/vm".into() },
            autostart: false,
        })
        .unwrap();
        assert!(xml.contains("<host name=\"nas.lan\"/>") && xml.contains("<format type=\"nfs\"/>"), "{xml}");
    }
}
