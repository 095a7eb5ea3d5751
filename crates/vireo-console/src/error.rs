//! What can go wrong with a console, in words that say what to do.

use vnc::VncError;

#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error("the VNC password was refused; check the display's password in the VM's settings")]
    WrongPassword,
    #[error("the VNC display asks for a password and none is known for it")]
    PasswordNeeded,
    #[error("the VNC server asks for a kind of sign-in Vireo does not speak ({0}); use VNC password authentication")]
    Unsupported(String),
    #[error("the VNC server closed the connection{}", at(.0))]
    ServerClosed(Option<String>),
    #[error("the VNC server sent something Vireo cannot read: {0}")]
    Protocol(String),
    #[error("the VNC server did not finish its handshake within {0} s")]
    Timeout(u64),
    #[error("the VNC connection failed: {0}")]
    Io(#[from] std::io::Error),
}

fn at(detail: &Option<String>) -> String {
    detail.as_ref().map(|d| format!(" ({d})")).unwrap_or_default()
}

impl From<VncError> for ConsoleError {
    fn from(e: VncError) -> Self {
        match e {
            VncError::WrongPassword => ConsoleError::WrongPassword,
            VncError::NoPassword => ConsoleError::PasswordNeeded,
            VncError::InvalidSecurityTyep(t) => ConsoleError::Unsupported(format!("security type {t}")),
            VncError::General(m) if m.contains("has not been implemented") => ConsoleError::Unsupported(m),
            // vnc-rs passes the server's SecurityResult failure on as text (QEMU: "Authentication failed").
            VncError::General(m) if m.contains("Authentication failed") => ConsoleError::WrongPassword,
            // vnc-rs's own channels closing: its network side ended, so the server is gone.
            VncError::General(m) if m == "Channel closed" => ConsoleError::ServerClosed(None),
            VncError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
                ConsoleError::ServerClosed(Some("in the middle of a message".into()))
            }
            VncError::IoError(io) => ConsoleError::Io(io),
            VncError::ClientNotRunning => ConsoleError::ServerClosed(None),
            VncError::ConnectError => ConsoleError::ServerClosed(Some("at the handshake".into())),
            other => ConsoleError::Protocol(other.to_string()),
        }
    }
}
