//! Bad data is refused with the file, line and column, and never changed.

use crate::store_toy as toy;

use std::fs;
use std::path::Path;

use entitle::store::{CommitError, Store, StoreError};
use toy::{Toy, add, contents, put};

/// A store with three commits (seq 3) in `<tmp>/data`, and a second handle opened on it
/// before `damage` edits the files. Then: opening refuses with a message that contains every
/// one of `needles`; creating refuses; the older handle's refresh and commit refuse; and after
/// all that the files are byte-for-byte what `damage` left. Returns the open error.
fn refused(damage: impl FnOnce(&Path), needles: &[&str]) -> StoreError {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let mut store = Store::create(&dir, Toy::default()).unwrap();
    store.commit(put("a", 1)).unwrap();
    store.commit(add(2)).unwrap();
    store.commit(put("b", 3)).unwrap();
    let mut live = Store::<Toy>::open(&dir).unwrap().unwrap();

    damage(&dir);
    let damaged = contents(&dir);

    let err = Store::<Toy>::open(&dir).unwrap_err();
    let message = err.to_string();
    for needle in needles {
        assert!(message.contains(needle), "{needle:?} not in: {message}");
    }
    assert!(err.is_refusal(), "{message}");
    assert_eq!(contents(&dir), damaged, "open changed files");

    assert!(Store::create(&dir, Toy::default()).is_err());
    assert_eq!(contents(&dir), damaged, "create changed files");

    let refresh = live.refresh();
    assert!(refresh.is_err(), "refresh accepted damage: {refresh:?}");
    match live.commit(add(100)) {
        Err(CommitError::Store(e)) => assert_eq!(e.to_string(), message),
        other => panic!("commit accepted damage: {other:?}"),
    }
    assert_eq!(contents(&dir), damaged, "a live store changed files");
    assert_eq!(live.seq(), 3);
    err
}

fn edit(dir: &Path, name: &str, f: impl FnOnce(String) -> String) {
    let path = dir.join(name);
    let text = fs::read_to_string(&path).unwrap();
    let edited = f(text.clone());
    assert_ne!(edited, text, "the edit did nothing");
    fs::write(path, edited).unwrap();
}

fn edit_snapshot(dir: &Path, from: &str, to: &str) {
    edit(dir, "tenant.json", |t| t.replacen(from, to, 1));
}

