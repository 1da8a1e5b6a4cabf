//! The derived cache: used when it provably holds what the snapshot and the journal hold,
//! ignored (and replaced) otherwise, and never the reason an open or a commit fails.

use std::fs;
use std::path::Path;

use super::test_sum::Sum;
use super::{CacheMiss, LoadSource, Store};

fn open(dir: &Path) -> Store<Sum> {
    Store::<Sum>::open(dir).expect("opens").expect("a store")
}

/// Opens, and waits for the cache a JSON open writes in the background.
fn open_and_renew(dir: &Path) -> Store<Sum> {
    let mut s = open(dir);
    s.wait_for_cache();
    s
}

fn store_with(dir: &Path, entries: &[i64]) -> Store<Sum> {
    let mut s = Store::create(dir, Sum(1)).expect("created");
    s.set_background_compaction(false);
    for e in entries {
        s.commit(|_| *e).expect("committed");
    }
    s
}

#[test]
fn a_created_store_opens_from_its_cache_and_replays_the_journal_after_it() {
    let dir = tempfile::tempdir().unwrap();
    drop(store_with(dir.path(), &[2, 3]));
    assert!(dir.path().join("tenant.cache").exists());
    let s = open(dir.path());
    assert_eq!(s.load_source(), &LoadSource::Cache);
    assert_eq!((s.state().0, s.seq()), (6, 2));
}

#[test]
fn a_compaction_writes_the_cache_that_the_next_open_reads() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_with(dir.path(), &[2, 3]);
    fs::remove_file(dir.path().join("tenant.cache")).unwrap();
    s.compact().unwrap();
    s.commit(|_| 4).unwrap();
    drop(s);
    let s = open(dir.path());
    assert_eq!(s.load_source(), &LoadSource::Cache, "the cache, tied to the compaction's own snapshot");
    assert_eq!((s.state().0, s.seq(), s.snapshot_seq()), (10, 3, 2));
}

#[test]
fn a_missing_cache_is_written_by_the_open_that_read_the_json_at_the_state_s_seq() {
    let dir = tempfile::tempdir().unwrap();
    drop(store_with(dir.path(), &[2, 3]));
    fs::remove_file(dir.path().join("tenant.cache")).unwrap();
    let s = open_and_renew(dir.path());
    assert_eq!(s.load_source(), &LoadSource::Snapshot(CacheMiss::Missing));
    drop(s);
    // The cache is ahead of the snapshot (seq 2 against 0): with the journal it is the same state.
    let mut s = open(dir.path());
    assert_eq!(s.load_source(), &LoadSource::Cache);
    assert_eq!((s.state().0, s.seq(), s.snapshot_seq()), (6, 2, 0));
    s.commit(|_| 10).unwrap();
    drop(s);
    let s = open(dir.path());
    assert_eq!((s.load_source(), s.state().0, s.seq()), (&LoadSource::Cache, 16, 3));
}

/// Breaks the cache of a store with entries 2 and 3 in some way, and checks that the open
/// reads the JSON (for `why`), gives the right state, and replaces the cache.
fn ignored_then_replaced(why: CacheMiss, expected: u64, spoil: impl FnOnce(&Path)) {
    let dir = tempfile::tempdir().unwrap();
    drop(store_with(dir.path(), &[2, 3]));
    spoil(dir.path());
    let s = open_and_renew(dir.path());
    assert_eq!(s.load_source(), &LoadSource::Snapshot(why.clone()), "{why:?}");
    assert_eq!(s.state().0, expected, "{why:?}");
    drop(s);
    let s = open(dir.path());
    assert_eq!(s.load_source(), &LoadSource::Cache, "replaced after {why:?}");
    assert_eq!(s.state().0, expected);
}

fn edit(path: &Path, change: impl FnOnce(&mut Vec<u8>)) {
    let mut bytes = fs::read(path).unwrap();
    change(&mut bytes);
    fs::write(path, bytes).unwrap();
}

#[test]
fn a_snapshot_replaced_by_hand_makes_the_cache_stale() {
    ignored_then_replaced(CacheMiss::Stale, 105, |dir| {
        let path = dir.join("tenant.json");
        let text = fs::read_to_string(&path).unwrap().replace("\n1\n", "\n100\n");
        fs::write(path, text).unwrap();
    });
}

#[test]
fn a_cache_of_another_version_or_kind_is_stale() {
    // The state's layout version (offset 12).
    ignored_then_replaced(CacheMiss::Stale, 6, |dir| edit(&dir.join("tenant.cache"), |b| b[12] ^= 0xff));
    // The store's header version (offset 8).
    ignored_then_replaced(CacheMiss::Stale, 6, |dir| edit(&dir.join("tenant.cache"), |b| b[8] ^= 0x01));
}

#[test]
fn a_truncated_or_flipped_cache_is_damaged() {
    ignored_then_replaced(CacheMiss::Damaged, 6, |dir| edit(&dir.join("tenant.cache"), |b| b.truncate(b.len() - 3)));
    ignored_then_replaced(CacheMiss::Damaged, 6, |dir| {
        edit(&dir.join("tenant.cache"), |b| {
            let last = b.len() - 1;
            b[last] ^= 0x10;
        })
    });
    ignored_then_replaced(CacheMiss::Damaged, 6, |dir| fs::write(dir.join("tenant.cache"), b"ENTCACHE").unwrap());
}

#[test]
fn a_cache_ahead_of_what_the_journal_holds_is_never_trusted() {
    let dir = tempfile::tempdir().unwrap();
    drop(store_with(dir.path(), &[2, 3]));
    fs::remove_file(dir.path().join("tenant.cache")).unwrap();
    drop(open_and_renew(dir.path()));
    // The cache holds seq 2; the journal loses its last line (cut by hand).
    edit(&dir.path().join("journal.jsonl"), |b| {
        let text = String::from_utf8(b.clone()).unwrap();
        let first = text.split_inclusive('\n').next().unwrap().to_owned();
        *b = first.into_bytes();
    });
    let s = open(dir.path());
    assert_eq!(s.load_source(), &LoadSource::Snapshot(CacheMiss::Stale));
    assert_eq!((s.state().0, s.seq()), (3, 1), "the files of record, not the cache");
}

#[test]
fn a_cache_that_cannot_be_written_fails_no_commit_compaction_or_open() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store_with(dir.path(), &[2]);
    let cache = dir.path().join("tenant.cache");
    fs::remove_file(&cache).unwrap();
    fs::create_dir(&cache).unwrap();
    fs::write(cache.join("in the way"), b"x").unwrap();
    s.commit(|_| 3).unwrap();
    s.compact().unwrap();
    s.commit(|_| 4).unwrap();
    drop(s);
    let mut s = open_and_renew(dir.path());
    assert!(matches!(s.load_source(), LoadSource::Snapshot(_)));
    assert_eq!(s.state().0, 10);
    s.commit(|_| 5).unwrap();
    assert_eq!(s.state().0, 15);
}
