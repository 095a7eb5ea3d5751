//! Linux bridges made by Vireo on this machine (netlink): bad names and NICs are refused
//! before anything is made (a NIC with an address would lose it; one that is missing or
//! a bridge itself); a bridge with a NIC (a veth end) enslaved, a bridge network on it, the
//! test guest booted there with its NIC on the bridge; the bridge cannot go while the
//! network is on it, then goes, releasing its port.

use std::process::Command;

use vireo_core::{NetworkKind, NewNetwork};
use vireo_tests::guest::{unique_mac, unique_name};
use vireo_tests::net_kit::{iso_vm_on, LinkGone, NetGone};
use vireo_tests::storage_kit::{local, validate, virsh, Cleanup, TestPool};

fn ip(args: &[&str]) -> String {
    let out = Command::new("ip").args(args).output().expect("run ip");
    assert!(out.status.success(), "ip {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn link(name: &str) -> Option<serde_json::Value> {
    let out = Command::new("ip").args(["-json", "link", "show", "dev", name]).output().unwrap();
    out.status.success().then(|| serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()[0].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bridge_made_by_vireo_carries_a_bridge_network_and_the_guest() {
    let data = tempfile::tempdir().unwrap();
    let (app, host) = local(data.path()).await;
    let id = std::process::id() % 100_000;
    let (br, nic, busy_nic) = (format!("vbr{id}"), format!("vdm{id}"), format!("vda{id}"));
    let _gones = [LinkGone(br.clone()), LinkGone(nic.clone()), LinkGone(busy_nic.clone())];
    // veth pairs stand in for NICs (this kernel has no dummy driver); the peers go with them.
    ip(&["link", "add", "name", &nic, "type", "veth", "peer", "name", &format!("vdp{id}")]);
    ip(&["link", "add", "name", &busy_nic, "type", "veth", "peer", "name", &format!("vdq{id}")]);
    ip(&["address", "add", "10.251.7.1/24", "dev", &busy_nic]);
    let links_before = ip(&["-brief", "link"]);

    // Refused before anything is made.
    for (name, nic_arg, why) in [
        ("a<b", None, "is not an interface name"),
        ("lo", None, "already has a network interface named 'lo'"),
        (br.as_str(), Some("vnone0"), "the host has no interface 'vnone0'"),
        (br.as_str(), Some(busy_nic.as_str()), "has the address 10.251.7.1"),
        (br.as_str(), Some("lo"), "has the address 127.0.0.1"),
    ] {
        let e = app.create_bridge(&host, name, nic_arg).await.unwrap_err();
        assert!(e.to_string().contains(why), "{name} {nic_arg:?}: {e}");
    }
    assert_eq!(ip(&["-brief", "link"]), links_before, "no interface was made or changed");

    // The bridge, with the NIC on it.
    app.create_bridge(&host, &br, Some(&nic)).await.expect("make the bridge");
    let b = link(&br).expect("the bridge exists");
    assert!(b["flags"].as_array().unwrap().iter().any(|f| f == "UP"), "it is up: {b}");
    assert_eq!(link(&nic).unwrap()["master"], br.as_str(), "the NIC is its port");
    let e = app.create_bridge(&host, &format!("vbx{id}"), Some(&nic)).await.unwrap_err();
    assert!(e.to_string().contains(&format!("already a port of '{br}'")), "{e}");

    // A bridge network on it, and the guest there.
    let net = unique_name("brnet");
    let _net_gone = NetGone(net.clone());
    let spec = NewNetwork { name: net.clone(), kind: NetworkKind::Bridge, bridge: Some(br.clone()), device: None, ipv4: None, ipv6: None, autostart: false };
    app.create_network(&host, spec).await.expect("a bridge network on Vireo's bridge");
    validate("network", &virsh(&["net-dumpxml", "--inactive", &net]));
    let pool = TestPool::make(&app, &host).await;
    let iso = pool.guest_iso(&app, &host).await;
    let vm = unique_name("brvm");
    let vm_gone = Cleanup(vm.clone());
    iso_vm_on(&app, &host, &vm, &pool.name, &iso, &net, &unique_mac(), true).await;
    assert_eq!(virsh(&["domstate", &vm]).trim(), "running");
    let ports = ip(&["-json", "link", "show", "master", &br]);
    assert!(ports.contains("\"vnet"), "the guest's NIC is on the bridge: {ports}");

    // Not while the network is on it; then it goes, and its port is released.
    let e = app.delete_bridge(&host, &br).await.unwrap_err();
    assert_eq!(e.code(), "in_use");
    assert!(e.to_string().contains(&format!("network {net}")), "{e}");
    drop(vm_gone);
    app.delete_network(&host, &net, true).await.unwrap();
    let e = app.delete_bridge(&host, &nic).await.unwrap_err();
    assert!(e.to_string().contains("is not a bridge"), "{e}");
    app.delete_bridge(&host, &br).await.expect("remove the bridge");
    assert!(link(&br).is_none(), "the bridge is gone");
    assert!(link(&nic).unwrap().get("master").is_none(), "its port is free again");
    let history = app.history(30).await.unwrap();
    for action in ["create_bridge", "delete_bridge"] {
        assert!(history.iter().any(|e| e.action == action && e.ok && e.target.starts_with(&br)), "history has {action}");
    }
}
