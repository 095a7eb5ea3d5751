//! libvirt networks on the real libvirtd: a NAT network with IPv4 and IPv6 made by the
//! typed builder (its XML validates), its events; the test guest on it gets the static
//! address Vireo wrote and serves httpd there; the lease list names the VM and says
//! static; the DHCP range changes live; stopping or deleting while the VM uses it is
//! refused naming the VM, and with detach its NIC goes; bad input and overlaps (with
//! `default`, with the host's own route) are refused before anything is made.

use vireo_core::{DhcpHost, HostEvent, IpRange, NetworkAction, NetworkIp, NetworkKind, NewNetwork};
use vireo_tests::guest::{unique_mac, unique_name};
use vireo_tests::net_kit::{iso_vm_on, LinkGone, NetGone};
use vireo_tests::storage_kit::{local, validate, virsh, Cleanup, TestPool};
use vireo_tests::wait;

fn v4(cidr: &str, dhcp: Option<(&str, &str)>) -> NetworkIp {
    NetworkIp { cidr: cidr.into(), gateway: None, dhcp: dhcp.map(|(s, e)| IpRange { start: s.into(), end: e.into() }), hosts: vec![] }
}

fn nat(name: &str, ip: NetworkIp) -> NewNetwork {
    NewNetwork { name: name.into(), kind: NetworkKind::Nat, bridge: None, device: None, ipv4: Some(ip), ipv6: None, autostart: false }
}

