//! The clock's queue of timers: a set of `(time, timer)` taken off in order.
//!
//! What a load schedules (millions of entries at a million assignments) is one sorted vector,
//! built without a tree and taken off by moving a cursor; what is added later goes into a
//! B-tree beside it. The two are read together, in order, as one set.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::iter::Peekable;

use super::Time;
use super::timers::Timer;

/// One entry of the queue.
pub type Entry = (Time, Timer);

/// From how many entries added since the last merge the added ones join the sorted vector (so
/// that a long-lived queue does not become a tree again): at least this many, and at least as
/// many as the vector still holds.
const MERGE_FROM: usize = 4096;

#[derive(Debug, Clone, Default)]
pub struct TimerQueue {
    /// Sorted, without repeats; the entries before `head` are taken off.
    base: Vec<Entry>,
    head: usize,
    /// Entries added since `base` was built, none of them in `base[head..]`.
    added: BTreeSet<Entry>,
}

impl TimerQueue {
    /// The queue of `entries`, in any order, repeats dropped.
    pub fn from_unsorted(mut entries: Vec<Entry>) -> Self {
        entries.sort_unstable();
        entries.dedup();
        TimerQueue { base: entries, head: 0, added: BTreeSet::new() }
    }

    /// The queue of `entries`, which are in increasing order without repeats (`None` if not).
    pub fn from_increasing(entries: Vec<Entry>) -> Option<Self> {
        if entries.windows(2).any(|w| w.first() >= w.get(1)) {
            return None;
        }
        Some(TimerQueue { base: entries, head: 0, added: BTreeSet::new() })
    }

    fn live_base(&self) -> &[Entry] {
        self.base.get(self.head..).unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        self.live_base().len().saturating_add(self.added.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds `e`; false if the queue holds it already.
    pub fn insert(&mut self, e: Entry) -> bool {
        if self.live_base().binary_search(&e).is_ok() || !self.added.insert(e) {
            return false;
        }
        if self.added.len() >= MERGE_FROM.max(self.live_base().len()) {
            self.merge();
        }
        true
    }

    /// The added entries join the sorted vector, which drops those taken off.
    fn merge(&mut self) {
        let mut all = Vec::with_capacity(self.len());
        all.extend(self.iter().copied());
        *self = TimerQueue { base: all, head: 0, added: BTreeSet::new() };
    }

    /// The least entry.
    pub fn first(&self) -> Option<Entry> {
        match (self.live_base().first(), self.added.first()) {
            (Some(b), Some(a)) => Some(*b.min(a)),
            (b, a) => b.or(a).copied(),
        }
    }

    /// Takes off the least entry.
    pub fn pop_first(&mut self) -> Option<Entry> {
        self.pop_if(|_| true)
    }

    /// Takes off the least entry if it is due by `to`.
    pub fn pop_due(&mut self, to: Time) -> Option<Entry> {
        self.pop_if(|(t, _)| *t <= to)
    }

    /// Takes off the least entry if `take` says so (the two parts' heads compared once).
    fn pop_if(&mut self, take: impl FnOnce(&Entry) -> bool) -> Option<Entry> {
        let (least, from_base) = match (self.live_base().first(), self.added.first()) {
            (Some(b), Some(a)) if a < b => (a, false),
            (Some(b), _) => (b, true),
            (None, a) => (a?, false),
        };
        if !take(least) {
            return None;
        }
        if from_base {
            let e = self.base.get(self.head).copied();
            self.head = self.head.saturating_add(1);
            if self.head >= self.base.len() {
                // All taken off: the room goes back.
                self.base = Vec::new();
                self.head = 0;
            }
            e
        } else {
            self.added.pop_first()
        }
    }

    /// Every entry, in order.
    pub fn iter(&self) -> Iter<'_> {
        Iter { base: self.live_base().iter().peekable(), added: self.added.iter().peekable() }
    }
}

impl<'a> IntoIterator for &'a TimerQueue {
    type Item = &'a Entry;
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl PartialEq for TimerQueue {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for TimerQueue {}

/// The queue's entries in order: its two parts merged.
pub struct Iter<'a> {
    base: Peekable<std::slice::Iter<'a, Entry>>,
    added: Peekable<std::collections::btree_set::Iter<'a, Entry>>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a Entry;
    fn next(&mut self) -> Option<&'a Entry> {
        let order = match (self.base.peek(), self.added.peek()) {
            (Some(b), Some(a)) => b.cmp(a),
            (Some(_), None) => Ordering::Less,
            (None, _) => Ordering::Greater,
        };
        if order == Ordering::Less { self.base.next() } else { self.added.next() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{AssignmentId, RequestId};
    use chrono::TimeZone;

    fn at(secs: i64) -> Time {
        chrono::Utc.timestamp_opt(1_800_000_000 + secs, 0).single().unwrap_or_default()
    }

    fn entry(n: u64) -> Entry {
        let timer =
            if n.is_multiple_of(3) { Timer::Expire(AssignmentId(n)) } else { Timer::ScheduledStart(RequestId(n)) };
        (at(i64::try_from(n % 97).unwrap_or(0)), timer)
    }

    /// Inserts, pops and due pops, checked against a `BTreeSet`: through merges, and with the
    /// vector emptied on the way.
    #[test]
    fn behaves_as_an_ordered_set() {
        let start: Vec<Entry> = (0..5000).map(|n| entry(n * 7 % 5003)).collect();
        let mut q = TimerQueue::from_unsorted(start.clone());
        let mut model: BTreeSet<Entry> = start.into_iter().collect();
        let mut x: u64 = 17;
        for step in 0..40_000u64 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let n = (x >> 33) % 9000;
            match step % 5 {
                0 | 1 => assert_eq!(q.insert(entry(n)), model.insert(entry(n))),
                2 => assert_eq!(q.pop_first(), model.pop_first()),
                3 => {
                    let to = at(i64::try_from(n % 97).unwrap_or(0));
                    let want = model.first().copied().filter(|e| e.0 <= to);
                    if want.is_some() {
                        model.pop_first();
                    }
                    assert_eq!(q.pop_due(to), want);
                }
                _ => assert_eq!(q.first(), model.first().copied()),
            }
            assert_eq!(q.len(), model.len());
            if step.is_multiple_of(997) {
                assert!(q.iter().eq(model.iter()), "in order at step {step}");
            }
        }
        while let Some(e) = model.pop_first() {
            assert_eq!(q.pop_first(), Some(e));
        }
        assert!(q.is_empty() && q.pop_first().is_none() && q.first().is_none());
    }

    #[test]
    fn a_list_out_of_order_or_repeated_is_refused() {
        assert!(TimerQueue::from_increasing(vec![entry(3), entry(1)]).is_none());
        assert!(TimerQueue::from_increasing(vec![entry(3), entry(3)]).is_none());
        let q = TimerQueue::from_increasing(vec![entry(1), entry(2)]);
        assert_eq!(q.map(|q| q.len()), Some(2));
    }

    #[test]
    fn equal_queues_compare_equal_however_built() {
        let mut a = TimerQueue::from_unsorted(vec![entry(1), entry(2), entry(2)]);
        let mut b = TimerQueue::default();
        b.insert(entry(2));
        b.insert(entry(1));
        assert_eq!(a, b);
        a.pop_first();
        assert_ne!(a, b);
    }
}
