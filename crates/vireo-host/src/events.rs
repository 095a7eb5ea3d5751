//! libvirt callbacks on a connection: domain and network lifecycle events (live state
//! without polling) and the close callback (the connection died: daemon stopped, link cut,
//! keepalive timed out). `virt` 0.5 wraps neither, so they are registered here.
//!
//! Callbacks run on the `libvirt-events` thread. They make no libvirt calls (no round
//! trips, no re-entrancy); they only translate and forward.

use std::os::raw::{c_int, c_void};
use std::sync::Arc;

use tokio::sync::{broadcast, Notify};
use virt::connect::Connect;
use virt::sys;
use vireo_core::{HostEvent, HostId, VmState};

use crate::ffi::domain_identity;

/// What the callbacks need: where to send events and whom to tell that the link died.
/// `lost` is the session's own signal: a close callback that fires late, after a newer
/// session is up, reaches only the session it was registered for.
pub(crate) struct Sink {
    pub host_id: HostId,
    pub events: broadcast::Sender<HostEvent>,
    pub lost: Arc<Notify>,
}

/// Maps a lifecycle event to its name and, where the event alone fixes it, the new state.
/// `defined`/`undefined` say nothing about the run state, so listeners re-read the list.
pub(crate) fn lifecycle(event: c_int) -> (&'static str, Option<VmState>) {
    match event as u32 {
        sys::VIR_DOMAIN_EVENT_DEFINED => ("defined", None),
        sys::VIR_DOMAIN_EVENT_UNDEFINED => ("undefined", None),
        sys::VIR_DOMAIN_EVENT_STARTED => ("started", Some(VmState::Running)),
        sys::VIR_DOMAIN_EVENT_SUSPENDED => ("suspended", Some(VmState::Paused)),
        sys::VIR_DOMAIN_EVENT_RESUMED => ("resumed", Some(VmState::Running)),
        sys::VIR_DOMAIN_EVENT_STOPPED => ("stopped", Some(VmState::ShutOff)),
        sys::VIR_DOMAIN_EVENT_SHUTDOWN => ("shutdown", Some(VmState::ShuttingDown)),
        sys::VIR_DOMAIN_EVENT_PMSUSPENDED => ("pmsuspended", Some(VmState::Suspended)),
        sys::VIR_DOMAIN_EVENT_CRASHED => ("crashed", Some(VmState::Crashed)),
        _ => ("unknown", None),
    }
}

unsafe extern "C" fn on_lifecycle(
    _conn: sys::virConnectPtr,
    dom: sys::virDomainPtr,
    event: c_int,
    _detail: c_int,
    opaque: *mut c_void,
) -> c_int {
    let sink = &*(opaque as *const Sink);
    let (name, uuid) = domain_identity(dom);
    let (event, state) = lifecycle(event);
    // No receiver is fine: nobody is listening right now.
    let _ = sink.events.send(HostEvent::VmLifecycle {
        host_id: sink.host_id.clone(),
        uuid,
        name,
        event: event.to_owned(),
        state,
    });
    0
}

/// A network lifecycle event's name.
pub(crate) fn network_lifecycle(event: c_int) -> &'static str {
    match event as u32 {
        sys::VIR_NETWORK_EVENT_DEFINED => "defined",
        sys::VIR_NETWORK_EVENT_UNDEFINED => "undefined",
        sys::VIR_NETWORK_EVENT_STARTED => "started",
        sys::VIR_NETWORK_EVENT_STOPPED => "stopped",
        _ => "unknown",
    }
}

unsafe extern "C" fn on_network(_conn: sys::virConnectPtr, net: sys::virNetworkPtr, event: c_int, _detail: c_int, opaque: *mut c_void) {
    let sink = &*(opaque as *const Sink);
    // The name is held by the object itself: no round trip.
    let name = crate::ffi::opt_string(sys::virNetworkGetName(net)).unwrap_or_default();
    let _ = sink.events.send(HostEvent::NetworkLifecycle {
        host_id: sink.host_id.clone(),
        name,
        event: network_lifecycle(event).to_owned(),
    });
}

unsafe extern "C" fn on_close(_conn: sys::virConnectPtr, reason: c_int, opaque: *mut c_void) {
    // VIR_CONNECT_CLOSE_REASON_CLIENT: we closed it ourselves.
    if reason as u32 != sys::VIR_CONNECT_CLOSE_REASON_CLIENT {
        let sink = &*(opaque as *const Sink);
        sink.lost.notify_one();
    }
}

unsafe extern "C" fn free_sink(opaque: *mut c_void) {
    drop(Box::from_raw(opaque as *mut Sink));
}

