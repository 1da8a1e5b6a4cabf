//! Files that are not what they seem, and a lock held by a process that does not let go:
//! unterminated and torn journal tails, things that are not regular files, read-only data,
//! the bounded lock wait, and compaction right after a heavy entry.

use crate::store_toy as toy;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use entitle::store::{CommitError, LockWait, Store, StoreError, StoreWarning};
use toy::{Toy, add, contents, journal_lines, take};

fn fresh(commits: i64) -> (tempfile::TempDir, PathBuf, Store<Toy>) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let mut store = Store::create(&dir, Toy::default()).unwrap();
    for _ in 0..commits {
        store.commit(add(1)).unwrap();
    }
    (tmp, dir, store)
}

fn strip_last_newline(path: &Path) {
    let mut bytes = fs::read(path).unwrap();
    assert_eq!(bytes.pop(), Some(b'\n'));
    fs::write(path, bytes).unwrap();
}

#[test]
fn a_complete_last_line_without_its_newline_is_kept_and_the_next_commit_follows_it() {
    let (_tmp, dir, mut old) = fresh(3);
    let journal = dir.join("journal.jsonl");
    strip_last_newline(&journal);

    let mut store = Store::<Toy>::open(&dir).unwrap().unwrap();
    assert_eq!((store.seq(), store.state().counter), (3, 3), "the third command is a record");
    assert!(store.take_warnings().is_empty());

    store.commit(add(10)).unwrap();
    assert_eq!(journal_lines(&dir).len(), 4, "the next line starts after the missing newline");
    assert!(fs::read(&journal).unwrap().ends_with(b"}\n"));
    // A handle that read the unterminated line catches up over the added newline.
    old.refresh().unwrap();
    assert_eq!((old.seq(), old.state().counter), (4, 13));
    let reopened = Store::<Toy>::open(&dir).unwrap().unwrap();
    assert_eq!((reopened.seq(), reopened.state().counter), (4, 13));
}

#[test]
fn a_torn_tail_is_reported_then_kept_aside_by_the_next_commit() {
    let (_tmp, dir, _) = fresh(2);
    let journal = dir.join("journal.jsonl");
    let mut bytes = fs::read(&journal).unwrap();
    let torn = b"{\"seq\":3,\"entry\":{\"at\":1,\"ac".to_vec();
    bytes.extend_from_slice(&torn);
    fs::write(&journal, &bytes).unwrap();

    let mut store = Store::<Toy>::open(&dir).unwrap().unwrap();
    assert_eq!(store.seq(), 2);
    let warnings = store.take_warnings();
    assert!(
        matches!(warnings.as_slice(), [StoreWarning::TornTail { line: 3, bytes, .. }] if *bytes == torn.len() as u64),
        "{warnings:?}"
    );
    assert!(warnings[0].to_string().contains("unfinished write"), "{}", warnings[0]);

    // A refused command cuts nothing, so keeps nothing aside.
    assert!(matches!(store.commit(take("nothing")), Err(CommitError::Refused(_))));
    assert!(!dir.join("journal.jsonl.torn-1").exists());
    assert_eq!(fs::read(&journal).unwrap(), bytes);

    store.commit(add(5)).unwrap();
    let kept = dir.join("journal.jsonl.torn-1");
    assert_eq!(fs::read(&kept).unwrap(), torn, "the torn bytes are kept beside the journal");
    match store.take_warnings().as_slice() {
        [StoreWarning::TornKept { kept: k, .. }] => assert_eq!(k, &kept),
        other => panic!("{other:?}"),
    }
    assert_eq!(journal_lines(&dir).len(), 3);
    let reopened = Store::<Toy>::open(&dir).unwrap().unwrap();
    assert_eq!((reopened.seq(), reopened.state().counter), (3, 7));

    // A torn tail that a compaction would empty is kept too, under the next number.
    fs::write(&journal, [fs::read(&journal).unwrap(), b"{\"se".to_vec()].concat()).unwrap();
    let mut store = Store::<Toy>::open(&dir).unwrap().unwrap();
    store.compact().unwrap();
    assert_eq!(fs::read(dir.join("journal.jsonl.torn-2")).unwrap(), b"{\"se");
}

