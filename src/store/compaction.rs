//! Compaction: the state written as a new snapshot, holding the lock only to start and to
//! finish (see "Compaction" in the module docs), and other processes following a compaction
//! by reading on in the journal instead of parsing the new snapshot.

use super::Persist;
use super::cache;
use super::error::StoreError;
use super::files::{self, Paths, Stamp};
use super::handle::View;
use super::history;
use super::history_keys;
use super::journal::{self, Cursor, Head};
use super::snapshot;

#[cfg(test)]
thread_local! {
    /// Run by a compaction between writing its snapshot and taking the lock to put it in
    /// place (unit tests only: what others do meanwhile).
    pub(crate) static WHILE_COMPACTING: std::cell::RefCell<Option<Box<dyn FnMut()>>> =
        const { std::cell::RefCell::new(None) };
}

#[cfg(test)]
pub(super) fn while_compacting() {
    let hook = WHILE_COMPACTING.with(|h| h.borrow_mut().take());
    if let Some(mut f) = hook {
        f();
        WHILE_COMPACTING.with(|h| *h.borrow_mut() = Some(f));
    }
}

/// What a compaction started from: the state's seq, the snapshot it replaces (and that one's
/// seq, after which the journal keeps its lines), whether that one was read from an older
/// schema, and the name of the history directory the new one names.
pub(super) struct CompactionStart {
    seq: u64,
    base: Stamp,
    kept_after: u64,
    migrated: bool,
    history: String,
}

impl<S: Persist> View<S> {
    /// Writes the state as the new snapshot, then empties the journal, all under the exclusive
    /// lock the caller holds (after catching up and keeping any torn tail aside).
    pub(super) fn compact(&mut self, paths: &Paths) -> Result<(), StoreError> {
        let start = self.compaction_start(paths)?;
        let written = self.compaction_write(paths, &start)?;
        let old = self.compaction_finish(paths, &start, written)?;
        remove_old(old);
        Ok(())
    }

    /// A compaction's first step, under the exclusive lock: the history of every entry in the
    /// state is durable, so the journal may lose their lines.
    pub(super) fn compaction_start(&mut self, paths: &Paths) -> Result<CompactionStart, StoreError> {
        self.compaction_start_after(paths, &mut history::Synced::default())
    }

    /// [`View::compaction_start`], where `synced` is what a sync of the history without the lock
    /// made durable already (so that little is left to sync under it).
    pub(super) fn compaction_start_after(
        &mut self,
        paths: &Paths,
        synced: &mut history::Synced,
    ) -> Result<CompactionStart, StoreError> {
        self.append_history(true)?;
        history::sync_all_since(&self.history, synced)?;
        self.compaction_start_unsynced(paths)
    }

    /// The first step without syncing the history, for a compaction whose child process syncs
    /// it before putting its snapshot in place (see `background`).
    pub(super) fn compaction_start_unsynced(&mut self, paths: &Paths) -> Result<CompactionStart, StoreError> {
        self.append_history(false)?;
        Ok(CompactionStart {
            seq: self.cursor.seq,
            base: self.snapshot,
            kept_after: self.cursor.snapshot_seq,
            migrated: self.migrated_from.is_some(),
            history: self.history_name(paths)?,
        })
    }

    /// The second step, with or without the lock: first the cache of the state as of the start
    /// (quick to write, it serves opens at once: derived from the snapshot in place and the
    /// journal, which keeps its lines until this snapshot is in place), then the state written
    /// and synced beside the snapshot as it is encoded (never whole in memory). A cache that
    /// cannot be written is left to the next compaction: it never fails one.
    pub(super) fn compaction_write(
        &self,
        paths: &Paths,
        start: &CompactionStart,
    ) -> Result<files::Written, StoreError> {
        if let Some((tie, _, _)) = cache::Tie::of_file(&paths.snapshot, Some(start.base)) {
            let _ = cache::write(paths, &self.state, start.seq, tie, &start.history);
        }
        files::write_beside_with(&paths.snapshot, |out, tmp| {
            snapshot::encode_into(&paths.snapshot, &self.state, start.seq, &start.history, out, tmp)
        })
    }

    /// After a compaction, without the lock: the key files the history lacks (of segments
    /// closed by an append under a lock, or written before key files were: see
    /// `history_keys`). Derived and never needed, so a failure here fails nothing.
    pub(super) fn make_missing_keys(&self) {
        history_keys::make_missing(&self.history, S::history_key);
    }

    /// The last step, under the exclusive lock: the new snapshot is put in place (see
    /// [`put_in_place`]), and the state replays the journal lines committed since the start.
    /// Returns the replaced snapshot's file, still to be removed (by [`remove_old`], once the
    /// lock is let go).
    pub(super) fn compaction_finish(
        &mut self,
        paths: &Paths,
        start: &CompactionStart,
        written: files::Written,
    ) -> Result<Option<std::path::PathBuf>, StoreError> {
        let Some((stamp, old)) = put_in_place(paths, start, written)? else { return Ok(None) };
        self.snapshot = stamp;
        self.migrated_from = None;
        // Read the journal again: lines up to the new snapshot are skipped, later ones applied.
        self.cursor = Cursor::new(start.seq);
        self.journal = None;
        if files::stat(&paths.journal)?.is_some() {
            self.read_on(paths).inspect_err(|_| self.stale = true)?;
        }
        Ok(old)
    }

