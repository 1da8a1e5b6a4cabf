//! The JSON-file store: a snapshot plus an append-only journal, safe for several processes.
//!
//! The store knows nothing about entitlements. It keeps any state type that implements
//! [`Persist`]: a serializable value that changes only by applying journal entries.
//!
//! # Files in the store directory
//!
//! * `tenant.json` — the snapshot: a header line, then the state laid out one record a line
//!   (one user, request or assignment a line), so a person can read and grep it:
//!
//!   ```json
//!   {"kind":"entitle-tenant","schema_version":3,"seq":2000,"history":"history"}
//!   {
//!     "displayName": "Contoso",
//!     ...
//!   }
//!   ```
//!
//!   `kind` is [`Persist::KIND`]; `schema_version` is [`Persist::SCHEMA_VERSION`] of the entitle
//!   that wrote it; `seq` is the number of the last journal entry the state includes (0 for a
//!   fresh state); `history` names the history directory. The header is read without reading
//!   the state. A file written before the header had a line of its own (`{"kind", ...,
//!   "state": {...}}`) is still read, and the next compaction writes it anew. The store writes
//!   no wall-clock time; entries carry their own time.
//!   The snapshot is only ever replaced whole: written to `tenant.json.tmp-<pid>-<n>`, synced,
//!   renamed over `tenant.json`, and the directory synced. If `tenant.json` is a symbolic link,
//!   the link stays and the file it points to is replaced the same way, in that file's own
//!   directory.
//! * `history/<stream>/<first seq>.jsonl` — the state's history (for entitle: the audit log, the
//!   mailboxes and the finished requests): records that leave the live state, appended after
//!   each commit and read only when asked for (see [`history`]). A reset starts a new directory (`history-2`, ...),
//!   and leaves the old one as it was. An entry that makes much history (a year's clock jump)
//!   hands it over as it goes: it is written meanwhile under `history/.staged/`, and each
//!   stream's staged segment is renamed into the stream once the entry's journal line is
//!   written (see `staged.rs`); what a crash leaves there is deleted by the next commit.
//! * `history/<stream>/<first seq>.keys` — beside each closed segment of a stream the state
//!   keys ([`Persist::history_key`]), a derived binary file of each line's place and key, which
//!   readers use instead of parsing the segment when it is still the segment's (see
//!   `history_keys.rs`); made again from the segment when missing, stale or damaged.
//! * `journal.jsonl` — one line per committed entry, `{"seq":N,"entry":...}` followed by `\n`,
//!   with consecutive `seq` numbers. On load, lines with `seq` at or below the snapshot's `seq`
//!   are already in the snapshot and are skipped (they remain after a crash between writing a
//!   snapshot and emptying the journal, or during a reset); the first line after the snapshot
//!   must be `seq + 1`. A missing journal means no entries. A last line without its `\n` that is
//!   complete JSON is a record like any other (the crash came just before the `\n`): the next
//!   commit writes the missing `\n` before its own line. A last line that is not complete JSON
//!   is a write torn by a crash before its commit was acknowledged: it is ignored (with a
//!   [`StoreWarning::TornTail`]), and the next commit or compaction first copies its bytes to
//!   `journal.jsonl.torn-<n>` (a [`StoreWarning::TornKept`]), then cuts it away.
//! * `tenant.cache` — a derived binary copy of the state, tied to the snapshot it was derived
//!   from and the seq it holds; an open reads it instead of the JSON when it provably holds what
//!   the snapshot and the journal hold, and ignores it otherwise (see `cache.rs`). Written
//!   first by each compaction, by [`Store::create`], and in the background by an open that had
//!   to read the JSON. Never the only copy of anything: deleting it is always safe.
//! * `entitle.lock` — locked ([`std::fs::File::try_lock`]): an exclusive lock around every
//!   commit, compaction and reset, a shared lock around every read. [`Store::open`] parses
//!   and replays without the lock, then checks under a short shared lock that the snapshot and
//!   journal are still the files it read (retrying, the last time under the lock), so a big
//!   tenant's load does not keep writers waiting. A process waits for the lock at
//!   most [`LockWait::timeout`] ([`DEFAULT_LOCK_TIMEOUT`] unless set), then is refused with
//!   [`StoreError::Locked`] naming the holder; a waiter may give up sooner ([`StoreError::GaveUp`]).
//!   While a process holds it exclusively, the file holds one JSON line naming it,
//!   `{"pid":..,"command":"..","since":".."}` (see [`LockHolder`]); it is emptied on release.
//!   If the lock file cannot be opened for writing, it is opened for reading: reads lock as
//!   usual and every change is refused with [`StoreError::ReadOnly`]. If it cannot be opened
//!   at all, reads go on without a lock ([`StoreWarning::Unlocked`]). A directory that is
//!   read-only also refuses changes before anything is written.
//! * `tenant.json.tmp-<pid>-<n>` — a snapshot being written by process `<pid>`; never read. A
//!   compaction removes those left by processes that are gone.
//! * `tenant.json.bak-<n>`, `journal.jsonl.bak-<n>` — copies of old files kept by
//!   [`Store::create_replacing`] and by a schema upgrade, never read by the store.
//! * `journal.jsonl.torn-<n>` — the bytes of a torn write, kept aside; never read by the store.
//!
//! Every file the store reads must be a regular file or a symbolic link to one: anything else
//! (a directory, a FIFO, a device, a dangling link) is refused with [`StoreError::NotAFile`]
//! before it is opened; a dangling link at `tenant.json` is never taken for "no data".
//!
//! # Compaction
//!
//! A commit compacts (writes the state as the snapshot) once more than [`Compaction`]'s limit
//! of entries were committed since the snapshot, and right after an entry whose `apply` took at
//! least [`HEAVY_ENTRY`] (so no later open replays it). It holds the exclusive lock only to
//! start (the history of every entry so far is synced) and to finish (the new snapshot is
//! renamed in): the snapshot itself is written without the lock, so a big state's compaction
//! blocks nobody. If another process compacted meanwhile, the later compaction drops its file.
//! The journal then keeps the lines after the snapshot *before* (later opens skip them): another
//! process that read that one follows the compaction by reading on in the journal, without
//! parsing the new snapshot; a process further behind, or one facing a reset, parses the files
//! again before it takes any lock. If a compaction fails, the commit stands; later commits
//! retry, and once twice past the limits a commit compacts first, under the lock, and is
//! refused if that fails, so the journal stays bounded.
//!
//! A compaction made due by a commit is not written by the committing process either: on Unix
//! it forks after the first step, and the child writes the snapshot and finishes, with a lock
//! file of its own, while the commit returns (see `background.rs`). A commit that finds the
//! journal twice past the limits first waits for that child, without the lock.

