//! History: records that leave the live state for append-only files, read only when asked for.
//!
//! A state names its records' streams (the tenant: `audit`, `notices-NN` for the mailboxes,
//! sharded by user, and `requests-NN`, `requests-pkg-NN` and `requests-ext` for the finished
//! requests, see `domain::finished`). Each stream is a directory of segments under the store's history
//! directory, `<history>/<stream>/<first seq, 12 digits>.jsonl`, one JSON record per line, each
//! record carrying a `seq` that increases along the stream. A segment is closed once it passes
//! [`SEGMENT_BYTES`], so no file grows without end.
//!
//! Records are appended right after the journal line of the commit that made them (without a
//! sync: the journal is the record of truth until the next compaction), and synced before a
//! compaction drops that journal line. An append first looks at the stream's last line and
//! skips the records already there, so the records that replaying the journal makes again
//! (after a crash between the journal and the history) are written exactly once. A last line
//! cut short by a crash is ignored by readers and cut away by the next append.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use serde::de::DeserializeOwned;

use super::direct::{DirectFile, Scratch};
use super::error::{Position, StoreError, json_problem};
use super::files;
use super::journal::Head;

/// A segment is closed, and the next record starts a new one, once it holds this many bytes.
pub const SEGMENT_BYTES: u64 = 32 << 20;

/// The size at which the stores of this process close segments: [`SEGMENT_BYTES`] unless
/// [`close_segments_at`] set another.
static SEGMENT_LIMIT: AtomicU64 = AtomicU64::new(SEGMENT_BYTES);

/// Makes every store of this process close history segments at `bytes` (at least 1) instead of
/// [`SEGMENT_BYTES`]: for tests that need many segments from a small tenant's history. Every
/// other store of the process then writes other files: such tests run in a test binary of their
/// own (`tests/small_segments`).
#[doc(hidden)]
pub fn close_segments_at(bytes: u64) {
    SEGMENT_LIMIT.store(bytes.max(1), Ordering::Relaxed);
}

/// An append of at least this many bytes to one segment goes past the page cache.
const DIRECT_FROM: usize = 256 << 10;

/// The tail read to find a stream's last record (a record is far shorter).
const TAIL_BYTES: u64 = 256 << 10;

/// One record on its way to the history files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRecord {
    /// The stream's name: ASCII letters, digits and `-` only.
    pub stream: String,
    /// Its number in the stream; increases along the stream.
    pub seq: u64,
    /// The record as one line of JSON, without the newline (shared by the streams that hold
    /// the same record).
    pub line: std::sync::Arc<[u8]>,
}

pub(super) fn check_stream(dir: &Path, stream: &str) -> Result<PathBuf, StoreError> {
    let ok = !stream.is_empty() && stream.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !ok {
        let problem = format!("'{stream}' is not a history stream's name (letters, digits and '-' only)");
        return Err(StoreError::corrupt(dir, Position::NONE, problem));
    }
    Ok(dir.join(stream))
}

/// The segments of a stream, oldest first (by the seq in their names). None if the stream is empty.
pub(super) fn segments(stream_dir: &Path) -> Result<Vec<(u64, PathBuf)>, StoreError> {
    let entries = match fs::read_dir(stream_dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(StoreError::io(stream_dir, "list the history", e)),
    };
    let mut out = vec![];
    for entry in entries {
        let entry = entry.map_err(|e| StoreError::io(stream_dir, "list the history", e))?;
        let name = entry.file_name();
        let Some(first) = name.to_str().and_then(|n| n.strip_suffix(".jsonl")).and_then(|n| n.parse::<u64>().ok())
        else {
            continue;
        };
        out.push((first, entry.path()));
    }
    out.sort();
    Ok(out)
}

pub(super) fn segment_name(stream_dir: &Path, first: u64) -> PathBuf {
    stream_dir.join(format!("{first:012}.jsonl"))
}