fn nets() -> String {
    virsh(&["net-list", "--all", "--name"])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_network_made_checked_used_by_a_guest_and_refused_while_in_use() {
    let data = tempfile::tempdir().unwrap();
    let (app, host) = local(data.path()).await;
    let h = app.host(&host).unwrap();
    let mut events = h.subscribe();
    let name = unique_name("net");
    let _gone = NetGone(name.clone());
    let mut spec = nat(&name, v4("10.77.1.0/24", Some(("10.77.1.100", "10.77.1.200"))));
    spec.ipv6 = Some(NetworkIp { cidr: "fd00:77:1::/64".into(), gateway: None, dhcp: None, hosts: vec![] });
    let made = app.create_network(&host, spec).await.expect("create the network");
    assert!(made.active && made.kind == NetworkKind::Nat, "{made:?}");
    assert_eq!(made.ipv4.as_ref().unwrap().gateway.as_deref(), Some("10.77.1.1"));
    assert_eq!(made.ipv6.as_ref().unwrap().gateway.as_deref(), Some("fd00:77:1::1"));
    validate("network", &virsh(&["net-dumpxml", "--inactive", &name]));
    wait::event(&mut events, "the network's started event", 20, |e| {
        matches!(e, HostEvent::NetworkLifecycle { name: n, event, .. } if *n == name && event == "started")
    })
    .await;
    let listed = app.list_networks(&host).await.unwrap();
    assert!(listed.iter().any(|n| n.name == name) && listed.iter().any(|n| n.name == "default"), "{listed:?}");

    // A static host, then the guest on the network with that MAC: it gets the address.
    let mac = unique_mac();
    app.add_dhcp_host(&host, &name, DhcpHost { mac: Some(mac.clone()), ip: "10.77.1.50".into(), name: Some("web".into()) }).await.unwrap();
    let again = app.add_dhcp_host(&host, &name, DhcpHost { mac: Some(unique_mac()), ip: "10.77.1.50".into(), name: None }).await.unwrap_err();
    assert!(again.to_string().contains("already gives 10.77.1.50"), "{again}");
    assert!(virsh(&["net-dumpxml", "--inactive", &name]).contains("10.77.1.50"), "the static host is persistent too");
    let pool = TestPool::make(&app, &host).await;
    let iso = pool.guest_iso(&app, &host).await;
    let vm = unique_name("netvm");
    let _vm_gone = Cleanup(vm.clone());
    iso_vm_on(&app, &host, &vm, &pool.name, &iso, &name, &mac, true).await;
    let lease = wait::lease(&h, &name, &mac, 120).await;
    assert_eq!(lease.ip, "10.77.1.50", "the guest got the static address");
    let page = wait::http_get(&lease.ip, 60).await;
    assert!(page.contains(" 200 "), "{page}");
    let leases = app.network_leases(&host, &name).await.unwrap();
    let l = leases.iter().find(|l| l.mac == mac).expect("the guest's lease listed");
    assert!(l.is_static && l.vm.as_deref() == Some(vm.as_str()), "{l:?}");
    assert_eq!(app.network(&host, &name).await.unwrap().vms, vec![vm.clone()]);

    // The DHCP range changes live on the running network.
    let outcome = app
        .set_network_ip(&host, &name, NetworkIp { hosts: vec![], ..v4("10.77.1.0/24", Some(("10.77.1.120", "10.77.1.130"))) }, false)
        .await
        .unwrap();
    assert_eq!(outcome.applied, vireo_core::Applied::Now, "{outcome:?}");
    assert!(virsh(&["net-dumpxml", &name]).contains("start='10.77.1.120'"), "live");
    assert!(virsh(&["net-dumpxml", "--inactive", &name]).contains("start='10.77.1.120'"), "and persistent");
    assert!(virsh(&["net-dumpxml", "--inactive", &name]).contains("10.77.1.50"), "the static host stays");
    // A subnet the static host would not fit in is refused.
    let moved = app.set_network_ip(&host, &name, v4("10.77.2.0/24", None), false).await.unwrap_err();
    assert!(moved.to_string().contains("static host 10.77.1.50 would not fit"), "{moved}");

    // In use: stop and delete are refused with the VM's name; nothing changes.
    let stop = app.network_action(&host, &name, NetworkAction::Stop, false).await.unwrap_err();
    assert_eq!(stop.code(), "in_use");
    assert!(stop.to_string().contains(&vm), "{stop}");
    let del = app.delete_network(&host, &name, false).await.unwrap_err();
    assert!(del.to_string().contains(&vm), "{del}");
    assert!(app.network(&host, &name).await.unwrap().active);
    // With detach: the VM's NIC on it goes, then the network.
    app.delete_network(&host, &name, true).await.expect("delete, detaching the VM");
    assert!(!nets().lines().any(|l| l.trim() == name), "{}", nets());
    assert!(!virsh(&["dumpxml", &vm]).contains(&format!("network='{name}'")), "the VM's NIC went");
    assert!(!virsh(&["dumpxml", "--inactive", &vm]).contains(&format!("network='{name}'")), "from its definition too");
    wait::event(&mut events, "the network's undefined event", 20, |e| {
        matches!(e, HostEvent::NetworkLifecycle { name: n, event, .. } if *n == name && event == "undefined")
    })
    .await;
    let history = app.history(50).await.unwrap();
    for action in ["create_network", "add_static_host", "change_network_subnet", "delete_network_detaching_vms"] {
        assert!(history.iter().any(|e| e.action == action && e.target.starts_with(&name)), "history has {action}");
    }
}


#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_networks_are_refused_before_anything_is_made() {
    let data = tempfile::tempdir().unwrap();
    let (app, host) = local(data.path()).await;
    let name = unique_name("badnet");
    let made = || nets().lines().any(|l| l.trim() == name);
    let _gone = NetGone(name.clone());
    let cases: Vec<(NewNetwork, &str)> = vec![
        (nat(&name, v4("192.168.122.128/25", None)), "overlaps network 'default' (192.168.122.0/24)"),
        (nat(&name, v4("10.78.0.0/33", None)), "is not a subnet like"),
        (nat(&name, v4("10.78.0.1/24", None)), "has host bits set; the subnet is 10.78.0.0/24"),
        (nat(&name, NetworkIp { gateway: Some("10.79.0.1".into()), ..v4("10.78.0.0/24", None) }), "10.79.0.1 is outside 10.78.0.0/24"),
        (nat(&name, v4("10.78.0.0/24", Some(("10.78.0.1", "10.78.0.50")))), "holds the gateway 10.78.0.1"),
        (nat(&name, v4("10.78.0.0/24", Some(("10.78.0.50", "10.78.1.5")))), "outside the usable addresses"),
        (nat("a<b>&c", v4("10.78.0.0/24", None)), "network name"),
        (nat(&"n".repeat(300), v4("10.78.0.0/24", None)), "at most 64"),
        (nat("default", v4("10.78.0.0/24", None)), "already has a network named 'default'"),
        (NewNetwork { bridge: Some("virbr0".into()), ..nat(&name, v4("10.78.0.0/24", None)) }, "virbr0 is the bridge of network 'default'"),
        (NewNetwork { bridge: Some("../etc".into()), ..nat(&name, v4("10.78.0.0/24", None)) }, "not an interface name"),
        (NewNetwork { ipv4: None, ..nat(&name, v4("10.78.0.0/24", None)) }, "needs an IPv4 subnet"),
    ];
    for (spec, want) in cases {
        let e = app.create_network(&host, spec.clone()).await.unwrap_err();
        assert!(e.to_string().contains(want), "{:?}: {e} (wanted '{want}')", spec.name);
    }
    // The host's own route: whatever subnet eth0 (or the first interface with a route) is on.
    let route = std::process::Command::new("ip").args(["-4", "route", "show", "scope", "link"]).output().unwrap();
    let route = String::from_utf8_lossy(&route.stdout);
    if let Some(line) = route.lines().find(|l| !l.contains("virbr")) {
        let cidr = line.split_whitespace().next().unwrap();
        let e = app.create_network(&host, nat(&name, v4(cidr, None))).await.unwrap_err();
        assert!(e.to_string().contains("the host's route on"), "{cidr}: {e}");
    }
    assert!(!made(), "nothing was made");
    // A bridge network needs the host bridge (libvirt itself would start it without);
    // an SR-IOV one a NIC with virtual functions (this machine has none).
    let lan = NewNetwork { kind: NetworkKind::Bridge, bridge: Some("vireo-nobr0".into()), ipv4: None, ..nat(&name, v4("10.78.0.0/24", None)) };
    let e = app.create_network(&host, lan.clone()).await.unwrap_err();
    assert!(e.to_string().contains("has no bridge named vireo-nobr0"), "{e}");
    let vf = NewNetwork { kind: NetworkKind::Sriov, bridge: None, device: Some("lo".into()), ..lan.clone() };
    let e = app.create_network(&host, vf).await.unwrap_err();
    assert!(e.to_string().contains("lo has no SR-IOV virtual functions"), "{e}");
    assert!(!made(), "nothing was made");
    // With the bridge there, guests join it.
    let br = format!("vbr{}", std::process::id() % 100_000);
    let _br_gone = LinkGone(br.clone());
    let st = std::process::Command::new("ip").args(["link", "add", &br, "type", "bridge"]).status().unwrap();
    assert!(st.success());
    let lan = NewNetwork { bridge: Some(br.clone()), ..lan };
    let made_lan = app.create_network(&host, lan).await.expect("a bridge network on a real bridge");
    assert!(made_lan.active && made_lan.kind == NetworkKind::Bridge && made_lan.bridge.as_deref() == Some(br.as_str()), "{made_lan:?}");
    validate("network", &virsh(&["net-dumpxml", &name]));
    app.delete_network(&host, &name, false).await.unwrap();
    assert!(!made());
}