//! # Resets
//!
//! [`Store::create_replacing`] keeps the old data in place until the new snapshot is complete:
//! every crash point leaves the old data or the new (the steps are in `install.rs`). The new
//! snapshot carries the old data's last `seq`, so old journal lines count as already in it.

//! # Bad data
//!
//! Anything the store cannot read exactly — a snapshot that does not parse, a journal line that
//! does not parse, a gap in the `seq` numbers, another `kind`, a schema version that is newer or
//! cannot be migrated, an entry that its state refuses on replay — is refused with a
//! [`StoreError`] naming the file, line and column, and the files are left exactly as they were.

mod backend;
mod background;
mod cache;
#[cfg(test)]
mod cache_tests;
mod compaction;
mod direct;
mod error;
mod files;
mod handle;
pub mod history;
pub mod history_keys;
pub mod history_newest;
pub mod history_pages;
mod huge_pages;
mod install;
mod journal;
mod loading;
mod lock;
mod mapped;
mod notices;
#[cfg(test)]
mod open_tests;
#[cfg(test)]
mod seq_key;
mod snapshot;
mod staged;
#[cfg(test)]
mod test_sum;
mod writeback;

pub use backend::Backend;
pub use cache::{CacheMiss, LoadSource};
pub use error::{CommitError, Position, StoreError, StoreWarning};
pub use handle::{Compaction, HEAVY_ENTRY, Store};
pub use history::{HistoryCursor, HistoryRecord, StreamBatch};
pub use history_keys::{KeyCodec, LineKey};
pub use history_newest::{Caught, NewestFirst};
pub use history_pages::{RecordAt, StreamIndex};
pub use huge_pages::{keep_freed_memory, use_huge_pages};