/// The last segment's open file, its length after cutting a torn tail, and the seq of its last record.
fn open_last(path: &Path) -> Result<(File, u64, u64), StoreError> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| StoreError::io(path, "open the history", e))?;
    let (len, keep, last) = read_last(&mut file, path)?;
    // Everything after the last newline is a write cut short: it goes.
    if keep != len {
        file.set_len(keep).map_err(|e| StoreError::io(path, "cut a torn write from the history", e))?;
    }
    file.seek(SeekFrom::End(0)).map_err(|e| StoreError::io(path, "seek in the history", e))?;
    Ok((file, keep, last))
}

/// A segment's length, the length of its whole records (what is left once a torn write is cut
/// away), and the seq of its last whole record (0: none).
fn read_last(file: &mut File, path: &Path) -> Result<(u64, u64, u64), StoreError> {
    let len = file.metadata().map_err(|e| StoreError::io(path, "look at the history", e))?.len();
    let mut from = len.saturating_sub(TAIL_BYTES);
    let mut tail = Vec::new();
    file.seek(SeekFrom::Start(from))
        .and_then(|_| file.read_to_end(&mut tail))
        .map_err(|e| StoreError::io(path, "read the history", e))?;
    // The last whole record must start inside what was read: with fewer than two line ends in
    // the tail (a record longer than the tail), read the whole segment.
    if from > 0 && tail.iter().filter(|&&b| b == b'\n').take(2).count() < 2 {
        from = 0;
        tail.clear();
        file.seek(SeekFrom::Start(0))
            .and_then(|_| file.read_to_end(&mut tail))
            .map_err(|e| StoreError::io(path, "read the history", e))?;
    }
    let complete = tail.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let keep = from.saturating_add(complete as u64);
    let body = tail.get(..complete.saturating_sub(1)).unwrap_or_default();
    let last_line = body.rsplit(|&b| b == b'\n').next().unwrap_or_default();
    let last = if last_line.is_empty() {
        0
    } else {
        serde_json::from_slice::<Head>(last_line).map(|h| h.seq).map_err(|e| {
            StoreError::corrupt(path, Position::NONE, format!("the last record does not read: {}", json_problem(&e)))
        })?
    };
    Ok((len, keep, last))
}

/// The seq of the last whole record of a stream's last segment (0: none), read without
/// changing anything (a reader may call it).
pub(crate) fn last_seq(dir: &Path, stream: &str) -> Result<u64, StoreError> {
    let stream_dir = check_stream(dir, stream)?;
    let Some((_, path)) = segments(&stream_dir)?.pop() else { return Ok(0) };
    let mut file = File::open(&path).map_err(|e| StoreError::io(&path, "open the history", e))?;
    read_last(&mut file, &path).map(|(_, _, last)| last)
}

/// The records of one stream on their way to the history files, as one buffer of lines (each
/// ended by a newline) with each line's number and end: what a state makes as it goes, handed
/// over without a copy, record object or second pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamBatch<'a> {
    /// The stream's name: ASCII letters, digits and `-` only.
    pub stream: Cow<'a, str>,
    /// The lines, each ended by a newline, numbers increasing.
    pub bytes: Cow<'a, [u8]>,
    /// Each line's number and where it ends in `bytes` (past its newline), in order.
    pub ends: Cow<'a, [(u64, usize)]>,
}

/// Each line's number and where it ends (see [`StreamBatch::ends`]).
type Ends = Vec<(u64, usize)>;

impl StreamBatch<'static> {
    /// The records given one by one, gathered by stream (in the order given within each).
    pub fn gather(records: &[HistoryRecord]) -> Vec<StreamBatch<'static>> {
        let mut by_stream: BTreeMap<&str, (Vec<u8>, Ends)> = BTreeMap::new();
        for r in records {
            let (bytes, ends) = by_stream.entry(r.stream.as_str()).or_default();
            bytes.extend_from_slice(&r.line);
            bytes.push(b'\n');
            ends.push((r.seq, bytes.len()));
        }
        by_stream
            .into_iter()
            .map(|(stream, (bytes, ends))| StreamBatch {
                stream: Cow::Owned(stream.to_owned()),
                bytes: Cow::Owned(bytes),
                ends: Cow::Owned(ends),
            })
            .collect()
    }
}

