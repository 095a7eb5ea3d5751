//! Small helpers for the few libvirt calls `virt` 0.5 does not wrap safely.

use std::ffi::CStr;
use std::os::raw::c_char;

/// Copies a C string libvirt owns; `None` for NULL.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that stays valid during the call.
pub(crate) unsafe fn opt_string(p: *const c_char) -> Option<String> {
    if p.is_null() {
        None
    } else {
        Some(CStr::from_ptr(p).to_string_lossy().into_owned())
    }
}

/// Name and UUID of a domain pointer. Both are cached in the client-side object,
/// so this costs no round trip.
///
/// # Safety
/// `dom` is a valid `virDomainPtr`.
pub(crate) unsafe fn domain_identity(dom: virt::sys::virDomainPtr) -> (String, String) {
    let name = opt_string(virt::sys::virDomainGetName(dom)).unwrap_or_default();
    let mut buf = [0 as c_char; 37];
    let uuid = if virt::sys::virDomainGetUUIDString(dom, buf.as_mut_ptr()) == 0 {
        CStr::from_ptr(buf.as_ptr()).to_string_lossy().into_owned()
    } else {
        String::new()
    };
    (name, uuid)
}
