//! The supervisor against a peer that accepts and never answers: libvirt cannot cancel
//! a connect, so every timed-out open leaves a thread blocked until the socket closes.
//! Retrying must not pile those threads up.
//!
//! Its own test binary: it counts the threads of the whole process, which tests running
//! beside it would disturb.

use std::time::Duration;

use vireo_core::{HostEvent, HostStatus};
use vireo_host::{Host, HostOptions};
use vireo_tests::silent_peer::SilentPeer;
use vireo_tests::wait;

/// Timed-out attempts to watch; one blocked thread each would be obvious.
const ATTEMPTS: usize = 15;

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").expect("read /proc/self/task").count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retrying_a_silent_peer_keeps_one_open_in_flight() {
    let peer = SilentPeer::start();
    let opts = HostOptions {
        connect_timeout: Duration::from_millis(200),
        min_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(100),
        ..Default::default()
    };
    let at_start = threads();
    let host = Host::new("silent", &peer.uri(), opts).unwrap();
    let mut events = host.subscribe();
    let failed = |e: &HostEvent| matches!(e, HostEvent::HostStatus { status: HostStatus::Disconnected, .. });

    // The first attempt starts what every host needs (libvirt's event loop thread) and
    // leaves one open blocked on the peer; count from there.
    wait::event(&mut events, "first timed-out attempt", 30, failed).await;
    let after_first = threads();
    for i in 1..ATTEMPTS {
        wait::event(&mut events, &format!("timed-out attempt {}", i + 1), 30, failed).await;
    }
    let after_all = threads();
    let accepted = peer.accepted();
    println!(
        "threads: {at_start} at start, {after_first} after the first timed-out attempt, \
         {after_all} after {ATTEMPTS}; the peer accepted {accepted} connection(s)"
    );
    let (status, error) = host.status();
    assert_ne!(status, HostStatus::Connected, "the silent peer never let it connect");
    assert!(error.is_some(), "the user is told why");

    // Once the kept open ends (the peer hangs up), the next attempt opens anew.
    peer.hang_up();
    let reopened = tokio::time::timeout(Duration::from_secs(30), async {
        while peer.accepted() <= accepted {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;

    // Closing the peer's side ends the blocked open, so the runtime can shut down.
    drop(host);
    peer.hang_up();
    assert!(reopened.is_ok(), "no new open after the kept one ended");

    assert!(
        after_all <= after_first + 3,
        "threads grew from {after_first} to {after_all} over {ATTEMPTS} attempts: timed-out opens pile up"
    );
    assert!(accepted <= 2, "one open in flight at a time, but the peer saw {accepted} connections");
}
