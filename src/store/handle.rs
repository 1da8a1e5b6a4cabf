//! [`Store`]: one process's handle on a store directory.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::Persist;
use super::background::Background;
use super::cache::{self, LoadSource, Tie};
use super::error::{CommitError, StoreError, StoreWarning};
use super::files::{self, Paths, Stamp};
use super::history;
use super::history_keys;
use super::install;
use super::journal::{self, Cursor};
use super::loading::load_then_check;
use super::lock::{LockFile, LockWait, Waiter};
use super::notices::Notices;
use super::snapshot;
use super::staged;

/// An entry whose `apply` takes at least this long is compacted into the snapshot at once, so
/// that no later open replays it.
pub const HEAVY_ENTRY: Duration = Duration::from_millis(100);

/// When a commit also compacts: once more than `max_entries` entries were committed since the
/// snapshot, or the journal holds more than twice `max_bytes` bytes, the state is written as a
/// new snapshot and the journal keeps only the entries since the snapshot before.
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
    /// Entries since the snapshot past `max_entries`, or the journal (which also keeps the
    /// entries of the period before, for processes that follow compactions) past twice
    /// `max_bytes`.
    fn is_due(&self, cursor: &Cursor) -> bool {
        cursor.seq.saturating_sub(cursor.snapshot_seq) > self.max_entries
            || cursor.pos > self.max_bytes.saturating_mul(2)
    }
    /// Twice past the limits: the compactions after commits failed or lag behind.
    fn is_overdue(&self, cursor: &Cursor) -> bool {
        cursor.seq.saturating_sub(cursor.snapshot_seq) > self.max_entries.saturating_mul(2)
            || cursor.pos > self.max_bytes.saturating_mul(4)
    }
}

/// A state kept in a directory (see the [module documentation](super) for the files).
///
/// Several `Store`s, in one process or in several, may share a directory: each commit first
/// catches up with the others' entries under an exclusive lock, so no update is lost.
pub struct Store<S: Persist> {
    pub(super) paths: Paths,
    pub(super) lock: LockFile,
    pub(super) wait: LockWait,
    compaction: Compaction,
    heavy: Duration,
    pub(super) compaction_error: Option<StoreError>,
    pub(super) notices: Notices,
    pub(super) view: View<S>,
    pub(super) background: Background,
}

/// What this process knows of the files, and the state built from them.
pub(super) struct View<S> {
    pub(super) state: S,
    pub(super) cursor: Cursor,
    pub(super) migrated_from: Option<u32>,
    pub(super) snapshot: Stamp,
    pub(super) journal: Option<Stamp>,
    /// The history directory the snapshot names.
    pub(super) history: PathBuf,
    /// The state in memory may be ahead of the files (a write failed): reload before use.
    pub(super) stale: bool,
    /// Which files the state was last loaded from.
    pub(super) source: LoadSource,
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
    /// it is missing and it may), and refuses bad data with a [`StoreError`]. Waits for the
    /// lock as long as [`LockWait::default`] says.
    pub fn open(dir: impl AsRef<Path>) -> Result<Option<Self>, StoreError> {
        Self::open_with(dir, LockWait::default())
    }

    /// [`Store::open`], waiting for the lock (now and for every later command) as `wait` says.
    pub fn open_with(dir: impl AsRef<Path>, mut wait: LockWait) -> Result<Option<Self>, StoreError> {
        let paths = Paths::new(dir.as_ref());
        if !files::exists(&paths.snapshot)? {
            return Ok(None);
        }
        let lock = LockFile::open(&paths.lock)?;
        let loaded = load_then_check::<S>(&paths, &lock, &mut wait)?;
        Ok(loaded.map(|view| {
            let mut store = Self::over(paths, lock, wait, view);
            store.renew_cache();
            store
        }))
    }

