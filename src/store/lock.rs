//! `entitle.lock`: the lock every reader and writer takes, a bounded wait for it, and the
//! record of who holds it exclusively.
//!
//! The lock is `flock`-style ([`File::try_lock`]): held per open file, released by the kernel
//! when the process dies. Waiting blocks in the kernel on a second open file (in a thread, so that it is woken
//! the moment the lock is let go) until [`LockWait::timeout`] has passed, calling the waiter (if any)
//! every 50 ms so a screen can keep drawing and let the user give up.
//!
//! Whoever takes the exclusive lock writes one JSON line into the lock file,
//! `{"pid":123,"command":"entitle clock set 3000-01-01","since":"2026-11-29T17:00:00Z"}`, and
//! empties it again before letting go. A process that waits reads it (read access is enough)
//! to say who holds the lock. An empty file while the lock is taken means a reader holds it,
//! or a process that could not write the record.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Serialize};

use super::error::StoreError;
use super::files;

/// The default wait for the lock before a command is refused.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(5);

/// How often a waiter is told how long it has waited.
const TICK: Duration = Duration::from_millis(50);

/// The waiter is called only once the wait has lasted this long: the usual short waits for
/// another process's commit should not make a screen flash.
const QUIET_WAIT: Duration = Duration::from_millis(150);

/// Who holds the lock exclusively, as written in the lock file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockHolder {
    pub pid: u32,
    pub command: String,
    /// When it took the lock (UTC, RFC 3339).
    pub since: String,
}

impl fmt::Display for LockHolder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "process {} ({}) since {}", self.pid, self.command, self.since)
    }
}

/// What a waiter is told between two tries.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub holder: Option<LockHolder>,
    pub waited: Duration,
    pub timeout: Duration,
}

/// Whether to keep waiting for the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    KeepWaiting,
    GiveUp,
}

/// Called between tries while the lock is held by another process, once the wait has lasted
/// a moment (150 ms).
pub type Waiter = Box<dyn FnMut(&Waiting) -> Wait + Send>;

/// How long a store waits for the lock, and who is told meanwhile.
pub struct LockWait {
    pub timeout: Duration,
    waiter: Option<Waiter>,
}

impl Default for LockWait {
    fn default() -> Self {
        LockWait { timeout: DEFAULT_LOCK_TIMEOUT, waiter: None }
    }
}

impl fmt::Debug for LockWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LockWait").field("timeout", &self.timeout).field("waiter", &self.waiter.is_some()).finish()
    }
}

impl LockWait {
    pub fn new(timeout: Duration) -> Self {
        LockWait { timeout, waiter: None }
    }

    /// Calls `waiter` between tries; it may give up before the timeout.
    pub fn with_waiter(mut self, waiter: Waiter) -> Self {
        self.waiter = Some(waiter);
        self
    }
}

/// The lock file as this process could open it.
pub(crate) struct LockFile {
    path: PathBuf,
    file: Option<File>,
    writable: bool,
}

