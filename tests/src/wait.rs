//! Waiting for things that happen asynchronously (events, leases, pages), with a deadline
//! so a broken path fails the test instead of hanging it. Deadlines are generous: tests
//! check behaviour, benchmarks check speed.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use tokio::sync::broadcast::Receiver;
use vireo_core::HostEvent;
use vireo_host::{Host, Lease};

/// The next event matching `pred`, or a panic naming what was awaited.
pub async fn event(rx: &mut Receiver<HostEvent>, what: &str, secs: u64, pred: impl Fn(&HostEvent) -> bool) -> HostEvent {
    let found = tokio::time::timeout(Duration::from_secs(secs), async {
        loop {
            match rx.recv().await {
                Ok(ev) if pred(&ev) => return ev,
                Ok(_) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(e) => panic!("event stream ended while waiting for {what}: {e}"),
            }
        }
    })
    .await;
    found.unwrap_or_else(|_| panic!("no {what} event within {secs} s"))
}

/// Waits for a lifecycle event `event` of the VM `name`.
pub async fn lifecycle(rx: &mut Receiver<HostEvent>, name: &str, event: &str) -> HostEvent {
    self::event(rx, &format!("'{event}' of {name}"), 60, |ev| {
        matches!(ev, HostEvent::VmLifecycle { name: n, event: e, .. } if n == name && e == event)
    })
    .await
}

/// Waits for the DHCP lease of `mac` on the network `network`.
pub async fn lease(host: &Host, network: &str, mac: &str, secs: u64) -> Lease {
    for _ in 0..secs * 2 {
        let leases = host.dhcp_leases(network).await.expect("read leases");
        if let Some(l) = leases.into_iter().find(|l| l.mac.eq_ignore_ascii_case(mac)) {
            return l;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("no DHCP lease for {mac} on {network} within {secs} s");
}

/// Fetches `http://ip/` (HTTP/1.0, the busybox httpd answers that), retrying while the
/// server comes up.
pub async fn http_get(ip: &str, secs: u64) -> String {
    let addr = format!("{ip}:80");
    for _ in 0..secs * 2 {
        let a = addr.clone();
        let got = tokio::task::spawn_blocking(move || -> std::io::Result<String> {
            let mut s = TcpStream::connect_timeout(&a.parse().unwrap(), Duration::from_secs(2))?;
            s.set_read_timeout(Some(Duration::from_secs(5)))?;
            s.write_all(b"GET / HTTP/1.0\r\nHost: guest\r\n\r\n")?;
            let mut body = String::new();
            s.read_to_string(&mut body)?;
            Ok(body)
        })
        .await
        .unwrap();
        if let Ok(body) = got {
            if body.starts_with("HTTP/1") {
                return body;
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("http://{addr}/ did not answer within {secs} s");
}

/// One `GET path` to the guest's httpd (HTTP/1.0): the whole answer, status line first.
pub fn http_once(ip: &str, path: &str) -> std::io::Result<String> {
    let mut s = TcpStream::connect_timeout(&format!("{ip}:80").parse().unwrap(), Duration::from_secs(2))?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    s.write_all(format!("GET {path} HTTP/1.0\r\nHost: guest\r\n\r\n").as_bytes())?;
    let mut answer = String::new();
    s.read_to_string(&mut answer)?;
    Ok(answer)
}

/// Waits until `GET path` answers something `pred` accepts; the answer.
pub async fn http_until(ip: &str, path: &str, secs: u64, what: &str, pred: impl Fn(&str) -> bool) -> String {
    let mut last = String::new();
    for _ in 0..secs * 4 {
        let (ip, path) = (ip.to_owned(), path.to_owned());
        match tokio::task::spawn_blocking(move || http_once(&ip, &path)).await.unwrap() {
            Ok(answer) if pred(&answer) => return answer,
            Ok(answer) => last = answer,
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("{what}: http://{ip}{path} did not within {secs} s; last: {last:?}");
}
