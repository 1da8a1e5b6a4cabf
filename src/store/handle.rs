//! [`Store`]: one process's handle on a store directory.

use std::fmt;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use super::Persist;
use super::error::{CommitError, StoreError};
use super::files::{self, Paths, Stamp};
use super::journal::{self, Cursor};
use super::snapshot;

/// When a commit also compacts: once the journal holds more than `max_entries` lines or more
/// than `max_bytes` bytes, the state is written as a new snapshot and the journal emptied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compaction {
    pub max_entries: u64,
    pub max_bytes: u64,
}

impl Default for Compaction {
    fn default() -> Self {
        Compaction { max_entries: 2_000, max_bytes: 8 * 1024 * 1024 }
    }
}

impl Compaction {
    fn is_due(&self, cursor: &Cursor) -> bool {
        cursor.lines > self.max_entries || cursor.pos > self.max_bytes
    }
}

/// A state kept in a directory (see the [module documentation](super) for the files).
///
/// Several `Store`s, in one process or in several, may share a directory: each commit first
/// catches up with the others' entries under an exclusive lock, so no update is lost.
pub struct Store<S: Persist> {
    paths: Paths,
    lock: File,
    compaction: Compaction,
    compaction_error: Option<StoreError>,
    view: View<S>,
}

/// What this process knows of the files, and the state built from them.
struct View<S> {
    state: S,
    cursor: Cursor,
    migrated_from: Option<u32>,
    snapshot: Stamp,
    journal: Option<Stamp>,
    /// The state in memory may be ahead of the files (a write failed): reload before use.
    stale: bool,
}

impl<S: Persist> fmt::Debug for Store<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.paths.dir)
            .field("kind", &S::KIND)
            .field("seq", &self.view.cursor.seq)
            .field("snapshot_seq", &self.view.cursor.snapshot_seq)
            .finish_non_exhaustive()
    }
}

impl<S: Persist> Store<S> {
    /// Opens the store in `dir`: loads the snapshot, calls [`Persist::after_load`] and replays
    /// the journal. `Ok(None)` when there is no snapshot (nor directory): install a starting
    /// state with [`Store::create`]. Writes nothing (it only creates the empty lock file if
    /// it is missing), and refuses bad data with a [`StoreError`].
    pub fn open(dir: impl AsRef<Path>) -> Result<Option<Self>, StoreError> {
        let paths = Paths::new(dir.as_ref());
        if !files::exists(&paths.snapshot)? {
            return Ok(None);
        }
        let lock = files::open_lock_file(&paths.lock)?;
        let held = files::lock_shared(&lock, &paths.lock)?;
        let loaded = load::<S>(&paths)?;
        drop(held);
        Ok(loaded.map(|view| Store { paths, lock, compaction: Compaction::default(), compaction_error: None, view }))
    }

    /// Creates `dir` if needed and installs `state` as its first snapshot (seq 0).
    /// Refuses with [`StoreError::Exists`] if the directory already holds a snapshot or a
    /// non-empty journal.
    pub fn create(dir: impl AsRef<Path>, state: S) -> Result<Self, StoreError> {
        Self::install(dir.as_ref(), state, false).map(|(store, _)| store)
    }

    /// Like [`Store::create`], but resets a directory that holds data, on purpose: the old
    /// snapshot and journal are first renamed to `<name>.bak-<n>` (returned), even if they
    /// could not be read, so nothing committed is lost.
    pub fn create_replacing(dir: impl AsRef<Path>, state: S) -> Result<(Self, Vec<PathBuf>), StoreError> {
        Self::install(dir.as_ref(), state, true)
    }

