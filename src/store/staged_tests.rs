//! History handed over while an entry is applied: it reaches its stream only once the entry's
//! journal line is written, whole and in order; a refused entry's and a crashed commit's staged
//! history is never read and is deleted; a crash between the journal and the move makes the
//! history again from the journal.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::super::history::{self, HistoryRecord};
use super::super::history_keys::{self, KeyCodec};
use super::super::{HistorySpill, Persist, SpillLines, Store};

/// A log that makes `n` records in stream `log` per entry, handing them to the spill every
/// few records when one is set. A negative `n` makes `-n` records, then refuses the entry.
#[derive(Default, Serialize, Deserialize)]
struct Log {
    seq: u64,
    #[serde(skip)]
    held: Vec<(u64, Vec<u8>)>,
    #[serde(skip)]
    spill: Option<HistorySpill>,
    /// Whether this entry spilled (then what is left is spilled too when the spill is taken).
    #[serde(skip)]
    spilled: bool,
    /// Where the history is, to look at it from inside `apply`.
    #[serde(skip)]
    watch: Option<PathBuf>,
    /// How many records the stream's files held at the end of the last `apply`.
    #[serde(skip)]
    seen_in_files: usize,
}

#[derive(Debug, thiserror::Error)]
#[error("refused")]
struct Refused;

use super::super::seq_key::SeqKey as Rec;

/// Records are spilled in runs of this many.
const RUN: usize = 3;

fn line(seq: u64) -> Vec<u8> {
    format!("{{\"seq\":{seq},\"text\":\"record {seq}\"}}\n").into_bytes()
}

impl Log {
    fn spill_held(&mut self) {
        let Some(spill) = self.spill.as_mut() else { return };
        let (Some(&(first, _)), Some(&(last, _))) = (self.held.first(), self.held.last()) else { return };
        let held: Vec<(u64, Vec<u8>)> = self.held.drain(..).collect();
        // Every other run is handed over to be written by the writer: both kinds, interleaved.
        let lines = if first / RUN as u64 % 2 == 1 {
            SpillLines::Later(Box::new(move |out: &mut Vec<u8>| out.extend(held.into_iter().flat_map(|(_, l)| l))))
        } else {
            SpillLines::Written(held.into_iter().flat_map(|(_, l)| l).collect())
        };
        spill("log", lines, first, last);
        self.spilled = true;
    }
}

impl Persist for Log {
    type Entry = i64;
    type Output = u64;
    type Error = Refused;
    const KIND: &'static str = "log";
    const SCHEMA_VERSION: u32 = 1;

    fn apply(&mut self, entry: &i64) -> Result<u64, Refused> {
        let before = self.seq;
        for _ in 0..entry.unsigned_abs() {
            self.seq += 1;
            self.held.push((self.seq, line(self.seq)));
            if self.spill.is_some() && self.held.len() >= RUN {
                self.spill_held();
            }
        }
        if let Some(dir) = &self.watch {
            self.seen_in_files = history::read::<Rec>(dir, "log").map_or(0, |r| r.len());
        }
        if *entry < 0 {
            // Unchanged, as `apply` promises on a refusal: what was spilled is the store's to drop.
            self.seq = before;
            self.held.clear();
            return Err(Refused);
        }
        Ok(self.seq)
    }

    fn replay(&mut self, entry: &i64) -> Result<u64, Refused> {
        self.apply(entry)
    }

    fn pending_history(&self) -> Result<Vec<HistoryRecord>, serde_json::Error> {
        Ok(self
            .held
            .iter()
            .map(|(seq, l)| HistoryRecord {
                stream: "log".into(),
                seq: *seq,
                line: l.strip_suffix(b"\n").unwrap_or(l).to_vec().into(),
            })
            .collect())
    }

    fn history_written(&mut self) {
        self.held.clear();
    }

    fn history_key(stream: &str) -> Option<KeyCodec> {
        (stream == "log").then(KeyCodec::of::<Rec>)
    }

    fn spill_into(&mut self, spill: Option<HistorySpill>) {
        if self.spilled {
            self.spill_held();
        }
        self.spilled = false;
        self.spill = spill;
    }
}

fn seqs(store: &Store<Log>) -> Vec<u64> {
    store.history::<Rec>("log").expect("the history").into_iter().map(|r| r.seq).collect()
}

