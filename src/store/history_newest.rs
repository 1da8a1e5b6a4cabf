//! Reading a long history stream newest first, a piece at a time: what a screen of the audit
//! log needs, whose first rows are the newest events of millions. A [`NewestFirst`] holds where
//! each record it keeps is (not the record): it starts at the stream's newest end, reads back
//! towards the oldest a piece at a time (a closed segment's key file at once, see
//! [`history_keys`](super::history_keys), else the segment in chunks of a few megabytes),
//! so that a screen shows the newest rows at once and the older ones fill in while nobody types;
//! and it catches up at the newest end with what was appended since, or starts over from there
//! when that is more than a screen would want to wait for.
//!
//! Which records it keeps is the caller's (a reader's rights, a search), decided from each
//! line's key; a row is then a record's place, read by [`read_at`](super::history_pages).

use std::collections::VecDeque;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::error::{Position, StoreError};
use super::history::{check_stream, segments};
use super::history_keys::{self, KeyBody, KeyRows, Line, LineKey};
use super::history_pages::RecordAt;

/// The bytes of a segment read in one piece when it has no key file (its lines' keys parsed in
/// about 5 ms: a piece is what an idle slice of the terminal app does).
const CHUNK: u64 = 1 << 20;

/// The rows of a key file read in one piece (at 1M assignments a closed segment of the audit
/// log has about 130,000: read whole, an idle slice of the terminal app took 26 to 39 ms). The
/// file is read and checked in a piece of its own, before its first rows.
const KEYED_ROWS: usize = 16 << 10;

/// The bytes of the first piece: the newest rows of a screen, read before its first frame.
const FIRST_CHUNK: u64 = 256 << 10;

/// Appended bytes past which catching up starts over from the newest end instead (a year's
/// clock jump appends hundreds of megabytes: read newest first, a piece at a time).
const GAP: u64 = 8 << 20;

/// What catching up found at the newest end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caught {
    /// Nothing new.
    Same,
    /// This many rows kept before the newest (the others keep their places counted from the oldest).
    Grew(usize),
    /// The reading started over from the newest end (a first read, a reset of the store, or
    /// more appended than is caught up with at once): every row is new.
    Restarted,
}

/// The keys of a segment read back so far: the segment, and its chunks' keys, newest first.
type SegmentKeys<K> = (u64, Vec<Vec<(Line, K)>>);

/// A closed segment being read back from its key file, [`KEYED_ROWS`] at a time: the rows kept
/// so far, oldest first, a chunk each time. They join the pieces once the segment is read.
#[derive(Debug)]
struct Keyed {
    segment: u64,
    body: KeyBody,
    chunks: Vec<Vec<Line>>,
}

/// The lines kept of a stretch of one segment, oldest first.
#[derive(Debug)]
struct Piece {
    segment: u64,
    rows: Vec<Line>,
}

/// Where the records kept of a stream are, newest first (see the module's comment).
#[derive(Debug)]
pub struct NewestFirst<K> {
    /// The history directory it was read from (another one: it starts over).
    dir: PathBuf,
    started: bool,
    /// The pieces read, oldest first.
    pieces: VecDeque<Piece>,
    /// `ends[i]`: the rows of the `i + 1` newest pieces.
    ends: Vec<usize>,
    /// The newest end: the segment and the byte after its last whole line read.
    head: Option<(u64, u64)>,
    /// The oldest end not yet read: the segment and the byte its read part starts at. None
    /// once every segment is read back.
    back: Option<(u64, u64)>,
    /// The stream's segments up to the newest end, oldest first.
    segments: Vec<(u64, PathBuf)>,
    /// The keys of a closed segment being read back without a key file, its newest chunk first:
    /// its key file is written once it is read whole.
    keys: Option<SegmentKeys<K>>,
    /// The closed segment being read from its key file.
    keyed: Option<Keyed>,
    /// The bytes of the segments, and those read.
    total: u64,
    read: u64,
    chunk: u64,
    keyed_rows: usize,
    gap: u64,
}

