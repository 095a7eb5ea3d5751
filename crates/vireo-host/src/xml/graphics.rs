//! Reading a running domain's VNC display from its live XML: where the server listens
//! (a TCP port on some address, or a unix socket) and its password, if it has one.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// Where a VNC server listens, as libvirt reports it for the running domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VncAddress {
    /// `host` as the VM's host sees it: a wildcard listen (`0.0.0.0`, `::`) becomes that
    /// host's loopback, which always reaches the server.
    Tcp { host: String, port: u16 },
    Unix { path: String },
}

/// The first VNC display of a domain.
#[derive(Clone, PartialEq, Eq)]
pub struct VncDisplay {
    pub address: VncAddress,
    /// Only present in XML read with `VIR_DOMAIN_XML_SECURE`.
    pub password: Option<String>,
}

impl std::fmt::Debug for VncDisplay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VncDisplay")
            .field("address", &self.address)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Why the XML gives no VNC display to connect to, in words for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoVnc {
    /// No `<graphics type='vnc'>` at all (SPICE only, or no graphics).
    None { others: Vec<String> },
    /// A VNC display with neither a port nor a socket yet (the domain is not running).
    NotListening,
    Malformed(String),
}

impl std::fmt::Display for NoVnc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NoVnc::None { others } if others.is_empty() => write!(f, "it has no graphics (no VNC display)"),
            NoVnc::None { others } => write!(f, "it has no VNC display (only {})", others.join(", ")),
            NoVnc::NotListening => write!(f, "its VNC display is not listening (is the VM running?)"),
            NoVnc::Malformed(why) => write!(f, "libvirt's description of its display is unreadable: {why}"),
        }
    }
}

/// The first VNC display in a live domain XML.
pub fn vnc_display(xml: &str) -> Result<VncDisplay, NoVnc> {
    let mut reader = Reader::from_str(xml);
    let mut others = Vec::new();
    // The VNC <graphics> element being read (its attributes, then its <listen> children).
    let mut current: Option<Graphics> = None;
    loop {
        match reader.read_event() {
            Err(e) => return Err(NoVnc::Malformed(e.to_string())),
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) if e.name().as_ref() == b"graphics" => match attr(&e, "type").as_deref() {
                Some("vnc") => current = Some(Graphics::from(&e)),
                Some(other) => others.push(other.to_owned()),
                None => {}
            },
            Ok(Event::Empty(e)) if e.name().as_ref() == b"graphics" => match attr(&e, "type").as_deref() {
                Some("vnc") => return Graphics::from(&e).display(),
                Some(other) => others.push(other.to_owned()),
                None => {}
            },
            Ok(Event::Start(e) | Event::Empty(e)) if e.name().as_ref() == b"listen" => {
                if let Some(g) = current.as_mut() {
                    g.listens.push((attr(&e, "type"), attr(&e, "address"), attr(&e, "socket")));
                }
            }
            Ok(Event::End(e)) if e.name().as_ref() == b"graphics" => {
                if let Some(g) = current.take() {
                    return g.display();
                }
            }
            Ok(_) => {}
        }
    }
    Err(NoVnc::None { others })
}

/// One `<graphics type='vnc'>` as written: attributes and `<listen>` children.
struct Graphics {
    port: Option<String>,
    listen: Option<String>,
    socket: Option<String>,
    password: Option<String>,
    listens: Vec<(Option<String>, Option<String>, Option<String>)>,
}

impl Graphics {
    fn from(e: &BytesStart) -> Graphics {
        Graphics {
            port: attr(e, "port"),
            listen: attr(e, "listen"),
            socket: attr(e, "socket"),
            password: attr(e, "passwd"),
            listens: Vec::new(),
        }
    }

