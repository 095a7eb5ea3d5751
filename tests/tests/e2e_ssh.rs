//! End to end, remote: the real window adds a host over SSH — sshd in a network namespace
//! with its own address, a user with a password — answers the host-key question with the
//! fingerprint it shows (checked against the server's own), gives the password, sees the
//! host's VMs, starts one, and sees its console's failed tunnel reported. Screenshots
//! under target/e2e/.

use std::time::Instant;

use vireo_host::{Host, HostOptions};
use vireo_tests::netns::Netns;
use vireo_tests::sshd::{Sshd, TestUser};
use vireo_tests::window::{shots_dir, wait_state, wait_until, Driver, FreshHome, Xvfb};
use vireo_tests::{fresh_binary, unique_name, TestDomain};

#[test]
fn e2e_add_an_ssh_host_accept_its_key_sign_in_and_start_a_vm() {
    let app = fresh_binary("vireo-desktop", "vireo-desktop");
    let ns = Netns::create("e2e");
    let sshd = Sshd::start_at(&ns.addr, 22, Some(&ns.name));
    let user = TestUser::create();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let local = rt.block_on(Host::connect("e2e", "qemu:///system", HostOptions::default())).expect("libvirtd");
    let name = unique_name("e2e-ssh");
    let _vm = rt.block_on(TestDomain::define(&local, &vireo_host::xml::DomainSpec::new(&name, vireo_host::DomainKind::Qemu)));

    let xvfb = Xvfb::start(&shots_dir());
    let home = FreshHome::new();
    let driver = Driver::start(&xvfb, &home, &[]);
    let s = driver.session(&app);
    s.wait_for("[data-host-id]", 60).unwrap();
    // Screenshots are for people. WebKitWebDriver's screenshot does not answer (for its
    // whole 60 s) while the add-host or a prompt dialog is open here, though the page goes
    // on working; so the dialogs are not shot, and a missing shot is only reported.
    let shot = |file: &str| match s.screenshot() {
        Ok(png) => std::fs::write(shots_dir().join(file), png).unwrap(),
        Err(e) => eprintln!("warning: no screenshot {file}: {e}"),
    };

    // The add-host dialog opens on SSH: name, user, the namespace's address, password sign-in.
    s.click(&s.wait_for("[data-testid=\"add-host\"]", 10).unwrap()).unwrap();
    let field = |id: &str| s.wait_for(&format!("[data-testid=\"{id}\"]"), 5).unwrap();
    s.type_text(&field("host-name-input"), "Namespace server").unwrap();
    s.type_text(&field("host-ssh-user"), &user.name).unwrap();
    s.type_text(&field("host-ssh-host"), &ns.addr).unwrap();
    s.click(&field("host-ssh-auth-password")).unwrap();
    let t = Instant::now();
    s.click(&field("add-host-submit")).unwrap();

    // The host-key question shows the server's fingerprint, as ssh-keygen prints it.
    let fp_el = s.wait_for("[data-testid=\"host-key-fingerprint\"]", 30).expect("the host-key question");
    let shown = s.property(&fp_el, "textContent").unwrap().unwrap_or_default();
    println!("add -> host-key question: {:.0} ms", t.elapsed().as_secs_f64() * 1000.0);
    assert_eq!(shown.trim(), sshd.fingerprint(), "the fingerprint shown is the server's");
    s.click(&field("host-key-accept")).unwrap();

    // Then the password.
    let secret = s.wait_for("[data-testid=\"host-secret\"]", 30).expect("the password question");
    s.type_text(&secret, &user.password).unwrap();
    let t = Instant::now();
    s.click(&field("host-secret-submit")).unwrap();

    // Connected: its VMs are listed (the namespace host serves this machine's libvirtd).
    wait_until("the SSH host connected", 30, || {
        s.execute(
            "return [...document.querySelectorAll('[data-host-id]')].some(h => h.dataset.status === 'connected' && h.textContent.includes('Namespace server'))",
            serde_json::json!([]),
        )
        .is_ok_and(|v| v.as_bool() == Some(true))
    });
    s.wait_for(&format!("tr[data-vm=\"{name}\"]"), 30).expect("the VM listed through SSH");
    println!("password -> connected with its VMs listed: {:.0} ms", t.elapsed().as_secs_f64() * 1000.0);
    wait_state(&s, &name, "shut_off", 10);
    let start = s.wait_for(&format!("tr[data-vm=\"{name}\"] [data-action=\"start\"]"), 10).unwrap();
    s.click(&start).unwrap();
    let took = wait_state(&s, &name, "running", 60);
    println!("click on Start over SSH -> badge 'running': {:.0} ms", took.as_secs_f64() * 1000.0);
    shot("ssh-vm-running.png");
    // Started on the real libvirtd, not just in the window.
    let state = rt.block_on(local.list_vms()).unwrap().into_iter().find(|v| v.name == name).unwrap().state;
    assert!(state.is_active(), "{state:?}");

    // Its console goes through the same SSH session (no second sign-in). This "remote"
    // sshd lives in a network namespace, so the VNC server QEMU runs on this machine's
    // loopback is not on the loopback the namespace sees: the tunnel fails, and the window
    // must say so plainly instead of hanging (a console that works through SSH, typing
    // included, is tests/console.rs, with sshd on 127.0.0.1).
    let t = Instant::now();
    s.click(&s.wait_for(&format!("tr[data-vm=\"{name}\"] [data-testid=\"vm-console\"]"), 10).unwrap()).unwrap();
    let err = s.wait_for("[data-testid=\"console-error\"]", 30).expect("the failed tunnel is reported");
    let text = s.property(&err, "textContent").unwrap().unwrap_or_default();
    println!("click on Console over SSH (tunnel to the namespace's loopback) -> error after {:.0} ms: {}", t.elapsed().as_secs_f64() * 1000.0, text.trim());
    assert!(text.contains("SSH tunnel") && text.contains(&name), "{text}");
    let st = s.wait_for("[data-testid=\"console-state\"]", 5).unwrap();
    assert_eq!(s.attribute(&st, "data-state").unwrap().as_deref(), Some("closed"));
    s.click(&s.wait_for("[data-testid=\"console-close\"]", 5).unwrap()).unwrap();

    s.end();
    drop(driver);
    drop(xvfb);
}