impl<K> Default for NewestFirst<K> {
    fn default() -> Self {
        NewestFirst {
            dir: PathBuf::new(),
            started: false,
            pieces: VecDeque::new(),
            ends: Vec::new(),
            head: None,
            back: None,
            segments: Vec::new(),
            keys: None,
            keyed: None,
            total: 0,
            read: 0,
            chunk: CHUNK,
            keyed_rows: KEYED_ROWS,
            gap: GAP,
        }
    }
}

fn file_len(path: &Path) -> Result<u64, StoreError> {
    std::fs::metadata(path).map(|m| m.len()).map_err(|e| StoreError::io(path, "look at the history", e))
}

fn not_a_record(path: &Path, problem: &str) -> StoreError {
    StoreError::corrupt(path, Position::NONE, format!("not a history record: {problem}"))
}

impl<K: LineKey> NewestFirst<K> {
    /// One that reads segments without a key file in chunks of `bytes` (tests).
    #[doc(hidden)]
    pub fn with_chunk(bytes: u64) -> Self {
        NewestFirst { chunk: bytes.max(1), ..NewestFirst::default() }
    }

    /// One that reads `rows` of a key file at a time (tests).
    #[doc(hidden)]
    pub fn with_keyed_rows(rows: usize) -> Self {
        NewestFirst { keyed_rows: rows.max(1), ..NewestFirst::default() }
    }

    /// Rows kept so far.
    pub fn len(&self) -> usize {
        self.ends.last().copied().unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether every segment is read back (the rows are all there are).
    pub fn is_complete(&self) -> bool {
        self.started && self.back.is_none()
    }

    /// Bytes of the stream read, and all its bytes: how far the reading back is.
    pub fn progress(&self) -> (u64, u64) {
        (self.read.min(self.total), self.total)
    }

    /// Where the record of row `row` is (0 is the newest).
    pub fn at(&self, row: usize) -> Option<RecordAt> {
        let i = self.ends.partition_point(|&end| end <= row);
        let before = if i == 0 { 0 } else { *self.ends.get(i - 1)? };
        let piece = self.pieces.get(self.pieces.len().checked_sub(i + 1)?)?;
        let within = row.checked_sub(before)?;
        let line = piece.rows.get(piece.rows.len().checked_sub(within + 1)?)?;
        Some(RecordAt { segment: piece.segment, offset: line.offset, len: line.len })
    }

    fn rebuild_ends(&mut self) {
        self.ends.clear();
        let mut sum = 0usize;
        for p in self.pieces.iter().rev() {
            sum = sum.saturating_add(p.rows.len());
            self.ends.push(sum);
        }
    }

    /// Starts over from the newest end of `stream` (nothing read yet).
    fn start(&mut self, dir: &Path, stream: &str) -> Result<(), StoreError> {
        let segs = segments(&check_stream(dir, stream)?)?;
        *self = NewestFirst {
            dir: dir.to_owned(),
            started: true,
            chunk: self.chunk,
            keyed_rows: self.keyed_rows,
            gap: self.gap,
            ..NewestFirst::default()
        };
        let mut total = 0u64;
        for (_, path) in &segs {
            total = total.saturating_add(file_len(path)?);
        }
        if let Some((first, path)) = segs.last() {
            let end = whole_end(path, file_len(path)?)?;
            self.head = Some((*first, end));
            self.back = Some((*first, end));
        }
        self.segments = segs;
        self.total = total;
        Ok(())
    }

    /// Catches up with what was appended to `stream` since the last read, keeping the rows
    /// whose key `keep` keeps (see [`Caught`]).
    pub(crate) fn catch_up(
        &mut self,
        dir: &Path,
        stream: &str,
        keep: &dyn Fn(&K) -> bool,
    ) -> Result<Caught, StoreError> {
        if !self.started || self.dir != dir {
            self.start(dir, stream)?;
            return Ok(Caught::Restarted);
        }
        let segs = segments(&check_stream(dir, stream)?)?;
        let (from_segment, from_offset) = self.head.unwrap_or((0, 0));
        let from_index = match self.head {
            None => 0,
            Some((first, _)) => match segs.iter().position(|(f, _)| *f == first) {
                Some(i) => i,
                None => return self.restart(dir, stream),
            },
        };
        let newer = segs.get(from_index..).unwrap_or_default();
        let mut gap = 0u64;
        let mut lens = Vec::with_capacity(newer.len());
        for (first, path) in newer {
            let len = file_len(path)?;
            let from = if *first == from_segment { from_offset } else { 0 };
            if len < from {
                return self.restart(dir, stream);
            }
            gap = gap.saturating_add(len - from);
            lens.push(len);
        }
        if gap == 0 {
            return Ok(Caught::Same);
        }
        if gap > self.gap {
            return self.restart(dir, stream);
        }
        let mut grew = 0usize;
        for ((first, path), len) in newer.iter().zip(lens) {
            let from = if *first == from_segment { from_offset } else { 0 };
            let bytes = read_range(path, from, len)?;
            let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i.saturating_add(1));
            let mut rows = Vec::new();
            for (offset, text) in history_keys::lines(bytes.get(..complete).unwrap_or_default(), from) {
                let key = K::from_line(text).map_err(|p| not_a_record(path, &p))?;
                if keep(&key) {
                    rows.push(history_keys::line_at(offset, text).map_err(|p| not_a_record(path, &p))?);
                }
            }
            grew = grew.saturating_add(rows.len());
            if !rows.is_empty() {
                self.pieces.push_back(Piece { segment: *first, rows });
            }
            self.head = Some((*first, from.saturating_add(complete as u64)));
            self.read = self.read.saturating_add(complete as u64);
            self.total = self.total.saturating_add(complete as u64);
            if !self.segments.iter().any(|(f, _)| f == first) {
                self.segments.push((*first, path.clone()));
            }
        }
        self.rebuild_ends();
        Ok(if grew == 0 { Caught::Same } else { Caught::Grew(grew) })
    }

