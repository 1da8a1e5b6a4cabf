//! History on its way to the files: each audit event and notification is written as its JSON
//! line the moment it is made, into one buffer per stream (the audit log; each mailbox shard).
//! The store appends those buffers as they are, and they are cleared: no record is kept as an
//! object, serialized later in a second pass, then freed one by one (a year's jump makes a
//! couple of million of them). Reading what is still in memory parses the lines back; that
//! is little in a store (it writes the history after every command), and a tenant kept in
//! memory only (tests, the generator) reads it rarely.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::history::{AUDIT_STREAM, NOTICE_SHARDS, notice_shard_stream};
use super::ids::UserId;
use super::records::{AuditEvent, Notification};

/// About the length of an audit event's line that a clock jump writes (an expiry's, with its
/// before and after), and of a notification's: what room is made for.
const AUDIT_LINE_BYTES: usize = 320;
const NOTICE_LINE_BYTES: usize = 224;

/// Where a stream's lines go once its buffer holds [`SPILL_BYTES`], while a command runs in a
/// store (see `Tenant::spill_into`): given the stream's name, the lines (whole, each ended by a
/// newline) and the numbers of the first and the last, it gives back an empty buffer to fill
/// next. So a year's jump holds a few megabytes of history at a time, not hundreds.
pub type Spill = Box<dyn FnMut(&str, Batch, u64, u64) -> Vec<u8> + Send>;

/// The lines handed to a [`Spill`]: written already, or a function that writes them at the end
/// of the buffer it is given, called by whoever writes the stream (the store, on its writer
/// thread: see `deferred`).
pub enum Batch {
    Written(Vec<u8>),
    Later(WriteLines),
}

/// A function that writes whole lines at the end of the buffer it is given.
pub type WriteLines = Box<dyn FnOnce(&mut Vec<u8>) + Send>;

/// How much of a stream's lines is held before they are spilled (when a spill is set).
pub const SPILL_BYTES: usize = 1 << 20;

/// The spill a command's history goes to, if any (see [`Spill`]), and how full a buffer gets
/// before it is spilled; a copy of the tenant has none. (In a mutex only so that the tenant
/// can be shared between threads; it is reached through `&mut` alone, so never locked.)
pub(crate) struct SpillSlot {
    spill: Option<std::sync::Mutex<Spill>>,
    pub at: usize,
}

impl Default for SpillSlot {
    fn default() -> Self {
        SpillSlot { spill: None, at: SPILL_BYTES }
    }
}

impl SpillSlot {
    pub fn new(spill: Option<Spill>) -> Self {
        SpillSlot { spill: spill.map(std::sync::Mutex::new), at: SPILL_BYTES }
    }

    /// The spill, and how full a buffer gets before it is spilled.
    pub fn get(&mut self) -> Option<(&mut Spill, usize)> {
        let at = self.at;
        self.spill.as_mut().and_then(|m| m.get_mut().ok()).map(|s| (s, at))
    }

    pub fn is_set(&self) -> bool {
        self.spill.is_some()
    }
}

impl Clone for SpillSlot {
    fn clone(&self) -> Self {
        SpillSlot { spill: None, at: self.at }
    }
}

impl std::fmt::Debug for SpillSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpillSlot").field("set", &self.is_set()).field("at", &self.at).finish()
    }
}

/// The JSON lines of one stream not yet in the files, oldest first.
#[derive(Debug, Clone, Default)]
pub struct Lines {
    /// Each record as one line of JSON ended by a newline.
    bytes: Vec<u8>,
    /// Each record's number in its stream, and where its line ends in `bytes` (past the newline).
    ends: Vec<(u64, usize)>,
    /// The number of the last line spilled (see [`Spill`]): the lines up to it are on their
    /// way to the files, no longer here.
    spilled: Option<u64>,
}

impl Lines {
    /// Appends `record` as the line numbered `seq`. A record that does not serialize (none of
    /// the tenant's do) leaves no partial line behind.
    pub fn push<T: Serialize + ?Sized>(&mut self, seq: u64, record: &T) {
        let start = self.bytes.len();
        if serde_json::to_writer(&mut self.bytes, record).is_err() {
            self.bytes.truncate(start);
            return;
        }
        self.bytes.push(b'\n');
        self.ends.push((seq, self.bytes.len()));
    }

