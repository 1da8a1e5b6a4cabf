//! Objects by id for the kinds counted by the million (assignments): one vector in id order,
//! and for each id its row's place, so that a lookup misses the cache once for the place and
//! once for the row (a B-tree of a million misses it at each of its lower levels, and a clock
//! jump looks its rows up in time order, which is random by id).
//!
//! Ids come from the tenant's one counter, so those of one kind are spread over it: the places
//! are kept for ids up to a bound that follows the row count (see `slot_bound`), and an id past
//! it (a hand-edited file) is found by a binary search over the ids instead. Either way a lookup
//! never allocates and never panics.

use std::ops::{Bound, RangeBounds};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A key of a [`Table`]: an id, whose number places it.
pub trait TableKey: Ord + Copy + std::fmt::Debug {
    fn number(self) -> u64;
}

impl TableKey for super::ids::AssignmentId {
    fn number(self) -> u64 {
        self.0
    }
}

/// A row of a [`Table`]: an object that holds its own id.
pub trait Row {
    type Key: TableKey;
    fn id(&self) -> &Self::Key;
}

impl Row for super::flow::Assignment {
    type Key = super::ids::AssignmentId;
    fn id(&self) -> &Self::Key {
        &self.id
    }
}

/// The rows of one kind, in increasing id order, with each id's place (see the module).
#[derive(Debug, Clone)]
pub struct Table<K, V> {
    rows: Vec<V>,
    /// For each id below its length: the place of its row plus one, or 0 for none.
    slots: Vec<u32>,
    key: std::marker::PhantomData<K>,
}

impl<K, V> Default for Table<K, V> {
    fn default() -> Self {
        Table { rows: Vec::new(), slots: Vec::new(), key: std::marker::PhantomData }
    }
}

/// The ids that get a place, for `rows` rows: four times as many as rows, and at least 64 Ki
/// (a shared counter hands each kind a share of its numbers; past this, a binary search).
fn slot_bound(rows: usize) -> u64 {
    let rows = u64::try_from(rows).unwrap_or(u64::MAX);
    rows.saturating_mul(4).max(1 << 16)
}

impl<K: TableKey, V: Row<Key = K>> Table<K, V> {
    pub fn new() -> Self {
        Table::default()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The rows, mostly in increasing id order (as read from a file). A row out of order, or
    /// whose id repeats, is sorted in; of a repeated id the last row is kept.
    pub fn from_rows(mut rows: Vec<V>) -> Self {
        if !rows.is_sorted_by(|a, b| a.id() < b.id()) {
            // Stable: of equal ids the last one read stays last, and is the one kept.
            rows.sort_by_key(|r| *r.id());
            let mut kept: Vec<V> = Vec::with_capacity(rows.len());
            for r in rows {
                match kept.last_mut() {
                    Some(last) if last.id() == r.id() => *last = r,
                    _ => kept.push(r),
                }
            }
            rows = kept;
        }
        let mut t = Table { rows, ..Table::default() };
        t.place_from(0);
        t
    }

    /// Sets the places of the rows from `from` on (after a load, or an insert among them).
    fn place_from(&mut self, from: usize) {
        let bound = slot_bound(self.rows.len());
        let top = self.rows.iter().rev().map(|r| r.id().number()).find(|n| *n < bound);
        self.cover(top.and_then(|n| usize::try_from(n).ok()).map_or(0, |n| n.saturating_add(1)));
        self.place_rows(from);
    }

    /// Sets the places of the rows from `from` on.
    fn place_rows(&mut self, from: usize) {
        let Table { rows, slots, .. } = self;
        for (at, r) in rows.iter().enumerate().skip(from) {
            set_slot(slots, *r.id(), at);
        }
    }

    /// Gives ids below `want` a slot, placing the rows of the ids newly covered.
    fn cover(&mut self, want: usize) {
        let had = self.slots.len();
        if want <= had {
            return;
        }
        // Grown by doubling (`resize` reserves amortized), so a million appends copy the
        // places a few times, not a million.
        self.slots.resize(want, 0);
        let had = u64::try_from(had).unwrap_or(u64::MAX);
        let first = self.rows.partition_point(|r| r.id().number() < had);
        self.place_rows(first);
    }

    fn search(&self, k: &K) -> Result<usize, usize> {
        self.rows.binary_search_by(|r| r.id().cmp(k))
    }

    /// Where the row of `k` is, if there is one.
    fn position(&self, k: &K) -> Option<usize> {
        let slot = usize::try_from(k.number()).ok().and_then(|n| self.slots.get(n));
        match slot {
            Some(0) if u32::try_from(self.rows.len()).is_ok() => None,
            // A place is checked against its key: a slot is only ever a hint.
            Some(&p) if p > 0 => usize::try_from(p - 1).ok().filter(|p| self.rows.get(*p).map(Row::id) == Some(k)),
            _ => self.search(k).ok(),
        }
    }

    pub fn get(&self, k: &K) -> Option<&V> {
        self.position(k).and_then(|p| self.rows.get(p))
    }

    pub fn get_mut(&mut self, k: &K) -> Option<&mut V> {
        self.position(k).and_then(|p| self.rows.get_mut(p))
    }

    pub fn contains_key(&self, k: &K) -> bool {
        self.position(k).is_some()
    }

    /// Adds or replaces the row of `k`, giving back the row it replaced. A key above every other
    /// (what the tenant's counter hands out) is added at the end; one below is sorted in, which
    /// moves the rows after it.
    pub fn insert(&mut self, k: K, v: V) -> Option<V> {
        debug_assert_eq!(*v.id(), k, "a row is filed under its own id");
        let k = *v.id();
        let at = match self.position(&k) {
            Some(p) => return self.rows.get_mut(p).map(|row| std::mem::replace(row, v)),
            None => self.rows.partition_point(|x| *x.id() < k),
        };
        self.rows.insert(at, v);
        if at.saturating_add(1) == self.rows.len() {
            if k.number() < slot_bound(self.rows.len()) {
                self.cover(usize::try_from(k.number()).map_or(0, |n| n.saturating_add(1)));
            }
            set_slot(&mut self.slots, k, at);
        } else {
            self.place_from(at);
        }
        None
    }

    pub fn values(&self) -> std::slice::Iter<'_, V> {
        self.rows.iter()
    }

