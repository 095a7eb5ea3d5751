//! The figures of a host's running VMs alone, for the periodic stats push.
//!
//! One bulk call that libvirt filters to active domains, so an idle host with thousands
//! of defined VMs costs one empty round trip, not a walk over every definition. CPU %
//! shares the per-VM baselines of `list_vms`, so a push and a list in the same second
//! do not spoil each other's figures.

use std::time::Instant;

use vireo_core::{Result, VmStats};

use crate::host::Host;
use crate::stats::{DomainStats, Domains};
use crate::vms::{collect_stats, cpu_of};

impl Host {
    /// Live figures of every running (active) VM of the host, in one bulk round trip.
    pub async fn running_stats(&self) -> Result<Vec<VmStats>> {
        // Stamped in the blocking call as libvirt answered, not after the hop back.
        let (stats, at) = self.call(|conn| Ok((collect_stats(conn, Domains::Active)?, Instant::now()))).await?;
        let mut samples = self.inner.cpu_samples.lock().unwrap();
        // A VM missing here is not running: its counter restarts from zero when it runs
        // again, so its baseline goes (as `list_vms` drops a stopped VM's).
        samples.retain(stats.iter().map(|s| s.uuid.as_str()));
        Ok(stats
            .into_iter()
            .filter_map(|s| {
                let cpu_percent = cpu_of(&mut samples, &s, at);
                vm_stats(s, cpu_percent)
            })
            .collect())
    }
}

/// The pushed figures of one record; `None` for a domain that stopped between libvirt's
/// filter and its state read (pushes carry running VMs only).
fn vm_stats(s: DomainStats, cpu_percent: Option<f64>) -> Option<VmStats> {
    let state = s.vm_state();
    state.is_active().then(|| VmStats { figures: s.figures(cpu_percent), uuid: s.uuid, state })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use vireo_core::VmState;

    #[test]
    fn a_record_that_stopped_meanwhile_is_left_out() {
        let running = DomainStats { uuid: "a".into(), state: Some(1), balloon_current_kib: Some(512), ..Default::default() };
        let v = vm_stats(running, Some(5.0)).unwrap();
        assert_eq!((v.state, v.figures.memory_kib, v.figures.cpu_percent), (VmState::Running, 512, Some(5.0)));
        let paused = DomainStats { uuid: "p".into(), state: Some(3), ..Default::default() };
        assert_eq!(vm_stats(paused, None).unwrap().state, VmState::Paused);
        let stopped = DomainStats { uuid: "b".into(), state: Some(5), ..Default::default() };
        assert_eq!(vm_stats(stopped, None), None);
    }

    /// The demo driver has one running VM, "test", and reports only its state in bulk:
    /// the completion pass supplies CPU time and memory, and the second push has a CPU %.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_demo_drivers_running_vm_is_pushed_with_its_figures() {
        let host = Host::connect("demo", "test:///default", Default::default()).await.unwrap();
        let first = host.running_stats().await.unwrap();
        assert_eq!(first.len(), 1, "{first:?}");
        assert_eq!(first[0].state, VmState::Running);
        assert!(first[0].figures.memory_kib > 0, "{first:?}");
        assert_eq!(first[0].figures.cpu_percent, None, "the first sample is only a baseline");
        tokio::time::sleep(Duration::from_millis(300)).await;
        let second = host.running_stats().await.unwrap();
        assert!(second[0].figures.cpu_percent.is_some(), "{second:?}");
        let listed = host.list_vms().await.unwrap();
        assert_eq!(listed.iter().find(|v| v.state.is_active()).map(|v| &v.uuid), Some(&second[0].uuid));
    }
}
