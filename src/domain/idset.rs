//! [`IdSet`]: a small ordered set kept as a sorted vector, for the tenant's indexes (a user's
//! assignments, a package's requests, a resource's holders). A million of those as `BTreeSet`s
//! cost a node of a few hundred bytes each, and building them a million inserts into
//! separate allocations; a sorted vector holds the same in a fraction of that, and items that
//! arrive in order (as they do when an index is built from the tables) are appended.

/// An ordered set of `T`, with the few `BTreeSet` methods the indexes use (and a grant's
/// sources: `tenant::Sources`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdSet<T>(Vec<T>);

impl<T> Default for IdSet<T> {
    fn default() -> Self {
        IdSet(Vec::new())
    }
}

impl<T: Ord> IdSet<T> {
    /// Adds `v`; returns whether it was not there yet. In order, it is appended.
    pub fn insert(&mut self, v: T) -> bool {
        if self.0.last().is_none_or(|last| *last < v) {
            self.0.push(v);
            return true;
        }
        match self.0.binary_search(&v) {
            Ok(_) => false,
            Err(at) => {
                self.0.insert(at, v);
                true
            }
        }
    }

    /// The set of `items`, if they are in strictly increasing order (else `None`).
    pub fn from_increasing(items: Vec<T>) -> Option<Self> {
        items.windows(2).all(|w| w.first() < w.get(1)).then_some(IdSet(items))
    }

    /// Removes `v`; returns whether it was there.
    pub fn remove(&mut self, v: &T) -> bool {
        match self.0.binary_search(v) {
            Ok(at) => {
                self.0.remove(at);
                true
            }
            Err(_) => false,
        }
    }

    pub fn contains(&self, v: &T) -> bool {
        self.0.binary_search(v).is_ok()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn first(&self) -> Option<&T> {
        self.0.first()
    }

    pub fn last(&self) -> Option<&T> {
        self.0.last()
    }

    /// In increasing order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }
}

impl<'a, T> IntoIterator for &'a IdSet<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<T: Ord> FromIterator<T> for IdSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut v: Vec<T> = iter.into_iter().collect();
        v.sort();
        v.dedup();
        IdSet(v)
    }
}

/// Written as a list in increasing order, like a `BTreeSet`.
impl<T: serde::Serialize> serde::Serialize for IdSet<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(&self.0)
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
        assert_eq!(IdSet::from_increasing(vec![1, 2, 7]).map(|s| s.len()), Some(3));
        assert!(IdSet::from_increasing(vec![1, 2, 2]).is_none() && IdSet::from_increasing(vec![2, 1]).is_none());
        let read: IdSet<i32> = serde_json::from_str("[3, 1, 3]").expect("a list");
        assert_eq!(serde_json::to_string(&read).expect("writes"), "[1,3]");
    }
}
