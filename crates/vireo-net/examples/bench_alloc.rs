//! The allocator's figures (issue #16): every address of a /16 taken one by one until the
//! pool is full, then 100 000 addresses from an IPv6 /64, each pool with 250 addresses
//! held by the host (leases) blocked; then a /16 where every other address was
//! released (the worst case for the free intervals). Run: scripts/bench-ippool.sh.

use std::net::IpAddr;
use std::time::Instant;

use vireo_net::ippool::{to_int, to_ip, Pool};

/// A pool with `leases` addresses (every 7th from the 10th) held by the host.
fn pool(range: &str, leases: u128) -> Pool {
    let mut pool = Pool::new("bench", &[range.to_owned()]).unwrap();
    let family = pool.family();
    let base = to_int(pool.allocate(None).unwrap()) + 9;
    pool.release(to_ip(family, base - 9)).unwrap();
    for i in 0..leases {
        pool.block(to_ip(family, base + i * 7), "a lease");
    }
    pool
}

fn fill(label: &str, range: &str, count: Option<usize>, leases: u128) -> Pool {
    let mut pool = pool(range, leases);
    let started = Instant::now();
    let mut n = 0usize;
    while count.is_none_or(|c| n < c) {
        match pool.allocate(None) {
            Ok(_) => n += 1,
            Err(e) if e.code() == "exhausted" => break,
            Err(e) => panic!("{e}"),
        }
    }
    let took = started.elapsed();
    println!(
        "{label}: {n} allocations in {:.1} ms, {:.3} µs per allocation; {} left free",
        took.as_secs_f64() * 1e3,
        took.as_secs_f64() * 1e6 / n as f64,
        pool.free_count()
    );
    pool
}

fn main() {
    fill("IPv4 /16 until full (250 addresses held by the host)", "10.20.0.0/16", None, 250);
    fill("IPv4 /16 until full (none held by the host)", "10.21.0.0/16", None, 0);
    let started = Instant::now();
    fill("IPv6 /64, 100 000 addresses (250 held by the host)", "fd00:20::/64", Some(100_000), 250);
    println!("IPv6 /64, 100 000 addresses (pool made, 250 blocked, all allocated): total {:.3} s", started.elapsed().as_secs_f64());

    // Fragmented: a full /16 with every other address released, then taken again.
    let mut pool = fill("IPv4 /16 filled for the fragmented case", "10.22.0.0/16", None, 0);
    let base = to_int("10.22.0.1".parse::<IpAddr>().unwrap());
    for i in (0..65534u128).step_by(2) {
        pool.release(to_ip(pool.family(), base + i)).unwrap();
    }
    let started = Instant::now();
    let mut n = 0;
    while pool.allocate(None).is_ok() {
        n += 1;
    }
    let took = started.elapsed();
    println!(
        "IPv4 /16 with 32 767 holes: {n} allocations in {:.1} ms, {:.3} µs per allocation",
        took.as_secs_f64() * 1e3,
        took.as_secs_f64() * 1e6 / n as f64
    );
}
