//! History staged while a commit applies its entry: a state that makes hundreds of megabytes of
//! history in one entry (a year's clock jump) hands it over a buffer at a time (see
//! [`HistorySpill`]), and a thread of its own writes each buffer to the stream's staged segment
//! under `<history>/.staged/`, on the other core, while the entry goes on (the lines of records
//! handed over typed are written by that thread, and the bytes put on the disk by another).
//! Nothing of it is a stream's until the entry's journal line is written: only then is each staged
//! segment renamed into its stream as the stream's next (and last) segment ([`install`]). A
//! refused entry's staged files are deleted, and those a crash left behind are deleted by the next
//! commit, under the lock ([`clear_leftovers`]): they belong to no journal line, and replaying the
//! journal makes again the history of those that have one.
//!
//! So the history files never hold a record whose journal line is not written, and a segment
//! appears in its stream whole. The history's rule that every segment but a stream's last is
//! synced (what a compaction's sync relies on) holds: the writer syncs a stream's last segment
//! before the staged one is made to follow it, and the staged one, last once installed, is synced
//! by the next compaction like any last segment. A commit stages one segment per stream, however
//! long (a commit's history is bounded by the limits on what one command may do).

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use std::borrow::Cow;

use super::direct::{DirectFile, Scratch};
use super::error::{Position, StoreError, json_problem};
use super::history::{self, StreamBatch};
use super::journal::Head;
use super::{HistorySpill, SpillLines};

/// The directory of staged segments, inside the history directory. Its name is no stream's
/// (a stream's name has no dot), so readers of the history never look into it.
const STAGED: &str = ".staged";

/// Buffers on their way to the writer at most; the state waits when the writer lags this far.
/// A year's jump makes its history in bursts (a day's expiries at once): with 8 buffers (8 MB)
/// the state waited on the writer for about a second of its three, with 96 it hardly waits.
const QUEUED: usize = 96;

/// One staged segment: the stream it goes to, the number of its first record, and its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Staged {
    stream: String,
    first: u64,
    path: PathBuf,
}

/// One buffer for the writer: the stream, its first and last record's numbers, the lines.
struct Job {
    stream: String,
    first: u64,
    last: u64,
    lines: SpillLines,
}

/// How many buffers of their own the lines written by the thread handing them over take at most
/// (beyond those given back): without a bound, a full queue of its buffers held 100 MB more.
const HELP_BUFFERS: usize = 8;

impl Job {
    /// The job with its lines written, in a buffer the writer gave back if there is one, else
    /// in a new one while fewer than [`HELP_BUFFERS`] were made (else it is left to the writer).
    fn written_here(self, spent: &Receiver<Vec<u8>>, helping: &mut usize) -> Job {
        let SpillLines::Later(write) = self.lines else { return self };
        let Some(mut bytes) = spent.try_recv().ok().or_else(|| {
            (*helping < HELP_BUFFERS).then(|| {
                *helping = helping.saturating_add(1);
                Vec::new()
            })
        }) else {
            return Job { lines: SpillLines::Later(write), ..self };
        };
        bytes.clear();
        write(&mut bytes);
        Job { lines: SpillLines::Written(bytes), ..self }
    }
}

/// The writer thread, started by the first buffer spilled (most entries spill none), or why it
/// could not be.
enum Writer {
    Idle,
    Running(JoinHandle<Result<Vec<Staged>, StoreError>>),
    Failed(StoreError),
}

/// The staging of one commit: what [`start`] gives besides the spill handed to the state.
pub(super) struct Staging {
    history: PathBuf,
    writer: Arc<Mutex<Writer>>,
}