/// Each kind of thing that is not a regular file, at `tenant.json` or `journal.jsonl`: open,
/// create and a live handle's refresh and commit refuse it with the path and what it is, and
/// nothing is installed over it.
#[cfg(unix)]
#[test]
fn what_is_not_a_regular_file_is_refused_with_its_path_and_kind() {
    use std::os::unix::fs::symlink;

    let mkfifo = |p: &Path| {
        let ok = std::process::Command::new("mkfifo").arg(p).status().unwrap().success();
        assert!(ok, "mkfifo failed");
    };
    type Make = Box<dyn Fn(&Path)>;
    let cases: Vec<(&str, &str, Make)> = vec![
        ("tenant.json", "named pipe", Box::new(mkfifo)),
        ("journal.jsonl", "named pipe", Box::new(mkfifo)),
        ("tenant.json", "directory", Box::new(|p: &Path| fs::create_dir(p).unwrap())),
        ("tenant.json", "character device", Box::new(|p: &Path| symlink("/dev/zero", p).unwrap())),
        ("journal.jsonl", "character device", Box::new(|p: &Path| symlink("/dev/zero", p).unwrap())),
        ("tenant.json", "does not exist", Box::new(|p: &Path| symlink("/nowhere/tenant.json", p).unwrap())),
    ];
    for (name, what, make) in cases {
        let (_tmp, dir, mut live) = fresh(1);
        let path = dir.join(name);
        let _ = fs::remove_file(&path);
        make(&path);

        let refused = |e: &StoreError| {
            let text = e.to_string();
            assert!(matches!(e, StoreError::NotAFile { .. }), "{name}: {text}");
            assert!(text.contains(&path.display().to_string()) && text.contains(what), "{name}: {text}");
            assert!(e.is_refusal());
        };
        refused(&Store::<Toy>::open(&dir).unwrap_err());
        refused(&Store::create(&dir, Toy::default()).unwrap_err());
        refused(&live.refresh().unwrap_err());
        match live.commit(add(1)) {
            Err(CommitError::Store(e)) => refused(&e),
            other => panic!("{name}: {other:?}"),
        }
        let meta = fs::symlink_metadata(&path).unwrap();
        assert!(!meta.is_file(), "{name} was replaced by a file");
    }
}

/// Compaction writes through a symbolic link at `tenant.json`: the link stays, its target
/// gets the new snapshot.
#[cfg(unix)]
#[test]
fn a_symlinked_snapshot_stays_a_link_through_compaction() {
    let (tmp, dir, store) = fresh(2);
    drop(store);
    let elsewhere = tmp.path().join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    let real = elsewhere.join("real.json");
    fs::rename(dir.join("tenant.json"), &real).unwrap();
    std::os::unix::fs::symlink(&real, dir.join("tenant.json")).unwrap();

    let mut store = Store::<Toy>::open(&dir).unwrap().unwrap();
    store.commit(add(5)).unwrap();
    store.compact().unwrap();
    assert!(fs::symlink_metadata(dir.join("tenant.json")).unwrap().file_type().is_symlink());
    let text = fs::read_to_string(&real).unwrap();
    let (head, body) = text.split_once('\n').unwrap();
    let json: serde_json::Value = serde_json::from_str(head).unwrap();
    let state: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!((json["seq"].as_u64(), state["counter"].as_i64()), (Some(3), Some(7)));
    assert!(!elsewhere.join("real.json.tmp").exists());
    let reopened = Store::<Toy>::open(&dir).unwrap().unwrap();
    assert_eq!((reopened.seq(), reopened.state().counter), (3, 7));
}

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// Whether permissions bind this process (they do not for root).
#[cfg(unix)]
fn permissions_bind(dir: &Path) -> bool {
    let probe = dir.join("probe");
    fs::write(&probe, b"").unwrap();
    chmod(&probe, 0o444);
    let binds = fs::OpenOptions::new().write(true).open(&probe).is_err();
    chmod(&probe, 0o644);
    fs::remove_file(&probe).unwrap();
    binds
}

