//! The free addresses of a pool as disjoint intervals keyed by their start. Taking the
//! lowest free address, taking a chosen one and giving one back each cost O(log n) in
//! the number of intervals, never in the number of addresses: a /16 fills in constant
//! time per address, and an IPv6 /64 (2^64 addresses) is one interval until it is used.

use std::collections::BTreeMap;

use super::span::Span;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FreeSet {
    /// start -> end (inclusive); no two touch or overlap.
    free: BTreeMap<u128, u128>,
    count: u128,
}

impl FreeSet {
    /// All of `spans` free (they must not overlap).
    pub fn new(spans: &[Span]) -> FreeSet {
        let mut set = FreeSet::default();
        for s in spans {
            set.insert_span(s.start, s.end);
        }
        set
    }

    /// How many addresses are free (saturating at `u128::MAX`).
    pub fn count(&self) -> u128 {
        self.count
    }

    pub fn intervals(&self) -> usize {
        self.free.len()
    }

    fn containing(&self, a: u128) -> Option<(u128, u128)> {
        self.free.range(..=a).next_back().filter(|(_, &end)| a <= end).map(|(&s, &e)| (s, e))
    }

    pub fn is_free(&self, a: u128) -> bool {
        self.containing(a).is_some()
    }

    /// Takes `a` if it is free; false if it was not.
    pub fn take(&mut self, a: u128) -> bool {
        let Some((start, end)) = self.containing(a) else { return false };
        self.free.remove(&start);
        if start < a {
            self.free.insert(start, a - 1);
        }
        if a < end {
            self.free.insert(a + 1, end);
        }
        self.count -= 1;
        true
    }

    /// Gives `a` back; false if it was already free. The caller keeps `a` inside the pool.
    pub fn put(&mut self, a: u128) -> bool {
        if self.is_free(a) {
            return false;
        }
        self.insert_span(a, a);
        true
    }

    fn insert_span(&mut self, mut start: u128, mut end: u128) {
        self.count = self.count.saturating_add((end - start).saturating_add(1));
        // Merge with an interval ending just before, and one starting just after.
        if let Some(before) = start.checked_sub(1) {
            if let Some((s, _)) = self.containing(before) {
                start = s;
                self.free.remove(&s);
            }
        }
        if let Some(after) = end.checked_add(1) {
            if let Some(e) = self.free.remove(&after) {
                end = e;
            }
        }
        self.free.insert(start, end);
    }

    /// The lowest free address.
    pub fn first(&self) -> Option<u128> {
        self.free.first_key_value().map(|(&s, _)| s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn take_put_and_merge() {
        let mut f = FreeSet::new(&[Span { start: 10, end: 19 }, Span { start: 30, end: 30 }]);
        assert_eq!((f.count(), f.intervals()), (11, 2));
        assert!(f.take(15) && !f.take(15));
        assert_eq!((f.count(), f.intervals()), (10, 3));
        assert!(f.put(15) && !f.put(15));
        assert_eq!((f.count(), f.intervals()), (11, 2));
        assert!(f.take(10) && f.take(11));
        assert_eq!(f.first(), Some(12));
        assert!((12..=19).all(|a| f.take(a)));
        assert_eq!(f.first(), Some(30));
        assert!(f.take(30));
        assert_eq!((f.first(), f.count()), (None, 0));
        assert!(!f.take(20), "outside the pool");
    }

    #[test]
    fn the_edges_of_the_number_space() {
        let mut f = FreeSet::new(&[Span { start: u128::MAX - 1, end: u128::MAX }, Span { start: 0, end: 0 }]);
        assert!(f.take(u128::MAX) && f.take(0));
        assert!(f.put(u128::MAX) && f.put(0));
        assert_eq!(f.count(), 3);
    }
}