/// The 1-based line of the snapshot written for a fresh toy that holds `needle`: the header
/// line, then the state.
fn snapshot_line(needle: &str) -> usize {
    let state = serde_json::to_string_pretty(&serde_json::json!({ "counter": 0, "items": {} })).unwrap();
    let text = format!("{{\"kind\":\"toy-tenant\",\"schema_version\":2,\"seq\":0,\"history\":\"history\"}}\n{state}");
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

fn edit_journal_line(dir: &Path, number: usize, f: impl FnOnce(&str) -> Option<String>) {
    edit(dir, "journal.jsonl", |text| {
        let mut out = String::new();
        let mut f = Some(f);
        for (i, line) in text.lines().enumerate() {
            let replaced = if i + 1 == number { f.take().unwrap()(line) } else { Some(line.to_owned()) };
            if let Some(l) = replaced {
                out.push_str(&l);
                out.push('\n');
            }
        }
        out
    });
}

#[test]
fn snapshot_that_is_not_json() {
    let line = snapshot_line("counter");
    let at = format!("tenant.json line {line}, column");
    refused(
        |d| edit_snapshot(d, "\"counter\": 0,", "\"counter\": 0,,"),
        &[&at, "not a valid snapshot", "move the file aside", "not changed it"],
    );
}

#[test]
fn truncated_snapshot() {
    refused(
        |d| {
            let bytes = fs::read(d.join("tenant.json")).unwrap();
            fs::write(d.join("tenant.json"), &bytes[..bytes.len() / 2]).unwrap();
        },
        &["tenant.json line ", "EOF"],
    );
}

#[test]
fn empty_snapshot_is_corrupt_not_fresh() {
    let err = refused(|d| fs::write(d.join("tenant.json"), b"").unwrap(), &["tenant.json", "empty"]);
    assert!(matches!(err, StoreError::Corrupt { .. }));
}

#[test]
fn snapshot_state_of_the_wrong_shape() {
    let at = format!("tenant.json line {}, column", snapshot_line("counter"));
    refused(
        |d| edit_snapshot(d, "\"counter\": 0", "\"counter\": \"zero\""),
        &[&at, "the state does not fit", "invalid type"],
    );
}

#[test]
fn snapshot_without_seq() {
    refused(|d| edit_snapshot(d, "\"seq\":0,", ""), &["tenant.json line ", "missing field `seq`"]);
}

#[test]
fn snapshot_from_a_newer_entitle() {
    let err = refused(
        |d| edit_snapshot(d, "\"schema_version\":2", "\"schema_version\":3"),
        &["tenant.json", "newer entitle", "version 3", "upgrade entitle"],
    );
    assert!(matches!(err, StoreError::TooNew { found: 3, .. }));
}

#[test]
fn snapshot_of_another_kind() {
    refused(
        |d| edit_snapshot(d, "\"toy-tenant\"", "\"other-tenant\""),
        &["tenant.json", "\"other-tenant\"", "\"toy-tenant\""],
    );
}

#[test]
fn snapshot_too_old_to_migrate() {
    refused(
        |d| edit_snapshot(d, "\"schema_version\":2", "\"schema_version\":0"),
        &["tenant.json", "cannot upgrade schema version 0 to 2", "no upgrade"],
    );
}

#[test]
fn snapshot_whose_migration_fails() {
    refused(
        |d| edit_snapshot(d, "\"schema_version\":2", "\"schema_version\":1"),
        &["tenant.json", "version 1 to 2", "no integer `count`"],
    );
}

#[test]
fn journal_line_that_is_not_json() {
    refused(
        |d| edit_journal_line(d, 2, |_| Some("{\"seq\":2,\"entry\":oops}".into())),
        &["journal.jsonl line 2, column 18", "not a valid journal line"],
    );
}

#[test]
fn complete_last_journal_line_that_does_not_parse() {
    refused(
        |d| {
            let path = d.join("journal.jsonl");
            let mut bytes = fs::read(&path).unwrap();
            bytes.extend_from_slice(b"{\"seq\":4,\"entry\":\n");
            fs::write(path, bytes).unwrap();
        },
        &["journal.jsonl line 4, column", "EOF"],
    );
}

#[test]
fn journal_entry_with_an_unknown_field() {
    refused(
        |d| edit_journal_line(d, 3, |l| Some(l.replacen('{', "{\"x\":1,", 1))),
        &["journal.jsonl line 3, column", "unknown field `x`"],
    );
}

#[test]
fn journal_with_a_seq_gap() {
    refused(
        |d| edit_journal_line(d, 2, |_| None),
        &["journal.jsonl line 2", "seq 3 follows seq 1", "entry 2 is missing"],
    );
}

#[test]
fn journal_that_starts_after_the_snapshot() {
    refused(
        |d| edit_journal_line(d, 1, |_| None),
        &["journal.jsonl line 1", "snapshot ends at seq 0", "entry 1 is missing"],
    );
}

#[test]
fn journal_with_a_repeated_line() {
    refused(
        |d| {
            let last = toy::journal_lines(d).pop().unwrap();
            edit(d, "journal.jsonl", |t| t + &last + "\n");
        },
        &["journal.jsonl line 4", "out of order"],
    );
}

#[test]
fn journal_entry_the_state_refuses_on_replay() {
    let err = refused(
        |d| {
            edit_journal_line(d, 3, |_| {
                let entry = toy::take("nobody")(&Toy::default());
                Some(serde_json::json!({ "seq": 3, "entry": entry }).to_string())
            })
        },
        &["journal.jsonl line 3", "entry seq 3 cannot be replayed", "no item \"nobody\""],
    );
    assert!(matches!(err, StoreError::Replay { seq: 3, .. }));
}

#[test]
fn a_bad_line_written_after_this_store_read_is_refused_too() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let mut store = Store::create(&dir, Toy::default()).unwrap();
    store.commit(add(1)).unwrap();
    edit(&dir, "journal.jsonl", |t| t + "{\"seq\":2,\"entry\":[]}\n");
    let damaged = contents(&dir);
    let err = store.refresh().unwrap_err();
    assert!(err.to_string().contains("journal.jsonl line 2, column"), "{err}");
    assert!(store.commit(add(1)).is_err());
    assert_eq!(contents(&dir), damaged);
    assert_eq!((store.seq(), store.state().counter), (1, 1));
}
