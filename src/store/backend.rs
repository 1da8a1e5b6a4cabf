//! What any keeper of a [`Persist`] state offers, so that a second backend (a database shared by
//! several machines) can stand where the JSON files stand: open what is there, commit an entry
//! made from a known state (refused if another writer came first), list the entries since a
//! number (to catch up a copy), write a checkpoint later opens start from, and read history.
//!
//! The file store ([`Store`]) is the one backend today, and the default. A database backend
//! would keep the entries in a table keyed by their number (the number's uniqueness is the
//! "expected" check), checkpoints in another, and history records in a third.

use std::path::Path;

use serde::de::DeserializeOwned;

use super::error::{CommitError, StoreError};
use super::{Persist, Store};

pub trait Backend<S: Persist>: Sized {
    /// Where the data is (a directory for the file store, a connection string for a database).
    type Location: ?Sized;

    /// What is there, or `None` when nothing is.
    fn open_at(at: &Self::Location) -> Result<Option<Self>, StoreError>;
    /// The state as of [`Backend::last_seq`].
    fn current(&self) -> &S;
    /// The number of the last entry in the state.
    fn last_seq(&self) -> u64;
    /// Commits `entry` as number `expected + 1` if the last entry is number `expected`;
    /// otherwise [`StoreError::Conflict`], and nothing is written.
    fn commit_expecting(&mut self, expected: u64, entry: S::Entry) -> Result<S::Output, CommitError<S::Error>>;
    /// The entries after number `since`, in order.
    fn entries_since(&self, since: u64) -> Result<Vec<(u64, S::Entry)>, StoreError>;
    /// Writes the state as a checkpoint that later opens start from.
    fn checkpoint(&mut self) -> Result<(), StoreError>;
    /// Every record of a history stream written so far, oldest first.
    fn history<T: DeserializeOwned>(&self, stream: &str) -> Result<Vec<T>, StoreError>;
}

impl<S: Persist> Backend<S> for Store<S> {
    type Location = Path;

    fn open_at(at: &Path) -> Result<Option<Self>, StoreError> {
        Store::open(at)
    }
    fn current(&self) -> &S {
        self.state()
    }
    fn last_seq(&self) -> u64 {
        self.seq()
    }
    fn commit_expecting(&mut self, expected: u64, entry: S::Entry) -> Result<S::Output, CommitError<S::Error>> {
        Store::commit_expecting(self, expected, entry)
    }
    fn entries_since(&self, since: u64) -> Result<Vec<(u64, S::Entry)>, StoreError> {
        Store::entries_since(self, since)
    }
    fn checkpoint(&mut self) -> Result<(), StoreError> {
        Store::checkpoint(self)
    }
    fn history<T: DeserializeOwned>(&self, stream: &str) -> Result<Vec<T>, StoreError> {
        Store::history(self, stream)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_sum::Sum;

    /// A copy of the state kept up to date from the entries alone, through the trait only.
    fn follow<B: Backend<Sum>>(backend: &B, copy: &mut Sum, at: &mut u64) -> Result<(), StoreError> {
        for (seq, entry) in backend.entries_since(*at)? {
            copy.apply(&entry).map_err(|_| StoreError::Conflict { path: "copy".into(), expected: *at, found: seq })?;
            *at = seq;
        }
        Ok(())
    }

    #[test]
    fn the_file_store_commits_only_on_the_state_it_was_given_and_lists_entries_since() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join("data");
        drop(Store::create(&dir, Sum(0)).expect("creates"));
        let mut a = <Store<Sum> as Backend<Sum>>::open_at(&dir).expect("opens").expect("holds data");
        let mut b = <Store<Sum> as Backend<Sum>>::open_at(&dir).expect("opens").expect("holds data");
        a.commit_expecting(0, 5).expect("first");
        // b was made from entry 0 too: it came second.
        match b.commit_expecting(0, 7) {
            Err(CommitError::Store(StoreError::Conflict { expected: 0, found: 1, .. })) => {}
            other => panic!("expected a conflict, got {other:?}"),
        }
        assert_eq!(b.last_seq(), 1, "the refused commit caught up");
        b.commit_expecting(1, 7).expect("made again from the new state");

        let (mut copy, mut at) = (Sum(0), 0);
        follow(&a, &mut copy, &mut at).expect("follows");
        assert_eq!((copy.0, at), (12, 2));
        a.checkpoint().expect("checkpoints");
        a.commit_expecting(2, 1).expect("goes on");
        follow(&a, &mut copy, &mut at).expect("follows");
        assert_eq!((copy.0, at), (13, 3));
        // The journal keeps one checkpoint's worth of entries before the last: after a second
        // checkpoint, those up to the first are only in the snapshot.
        a.checkpoint().expect("checkpoints");
        assert!(matches!(a.entries_since(0), Err(StoreError::Compacted { snapshot: 2, .. })));
        assert_eq!(a.entries_since(2).expect("kept").len(), 1);
        assert_eq!(a.history::<u64>("audit").expect("no history").len(), 0);
    }
}