    fn display(self) -> Result<VncDisplay, NoVnc> {
        let password = self.password.filter(|p| !p.is_empty());
        // A socket listen (attribute or child) wins: there is no port then.
        let socket = self.socket.or_else(|| self.listens.iter().find(|(t, ..)| t.as_deref() == Some("socket")).and_then(|l| l.2.clone()));
        if let Some(path) = socket.filter(|p| !p.is_empty()) {
            return Ok(VncDisplay { address: VncAddress::Unix { path }, password });
        }
        let port: i32 = match self.port.as_deref() {
            None => return Err(NoVnc::NotListening),
            Some(p) => p.parse().map_err(|_| NoVnc::Malformed(format!("port '{p}'")))?,
        };
        // -1 (autoport) is what an inactive definition says.
        let port = u16::try_from(port).ok().filter(|p| *p > 0).ok_or(NoVnc::NotListening)?;
        let listen = self
            .listen
            .or_else(|| self.listens.iter().find(|(t, ..)| t.as_deref() == Some("address")).and_then(|l| l.1.clone()))
            .unwrap_or_else(|| "127.0.0.1".into());
        Ok(VncDisplay { address: VncAddress::Tcp { host: reachable(&listen), port }, password })
    }
}

/// Where to connect for a server listening on `listen`: a wildcard means every address,
/// of which loopback is the one always there (and the only one an SSH tunnel needs).
fn reachable(listen: &str) -> String {
    match listen.trim_matches(['[', ']']) {
        "" | "0.0.0.0" => "127.0.0.1".into(),
        "::" => "::1".into(),
        other => other.to_owned(),
    }
}

use super::read::attr;

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp(host: &str, port: u16) -> VncAddress {
        VncAddress::Tcp { host: host.into(), port }
    }

    #[test]
    fn a_running_domains_port_and_listen_address() {
        let xml = r#"<domain><devices><graphics type='vnc' port='5901' autoport='yes' listen='127.0.0.1'>
            <listen type='address' address='127.0.0.1'/></graphics></devices></domain>"#;
        assert_eq!(vnc_display(xml).unwrap(), VncDisplay { address: tcp("127.0.0.1", 5901), password: None });
    }

    #[test]
    fn a_wildcard_listen_is_reached_on_loopback() {
        let xml = r#"<domain><devices><graphics type="vnc" port="5900" listen="0.0.0.0"/></devices></domain>"#;
        assert_eq!(vnc_display(xml).unwrap().address, tcp("127.0.0.1", 5900));
        let xml = r#"<domain><devices><graphics type="vnc" port="5900"><listen type="address" address="::"/></graphics></devices></domain>"#;
        assert_eq!(vnc_display(xml).unwrap().address, tcp("::1", 5900));
    }

    #[test]
    fn a_socket_display_and_its_password() {
        let xml = r#"<domain><devices><graphics type='vnc' socket='/run/libvirt/qemu/vnc-1.sock' passwd='s&amp;cret'>
            <listen type='socket' socket='/run/libvirt/qemu/vnc-1.sock'/></graphics></devices></domain>"#;
        let d = vnc_display(xml).unwrap();
        assert_eq!(d.address, VncAddress::Unix { path: "/run/libvirt/qemu/vnc-1.sock".into() });
        assert_eq!(d.password.as_deref(), Some("s&cret"));
        assert!(!format!("{d:?}").contains("cret"), "the password stays out of logs");
    }

    #[test]
    fn what_cannot_be_shown_says_why() {
        let stopped = r#"<domain><devices><graphics type='vnc' port='-1' autoport='yes'/></devices></domain>"#;
        assert_eq!(vnc_display(stopped), Err(NoVnc::NotListening));
        let spice = r#"<domain><devices><graphics type='spice' port='5900'/></devices></domain>"#;
        let err = vnc_display(spice).unwrap_err();
        assert_eq!(err.to_string(), "it has no VNC display (only spice)");
        let none = "<domain><devices/></domain>";
        assert_eq!(vnc_display(none).unwrap_err().to_string(), "it has no graphics (no VNC display)");
        let bad = r#"<domain><devices><graphics type='vnc' port='x'/></devices></domain>"#;
        assert!(matches!(vnc_display(bad), Err(NoVnc::Malformed(_))));
    }

    #[test]
    fn the_vnc_display_is_found_among_others() {
        let xml = r#"<domain><devices><graphics type='spice' port='5930'/><graphics type='vnc' port='5931'/></devices></domain>"#;
        assert_eq!(vnc_display(xml).unwrap().address, tcp("127.0.0.1", 5931));
    }
}
