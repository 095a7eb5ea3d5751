//! The bulk stats call (`virConnectGetAllDomainStats`): state, size and counters of every
//! domain on a host in one round trip, however many VMs there are.
//!
//! `virt` 0.5 returns the records as raw pointers and never frees them, so this module
//! calls libvirt directly, copies what it needs and frees the list.

use std::ffi::CStr;

use virt::connect::Connect;
use virt::sys;
use vireo_core::{VmFigures, VmState};

use crate::ffi::domain_identity;

/// One domain's figures as libvirt reported them. Fields libvirt left out are `None`
/// (e.g. the test driver reports only the state).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DomainStats {
    pub name: String,
    pub uuid: String,
    pub state: Option<u32>,
    /// Total guest CPU time, ns.
    pub cpu_time_ns: Option<u64>,
    pub vcpus: Option<u32>,
    pub balloon_current_kib: Option<u64>,
    pub balloon_maximum_kib: Option<u64>,
    pub balloon_rss_kib: Option<u64>,
    pub disk_read_bytes: u64,
    pub disk_write_bytes: u64,
    pub net_rx_bytes: u64,
    pub net_tx_bytes: u64,
}

impl DomainStats {
    /// libvirt's state number, named.
    pub fn vm_state(&self) -> VmState {
        VmState::from_libvirt(self.state.unwrap_or(0))
    }

    /// The figures of this record, as listed and as pushed (one mapping for both). A VM
    /// without a process has no CPU % or resident memory, whatever a stale sample says.
    pub fn figures(&self, cpu_percent: Option<f64>) -> VmFigures {
        let active = self.vm_state().is_active();
        VmFigures {
            cpu_percent: cpu_percent.filter(|_| active),
            memory_kib: self.balloon_current_kib.unwrap_or(0),
            memory_rss_kib: self.balloon_rss_kib.filter(|_| active),
            disk_read_bytes: self.disk_read_bytes,
            disk_write_bytes: self.disk_write_bytes,
            net_rx_bytes: self.net_rx_bytes,
            net_tx_bytes: self.net_tx_bytes,
        }
    }
}

/// A typed parameter's value, widened.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Value {
    Int(i64),
    Uint(u64),
    Other,
}

impl Value {
    fn as_u64(self) -> Option<u64> {
        match self {
            Value::Int(v) => u64::try_from(v).ok(),
            Value::Uint(v) => Some(v),
            Value::Other => None,
        }
    }
}

impl DomainStats {
    /// Folds one `field=value` pair of a stats record into the figures.
    pub(crate) fn apply(&mut self, field: &str, value: Value) {
        let Some(v) = value.as_u64() else { return };
        match field {
            "state.state" => self.state = u32::try_from(v).ok(),
            "cpu.time" => self.cpu_time_ns = Some(v),
            "vcpu.current" => self.vcpus = u32::try_from(v).ok(),
            "balloon.current" => self.balloon_current_kib = Some(v),
            "balloon.maximum" => self.balloon_maximum_kib = Some(v),
            "balloon.rss" => self.balloon_rss_kib = Some(v),
            _ => {
                // Per-device counters: net.<n>.rx.bytes, block.<n>.rd.bytes, ...
                if let Some(rest) = field.strip_prefix("net.") {
                    match rest.split_once('.').map(|(_, k)| k) {
                        Some("rx.bytes") => self.net_rx_bytes += v,
                        Some("tx.bytes") => self.net_tx_bytes += v,
                        _ => {}
                    }
                } else if let Some(rest) = field.strip_prefix("block.") {
                    match rest.split_once('.').map(|(_, k)| k) {
                        Some("rd.bytes") => self.disk_read_bytes += v,
                        Some("wr.bytes") => self.disk_write_bytes += v,
                        _ => {}
                    }
                }
            }
        }
    }
}

const STATS: u32 = sys::VIR_DOMAIN_STATS_STATE
    | sys::VIR_DOMAIN_STATS_CPU_TOTAL
    | sys::VIR_DOMAIN_STATS_BALLOON
    | sys::VIR_DOMAIN_STATS_VCPU
    | sys::VIR_DOMAIN_STATS_INTERFACE
    | sys::VIR_DOMAIN_STATS_BLOCK;

/// Skip (rather than wait for) a domain that is busy with a long job, so a migration or
/// a slow storage call on one VM never stalls the whole list.
const NOWAIT: u32 = sys::VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT;