    fn over(paths: Paths, lock: LockFile, wait: LockWait, view: View<S>) -> Self {
        let mut notices = Notices::default();
        if !lock.is_locking() {
            notices.list.push(StoreWarning::Unlocked { path: lock.path().to_owned() });
        }
        notices.note_torn(&paths.journal, &view.cursor);
        Store {
            paths,
            lock,
            wait,
            compaction: Compaction::default(),
            heavy: HEAVY_ENTRY,
            compaction_error: None,
            notices,
            view,
            background: Background::default(),
        }
    }

    /// Creates `dir` if needed and installs `state` as its first snapshot (seq 0).
    /// Refuses with [`StoreError::Exists`] if the directory already holds a snapshot or a
    /// non-empty journal.
    pub fn create(dir: impl AsRef<Path>, state: S) -> Result<Self, StoreError> {
        Self::install(dir.as_ref(), state, false, LockWait::default()).map(|(store, _)| store)
    }

    /// Like [`Store::create`], but resets a directory that holds data, on purpose: the old
    /// snapshot and journal are first copied to `<name>.bak-<n>` (returned), even if they could
    /// not be read, so nothing committed is lost. Atomic: until the new snapshot is complete
    /// and renamed into place, the old data stays where it was (see "Resets" in the module docs).
    pub fn create_replacing(dir: impl AsRef<Path>, state: S) -> Result<(Self, Vec<PathBuf>), StoreError> {
        Self::install(dir.as_ref(), state, true, LockWait::default())
    }

    /// [`Store::create_replacing`], waiting for the lock (now and later) as `wait` says.
    pub fn create_replacing_with(
        dir: impl AsRef<Path>,
        state: S,
        wait: LockWait,
    ) -> Result<(Self, Vec<PathBuf>), StoreError> {
        Self::install(dir.as_ref(), state, true, wait)
    }