    /// Appends the line `write` writes (one JSON value, no newline) as the record numbered `seq`.
    pub fn push_with(&mut self, seq: u64, write: impl FnOnce(&mut Vec<u8>)) {
        write(&mut self.bytes);
        self.bytes.push(b'\n');
        self.ends.push((seq, self.bytes.len()));
    }

    /// Room for exactly `lines` more lines of `bytes` in all (newlines included).
    pub fn reserve_exact(&mut self, lines: usize, bytes: usize) {
        self.bytes.reserve_exact(bytes);
        self.ends.reserve_exact(lines);
    }

    /// Room for `lines` more lines of about `line_bytes` each, made at once: a buffer that grows
    /// by doubling copies what it holds each time (hundreds of megabytes in a year's jump).
    /// Room never written to costs no memory.
    pub fn reserve(&mut self, lines: usize, line_bytes: usize) {
        self.bytes.reserve(lines.saturating_mul(line_bytes));
        self.ends.reserve(lines);
    }

    /// Appends a line already written (without its newline) as the record numbered `seq`.
    pub fn push_line(&mut self, seq: u64, line: &[u8]) {
        self.bytes.extend_from_slice(line);
        self.bytes.push(b'\n');
        self.ends.push((seq, self.bytes.len()));
    }

    /// Appends the lines of `later`, numbered after these.
    pub fn append(&mut self, later: Lines) {
        let at = self.bytes.len();
        self.bytes.reserve_exact(later.bytes.len());
        self.bytes.extend_from_slice(&later.bytes);
        self.ends.reserve_exact(later.ends.len());
        self.ends.extend(later.ends.iter().map(|&(seq, end)| (seq, end.saturating_add(at))));
    }

    /// The buffer and the ends, taken apart.
    pub fn into_parts(self) -> (Vec<u8>, Vec<(u64, usize)>) {
        (self.bytes, self.ends)
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The lines, each ended by a newline, as the files take them.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Each record's number and where its line ends in [`Lines::bytes`] (past its newline).
    pub fn ends(&self) -> &[(u64, usize)] {
        &self.ends
    }

    /// Each record's number and line (without its newline), oldest first.
    pub fn lines(&self) -> impl DoubleEndedIterator<Item = (u64, &[u8])> + '_ {
        (0..self.ends.len()).filter_map(move |i| {
            let start = match i.checked_sub(1) {
                Some(p) => self.ends.get(p)?.1,
                None => 0,
            };
            let &(seq, end) = self.ends.get(i)?;
            Some((seq, self.bytes.get(start..end.checked_sub(1)?)?))
        })
    }

    /// The records, oldest first (a line that does not read as `T` is left out: every line
    /// was written from one).
    pub fn records<T: DeserializeOwned>(&self) -> impl DoubleEndedIterator<Item = T> + '_ {
        self.lines().filter_map(|(_, line)| serde_json::from_slice(line).ok())
    }

    pub fn last_seq(&self) -> Option<u64> {
        self.ends.last().map(|e| e.0).or(self.spilled)
    }

    /// Whether any of the stream's lines were spilled (then the rest is spilled too).
    pub(super) fn was_spilled(&self) -> bool {
        self.spilled.is_some()
    }

    /// The lines up to `last` went to the spill another way (see `deferred`); `spare` is the
    /// buffer it gave back, kept when this one has none.
    pub(super) fn spilled_to(&mut self, last: u64, spare: Vec<u8>) {
        self.spilled = Some(last);
        if self.bytes.capacity() == 0 {
            self.bytes = spare;
        }
    }

    pub fn clear(&mut self) {
        *self = Lines::default();
    }

    /// Hands the lines to `spill` as `stream`'s once they fill `at` bytes, and goes on in the
    /// buffer it gives back.
    fn spill_if_full(&mut self, stream: impl FnOnce() -> String, spill: &mut Spill, at: usize) {
        if self.bytes.len() >= at {
            self.spill(stream, spill);
        }
    }

    /// Hands what is left to `spill` if any of the stream was spilled: a stream spilled at all
    /// is spilled whole.
    fn spill_rest(&mut self, stream: impl FnOnce() -> String, spill: &mut Spill) {
        if self.spilled.is_some() {
            self.spill(stream, spill);
        }
    }

    pub(super) fn spill(&mut self, stream: impl FnOnce() -> String, spill: &mut Spill) {
        let (Some(&(first, _)), Some(&(last, _))) = (self.ends.first(), self.ends.last()) else { return };
        let full = std::mem::take(&mut self.bytes);
        let mut fresh = spill(&stream(), Batch::Written(full), first, last);
        fresh.clear();
        self.bytes = fresh;
        self.ends.clear();
        self.spilled = Some(last);
    }
}