/// A staging for the history directory `history`, and the spill to hand to the state.
pub(super) fn start(history: &Path) -> (Staging, HistorySpill) {
    let writer = Arc::new(Mutex::new(Writer::Idle));
    let mut queue: Option<(SyncSender<Job>, Receiver<Vec<u8>>)> = None;
    // How many buffers the lines written here took that were not given back ones.
    let mut helping = 0usize;
    let (at, slot) = (history.to_path_buf(), writer.clone());
    let spill: HistorySpill = Box::new(move |stream: &str, lines: SpillLines, first: u64, last: u64| {
        let spare = match &lines {
            SpillLines::Written(bytes) => bytes.capacity(),
            SpillLines::Later(_) => 0,
        };
        if queue.is_none() {
            queue = start_writer(&at, &slot);
        }
        if let Some((jobs, spent)) = &queue {
            let job = Job { stream: stream.to_owned(), first, last, lines };
            // While the writer is behind (its queue full), the thread that would wait for it
            // writes the lines itself, in their turn: both cores write lines then.
            let sent = match jobs.try_send(job) {
                Err(TrySendError::Full(job)) => jobs.send(job.written_here(spent, &mut helping)).is_ok(),
                sent => sent.is_ok(),
            };
            if sent {
                return spent.try_recv().unwrap_or_else(|_| Vec::with_capacity(spare));
            }
        }
        Vec::with_capacity(spare)
    });
    (Staging { history: history.to_path_buf(), writer }, spill)
}

/// Starts the writer thread (once: a failure to start it is kept, and later buffers dropped).
fn start_writer(history: &Path, slot: &Mutex<Writer>) -> Option<(SyncSender<Job>, Receiver<Vec<u8>>)> {
    let Ok(mut w) = slot.lock() else { return None };
    if !matches!(*w, Writer::Idle) {
        return None;
    }
    let (jobs, jobs_in) = sync_channel::<Job>(QUEUED);
    let (spent_out, spent) = sync_channel::<Vec<u8>>(QUEUED.saturating_add(2));
    let at = history.to_path_buf();
    let spawned = std::thread::Builder::new()
        .name("history-staging".into())
        .spawn(move || write_staged(&at, &jobs_in, &spent_out));
    match spawned {
        Ok(h) => {
            *w = Writer::Running(h);
            Some((jobs, spent))
        }
        Err(e) => {
            *w = Writer::Failed(StoreError::io(history, "start writing the history", e));
            None
        }
    }
}

impl Staging {
    /// Waits for the writer (the spill handed to the state must be dropped first: that closes
    /// the writer's queue) and gives what it staged. An error means some history was not
    /// staged: whatever was is deleted.
    pub fn finish(self) -> Result<Vec<Staged>, StoreError> {
        let writer = self.writer.lock().map(|mut w| std::mem::replace(&mut *w, Writer::Idle));
        let staged = match writer {
            Ok(Writer::Idle) => return Ok(vec![]),
            Ok(Writer::Running(h)) => h.join().unwrap_or_else(|_| Err(stopped(&self.history))),
            Ok(Writer::Failed(e)) => Err(e),
            Err(_) => Err(stopped(&self.history)),
        };
        if staged.is_err() {
            clear_leftovers(&self.history);
        }
        staged
    }
}

fn stopped(history: &Path) -> StoreError {
    StoreError::corrupt(history, Position::NONE, "the thread writing the history stopped".to_owned())
}

/// A stream's staged segment being written: its file (written past the page cache, see
/// `direct`: it is read back only when someone asks for that history), and the number of its
/// last record.
struct Open {
    file: DirectFile,
    last: u64,
}

/// A buffer of one stream's lines on its way to the disk thread, and back: the numbers of its
/// first and last record, and whose it is (the state's, given back to it through `spent`, or
/// the writer's own).
struct Filled {
    stream: String,
    first: u64,
    last: u64,
    bytes: Vec<u8>,
    theirs: bool,
}

/// Buffers on their way from the writer to the disk thread at most.
const TO_DISK: usize = 8;