/// Which domains a bulk call covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Domains {
    /// Running and defined: the whole list.
    All,
    /// Only those with a QEMU process (running, paused, ...), filtered by libvirt, so the
    /// cost follows the running VMs, not the defined ones.
    Active,
}

impl Domains {
    /// `virConnectGetAllDomainStats` flags for these domains.
    fn stats_flags(self) -> u32 {
        match self {
            Domains::All => NOWAIT,
            Domains::Active => NOWAIT | sys::VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE,
        }
    }

    /// The same choice for `virConnectListAllDomains` (drivers without bulk stats).
    pub(crate) fn list_flags(self) -> u32 {
        match self {
            Domains::All => 0,
            Domains::Active => sys::VIR_CONNECT_LIST_DOMAINS_ACTIVE,
        }
    }
}

/// The domains `which` names, with their figures, in one call.
pub(crate) fn all_domain_stats(conn: &Connect, which: Domains) -> Result<Vec<DomainStats>, virt::error::Error> {
    let mut records: *mut sys::virDomainStatsRecordPtr = std::ptr::null_mut();
    // SAFETY: a valid connection; libvirt allocates `records`, freed below.
    let n = unsafe { sys::virConnectGetAllDomainStats(conn.as_ptr(), STATS, &mut records, which.stats_flags()) };
    if n < 0 {
        return Err(virt::error::Error::last_error());
    }
    let mut out = Vec::with_capacity(n as usize);
    for i in 0..n as usize {
        // SAFETY: libvirt returned `n` valid records.
        let rec = unsafe { &**records.add(i) };
        // SAFETY: the record's domain pointer is valid until the list is freed.
        let (name, uuid) = unsafe { domain_identity(rec.dom) };
        let mut s = DomainStats { name, uuid, ..Default::default() };
        for j in 0..rec.nparams.max(0) as usize {
            // SAFETY: `nparams` entries follow `params`.
            let p = unsafe { &*rec.params.add(j) };
            // SAFETY: libvirt NUL-terminates the field name inside the 80-byte array.
            let field = unsafe { CStr::from_ptr(p.field.as_ptr()) }.to_string_lossy();
            // SAFETY: the union member read is the one `type_` names.
            let value = unsafe {
                match p.type_ as u32 {
                    sys::VIR_TYPED_PARAM_INT => Value::Int(p.value.i.into()),
                    sys::VIR_TYPED_PARAM_UINT => Value::Uint(p.value.ui.into()),
                    sys::VIR_TYPED_PARAM_LLONG => Value::Int(p.value.l),
                    sys::VIR_TYPED_PARAM_ULLONG => Value::Uint(p.value.ul),
                    _ => Value::Other,
                }
            };
            s.apply(&field, value);
        }
        out.push(s);
    }
    if !records.is_null() {
        // SAFETY: frees the records, their parameters and their domain references.
        unsafe { sys::virDomainStatsRecordListFree(records) };
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_fields_and_sums_devices() {
        let mut s = DomainStats::default();
        s.apply("state.state", Value::Int(1));
        s.apply("cpu.time", Value::Uint(5_000));
        s.apply("vcpu.current", Value::Uint(2));
        s.apply("balloon.current", Value::Uint(1024));
        s.apply("balloon.maximum", Value::Uint(2048));
        s.apply("net.count", Value::Uint(2));
        s.apply("net.0.name", Value::Other);
        s.apply("net.0.rx.bytes", Value::Uint(10));
        s.apply("net.1.rx.bytes", Value::Uint(5));
        s.apply("net.1.tx.bytes", Value::Uint(7));
        s.apply("net.0.rx.pkts", Value::Uint(999));
        s.apply("block.0.rd.bytes", Value::Uint(100));
        s.apply("block.1.wr.bytes", Value::Uint(30));
        s.apply("block.1.rd.reqs", Value::Uint(999));
        assert_eq!(s.state, Some(1));
        assert_eq!(s.cpu_time_ns, Some(5_000));
        assert_eq!(s.vcpus, Some(2));
        assert_eq!((s.balloon_current_kib, s.balloon_maximum_kib), (Some(1024), Some(2048)));
        assert_eq!((s.net_rx_bytes, s.net_tx_bytes), (15, 7));
        assert_eq!((s.disk_read_bytes, s.disk_write_bytes), (100, 30));
    }

    #[test]
    fn negative_values_are_ignored() {
        let mut s = DomainStats::default();
        s.apply("cpu.time", Value::Int(-1));
        assert_eq!(s.cpu_time_ns, None);
    }
}
