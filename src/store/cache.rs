//! `tenant.cache`: a derived binary copy of the state, so that an open decodes a compact layout
//! instead of parsing the JSON snapshot. It is never the only copy of anything: the snapshot
//! and the journal stay the files of record, and the cache is ignored whenever it does not
//! provably hold what they hold (then the JSON is parsed, and a new cache written in the
//! background). It is written whole beside itself and renamed in, like the snapshot.
//!
//! The file: a fixed header, then the state in the layout of [`Persist::encode_cache`].
//!
//! ```text
//!  0  magic "ENTCACHE"           8 bytes
//!  8  store layout version       u32  (FILE_FORMAT)
//! 12  state layout version       u32  (Persist::CACHE_FORMAT)
//! 16  schema version             u32  (Persist::SCHEMA_VERSION)
//! 20  (zero)                     u32
//! 24  seq of the state           u64
//! 32  tie A: seq, length, print  3 x u64   the snapshot the state was derived from
//! 56  tie B: seq, length, print  3 x u64   a snapshot the same compaction wrote after it
//! 80  length of the sections     u64  (all of them)
//! 88  checksum of the table      u64  (of the section table below)
//! 96  kind, history directory    u16 length + bytes each
//!     section table              u32 count, then a length and a checksum (u64 each) a section
//!     the sections, one after the other
//! ```
//!
//! A tie names a snapshot by its `seq`, its length and a fingerprint of its first and last 4 KB
//! (which hold its header line and the end of its last table), so that a snapshot replaced by
//! hand, by a reset or by another version no longer matches. The cache is used only if the
//! snapshot in place matches tie A or tie B, the cache's seq is at or after the snapshot's,
//! and the journal holds every line from the snapshot up to the cache's seq (then the lines
//! after it are replayed as usual). A compaction writes the cache first (tie A: the snapshot
//! it replaces, so that it serves at once, before the new snapshot is written), and once its
//! snapshot is in place, under the lock, fills in tie B.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use super::Persist;
use super::error::StoreError;
use super::files::{self, Paths, Stamp};
use super::journal::{self, Cursor};
use super::mapped::Mapped;
use super::snapshot;

const MAGIC: &[u8; 8] = b"ENTCACHE";
/// The version of the header above and of its checksum: bump it when either changes.
const FILE_FORMAT: u32 = 3;
const HEADER: usize = 96;
const TIE_B_AT: u64 = 56;
/// How much of each end of the snapshot its fingerprint covers.
const PRINT_BYTES: u64 = 4096;

/// Which files an open read the state from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadSource {
    /// The cache, then the journal lines after it.
    Cache,
    /// The JSON snapshot, then the journal, because the cache could not be used.
    Snapshot(CacheMiss),
    /// The state was installed by this handle (`Store::create`).
    Created,
}

/// Why the cache was not used (never an error: the JSON was read instead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheMiss {
    /// The state keeps no cache.
    NotKept,
    /// There is no cache file.
    Missing,
    /// It belongs to other files: another snapshot, another version, or a seq the journal
    /// does not reach.
    Stale,
    /// It is short, or its bytes do not check or decode.
    Damaged,
    /// The snapshot needs an upgrade to this version's schema: only the JSON path does that.
    Upgrade,
}

/// A snapshot, as a cache names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Tie {
    seq: u64,
    len: u64,
    print: u64,
}

impl Tie {
    /// The tie of a snapshot whose bytes are all at hand.
    pub fn of_bytes(seq: u64, bytes: &[u8]) -> Tie {
        let n = usize::try_from(PRINT_BYTES).unwrap_or(usize::MAX);
        let head = bytes.get(..n.min(bytes.len())).unwrap_or_default();
        let tail = bytes.get(bytes.len().saturating_sub(n)..).unwrap_or_default();
        Tie { seq, len: bytes.len() as u64, print: hash(head) ^ hash(tail).rotate_left(17) }
    }

