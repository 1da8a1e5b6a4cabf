//! Reading a long history stream a page at a time (see [`history`](super::history) for the
//! streams). A reader keeps a [`StreamIndex`]: for every record of a stream, where its line is
//! and a small key read from it (what a list needs to count, order and pick its rows without
//! the rest of the record). The index is built as the stream is read and extended as it grows
//! (streams only grow), so a list of hundreds of thousands of records reads the stream once per
//! process, and each page shown reads only its own lines, by position.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::Persist;
use super::error::{Position, StoreError, json_problem};
use super::files;
use super::handle::Store;
use super::history::{check_stream, segment_name, segments};

/// Where one record's line is: its segment (by the first seq in the segment's name), the
/// byte it starts at, and its length without the newline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordAt {
    segment: u64,
    offset: u64,
    len: u32,
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
/// where each is and its key. Many segments to read (a first read of a long stream) are read
/// on both cores, the older half on one and the newer on the other.
pub(crate) fn index_since<K: DeserializeOwned + Send>(
    dir: &Path,
    stream: &str,
    index: &mut StreamIndex<K>,
) -> Result<(), StoreError> {
    if index.dir != dir {
        *index = StreamIndex { dir: dir.to_owned(), ..StreamIndex::default() };
    }
    let stream_dir = check_stream(dir, stream)?;
    let (from_segment, from_offset) = (index.segment, index.offset);
    let todo: Vec<(u64, PathBuf, u64)> = segments(&stream_dir)?
        .into_iter()
        .filter(|(first, _)| *first >= from_segment)
        .map(|(first, path)| {
            let from = if first == from_segment { from_offset } else { 0 };
            (first, path, from)
        })
        .collect();
    let parts = if todo.len() < 2 {
        vec![index_segments::<K>(&todo)?]
    } else {
        let (older, newer) = todo.split_at(todo.len() / 2);
        let (a, b) = std::thread::scope(|s| {
            let newer = s.spawn(|| index_segments::<K>(newer));
            let a = index_segments::<K>(older);
            (a, newer.join())
        });
        let failed = || StoreError::corrupt(&stream_dir, Position::NONE, "reading the history failed".to_string());
        vec![a?, b.map_err(|_| failed())??]
    };
    for (rows, end) in parts {
        index.rows.extend(rows);
        if let Some((segment, offset)) = end {
            (index.segment, index.offset) = (segment, offset);
        }
    }
    Ok(())
}

/// The rows of `segments` (each read from its byte given), and where the last ends.
type Indexed<K> = (Vec<(RecordAt, K)>, Option<(u64, u64)>);

fn index_segments<K: DeserializeOwned>(segments: &[(u64, PathBuf, u64)]) -> Result<Indexed<K>, StoreError> {
    let mut rows = vec![];
    let mut end = None;
    for (first, path, from) in segments {
        let (first, from) = (*first, *from);
        let Some((bytes, _)) = files::read_from(path, from)? else { continue };
        let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i.saturating_add(1));
        let body = bytes.get(..complete).unwrap_or_default();
        let mut start = 0usize;
        for line in body.split(|&b| b == b'\n') {
            let at = start;
            start = start.saturating_add(line.len()).saturating_add(1);
            if line.is_empty() {
                continue;
            }
            let key = serde_json::from_slice::<K>(line).map_err(|e| not_a_record(path, &e))?;
            let offset = from.saturating_add(at as u64);
            let len = u32::try_from(line.len()).map_err(|_| too_long(path))?;
            rows.push((RecordAt { segment: first, offset, len }, key));
        }
        end = Some((first, from.saturating_add(complete as u64)));
    }
    Ok((rows, end))
}

/// The records of `stream` at `at`, in that order.
pub(crate) fn read_at<T: DeserializeOwned>(dir: &Path, stream: &str, at: &[RecordAt]) -> Result<Vec<T>, StoreError> {
    let stream_dir = check_stream(dir, stream)?;
    let mut open: BTreeMap<u64, (PathBuf, File)> = BTreeMap::new();
    let mut out = Vec::with_capacity(at.len());
    let mut line = Vec::new();
    for r in at {
        let (path, file) = match open.entry(r.segment) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                let path = segment_name(&stream_dir, r.segment);
                let file = File::open(&path).map_err(|e| StoreError::io(&path, "open the history", e))?;
                e.insert((path, file))
            }
        };
        line.resize(r.len as usize, 0);
        file.seek(SeekFrom::Start(r.offset))
            .and_then(|_| file.read_exact(&mut line))
            .map_err(|e| StoreError::io(path, "read the history", e))?;
        out.push(serde_json::from_slice::<T>(&line).map_err(|e| not_a_record(path, &e))?);
    }
    Ok(out)
}

fn not_a_record(path: &Path, e: &serde_json::Error) -> StoreError {
    StoreError::corrupt(path, Position::NONE, format!("not a history record: {}", json_problem(e)))
}

fn too_long(path: &Path) -> StoreError {
    StoreError::corrupt(path, Position::NONE, "a history record longer than 4 GB".to_string())
}

impl<S: Persist> Store<S> {
    /// Brings `index` of a history stream up to date with the files (see [`StreamIndex`]).
    pub fn history_index<K: DeserializeOwned + Send>(
        &self,
        stream: &str,
        index: &mut StreamIndex<K>,
    ) -> Result<(), StoreError> {
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
