//! Turns libvirt's errors into Vireo's typed errors, keeping libvirt's own message
//! (it is usually precise) and adding what the user should do. Whether a failure means
//! the connection died is decided by asking the connection (`Host::call`), not by
//! guessing from error codes, which libvirt also uses for ordinary failures.

use vireo_core::Error;

// virErrorNumber values we treat specially (libvirt's virterror.h).
const VIR_ERR_NO_SUPPORT: i32 = 3;
const VIR_ERR_NO_DOMAIN: i32 = 42;
pub(crate) const VIR_ERR_NO_NETWORK: i32 = 43;
const VIR_ERR_OPERATION_INVALID: i32 = 55;
const VIR_ERR_AUTH_FAILED: i32 = 45;
const VIR_ERR_AUTH_UNAVAILABLE: i32 = 94;

pub(crate) fn raw_code(e: &virt::error::Error) -> i32 {
    e.code().to_raw() as i32
}

/// libvirt's message without its `[code=.. domain=..]` suffix.
pub(crate) fn message(e: &virt::error::Error) -> String {
    e.message().trim().to_owned()
}

pub(crate) fn is_unsupported(e: &virt::error::Error) -> bool {
    raw_code(e) == VIR_ERR_NO_SUPPORT
}

pub(crate) fn open_error(uri: &str, e: &virt::error::Error) -> Error {
    let reason = match raw_code(e) {
        VIR_ERR_AUTH_FAILED | VIR_ERR_AUTH_UNAVAILABLE => format!("authentication failed: {}", message(e)),
        _ => message(e),
    };
    Error::Unreachable { uri: uri.to_owned(), reason }
}

/// Maps an error of an operation on the VM `name`.
pub(crate) fn vm_error(host: &str, name: &str, action: &str, e: &virt::error::Error) -> Error {
    match raw_code(e) {
        VIR_ERR_NO_DOMAIN => Error::VmNotFound { host: host.to_owned(), name: name.to_owned() },
        VIR_ERR_OPERATION_INVALID => Error::Libvirt {
            action: format!("{action} '{name}'"),
            message: message(e),
        },
        _ => Error::Libvirt { action: format!("{action} '{name}'"), message: message(e) },
    }
}

/// Maps an error of a host-wide operation (listing, defining).
pub(crate) fn host_error(action: &str, e: &virt::error::Error) -> Error {
    Error::Libvirt { action: action.to_owned(), message: message(e) }
}
