//! Property tests of the allocator against a plain model (a map of taken addresses), on
//! an IPv4 pool small enough to run out and on an IPv6 /64: an address is never handed
//! out twice, a released one can be had again, a reserved one is never handed out, and
//! an address the host holds is never handed out, and the free count always agrees.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use proptest::prelude::*;
use vireo_net::ippool::{to_int, Pool};

#[derive(Debug, Clone)]
enum Op {
    Next,
    /// Take the address at this offset into the pool, as a use.
    Take(u64),
    /// Reserve the address at this offset.
    Reserve(u64),
    /// Release the n-th used address (never a reserved one).
    Release(usize),
    /// The network gives out the address at this offset (a lease the pool must step over).
    Lease(u64),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Held {
    Used,
    Reserved,
}

fn ops(max_offset: u64) -> impl Strategy<Value = Vec<Op>> {
    let op = prop_oneof![
        4 => Just(Op::Next),
        2 => (0..max_offset).prop_map(Op::Take),
        1 => (0..max_offset).prop_map(Op::Reserve),
        2 => any::<usize>().prop_map(Op::Release),
        1 => (0..max_offset).prop_map(Op::Lease),
    ];
    prop::collection::vec(op, 1..300)
}

fn run(range: &str, first: u128, size: u128, ops: Vec<Op>) {
    let mut pool = Pool::new("p", &[range.to_owned()]).unwrap();
    let family = pool.family();
    let mut held: HashMap<u128, Held> = HashMap::new();
    let mut leases: HashSet<u128> = HashSet::new();
    let at = |off: u64| vireo_net::ippool::to_ip(family, first + (off as u128 % size));
    for op in ops {
        match op {
            Op::Next => match pool.allocate(None) {
                Ok(ip) => {
                    let a = to_int(ip);
                    assert!(pool.contains(ip), "{ip} is in the pool");
                    assert!(!held.contains_key(&a), "{ip} handed out twice (held as {:?})", held[&a]);
                    assert!(!leases.contains(&a), "{ip} is leased by the network");
                    held.insert(a, Held::Used);
                }
                Err(e) => {
                    assert_eq!(e.code(), "exhausted", "{e}");
                    let free_unleased = (0..size).map(|i| first + i).filter(|a| !held.contains_key(a) && !leases.contains(a)).count();
                    assert_eq!(free_unleased, 0, "exhausted with addresses left");
                }
            },
            Op::Take(off) | Op::Reserve(off) => {
                let ip = at(off);
                let a = to_int(ip);
                let res = pool.allocate(Some(ip));
                if held.contains_key(&a) || leases.contains(&a) {
                    assert_eq!(res.unwrap_err().code(), "address_taken");
                } else {
                    assert_eq!(res.unwrap(), ip);
                    held.insert(a, if matches!(op, Op::Reserve(_)) { Held::Reserved } else { Held::Used });
                }
            }
            Op::Release(n) => {
                let mut used: Vec<u128> = held.iter().filter(|(_, h)| **h == Held::Used).map(|(a, _)| *a).collect();
                if used.is_empty() {
                    continue;
                }
                used.sort();
                let a = used[n % used.len()];
                let ip = vireo_net::ippool::to_ip(family, a);
                pool.release(ip).unwrap();
                held.remove(&a);
                assert!(pool.is_free(ip), "{ip} is free again");
                assert!(pool.release(ip).is_err(), "released twice");
                if !leases.contains(&a) {
                    assert_eq!(pool.allocate(Some(ip)).unwrap(), ip, "a released address can be had again");
                    pool.release(ip).unwrap();
                }
            }
            Op::Lease(off) => {
                // The host gives out an address the pool has not: blocked from then on.
                let ip = at(off);
                let a = to_int(ip);
                let fresh = !held.contains_key(&a) && !leases.contains(&a);
                assert_eq!(pool.block(ip, "a lease"), fresh, "blocking {ip}");
                if fresh {
                    leases.insert(a);
                }
            }
        }
        assert_eq!(pool.free_count(), size - held.len() as u128 - leases.len() as u128, "free count");
    }
    // Every reserved address is still held: none was handed out or released.
    for (a, h) in &held {
        assert!(!pool.is_free(vireo_net::ippool::to_ip(family, *a)), "{h:?} {a} is held");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn ipv4_pool_that_runs_out(ops in ops(62)) {
        // 10.0.0.0/26: 62 host addresses, .1 to .62.
        run("10.0.0.0/26", to_int("10.0.0.1".parse::<IpAddr>().unwrap()), 62, ops);
    }

    #[test]
    fn ipv4_ranges_split_across_spans(ops in ops(40)) {
        let mut pool = Pool::new("p", &["10.9.0.1-10.9.0.20".into(), "10.9.1.1-10.9.1.20".into()]).unwrap();
        let mut seen = std::collections::HashSet::new();
        for op in ops {
            if let Op::Next = op {
                match pool.allocate(None) {
                    Ok(ip) => prop_assert!(seen.insert(ip), "{} twice", ip),
                    Err(e) => prop_assert_eq!(seen.len(), 40, "{}", e),
                }
            }
        }
    }

    #[test]
    fn ipv6_slash_64(ops in ops(u64::MAX)) {
        // fd00:1::/64 without its subnet-router anycast: 2^64 - 1 addresses from fd00:1::1.
        run("fd00:1::/64", to_int("fd00:1::1".parse::<IpAddr>().unwrap()), (1u128 << 64) - 1, ops);
    }
}