/// The audit events not yet in the history files, as lines.
#[derive(Debug, Clone, Default)]
pub struct AuditTail {
    pub(super) lines: Lines,
    /// While a clock jump runs in a store: the events handed over typed, and the lines written
    /// after them (see `deferred`). Empty once the command settles.
    pub(super) deferred: Vec<super::deferred::Queued<super::deferred_audit::ExpiredEvent>>,
}

impl AuditTail {
    pub(crate) fn push<T: Serialize + ?Sized>(&mut self, seq: u64, event: &T) {
        self.lines.push(seq, event);
    }

    pub(crate) fn push_with(&mut self, seq: u64, write: impl FnOnce(&mut Vec<u8>)) {
        // After events handed over typed, in their queue (see `deferred`).
        if !self.deferred.is_empty() {
            return super::deferred::queue_line(&mut self.deferred, seq, write);
        }
        self.lines.push_with(seq, write);
    }

    /// Room for about `events` more events (see [`Lines::reserve`]).
    pub(crate) fn reserve(&mut self, events: usize) {
        self.lines.reserve(events, AUDIT_LINE_BYTES);
    }

    /// The events, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = AuditEvent> + '_ {
        self.lines.records()
    }

    pub fn to_vec(&self) -> Vec<AuditEvent> {
        self.iter().collect()
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn lines(&self) -> &Lines {
        &self.lines
    }

    pub fn last_seq(&self) -> Option<u64> {
        self.lines.last_seq()
    }

    /// Spills the events once they fill a buffer (see [`Spill`]).
    pub(crate) fn spill_if_full(&mut self, spill: &mut Spill, at: usize) {
        self.lines.spill_if_full(|| AUDIT_STREAM.to_owned(), spill, at);
    }

    /// Spills what is left, if any event was spilled.
    pub(crate) fn spill_rest(&mut self, spill: &mut Spill) {
        self.lines.spill_rest(|| AUDIT_STREAM.to_owned(), spill);
    }

    pub fn clear(&mut self) {
        self.lines.clear();
    }
}

/// Written as the list of events it holds (what a tenant not kept in a store writes).
impl Serialize for AuditTail {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for AuditTail {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let events: Vec<AuditEvent> = Vec::deserialize(d)?;
        let mut tail = AuditTail::default();
        for e in &events {
            tail.push(e.seq, e);
        }
        Ok(tail)
    }
}

/// The notifications not yet in the history files, as lines, one buffer per mailbox stream.
#[derive(Debug, Clone, Default)]
pub struct NoticeTail {
    /// By shard (`user % NOTICE_SHARDS`); made as notifications arrive.
    pub(super) shards: Vec<Lines>,
    /// By shard, while a clock jump runs in a store: the notifications handed over typed, and
    /// the lines written after them, all after the shard's lines (see `deferred`). Empty once
    /// the command settles.
    pub(super) deferred: Vec<Vec<super::deferred::Queued<super::deferred_notice::DeferredNotice>>>,
    pub(super) count: usize,
}

pub(super) fn shard_of(user: UserId) -> usize {
    usize::try_from(user.0 % NOTICE_SHARDS).unwrap_or(0)
}

impl NoticeTail {
    pub(crate) fn push<T: Serialize + ?Sized>(&mut self, to: UserId, seq: u64, notice: &T) {
        let shard = shard_of(to);
        if self.shards.len() <= shard {
            self.shards.resize_with(shard.saturating_add(1), Lines::default);
        }
        if let Some(lines) = self.shards.get_mut(shard) {
            lines.push(seq, notice);
            self.count = self.count.saturating_add(1);
        }
    }

