//! [`IdSet`]: a small ordered set kept as a sorted vector, for the tenant's indexes (a user's
//! assignments, a package's requests, a resource's holders). A million of those as `BTreeSet`s
//! cost a node of a few hundred bytes each, and building them a million inserts into
//! separate allocations; a sorted vector holds the same in a fraction of that, and items that
//! arrive in order (as they do when an index is built from the tables) are appended.

/// An ordered set of `T`, with the few `BTreeSet` methods the indexes use (and a grant's
/// sources: `tenant::Sources`). A set of one item (most grants have one source) holds it in
/// place, without an allocation of its own.
#[derive(Clone)]
pub struct IdSet<T>(Repr<T>);

#[derive(Clone)]
enum Repr<T> {
    /// None, or two or more (or one left by a removal), in increasing order.
    Many(Vec<T>),
    One(T),
}

impl<T> Default for IdSet<T> {
    fn default() -> Self {
        IdSet(Repr::Many(Vec::new()))
    }
}

impl<T> IdSet<T> {
    fn as_slice(&self) -> &[T] {
        match &self.0 {
            Repr::Many(v) => v,
            Repr::One(x) => std::slice::from_ref(x),
        }
    }

    /// The set of `items`, already in increasing order and without repeats.
    fn of_sorted(mut items: Vec<T>) -> Self {
        match (items.len(), items.pop()) {
            (1, Some(x)) => IdSet(Repr::One(x)),
            (_, Some(x)) => {
                items.push(x);
                IdSet(Repr::Many(items))
            }
            (_, None) => IdSet::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    pub fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }

    pub fn first(&self) -> Option<&T> {
        self.as_slice().first()
    }

    pub fn last(&self) -> Option<&T> {
        self.as_slice().last()
    }

    /// In increasing order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.as_slice().iter()
    }
}

impl<T: Ord> IdSet<T> {
    /// Adds `v`; returns whether it was not there yet. In order, it is appended.
    pub fn insert(&mut self, v: T) -> bool {
        match &mut self.0 {
            Repr::Many(items) if items.is_empty() => {
                self.0 = Repr::One(v);
                true
            }
            Repr::Many(items) => {
                if items.last().is_none_or(|last| *last < v) {
                    items.push(v);
                    return true;
                }
                match items.binary_search(&v) {
                    Ok(_) => false,
                    Err(at) => {
                        items.insert(at, v);
                        true
                    }
                }
            }
            Repr::One(x) if *x == v => false,
            Repr::One(_) => {
                let Repr::One(x) = std::mem::replace(&mut self.0, Repr::Many(Vec::new())) else { return false };
                let pair = if x < v { vec![x, v] } else { vec![v, x] };
                self.0 = Repr::Many(pair);
                true
            }
        }
    }

    /// Adds each of `items`, given in increasing order: appended at once when they all come after
    /// the set's last (a clock jump's unread marks: millions, each later than those before).
    pub fn extend_increasing(&mut self, items: &[T])
    where
        T: Copy,
    {
        let after_last = match (self.last(), items.first()) {
            (Some(last), Some(first)) => last < first,
            _ => true,
        };
        if !after_last || !items.windows(2).all(|w| w.first() < w.get(1)) {
            for &v in items {
                self.insert(v);
            }
            return;
        }
        match &mut self.0 {
            Repr::Many(v) => v.extend_from_slice(items),
            Repr::One(x) => {
                let mut v = Vec::with_capacity(items.len().saturating_add(1));
                v.push(*x);
                v.extend_from_slice(items);
                self.0 = Repr::Many(v);
            }
        }
        if let Repr::Many(v) = &mut self.0
            && v.len() == 1
        {
            let items = std::mem::take(v);
            *self = IdSet::of_sorted(items);
        }
    }

    /// The set of `items`, if they are in strictly increasing order (else `None`).
    pub fn from_increasing(items: Vec<T>) -> Option<Self> {
        items.windows(2).all(|w| w.first() < w.get(1)).then(|| IdSet::of_sorted(items))
    }

    /// Removes `v`; returns whether it was there.
    pub fn remove(&mut self, v: &T) -> bool {
        match &mut self.0 {
            Repr::Many(items) => match items.binary_search(v) {
                Ok(at) => {
                    items.remove(at);
                    true
                }
                Err(_) => false,
            },
            Repr::One(x) if x == v => {
                self.0 = Repr::Many(Vec::new());
                true
            }
            Repr::One(_) => false,
        }
    }

    /// Removes every item of `gone` (in increasing order, repeats allowed) in one pass over the
    /// set: what many single removals from one big set would do, without moving its tail
    /// once per removal.
    pub fn remove_sorted(&mut self, gone: &[T]) {
        match gone {
            [] => {}
            [one] => {
                self.remove(one);
            }
            _ => match &mut self.0 {
                Repr::One(x) => {
                    if gone.binary_search(x).is_ok() {
                        self.0 = Repr::Many(Vec::new());
                    }
                }
                Repr::Many(items) => {
                    let mut next = gone.iter().peekable();
                    items.retain(|v| {
                        while next.next_if(|g| *g < v).is_some() {}
                        next.peek().is_none_or(|g| *g != v)
                    });
                }
            },
        }
    }