/// The callbacks registered on one connection; dropping it deregisters them.
pub(crate) struct Registration {
    conn: Connect,
    lifecycle_id: c_int,
    /// The network lifecycle callback; -1 where the driver has none (`test:///`).
    network_id: c_int,
    close_registered: bool,
    /// Why the close callback could not be registered. Events still flow, so this is
    /// not fatal; the caller decides whether the user must hear of it.
    pub(crate) close_error: Option<virt::error::Error>,
}

impl Registration {
    pub(crate) fn register(conn: &Connect, sink: impl Fn() -> Sink) -> Result<Self, virt::error::Error> {
        let lifecycle_sink = Box::into_raw(Box::new(sink())) as *mut c_void;
        // SAFETY: the lifecycle callback has the signature libvirt calls for
        // VIR_DOMAIN_EVENT_ID_LIFECYCLE (this is what libvirt's VIR_DOMAIN_EVENT_CALLBACK
        // cast does in C); libvirt owns `lifecycle_sink` and frees it through `free_sink`.
        let lifecycle_id = unsafe {
            let cb: sys::virConnectDomainEventGenericCallback = Some(std::mem::transmute::<
                unsafe extern "C" fn(sys::virConnectPtr, sys::virDomainPtr, c_int, c_int, *mut c_void) -> c_int,
                unsafe extern "C" fn(sys::virConnectPtr, sys::virDomainPtr, *mut c_void),
            >(on_lifecycle));
            sys::virConnectDomainEventRegisterAny(
                conn.as_ptr(),
                std::ptr::null_mut(),
                sys::VIR_DOMAIN_EVENT_ID_LIFECYCLE as c_int,
                cb,
                lifecycle_sink,
                Some(free_sink),
            )
        };
        if lifecycle_id < 0 {
            let err = virt::error::Error::last_error();
            // SAFETY: registration failed, so libvirt did not take ownership.
            unsafe { drop(Box::from_raw(lifecycle_sink as *mut Sink)) };
            return Err(err);
        }
        let network_sink = Box::into_raw(Box::new(sink())) as *mut c_void;
        // SAFETY: as above, for VIR_NETWORK_EVENT_ID_LIFECYCLE's callback signature.
        let network_id = unsafe {
            let cb: sys::virConnectNetworkEventGenericCallback = Some(std::mem::transmute::<
                unsafe extern "C" fn(sys::virConnectPtr, sys::virNetworkPtr, c_int, c_int, *mut c_void),
                unsafe extern "C" fn(sys::virConnectPtr, sys::virNetworkPtr, *mut c_void),
            >(on_network));
            sys::virConnectNetworkEventRegisterAny(
                conn.as_ptr(),
                std::ptr::null_mut(),
                sys::VIR_NETWORK_EVENT_ID_LIFECYCLE as c_int,
                cb,
                network_sink,
                Some(free_sink),
            )
        };
        if network_id < 0 {
            // Networks then show changes on the next list; VM events still flow.
            // SAFETY: registration failed, so libvirt did not take ownership.
            unsafe { drop(Box::from_raw(network_sink as *mut Sink)) };
        }
        let close_sink = Box::into_raw(Box::new(sink())) as *mut c_void;
        // SAFETY: as above; libvirt frees `close_sink` through `free_sink`.
        let rc = unsafe {
            sys::virConnectRegisterCloseCallback(conn.as_ptr(), Some(on_close), close_sink, Some(free_sink))
        };
        let close_registered = rc == 0;
        let mut close_error = None;
        if !close_registered {
            // Without it a dead link is noticed only by the next call that fails on it.
            close_error = Some(virt::error::Error::last_error());
            // SAFETY: registration failed, so libvirt did not take ownership.
            unsafe { drop(Box::from_raw(close_sink as *mut Sink)) };
        }
        Ok(Registration { conn: conn.clone(), lifecycle_id, network_id, close_registered, close_error })
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // SAFETY: ids and callback come from `register` on this same connection.
        unsafe {
            sys::virConnectDomainEventDeregisterAny(self.conn.as_ptr(), self.lifecycle_id);
            if self.network_id >= 0 {
                sys::virConnectNetworkEventDeregisterAny(self.conn.as_ptr(), self.network_id);
            }
            if self.close_registered {
                sys::virConnectUnregisterCloseCallback(self.conn.as_ptr(), Some(on_close));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_names_and_states() {
        assert_eq!(lifecycle(sys::VIR_DOMAIN_EVENT_STARTED as c_int), ("started", Some(VmState::Running)));
        assert_eq!(lifecycle(sys::VIR_DOMAIN_EVENT_SUSPENDED as c_int), ("suspended", Some(VmState::Paused)));
        assert_eq!(lifecycle(sys::VIR_DOMAIN_EVENT_STOPPED as c_int), ("stopped", Some(VmState::ShutOff)));
        assert_eq!(lifecycle(sys::VIR_DOMAIN_EVENT_DEFINED as c_int), ("defined", None));
    }
}