/// Appends the records that the files do not hold yet, stream by stream; with `sync`, each file
/// written and each directory made is synced before this returns.
#[cfg(test)]
pub(crate) fn append(dir: &Path, records: &[HistoryRecord], sync: bool) -> Result<(), StoreError> {
    append_batches(dir, &StreamBatch::gather(records), sync).map(|_| ())
}

/// The segments an append closed (each with its stream), whose key files are to be made (see
/// `history_keys`): by the caller, once it has let the lock go.
pub(crate) type Closed = Vec<(String, PathBuf)>;

/// [`append`] for records gathered by stream. Returns the segments it closed.
pub(crate) fn append_batches(dir: &Path, batches: &[StreamBatch<'_>], sync: bool) -> Result<Closed, StoreError> {
    append_in(dir, batches, sync, SEGMENT_LIMIT.load(Ordering::Relaxed))
}

/// How many threads share a long append: each write past the page cache waits for the disk,
/// which takes several at once (a year's finished requests, about a hundred megabytes over
/// 128 streams, took 100 to 200 ms written one stream after another).
const APPENDERS: usize = 4;

/// Below this many bytes in all, one thread appends.
const APPENDERS_FROM: usize = 8 << 20;

/// [`append_batches`], closing segments at `segment_bytes`. The segments closed are given in
/// the order of the batches, whichever thread appended them.
pub(super) fn append_in(
    dir: &Path,
    batches: &[StreamBatch<'_>],
    sync: bool,
    segment_bytes: u64,
) -> Result<Closed, StoreError> {
    let work: Vec<&StreamBatch<'_>> = batches.iter().filter(|b| !b.ends.is_empty()).collect();
    let total = work.iter().fold(0usize, |n, b| n.saturating_add(b.bytes.len()));
    if total < APPENDERS_FROM || work.len() < 2 {
        let mut closed = vec![];
        let mut scratch = Scratch::new();
        for b in work {
            append_stream(dir, b, (sync, segment_bytes), &mut scratch, &mut closed)?;
        }
        return Ok(closed);
    }
    // Each thread takes the next stream not yet taken; after a failure none is taken.
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let append_some = || -> Result<Vec<(usize, Closed)>, StoreError> {
        let mut scratch = Scratch::new();
        let mut done = vec![];
        while !failed.load(Ordering::Relaxed) {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(b) = work.get(i) else { break };
            let mut closed = vec![];
            if let Err(e) = append_stream(dir, b, (sync, segment_bytes), &mut scratch, &mut closed) {
                failed.store(true, Ordering::Relaxed);
                return Err(e);
            }
            done.push((i, closed));
        }
        Ok(done)
    };
    let results: Vec<Result<Vec<(usize, Closed)>, StoreError>> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..APPENDERS.min(work.len())).map(|_| s.spawn(append_some)).collect();
        threads
            .into_iter()
            .map(|t| {
                t.join().unwrap_or_else(|_| {
                    let stopped = std::io::Error::other("a thread appending to the history stopped");
                    Err(StoreError::io(dir, "append to the history", stopped))
                })
            })
            .collect()
    });
    let mut done = vec![];
    for r in results {
        done.extend(r?);
    }
    done.sort_by_key(|(i, _)| *i);
    Ok(done.into_iter().flat_map(|(_, closed)| closed).collect())
}