    fn restart(&mut self, dir: &Path, stream: &str) -> Result<Caught, StoreError> {
        self.start(dir, stream)?;
        Ok(Caught::Restarted)
    }

    /// Reads back towards the oldest record, a piece at a time, until `until` (at least one
    /// piece) or, without it, to the end; keeps the rows whose key `keep` keeps. Whether
    /// pieces are left.
    pub(crate) fn read_back(&mut self, keep: &dyn Fn(&K) -> bool, until: Option<Instant>) -> Result<bool, StoreError> {
        let mut changed = false;
        let result = loop {
            let began = Instant::now();
            match self.step(keep) {
                Ok(true) => changed = true,
                Ok(false) => break Ok(()),
                Err(e) => break Err(e),
            }
            // Another piece only if one like this one still ends in time: a slice of the
            // terminal app that began a piece just before its end ran past it by a whole piece
            // (18.6 ms at 1M, where pieces take 5 to 10 ms).
            let took = began.elapsed();
            if until.is_some_and(|u| Instant::now().checked_add(took).is_none_or(|next_end| next_end >= u)) {
                break Ok(());
            }
        };
        if changed {
            self.rebuild_ends();
        }
        result.map(|()| self.back.is_some())
    }

    /// Reads one piece at the oldest end. Whether there was one.
    fn step(&mut self, keep: &dyn Fn(&K) -> bool) -> Result<bool, StoreError> {
        let Some((segment, end)) = self.back else { return Ok(false) };
        let Some(index) = self.segments.iter().position(|(f, _)| *f == segment) else {
            self.back = None;
            return Ok(false);
        };
        let path = self.segments.get(index).map(|(_, p)| p.clone()).unwrap_or_default();
        if end == 0 {
            self.segment_done(segment, index, &path)?;
            return Ok(true);
        }
        if self.keyed.as_ref().is_some_and(|k| k.segment == segment) {
            return self.step_keyed(index, &path, keep);
        }
        let closed = index.saturating_add(1) < self.segments.len();
        let whole = closed && self.keys.as_ref().is_none_or(|(s, _)| *s != segment);
        if whole && end == file_len(&path)? {
            if let Some(body) = KeyBody::open(&path, K::FORMAT).filter(|b| b.segment_len == end) {
                self.keyed = Some(Keyed { segment, body, chunks: Vec::new() });
                return Ok(true);
            }
            self.keys = Some((segment, Vec::new()));
        }
        self.read_chunk(segment, &path, end, keep)?;
        if self.back == Some((segment, 0)) {
            self.segment_done(segment, index, &path)?;
        }
        Ok(true)
    }