impl LockFile {
    /// Opens (creating if needed) the lock file for writing; if that is not allowed, for reading
    /// only (reads still lock; commits are refused); if it cannot be opened at all, without a
    /// lock (reads go on unlocked, see [`LockFile::is_locking`]).
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let rw = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path);
        let (file, writable) = match rw {
            Ok(file) => (Some(file), true),
            Err(e) if read_only(&e) => match File::open(path) {
                Ok(file) => (Some(file), false),
                Err(e) if read_only(&e) || e.kind() == io::ErrorKind::NotFound => (None, false),
                Err(e) => return Err(StoreError::io(path, "open the lock file", e)),
            },
            Err(e) => return Err(StoreError::io(path, "open the lock file", e)),
        };
        if let Some(f) = &file {
            let meta = f.metadata().map_err(|e| StoreError::io(path, "look at the lock file", e))?;
            files::check_regular(path, &meta)?;
        }
        Ok(LockFile { path: path.to_owned(), file, writable })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether this process may write: the lock file opened for writing.
    pub fn is_writable(&self) -> bool {
        self.writable
    }

    /// Whether the lock file could be opened at all (if not, reads are not locked).
    pub fn is_locking(&self) -> bool {
        self.file.is_some()
    }

    pub fn shared(&self, wait: &mut LockWait) -> Result<Held<'_>, StoreError> {
        self.take(false, wait)
    }

    /// The exclusive lock, with this process's holder record written into the lock file.
    /// Refused with [`StoreError::ReadOnly`] when the lock file could not be opened for writing.
    pub fn exclusive(&self, wait: &mut LockWait) -> Result<Held<'_>, StoreError> {
        if !self.writable {
            return Err(StoreError::ReadOnly { path: self.path.clone() });
        }
        let held = self.take(true, wait)?;
        held.write_record();
        Ok(held)
    }

    /// The exclusive lock, tried every millisecond until `timeout` has passed, in this thread
    /// alone (no waiting thread, no waiter): for a process forked to compact, which must not
    /// start threads or call back into its parent's code.
    pub fn exclusive_polling(&self, timeout: Duration) -> Result<Held<'_>, StoreError> {
        let Some(file) = self.file.as_ref().filter(|_| self.writable) else {
            return Err(StoreError::ReadOnly { path: self.path.clone() });
        };
        let start = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => {
                    let held = Held { file: Some(HeldFile::Mine(file)), exclusive: true };
                    held.write_record();
                    return Ok(held);
                }
                Err(fs::TryLockError::WouldBlock) => {}
                Err(fs::TryLockError::Error(e)) => {
                    return Err(StoreError::io(&self.path, "take an exclusive lock", e));
                }
            }
            let waited = start.elapsed();
            if waited >= timeout {
                return Err(StoreError::Locked { path: self.path.clone(), holder: read_holder(&self.path), waited });
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    fn take(&self, exclusive: bool, wait: &mut LockWait) -> Result<Held<'_>, StoreError> {
        let Some(file) = &self.file else {
            return Ok(Held { file: None, exclusive });
        };
        let action = if exclusive { "take an exclusive lock" } else { "take a shared lock" };
        let tried = if exclusive { file.try_lock() } else { file.try_lock_shared() };
        match tried {
            Ok(()) => return Ok(Held { file: Some(HeldFile::Mine(file)), exclusive }),
            Err(fs::TryLockError::WouldBlock) => {}
            Err(fs::TryLockError::Error(e)) => return Err(StoreError::io(&self.path, action, e)),
        }
        if wait.timeout.is_zero() {
            let holder = read_holder(&self.path);
            return Err(StoreError::Locked { path: self.path.clone(), holder, waited: Duration::ZERO });
        }
        // Wait in the kernel, on a second open file of our own, so that this process is woken the
        // moment the lock is let go: polling would let a busy process take it again first.
        let second = File::open(&self.path).map_err(|e| StoreError::io(&self.path, action, e))?;
        let slot = Arc::new((Mutex::new(Slot::Waiting), Condvar::new()));
        let theirs = Arc::clone(&slot);
        std::thread::spawn(move || {
            let got = if exclusive { second.lock() } else { second.lock_shared() };
            let (state, woken) = &*theirs;
            let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
            // Given up meanwhile: the file is closed here, which lets the lock go at once.
            if matches!(*state, Slot::Waiting) {
                *state = match got {
                    Ok(()) => Slot::Taken(second),
                    Err(e) => Slot::Failed(e),
                };
            }
            woken.notify_all();
        });
        let (state, woken) = &*slot;
        let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
        let start = Instant::now();
        loop {
            match std::mem::replace(&mut *state, Slot::Waiting) {
                Slot::Taken(f) => return Ok(Held { file: Some(HeldFile::Waited(f)), exclusive }),
                Slot::Failed(e) => return Err(StoreError::io(&self.path, action, e)),
                Slot::Waiting | Slot::GivenUp => {}
            }
            let waiting = Waiting { holder: read_holder(&self.path), waited: start.elapsed(), timeout: wait.timeout };
            if waiting.waited >= wait.timeout {
                *state = Slot::GivenUp;
                return Err(StoreError::Locked {
                    path: self.path.clone(),
                    holder: waiting.holder,
                    waited: waiting.waited,
                });
            }
            if waiting.waited >= QUIET_WAIT
                && let Some(waiter) = wait.waiter.as_mut()
                && waiter(&waiting) == Wait::GiveUp
            {
                *state = Slot::GivenUp;
                return Err(StoreError::GaveUp { path: self.path.clone(), holder: waiting.holder });
            }
            let slice = TICK.min(wait.timeout.saturating_sub(waiting.waited));
            state = woken.wait_timeout(state, slice).map(|(g, _)| g).unwrap_or_else(|e| e.into_inner().0);
        }
    }
}