/// The history directory of a store made by [`new_store`].
fn history_dir(store: &Store<Log>) -> PathBuf {
    store.dir().join("history")
}

fn staged_dir(store: &Store<Log>) -> PathBuf {
    history_dir(store).join(".staged")
}

fn new_store(dir: &Path) -> Store<Log> {
    let watch = Some(dir.join("history"));
    let mut store = Store::create(dir, Log { watch, ..Log::default() }).expect("created");
    store.set_background_compaction(false);
    store
}

#[test]
fn spilled_history_reaches_its_stream_after_the_journal_line_whole_and_in_order() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut store = new_store(tmp.path());
    store.commit(|_| 2).expect("a small entry: nothing spilled");
    store.commit(|_| 10).expect("an entry that spills");
    assert_eq!(store.state().seen_in_files, 2, "while it was applied, none of its records were in the files");
    store.commit(|_| 1).expect("another small one");
    assert_eq!(seqs(&store), (1..=13).collect::<Vec<_>>());
    assert!(!staged_dir(&store).exists(), "nothing left staged");
    let segments = history::segments(&history_dir(&store).join("log")).expect("the segments");
    assert_eq!(segments.iter().map(|s| s.0).collect::<Vec<_>>(), [1, 3], "the staged records came in as one segment");

    drop(store);
    let reopened = Store::<Log>::open(tmp.path()).expect("opens").expect("a store");
    assert_eq!(seqs(&reopened), (1..=13).collect::<Vec<_>>());
    assert_eq!(reopened.state().seq, 13);
}

#[test]
fn the_segment_a_staged_one_follows_gets_its_key_file_from_that_commit() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut store = new_store(tmp.path());
    store.commit(|_| 2).expect("a small entry: nothing spilled");
    let log = history_dir(&store).join("log");
    let first = history::segment_name(&log, 1);
    assert!(!history_keys::key_path(&first).exists(), "the last segment has no key file");
    store.commit(|_| 10).expect("an entry that spills: its segment follows the first");
    let (len, rows) = history_keys::read_rows::<Rec>(&first).expect("the closed segment's key file");
    assert_eq!(len, std::fs::metadata(&first).expect("stat").len());
    assert_eq!(rows.into_iter().map(|(_, k)| k.seq).collect::<Vec<_>>(), [1, 2]);
    assert!(!history_keys::key_path(&history::segment_name(&log, 3)).exists(), "the new last segment has none");
}

#[test]
fn a_refused_entry_leaves_nothing_staged_and_no_history() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut store = new_store(tmp.path());
    store.commit(|_| 4).expect("an entry that spills");
    assert!(store.commit(|_| -9).is_err(), "refused after spilling");
    assert!(!staged_dir(&store).exists(), "what it staged is gone");
    assert_eq!(seqs(&store), [1, 2, 3, 4]);
    store.commit(|_| 5).expect("the next entry");
    assert_eq!(seqs(&store), (1..=9).collect::<Vec<_>>());
}

#[test]
fn what_a_crashed_commit_left_staged_is_never_read_and_is_deleted_by_the_next_commit() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut store = new_store(tmp.path());
    store.commit(|_| 2).expect("an entry");
    let staged = staged_dir(&store);
    std::fs::create_dir_all(&staged).expect("made");
    std::fs::write(staged.join("log"), [line(3), line(4)].concat()).expect("written");
    std::fs::write(staged.join("notes"), line(1)).expect("written");
    drop(store);
    let mut store = Store::<Log>::open(tmp.path()).expect("opens").expect("a store");
    store.set_background_compaction(false);
    assert_eq!(seqs(&store), [1, 2], "the staged records belong to no journal line");
    store.commit(|_| 1).expect("the next entry");
    assert!(!staged.exists(), "deleted under the lock");
    assert_eq!(seqs(&store), [1, 2, 3], "record 4 was never committed");
}

