//! Key files: beside each closed segment of a keyed history stream, what a reader that pages
//! through the stream needs of each line (see [`history_pages`](super::history_pages)): where
//! the line is and its key, in a compact binary form, so that opening a list of a long stream
//! reads a few bytes a record instead of parsing the records.
//!
//! A key file is derived data, never the only copy of anything: `<first seq, 12 digits>.keys`
//! beside the segment `<first seq>.jsonl`, written when the segment is closed (by whoever closes
//! it: an append that starts a new segment, the install of a staged segment after it, a
//! compaction that finds one missing), and by a reader that finds it missing, stale or damaged
//! and read the segment instead. It is written beside and renamed in, without a sync: what a
//! crash leaves half written fails its checks and is made again. A reader uses it only if it
//! is whole and still the segment's: its header names the key's format, the segment's length
//! and a print of the segment's first and last bytes, and holds a checksum of its rows.
//!
//! Layout (integers little-endian):
//!
//! ```text
//! 0   magic "ENTKEYS1"
//! 8   the key's format (u32: see [`LineKey::FORMAT`]), then 4 bytes of zero
//! 16  the segment's length (u64)
//! 24  the segment's print (u64)
//! 32  rows (u64)
//! 40  checksum of the rows (u64)
//! 48  the rows, oldest first: the line's offset (u64), its length without the newline (u32),
//!     the key's length (u32), the key
//! ```

use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::cache::hash;
use super::history::{check_stream, segments};

const MAGIC: &[u8; 8] = b"ENTKEYS1";
const HEADER: usize = 48;
/// Tells apart the temporary key files of one process (two readers may make the same one).
static TEMPORARIES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many of a segment's first and last bytes its print is made of.
const PRINT_BYTES: u64 = 4096;

/// A key read from each line of a stream, kept in the stream's key files.
pub trait LineKey: Sized {
    /// The version of [`LineKey::encode`]'s layout: bump it whenever it changes (key files of
    /// another format are made again).
    const FORMAT: u32;
    /// The key of a record's line (JSON).
    fn from_line(line: &[u8]) -> Result<Self, String>;
    /// Appends the key in its compact form.
    fn encode(&self, out: &mut Vec<u8>);
    /// The key back from its compact form (exactly those bytes); None if it does not read.
    fn decode(bytes: &[u8]) -> Option<Self>;
}

/// How the writers of the history key a stream's lines, without knowing the key's type: what
/// [`Persist::history_key`](super::Persist::history_key) gives for a keyed stream.
#[derive(Debug, Clone, Copy)]
pub struct KeyCodec {
    format: u32,
    encode_line: fn(&[u8], &mut Vec<u8>) -> Result<(), String>,
    /// Whether the writer that closes a segment makes its key file (else a compaction, or
    /// the first reader, does).
    at_close: bool,
}

impl KeyCodec {
    /// The codec of key `K`, whose key files the writer makes as it closes each segment.
    pub fn of<K: LineKey>() -> KeyCodec {
        KeyCodec { format: K::FORMAT, encode_line: encode_line::<K>, at_close: true }
    }

    /// The codec of key `K`, whose key files are made after the fact: by the next compaction
    /// (in the background), or by the first reader of the segment. For a stream a command may
    /// close segments of by the hundred megabytes (the audit log of a clock jump), where the
    /// writer would otherwise parse them on the way.
    pub fn of_later<K: LineKey>() -> KeyCodec {
        KeyCodec { at_close: false, ..KeyCodec::of::<K>() }
    }
}

fn encode_line<K: LineKey>(line: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
    K::from_line(line)?.encode(out);
    Ok(())
}

/// Which streams are keyed, and how: given the stream's name.
pub(crate) type Keying = fn(&str) -> Option<KeyCodec>;

/// The key file of the segment at `segment`.
pub(super) fn key_path(segment: &Path) -> PathBuf {
    segment.with_extension("keys")
}

/// One line of a segment: where it starts, and its length without the newline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Line {
    pub offset: u64,
    pub len: u32,
}

/// A key file being made: its rows so far.
#[derive(Debug, Default)]
pub(super) struct KeyRows {
    body: Vec<u8>,
    rows: u64,
}

impl KeyRows {
    /// Adds a line, its key written by `key` (which appends it to the buffer given).
    pub fn push(&mut self, line: Line, key: impl FnOnce(&mut Vec<u8>) -> Result<(), String>) -> Result<(), String> {
        self.body.extend_from_slice(&line.offset.to_le_bytes());
        self.body.extend_from_slice(&line.len.to_le_bytes());
        let len_at = self.body.len();
        self.body.extend_from_slice(&0u32.to_le_bytes());
        key(&mut self.body)?;
        let key_len = self.body.len().saturating_sub(len_at).saturating_sub(4);
        let key_len = u32::try_from(key_len).map_err(|_| "a key longer than 4 GB".to_owned())?;
        if let Some(slot) = self.body.get_mut(len_at..len_at.saturating_add(4)) {
            slot.copy_from_slice(&key_len.to_le_bytes());
        }
        self.rows = self.rows.saturating_add(1);
        Ok(())
    }

