//! Installing a new state over a directory that may hold data ([`Store::create_replacing`]),
//! atomically: every crash point leaves either the old data or the new data readable.
//!
//! 1. The old snapshot and journal are *copied* to `<name>.bak-<n>` and synced. The old data
//!    is still in place.
//! 2. A journal that cannot even be read line by line (its data is lost to the store anyway,
//!    and now kept in the backup) is removed, so it cannot spoil the new snapshot.
//! 3. The new snapshot is written to `tenant.json.tmp`, synced, and renamed over `tenant.json`.
//!    It carries the old data's last seq, so every line of the old journal is "already in the
//!    snapshot" and skipped on load, exactly as after a crash during a compaction.
//! 4. The old journal is removed.
//!
//! A crash before 3 leaves the old data (plus backups and perhaps a `.tmp`, both ignored); a
//! crash after 3 leaves the new data.
//!
//! [`Store::create_replacing`]: super::Store::create_replacing

use std::fs;
use std::io;
use std::path::PathBuf;

use super::error::StoreError;
use super::files::{self, Paths};
use super::journal::{Head, MAX_SEQ};
use super::snapshot;

/// What the directory held before an install.
pub(crate) struct OldData {
    /// The snapshot and the non-empty journal, if there.
    pub files: Vec<PathBuf>,
    /// The largest seq in the old snapshot's header and journal lines (0 if none could be read).
    pub last_seq: u64,
    /// Whether the journal has a line whose seq cannot be read (other than a torn last line).
    pub unreadable_journal: bool,
    /// The old snapshot's history directory, if there: left where it is (the new data gets
    /// a directory of its own).
    pub history: Option<PathBuf>,
}

/// Looks at what the directory holds, without trusting it to be valid.
pub(crate) fn old_data(paths: &Paths) -> Result<OldData, StoreError> {
    let mut old = OldData { files: Vec::new(), last_seq: 0, unreadable_journal: false, history: None };
    if let Some((bytes, _)) = files::read_from(&paths.snapshot, 0)? {
        old.files.push(paths.snapshot.clone());
        if let Ok((head, _)) = snapshot::header(&paths.snapshot, &bytes) {
            old.last_seq = head.seq.min(MAX_SEQ);
            let name = head.history.unwrap_or_else(|| snapshot::DEFAULT_HISTORY.to_string());
            let dir = paths.dir.join(name);
            if snapshot::valid_history_name(dir.file_name().and_then(|n| n.to_str()).unwrap_or_default())
                && dir.is_dir()
            {
                old.history = Some(dir);
            }
        }
    }
    if let Some((bytes, _)) = files::read_from(&paths.journal, 0)?
        && !bytes.is_empty()
    {
        old.files.push(paths.journal.clone());
        let mut lines = bytes.split(|&b| b == b'\n').peekable();
        while let Some(line) = lines.next() {
            match serde_json::from_slice::<Head>(line) {
                Ok(head) => old.last_seq = old.last_seq.max(head.seq.min(MAX_SEQ)),
                // A torn last line is ignored on load anyway.
                Err(_) if lines.peek().is_none() => {}
                Err(_) => old.unreadable_journal = true,
            }
        }
    }
    Ok(old)
}

/// The first of `history`, `history-2`, `history-3`, ... that is not there: the history
/// directory of a state being installed.
pub(crate) fn fresh_history_name(paths: &Paths) -> Result<String, StoreError> {
    for n in 1..=10_000u32 {
        let name = if n == 1 { snapshot::DEFAULT_HISTORY.to_string() } else { format!("history-{n}") };
        let path = paths.dir.join(&name);
        match fs::symlink_metadata(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(name),
            Err(e) => return Err(StoreError::io(&path, "look for a free history directory", e)),
            Ok(_) => {}
        }
    }
    let problem = "history to history-10000 are all taken: move old ones away".to_string();
    Err(StoreError::corrupt(&paths.dir, super::error::Position::NONE, problem))
}