    fn install(
        dir: &Path,
        mut state: S,
        replace: bool,
        mut wait: LockWait,
    ) -> Result<(Self, Vec<PathBuf>), StoreError> {
        let paths = Paths::new(dir);
        fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, "create the directory", e))?;
        let lock = LockFile::open(&paths.lock)?;
        let held = lock.exclusive(&mut wait)?;
        let old = install::old_data(&paths)?;
        if let Some(first) = old.files.first()
            && !replace
        {
            return Err(StoreError::Exists { path: first.clone() });
        }
        // A new history directory: the old data's stays where it is until the new snapshot,
        // which names the new one, replaces the old.
        let history_name = install::fresh_history_name(&paths)?;
        let history = paths.dir.join(&history_name);
        write_history(&history, &mut state)?;
        let bytes = snapshot::encode(&paths.snapshot, &state, old.last_seq, &history_name)?;
        let mut backups = install::replace_data(&paths, &old, &bytes)?;
        // The cache of the new state; without one, the first open reads the JSON and writes it.
        let _ = cache::write(&paths, &state, old.last_seq, Tie::of_bytes(old.last_seq, &bytes), &history_name);
        backups.extend(old.history);
        let snapshot = files::stat(&paths.snapshot)?
            .ok_or_else(|| StoreError::io(&paths.snapshot, "read the new snapshot", io::ErrorKind::NotFound.into()))?;
        let journal = files::stat(&paths.journal)?;
        drop(held);
        let cursor = Cursor::new(old.last_seq);
        let source = LoadSource::Created;
        let view = View { state, cursor, migrated_from: None, snapshot, journal, history, stale: false, source };
        Ok((Self::over(paths, lock, wait, view), backups))
    }

    /// Every record of a history stream in the files, oldest first (see [`history`]). The
    /// state may hold newer records not yet written, and records the files already hold.
    pub fn history<T: serde::de::DeserializeOwned>(&self, stream: &str) -> Result<Vec<T>, StoreError> {
        history::read(&self.view.history, stream)
    }

    /// The records of a history stream written since `cursor`, moving it on (see
    /// [`history::HistoryCursor`]; `true` when the reading started over), parsing only the
    /// lines `keep` keeps: a reader of one user's
    /// records in a stream shared by many passes over the others' lines unread.
    pub fn history_since_where<T: serde::de::DeserializeOwned>(
        &self,
        stream: &str,
        cursor: &mut history::HistoryCursor,
        keep: impl Fn(&[u8]) -> bool,
    ) -> Result<(Vec<T>, bool), StoreError> {
        history::read_since_where(&self.view.history, stream, cursor, keep)
    }

    /// If another process replaced the snapshot (a compaction, a reset) or this state went
    /// stale, loads the files again *before* any lock is taken, as [`Store::open`] does: parsing
    /// a big state takes seconds, and no other process should wait for that. Returns whether
    /// it loaded. (Catching up under the lock then reads only what was appended meanwhile.)
    pub(super) fn reload_if_replaced(&mut self) -> Result<bool, StoreError> {
        if !self.view.stale && files::stat(&self.paths.snapshot)? == Some(self.view.snapshot) {
            return Ok(false);
        }
        // A compaction of what this state holds is followed under the lock, reading the journal.
        if !self.view.stale
            && let Some((head, _)) = snapshot::read_header(&self.paths.snapshot)?
            && self.view.carries_on(&self.paths, &head)?
            && super::compaction::journal_reaches(&self.paths.journal, self.view.cursor.seq, head.seq)
        {
            return Ok(false);
        }
        match load_then_check::<S>(&self.paths, &self.lock, &mut self.wait)? {
            Some(view) => {
                self.view = view;
                self.notices.note_torn(&self.paths.journal, &self.view.cursor);
                Ok(true)
            }
            None => {
                let gone = io::Error::from(io::ErrorKind::NotFound);
                Err(StoreError::io(&self.paths.snapshot, "read the snapshot", gone))
            }
        }
    }

    /// The entries committed after number `since`, in order, as the journal holds them (what
    /// another copy of the state applies to catch up). Refused with [`StoreError::Compacted`]
    /// when some of them are only in the snapshot by now.
    pub fn entries_since(&self, since: u64) -> Result<Vec<(u64, S::Entry)>, StoreError> {
        let lines = match files::read_from(&self.paths.journal, 0)? {
            Some((bytes, _)) => journal::entries::<S>(&self.paths.journal, &bytes)?,
            None => vec![],
        };
        let after: Vec<(u64, S::Entry)> = lines.into_iter().filter(|(seq, _)| *seq > since).collect();
        let first = after.first().map(|(seq, _)| *seq);
        match first {
            Some(seq) if seq != since.saturating_add(1) => {
                Err(StoreError::Compacted { path: self.paths.journal.clone(), since, snapshot: seq.saturating_sub(1) })
            }
            None if since < self.view.cursor.snapshot_seq => Err(StoreError::Compacted {
                path: self.paths.journal.clone(),
                since,
                snapshot: self.view.cursor.snapshot_seq,
            }),
            _ => Ok(after),
        }
    }

    /// Writes the state as the snapshot later opens start from (a compaction).
    pub fn checkpoint(&mut self) -> Result<(), StoreError> {
        self.compact()
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

    /// Which files the state was last loaded from: the cache, or the JSON snapshot and why
    /// the cache was not used.
    pub fn load_source(&self) -> &LoadSource {
        &self.view.source
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

    /// An entry whose `apply` takes at least `heavy` is compacted at once (default [`HEAVY_ENTRY`]).
    pub fn set_heavy_entry(&mut self, heavy: Duration) {
        self.heavy = heavy;
    }

    /// How long to wait for the lock from now on, and who is told meanwhile. Returns the
    /// wait it replaces.
    pub fn set_lock_wait(&mut self, wait: LockWait) -> LockWait {
        std::mem::replace(&mut self.wait, wait)
    }

    /// Who is told while waiting for the lock, keeping the timeout.
    pub fn set_lock_waiter(&mut self, waiter: Waiter) {
        self.wait = LockWait::new(self.wait.timeout).with_waiter(waiter);
    }

    /// Whether this process may change the data (the lock file could be opened for writing
    /// and the directory is not read-only). If not, commits are refused with
    /// [`StoreError::ReadOnly`]; reads work.
    pub fn is_writable(&self) -> bool {
        self.check_writable().is_ok()
    }

    /// What the store noticed since the last call that the user should be told (a torn write
    /// ignored or kept aside, reads without a lock). Nothing failed because of them.
    pub fn take_warnings(&mut self) -> Vec<StoreWarning> {
        std::mem::take(&mut self.notices.list)
    }

    /// The error of the last automatic compaction after a commit, if it failed. Such a
    /// failure does not undo the commit, which was already durable. The next commit retries
    /// first, and is refused if it fails again, so the journal cannot grow without end.
    pub fn take_compaction_error(&mut self) -> Option<StoreError> {
        self.reap_background(false);
        self.compaction_error.take()
    }

    pub(super) fn check_writable(&self) -> Result<(), StoreError> {
        if !self.lock.is_writable() {
            return Err(StoreError::ReadOnly { path: self.lock.path().to_owned() });
        }
        let dir = &self.paths.dir;
        let meta = fs::metadata(dir).map_err(|e| StoreError::io(dir, "look at the directory", e))?;
        if meta.permissions().readonly() {
            return Err(StoreError::ReadOnly { path: dir.clone() });
        }
        Ok(())
    }

    /// Commits one entry. Under the exclusive lock: catches up with entries other processes
    /// committed, builds the entry with `make` from the caught-up state, applies it, and
    /// appends it to the journal and syncs it. If the state refuses the entry, nothing is
    /// written ([`CommitError::Refused`]). The cost does not grow with the size of the state:
    /// a compaction now and then (see [`Compaction`]), and right after an entry whose `apply`
    /// took long (see [`Store::set_heavy_entry`]), is written by a child process after the
    /// commit returns (see [`Store::set_background_compaction`]); the commit pays for the
    /// history's sync and the `fork`.
    pub fn commit(&mut self, make: impl FnOnce(&S) -> S::Entry) -> Result<S::Output, CommitError<S::Error>> {
        self.commit_if(None, make)
    }

    /// [`Store::commit`], only if the last entry committed is number `expected`, i.e. the
    /// entry was made from the state the caller saw; otherwise [`StoreError::Conflict`] and
    /// nothing is written.
    pub fn commit_expecting(&mut self, expected: u64, entry: S::Entry) -> Result<S::Output, CommitError<S::Error>> {
        self.commit_if(Some(expected), |_| entry)
    }

    fn commit_if(
        &mut self,
        expected: Option<u64>,
        make: impl FnOnce(&S) -> S::Entry,
    ) -> Result<S::Output, CommitError<S::Error>> {
        self.check_writable()?;
        // A compaction in the background that lags far behind is waited for here, without the
        // lock (it needs the lock to finish), rather than done again under it below.
        self.reap_background(self.compaction.is_overdue(&self.view.cursor));
        self.reload_if_replaced()?;
        let _held = self.lock.exclusive(&mut self.wait)?;
        let paths = &self.paths;
        let view = &mut self.view;
        view.catch_up(paths)?;
        self.notices.note_torn(&paths.journal, &view.cursor);
        if let Some(expected) = expected
            && expected != view.cursor.seq
        {
            let found = view.cursor.seq;
            return Err(StoreError::Conflict { path: paths.journal.clone(), expected, found }.into());
        }
        // Overdue means compactions failed (or lag far behind): compact before the journal
        // grows further, here under the lock.
        if view.migrated_from.is_some() || self.compaction.is_overdue(&view.cursor) {
            self.notices.keep_torn(&paths.journal, &view.cursor)?;
            view.compact(paths)?;
        }
        let entry = make(&view.state);
        let mut line = journal::encode_line(&paths.journal, view.cursor.seq + 1, &entry)?;
        // What a crashed commit staged belongs to no journal line.
        staged::clear_leftovers(&view.history);
        let (staging, spill) = staged::start(&view.history);
        view.state.spill_into(Some(spill));
        let started = Instant::now();
        let applied = view.state.apply(&entry);
        view.state.spill_into(None);
        let staged = staging.finish();
        let (output, staged) = match (applied, staged) {
            (Err(refused), _) => {
                staged::clear_leftovers(&view.history);
                return Err(CommitError::Refused(refused));
            }
            (Ok(_), Err(e)) => {
                // Some of the entry's history is neither in memory nor staged: the entry is not
                // written, and the state goes back to the files.
                view.stale = true;
                let _ = view.reload(paths);
                return Err(e.into());
            }
            (Ok(output), Ok(staged)) => (output, staged),
        };
        let heavy = started.elapsed() >= self.heavy && S::may_be_heavy(&output);

        // A torn tail is kept aside only now that it is about to be cut (not for a refusal).
        let written = self.notices.keep_torn(&paths.journal, &view.cursor).and_then(|()| {
            if view.cursor.is_stale() {
                view.cursor.restart();
            } else if view.cursor.unterminated {
                line.insert(0, b'\n');
            }
            files::append_at(&paths.journal, view.cursor.pos, &line)
        });
        let mut history_whole = true;
        let mut closed = vec![];
        match written {
            Ok(stamp) => {
                view.cursor.appended(line.len() as u64);
                view.journal = Some(stamp);
                // The commit stands whatever happens to its history: the journal holds it,
                // and the next commit or compaction writes what is missing.
                match staged::install(&view.history, &staged) {
                    Err(e) => {
                        // What was staged is not in memory: the state goes back to the files,
                        // whose journal makes it again (and nothing after it is written first).
                        staged::clear_leftovers(&view.history);
                        view.stale = true;
                        history_whole = false;
                        self.compaction_error = Some(e);
                    }
                    Ok(installed) => {
                        closed = installed;
                        match view.append_history(false) {
                            Ok(more) => closed.extend(more),
                            Err(e) => self.compaction_error = Some(e),
                        }
                    }
                }
            }
            Err(e) => {
                // The state holds an entry the journal does not: go back to the files.
                staged::clear_leftovers(&view.history);
                view.stale = true;
                let _ = view.reload(paths);
                return Err(e.into());
            }
        }
        let compact = history_whole && (heavy || self.compaction.is_due(&view.cursor));
        drop(_held);
        // The key files of the segments this commit closed, made without the lock.
        history_keys::make_all(&closed, S::history_key);
        // The new snapshot is written without the lock, in the background: the commit returns
        // now, and others commit meanwhile.
        if compact && let Err(e) = self.compact_after_commit() {
            self.compaction_error = Some(e);
        }
        Ok(output)
    }

    /// Catches up with what other processes committed or compacted since this one last read
    /// or wrote. Returns whether the state may have changed. When nothing changed this costs
    /// two `stat`s: no lock, no read.
    pub fn refresh(&mut self) -> Result<bool, StoreError> {
        if self.reload_if_replaced()? {
            return Ok(true);
        }
        let view = &mut self.view;
        if !view.stale
            && files::stat(&self.paths.snapshot)? == Some(view.snapshot)
            && files::stat(&self.paths.journal)? == view.journal
        {
            return Ok(false);
        }
        let held = self.lock.shared(&mut self.wait)?;
        let changed = view.catch_up(&self.paths)?;
        drop(held);
        self.notices.note_torn(&self.paths.journal, &self.view.cursor);
        Ok(changed)
    }
}

/// Makes the history directory of a state being installed (even an empty one: its name is the
/// tenant's, so no later install takes it, and a reset is never taken for a compaction),
/// writes the state's pending history into it, synced, and drops it from the state.
fn write_history<S: Persist>(dir: &Path, state: &mut S) -> Result<(), StoreError> {
    fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, "make the history directory", e))?;
    if let Some(parent) = dir.parent() {
        files::sync_dir(parent)?;
    }
    let batches = state.history_batches().map_err(|source| StoreError::Encode {
        path: dir.to_owned(),
        what: "the history",
        source,
    })?;
    let mut closed = vec![];
    if !batches.is_empty() {
        closed = history::append_batches(dir, &batches, true)?;
        history::sync_all(dir)?;
    }
    drop(batches);
    state.history_written();
    history_keys::make_all(&closed, S::history_key);
    Ok(())
}