    /// The tie of the snapshot file at `path`, if it is still the file of `stamp`, with its
    /// header (the first line of its head).
    pub fn of_file(path: &Path, stamp: Option<Stamp>) -> Option<(Tie, snapshot::Header, Stamp)> {
        let mut file = File::open(path).ok()?;
        let meta = file.metadata().ok()?;
        let now = Stamp::of(&meta);
        if !meta.is_file() || stamp.is_some_and(|s| s != now) {
            return None;
        }
        let len = meta.len();
        let mut head = Vec::new();
        (&mut file).take(PRINT_BYTES).read_to_end(&mut head).ok()?;
        let mut tail = Vec::new();
        file.seek(SeekFrom::Start(len.saturating_sub(PRINT_BYTES))).ok()?;
        file.take(PRINT_BYTES).read_to_end(&mut tail).ok()?;
        let line = head.split(|b| *b == b'\n').next()?;
        let header: snapshot::Header = serde_json::from_slice(line).ok()?;
        if header.has_state() || u64::try_from(head.len().saturating_add(tail.len())).ok()? < len.min(2 * PRINT_BYTES) {
            return None;
        }
        let tie = Tie { seq: header.seq, len, print: hash(&head) ^ hash(&tail).rotate_left(17) };
        Some((tie, header, now))
    }

    fn write(&self, out: &mut Vec<u8>) {
        for v in [self.seq, self.len, self.print] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
}

/// A checksum of `bytes`, thirty-two at a time in four independent lanes (which the processor
/// works on at once: a cache of 170 MB checks in about 15 ms); it finds damage, it is no
/// defence against forgery.
pub(crate) fn hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mix = |h: u64, w: u64| (h ^ w).wrapping_mul(K).rotate_left(29);
    let word = |w: &[u8]| {
        let mut a = [0u8; 8];
        a.copy_from_slice(w);
        u64::from_le_bytes(a)
    };
    let mut lanes: [u64; 4] = [0x2545_F491_4F6C_DD1D ^ (bytes.len() as u64).wrapping_mul(K), 1, 2, 3];
    let mut blocks = bytes.chunks_exact(32);
    for block in &mut blocks {
        for (lane, w) in lanes.iter_mut().zip(block.chunks_exact(8)) {
            *lane = mix(*lane, word(w));
        }
    }
    let mut h = lanes.iter().fold(0, |h, lane| mix(h, *lane));
    let mut words = blocks.remainder().chunks_exact(8);
    for w in &mut words {
        h = mix(h, word(w));
    }
    for b in words.remainder() {
        h = mix(h, u64::from(*b));
    }
    h ^ (h >> 32)
}

/// Writes the cache of `state` at `seq`, derived from the snapshot `tie` names (beside the
/// cache, renamed in). Nothing when the state keeps no cache.
pub(crate) fn write<S: Persist>(paths: &Paths, state: &S, seq: u64, tie: Tie, history: &str) -> Result<(), StoreError> {
    let Some(format) = S::CACHE_FORMAT else { return Ok(()) };
    let sections = state.encode_cache().map_err(|source| StoreError::Encode {
        path: paths.cache.clone(),
        what: "the cache",
        source,
    })?;
    let mut table = Vec::with_capacity(4 + 16 * sections.len());
    table.extend_from_slice(&u32::try_from(sections.len()).unwrap_or(u32::MAX).to_le_bytes());
    for s in &sections {
        table.extend_from_slice(&(s.len() as u64).to_le_bytes());
        table.extend_from_slice(&hash(s).to_le_bytes());
    }
    let total: u64 = sections.iter().map(|s| s.len() as u64).sum();
    let mut head = Vec::with_capacity(HEADER + 64);
    head.extend_from_slice(MAGIC);
    for v in [FILE_FORMAT, format, S::SCHEMA_VERSION, 0] {
        head.extend_from_slice(&v.to_le_bytes());
    }
    head.extend_from_slice(&seq.to_le_bytes());
    tie.write(&mut head);
    Tie::default().write(&mut head);
    head.extend_from_slice(&total.to_le_bytes());
    head.extend_from_slice(&hash(&table).to_le_bytes());
    for text in [S::KIND, history] {
        head.extend_from_slice(&u16::try_from(text.len()).unwrap_or(u16::MAX).to_le_bytes());
        head.extend_from_slice(text.as_bytes());
    }
    head.extend_from_slice(&table);
    files::remove_stale_temporaries(&paths.cache);
    let written = files::write_beside_with(&paths.cache, |out, tmp| {
        let mut all = std::iter::once(&head).chain(&sections);
        all.try_for_each(|b| out.write_all(b)).map_err(|e| StoreError::io(tmp, "write the file", e))
    })?;
    written.rename_into_place(&paths.cache).map(|_| ())
}