#[test]
fn a_crash_between_the_journal_line_and_the_move_makes_the_history_again_from_the_journal() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut store = new_store(tmp.path());
    store.commit(|_| 2).expect("an entry");
    store.commit(|_| 7).expect("an entry that spills");
    // As if the process died after the journal line, before the staged segment was moved in.
    let log = history_dir(&store).join("log");
    std::fs::remove_file(history::segment_name(&log, 3)).expect("the moved segment");
    let staged = staged_dir(&store);
    std::fs::create_dir_all(&staged).expect("made");
    std::fs::write(staged.join("log"), line(3)).expect("a part of it, still staged");
    drop(store);
    let mut store = Store::<Log>::open(tmp.path()).expect("opens").expect("a store");
    store.set_background_compaction(false);
    assert_eq!(store.state().seq, 9, "the journal holds both entries");
    store.commit(|_| 1).expect("the next entry writes what the files lack");
    assert_eq!(seqs(&store), (1..=10).collect::<Vec<_>>());
    assert!(!staged.exists());
}

#[test]
fn a_stream_that_already_holds_some_staged_records_gets_only_the_others() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut store = new_store(tmp.path());
    store.commit(|_| 2).expect("an entry");
    // Records 3 to 5 reach the stream by other means before the staged 3 to 7 are moved in.
    let record = |seq: u64| HistoryRecord {
        stream: "log".into(),
        seq,
        line: line(seq).strip_suffix(b"\n").unwrap_or_default().to_vec().into(),
    };
    history::append(&history_dir(&store), &(3..=5).map(record).collect::<Vec<_>>(), false).expect("appended");
    let (staging, mut spill) = super::start(&history_dir(&store));
    spill("log", SpillLines::Written((3..=7).flat_map(line).collect()), 3, 7);
    drop(spill);
    let staged = staging.finish().expect("staged");
    super::install(&history_dir(&store), &staged).expect("installed");
    assert_eq!(seqs(&store), [1, 2, 3, 4, 5, 6, 7], "each record once");
    assert!(!staged_dir(&store).exists());
}

#[test]
fn a_file_where_the_staging_directory_goes_does_not_stop_a_commit_that_spills() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut store = new_store(tmp.path());
    store.commit(|_| 1).expect("an entry");
    std::fs::write(staged_dir(&store), b"not a directory").expect("written");
    store.commit(|_| 6).expect("an entry that spills");
    assert_eq!(seqs(&store), (1..=7).collect::<Vec<_>>());
    assert!(!staged_dir(&store).exists());
}

/// While the writer is behind (its queue full), the thread handing lines over writes them
/// itself: every record still reaches the stream once, in order.
#[test]
fn lines_handed_over_while_the_writer_is_behind_are_written_by_the_caller_in_their_turn() {
    use std::sync::mpsc::channel;
    use std::sync::{Arc, Mutex};
    let tmp = tempfile::tempdir().expect("tmp");
    let mut store = new_store(tmp.path());
    store.commit(|_| 1).expect("an entry");
    let (staging, mut spill) = super::start(&history_dir(&store));
    // The first run holds the writer until a run is written by someone else (at most 20 s:
    // without the caller's help, the test fails instead of hanging).
    let (go, wait) = channel::<()>();
    let wait = Arc::new(Mutex::new(Some(wait)));
    let caller = std::thread::current().id();
    let by_caller = Arc::new(Mutex::new(0usize));
    let runs = super::QUEUED as u64 + 4;
    for run in 0..runs {
        let (first, last) = (2 + run * 2, 3 + run * 2);
        let (go, wait, by_caller) = (go.clone(), wait.clone(), by_caller.clone());
        let write = move |out: &mut Vec<u8>| {
            if run == 0 {
                let held = wait.lock().ok().and_then(|mut w| w.take());
                held.map(|w| w.recv_timeout(std::time::Duration::from_secs(20)));
            } else if std::thread::current().id() == caller {
                let _ = go.send(());
                by_caller.lock().map(|mut n| *n += 1).ok();
            }
            out.extend((first..=last).flat_map(line));
        };
        spill("log", SpillLines::Later(Box::new(write)), first, last);
    }
    drop(spill);
    let staged = staging.finish().expect("staged");
    super::install(&history_dir(&store), &staged).expect("installed");
    assert_eq!(seqs(&store), (1..=1 + runs * 2).collect::<Vec<_>>());
    assert!(by_caller.lock().map(|n| *n).unwrap_or(0) >= 1, "the caller wrote a run while the writer was held");
}