    fn install(dir: &Path, state: S, replace: bool) -> Result<(Self, Vec<PathBuf>), StoreError> {
        let paths = Paths::new(dir);
        fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, "create the directory", e))?;
        let lock = files::open_lock_file(&paths.lock)?;
        let held = files::lock_exclusive(&lock, &paths.lock)?;
        let bytes = snapshot::encode(&paths.snapshot, &state, 0)?;

        let mut present: Vec<&Path> = Vec::new();
        if files::exists(&paths.snapshot)? {
            present.push(&paths.snapshot);
        }
        if files::stat(&paths.journal)?.is_some_and(|j| j.len > 0) {
            present.push(&paths.journal);
        }
        let mut backups = Vec::new();
        if let Some(first) = present.first() {
            if !replace {
                return Err(StoreError::Exists { path: first.to_path_buf() });
            }
            for (from, to) in present.iter().zip(files::backup_names(&present)?) {
                fs::rename(from, &to).map_err(|e| StoreError::io(from, "move the old file aside", e))?;
                backups.push(to);
            }
        }
        let snapshot = files::replace_file(&paths.tmp, &paths.snapshot, &bytes)?;
        files::sync_dir(dir)?;
        let journal = files::stat(&paths.journal)?;
        drop(held);
        let view = View { state, cursor: Cursor::new(0), migrated_from: None, snapshot, journal, stale: false };
        let store = Store { paths, lock, compaction: Compaction::default(), compaction_error: None, view };
        Ok((store, backups))
    }

    /// The state as of [`Store::seq`].
    pub fn state(&self) -> &S {
        &self.view.state
    }

    pub fn dir(&self) -> &Path {
        &self.paths.dir
    }

    /// The seq of the last entry in the state (0 for a fresh store).
    pub fn seq(&self) -> u64 {
        self.view.cursor.seq
    }

    /// The seq of the snapshot the state was loaded from or last compacted into.
    pub fn snapshot_seq(&self) -> u64 {
        self.view.cursor.snapshot_seq
    }

    /// The number of lines in the journal, as of the last read or write.
    pub fn journal_lines(&self) -> u64 {
        self.view.cursor.lines
    }

    /// The older schema version the snapshot was upgraded from on load, if any. The upgrade is
    /// written (keeping the old snapshot as `tenant.json.bak-<n>`) by the next commit or compaction.
    pub fn migrated_from(&self) -> Option<u32> {
        self.view.migrated_from
    }

    pub fn compaction(&self) -> Compaction {
        self.compaction
    }

    pub fn set_compaction(&mut self, compaction: Compaction) {
        self.compaction = compaction;
    }

    /// The error of the last automatic compaction after a commit, if it failed. Such a
    /// failure does not undo the commit, which was already durable; the next commit retries.
    pub fn take_compaction_error(&mut self) -> Option<StoreError> {
        self.compaction_error.take()
    }

    /// Commits one entry. Under the exclusive lock: catches up with entries other processes
    /// committed, builds the entry with `make` from the caught-up state, applies it, and
    /// appends it to the journal and syncs it. If the state refuses the entry, nothing is
    /// written ([`CommitError::Refused`]). The cost does not grow with the size of the state,
    /// except for a compaction now and then (see [`Compaction`]).
    pub fn commit(&mut self, make: impl FnOnce(&S) -> S::Entry) -> Result<S::Output, CommitError<S::Error>> {
        let _held = files::lock_exclusive(&self.lock, &self.paths.lock)?;
        let view = &mut self.view;
        view.catch_up(&self.paths)?;
        if view.migrated_from.is_some() {
            view.compact(&self.paths)?;
        }
        let entry = make(&view.state);
        let line = journal::encode_line(&self.paths.journal, view.cursor.seq + 1, &entry)?;
        let output = view.state.apply(&entry).map_err(CommitError::Refused)?;

        if view.cursor.is_stale() {
            view.cursor.pos = 0;
            view.cursor.lines = 0;
        }
        match files::append_at(&self.paths.journal, view.cursor.pos, &line) {
            Ok(stamp) => {
                view.cursor.appended(line.len() as u64);
                view.journal = Some(stamp);
            }
            Err(e) => {
                // The state holds an entry the journal does not: go back to the files.
                view.stale = true;
                let _ = view.reload(&self.paths);
                return Err(e.into());
            }
        }
        if self.compaction.is_due(&view.cursor)
            && let Err(e) = view.compact(&self.paths)
        {
            self.compaction_error = Some(e);
        }
        Ok(output)
    }

    /// Catches up with what other processes committed or compacted since this one last read
    /// or wrote. Returns whether the state may have changed. When nothing changed this costs
    /// two `stat`s: no lock, no read.
    pub fn refresh(&mut self) -> Result<bool, StoreError> {
        let view = &mut self.view;
        if !view.stale
            && files::stat(&self.paths.snapshot)? == Some(view.snapshot)
            && files::stat(&self.paths.journal)? == view.journal
        {
            return Ok(false);
        }
        let _held = files::lock_shared(&self.lock, &self.paths.lock)?;
        view.catch_up(&self.paths)
    }

    /// Writes the state as a new snapshot and empties the journal, under the exclusive lock
    /// (after catching up). Crash-safe: the snapshot is replaced atomically and carries its
    /// seq, so journal lines left behind by a crash are skipped on load.
    pub fn compact(&mut self) -> Result<(), StoreError> {
        let _held = files::lock_exclusive(&self.lock, &self.paths.lock)?;
        self.view.catch_up(&self.paths)?;
        self.view.compact(&self.paths)
    }
}

