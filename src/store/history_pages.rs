//! Reading a long history stream a page at a time (see [`history`](super::history) for the
//! streams). A reader keeps a [`StreamIndex`]: for every record of a stream, where its line is
//! and a small key read from it (what a list needs to count, order and pick its rows without
//! the rest of the record). The index is built as the stream is read and extended as it grows
//! (streams only grow), so a list of hundreds of thousands of records reads the stream once per
//! process, and each page shown reads only its own lines, by position. Only the stream's last
//! segment is parsed for its keys: the closed ones have key files (see
//! [`history_keys`](super::history_keys)).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::Persist;
use super::error::{Position, StoreError, json_problem};
use super::files;
use super::handle::Store;
use super::history::{check_stream, segment_name, segments};
use super::history_keys::{self, KeyRows, Line, LineKey};

/// Where one record's line is: its segment (by the first seq in the segment's name), the
/// byte it starts at, and its length without the newline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordAt {
    pub(super) segment: u64,
    pub(super) offset: u64,
    pub(super) len: u32,
}

/// A stream's records, oldest first: where each is and its key (`K`, read from its line).
#[derive(Debug, Clone)]
pub struct StreamIndex<K> {
    /// The history directory it was read from (another one, after a reset: it starts over).
    dir: PathBuf,
    /// The segment last read and the byte after its last whole line.
    segment: u64,
    offset: u64,
    rows: Vec<(RecordAt, K)>,
}

impl<K> Default for StreamIndex<K> {
    fn default() -> Self {
        StreamIndex { dir: PathBuf::new(), segment: 0, offset: 0, rows: Vec::new() }
    }
}

impl<K> StreamIndex<K> {
    /// Every record read so far, oldest first.
    pub fn rows(&self) -> &[(RecordAt, K)] {
        &self.rows
    }
}

/// Reads the lines of `stream` written since `index` was last brought up to date, keeping
/// where each is and its key. A closed segment (every one but the stream's last) is read from
/// its key file (see [`history_keys`](super::history_keys)), made first if it is missing,
/// stale or damaged; only the last segment is parsed, on the other core meanwhile.
pub(crate) fn index_since<K: LineKey + Send>(
    dir: &Path,
    stream: &str,
    index: &mut StreamIndex<K>,
) -> Result<(), StoreError> {
    if index.dir != dir {
        *index = StreamIndex { dir: dir.to_owned(), ..StreamIndex::default() };
    }
    let stream_dir = check_stream(dir, stream)?;
    let (from_segment, from_offset) = (index.segment, index.offset);
    let mut closed: Vec<Todo> = segments(&stream_dir)?
        .into_iter()
        .filter(|(first, _)| *first >= from_segment)
        .map(|(first, path)| {
            let from = if first == from_segment { from_offset } else { 0 };
            Todo { first, path, from }
        })
        .collect();
    let open = closed.pop();
    let parts = match open {
        None => vec![],
        Some(open) if closed.is_empty() => vec![parse_segment::<K>(&open)?],
        Some(open) => {
            let (a, b) = std::thread::scope(|s| {
                let last = s.spawn(|| parse_segment::<K>(&open));
                let a = index_closed::<K>(&closed);
                (a, last.join())
            });
            let failed = || StoreError::corrupt(&stream_dir, Position::NONE, "reading the history failed".to_string());
            vec![a?, b.map_err(|_| failed())??]
        }
    };
    for (rows, end) in parts {
        index.rows.extend(rows);
        if let Some((segment, offset)) = end {
            (index.segment, index.offset) = (segment, offset);
        }
    }
    Ok(())
}

/// A segment to index: its first seq, its file, and the byte to read it from.
struct Todo {
    first: u64,
    path: PathBuf,
    from: u64,
}

/// The rows of some segments, and where the last ends.
type Indexed<K> = (Vec<(RecordAt, K)>, Option<(u64, u64)>);

/// The rows of closed segments from their key files (made if need be).
fn index_closed<K: LineKey>(todo: &[Todo]) -> Result<Indexed<K>, StoreError> {
    let mut rows = vec![];
    let mut end = None;
    for t in todo {
        let (len, keyed) = match history_keys::read_rows::<K>(&t.path) {
            Some(found) => found,
            None => key_segment::<K>(&t.path)?,
        };
        let at = |l: Line| RecordAt { segment: t.first, offset: l.offset, len: l.len };
        rows.extend(keyed.into_iter().filter(|(l, _)| l.offset >= t.from).map(|(l, k)| (at(l), k)));
        end = Some((t.first, len));
    }
    Ok((rows, end))
}

