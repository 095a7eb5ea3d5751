//! The transport to a remote host: one SSH session per host that carries everything Vireo
//! does there — libvirt (a private unix socket forwarded to the remote libvirt socket),
//! commands (argv in, status and output out), file transfers and TCP/unix tunnels for
//! consoles. No Tauri and no async runtime here: the session runs on a thread of its own
//! (`pump`), and the calls that wait for it are blocking, for `spawn_blocking` callers.

mod auth;
mod connect;
mod error;
pub mod hostkey;
mod pump;
pub mod quote;
mod session;
mod socket;
mod transfer;

pub use auth::{Auth, Secret};
pub use connect::{ConnectOptions, Target};
pub use error::{Result, SshError};
pub use hostkey::{AcceptedKey, KeyInfo};
pub use session::{private_socket_path, shutdown_all, Forward, Output, Privilege, SshSession};
pub use transfer::Progress;