    /// Writes the key file of the segment `segment` (of `len` bytes and print `print`), beside
    /// it and renamed in. Errors are the caller's to ignore: a key file is never needed.
    pub fn write(&self, segment: &Path, format: u32, len: u64, print: u64) -> std::io::Result<()> {
        let mut head = Vec::with_capacity(HEADER);
        head.extend_from_slice(MAGIC);
        head.extend_from_slice(&format.to_le_bytes());
        head.extend_from_slice(&0u32.to_le_bytes());
        for v in [len, print, self.rows, hash(&self.body)] {
            head.extend_from_slice(&v.to_le_bytes());
        }
        let to = key_path(segment);
        let n = TEMPORARIES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = to.with_extension(format!("keys.tmp-{}-{n}", std::process::id()));
        let written = File::create(&tmp).and_then(|mut f| {
            f.write_all(&head)?;
            f.write_all(&self.body)
        });
        match written.and_then(|()| fs::rename(&tmp, &to)) {
            Ok(()) => Ok(()),
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                Err(e)
            }
        }
    }
}

/// A segment's length and print, read from the file (two short reads).
pub(super) fn segment_print(path: &Path) -> std::io::Result<(u64, u64)> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    let mut head = Vec::new();
    (&mut file).take(PRINT_BYTES).read_to_end(&mut head)?;
    let mut tail = Vec::new();
    file.seek(SeekFrom::Start(len.saturating_sub(PRINT_BYTES)))?;
    file.take(PRINT_BYTES).read_to_end(&mut tail)?;
    Ok((len, print_of(&head, &tail)))
}

/// The print of a segment whose bytes are all at hand.
pub(super) fn bytes_print(bytes: &[u8]) -> u64 {
    let n = usize::try_from(PRINT_BYTES).unwrap_or(usize::MAX);
    let head = bytes.get(..n.min(bytes.len())).unwrap_or_default();
    let tail = bytes.get(bytes.len().saturating_sub(n)..).unwrap_or_default();
    print_of(head, tail)
}

fn print_of(head: &[u8], tail: &[u8]) -> u64 {
    hash(head) ^ hash(tail).rotate_left(17)
}

/// The rows of the key file of `segment` if it is whole, of key format `format`, and still the
/// segment's (its length and print), with the segment's length; None otherwise (missing, stale
/// or damaged).
pub(super) fn read_rows<K: LineKey>(segment: &Path) -> Option<(u64, Vec<(Line, K)>)> {
    let mut body = KeyBody::open(segment, K::FORMAT)?;
    let mut out = Vec::with_capacity(body.rows_hint());
    while !body.next_rows(usize::MAX, &mut out)? {}
    Some((body.segment_len, out))
}

/// The rows of a key file checked whole and still its segment's, read a few at a time (see
/// [`KeyBody::next_rows`]): a reader that must stop every few milliseconds reads a large
/// segment's in several goes.
#[derive(Debug)]
pub(super) struct KeyBody {
    bytes: Vec<u8>,
    /// Where the next row starts in `bytes`.
    at: usize,
    /// The rows the header counts, and those read.
    rows: u64,
    read: u64,
    /// The segment's length when the key file was made.
    pub segment_len: u64,
}

impl KeyBody {
    /// The key file of `segment` if it is whole, of key format `format`, and still the
    /// segment's (its length and print); None otherwise (missing, stale or damaged).
    pub fn open(segment: &Path, format: u32) -> Option<KeyBody> {
        let bytes = fs::read(key_path(segment)).ok()?;
        let (head, body) = (bytes.get(..HEADER)?, bytes.get(HEADER..)?);
        let word =
            |at: usize| head.get(at..at.saturating_add(8)).and_then(|w| w.try_into().ok()).map(u64::from_le_bytes);
        let named = head.get(8..12).and_then(|w| w.try_into().ok()).map(u32::from_le_bytes)?;
        if head.get(..8) != Some(MAGIC.as_slice()) || named != format {
            return None;
        }
        let (len, print, rows, sum) = (word(16)?, word(24)?, word(32)?, word(40)?);
        if hash(body) != sum || segment_print(segment).ok()? != (len, print) {
            return None;
        }
        Some(KeyBody { bytes, at: HEADER, rows, read: 0, segment_len: len })
    }