/// A directory and files this user may only read: reads work (the lock file opened for
/// reading), commits are refused clearly and change nothing.
#[cfg(unix)]
#[test]
fn read_only_data_is_read_and_changes_are_refused() {
    let (_tmp, dir, store) = fresh(2);
    drop(store);
    if !permissions_bind(&dir) {
        eprintln!("skipped: permissions do not bind this user (root)");
        return;
    }
    for name in ["tenant.json", "journal.jsonl", "entitle.lock"] {
        chmod(&dir.join(name), 0o444);
    }
    chmod(&dir, 0o555);
    let before = contents(&dir);

    let mut store = Store::<Toy>::open(&dir).unwrap().unwrap();
    assert_eq!(store.state().counter, 2);
    assert!(!store.is_writable());
    match store.commit(add(1)) {
        Err(CommitError::Store(e @ StoreError::ReadOnly { .. })) => {
            assert!(e.to_string().contains("may not write"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(store.compact(), Err(StoreError::ReadOnly { .. })));
    assert!(!store.refresh().unwrap());
    assert_eq!(contents(&dir), before);

    // Writable files in a read-only directory: refused before anything is appended.
    chmod(&dir, 0o755);
    for name in ["tenant.json", "journal.jsonl", "entitle.lock"] {
        chmod(&dir.join(name), 0o644);
    }
    chmod(&dir, 0o555);
    let mut store = Store::<Toy>::open(&dir).unwrap().unwrap();
    assert!(matches!(store.commit(add(1)), Err(CommitError::Store(StoreError::ReadOnly { .. }))));
    assert_eq!(contents(&dir), before);

    // No lock file and no right to create one: reads go on unlocked, and say so.
    chmod(&dir, 0o755);
    fs::remove_file(dir.join("entitle.lock")).unwrap();
    chmod(&dir, 0o555);
    let mut store = Store::<Toy>::open(&dir).unwrap().unwrap();
    assert_eq!(store.state().counter, 2);
    assert!(matches!(store.take_warnings().as_slice(), [StoreWarning::Unlocked { .. }]));
    assert!(store.commit(add(1)).is_err());
    chmod(&dir, 0o755);
}

/// A compaction that keeps failing must not let the journal grow without end: each commit
/// retries it after writing, and once the journal is twice past its limit, a commit retries it
/// first (under the lock) and is refused, writing nothing, if it fails again.
#[cfg(unix)]
#[test]
fn the_journal_does_not_grow_past_a_failing_compaction() {
    let (_tmp, dir, mut store) = fresh(0);
    store.set_compaction(entitle::store::Compaction { max_entries: 3, max_bytes: u64::MAX });
    for _ in 0..3 {
        store.commit(add(1)).unwrap();
    }
    // No compaction can finish: the history directory's place is taken by a file.
    fs::remove_dir(dir.join("history")).unwrap();
    fs::write(dir.join("history"), b"in the way").unwrap();
    for lines in 4..=7 {
        store.commit(add(1)).unwrap();
        assert!(store.take_compaction_error().is_some(), "commit {lines}'s compaction failed");
        assert_eq!(journal_lines(&dir).len(), lines);
    }
    assert!(store.commit(add(1)).is_err(), "refused instead of growing the journal");
    assert_eq!(journal_lines(&dir).len(), 7);

    fs::remove_file(dir.join("history")).unwrap();
    store.commit(add(1)).unwrap();
    assert_eq!(store.snapshot_seq(), 7, "compacted first, then committed");
    assert_eq!(Store::<Toy>::open(&dir).unwrap().unwrap().state().counter, 8);
}

/// An entry whose apply takes long is compacted at once (here every entry counts as heavy).
#[test]
fn a_heavy_entry_is_compacted_at_once() {
    let (_tmp, dir, mut store) = fresh(2);
    assert_eq!(journal_lines(&dir).len(), 2, "light entries stay in the journal");
    store.set_heavy_entry(Duration::ZERO);
    store.commit(add(1)).unwrap();
    // Written in the background: followed once it is done.
    store.wait_for_compaction().unwrap();
    assert_eq!((store.snapshot_seq(), store.seq()), (3, 3));
    // Later opens skip the lines kept for processes that read the snapshot before.
    assert_eq!(journal_lines(&dir).len(), 3);
    store.set_heavy_entry(Duration::from_secs(3600));
    store.commit(add(1)).unwrap();
    store.compact().unwrap();
    assert_eq!(journal_lines(&dir).len(), 1, "the lines up to the snapshot before are gone");
}

/// Another handle (another open file, as another process would have) holds the exclusive lock
/// inside a commit that does not finish; a commit and an open wait the time they are given and
/// are refused naming the holder's pid. Nothing is written.
#[test]
fn a_lock_that_is_never_released_is_waited_for_a_bounded_time() {
    let (_tmp, dir, _) = fresh(1);
    let (held_tx, held_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let holder_dir = dir.clone();
    let holder = thread::spawn(move || {
        let mut store = Store::<Toy>::open(&holder_dir).unwrap().unwrap();
        store
            .commit(|_| {
                held_tx.send(()).unwrap();
                release_rx.recv().unwrap();
                add(1)(&Toy::default())
            })
            .unwrap();
    });
    held_rx.recv().unwrap();
    let before = contents(&dir);

    let wait = || LockWait::new(Duration::from_millis(200));
    let me = std::process::id();
    let errors = [
        Store::<Toy>::open_with(&dir, LockWait::new(Duration::ZERO)).unwrap_err(),
        Store::<Toy>::open_with(&dir, wait()).unwrap_err(),
    ];
    for err in errors {
        match &err {
            StoreError::Locked { holder: Some(h), .. } => assert_eq!(h.pid, me, "{err}"),
            other => panic!("not refused for the lock: {other}"),
        }
        let text = err.to_string();
        assert!(text.contains(&format!("process {me}")) && text.contains("since"), "{text}");
        assert!(text.contains("--lock-timeout"), "{text}");
        assert!(!err.is_refusal());
    }
    assert_eq!(contents(&dir), before);

    release_tx.send(()).unwrap();
    holder.join().unwrap();
    // Once let go, the same wait succeeds and sees the holder's commit.
    let mut store = Store::<Toy>::open_with(&dir, wait()).unwrap().unwrap();
    assert_eq!(store.state().counter, 2);
    assert_ne!(contents(&dir), before);

    // A commit too: hold the lock from a plain second file handle (no record: a reader).
    let lock = fs::File::open(dir.join("entitle.lock")).unwrap();
    lock.lock_shared().unwrap();
    let before = contents(&dir);
    match store.commit(add(1)) {
        Err(CommitError::Store(e @ StoreError::Locked { holder: None, .. })) => {
            assert!(e.to_string().contains("a reader"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(contents(&dir), before);
    lock.unlock().unwrap();
    store.commit(add(1)).unwrap();
}