pub use lock::{DEFAULT_LOCK_TIMEOUT, LockHolder, LockWait, Wait, Waiter, Waiting};

/// The seq of a history stream's last record in the files, by stream name (0: none, or it
/// could not be read: then nothing is left out).
pub type HistoryOnDisk = std::sync::Arc<dyn Fn(&str) -> u64 + Send + Sync>;

/// Where a state hands the history an entry makes, a buffer at a time, while the entry is
/// applied in a commit (see [`Persist::spill_into`]): given the stream's name, whole lines
/// (each ended by a newline, numbers increasing) and the numbers of the first and the last, it
/// gives back an empty buffer to fill next.
pub type HistorySpill = Box<dyn FnMut(&str, SpillLines, u64, u64) -> Vec<u8> + Send>;

/// The lines of one spill: written already, or a function that writes them (whole lines, as
/// above) at the end of the buffer it is given, called on the thread that writes the history:
/// a state that makes millions of records hands them over as they are and they are formatted
/// on the other core.
pub enum SpillLines {
    Written(Vec<u8>),
    Later(WriteLines),
}

/// A function that writes whole lines at the end of the buffer it is given.
pub type WriteLines = Box<dyn FnOnce(&mut Vec<u8>) + Send>;

/// A state the store can keep: serializable, and changed only by applying journal entries.
pub trait Persist: serde::Serialize + serde::de::DeserializeOwned {
    /// One journal entry: a command with its time and actor, replayed with `apply`.
    type Entry: serde::Serialize + serde::de::DeserializeOwned;
    /// What a successful `apply` returns to the committer.
    type Output;
    /// Why `apply` refused an entry.
    type Error: std::error::Error + Send + Sync + 'static;
    /// Written in the snapshot header and checked on load, e.g. `"entitle-tenant"`.
    const KIND: &'static str;
    /// Version of the `state` JSON layout; older snapshots go through [`Persist::migrate`].
    const SCHEMA_VERSION: u32;

    /// Apply an entry. On `Err` the state must be unchanged (the domain guarantees this).
    fn apply(&mut self, entry: &Self::Entry) -> Result<Self::Output, Self::Error>;

    /// Apply an entry read back from the journal: it was acknowledged once, perhaps by an older
    /// version with other input ranges. Default: `apply`.
    fn replay(&mut self, entry: &Self::Entry) -> Result<Self::Output, Self::Error> {
        self.apply(entry)
    }