/// Fills in tie B of the cache at `seq` (the snapshot its compaction just put in place); the
/// caller holds the exclusive lock. A cache at another seq (another process's) is left alone.
pub(crate) fn tie_in(paths: &Paths, seq: u64, tie: Tie) -> Result<(), StoreError> {
    let fail = |e| StoreError::io(&paths.cache, "note the new snapshot in the cache", e);
    let mut file = match OpenOptions::new().read(true).write(true).open(&paths.cache) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(fail(e)),
    };
    let mut head = [0u8; 32];
    file.read_exact(&mut head).map_err(fail)?;
    if head.get(..8) != Some(MAGIC.as_slice()) || u64_at(&head, 24) != Some(seq) {
        return Ok(());
    }
    let mut slot = Vec::with_capacity(24);
    tie.write(&mut slot);
    file.seek(SeekFrom::Start(TIE_B_AT))
        .and_then(|_| file.write_all(&slot))
        .and_then(|()| file.sync_data())
        .map_err(fail)
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    let mut a = [0u8; 8];
    a.copy_from_slice(bytes.get(at..at.checked_add(8)?)?);
    Some(u64::from_le_bytes(a))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    let mut a = [0u8; 4];
    a.copy_from_slice(bytes.get(at..at.checked_add(4)?)?);
    Some(u32::from_le_bytes(a))
}

fn tie_at(bytes: &[u8], at: usize) -> Option<Tie> {
    Some(Tie { seq: u64_at(bytes, at)?, len: u64_at(bytes, at + 8)?, print: u64_at(bytes, at + 16)? })
}

/// What [`load`] found: the state, its seq, the snapshot it stands for, and the history name.
pub(crate) struct Cached<S> {
    pub state: S,
    pub cursor: Cursor,
    pub snapshot: Stamp,
    pub journal: Option<Stamp>,
    pub history: String,
}

/// The state from the cache and the journal lines after it, or why the cache cannot be used.
/// The caller holds the lock, or checks afterwards that the files did not change (as for the
/// JSON path: the snapshot's stamp is the one the tie was checked against).
pub(crate) fn load<S: Persist>(paths: &Paths) -> Result<Cached<S>, CacheMiss> {
    let Some(format) = S::CACHE_FORMAT else { return Err(CacheMiss::NotKept) };
    let Some((tie, header, stamp)) = Tie::of_file(&paths.snapshot, None) else { return Err(CacheMiss::Stale) };
    if header.kind != S::KIND || header.schema_version != S::SCHEMA_VERSION {
        return Err(CacheMiss::Upgrade);
    }
    let history = header.history.unwrap_or_else(|| snapshot::DEFAULT_HISTORY.to_owned());
    let file = match File::open(&paths.cache) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(CacheMiss::Missing),
        Err(_) => return Err(CacheMiss::Damaged),
    };
    let size = file.metadata().map_err(|_| CacheMiss::Damaged)?.len();
    if size < HEADER as u64 {
        return Err(CacheMiss::Damaged);
    }
    let map = Mapped::of(&file, size).map_err(|_| CacheMiss::Damaged)?;
    drop(file);
    let (seq, sections) = read_checked::<S>(map.bytes(), format, tie, &history)?;
    let mut state = decode_checked::<S>(&sections, &map)?;
    drop(map);
    let mut cursor = Cursor::new(seq);
    let journal = match files::read_from(&paths.journal, 0) {
        Ok(None) => None,
        Ok(Some((bytes, jstamp))) => {
            let dir = paths.dir.join(&history);
            super::loading::replay_over_history(&paths.journal, &bytes, &mut cursor, &mut state, &dir)
                .map_err(|_| CacheMiss::Stale)?;
            Some(jstamp)
        }
        Err(_) => return Err(CacheMiss::Stale),
    };
    // Every line from the snapshot to the cache must still be in the journal: a cache ahead
    // of the files of record is never trusted.
    if seq > tie.seq && cursor.last_seq.is_none_or(|last| last < seq) {
        return Err(CacheMiss::Stale);
    }
    cursor.snapshot_seq = tie.seq;
    Ok(Cached { state, cursor, snapshot: stamp, journal, history })
}

/// A section of the cache's bytes, with its checksum.
type Section<'a> = (&'a [u8], u64);

