//! One stats task per host session: every `STATS_INTERVAL`, while the host is connected,
//! the figures of its running VMs go out as `HostEvent::VmStats`, so the UI keeps its
//! numbers fresh without re-listing every VM.
//!
//! Only when there is something to say: a message while VMs run, one empty message when
//! the last one stopped (so the UI clears their figures), then silence. An idle host
//! with thousands of shut-off VMs sends nothing and costs one filtered bulk call a tick.

use tokio::sync::broadcast;
use tokio::time::MissedTickBehavior;
use vireo_core::{HostEvent, HostStatus, STATS_INTERVAL};
use vireo_host::Host;

use crate::session::Task;

/// Starts the host's stats task; it ends when the returned handle is dropped (the host
/// is removed or the app closes).
pub(crate) fn start(host: Host, events: broadcast::Sender<HostEvent>) -> Task {
    Task::spawn(pump(host, events))
}

async fn pump(host: Host, events: broadcast::Sender<HostEvent>) {
    let mut tick = tokio::time::interval(STATS_INTERVAL);
    // A tick missed while the machine was busy (or a slow host answered late) is dropped,
    // not made up with a burst of back-to-back calls.
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut had_vms = false;
    loop {
        tick.tick().await;
        // A disconnected host has nothing to measure; its status events tell the UI.
        if host.status().0 != HostStatus::Connected {
            continue;
        }
        let vms = match host.running_stats().await {
            Ok(vms) => vms,
            Err(e) => {
                // The next tick tries again; a lost link shows up as a status event.
                tracing::debug!(host = %host.id(), "stats skipped: {e}");
                continue;
            }
        };
        let running = !vms.is_empty();
        if should_push(had_vms, running) {
            let _ = events.send(HostEvent::VmStats { host_id: host.id().to_owned(), vms });
        }
        had_vms = running;
    }
}

/// Whether a tick's figures are worth a message: any running VM, or the first empty
/// list after a tick that had some (the last VM stopped). `had_vms` is whether the
/// previous measured tick found running VMs.
pub(crate) fn should_push(had_vms: bool, running: bool) -> bool {
    running || had_vms
}

#[cfg(test)]
mod tests {
    use super::should_push;

    /// Replays a host's running-VM counts tick by tick, as the pump keeps its state.
    fn pushes(counts: &[usize]) -> Vec<bool> {
        let mut had_vms = false;
        counts
            .iter()
            .map(|&n| {
                let sent = should_push(had_vms, n > 0);
                had_vms = n > 0;
                sent
            })
            .collect()
    }

    #[test]
    fn an_idle_host_stays_silent() {
        assert_eq!(pushes(&[0, 0, 0]), [false, false, false]);
    }

    #[test]
    fn running_vms_are_pushed_every_tick_then_one_empty_list_then_silence() {
        assert_eq!(pushes(&[2, 1, 1, 0, 0, 0]), [true, true, true, true, false, false]);
    }

    #[test]
    fn a_vm_that_starts_again_is_pushed_again() {
        assert_eq!(pushes(&[1, 0, 0, 3, 0, 0]), [true, true, false, true, true, false]);
    }
}