fn append_stream(
    dir: &Path,
    batch: &StreamBatch<'_>,
    (sync, segment_bytes): (bool, u64),
    scratch: &mut Scratch,
    closed: &mut Closed,
) -> Result<(), StoreError> {
    let stream_dir = check_stream(dir, &batch.stream)?;
    let made = !stream_dir.exists();
    if made {
        fs::create_dir_all(&stream_dir).map_err(|e| StoreError::io(&stream_dir, "make the history directory", e))?;
        if sync {
            files::sync_dir(dir)?;
            if let Some(parent) = dir.parent() {
                files::sync_dir(parent)?;
            }
        }
    }
    let mut current = match segments(&stream_dir)?.pop() {
        Some((_, path)) => {
            let (file, len, last) = open_last(&path)?;
            Some((path, file, len, last))
        }
        None => None,
    };
    let last = current.as_ref().map_or(0, |c| c.3);
    let bytes: &[u8] = &batch.bytes;
    // The lines the files hold already (written before a crash, made again by the replay) are
    // skipped: the first line to write, and where it starts.
    let first = batch.ends.partition_point(|(seq, _)| *seq <= last);
    let line_start = |i: usize| i.checked_sub(1).and_then(|p| batch.ends.get(p)).map_or(0, |e| e.1);
    // The range of `bytes` that goes to the current segment next: [from, to).
    let mut from = line_start(first);
    let mut to = from;
    let mut new_files = false;
    for &(seq, end) in batch.ends.get(first..).unwrap_or_default() {
        let pending = to.saturating_sub(from) as u64;
        let full = current.as_ref().is_none_or(|c| c.2.saturating_add(pending) >= segment_bytes);
        if full {
            // A closed segment is synced at once: later syncs look only at each stream's last.
            if let Some((path, file, len, _)) = current.take() {
                write_out((&path, file, len), bytes.get(from..to).unwrap_or_default(), true, scratch)?;
                closed.push((batch.stream.to_string(), path));
            }
            from = to;
            let path = segment_name(&stream_dir, seq);
            let file = OpenOptions::new()
                .create_new(true)
                .append(true)
                .open(&path)
                .map_err(|e| StoreError::io(&path, "start a history segment", e))?;
            new_files = true;
            current = Some((path, file, 0, seq));
        }
        to = end;
    }
    if let Some((path, file, len, _)) = current {
        write_out((&path, file, len), bytes.get(from..to).unwrap_or_default(), sync, scratch)?;
    }
    if sync && new_files {
        files::sync_dir(&stream_dir)?;
    }
    Ok(())
}

/// Appends `buf` to the segment at `path` (open as `file`, `len` bytes long). A long append
/// (a year's finished requests: a hundred megabytes over the request streams) goes past the
/// page cache (see `direct`); a commit's few lines go the ordinary way.
fn write_out(
    (path, mut file, len): (&Path, File, u64),
    buf: &[u8],
    sync: bool,
    scratch: &mut Scratch,
) -> Result<(), StoreError> {
    let fail = |e| StoreError::io(path, "append to the history", e);
    if buf.len() >= DIRECT_FROM {
        drop(file);
        let mut direct = DirectFile::append(path, len).map_err(fail)?;
        direct.write(buf, scratch).and_then(|()| direct.finish()).map_err(fail)?;
        file = direct.into_file();
    } else if !buf.is_empty() {
        file.write_all(buf).map_err(fail)?;
    }
    if sync {
        file.sync_data().map_err(|e| StoreError::io(path, "sync the history to disk", e))?;
    }
    Ok(())
}

/// Makes everything appended so far durable: the last segment of each stream (a closed one was
/// synced when it was closed), each stream's directory and the history directory itself.
pub(crate) fn sync_all(dir: &Path) -> Result<(), StoreError> {
    sync_all_since(dir, &mut Synced::default())
}

/// What [`sync_all_since`] made durable: each stream's last segment as it was when synced.
#[derive(Debug, Default)]
pub(crate) struct Synced {
    segments: BTreeMap<PathBuf, files::Stamp>,
}

