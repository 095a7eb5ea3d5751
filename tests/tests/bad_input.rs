//! Bad input gets a clear, typed error quickly: no crash, no hang.

use std::time::Duration;

use vireo_core::{VmAction, VmRef};
use vireo_host::{Host, HostOptions};

async fn local() -> Host {
    Host::connect("local", "qemu:///system", HostOptions::default()).await.expect("connect to libvirtd")
}

#[tokio::test]
async fn starting_a_vm_that_does_not_exist_names_it() {
    let host = local().await;
    let err = host.vm_action(&VmRef::Name("vireo-no-such-vm".into()), VmAction::Start).await.unwrap_err();
    assert_eq!(err.code(), "vm_not_found");
    assert!(err.to_string().contains("vireo-no-such-vm"), "{err}");
    assert!(err.hint().unwrap().contains("vireo vm list"));
}

#[test]
fn what_no_vm_can_be_called_never_reaches_libvirt() {
    for bad in ["", "a\0b"] {
        let err = VmRef::parse(bad).unwrap_err();
        assert_eq!(err.code(), "invalid_input", "{bad:?}: {err}");
    }
    assert_eq!(VmRef::uuid("../etc").unwrap_err().code(), "invalid_input");
}

#[tokio::test]
async fn unreachable_uris_fail_fast_with_the_reason() {
    let cases = [
        ("qemu+tcp://127.0.0.1:1/system", "Connection refused"),
        ("qemu+unix:///system?socket=/nonexistent/libvirt-sock", "No such file"),
    ];
    for (uri, reason) in cases {
        let got = tokio::time::timeout(Duration::from_secs(10), Host::connect("x", uri, HostOptions::default())).await;
        let err = got.expect("connect gave up within 10 s").err().expect("connect fails");
        assert_eq!(err.code(), "unreachable", "{uri}: {err}");
        assert!(err.to_string().contains(reason), "{uri}: {err}");
    }
}

#[tokio::test]
async fn a_host_that_never_answers_times_out() {
    // A listening socket that accepts but never speaks libvirt's protocol.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let uri = format!("qemu+tcp://127.0.0.1:{port}/system");
    let opts = HostOptions { connect_timeout: Duration::from_secs(2), ..Default::default() };
    let err = Host::connect("mute", &uri, opts).await.err().expect("a mute peer is not a connection");
    assert!(matches!(err.code(), "unreachable" | "timeout"), "{err}");
    drop(listener);
}

#[tokio::test]
async fn malformed_uris_are_refused_before_connecting() {
    let err = Host::connect("x", "localhost", HostOptions::default()).await.err().unwrap();
    assert_eq!(err.code(), "invalid_input");
    assert!(err.to_string().contains("no scheme"), "{err}");
}
