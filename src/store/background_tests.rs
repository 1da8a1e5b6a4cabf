//! A compaction that a commit makes due is written by a child process: the commit returns
//! before the snapshot is written, commits made meanwhile are kept, a child that dies leaves
//! the store readable, and one process runs one such compaction at a time.
//!
//! The child stops itself (`SIGSTOP`) at a chosen point, so that the tests act while it is
//! known to be there, without timing anything.

use std::path::Path;
use std::time::{Duration, Instant};

use super::ChildStop;
use crate::store::test_sum::Sum;
use crate::store::{Compaction, Store, StoreError};

fn store_compacting_every(dir: &Path, entries: u64, stop: Option<ChildStop>) -> Store<Sum> {
    let mut a = Store::create(dir, Sum(0)).expect("creates");
    a.set_compaction(Compaction { max_entries: entries, max_bytes: u64::MAX / 8 });
    a.stop_background_at(stop);
    a
}

fn reopened(dir: &Path) -> Store<Sum> {
    Store::<Sum>::open(dir).expect("opens").expect("holds data")
}

/// Waits until the child has stopped itself (its state in `/proc` is `T`).
fn until_stopped(pid: u32) {
    let stat = format!("/proc/{pid}/stat");
    let start = Instant::now();
    loop {
        let text = std::fs::read_to_string(&stat).expect("the child is there");
        // The state follows the command's name, which is in parentheses.
        let state = text.rsplit_once(") ").and_then(|(_, rest)| rest.chars().next());
        if state == Some('T') {
            return;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "the child never reached its stop: {text}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn signal(pid: u32, sig: libc::c_int) {
    let pid = libc::pid_t::try_from(pid).expect("a pid");
    // SAFETY: sends a signal to our own child.
    assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
}

fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("lists")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp") || n.contains(".old-"))
        .collect()
}

#[test]
fn a_commit_that_makes_a_compaction_due_returns_before_the_snapshot_is_written() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("data");
    let mut a = store_compacting_every(&dir, 2, Some(ChildStop::BeforeWrite));
    for n in 1..=3 {
        a.commit(|_| n).expect("commits");
    }
    // The third commit made the compaction due, and returned with the old snapshot in place.
    let pid = a.background_pid().expect("a compaction runs in the background");
    assert_ne!(pid, std::process::id());
    until_stopped(pid);
    assert_eq!(reopened(&dir).snapshot_seq(), 0, "the snapshot is not written yet");
    assert_eq!((a.seq(), a.state().0), (3, 6));

    signal(pid, libc::SIGCONT);
    a.wait_for_compaction().expect("the child compacts");
    let after = reopened(&dir);
    assert_eq!((after.snapshot_seq(), after.seq(), after.state().0), (3, 3, 6));
    assert!(temporaries(&dir).is_empty(), "{:?}", temporaries(&dir));
}

#[test]
fn commits_made_while_the_child_writes_are_kept_and_only_one_compaction_runs() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("data");
    let mut a = store_compacting_every(&dir, 2, Some(ChildStop::BeforeWrite));
    for n in 1..=3 {
        a.commit(|_| n).expect("commits");
    }
    let pid = a.background_pid().expect("a compaction runs in the background");
    until_stopped(pid);
    // Due again (past two entries since the snapshot this handle knows), but one runs already.
    a.commit(|_| 10).expect("commits while the child writes");
    a.commit(|_| 20).expect("commits while the child writes");
    assert_eq!(a.background_pid(), Some(pid), "no second compaction was started");

    signal(pid, libc::SIGCONT);
    a.wait_for_compaction().expect("the child compacts");
    let mid = reopened(&dir);
    assert_eq!((mid.snapshot_seq(), mid.seq(), mid.state().0), (3, 5, 36));

    // The parent follows the child's compaction and goes on committing.
    a.stop_background_at(None);
    a.commit(|_| 100).expect("commits after");
    assert_eq!((a.seq(), a.state().0), (6, 136));
    a.wait_for_compaction().expect("the next compaction");
    let after = reopened(&dir);
    assert_eq!((after.seq(), after.state().0), (6, 136));
    assert_eq!(after.snapshot_seq(), 6, "the commit that found it due compacted again");
}

#[test]
fn a_child_killed_mid_write_leaves_the_store_readable_and_its_temporary_is_cleaned() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("data");
    let mut a = store_compacting_every(&dir, 2, Some(ChildStop::AfterWrite));
    for n in 1..=3 {
        a.commit(|_| n).expect("commits");
    }
    let pid = a.background_pid().expect("a compaction runs in the background");
    until_stopped(pid);
    let left = temporaries(&dir);
    assert!(left.iter().any(|n| n.starts_with(&format!("tenant.json.tmp-{pid}-"))), "{left:?}");

    signal(pid, libc::SIGKILL);
    match a.wait_for_compaction() {
        Err(StoreError::Unfinished { pid: p, .. }) => assert_eq!(p, pid),
        other => panic!("not reported as unfinished: {other:?}"),
    }
    let readable = reopened(&dir);
    assert_eq!((readable.snapshot_seq(), readable.seq(), readable.state().0), (0, 3, 6));

    a.stop_background_at(None);
    a.compact().expect("compacts");
    assert!(temporaries(&dir).is_empty(), "{:?}", temporaries(&dir));
    let after = reopened(&dir);
    assert_eq!((after.snapshot_seq(), after.seq(), after.state().0), (3, 3, 6));
}

#[test]
fn without_the_background_the_committing_process_writes_the_snapshot() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("data");
    let mut a = store_compacting_every(&dir, 2, None);
    a.set_background_compaction(false);
    for n in 1..=3 {
        a.commit(|_| n).expect("commits");
    }
    assert_eq!(a.background_pid(), None);
    assert_eq!(reopened(&dir).snapshot_seq(), 3);
}

#[test]
fn while_the_child_writes_its_snapshot_an_open_reads_the_cache_it_wrote_first() {
    use crate::store::LoadSource;
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("data");
    let mut a = store_compacting_every(&dir, 2, Some(ChildStop::AfterWrite));
    // No cache but the one the compaction writes.
    std::fs::remove_file(dir.join("tenant.cache")).expect("the cache of the new store");
    for n in 1..=3 {
        a.commit(|_| n).expect("commits");
    }
    let pid = a.background_pid().expect("a compaction runs in the background");
    until_stopped(pid);
    let b = reopened(&dir);
    assert_eq!(b.snapshot_seq(), 0, "the old snapshot is still in place");
    assert_eq!(b.load_source(), &LoadSource::Cache, "the cache, written before the snapshot");
    assert_eq!((b.seq(), b.state().0), (3, 6));
    signal(pid, libc::SIGCONT);
    a.wait_for_compaction().expect("the compaction finishes");
    let c = reopened(&dir);
    assert_eq!(c.snapshot_seq(), 3);
    assert_eq!(c.load_source(), &LoadSource::Cache, "the cache now stands for the new snapshot too");
    assert_eq!(c.state().0, 6);
}