    pub fn values_mut(&mut self) -> std::slice::IterMut<'_, V> {
        self.rows.iter_mut()
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator {
        self.rows.iter().map(Row::id)
    }

    pub fn iter(&self) -> Iter<'_, V> {
        self.rows.iter().map(with_id as fn(&V) -> (&K, &V))
    }

    /// The rows whose keys are in `range`, in order.
    pub fn range(&self, range: impl RangeBounds<K>) -> Iter<'_, V> {
        let before = |k: &K, inclusive: bool| self.rows.partition_point(|x| x.id() < k || (inclusive && x.id() == k));
        let from = match range.start_bound() {
            Bound::Included(k) => before(k, false),
            Bound::Excluded(k) => before(k, true),
            Bound::Unbounded => 0,
        };
        let to = match range.end_bound() {
            Bound::Included(k) => before(k, true),
            Bound::Excluded(k) => before(k, false),
            Bound::Unbounded => self.rows.len(),
        };
        self.rows.get(from..to.max(from)).unwrap_or_default().iter().map(with_id as fn(&V) -> (&K, &V))
    }

    pub fn last_key_value(&self) -> Option<(&K, &V)> {
        self.rows.last().map(with_id)
    }
}

/// Sets the place of the row of `k` (past four thousand million rows a row has none, and is
/// found by binary search).
fn set_slot<K: TableKey>(slots: &mut [u32], k: K, at: usize) {
    let Ok(n) = usize::try_from(k.number()) else { return };
    let place = at.checked_add(1).and_then(|p| u32::try_from(p).ok()).unwrap_or(0);
    if let Some(s) = slots.get_mut(n) {
        *s = place;
    }
}

fn with_id<V: Row>(v: &V) -> (&V::Key, &V) {
    (v.id(), v)
}

/// The rows of a table with their ids, in order.
pub type Iter<'a, V> = std::iter::Map<std::slice::Iter<'a, V>, fn(&V) -> (&<V as Row>::Key, &V)>;

impl<'a, K: TableKey, V: Row<Key = K>> IntoIterator for &'a Table<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<K: TableKey, V: Row<Key = K>> FromIterator<V> for Table<K, V> {
    fn from_iter<I: IntoIterator<Item = V>>(iter: I) -> Self {
        Table::from_rows(iter.into_iter().collect())
    }
}

impl<K: TableKey, V: PartialEq> PartialEq for Table<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.rows == other.rows
    }
}

/// A table written as the list of its rows, like `serde_util::as_list`.
impl<K: TableKey, V: Serialize> Serialize for Table<K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.rows.iter())
    }
}

impl<'de, K: TableKey, V: Row<Key = K> + DeserializeOwned> Deserialize<'de> for Table<K, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Table::from_rows(Vec::deserialize(d)?))
    }
}

#[cfg(test)]
#[path = "table_tests.rs"]
mod tests;