    /// The state from the snapshot's bytes (after its header line). Default: `serde_json`'s
    /// parse. A state may parse its own layout faster (on several threads), falling back to
    /// the default for anything else, so that errors keep their line and column.
    fn decode_state(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// The version of the state's binary layout for the derived cache file (see `cache.rs`),
    /// which opens read instead of the JSON when it fits; `None` (the default): no cache is
    /// written or read. Bump it whenever the layout changes.
    const CACHE_FORMAT: Option<u32> = None;

    /// The state in the cache's binary layout, in sections (each read back into memory of its
    /// own, so that a section decoded is freed while the others are decoded). Only called
    /// when [`Persist::CACHE_FORMAT`] is set. Default: refused.
    fn encode_cache(&self) -> Result<Vec<Vec<u8>>, serde_json::Error> {
        Err(<serde_json::Error as serde::ser::Error>::custom("this state keeps no cache"))
    }

    /// The state back from [`Persist::encode_cache`]'s sections (borrowed from the cache file's
    /// map, which is dropped once this returns), ready as after [`Persist::after_load`] (which
    /// is not called: the cache may keep what it rebuilds). `decoded` may be called with a
    /// section no longer needed, to give its memory back at once. Any error makes the open read
    /// the JSON instead. Default: refused.
    fn decode_cache(sections: Vec<&[u8]>, decoded: &(dyn Fn(&[u8]) + Sync)) -> Result<Self, String> {
        let _ = (sections, decoded);
        Err("this state keeps no cache".to_owned())
    }

    /// Whether an entry with this output may have been heavy (see [`HEAVY_ENTRY`]): only those
    /// are timed for a compaction at once, so that a light entry whose process was merely
    /// kept waiting for the processor does not compact. Default: any entry may be.
    fn may_be_heavy(output: &Self::Output) -> bool {
        let _ = output;
        true
    }

    /// Called after deserializing a snapshot, before any journal entry is replayed
    /// (rebuild in-memory indexes). Default: nothing.
    fn after_load(&mut self) {}

    /// The records the state holds that belong in the history files (see [`history`]): each
    /// with its stream and its number in the stream, increasing along each stream. The store
    /// appends those the files lack after every commit, and before every compaction.
    /// Default: none.
    fn pending_history(&self) -> Result<Vec<HistoryRecord>, serde_json::Error> {
        Ok(vec![])
    }

    /// The same records as [`Persist::pending_history`], gathered by stream as lines: what the
    /// store appends. A state that makes its history as lines hands them over as they are.
    /// Default: `pending_history`'s records, gathered.
    fn history_batches(&self) -> Result<Vec<StreamBatch<'_>>, serde_json::Error> {
        Ok(StreamBatch::gather(&self.pending_history()?))
    }

    /// Told while the journal is replayed on load (`Some`, then `None` once it is done): what
    /// the history files hold, as the seq of each stream's last record (0: none). Replaying an
    /// entry makes its records again; a state may leave out of memory those the files hold
    /// already (a year's jump makes millions). Default: ignored.
    fn replaying_over(&mut self, on_disk: Option<HistoryOnDisk>) {
        let _ = on_disk;
    }

    /// How the lines of a history stream are keyed for the readers that page through it (see
    /// `history_keys`): each closed segment of a keyed stream gets a key file, written by
    /// whoever closes it. None (the default): the stream has no key files.
    fn history_key(stream: &str) -> Option<KeyCodec> {
        let _ = stream;
        None
    }

    /// The records [`Persist::pending_history`] gave are in the files: drop them from memory.
    fn history_written(&mut self) {}

    /// Told around each `apply` of a commit (`Some`, then `None` once it returned): where the
    /// state may hand the history the entry makes as it goes, instead of holding it until the
    /// commit asks for it with [`Persist::history_batches`]. What is handed over goes to the
    /// files once the entry's journal line is written (see `staged.rs`); by the time `None`
    /// is given, a stream handed over at all must have been handed over whole (what
    /// `history_batches` then gives of it would follow it). Default: ignored.
    fn spill_into(&mut self, spill: Option<HistorySpill>) {
        let _ = spill;
    }

    /// Upgrade an older snapshot's `state` JSON from `from_version` to `SCHEMA_VERSION`.
    /// Default: no upgrade is known.
    ///
    /// Only the snapshot is migrated: journal entries written after an older snapshot are
    /// read as `Self::Entry` as they are, so `Entry` must stay able to read older entries
    /// (or the older entitle must compact before the upgrade). The first commit or compaction
    /// after a migration writes the upgraded snapshot, keeping the old one as a backup.
    fn migrate(from_version: u32, state: serde_json::Value) -> Result<serde_json::Value, String> {
        let _ = state;
        Err(format!("this entitle knows no upgrade from schema version {from_version} to {}", Self::SCHEMA_VERSION))
    }
}