/// Steps 1 to 4 above; `bytes` is the new snapshot, carrying `old.last_seq`. The caller holds
/// the exclusive lock. Returns the backups.
pub(crate) fn replace_data(paths: &Paths, old: &OldData, bytes: &[u8]) -> Result<Vec<PathBuf>, StoreError> {
    let present: Vec<&std::path::Path> = old.files.iter().map(PathBuf::as_path).collect();
    let backups = if present.is_empty() { Vec::new() } else { files::backup_names(&present)? };
    for (from, to) in present.iter().zip(&backups) {
        files::keep_backup(from, to)?;
    }
    files::sync_dir(&paths.dir)?;
    crash_point(1)?;
    if old.unreadable_journal {
        remove(&paths.journal)?;
        files::sync_dir(&paths.dir)?;
    }
    crash_point(2)?;
    files::replace_file(&paths.snapshot, bytes)?;
    crash_point(3)?;
    remove(&paths.journal)?;
    files::sync_dir(&paths.dir)?;
    Ok(backups)
}

fn remove(path: &std::path::Path) -> Result<(), StoreError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StoreError::io(path, "remove the old journal", e)),
    }
}

#[cfg(not(test))]
fn crash_point(_step: u32) -> Result<(), StoreError> {
    Ok(())
}

#[cfg(test)]
thread_local! {
    /// The step after which [`replace_data`] stops as if the process had died (unit tests only).
    pub(crate) static CRASH_AFTER: std::cell::Cell<Option<u32>> = const { std::cell::Cell::new(None) };
}

#[cfg(test)]
fn crash_point(step: u32) -> Result<(), StoreError> {
    if CRASH_AFTER.with(|c| c.get()) == Some(step) {
        return Err(StoreError::io(std::path::Path::new("crash"), "go on", io::Error::other("crashed here")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::store::test_sum::Sum;

    /// Old data at seq 3 (sum 6) with a journal; an install of `Sum(1000)` that dies after
    /// each step in turn: the directory always opens, as the old data or as the new.
    #[test]
    fn an_install_that_dies_at_any_step_leaves_the_old_data_or_the_new() {
        for step in 1..=3 {
            for garbage in [false, true] {
                let tmp = tempfile::tempdir().unwrap();
                let dir = tmp.path().join("data");
                let mut store = Store::create(&dir, Sum(0)).unwrap();
                for n in 1..=3 {
                    store.commit(|_| n).unwrap();
                }
                if garbage {
                    let journal = dir.join("journal.jsonl");
                    let mut text = fs::read(&journal).unwrap();
                    text.extend_from_slice(b"not json\n");
                    fs::write(&journal, text).unwrap();
                }
                CRASH_AFTER.with(|c| c.set(Some(step)));
                let died = Store::create_replacing(&dir, Sum(1000));
                CRASH_AFTER.with(|c| c.set(None));
                assert!(died.is_err(), "step {step} did not crash");

                let opened = Store::<Sum>::open(&dir);
                match (step, garbage) {
                    (3, _) => assert_eq!(opened.unwrap().unwrap().state(), &Sum(1000)),
                    (2, true) => assert_eq!(opened.unwrap().unwrap().state(), &Sum(0), "garbage journal removed"),
                    (_, true) => assert!(opened.is_err(), "old garbage is still refused as before"),
                    _ => assert_eq!(opened.unwrap().unwrap().state(), &Sum(6)),
                }
                assert!(!fs::read(dir.join("tenant.json.bak-1")).unwrap().is_empty());

                // Done again without dying: the new data, the old one backed up once more.
                let (mut store, backups) = Store::create_replacing(&dir, Sum(1000)).unwrap();
                assert!(!backups.is_empty());
                store.commit(|_| 1).unwrap();
                let reopened = Store::<Sum>::open(&dir).unwrap().unwrap();
                assert_eq!(reopened.state(), &Sum(1001), "step {step}, garbage {garbage}");
            }
        }
    }
}