    pub(crate) fn push_with(&mut self, to: UserId, seq: u64, write: impl FnOnce(&mut Vec<u8>)) {
        let shard = shard_of(to);
        // After notices handed over typed, in their queue (see `deferred`).
        if let Some(queue) = self.deferred.get_mut(shard).filter(|q| !q.is_empty()) {
            super::deferred::queue_line(queue, seq, write);
            self.count = self.count.saturating_add(1);
            return;
        }
        if self.shards.len() <= shard {
            self.shards.resize_with(shard.saturating_add(1), Lines::default);
        }
        if let Some(lines) = self.shards.get_mut(shard) {
            lines.push_with(seq, write);
            self.count = self.count.saturating_add(1);
        }
    }

    /// Spills `user`'s mailbox stream once it fills a buffer (see [`Spill`]).
    pub(crate) fn spill_if_full(&mut self, user: UserId, spill: &mut Spill, at: usize) {
        let shard = shard_of(user);
        if let Some(lines) = self.shards.get_mut(shard) {
            lines.spill_if_full(|| notice_shard_stream(u64::try_from(shard).unwrap_or(0)), spill, at);
        }
    }

    /// Spills what is left of each mailbox stream spilled at all.
    pub(crate) fn spill_rest(&mut self, spill: &mut Spill) {
        for (shard, lines) in (0u64..).zip(self.shards.iter_mut()) {
            lines.spill_rest(|| notice_shard_stream(shard), spill);
        }
    }

    /// Room for about `notices` more notifications, spread over the mailbox streams (see
    /// [`Lines::reserve`]; a quarter more than an even share each).
    pub(crate) fn reserve(&mut self, notices: usize) {
        let shards = usize::try_from(NOTICE_SHARDS).unwrap_or(1).max(1);
        if self.shards.len() < shards {
            self.shards.resize_with(shards, Lines::default);
        }
        let each = (notices / shards).saturating_add(notices / shards / 4);
        for lines in &mut self.shards {
            lines.reserve(each, NOTICE_LINE_BYTES);
        }
    }

    /// A user's notifications, oldest first.
    pub fn of(&self, user: UserId) -> impl Iterator<Item = Notification> + '_ {
        self.shards
            .get(shard_of(user))
            .into_iter()
            .flat_map(|l| l.records::<Notification>())
            .filter(move |n| n.to == user)
    }

    /// Every notification, oldest first.
    pub fn to_vec(&self) -> Vec<Notification> {
        let mut all: Vec<Notification> = self.shards.iter().flat_map(|l| l.records::<Notification>()).collect();
        all.sort_by_key(|n| n.seq);
        all
    }

    /// Each mailbox stream's shard number and lines (only those that hold any).
    pub fn shards(&self) -> impl Iterator<Item = (u64, &Lines)> + '_ {
        (0u64..).zip(self.shards.iter()).filter(|(_, l)| !l.is_empty())
    }

    /// Rewrites the notifications of one user's shard that `change` changes (rare: marking
    /// notifications read before the files hold them).
    pub(crate) fn rewrite(&mut self, user: UserId, mut change: impl FnMut(&mut Notification) -> bool) {
        let Some(lines) = self.shards.get_mut(shard_of(user)) else { return };
        let mut changed = false;
        let mut out = Lines::default();
        for (seq, line) in lines.lines() {
            let mut mine = serde_json::from_slice::<Notification>(line).ok().filter(|n| n.to == user);
            let rewritten = mine.as_mut().is_some_and(&mut change);
            match mine {
                Some(n) if rewritten => {
                    changed = true;
                    out.push(seq, &n);
                }
                _ => out.push_line(seq, line),
            }
        }
        if changed {
            *lines = out;
        }
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub fn last_seq(&self) -> Option<u64> {
        self.shards.iter().filter_map(Lines::last_seq).max()
    }

    pub fn clear(&mut self) {
        *self = NoticeTail::default();
    }
}

/// Written as the list of notifications it holds, oldest first.
impl Serialize for NoticeTail {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.to_vec())
    }
}

impl<'de> Deserialize<'de> for NoticeTail {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let list: Vec<Notification> = Vec::deserialize(d)?;
        let mut tail = NoticeTail::default();
        for n in &list {
            tail.push(n.to, n.seq, n);
        }
        Ok(tail)
    }
}

#[cfg(test)]
#[path = "tail_tests.rs"]
mod tests;