/// The writer: writes the lines of the buffers handed over typed, and passes every buffer to a
/// thread of its own that appends it to its stream's staged segment ([`write_disk`]), so that
/// the lines of the next buffers are written while the disk takes the last ones (an `O_DIRECT`
/// write returns once the disk has the bytes). Each buffer comes back to whoever gave it. After
/// an error it only gives buffers back (the state never waits on a writer that stopped), and
/// the error is reported at the end.
fn write_staged(history: &Path, jobs: &Receiver<Job>, spent: &SyncSender<Vec<u8>>) -> Result<Vec<Staged>, StoreError> {
    let failed = Arc::new(AtomicBool::new(false));
    let (to_disk, pieces) = sync_channel::<Filled>(TO_DISK);
    let (done_out, done) = std::sync::mpsc::channel::<Filled>();
    let (at, flag) = (history.to_path_buf(), failed.clone());
    let disk = std::thread::Builder::new()
        .name("history-disk".into())
        .spawn(move || write_disk(&at, &pieces, &done_out, &flag))
        .map_err(|e| StoreError::io(history, "start writing the history", e))?;
    // The buffers lines written here go into, once the disk thread gave them back.
    let mut own: Vec<Vec<u8>> = Vec::new();
    for job in jobs.iter() {
        for back in done.try_iter() {
            give_back(back, &mut own, spent);
        }
        let (bytes, theirs) = match job.lines {
            SpillLines::Written(bytes) => (bytes, true),
            SpillLines::Later(write) => {
                let mut bytes = own.pop().unwrap_or_default();
                bytes.clear();
                if !failed.load(Ordering::Relaxed) {
                    write(&mut bytes);
                }
                (bytes, false)
            }
        };
        let lines = Filled { stream: job.stream, first: job.first, last: job.last, bytes, theirs };
        if let Err(std::sync::mpsc::SendError(lines)) = to_disk.send(lines) {
            // The disk thread is gone: what it staged is reported by its join below.
            give_back(lines, &mut own, spent);
        }
    }
    drop(to_disk);
    disk.join().unwrap_or_else(|_| Err(stopped(history)))
}

/// A buffer the disk thread is done with goes back to whoever gave it, emptied.
fn give_back(mut lines: Filled, own: &mut Vec<Vec<u8>>, spent: &SyncSender<Vec<u8>>) {
    lines.bytes.clear();
    if lines.theirs {
        let _ = spent.try_send(lines.bytes);
    } else if own.len() < TO_DISK.saturating_add(2) {
        own.push(lines.bytes);
    }
}

/// The disk thread: appends each buffer to its stream's staged segment and hands it back, then
/// writes each segment's last partial block. After an error it only hands buffers back, and
/// says so through `failed`.
fn write_disk(
    history: &Path,
    pieces: &Receiver<Filled>,
    done: &std::sync::mpsc::Sender<Filled>,
    failed: &AtomicBool,
) -> Result<Vec<Staged>, StoreError> {
    let mut staged: Vec<Staged> = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    let mut error: Option<StoreError> = None;
    let mut scratch = Scratch::new();
    for lines in pieces.iter() {
        if error.is_none()
            && let Err(e) = stage(history, &mut staged, &mut open, &lines, &mut scratch)
        {
            failed.store(true, Ordering::Relaxed);
            error = Some(e);
        }
        let _ = done.send(lines);
    }
    if error.is_none() {
        // Each segment's last partial block.
        for (s, o) in staged.iter().zip(open.iter_mut()) {
            if let Err(e) = o.file.finish() {
                error = Some(StoreError::io(&s.path, "stage the history", e));
                break;
            }
        }
    }
    match error {
        Some(e) => Err(e),
        None => Ok(staged),
    }
}

/// Appends one buffer to its stream's staged segment, made (after syncing the stream's last
/// segment, which the staged one will follow) by the stream's first buffer.
fn stage(
    history: &Path,
    staged: &mut Vec<Staged>,
    open: &mut Vec<Open>,
    lines: &Filled,
    scratch: &mut Scratch,
) -> Result<(), StoreError> {
    let (stream, first, last, bytes) = (lines.stream.as_str(), lines.first, lines.last, lines.bytes.as_slice());
    let at = staged.iter().position(|s| s.stream == stream);
    let i = match at {
        Some(i) => i,
        None => {
            let stream_dir = history::check_stream(history, stream)?;
            if let Some((_, segment)) = history::segments(&stream_dir)?.pop() {
                File::open(&segment)
                    .and_then(|f| f.sync_data())
                    .map_err(|e| StoreError::io(&segment, "sync the history to disk", e))?;
            }
            let dir = history.join(STAGED);
            if staged.is_empty() {
                fs::create_dir_all(&dir)
                    .map_err(|e| StoreError::io(&dir, "make the history's staging directory", e))?;
            }
            let path = dir.join(stream);
            let file = DirectFile::create(&path).map_err(|e| StoreError::io(&path, "stage the history", e))?;
            staged.push(Staged { stream: stream.to_owned(), first, path });
            open.push(Open { file, last: 0 });
            staged.len().saturating_sub(1)
        }
    };
    let (Some(s), Some(o)) = (staged.get(i), open.get_mut(i)) else { return Ok(()) };
    if o.last != 0 && first <= o.last {
        let problem = format!("the staged history of '{}' goes back from record {} to {}", s.stream, o.last, first);
        return Err(StoreError::corrupt(&s.path, Position::NONE, problem));
    }
    o.file.write(bytes, scratch).map_err(|e| StoreError::io(&s.path, "stage the history", e))?;
    o.last = last;
    Ok(())
}