/// The state decoded from `sections` (each with its checksum), if every section matches its
/// checksum. Each section is checked as soon as it is decoded, by the thread that decoded it
/// (while the others decode: a checksum of 160 MB costs about 25 ms), then its memory given
/// back; a section the decoder does not hand back is checked afterwards. A decode never
/// panics on bytes that do not check: its result is then thrown away.
fn decode_checked<S: Persist>(sections: &[Section], map: &Mapped) -> Result<S, CacheMiss> {
    let checked: Vec<AtomicBool> = sections.iter().map(|_| AtomicBool::new(false)).collect();
    let damaged = AtomicBool::new(false);
    let check = |at: usize, part: &[u8], sum: u64| {
        if hash(part) == sum {
            if let Some(c) = checked.get(at) {
                c.store(true, Ordering::Relaxed);
            }
        } else {
            damaged.store(true, Ordering::Relaxed);
        }
    };
    let bytes: Vec<&[u8]> = sections.iter().map(|(b, _)| *b).collect();
    let decoded = S::decode_cache(bytes, &|part| {
        let same = |(b, _): &&Section| b.as_ptr() == part.as_ptr() && b.len() == part.len();
        if let Some((at, (b, sum))) = sections.iter().enumerate().find(|(_, s)| same(s)) {
            check(at, b, *sum);
        }
        map.release(part);
    });
    for (at, (b, sum)) in sections.iter().enumerate() {
        if !checked.get(at).is_some_and(|c| c.load(Ordering::Relaxed)) {
            check(at, b, *sum);
        }
    }
    if damaged.load(Ordering::Relaxed) {
        return Err(CacheMiss::Damaged);
    }
    decoded.map_err(|_| CacheMiss::Damaged)
}

/// The cache's seq and sections, each with its checksum (checked by [`decode_checked`]), if
/// its header fits this entitle and the snapshot `tie`. The sections are borrowed from the
/// cache's bytes.
fn read_checked<'a, S: Persist>(
    bytes: &'a [u8],
    format: u32,
    tie: Tie,
    history: &str,
) -> Result<(u64, Vec<Section<'a>>), CacheMiss> {
    let mut r = Cut(bytes);
    let head = r.take(HEADER)?;
    if head.get(..8) != Some(MAGIC.as_slice()) {
        return Err(CacheMiss::Damaged);
    }
    let versions = [u32_at(head, 8), u32_at(head, 12), u32_at(head, 16)];
    if versions != [Some(FILE_FORMAT), Some(format), Some(S::SCHEMA_VERSION)] {
        return Err(CacheMiss::Stale);
    }
    let seq = u64_at(head, 24).ok_or(CacheMiss::Damaged)?;
    let ties = [tie_at(head, 32), tie_at(head, 56)];
    if !ties.contains(&Some(tie)) || seq < tie.seq || seq > journal::MAX_SEQ {
        return Err(CacheMiss::Stale);
    }
    let total = u64_at(head, 80).ok_or(CacheMiss::Damaged)?;
    let table_sum = u64_at(head, 88).ok_or(CacheMiss::Damaged)?;
    for want in [S::KIND, history] {
        let len = <[u8; 2]>::try_from(r.take(2)?).map_err(|_| CacheMiss::Damaged)?;
        let len = usize::from(u16::from_le_bytes(len));
        if r.take(len)? != want.as_bytes() {
            return Err(CacheMiss::Stale);
        }
    }
    let at_table = r.0;
    let count = u32_at(r.take(4)?, 0).ok_or(CacheMiss::Damaged)?;
    // Every section needs 16 bytes of the table: a count the file cannot hold is refused first.
    let table_len = usize::try_from(count).ok().and_then(|n| n.checked_mul(16)).ok_or(CacheMiss::Damaged)?;
    let entries = r.take(table_len)?;
    let table = at_table.get(..table_len.saturating_add(4)).ok_or(CacheMiss::Damaged)?;
    let mut lengths = Vec::new();
    for entry in entries.chunks_exact(16) {
        lengths.push((u64_at(entry, 0).ok_or(CacheMiss::Damaged)?, u64_at(entry, 8).ok_or(CacheMiss::Damaged)?));
    }
    let sum_of_lengths = lengths.iter().try_fold(0u64, |acc, (len, _)| acc.checked_add(*len));
    // Nothing may follow the last section.
    if hash(table) != table_sum || sum_of_lengths != Some(total) || Some(total) != u64::try_from(r.0.len()).ok() {
        return Err(CacheMiss::Damaged);
    }
    let mut sections = Vec::with_capacity(lengths.len());
    for (len, sum) in lengths {
        let bytes = r.take(usize::try_from(len).map_err(|_| CacheMiss::Damaged)?)?;
        sections.push((bytes, sum));
    }
    Ok((seq, sections))
}

/// Bytes being cut from the front; a cut longer than what is left is damage.
struct Cut<'a>(&'a [u8]);

impl<'a> Cut<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], CacheMiss> {
        if n > self.0.len() {
            return Err(CacheMiss::Damaged);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
}