    /// The next rows of the key file being read (the `index`th segment's); once it is read
    /// whole, its rows join the pieces. A key file that does not read to its end is left for
    /// the segment's lines (and made again).
    fn step_keyed(&mut self, index: usize, path: &Path, keep: &dyn Fn(&K) -> bool) -> Result<bool, StoreError> {
        let Some(keyed) = self.keyed.as_mut() else { return Ok(false) };
        let segment = keyed.segment;
        let mut rows: Vec<(Line, K)> = Vec::with_capacity(keyed.body.rows_hint().min(self.keyed_rows));
        match keyed.body.next_rows(self.keyed_rows, &mut rows) {
            Some(done) => {
                keyed.chunks.push(rows.into_iter().filter(|(_, k)| keep(k)).map(|(l, _)| l).collect());
                if !done {
                    return Ok(true);
                }
            }
            None => {
                self.keyed = None;
                self.keys = Some((segment, Vec::new()));
                return Ok(true);
            }
        }
        let Some(keyed) = self.keyed.take() else { return Ok(false) };
        for rows in keyed.chunks.into_iter().rev().filter(|rows| !rows.is_empty()) {
            self.pieces.push_front(Piece { segment, rows });
        }
        self.read = self.read.saturating_add(keyed.body.segment_len);
        self.segment_done(segment, index, path)?;
        Ok(true)
    }

    /// `segment` (the `index`th) is read back whole: its key file is written if it was read
    /// without one, and the reading goes on at the end of the one before (none: it is over).
    fn segment_done(&mut self, segment: u64, index: usize, path: &Path) -> Result<(), StoreError> {
        self.finish_keys(segment, path);
        self.back = match index.checked_sub(1).and_then(|i| self.segments.get(i)) {
            Some((first, p)) => Some((*first, file_len(p)?)),
            None => None,
        };
        Ok(())
    }

    /// Reads the whole lines of `path` that end by `end`, a chunk of them back from it.
    fn read_chunk(&mut self, segment: u64, path: &Path, end: u64, keep: &dyn Fn(&K) -> bool) -> Result<(), StoreError> {
        let mut chunk = if self.pieces.is_empty() { self.chunk.min(FIRST_CHUNK) } else { self.chunk };
        let (start, bytes, skip) = loop {
            let start = end.saturating_sub(chunk);
            let bytes = read_range(path, start, end)?;
            if start == 0 {
                break (start, bytes, 0usize);
            }
            // The first line may have begun before the chunk: it is the next chunk's.
            match bytes.iter().position(|&b| b == b'\n') {
                Some(i) if i.saturating_add(1) < bytes.len() => break (start, bytes, i.saturating_add(1)),
                _ => chunk = chunk.saturating_mul(2),
            }
        };
        let body = bytes.get(skip..).unwrap_or_default();
        let complete = body.iter().rposition(|&b| b == b'\n').map_or(0, |i| i.saturating_add(1));
        let from = start.saturating_add(skip as u64);
        let keying = self.keys.as_ref().is_some_and(|(s, _)| *s == segment);
        let mut keyed = Vec::new();
        let mut rows = Vec::new();
        for (offset, text) in history_keys::lines(body.get(..complete).unwrap_or_default(), from) {
            let line = history_keys::line_at(offset, text).map_err(|p| not_a_record(path, &p))?;
            let key = K::from_line(text).map_err(|p| not_a_record(path, &p))?;
            if keep(&key) {
                rows.push(line);
            }
            if keying {
                keyed.push((line, key));
            }
        }
        if let Some((_, chunks)) = self.keys.as_mut().filter(|(s, _)| *s == segment) {
            chunks.push(keyed);
        }
        self.pieces.push_front(Piece { segment, rows });
        self.read = self.read.saturating_add(end - from);
        self.back = Some((segment, from));
        Ok(())
    }