/// Moves each staged segment into its stream as the stream's next segment: called once the
/// entry's journal line is written. A stream whose files already hold some of a staged
/// segment's records (written by a commit whose history was not all written, and made again by
/// the replay) gets the others appended instead, as any history is. Returns the segments that
/// are closed now (a stream's last segment, once a staged one follows it), whose key files are
/// to be made once the lock is let go.
pub(super) fn install(history: &Path, staged: &[Staged]) -> Result<history::Closed, StoreError> {
    let mut closed = vec![];
    for s in staged {
        let stream_dir = history::check_stream(history, &s.stream)?;
        if history::last_seq(history, &s.stream)? >= s.first {
            closed.extend(append_staged(history, s)?);
            continue;
        }
        fs::create_dir_all(&stream_dir).map_err(|e| StoreError::io(&stream_dir, "make the history directory", e))?;
        let before = history::segments(&stream_dir)?.pop();
        let to = history::segment_name(&stream_dir, s.first);
        fs::rename(&s.path, &to).map_err(|e| StoreError::io(&to, "move the staged history into place", e))?;
        closed.extend(before.map(|(_, path)| (s.stream.clone(), path)));
    }
    if !staged.is_empty() {
        let _ = fs::remove_dir(history.join(STAGED));
    }
    Ok(closed)
}

/// Appends a staged segment's records to its stream (the append skips those it holds).
/// Returns the segments the append closed.
fn append_staged(history: &Path, s: &Staged) -> Result<history::Closed, StoreError> {
    let bytes = fs::read(&s.path).map_err(|e| StoreError::io(&s.path, "read the staged history", e))?;
    let mut ends = Vec::new();
    let mut start = 0usize;
    for line in bytes.split_inclusive(|b| *b == b'\n') {
        let end = start.saturating_add(line.len());
        let record = line.strip_suffix(b"\n").unwrap_or(line);
        let head = serde_json::from_slice::<Head>(record).map_err(|e| {
            let problem = format!("a staged record does not read: {}", json_problem(&e));
            StoreError::corrupt(&s.path, Position::NONE, problem)
        })?;
        ends.push((head.seq, end));
        start = end;
    }
    let batch = StreamBatch { stream: Cow::Borrowed(&s.stream), bytes: Cow::Borrowed(&bytes), ends: Cow::Owned(ends) };
    let closed = history::append_batches(history, &[batch], false)?;
    let _ = fs::remove_file(&s.path);
    Ok(closed)
}

/// Deletes what is staged in `history` (a refused entry's, or a crashed process's): called under
/// the exclusive lock, before an entry is applied. Costs one `stat` when nothing is staged.
pub(super) fn clear_leftovers(history: &Path) {
    let dir = history.join(STAGED);
    match fs::symlink_metadata(&dir) {
        Ok(m) if m.is_dir() => {
            let _ = fs::remove_dir_all(&dir);
        }
        // Not a directory of ours (a file or a link put there): it goes, so staging can start.
        Ok(_) => {
            let _ = fs::remove_file(&dir);
        }
        Err(_) => {}
    }
}

#[cfg(test)]
#[path = "staged_tests.rs"]
mod tests;
