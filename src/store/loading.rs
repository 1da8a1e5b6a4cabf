//! How a [`Store`](super::Store) reads the files: the state loaded without the lock and checked
//! under it, then kept up with the journal (appended lines read on, a compaction followed, a
//! replaced snapshot reloaded).

use std::io;

use super::Persist;
use super::cache::{self, CacheMiss, LoadSource};
use super::error::StoreError;
use super::files::{self, Paths};
use super::handle::View;
use super::history;
use super::journal::{self, Cursor};
use super::lock::{LockFile, LockWait};
use super::snapshot;

/// How many times [`load_then_check`] parses without the lock before it parses under it.
const UNLOCKED_TRIES: usize = 2;

/// Loads without holding the lock while parsing and replaying (which may take long on a big
/// tenant: a writer should not wait for that), then, under a short shared lock, catches up with
/// what changed meanwhile without parsing again: lines appended to the journal are read on, a
/// compaction is followed in the journal. If that cannot be done (the snapshot was replaced by
/// a reset, or the unlocked read failed half-way), it tries again, the last time entirely under
/// the shared lock, whose errors are the ones reported.
///
/// Safe because writers change the files only under the exclusive lock, and every change
/// changes a stamp: an append the length, a compaction the snapshot's inode.
pub(super) fn load_then_check<S: Persist>(
    paths: &Paths,
    lock: &LockFile,
    wait: &mut LockWait,
) -> Result<Option<View<S>>, StoreError> {
    for _ in 0..UNLOCKED_TRIES {
        let Ok(loaded) = load::<S>(paths) else { continue };
        let _held = lock.shared(wait)?;
        let snapshot = files::stat(&paths.snapshot)?;
        let Some(mut view) = loaded else {
            if snapshot.is_none() {
                return Ok(None);
            }
            continue;
        };
        if snapshot == Some(view.snapshot) {
            let journal = files::stat(&paths.journal)?;
            if journal == view.journal {
                return Ok(Some(view));
            }
            // Only appended to since: read on.
            let grown = match (view.journal, journal) {
                (Some(old), Some(now)) => old.same_file(&now) && now.len >= view.cursor.pos,
                (None, Some(_)) => view.cursor.lines == 0,
                _ => false,
            };
            if grown && view.read_on(paths).is_ok() {
                return Ok(Some(view));
            }
        } else if let Ok(Some(_)) = view.follow_compaction(paths) {
            return Ok(Some(view));
        }
    }
    let _held = lock.shared(wait)?;
    load::<S>(paths)
}

/// Reads the cache if it fits the snapshot and the journal, else the snapshot; then replays
/// the journal. `None` if there is no snapshot.
/// The caller holds the lock, or checks afterwards that the files did not change.
fn load<S: Persist>(paths: &Paths) -> Result<Option<View<S>>, StoreError> {
    let miss = match cache::load::<S>(paths) {
        Ok(c) => {
            let history = paths.dir.join(&c.history);
            let (state, cursor, snapshot, journal) = (c.state, c.cursor, c.snapshot, c.journal);
            let source = LoadSource::Cache;
            return Ok(Some(View {
                state,
                cursor,
                migrated_from: None,
                snapshot,
                journal,
                history,
                stale: false,
                source,
            }));
        }
        Err(miss) => miss,
    };
    let Some((bytes, snapshot)) = files::read_from(&paths.snapshot, 0)? else {
        return Ok(None);
    };
    let decoded = snapshot::decode::<S>(&paths.snapshot, &bytes)?;
    drop(bytes);
    let history = paths.dir.join(&decoded.history);
    let mut state = decoded.state;
    state.after_load();
    let mut cursor = Cursor::new(decoded.seq);
    let journal = match files::read_from(&paths.journal, 0)? {
        None => None,
        Some((bytes, stamp)) => {
            replay_over_history(&paths.journal, &bytes, &mut cursor, &mut state, &history)?;
            Some(stamp)
        }
    };
    let migrated_from = decoded.migrated_from;
    let source = LoadSource::Snapshot(if migrated_from.is_some() { CacheMiss::Upgrade } else { miss });
    Ok(Some(View { state, cursor, migrated_from, snapshot, journal, history, stale: false, source }))
}

