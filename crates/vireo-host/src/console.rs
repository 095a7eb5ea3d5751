//! Reaching a running VM's VNC server: where it listens (its live XML), and a byte
//! stream to it. On this machine that is a TCP or unix socket; on an SSH host it is a
//! channel of the host's one SSH session (direct-tcpip or direct-streamlocal), so the
//! console needs no second sign-in and works when the server listens only on the
//! remote's loopback or on a unix socket.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpStream, UnixStream};
use vireo_core::{validate::VmRef, Error, Result, VmState};

use crate::host::{Host, Transport};
use crate::vms::{domain_state, lookup};
use crate::xml::graphics::{vnc_display, VncAddress, VncDisplay};

/// How long reaching the VNC server may take (a local connect, or an SSH channel).
const REACH_TIMEOUT: Duration = Duration::from_secs(10);

/// `VIR_DOMAIN_XML_SECURE`: the XML with the display's password.
const XML_SECURE: u32 = 1;

/// A byte stream to a VNC server, whichever way it is reached.
pub enum VncStream {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl Host {
    /// The VNC display of a running (or paused) VM, with its password if it has one;
    /// the VM's name as libvirt holds it beside it.
    pub async fn vnc_display(&self, vm: &VmRef) -> Result<(String, VncDisplay)> {
        let vm = vm.clone();
        let uri = self.uri().to_owned();
        self.call(move |conn| {
            let (dom, name) = lookup(conn, &uri, &vm)?;
            let no_console = |reason: String| Error::NoConsole { name: name.clone(), reason };
            let state = domain_state(&dom).map_err(|e| no_console(crate::error::message(&e)))?;
            if !matches!(state, VmState::Running | VmState::Paused) {
                return Err(no_console(format!("it is {state}; start it to see its screen")));
            }
            // A read-only connection may not read secrets: then the XML without them (a
            // display with a password then fails at its handshake, and says so).
            let xml = dom
                .xml_desc(XML_SECURE)
                .or_else(|_| dom.xml_desc(0))
                .map_err(|e| crate::error::vm_error(&uri, &name, "read the XML of", &e))?;
            let display = vnc_display(&xml).map_err(|why| no_console(why.to_string()))?;
            Ok((name, display))
        })
        .await
    }

    /// A stream to the VNC server at `address` as this host sees it.
    pub async fn open_vnc(&self, name: &str, address: &VncAddress) -> Result<VncStream> {
        let failed = |reason: String| Error::NoConsole { name: name.to_owned(), reason };
        let reach = async {
            match (&self.inner.transport, address) {
                (Transport::Ssh(_), _) => {
                    let ssh = self.ssh().ok_or_else(|| Error::Disconnected { uri: self.uri().to_owned() })?;
                    let address = address.clone();
                    let tunnel = tokio::task::spawn_blocking(move || match &address {
                        VncAddress::Tcp { host, port } => ssh.tunnel_tcp(host, *port),
                        VncAddress::Unix { path } => ssh.tunnel_unix(path),
                    })
                    .await
                    .map_err(|e| Error::Internal(e.to_string()))?
                    .map_err(|e| failed(format!("the SSH tunnel to its VNC server failed: {e}")))?;
                    tunnel.set_nonblocking(true).map_err(|e| failed(e.to_string()))?;
                    Ok(VncStream::Unix(UnixStream::from_std(tunnel).map_err(|e| failed(e.to_string()))?))
                }
                (Transport::Uri(uri), _) if !is_local(uri) => Err(failed(format!(
                    "{uri} is reached through libvirt's own transport, which carries no console; \
                     add the host as an SSH host to see its screens"
                ))),
                (Transport::Uri(_), VncAddress::Tcp { host, port }) => {
                    let tcp = TcpStream::connect((host.as_str(), *port))
                        .await
                        .map_err(|e| failed(format!("its VNC server at {host}:{port} refused: {e}")))?;
                    // Input events are tiny: send them at once.
                    let _ = tcp.set_nodelay(true);
                    Ok(VncStream::Tcp(tcp))
                }
                (Transport::Uri(_), VncAddress::Unix { path }) => Ok(VncStream::Unix(
                    UnixStream::connect(path).await.map_err(|e| failed(format!("its VNC socket {path}: {e}")))?,
                )),
            }
        };
        tokio::time::timeout(REACH_TIMEOUT, reach)
            .await
            .map_err(|_| failed(format!("its VNC server did not answer within {} s", REACH_TIMEOUT.as_secs())))?
    }
}

/// Whether libvirt runs on this machine for `uri` (no host part): its VNC addresses are
/// this machine's.
fn is_local(uri: &str) -> bool {
    uri.split_once("://").is_some_and(|(_, rest)| rest.starts_with('/'))
}

impl AsyncRead for VncStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            VncStream::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            VncStream::Unix(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for VncStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            VncStream::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            VncStream::Unix(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            VncStream::Tcp(s) => Pin::new(s).poll_flush(cx),
            VncStream::Unix(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            VncStream::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            VncStream::Unix(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_local;

    #[test]
    fn only_uris_without_a_host_are_this_machine() {
        assert!(is_local("qemu:///system") && is_local("qemu+unix:///system?socket=/x") && is_local("qemu:///session"));
        assert!(!is_local("qemu+ssh://root@server/system") && !is_local("qemu+tcp://10.0.0.2/system"));
    }
}