/// A closed segment's rows, parsed, and its key file written (best effort) for later readers.
fn key_segment<K: LineKey>(path: &Path) -> Result<(u64, Vec<(Line, K)>), StoreError> {
    let bytes = files::read_from(path, 0)?.map(|(b, _)| b).unwrap_or_default();
    let mut keys = KeyRows::default();
    let mut rows = vec![];
    for (offset, text) in history_keys::lines(&bytes, 0) {
        let line = history_keys::line_at(offset, text).map_err(|p| StoreError::corrupt(path, Position::NONE, p))?;
        let key = K::from_line(text).map_err(|p| not_a_record(path, &p))?;
        keys.push(line, |out| {
            key.encode(out);
            Ok(())
        })
        .map_err(|p| StoreError::corrupt(path, Position::NONE, p))?;
        rows.push((line, key));
    }
    let len = bytes.len() as u64;
    let _ = keys.write(path, K::FORMAT, len, history_keys::bytes_print(&bytes));
    Ok((len, rows))
}

/// The rows of the open segment from its byte given, parsed, and where its last whole line ends.
fn parse_segment<K: LineKey>(t: &Todo) -> Result<Indexed<K>, StoreError> {
    let Some((bytes, _)) = files::read_from(&t.path, t.from)? else { return Ok((vec![], None)) };
    let mut rows = vec![];
    let mut complete = 0u64;
    for (offset, text) in history_keys::lines(&bytes, t.from) {
        let l = history_keys::line_at(offset, text).map_err(|p| StoreError::corrupt(&t.path, Position::NONE, p))?;
        let key = K::from_line(text).map_err(|p| not_a_record(&t.path, &p))?;
        rows.push((RecordAt { segment: t.first, offset: l.offset, len: l.len }, key));
        complete = offset.saturating_add(u64::from(l.len)).saturating_add(1);
    }
    let end = t.from.max(complete);
    Ok((rows, Some((t.first, end))))
}

/// A read of many records takes the lines that lie together in a file in one read of at most
/// this many bytes (a list read whole reads its stream in long runs, not a line at a time).
const RUN_BYTES: u64 = 1 << 20;

/// The records of `stream` at `at`, in that order.
pub(crate) fn read_at<T: DeserializeOwned>(dir: &Path, stream: &str, at: &[RecordAt]) -> Result<Vec<T>, StoreError> {
    let stream_dir = check_stream(dir, stream)?;
    // Read in file order, in runs of neighbouring lines; each record put back in its place.
    let mut order: Vec<(RecordAt, usize)> = at.iter().copied().zip(0..).collect();
    order.sort_unstable();
    let mut out: Vec<Option<T>> = std::iter::repeat_with(|| None).take(at.len()).collect();
    let mut open: Option<(u64, PathBuf, File)> = None;
    let mut buf = Vec::new();
    let mut rest = order.as_slice();
    while let Some((first, _)) = rest.first() {
        let start = first.offset;
        let mut end = start;
        let run = rest
            .iter()
            .take_while(|(r, _)| {
                let with = r.segment == first.segment && r.offset <= end.saturating_add(1);
                let fits = r.offset.saturating_add(u64::from(r.len)).saturating_sub(start) <= RUN_BYTES;
                let take = with && (fits || end == start);
                if take {
                    end = end.max(r.offset.saturating_add(u64::from(r.len)));
                }
                take
            })
            .count()
            .max(1);
        let (this, later) = rest.split_at(run.min(rest.len()));
        rest = later;
        if open.as_ref().is_none_or(|o| o.0 != first.segment) {
            let path = segment_name(&stream_dir, first.segment);
            let file = File::open(&path).map_err(|e| StoreError::io(&path, "open the history", e))?;
            open = Some((first.segment, path, file));
        }
        let Some((_, path, file)) = open.as_mut() else { continue };
        buf.resize(usize::try_from(end.saturating_sub(start)).map_err(|_| too_long(path))?, 0);
        file.seek(SeekFrom::Start(start))
            .and_then(|_| file.read_exact(&mut buf))
            .map_err(|e| StoreError::io(path, "read the history", e))?;
        for (r, i) in this {
            let from = usize::try_from(r.offset.saturating_sub(start)).map_err(|_| too_long(path))?;
            let line = buf.get(from..from.saturating_add(r.len as usize)).unwrap_or_default();
            let record = serde_json::from_slice::<T>(line).map_err(|e| not_a_record(path, &json_problem(&e)))?;
            if let Some(slot) = out.get_mut(*i) {
                *slot = Some(record);
            }
        }
    }
    Ok(out.into_iter().flatten().collect())
}

fn too_long(path: &Path) -> StoreError {
    StoreError::corrupt(path, Position::NONE, "a history record too long to read".to_string())
}

fn not_a_record(path: &Path, problem: &str) -> StoreError {
    StoreError::corrupt(path, Position::NONE, format!("not a history record: {problem}"))
}

impl<S: Persist> Store<S> {
    /// Brings `index` of a history stream up to date with the files (see [`StreamIndex`]).
    pub fn history_index<K: LineKey + Send>(&self, stream: &str, index: &mut StreamIndex<K>) -> Result<(), StoreError> {
        index_since(&self.view.history, stream, index)
    }

    /// The records of a history stream at the places its index says, in that order.
    pub fn history_at<T: DeserializeOwned>(&self, stream: &str, at: &[RecordAt]) -> Result<Vec<T>, StoreError> {
        read_at(&self.view.history, stream, at)
    }
}

#[cfg(test)]
#[path = "history_pages_tests.rs"]
mod tests;