/// Replays journal lines, telling the state what the history files already hold (so what it
/// finds there is not rebuilt in memory).
pub(crate) fn replay_over_history<S: Persist>(
    path: &std::path::Path,
    bytes: &[u8],
    cursor: &mut Cursor,
    state: &mut S,
    history: &std::path::Path,
) -> Result<(), StoreError> {
    let dir = history.to_path_buf();
    state.replaying_over(Some(std::sync::Arc::new(move |stream: &str| history::last_seq(&dir, stream).unwrap_or(0))));
    let replayed = journal::replay(path, bytes, cursor, state);
    state.replaying_over(None);
    replayed
}

impl<S: Persist> View<S> {
    /// Brings the state up to date with the files. The caller holds the lock.
    /// Appended journal lines are replayed; anything else (a new snapshot, a journal cut or
    /// replaced, a line that does not follow on) makes a full reload.
    pub(super) fn catch_up(&mut self, paths: &Paths) -> Result<bool, StoreError> {
        if self.stale {
            return self.reload(paths);
        }
        if files::stat(&paths.snapshot)? != Some(self.snapshot) {
            return match self.follow_compaction(paths)? {
                Some(changed) => Ok(changed),
                None => self.reload(paths),
            };
        }
        let now = files::stat(&paths.journal)?;
        if now == self.journal {
            return Ok(false);
        }
        let Some(now) = now else {
            // The journal is gone: fine if nothing had been read from it.
            if self.cursor.lines == 0 {
                self.journal = None;
                return Ok(false);
            }
            return self.reload(paths);
        };
        let replaced = self.journal.is_some_and(|old| !old.same_file(&now));
        if replaced || now.len < self.cursor.pos {
            return self.reload(paths);
        }
        let before = self.cursor.seq;
        match self.read_on(paths) {
            Ok(()) => Ok(self.cursor.seq != before),
            Err(_) => self.reload(paths),
        }
    }

    /// Appends the state's pending history records that the files lack; the caller holds the
    /// exclusive lock. With `sync`, what it writes is durable when it returns. Returns the
    /// segments it closed (whose key files the caller makes once it lets the lock go, or the
    /// next compaction makes).
    pub(super) fn append_history(&mut self, sync: bool) -> Result<history::Closed, StoreError> {
        let batches = self.state.history_batches().map_err(|source| StoreError::Encode {
            path: self.history.clone(),
            what: "the history",
            source,
        })?;
        let mut closed = vec![];
        if !batches.is_empty() {
            closed = history::append_batches(&self.history, &batches, sync)?;
        }
        drop(batches);
        self.state.history_written();
        Ok(closed)
    }

    /// The name of the history directory, as the snapshot gives it.
    pub(super) fn history_name(&self, paths: &Paths) -> Result<String, StoreError> {
        self.history
            .strip_prefix(&paths.dir)
            .ok()
            .and_then(|p| p.to_str())
            .filter(|n| snapshot::valid_history_name(n))
            .map(str::to_owned)
            .ok_or_else(|| {
                let problem = format!("{} is not a history directory of this store", self.history.display());
                StoreError::corrupt(&paths.snapshot, super::error::Position::NONE, problem)
            })
    }

    /// Replays the journal lines after `cursor.pos`.
    pub(super) fn read_on(&mut self, paths: &Paths) -> Result<(), StoreError> {
        let Some((bytes, stamp)) = files::read_from(&paths.journal, self.cursor.pos)? else {
            let gone = io::Error::from(io::ErrorKind::NotFound);
            return Err(StoreError::io(&paths.journal, "read the journal", gone));
        };
        journal::replay(&paths.journal, &bytes, &mut self.cursor, &mut self.state)?;
        self.journal = Some(stamp);
        Ok(())
    }

    /// Replaces everything with a fresh load from the files; on error, keeps what it had.
    pub(super) fn reload(&mut self, paths: &Paths) -> Result<bool, StoreError> {
        match load::<S>(paths)? {
            Some(view) => {
                *self = view;
                Ok(true)
            }
            None => {
                let gone = io::Error::from(io::ErrorKind::NotFound);
                Err(StoreError::io(&paths.snapshot, "read the snapshot", gone))
            }
        }
    }
}
