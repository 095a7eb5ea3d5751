//! CPU % from two samples of a VM's CPU time.
//!
//! Each VM keeps its own baseline, stamped when libvirt answered (not when the caller got
//! round to it). Several callers list the same host (the window, a benchmark, a second
//! view): a list that comes too soon after the last baseline reuses that baseline's figure
//! instead of measuring over a few milliseconds, so no caller's list spoils another's.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Below this, two samples say more about scheduling noise than about the guest.
const MIN_INTERVAL: Duration = Duration::from_millis(250);
/// How far above 100 % a reading may go before it is a broken sample rather than rounding
/// between libvirt's clock and ours (seen: 100.4 % on a busy vCPU). Readings in between
/// are shown as 100 %; beyond it, as no figure.
const OVERSHOOT: f64 = 5.0;

#[derive(Debug, Clone, Copy)]
struct Sample {
    cpu_time_ns: u64,
    at: Instant,
}

#[derive(Debug, Default)]
struct VmCpu {
    baseline: Option<Sample>,
    last_percent: Option<f64>,
}

/// Per-VM CPU baselines of one host, keyed by UUID.
#[derive(Debug, Default)]
pub(crate) struct CpuSamples {
    vms: HashMap<String, VmCpu>,
}

impl CpuSamples {
    /// The VM's CPU % since its baseline, given a new sample taken at `at`; moves the
    /// baseline forward when enough time has passed.
    pub(crate) fn percent(&mut self, uuid: &str, cpu_time_ns: u64, at: Instant, vcpus: u32) -> Option<f64> {
        let vm = self.vms.entry(uuid.to_owned()).or_default();
        let sample = Sample { cpu_time_ns, at };
        let Some(base) = vm.baseline else {
            vm.baseline = Some(sample);
            return None;
        };
        match at.checked_duration_since(base.at) {
            // Too soon (or a sample older than the baseline, from a slower concurrent list).
            None => vm.last_percent,
            Some(d) if d < MIN_INTERVAL => vm.last_percent,
            Some(_) => {
                vm.last_percent = cpu_percent(base, sample, vcpus);
                vm.baseline = Some(sample);
                vm.last_percent
            }
        }
    }

    /// Forgets a VM that stopped (its counter starts again from zero) or went away.
    pub(crate) fn forget(&mut self, uuid: &str) {
        self.vms.remove(uuid);
    }

    /// Keeps only the VMs in `present` (a full list tells which still exist).
    pub(crate) fn retain<'a>(&mut self, present: impl IntoIterator<Item = &'a str>) {
        let present: std::collections::HashSet<&str> = present.into_iter().collect();
        self.vms.retain(|uuid, _| present.contains(uuid.as_str()));
    }
}

/// Guest CPU use between two samples, as a share of the VM's vCPUs (0-100); `None` when
/// the samples cannot give a true figure (counter went back, reading far above 100 %).
fn cpu_percent(t0: Sample, t1: Sample, vcpus: u32) -> Option<f64> {
    let wall_ns = t1.at.checked_duration_since(t0.at)?.as_nanos() as f64;
    if wall_ns <= 0.0 || t1.cpu_time_ns < t0.cpu_time_ns {
        return None;
    }
    let pct = (t1.cpu_time_ns - t0.cpu_time_ns) as f64 / (wall_ns * f64::from(vcpus.max(1))) * 100.0;
    (pct <= 100.0 + OVERSHOOT).then_some(pct.min(100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: u64 = 1_000_000_000;

    #[test]
    fn percent_is_the_share_of_the_vcpus_since_the_baseline() {
        let t = Instant::now();
        let mut s = CpuSamples::default();
        assert_eq!(s.percent("a", 0, t, 2), None, "the first sample is only a baseline");
        // One vCPU second out of two vCPUs over one wall second: 50 %.
        assert_eq!(s.percent("a", SEC, t + Duration::from_secs(1), 2), Some(50.0));
        // The baseline moved: the next second is measured on its own.
        assert_eq!(s.percent("a", SEC, t + Duration::from_secs(2), 2), Some(0.0));
    }

    #[test]
    fn a_list_too_soon_after_another_keeps_the_baseline_and_the_figure() {
        let t = Instant::now();
        let mut s = CpuSamples::default();
        s.percent("a", 0, t, 1);
        assert_eq!(s.percent("a", SEC / 4 * 3, t + Duration::from_secs(1), 1), Some(75.0));
        // A second caller lists 10 ms later: same figure, baseline kept.
        assert_eq!(s.percent("a", SEC / 4 * 3 + 10, t + Duration::from_millis(1010), 1), Some(75.0));
        // The next regular list measures from the baseline at 1 s, not from 1.01 s.
        assert_eq!(s.percent("a", SEC / 4 * 3 + SEC / 2, t + Duration::from_secs(2), 1), Some(50.0));
    }

    #[test]
    fn each_vm_has_its_own_baseline() {
        let t = Instant::now();
        let mut s = CpuSamples::default();
        s.percent("a", 0, t, 1);
        assert_eq!(s.percent("b", 0, t + Duration::from_secs(1), 1), None, "b's first sample");
        assert_eq!(s.percent("a", SEC, t + Duration::from_secs(1), 1), Some(100.0));
        assert_eq!(s.percent("b", SEC / 10, t + Duration::from_secs(2), 1), Some(10.0));
    }

    #[test]
    fn broken_samples_give_no_figure_instead_of_a_clamped_one() {
        let t = Instant::now();
        let mut s = CpuSamples::default();
        s.percent("a", 10 * SEC, t, 1);
        // Counter went backwards (the VM restarted between lists).
        assert_eq!(s.percent("a", SEC, t + Duration::from_secs(1), 1), None);
        // Four vCPU seconds in one wall second on two vCPUs is 200 %: a bad sample.
        s.percent("b", 0, t, 2);
        assert_eq!(s.percent("b", 4 * SEC, t + Duration::from_secs(1), 2), None);
        // A hair above 100 % is clock rounding, shown as 100 %.
        s.percent("c", 0, t, 1);
        assert_eq!(s.percent("c", SEC + SEC / 100, t + Duration::from_secs(1), 1), Some(100.0));
    }

    #[test]
    fn forgotten_and_vanished_vms_start_over() {
        let t = Instant::now();
        let mut s = CpuSamples::default();
        s.percent("a", 0, t, 1);
        s.percent("b", 0, t, 1);
        s.forget("a");
        s.retain(["a"]);
        assert_eq!(s.percent("a", SEC, t + Duration::from_secs(1), 1), None);
        assert_eq!(s.percent("b", SEC, t + Duration::from_secs(1), 1), None);
    }
}
