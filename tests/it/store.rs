//! The store's life cycle: open, create, commit, reopen, compact, reset.

use crate::store_toy as toy;

use std::fs;

use entitle::store::{CommitError, Compaction, Store, StoreError};
use toy::{Toy, ToyError, add, contents, journal_lines, put, take};

fn fresh() -> (tempfile::TempDir, Store<Toy>) {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::create(tmp.path().join("data"), Toy::default()).unwrap();
    (tmp, store)
}

#[test]
fn missing_or_empty_directory_opens_as_none_and_is_not_touched() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nope");
    assert!(Store::<Toy>::open(&missing).unwrap().is_none());
    assert!(!missing.exists());

    assert!(Store::<Toy>::open(tmp.path()).unwrap().is_none());
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn create_writes_a_readable_snapshot_and_reopens() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("a").join("b");
    let start = Toy { counter: 7, ..Toy::default() };
    let store = Store::create(&dir, start).unwrap();
    assert_eq!(store.seq(), 0);
    assert_eq!(store.dir(), dir);

    // A header line a reader can take without reading the state, then the state.
    let text = fs::read_to_string(dir.join("tenant.json")).unwrap();
    let (head, body) = text.split_once('\n').unwrap();
    let json: serde_json::Value = serde_json::from_str(head).unwrap();
    assert_eq!(json, serde_json::json!({"kind": "toy-tenant", "schema_version": 2, "seq": 0, "history": "history"}));
    let state: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(state["counter"], 7);
    assert!(body.starts_with("{\n  \""), "laid out over lines: {body}");
    assert!(!dir.join("journal.jsonl").exists());

    let reopened = Store::<Toy>::open(&dir).unwrap().unwrap();
    assert_eq!(reopened.state().data(), store.state().data());
    assert_eq!(reopened.state().loads, 1, "after_load ran once");
}

#[test]
fn create_refuses_a_directory_with_data_and_changes_nothing() {
    let (tmp, mut store) = fresh();
    let dir = tmp.path().join("data");
    store.commit(add(1)).unwrap();
    let before = contents(&dir);
    let err = Store::create(&dir, Toy::default()).unwrap_err();
    assert!(matches!(err, StoreError::Exists { .. }), "{err}");
    assert!(err.to_string().contains("tenant.json"), "{err}");
    assert_eq!(contents(&dir), before);

    // A journal without a snapshot is data too: open finds nothing, create refuses.
    fs::remove_file(dir.join("tenant.json")).unwrap();
    let before = contents(&dir);
    assert!(Store::<Toy>::open(&dir).unwrap().is_none());
    let err = Store::create(&dir, Toy::default()).unwrap_err();
    assert!(err.to_string().contains("journal.jsonl"), "{err}");
    assert_eq!(contents(&dir), before);
}

#[test]
fn create_replacing_moves_old_files_aside() {
    let (tmp, mut store) = fresh();
    let dir = tmp.path().join("data");
    store.commit(add(5)).unwrap();
    let old_snapshot = fs::read(dir.join("tenant.json")).unwrap();
    let old_journal = fs::read(dir.join("journal.jsonl")).unwrap();

    let (replaced, backups) = Store::create_replacing(&dir, Toy::default()).unwrap();
    // The old history stays where it is (the new tenant has a directory of its own), and is named.
    assert_eq!(backups, vec![dir.join("tenant.json.bak-1"), dir.join("journal.jsonl.bak-1"), dir.join("history")]);
    assert_eq!(fs::read(&backups[0]).unwrap(), old_snapshot);
    assert_eq!(fs::read(&backups[1]).unwrap(), old_journal);
    // The new snapshot goes on from the old data's last seq, so that old journal lines a crash
    // might leave behind count as already in it.
    assert_eq!(replaced.seq(), 1);
    assert_eq!(replaced.state().counter, 0);
    assert!(!dir.join("journal.jsonl").exists());

    // Even a snapshot that cannot be read is kept, under the next free number.
    fs::write(dir.join("tenant.json"), b"{ garbage").unwrap();
    let (_, backups) = Store::<Toy>::create_replacing(&dir, Toy::default()).unwrap();
    assert_eq!(backups, vec![dir.join("tenant.json.bak-2")]);
    assert_eq!(fs::read(&backups[0]).unwrap(), b"{ garbage");

    // The first store notices the reset before its next commit.
    assert_eq!(store.commit(add(1)).unwrap(), 1);
    let reopened = Store::<Toy>::open(&dir).unwrap().unwrap();
    assert_eq!((reopened.seq(), reopened.state().counter), (1, 1));
}

#[test]
fn commits_survive_reopen() {
    let (tmp, mut store) = fresh();
    let dir = tmp.path().join("data");
    assert_eq!(store.commit(add(3)).unwrap(), 3);
    assert_eq!(store.commit(put("alice", 10)).unwrap(), 10);
    assert_eq!(store.commit(put("bob", 4)).unwrap(), 4);
    assert_eq!(store.commit(take("alice")).unwrap(), 10);
    assert_eq!(store.commit(add(-1)).unwrap(), 2);
    assert_eq!(store.seq(), 5);

    let lines = journal_lines(&dir);
    assert_eq!(lines.len(), 5);
    assert!(lines[0].starts_with("{\"seq\":1,\"entry\":{"), "{}", lines[0]);
    let second: serde_json::Value = serde_json::from_str(&lines[1]).unwrap();
    assert_eq!(second["seq"], 2);
    assert_eq!(second["entry"]["actor"], "tester");

    let reopened = Store::<Toy>::open(&dir).unwrap().unwrap();
    assert_eq!(reopened.seq(), 5);
    assert_eq!(reopened.state().data(), store.state().data());
    assert_eq!(reopened.state().total, 4, "index rebuilt and maintained by replay");
}

