//! `Store::open` parses without holding the lock, and still never mixes two versions of the files.

use std::cell::Cell;
use std::fs::File;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{Persist, Store};

thread_local! {
    /// The lock file to probe from `after_load`, and whether it could be locked exclusively then.
    static PROBE: Cell<Option<(PathBuf, bool)>> = const { Cell::new(None) };
}

/// A counter whose `after_load` (run while the snapshot is parsed) tries the lock.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Probe(u64);

#[derive(Debug, thiserror::Error)]
#[error("never")]
struct Never;

impl Persist for Probe {
    type Entry = u64;
    type Output = ();
    type Error = Never;
    const KIND: &'static str = "probe";
    const SCHEMA_VERSION: u32 = 1;
    fn apply(&mut self, entry: &u64) -> Result<(), Never> {
        self.0 = self.0.saturating_add(*entry);
        Ok(())
    }
    fn after_load(&mut self) {
        if let Some((path, _)) = PROBE.take() {
            let free = File::open(&path).map(|f| f.try_lock().is_ok()).unwrap_or(false);
            PROBE.set(Some((path, free)));
        }
    }
}

#[test]
fn open_parses_without_holding_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::create(dir.path(), Probe(0)).unwrap();
    store.commit(|_| 5).unwrap();
    drop(store);

    PROBE.set(Some((dir.path().join("entitle.lock"), false)));
    let opened = Store::<Probe>::open(dir.path()).unwrap().unwrap();
    assert_eq!(opened.state().0, 5);
    let probed = PROBE.take();
    assert!(matches!(probed, Some((_, true))), "the lock was held while parsing: {probed:?}");
}

#[test]
fn another_process_compaction_is_followed_in_the_journal_and_a_reset_parsed_without_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = Store::create(dir.path(), Probe(0)).unwrap();
    let mut b = Store::<Probe>::open(dir.path()).unwrap().unwrap();
    a.commit(|_| 5).unwrap();
    a.compact().unwrap();

    // b follows a's compaction by reading on in the journal: the new snapshot is not parsed.
    PROBE.set(Some((dir.path().join("entitle.lock"), false)));
    b.commit(|_| 1).unwrap();
    assert!(matches!(PROBE.take(), Some((_, false))), "parsed a snapshot it did not need");
    assert_eq!((b.state().0, b.seq(), b.snapshot_seq()), (6, 2, 1));
    a.commit(|_| 1).unwrap();
    a.compact().unwrap();
    PROBE.set(Some((dir.path().join("entitle.lock"), false)));
    assert!(b.refresh().unwrap());
    assert!(matches!(PROBE.take(), Some((_, false))));
    assert_eq!((b.state().0, b.seq(), b.snapshot_seq()), (7, 3, 3));

    // Left behind by two compactions, b can no longer follow in the journal: it parses the new
    // snapshot, before taking any lock.
    for _ in 0..2 {
        a.commit(|_| 1).unwrap();
        a.compact().unwrap();
    }
    PROBE.set(Some((dir.path().join("entitle.lock"), false)));
    assert!(b.refresh().unwrap());
    let probed = PROBE.take();
    assert!(matches!(probed, Some((_, true))), "the lock was held while parsing: {probed:?}");
    assert_eq!((b.state().0, b.seq()), (9, 5));

    // A reset is another tenant: b parses it, before taking any lock.
    drop(Store::create_replacing(dir.path(), Probe(100)).unwrap());
    PROBE.set(Some((dir.path().join("entitle.lock"), false)));
    assert!(b.refresh().unwrap());
    let probed = PROBE.take();
    assert!(matches!(probed, Some((_, true))), "the lock was held while parsing: {probed:?}");
    assert_eq!(b.state().0, 100);
}