    pub fn contains(&self, v: &T) -> bool {
        self.as_slice().binary_search(v).is_ok()
    }
}

impl<T: PartialEq> PartialEq for IdSet<T> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Eq> Eq for IdSet<T> {}

impl<T: std::fmt::Debug> std::fmt::Debug for IdSet<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdSet({:?})", self.as_slice())
    }
}

impl<'a, T> IntoIterator for &'a IdSet<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T: Ord> FromIterator<T> for IdSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut v: Vec<T> = iter.into_iter().collect();
        v.sort();
        v.dedup();
        IdSet::of_sorted(v)
    }
}

/// Written as a list in increasing order, like a `BTreeSet`.
impl<T: serde::Serialize> serde::Serialize for IdSet<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.as_slice())
    }
}

/// Read from a list in any order (repeats dropped), like a `BTreeSet`.
impl<'de, T: serde::Deserialize<'de> + Ord> serde::Deserialize<'de> for IdSet<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<T>::deserialize(d).map(|v| v.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_added_in_increasing_order_give_the_set_inserting_them_gives() {
        let starts: [&[u64]; 4] = [&[], &[5], &[2, 5], &[1, 4, 9]];
        let runs: [&[u64]; 7] = [&[], &[7], &[6, 8, 20], &[5, 6], &[3, 4], &[0, 10, 11], &[8, 8, 9]];
        for start in starts {
            for run in runs {
                let mut ours = IdSet::from_increasing(start.to_vec()).expect("increasing");
                ours.extend_increasing(run);
                let mut model: std::collections::BTreeSet<u64> = start.iter().copied().collect();
                model.extend(run.iter().copied());
                let want: IdSet<u64> = model.iter().copied().collect();
                assert_eq!(ours, want, "{start:?} then {run:?}");
                assert_eq!(ours.len(), model.len(), "{start:?} then {run:?}");
                assert!(model.iter().all(|v| ours.contains(v)), "{start:?} then {run:?}");
            }
        }
    }

    #[test]
    fn keeps_order_and_no_repeats_like_a_set() {
        let mut s = IdSet::default();
        for v in [5, 1, 9, 5, 3, 9, 10] {
            s.insert(v);
        }
        assert_eq!(s.iter().copied().collect::<Vec<_>>(), [1, 3, 5, 9, 10]);
        assert!(!s.insert(3));
        assert!(s.remove(&9));
        assert!(!s.remove(&9));
        assert!(s.contains(&10) && !s.contains(&9));
        assert_eq!((s.len(), s.first(), s.last()), (4, Some(&1), Some(&10)));
        let built: IdSet<i32> = [4, 2, 4].into_iter().collect();
        assert_eq!(built.iter().copied().collect::<Vec<_>>(), [2, 4]);
        let mut many: IdSet<i32> = (0..20).collect();
        many.remove_sorted(&[-1, 0, 3, 3, 4, 11, 19, 25]);
        assert_eq!(many.iter().copied().collect::<Vec<_>>(), [1, 2, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18]);
        many.remove_sorted(&[5]);
        many.remove_sorted(&[]);
        assert_eq!(many.len(), 14);
        // A set of one held in place leaves by a run too.
        let mut single = IdSet::from_increasing(vec![3]).expect("one");
        single.remove_sorted(&[1, 2]);
        assert_eq!(single.len(), 1);
        single.remove_sorted(&[1, 3]);
        assert!(single.is_empty());
        assert_eq!(IdSet::from_increasing(vec![1, 2, 7]).map(|s| s.len()), Some(3));
        assert!(IdSet::from_increasing(vec![1, 2, 2]).is_none() && IdSet::from_increasing(vec![2, 1]).is_none());
        // One item is held in place; a set of one equals the same set made otherwise.
        let mut one = IdSet::default();
        assert!(one.insert(4) && !one.insert(4) && one.contains(&4));
        assert_eq!(one, [4].into_iter().collect());
        assert!(one.insert(2));
        assert_eq!(one.iter().copied().collect::<Vec<_>>(), [2, 4]);
        assert!(one.remove(&2) && one.remove(&4) && one.is_empty() && !one.remove(&4));
        assert!(one.insert(9) && !one.remove(&1) && one.remove(&9) && one.first().is_none());
        assert_eq!(format!("{:?}", IdSet::from_increasing(vec![7]).expect("one")), "IdSet([7])");
        let read: IdSet<i32> = serde_json::from_str("[3, 1, 3]").expect("a list");
        assert_eq!(serde_json::to_string(&read).expect("writes"), "[1,3]");
    }
}