    /// Room for the rows left (at most what the bytes could hold).
    pub fn rows_hint(&self) -> usize {
        let left = usize::try_from(self.rows.saturating_sub(self.read)).unwrap_or(usize::MAX);
        left.min(self.bytes.len().saturating_sub(self.at) / 16)
    }

    /// Appends the next rows, at most `most`, oldest first. Whether they are all read (then
    /// as many as the header counts); None if a row does not read (a key file damaged past
    /// its checksum, or of a key that no longer reads: the rows given so far are not to be used).
    pub fn next_rows<K: LineKey>(&mut self, most: usize, out: &mut Vec<(Line, K)>) -> Option<bool> {
        let mut rest = self.bytes.get(self.at..)?;
        let mut taken = 0usize;
        while !rest.is_empty() && taken < most {
            let offset = u64::from_le_bytes(rest.get(..8)?.try_into().ok()?);
            let line_len = u32::from_le_bytes(rest.get(8..12)?.try_into().ok()?);
            let key_len = usize::try_from(u32::from_le_bytes(rest.get(12..16)?.try_into().ok()?)).ok()?;
            let row = 16usize.checked_add(key_len)?;
            let key = K::decode(rest.get(16..row)?)?;
            out.push((Line { offset, len: line_len }, key));
            rest = rest.get(row..)?;
            self.at = self.at.checked_add(row)?;
            taken = taken.saturating_add(1);
        }
        self.read = self.read.saturating_add(taken as u64);
        if !rest.is_empty() {
            return Some(false);
        }
        (self.read == self.rows).then_some(true)
    }
}

/// Whether the key file of `segment` is there and names the segment as it is (its header
/// only: what a compaction looks at before it makes one).
fn is_current(segment: &Path, format: u32) -> bool {
    let mut head = [0u8; HEADER];
    let read = File::open(key_path(segment)).and_then(|mut f| f.read_exact(&mut head));
    let word = |at: usize| head.get(at..at.saturating_add(8)).and_then(|w| w.try_into().ok()).map(u64::from_le_bytes);
    let named = head.get(8..12).and_then(|w| w.try_into().ok()).map(u32::from_le_bytes);
    read.is_ok()
        && head.get(..8) == Some(MAGIC.as_slice())
        && named == Some(format)
        && segment_print(segment).ok().is_some_and(|now| Some(now.0) == word(16) && Some(now.1) == word(24))
}

/// Every whole line of `bytes` (a segment read from its byte `from`), with the byte it starts at.
pub(super) fn lines(bytes: &[u8], from: u64) -> impl Iterator<Item = (u64, &[u8])> {
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i.saturating_add(1));
    let body = bytes.get(..complete).unwrap_or_default();
    let mut start = 0usize;
    body.split(|&b| b == b'\n').filter_map(move |line| {
        let at = start;
        start = start.saturating_add(line.len()).saturating_add(1);
        (!line.is_empty()).then_some((from.saturating_add(at as u64), line))
    })
}

/// Where a line starting at `offset` is; an error for a line longer than 4 GB.
pub(super) fn line_at(offset: u64, text: &[u8]) -> Result<Line, String> {
    let len = u32::try_from(text.len()).map_err(|_| "a history record longer than 4 GB".to_owned())?;
    Ok(Line { offset, len })
}

/// Makes the key file of the closed segment `segment` with `codec`, from the segment's bytes.
pub(super) fn make(segment: &Path, codec: KeyCodec) -> Result<(), String> {
    let bytes = fs::read(segment).map_err(|e| e.to_string())?;
    let mut rows = KeyRows::default();
    for (offset, text) in lines(&bytes, 0) {
        rows.push(line_at(offset, text)?, |out| (codec.encode_line)(text, out))?;
    }
    rows.write(segment, codec.format, bytes.len() as u64, bytes_print(&bytes)).map_err(|e| e.to_string())
}

/// Makes the key files of the segments `closed` (of the history directory's keyed streams;
/// others are passed over). Best effort: a key file that cannot be made now is made by the
/// first reader of the segment.
pub(crate) fn make_all(closed: &[(String, PathBuf)], keying: Keying) {
    for (stream, path) in closed {
        if let Some(codec) = keying(stream).filter(|c| c.at_close) {
            let _ = make(path, codec);
        }
    }
}

/// Makes the key files missing or stale for the closed segments of every keyed stream of the
/// history directory `dir` (what a compaction does for data written before key files were).
pub(crate) fn make_missing(dir: &Path, keying: Keying) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(codec) = name.to_str().and_then(keying) else { continue };
        let Ok(stream_dir) = check_stream(dir, name.to_str().unwrap_or_default()) else { continue };
        let Ok(mut all) = segments(&stream_dir) else { continue };
        all.pop();
        for (_, path) in all {
            if !is_current(&path, codec.format) {
                let _ = make(&path, codec);
            }
        }
    }
}
