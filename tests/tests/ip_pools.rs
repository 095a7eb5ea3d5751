//! IP pools on the real libvirtd: a pool tied to a NAT network Vireo made; a reserved
//! address is never handed out; the test guest's NIC is assigned the next free address,
//! the network gets the static DHCP host, and the guest comes up with exactly that
//! address (its httpd answers there); a host-side binding the pool does not know is
//! reported as a conflict; release removes the static host; delete is refused while a VM
//! uses the pool; bad input (ranges, names, a range outside the network or overlapping
//! another pool, a MAC already bound, an exhausted pool) is refused and changes nothing.

use vireo_app::Vireo;
use vireo_core::{AddressState, DhcpHost, Hold, IpRange, NetworkIp, NetworkKind, NewIpPool, NewNetwork, VmAction};
use vireo_tests::guest::{unique_mac, unique_name};
use vireo_tests::net_kit::{iso_vm_on, NetGone};
use vireo_tests::storage_kit::{local, virsh, Cleanup, TestPool};
use vireo_tests::wait;

fn pool(name: &str, network: Option<&str>, ranges: &[&str]) -> NewIpPool {
    NewIpPool { name: name.into(), network: network.map(str::to_owned), ranges: ranges.iter().map(|r| r.to_string()).collect() }
}

async fn network(app: &Vireo, host: &str, name: &str, cidr: &str, dhcp: (&str, &str)) {
    let ip = NetworkIp { cidr: cidr.into(), gateway: None, dhcp: Some(IpRange { start: dhcp.0.into(), end: dhcp.1.into() }), hosts: vec![] };
    let net = NewNetwork { name: name.into(), kind: NetworkKind::Nat, bridge: None, device: None, ipv4: Some(ip), ipv6: None, autostart: false };
    app.create_network(host, net).await.expect("create the network");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_comes_up_with_the_address_its_pool_assigned() {
    let data = tempfile::tempdir().unwrap();
    let (app, host) = local(data.path()).await;
    let h = app.host(&host).unwrap();
    let net = unique_name("ipnet");
    let _gone = NetGone(net.clone());
    network(&app, &host, &net, "10.78.4.0/24", ("10.78.4.2", "10.78.4.99")).await;
    let name = unique_name("pool");
    let made = app.create_ip_pool(&host, pool(&name, Some(&net), &["10.78.4.100-10.78.4.110"])).await.expect("create the pool");
    assert_eq!((made.size.as_str(), made.used, made.free.as_str()), ("11", 0, "11"), "{made:?}");

    // A reservation, then the guest's NIC: it gets the next address after the reserved one.
    let r = app.allocate_ip(&host, &name, Some("10.78.4.100"), Hold::Reserve { note: "the router".into() }).await.unwrap();
    assert_eq!(r.state, AddressState::Reserved);
    let store = TestPool::make(&app, &host).await;
    let iso = store.guest_iso(&app, &host).await;
    let vm = unique_name("poolvm");
    let _vm_gone = Cleanup(vm.clone());
    let mac = unique_mac();
    let uuid = iso_vm_on(&app, &host, &vm, &store.name, &iso, &net, &mac, false).await;
    let given = app.assign_ip(&host, &name, &vm, None, None).await.expect("assign an address to the guest's NIC");
    assert_eq!((given.ip.as_str(), given.vm.as_deref(), given.mac.as_deref(), given.dhcp_host), ("10.78.4.101", Some(vm.as_str()), Some(mac.as_str()), true));
    let xml = virsh(&["net-dumpxml", "--inactive", &net]);
    assert!(xml.contains(&format!("mac='{mac}'")) && xml.contains("ip='10.78.4.101'"), "the static host is written: {xml}");
    // The same NIC twice is refused; so is an address the pool holds.
    let twice = app.assign_ip(&host, &name, &vm, None, None).await.unwrap_err();
    assert!(twice.to_string().contains("already has it"), "{twice}");
    let held = app.allocate_ip(&host, &name, Some("10.78.4.100"), Hold::Use { vm: None, mac: None, note: None }).await.unwrap_err();
    assert_eq!(held.to_string(), "10.78.4.100 is taken: reserved: the router");

    app.vm_action(&host, &uuid, VmAction::Start).await.unwrap();
    let lease = wait::lease(&h, &net, &mac, 120).await;
    assert_eq!(lease.ip, "10.78.4.101", "the guest has exactly the pool's address");
    let page = wait::http_get(&lease.ip, 60).await;
    assert!(page.contains(" 200 "), "its httpd answers there: {page}");

    // A static host made by hand inside the pool: the pool steps over it and reports it.
    let other = unique_mac();
    app.add_dhcp_host(&host, &net, DhcpHost { mac: Some(other.clone()), ip: "10.78.4.102".into(), name: None }).await.unwrap();
    let detail = app.ip_pool(&host, &name).await.unwrap();
    assert_eq!((detail.pool.used, detail.pool.reserved), (1, 1));
    let c = detail.conflicts.iter().find(|c| c.ip == "10.78.4.102").expect("the hand-made static host reported");
    assert!(c.reason.contains(&other) && c.reason.contains("pool has it free"), "{c:?}");
    let next = app.allocate_ip(&host, &name, None, Hold::Use { vm: None, mac: None, note: Some("spare".into()) }).await.unwrap();
    assert_eq!(next.ip, "10.78.4.103", "the next free address steps over the network's");
    let bound = app.allocate_ip(&host, &name, Some("10.78.4.102"), Hold::Use { vm: None, mac: None, note: None }).await.unwrap_err();
    assert!(bound.to_string().contains(&format!("a static host of network '{net}' for {other}")), "{bound}");

    // A MAC that already has a static host on the network: refused, and nothing kept.
    let vm2 = unique_name("poolvm");
    let _vm2_gone = Cleanup(vm2.clone());
    iso_vm_on(&app, &host, &vm2, &store.name, &iso, &net, &other, false).await;
    let already = app.assign_ip(&host, &name, &vm2, None, None).await.unwrap_err();
    assert!(already.to_string().contains("already gives 10.78.4.102"), "{already}");
    assert_eq!(app.ip_pool(&host, &name).await.unwrap().addresses.len(), 3, "nothing kept from the refused assignment");

    // Delete is refused while the VM uses the pool; release removes the static host.
    let del = app.delete_ip_pool(&host, &name, false).await.unwrap_err();
    assert_eq!(del.code(), "in_use");
    assert!(del.to_string().contains(&vm), "{del}");
    app.release_ip(&host, &name, "10.78.4.101").await.unwrap();
    assert!(!virsh(&["net-dumpxml", "--inactive", &net]).contains("ip='10.78.4.101'"), "the static host went");
    let again = app.assign_ip(&host, &name, &vm, None, Some("10.78.4.101")).await.expect("the released address can be had again");
    assert_eq!(again.ip, "10.78.4.101");
    app.delete_ip_pool(&host, &name, true).await.expect("delete, releasing");
    assert!(!virsh(&["net-dumpxml", "--inactive", &net]).contains("ip='10.78.4.101'"), "released with the pool");
    assert!(app.list_ip_pools(&host).await.unwrap().iter().all(|p| p.name != name));

    let history = app.history(60).await.unwrap();
    for action in ["create_ip_pool", "reserve_ip", "assign_ip", "allocate_ip", "release_ip", "delete_ip_pool_releasing"] {
        assert!(history.iter().any(|e| e.action == action && e.target.starts_with(&name)), "history has {action}");
    }
    assert!(history.iter().any(|e| e.action == "assign_ip" && !e.ok), "the refusal is recorded too");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_pools_and_allocations_are_refused_and_change_nothing() {
    let data = tempfile::tempdir().unwrap();
    let (app, host) = local(data.path()).await;
    let net = unique_name("ipnet");
    let _gone = NetGone(net.clone());
    network(&app, &host, &net, "10.78.5.0/24", ("10.78.5.2", "10.78.5.99")).await;
    let before = virsh(&["net-dumpxml", "--inactive", &net]);
    for (ranges, why) in [
        (vec!["10.0.0.0/33"], "'10.0.0.0/33' is not a subnet"),
        (vec!["300.1.1.1/24"], "'300.1.1.1/24' is not a subnet"),
        (vec!["fe80::/129"], "'fe80::/129' is not a subnet"),
        (vec!["10.78.5.9-10.78.5.1"], "ends before it starts"),
        (vec!["10.78.5.0/24", "fd00::/64"], "one family per pool"),
        (vec!["10.78.6.1-10.78.6.9"], &format!("10.78.6.1 is outside network '{net}' (10.78.5.0/24)")),
        (vec![], "at least one"),
    ] {
        let e = app.create_ip_pool(&host, pool("p1", Some(&net), &ranges)).await.unwrap_err();
        assert!(e.to_string().contains(why), "{ranges:?}: {e}");
    }
    for bad in ["a<b", "a/b", "", &"x".repeat(300)] {
        let e = app.create_ip_pool(&host, pool(bad, None, &["10.99.0.0/24"])).await.unwrap_err();
        assert!(e.to_string().starts_with("invalid IP pool name"), "{bad:?}: {e}");
    }
    let e = app.create_ip_pool(&host, pool("p1", Some("no-such-net"), &["10.99.0.0/24"])).await.unwrap_err();
    assert_eq!(e.code(), "not_found", "{e}");
    let e = app.create_ip_pool(&host, pool("p1", Some(&net), &["fd00:78::/64"])).await.unwrap_err();
    assert!(e.to_string().contains("has no IPv6 subnet"), "{e}");
    assert!(app.list_ip_pools(&host).await.unwrap().is_empty(), "no pool was made");

    // Overlap with another pool; an exhausted pool; addresses outside; releasing a free one.
    let a = unique_name("pa");
    app.create_ip_pool(&host, pool(&a, Some(&net), &["10.78.5.200-10.78.5.201"])).await.unwrap();
    let e = app.create_ip_pool(&host, pool("pb", None, &["10.78.5.0/24"])).await.unwrap_err();
    assert!(e.to_string().contains(&format!("pool '{a}' already holds 10.78.5.200")), "{e}");
    let e = app.create_ip_pool(&host, pool(&a, None, &["10.98.0.0/24"])).await.unwrap_err();
    assert_eq!(e.code(), "already_exists", "{e}");
    let use_ = || Hold::Use { vm: None, mac: None, note: None };
    assert_eq!(app.allocate_ip(&host, &a, None, use_()).await.unwrap().ip, "10.78.5.200");
    assert_eq!(app.allocate_ip(&host, &a, None, use_()).await.unwrap().ip, "10.78.5.201");
    let e = app.allocate_ip(&host, &a, None, use_()).await.unwrap_err();
    assert_eq!(e.to_string(), format!("IP pool '{a}' has no free address: all 2 are used or reserved"));
    let e = app.allocate_ip(&host, &a, Some("10.78.5.7"), use_()).await.unwrap_err();
    assert!(e.to_string().contains(&format!("10.78.5.7 is not in pool '{a}' (10.78.5.200-10.78.5.201)")), "{e}");
    let e = app.allocate_ip(&host, &a, Some("10.78.5.300"), use_()).await.unwrap_err();
    assert!(e.to_string().contains("not an IP address"), "{e}");
    let e = app.allocate_ip(&host, &a, None, Hold::Reserve { note: "two\nlines".into() }).await.unwrap_err();
    assert!(e.to_string().contains("line break"), "{e}");
    app.release_ip(&host, &a, "10.78.5.200").await.unwrap();
    let e = app.release_ip(&host, &a, "10.78.5.200").await.unwrap_err();
    assert!(e.to_string().contains("is free in pool"), "{e}");
    let e = app.assign_ip(&host, &a, "no-such-vm-here", None, None).await.unwrap_err();
    assert_eq!(e.code(), "vm_not_found", "{e}");
    let b = unique_name("pc");
    app.create_ip_pool(&host, pool(&b, None, &["10.97.0.0/30"])).await.unwrap();
    let e = app.assign_ip(&host, &b, "x", None, None).await.unwrap_err();
    assert!(e.to_string().contains("not tied to a network"), "{e}");
    assert_eq!(virsh(&["net-dumpxml", "--inactive", &net]), before, "the network is as it was");
}


fn vireo(data: &std::path::Path, args: &[&str]) -> std::process::Output {
    let bin = vireo_tests::fresh_binary("vireo-cli", "vireo");
    std::process::Command::new(bin).args(["-c", "qemu:///system"]).args(args).env("VIREO_DATA_DIR", data).output().expect("run vireo")
}

fn stdout(o: &std::process::Output) -> String {
    assert!(o.status.success(), "vireo failed: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `vireo ippool` over the same core, and the app sees what the CLI made (pools are kept
/// under the host's URI, which both know).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_manages_pools_the_app_sees() {
    let data = tempfile::tempdir().unwrap();
    let name = unique_name("clipool");
    stdout(&vireo(data.path(), &["ippool", "create", &name, "--range", "fd00:79::/64", "--range", "fd00:7a::10-fd00:7a::20"]));
    let list: serde_json::Value = serde_json::from_str(&stdout(&vireo(data.path(), &["--json", "ippool", "list"]))).unwrap();
    let p = list.as_array().unwrap().iter().find(|p| p["name"] == name.as_str()).expect("listed");
    assert_eq!((p["v6"].as_bool(), p["size"].as_str()), (Some(true), Some("18446744073709551632")), "{p}");
    assert_eq!(stdout(&vireo(data.path(), &["ippool", "allocate", &name, "--note", "api"])).trim(), "fd00:79::1");
    assert_eq!(stdout(&vireo(data.path(), &["ippool", "reserve", &name, "--ip", "fd00:7a::15", "--note", "gw"])).trim(), "fd00:7a::15");
    let bad = vireo(data.path(), &["ippool", "reserve", &name, "--ip", "fd00:7a::15"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("fd00:7a::15 is taken: reserved: gw"), "{}", String::from_utf8_lossy(&bad.stderr));
    let bad = vireo(data.path(), &["ippool", "create", "x", "--range", "fe80::/129"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("'fe80::/129' is not a subnet"), "{}", String::from_utf8_lossy(&bad.stderr));
    let shown = stdout(&vireo(data.path(), &["ippool", "show", &name]));
    assert!(shown.contains("fd00:79::1") && shown.contains("reserved") && shown.contains("gw"), "{shown}");

    let (app, host) = local(data.path()).await;
    let detail = app.ip_pool(&host, &name).await.expect("the app sees the CLI's pool");
    assert_eq!((detail.pool.used, detail.pool.reserved), (1, 1));
    stdout(&vireo(data.path(), &["ippool", "release", &name, "fd00:79::1"]));
    stdout(&vireo(data.path(), &["ippool", "delete", &name, "--yes"]));
    assert!(app.list_ip_pools(&host).await.unwrap().iter().all(|p| p.name != name));
    let history = app.history(20).await.unwrap();
    assert!(history.iter().any(|e| e.action == "create_ip_pool" && e.actor == "cli" && e.target == name), "the CLI's change is in history");
}