#[test]
fn a_refused_entry_writes_nothing() {
    let (tmp, mut store) = fresh();
    let dir = tmp.path().join("data");
    store.commit(put("a", 1)).unwrap();
    let before = contents(&dir);
    match store.commit(take("zed")) {
        Err(CommitError::Refused(e)) => assert_eq!(e, ToyError::Missing("zed".into())),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(contents(&dir), before);
    assert_eq!(store.seq(), 1);
    store.commit(take("a")).unwrap();
    assert_eq!(Store::<Toy>::open(&dir).unwrap().unwrap().seq(), 2);
}

#[test]
fn a_commit_appends_and_leaves_the_snapshot_alone() {
    let (tmp, mut store) = fresh();
    let dir = tmp.path().join("data");
    for i in 0..200 {
        store.commit(put(&format!("k{i}"), i)).unwrap();
    }
    let snapshot = fs::read(dir.join("tenant.json")).unwrap();
    let journal = fs::read(dir.join("journal.jsonl")).unwrap();
    store.commit(add(1)).unwrap();
    assert_eq!(fs::read(dir.join("tenant.json")).unwrap(), snapshot);
    let after = fs::read(dir.join("journal.jsonl")).unwrap();
    assert_eq!(&after[..journal.len()], &journal[..], "appended, not rewritten");
}

#[test]
fn many_commits_compact_and_reopen_to_the_same_state() {
    let (tmp, mut store) = fresh();
    let dir = tmp.path().join("data");
    store.set_compaction(Compaction { max_entries: 50, max_bytes: u64::MAX });
    for i in 0..175 {
        store.commit(put(&format!("k{}", i % 30), i)).unwrap();
        store.commit(add(1)).unwrap();
        // The compactions run in the background: each is followed once it is done.
        store.wait_for_compaction().unwrap();
        // The entries since the snapshot, and those of the period before it (for processes
        // that follow compactions in the journal).
        assert!(store.seq() - store.snapshot_seq() <= 50);
        assert!(store.journal_lines() <= 2 * 51, "{}", store.journal_lines());
    }
    assert!(store.take_compaction_error().is_none());
    assert_eq!(store.seq(), 350);
    assert!(store.snapshot_seq() >= 300, "{}", store.snapshot_seq());
    assert!(store.journal_lines() >= store.seq() - store.snapshot_seq());

    let text = fs::read_to_string(dir.join("tenant.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(json["seq"], store.snapshot_seq());
    assert!(!dir.join("tenant.json.tmp").exists());

    let reopened = Store::<Toy>::open(&dir).unwrap().unwrap();
    assert_eq!(reopened.seq(), 350);
    assert_eq!(reopened.state().data(), store.state().data());
    assert_eq!(reopened.state().total, store.state().total);
}

#[test]
fn the_byte_threshold_compacts_too() {
    let (tmp, mut store) = fresh();
    store.set_compaction(Compaction { max_entries: u64::MAX, max_bytes: 1_000 });
    for _ in 0..40 {
        store.commit(add(1)).unwrap();
        // Each compaction (in the background) followed once it is done.
        store.wait_for_compaction().unwrap();
    }
    let journal = fs::metadata(tmp.path().join("data/journal.jsonl")).unwrap();
    assert!(journal.len() <= 1_000 + 100);
    assert!(store.snapshot_seq() > 0);
}

#[test]
fn a_compaction_keeps_the_entries_since_the_snapshot_before() {
    let (tmp, mut store) = fresh();
    let dir = tmp.path().join("data");
    for i in 0..10 {
        store.commit(add(i)).unwrap();
    }
    store.compact().unwrap();
    assert_eq!(store.snapshot_seq(), 10);
    // The snapshot before was at 0: every line stays, for processes that read it.
    assert_eq!(journal_lines(&dir).len(), 10);
    store.commit(add(100)).unwrap();
    store.compact().unwrap();
    assert_eq!(store.snapshot_seq(), 11);
    assert_eq!(journal_lines(&dir).len(), 1);
    assert!(journal_lines(&dir)[0].starts_with("{\"seq\":11,"));
    store.compact().unwrap();
    assert_eq!(fs::read(dir.join("journal.jsonl")).unwrap(), b"");

    let reopened = Store::<Toy>::open(&dir).unwrap().unwrap();
    assert_eq!((reopened.seq(), reopened.state().counter), (11, 145));
}

#[test]
fn a_deleted_empty_journal_is_fine() {
    let (tmp, mut store) = fresh();
    let dir = tmp.path().join("data");
    store.commit(add(2)).unwrap();
    store.compact().unwrap();
    fs::remove_file(dir.join("journal.jsonl")).unwrap();
    let reopened = Store::<Toy>::open(&dir).unwrap().unwrap();
    assert_eq!(reopened.state().counter, 2);
    store.commit(add(2)).unwrap();
    assert_eq!(Store::<Toy>::open(&dir).unwrap().unwrap().state().counter, 4);
}
