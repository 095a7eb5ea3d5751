//! Linux bridges for bridge networks, made by Vireo when the user asks: on this machine
//! through netlink (`rtnetlink`), on a host reached by Vireo's SSH session through the
//! command runner with `ip` argv. Checked first, so nothing is half made: the name is
//! free, the NIC to enslave exists, is no bridge and no other bridge's port, and carries
//! no address (its traffic moves to the bridge: its addresses would stop working, and a
//! remote host reached through it would be cut off).

use serde::Deserialize;
use vireo_core::network::interface_name;
use vireo_core::{Error, Result};

use crate::host::Host;
use crate::host_routes::host_link;

/// What `ip -json address show dev NIC` says of a NIC that matters before enslaving it.
#[derive(Deserialize)]
struct NicState {
    #[serde(default)]
    master: Option<String>,
    #[serde(default)]
    addr_info: Vec<NicAddr>,
}

#[derive(Deserialize)]
struct NicAddr {
    local: Option<String>,
    scope: Option<String>,
}

fn argv(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

impl Host {
    /// Whether bridges are made here through netlink (this machine) or by `ip` on the host.
    fn bridges_by_netlink(&self) -> bool {
        self.ssh().is_none() && self.has_runner()
    }

    /// Makes the bridge `name` (up), with `nic` enslaved when given.
    pub async fn create_bridge(&self, name: &str, nic: Option<&str>) -> Result<()> {
        let name = interface_name("bridge name", name.trim())?;
        let nic = nic.map(str::trim).filter(|n| !n.is_empty()).map(|n| interface_name("NIC", n)).transpose()?;
        if host_link(self, &name).await?.is_some() {
            return Err(Error::AlreadyExists { kind: "network interface", name, host: self.uri().to_owned() });
        }
        if let Some(nic) = &nic {
            self.check_enslavable(nic).await?;
        }
        if self.bridges_by_netlink() {
            netlink::create(&name, nic.as_deref()).await
        } else {
            self.run(argv(&["ip", "link", "add", "name", &name, "type", "bridge"])).await?;
            let made = async {
                if let Some(nic) = &nic {
                    self.run(argv(&["ip", "link", "set", "dev", nic, "master", &name])).await?;
                    self.run(argv(&["ip", "link", "set", "dev", nic, "up"])).await?;
                }
                self.run(argv(&["ip", "link", "set", "dev", &name, "up"])).await
            };
            if let Err(e) = made.await {
                let _ = self.run(argv(&["ip", "link", "del", "dev", &name])).await;
                return Err(e);
            }
            Ok(())
        }
    }

    async fn check_enslavable(&self, nic: &str) -> Result<()> {
        let link = host_link(self, nic).await?.ok_or_else(|| Error::invalid("NIC", format!("the host has no interface '{nic}'")))?;
        if link.is_bridge() {
            return Err(Error::invalid("NIC", format!("'{nic}' is itself a bridge")));
        }
        let out = self.run(argv(&["ip", "-json", "address", "show", "dev", nic])).await?;
        let state: Vec<NicState> = serde_json::from_slice(&out).map_err(|e| Error::Internal(format!("ip -json address: {e}")))?;
        let Some(state) = state.into_iter().next() else { return Ok(()) };
        if let Some(master) = state.master {
            return Err(Error::invalid("NIC", format!("'{nic}' is already a port of '{master}'")));
        }
        let addrs: Vec<String> = state.addr_info.into_iter().filter(|a| a.scope.as_deref() != Some("link")).filter_map(|a| a.local).collect();
        if !addrs.is_empty() {
            return Err(Error::invalid(
                "NIC",
                format!(
                    "'{nic}' has the address {}: on a bridge it would stop working (and a host reached through it would be cut off); move its addresses to the bridge first",
                    addrs.join(", ")
                ),
            ));
        }
        Ok(())
    }

    /// Removes a bridge; refused while a libvirt network is on it (named) or when the
    /// interface is no bridge. Its ports are released by the kernel.
    pub async fn delete_bridge(&self, name: &str) -> Result<()> {
        let name = interface_name("bridge name", name.trim())?;
        let link = host_link(self, &name).await?.ok_or_else(|| Error::NotFound { kind: "bridge", name: name.clone(), host: self.uri().to_owned() })?;
        if !link.is_bridge() {
            return Err(Error::invalid("bridge", format!("'{name}' is not a bridge")));
        }
        let users: Vec<String> = self.list_networks().await?.into_iter().filter(|n| n.bridge.as_deref() == Some(name.as_str())).map(|n| format!("network {}", n.name)).collect();
        if !users.is_empty() {
            return Err(Error::InUse { kind: "bridge", name, users });
        }
        if self.bridges_by_netlink() {
            netlink::delete(&name).await
        } else {
            self.run(argv(&["ip", "link", "del", "dev", &name])).await.map(|_| ())
        }
    }
}

/// The netlink side, for this machine.
mod netlink {
    use futures_util::TryStreamExt;
    use rtnetlink::{Handle, LinkBridge, LinkUnspec};
    use vireo_core::{Error, Result};

    fn failed(what: &str, e: impl std::fmt::Display) -> Error {
        Error::Libvirt { action: what.to_owned(), message: e.to_string() }
    }

    fn connect() -> Result<Handle> {
        let (conn, handle, _) = rtnetlink::new_connection().map_err(|e| failed("open a netlink socket", e))?;
        tokio::spawn(conn);
        Ok(handle)
    }

    async fn index_of(handle: &Handle, name: &str) -> Result<u32> {
        let mut links = handle.link().get().match_name(name.to_owned()).execute();
        match links.try_next().await.map_err(|e| failed(&format!("find interface {name}"), e))? {
            Some(link) => Ok(link.header.index),
            None => Err(Error::Internal(format!("interface {name} not found after it was made"))),
        }
    }

    pub async fn create(name: &str, nic: Option<&str>) -> Result<()> {
        let handle = connect()?;
        handle.link().add(LinkBridge::new(name).build()).execute().await.map_err(|e| failed(&format!("make bridge {name}"), e))?;
        let index = index_of(&handle, name).await?;
        if let Some(nic) = nic {
            let enslaved = handle.link().set(LinkUnspec::new_with_name(nic).controller(index).up().build()).execute().await;
            if let Err(e) = enslaved {
                // Nothing half made: the new bridge goes again.
                let _ = handle.link().del(index).execute().await;
                return Err(failed(&format!("put {nic} on bridge {name}"), e));
            }
        }
        Ok(())
    }

    pub async fn delete(name: &str) -> Result<()> {
        let handle = connect()?;
        let index = index_of(&handle, name).await?;
        handle.link().del(index).execute().await.map_err(|e| failed(&format!("remove bridge {name}"), e))
    }
}