    /// Another process compacted. If its snapshot carries on from ours (same kind, schema and
    /// history, newer than ours), reads on in the journal, which keeps the lines since the
    /// snapshot before: cheap, where parsing the new snapshot takes seconds for a big state.
    /// `None` when that cannot be done: the caller loads the files again. The caller holds
    /// the lock.
    pub(super) fn follow_compaction(&mut self, paths: &Paths) -> Result<Option<bool>, StoreError> {
        let Some((head, stamp)) = snapshot::read_header(&paths.snapshot)? else { return Ok(None) };
        if !self.carries_on(paths, &head)? {
            return Ok(None);
        }
        let ours = self.cursor.seq;
        // Lines up to our seq are skipped; the first one after must be ours + 1.
        let mut cursor = Cursor::new(ours);
        let journal = match files::read_from(&paths.journal, 0)? {
            Some((bytes, jstamp)) => {
                match journal::replay(&paths.journal, &bytes, &mut cursor, &mut self.state) {
                    Ok(()) => {}
                    // Nothing applied (the journal does not reach back to us): load instead.
                    Err(_) if cursor.seq == ours => return Ok(None),
                    Err(e) => {
                        self.stale = true;
                        return Err(e);
                    }
                }
                Some(jstamp)
            }
            None => None,
        };
        if cursor.seq < head.seq {
            // The snapshot holds entries the journal no longer does.
            self.stale = cursor.seq != ours;
            return Ok(None);
        }
        cursor.snapshot_seq = head.seq;
        self.cursor = cursor;
        self.snapshot = stamp;
        self.journal = journal;
        Ok(Some(self.cursor.seq != ours))
    }

    /// Whether a snapshot with this header carries on from the one this state was read from.
    pub(super) fn carries_on(&self, paths: &Paths, head: &snapshot::Header) -> Result<bool, StoreError> {
        let history = head.history.as_deref().unwrap_or(snapshot::DEFAULT_HISTORY);
        Ok(head.kind == S::KIND
            && head.schema_version == S::SCHEMA_VERSION
            && self.migrated_from.is_none()
            && history == self.history_name(paths)?
            // A compaction moves the snapshot on; a file replaced at the same seq (an edit by
            // hand, say) is read again, and refused if it is damaged.
            && head.seq > self.cursor.snapshot_seq)
    }
}

/// A compaction's work on the files once its snapshot is written, under the exclusive lock
/// (held by the process that does it): the new snapshot replaces the old, unless another
/// compaction replaced it first (then the new one is dropped: `None`), and the journal keeps
/// only the lines after the snapshot it replaces. A snapshot loaded from an older schema is
/// first copied to `tenant.json.bak-<n>`. Returns the new snapshot's stamp and the replaced
/// file, still to be removed.
pub(super) fn put_in_place(
    paths: &Paths,
    start: &CompactionStart,
    written: files::Written,
) -> Result<Option<(Stamp, Option<std::path::PathBuf>)>, StoreError> {
    files::remove_stale_temporaries(&paths.snapshot);
    if files::stat(&paths.snapshot)? != Some(start.base) {
        written.discard();
        return Ok(None);
    }
    if start.migrated {
        let names = files::backup_names(&[&paths.snapshot])?;
        if let Some(copy) = names.first() {
            files::keep_backup(&paths.snapshot, copy)?;
        }
    }
    // Durable when this returns: until then, the journal must keep its lines.
    let (stamp, old) = written.rename_keeping_old(&paths.snapshot)?;
    // The cache written at the start now stands for this snapshot too.
    if let Some((tie, _, _)) = cache::Tie::of_file(&paths.snapshot, Some(stamp)) {
        let _ = cache::tie_in(paths, start.seq, tie);
    }
    // The journal keeps the lines after the snapshot this one replaces (and those others
    // committed meanwhile): a process that read the old snapshot follows this compaction by
    // reading on in the journal, without parsing the new one.
    if let Some((bytes, _)) = files::read_from(&paths.journal, 0)? {
        let cut = first_line_after(&bytes, start.kept_after);
        if cut > 0 {
            let rest = bytes.get(cut..).unwrap_or_default();
            if rest.is_empty() {
                files::empty_journal(&paths.journal)?;
            } else {
                files::replace_file(&paths.journal, rest)?;
            }
        }
    }
    Ok(Some((stamp, old)))
}

/// Removes a replaced snapshot kept by [`View::compaction_finish`] (nothing reads it: a
/// leftover is removed by a later compaction), a slice at a time (see [`files::shrink_away`]).
pub(super) fn remove_old(old: Option<std::path::PathBuf>) {
    if let Some(old) = old {
        files::shrink_away(&old);
    }
}

/// Whether the journal goes back far enough for a state at `ours` to follow a snapshot at
/// `snapshot`: its first line is at most `ours + 1` (or, empty, the snapshot is no newer than
/// the state). A look without the lock, to choose; the caller checks again under it.
pub(super) fn journal_reaches(journal: &std::path::Path, ours: u64, snapshot: u64) -> bool {
    let line = std::fs::File::open(journal).and_then(|f| files::first_line(f, 1 << 20));
    match line {
        Ok(line) if line.is_empty() => snapshot <= ours,
        Ok(line) => serde_json::from_slice::<Head>(line.strip_suffix(b"\n").unwrap_or(&line))
            .is_ok_and(|first| first.seq <= ours.saturating_add(1)),
        Err(e) => e.kind() == std::io::ErrorKind::NotFound && snapshot <= ours,
    }
}

/// Where the first journal line whose seq is above `seq` starts (the length if none is; a line
/// that does not read ends the search there, and stays).
fn first_line_after(bytes: &[u8], seq: u64) -> usize {
    let mut at = 0usize;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        match serde_json::from_slice::<Head>(line.strip_suffix(b"\n").unwrap_or(line)) {
            Ok(h) if h.seq <= seq => at = at.saturating_add(line.len()),
            _ => break,
        }
    }
    at
}

#[cfg(test)]
#[path = "compaction_tests.rs"]
mod compaction_tests;