/// Reads the snapshot and replays the journal. `None` if there is no snapshot.
/// The caller holds the lock.
fn load<S: Persist>(paths: &Paths) -> Result<Option<View<S>>, StoreError> {
    let Some((bytes, snapshot)) = files::read_from(&paths.snapshot, 0)? else {
        return Ok(None);
    };
    let decoded = snapshot::decode::<S>(&paths.snapshot, &bytes)?;
    let mut state = decoded.state;
    let mut cursor = Cursor::new(decoded.seq);
    let journal = match files::read_from(&paths.journal, 0)? {
        None => None,
        Some((bytes, stamp)) => {
            journal::replay(&paths.journal, &bytes, &mut cursor, &mut state)?;
            Some(stamp)
        }
    };
    Ok(Some(View { state, cursor, migrated_from: decoded.migrated_from, snapshot, journal, stale: false }))
}

impl<S: Persist> View<S> {
    /// Brings the state up to date with the files. The caller holds the lock.
    /// Appended journal lines are replayed; anything else (a new snapshot, a journal cut or
    /// replaced, a line that does not follow on) makes a full reload.
    fn catch_up(&mut self, paths: &Paths) -> Result<bool, StoreError> {
        if self.stale || files::stat(&paths.snapshot)? != Some(self.snapshot) {
            return self.reload(paths);
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

    /// Replays the journal lines after `cursor.pos`.
    fn read_on(&mut self, paths: &Paths) -> Result<(), StoreError> {
        let Some((bytes, stamp)) = files::read_from(&paths.journal, self.cursor.pos)? else {
            let gone = io::Error::from(io::ErrorKind::NotFound);
            return Err(StoreError::io(&paths.journal, "read the journal", gone));
        };
        journal::replay(&paths.journal, &bytes, &mut self.cursor, &mut self.state)?;
        self.journal = Some(stamp);
        Ok(())
    }

    /// Replaces everything with a fresh load from the files; on error, keeps what it had.
    fn reload(&mut self, paths: &Paths) -> Result<bool, StoreError> {
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

    /// Writes the state as the new snapshot, then empties the journal. The caller holds the
    /// exclusive lock and has caught up. A snapshot loaded from an older schema is first
    /// copied to `tenant.json.bak-<n>`.
    fn compact(&mut self, paths: &Paths) -> Result<(), StoreError> {
        let bytes = snapshot::encode(&paths.snapshot, &self.state, self.cursor.seq)?;
        if self.migrated_from.is_some() {
            keep_copy(&paths.snapshot)?;
        }
        self.snapshot = files::replace_file(&paths.tmp, &paths.snapshot, &bytes)?;
        self.cursor.snapshot_seq = self.cursor.seq;
        self.migrated_from = None;
        // Until the rename is durable, the journal must keep its lines.
        files::sync_dir(&paths.dir)?;
        self.journal = files::empty_journal(&paths.journal)?;
        self.cursor = Cursor::new(self.cursor.seq);
        Ok(())
    }
}

/// Copies `file` to `<file>.bak-<n>` and syncs the copy.
fn keep_copy(file: &Path) -> Result<(), StoreError> {
    let names = files::backup_names(&[file])?;
    let Some(copy) = names.first() else {
        return Ok(());
    };
    fs::copy(file, copy)
        .and_then(|_| File::open(copy)?.sync_all())
        .map_err(|e| StoreError::io(copy, "keep a copy of the old snapshot", e))?;
    Ok(())
}