/// [`sync_all`], skipping what `seen` says was synced already and has not changed since (the
/// same last segment, same length and time): a compaction syncs the history once without the
/// lock, then again under it, where only what was appended meanwhile is left to sync.
pub(crate) fn sync_all_since(dir: &Path, seen: &mut Synced) -> Result<(), StoreError> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(StoreError::io(dir, "list the history", e)),
    };
    let mut new_segment = false;
    for entry in entries {
        let entry = entry.map_err(|e| StoreError::io(dir, "list the history", e))?;
        let stream_dir = entry.path();
        if !stream_dir.is_dir() {
            continue;
        }
        let Some((_, path)) = segments(&stream_dir)?.pop() else { continue };
        // Looked at before the sync: whatever is appended after the look is synced next time.
        let Some(stamp) = files::stat(&path)? else { continue };
        let known = seen.segments.get(&path);
        if known == Some(&stamp) {
            continue;
        }
        File::open(&path)
            .and_then(|f| f.sync_data())
            .map_err(|e| StoreError::io(&path, "sync the history to disk", e))?;
        if known.is_none() {
            files::sync_dir(&stream_dir)?;
            new_segment = true;
        }
        seen.segments.insert(path, stamp);
    }
    if new_segment {
        files::sync_dir(dir)?;
        if let Some(parent) = dir.parent() {
            files::sync_dir(parent)?;
        }
    }
    Ok(())
}

/// Every record of a stream, oldest first. A last line cut short by a crash is left out.
pub(crate) fn read<T: DeserializeOwned>(dir: &Path, stream: &str) -> Result<Vec<T>, StoreError> {
    read_since(dir, stream, &mut HistoryCursor::default()).map(|(records, _)| records)
}

/// Where a reader of a stream has read up to: the directory, the segment and the byte after the
/// last whole record read. A new reader starts at the beginning.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryCursor {
    dir: PathBuf,
    segment: u64,
    offset: u64,
}

/// The records of a stream after `cursor`, oldest first, moving the cursor past them. Returns
/// whether the reading started over (the store was reset since, or this is the first read): the
/// reader then drops what it had.
pub(crate) fn read_since<T: DeserializeOwned>(
    dir: &Path,
    stream: &str,
    cursor: &mut HistoryCursor,
) -> Result<(Vec<T>, bool), StoreError> {
    read_since_where(dir, stream, cursor, |_| true)
}

/// [`read_since`], parsing only the lines `keep` keeps (the others are passed over unread).
pub(crate) fn read_since_where<T: DeserializeOwned>(
    dir: &Path,
    stream: &str,
    cursor: &mut HistoryCursor,
    keep: impl Fn(&[u8]) -> bool,
) -> Result<(Vec<T>, bool), StoreError> {
    let restarted = cursor.dir != dir;
    if restarted {
        *cursor = HistoryCursor { dir: dir.to_owned(), segment: 0, offset: 0 };
    }
    let stream_dir = check_stream(dir, stream)?;
    let mut out = vec![];
    let from_segment = cursor.segment;
    for (first, path) in segments(&stream_dir)?.into_iter().filter(|(first, _)| *first >= from_segment) {
        let from = if first == cursor.segment { cursor.offset } else { 0 };
        let Some((bytes, _)) = files::read_from(&path, from)? else { continue };
        let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let body = bytes.get(..complete).unwrap_or_default();
        for line in body.split(|&b| b == b'\n').filter(|l| !l.is_empty() && keep(l)) {
            let record = serde_json::from_slice::<T>(line).map_err(|e| {
                StoreError::corrupt(&path, Position::NONE, format!("not a history record: {}", json_problem(&e)))
            })?;
            out.push(record);
        }
        cursor.segment = first;
        cursor.offset = from.saturating_add(complete as u64);
    }
    Ok((out, restarted))
}

#[cfg(test)]
#[path = "history_tests.rs"]
mod tests;