    /// Writes the key file of `segment`, read back whole without one (best effort: the next
    /// reader makes it if this cannot).
    fn finish_keys(&mut self, segment: u64, path: &Path) {
        let Some((s, chunks)) = self.keys.take() else { return };
        if s != segment {
            return;
        }
        let mut rows = KeyRows::default();
        for (line, key) in chunks.into_iter().rev().flatten() {
            let pushed = rows.push(line, |out| {
                key.encode(out);
                Ok(())
            });
            if pushed.is_err() {
                return;
            }
        }
        if let Ok((len, print)) = history_keys::segment_print(path) {
            let _ = rows.write(path, K::FORMAT, len, print);
        }
    }
}

/// The byte after the last whole line of the first `len` bytes of `path` (a last line cut short,
/// by a crash or an append under way, is not one).
fn whole_end(path: &Path, len: u64) -> Result<u64, StoreError> {
    let mut tail = 64u64 << 10;
    loop {
        let from = len.saturating_sub(tail);
        let bytes = read_range(path, from, len)?;
        if let Some(i) = bytes.iter().rposition(|&b| b == b'\n') {
            return Ok(from.saturating_add(i as u64).saturating_add(1));
        }
        if from == 0 {
            return Ok(0);
        }
        tail = tail.saturating_mul(2);
    }
}

/// The bytes of `path` from `from` to `to`.
fn read_range(path: &Path, from: u64, to: u64) -> Result<Vec<u8>, StoreError> {
    let mut file = File::open(path).map_err(|e| StoreError::io(path, "open the history", e))?;
    let n = usize::try_from(to.saturating_sub(from))
        .map_err(|_| StoreError::corrupt(path, Position::NONE, "a history segment too long to read".to_string()))?;
    let mut bytes = vec![0u8; n];
    file.seek(SeekFrom::Start(from))
        .and_then(|_| file.read_exact(&mut bytes))
        .map_err(|e| StoreError::io(path, "read the history", e))?;
    Ok(bytes)
}

impl<S: super::Persist> super::handle::Store<S> {
    /// Catches `index` of a history stream up with what was appended since (see [`NewestFirst`]).
    pub fn history_catch_up<K: LineKey>(
        &self,
        stream: &str,
        index: &mut NewestFirst<K>,
        keep: &dyn Fn(&K) -> bool,
    ) -> Result<Caught, StoreError> {
        index.catch_up(&self.view.history, stream, keep)
    }

    /// Reads `index` back towards the stream's oldest record until `until` (at least a piece),
    /// or to the end without it. Whether pieces are left.
    pub fn history_read_back<K: LineKey>(
        &self,
        index: &mut NewestFirst<K>,
        keep: &dyn Fn(&K) -> bool,
        until: Option<Instant>,
    ) -> Result<bool, StoreError> {
        index.read_back(keep, until)
    }

    /// The seq of a history stream's last record in the files (0: none).
    pub fn history_last_seq(&self, stream: &str) -> Result<u64, StoreError> {
        super::history::last_seq(&self.view.history, stream)
    }
}

#[cfg(test)]
#[path = "history_newest_tests.rs"]
mod tests;