/// Where the waiting thread leaves the lock it took (or why it could not).
enum Slot {
    Waiting,
    Taken(File),
    Failed(io::Error),
    /// The waiter stopped waiting: a lock taken after this is let go at once.
    GivenUp,
}

fn read_only(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem)
}

/// A held lock; released when dropped (an exclusive holder first empties its record).
pub(crate) struct Held<'a> {
    file: Option<HeldFile<'a>>,
    exclusive: bool,
}

/// The open file that holds the lock: the store's own, or the one a wait took it with.
enum HeldFile<'a> {
    Mine(&'a File),
    Waited(File),
}

impl HeldFile<'_> {
    fn file(&self) -> &File {
        match self {
            HeldFile::Mine(f) => f,
            HeldFile::Waited(f) => f,
        }
    }
}

impl Held<'_> {
    /// Writes this process's holder record into the lock file. The record is only for the
    /// message of a process that waits: failing to write it must not stop the commit.
    fn write_record(&self) {
        if let Some(mut file) = self.file.as_ref().map(HeldFile::file) {
            let _ =
                file.set_len(0).and_then(|()| file.seek(SeekFrom::Start(0))).and_then(|_| file.write_all(&record()));
        }
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        // Closing the file would release it too; an error here leaves nothing to clean up.
        if let Some(held) = &self.file {
            let file = held.file();
            if self.exclusive {
                let _ = file.set_len(0);
            }
            let _ = file.unlock();
        }
    }
}

/// This process's holder record: one JSON line.
fn record() -> Vec<u8> {
    let command: String = std::env::args()
        .map(|a| a.chars().filter(|c| !c.is_control()).collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(200)
        .collect();
    let since = chrono::DateTime::<chrono::Utc>::from(SystemTime::now()).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let holder = LockHolder { pid: std::process::id(), command, since };
    let mut line = serde_json::to_vec(&holder).unwrap_or_default();
    line.push(b'\n');
    line
}

/// The record in the lock file, if there is a readable one.
pub(crate) fn read_holder(path: &Path) -> Option<LockHolder> {
    let mut text = Vec::new();
    File::open(path).ok()?.take(4096).read_to_end(&mut text).ok()?;
    serde_json::from_slice(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exclusive_holder_leaves_a_record_while_it_holds_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("entitle.lock");
        let lock = LockFile::open(&path).unwrap();
        let held = lock.exclusive(&mut LockWait::default()).unwrap();
        let holder = read_holder(&path).unwrap();
        assert_eq!(holder.pid, std::process::id());
        assert!(holder.since.ends_with('Z'), "{holder}");

        let other = LockFile::open(&path).unwrap();
        let mut gave_up = LockWait::new(Duration::from_secs(60)).with_waiter(Box::new(|w: &Waiting| {
            assert_eq!(w.holder.as_ref().map(|h| h.pid), Some(std::process::id()));
            Wait::GiveUp
        }));
        match other.shared(&mut gave_up) {
            Err(StoreError::GaveUp { holder: Some(h), .. }) => assert_eq!(h.pid, std::process::id()),
            Err(e) => panic!("not a give-up: {e}"),
            Ok(_) => panic!("took a lock that is held"),
        }
        drop(held);
        assert_eq!(read_holder(&path), None, "the record is emptied on release");
        other.shared(&mut LockWait::new(Duration::ZERO)).unwrap();
    }
}
