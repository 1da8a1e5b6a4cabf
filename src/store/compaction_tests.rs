//! A compaction writes its snapshot without the lock: others commit meanwhile, and nothing
//! they commit is lost.

use std::time::Duration;

use super::*;
use crate::store::Store;
use crate::store::lock::LockWait;
use crate::store::test_sum::Sum;

fn no_wait() -> LockWait {
    LockWait::new(Duration::ZERO)
}

#[test]
fn others_commit_while_a_snapshot_is_written_and_their_lines_are_kept() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("data");
    let mut a = Store::create(&dir, Sum(0)).expect("creates");
    a.commit(|_| 1).expect("commits");
    a.commit(|_| 2).expect("commits");
    let other = dir.clone();
    WHILE_COMPACTING.with(|h| {
        *h.borrow_mut() = Some(Box::new(move || {
            // Not waiting at all: the compaction holds no lock while its snapshot is written.
            let mut b = Store::<Sum>::open_with(&other, no_wait()).expect("opens").expect("holds data");
            b.set_lock_wait(no_wait());
            b.commit(|_| 10).expect("commits during the compaction without waiting");
            b.commit(|_| 20).expect("commits during the compaction without waiting");
        }))
    });
    a.compact().expect("compacts");
    WHILE_COMPACTING.with(|h| *h.borrow_mut() = None);

    // The snapshot is the state as of the compaction's start; the journal keeps the lines since
    // the snapshot before (here all four), and the compacting handle has replayed the later two.
    assert_eq!(a.snapshot_seq(), 2);
    assert_eq!((a.seq(), a.state().0), (4, 33));
    assert_eq!(a.journal_lines(), 4);
    let reopened = Store::<Sum>::open(&dir).expect("opens").expect("holds data");
    assert_eq!((reopened.seq(), reopened.snapshot_seq(), reopened.state().0), (4, 2, 33));
    a.commit(|_| 100).expect("commits after");
    assert_eq!(Store::<Sum>::open(&dir).expect("opens").expect("holds data").state().0, 133);
}

#[test]
fn a_compaction_that_lost_the_race_to_another_drops_its_snapshot() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("data");
    let mut a = Store::create(&dir, Sum(0)).expect("creates");
    a.commit(|_| 1).expect("commits");
    let other = dir.clone();
    WHILE_COMPACTING.with(|h| {
        *h.borrow_mut() = Some(Box::new(move || {
            WHILE_COMPACTING.with(|h| *h.borrow_mut() = None);
            let mut b = Store::<Sum>::open(&other).expect("opens").expect("holds data");
            b.commit(|_| 5).expect("commits");
            b.compact().expect("compacts first");
        }))
    });
    a.compact().expect("the second compaction gives way");
    WHILE_COMPACTING.with(|h| *h.borrow_mut() = None);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("lists")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let reopened = Store::<Sum>::open(&dir).expect("opens").expect("holds data");
    assert_eq!((reopened.snapshot_seq(), reopened.state().0), (2, 6));
    a.commit(|_| 1).expect("the loser catches up and commits");
    assert_eq!(a.state().0, 7);
}

#[test]
fn a_replaced_snapshot_is_freed_a_slice_at_a_time_and_then_gone() {
    let tmp = tempfile::tempdir().expect("tmp");
    for len in [0u64, 1000, (16 << 20) + 1, 40 << 20] {
        let old = tmp.path().join(format!("tenant.json.old-{len}"));
        std::fs::File::create(&old).and_then(|f| f.set_len(len)).expect("a sparse file that size");
        super::remove_old(Some(old.clone()));
        assert!(!old.exists(), "{len} bytes: removed");
    }
    // Nothing to remove is no error.
    super::remove_old(Some(tmp.path().join("gone")));
}
