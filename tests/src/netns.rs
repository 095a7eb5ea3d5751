//! A network namespace with its own address, linked to this machine by a veth pair: a
//! "remote" host for tests (an sshd inside it is reached at `addr`, not on loopback).
//! Removed, with its link, on drop.

use std::process::{Command, Stdio};

pub struct Netns {
    pub name: String,
    /// The namespace's address (the peer of this machine's `host_addr`).
    pub addr: String,
    pub host_addr: String,
    link: String,
}

fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("run ip (iproute2)");
    assert!(out.status.success(), "ip {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
}

impl Netns {
    /// A namespace `vireo-<tag>-<pid>` on a /30 from 10.231.0.0/16 picked by the pid.
    pub fn create(tag: &str) -> Netns {
        let pid = std::process::id();
        let name = format!("vireo-{tag}-{pid}");
        let link = format!("vr{}", pid % 100_000);
        let peer = format!("{link}p");
        let n = pid % 16_000;
        let (a, b) = ((n * 4) / 256, (n * 4) % 256);
        let host_addr = format!("10.231.{a}.{}", b + 1);
        let addr = format!("10.231.{a}.{}", b + 2);
        let _ = Command::new("ip").args(["netns", "del", &name]).stderr(Stdio::null()).status();
        let _ = Command::new("ip").args(["link", "del", &link]).stderr(Stdio::null()).status();
        ip(&["netns", "add", &name]);
        ip(&["link", "add", &link, "type", "veth", "peer", "name", &peer]);
        ip(&["link", "set", &peer, "netns", &name]);
        ip(&["addr", "add", &format!("{host_addr}/30"), "dev", &link]);
        ip(&["link", "set", &link, "up"]);
        ip(&["netns", "exec", &name, "ip", "addr", "add", &format!("{addr}/30"), "dev", &peer]);
        ip(&["netns", "exec", &name, "ip", "link", "set", &peer, "up"]);
        ip(&["netns", "exec", &name, "ip", "link", "set", "lo", "up"]);
        Netns { name, addr, host_addr, link }
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["link", "del", &self.link]).stderr(Stdio::null()).status();
        let _ = Command::new("ip").args(["netns", "del", &self.name]).stderr(Stdio::null()).status();
    }
}
