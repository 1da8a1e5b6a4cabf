//! Compaction in the background: the process whose commit makes a compaction due does not
//! write the snapshot itself. On Unix it forks: the child holds a copy-on-write image of the
//! state as of the compaction's start, writes the snapshot beside the old one, takes the lock
//! with a lock file of its own to put it in place, and ends; the parent's commit returns at
//! once, and the parent follows the child's compaction as it follows any other process's (by
//! reading on in the journal, see [`super::compaction`]). A thread of the parent waits for the
//! child, so that it never lingers as a zombie; the parent itself waits for it only when the
//! journal is twice past the limits, or before a compaction asked for by name.
//!
//! The committing process does not sync the history for it either: the child does, before it
//! puts its snapshot in place (the journal lines that could make that history again are kept
//! until then).
//!
//! One compaction at a time per process: while a child runs, a commit that finds a compaction
//! due leaves it to the child. If the child dies half-way, its temporary file is left beside
//! the snapshot (never read) and removed by the next compaction, the failure is reported by
//! [`Store::take_compaction_error`], and a later commit compacts again. Where `fork` fails,
//! or on other systems, the committing process writes the snapshot itself, as before.

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use super::Persist;
use super::cache::{self, CacheMiss, LoadSource, Tie};
use super::compaction::{self, CompactionStart};
use super::error::StoreError;
use super::files::Paths;
use super::handle::{Store, View};

/// How long a compacting child waits for the lock to put its snapshot in place.
const CHILD_LOCK_WAIT: Duration = Duration::from_secs(60);

/// How long a commit that finds the journal twice past the limits waits for a compaction
/// running in the background to end, before it compacts under the lock itself.
const OVERDUE_WAIT: Duration = Duration::from_secs(60);

/// Where a compacting child stops itself (`SIGSTOP`), for unit tests to act meanwhile.
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChildStop {
    /// Before writing anything.
    BeforeWrite,
    /// With the snapshot written and synced beside the old one, before taking the lock.
    AfterWrite,
}

/// This process's compaction in the background, if one was started.
#[derive(Default)]
pub(super) struct Background {
    /// Compact in the background (the default), or in the committing process.
    pub(super) disabled: bool,
    child: Option<Child>,
    /// A child writing the cache after an open that read the JSON (see [`Store::renew_cache`]).
    cache: Option<Child>,
    #[cfg(test)]
    pub(super) stop: Option<ChildStop>,
}

/// A compacting child process, and what became of it once a thread has waited for it.
struct Child {
    pid: u32,
    ended: Arc<(Mutex<Option<Ended>>, Condvar)>,
}

/// How a child ended.
#[derive(Debug, Clone, Copy)]
enum Ended {
    /// Its `waitpid` status.
    Status(i32),
    /// It could not be waited for (`SIGCHLD` ignored, say): whether it finished is seen in the
    /// files, by the next commit.
    Unknown,
}

impl Background {
    /// Whether a child is still at work.
    fn running(&self) -> bool {
        self.child.as_ref().is_some_and(|c| lock(&c.ended.0).is_none())
    }

    /// The child's pid, if one was started and not yet reaped.
    #[cfg(test)]
    fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(|c| c.pid)
    }

    /// How `child` ended, waiting for it at most `wait`; `None` while it runs.
    fn wait(child: &Child, wait: Duration) -> Option<Ended> {
        let (slot, woken) = &*child.ended;
        let guard = lock(slot);
        let (guard, _) =
            woken.wait_timeout_while(guard, wait, |ended| ended.is_none()).unwrap_or_else(PoisonError::into_inner);
        *guard
    }

    /// Takes the child that ended, waiting for it at most `wait`: `None` while it runs (or
    /// when there is none), else whether it did its work.
    fn take_ended(&mut self, wait: Duration, snapshot: &std::path::Path) -> Option<Result<(), StoreError>> {
        let child = self.child.as_ref()?;
        let ended = Self::wait(child, wait)?;
        let pid = child.pid;
        self.child = None;
        Some(outcome(pid, ended, snapshot))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What a child's end means for the store: its work done, or an [`StoreError::Unfinished`].
fn outcome(pid: u32, ended: Ended, snapshot: &std::path::Path) -> Result<(), StoreError> {
    let how = match ended {
        Ended::Unknown => return Ok(()),
        Ended::Status(s) => exit_problem(s),
    };
    match how {
        None => Ok(()),
        Some(how) => Err(StoreError::Unfinished { path: snapshot.to_owned(), pid, how }),
    }
}

#[cfg(unix)]
fn exit_problem(status: i32) -> Option<String> {
    if libc::WIFEXITED(status) {
        match libc::WEXITSTATUS(status) {
            0 => None,
            EXIT_FAILED => Some("it could not write the snapshot or put it in place".to_owned()),
            code => Some(format!("it stopped with exit status {code}")),
        }
    } else if libc::WIFSIGNALED(status) {
        Some(format!("it was killed by signal {}", libc::WTERMSIG(status)))
    } else {
        Some(format!("it ended with wait status {status}"))
    }
}

#[cfg(not(unix))]
fn exit_problem(status: i32) -> Option<String> {
    (status != 0).then(|| format!("it ended with status {status}"))
}

/// A child's exit status when its compaction returned an error.
const EXIT_FAILED: i32 = 1;
/// A child's exit status when its compaction panicked.
#[cfg(unix)]
const EXIT_PANICKED: i32 = 2;

impl<S: Persist> Store<S> {
    /// Writes the state as a new snapshot and empties the journal, in this process (first
    /// waiting for a compaction this process runs in the background). Crash-safe: the
    /// snapshot is replaced atomically and carries its seq, so journal lines left behind by a
    /// crash are skipped on load.
    pub fn compact(&mut self) -> Result<(), StoreError> {
        self.check_writable()?;
        if let Some(Err(e)) = self.background.take_ended(Duration::MAX, &self.paths.snapshot) {
            self.compaction_error = Some(e);
        }
        self.compact_unlocked()
    }

    /// Whether automatic compactions (after commits) write the snapshot in a process of their
    /// own (the default, on Unix), or in the committing process before the commit returns.
    pub fn set_background_compaction(&mut self, on: bool) {
        self.background.disabled = !on;
    }

    /// Waits for the compaction this process runs in the background, if any, to end, then
    /// catches up with it (as [`Store::refresh`]); returns its failure. A process need not
    /// call this: the compaction finishes on its own, even after the process exits, and the
    /// next commit follows it.
    pub fn wait_for_compaction(&mut self) -> Result<(), StoreError> {
        match self.background.take_ended(Duration::MAX, &self.paths.snapshot) {
            Some(Err(e)) => Err(e),
            Some(Ok(())) => self.refresh().map(|_| ()),
            None => Ok(()),
        }
    }

    /// Whether a compaction this process started in the background still runs (noting its
    /// end, as [`Store::take_compaction_error`] reports).
    pub fn compacting(&mut self) -> bool {
        self.reap_background(false);
        self.background.running()
    }

    /// Notes the end of a compaction running in the background (its failure for
    /// [`Store::take_compaction_error`]). With `overdue` (the journal twice past the limits),
    /// waits for it first, so that it, not this process under the lock, writes the snapshot.
    pub(super) fn reap_background(&mut self, overdue: bool) {
        let wait = if overdue { OVERDUE_WAIT } else { Duration::ZERO };
        if let Some(Err(e)) = self.background.take_ended(wait, &self.paths.snapshot) {
            self.compaction_error = Some(e);
        }
    }

    /// The compaction a commit made due: in a child process (see the module docs), or here if
    /// that cannot be done. Nothing when this process's previous one still runs.
    pub(super) fn compact_after_commit(&mut self) -> Result<(), StoreError> {
        self.reap_background(false);
        if self.background.running() {
            return Ok(());
        }
        if self.background.disabled {
            return self.compact_unlocked();
        }
        // The child syncs the history (a sync of every stream can take hundreds of
        // milliseconds on a busy disk, which this commit should not wait for).
        let start = self.compaction_begin(false)?;
        if let Some(child) = fork_compaction(self, &start) {
            self.background.child = Some(child);
            return Ok(());
        }
        super::history::sync_all(&self.view.history)?;
        self.compaction_rest(start)
    }

    /// A compaction that holds the exclusive lock only to start and to finish: the history is
    /// synced under it, the snapshot is written without it (however big the state, others
    /// commit meanwhile), and it is renamed into place under it, with the journal lines
    /// committed meanwhile kept. If another process compacted meanwhile, this one's snapshot
    /// is dropped (theirs is as new or newer).
    pub(super) fn compact_unlocked(&mut self) -> Result<(), StoreError> {
        let start = self.compaction_begin(true)?;
        self.compaction_rest(start)
    }

    /// The first step of a compaction, under the exclusive lock (after catching up). The
    /// history is synced once before the lock is taken: a sync of every stream can take a
    /// good part of a second on a busy disk, which no commit of another process should wait
    /// for; under the lock only what was appended meanwhile is synced. Without `sync`, the
    /// history is not synced at all: whoever writes the snapshot syncs it before putting the
    /// snapshot in place.
    fn compaction_begin(&mut self, sync: bool) -> Result<CompactionStart, StoreError> {
        self.reload_if_replaced()?;
        let mut synced = super::history::Synced::default();
        if sync {
            super::history::sync_all_since(&self.view.history, &mut synced)?;
        } else {
            history_listable(&self.view.history)?;
        }
        let _held = self.lock.exclusive(&mut self.wait)?;
        self.view.catch_up(&self.paths)?;
        self.notices.keep_torn(&self.paths.journal, &self.view.cursor)?;
        if sync {
            self.view.compaction_start_after(&self.paths, &mut synced)
        } else {
            self.view.compaction_start_unsynced(&self.paths)
        }
        // The lock is let go here, explicitly (a child forked next must not hold it).
    }

    /// The rest of a compaction, in this process.
    fn compaction_rest(&mut self, start: CompactionStart) -> Result<(), StoreError> {
        let written = self.view.compaction_write(&self.paths, &start)?;
        #[cfg(test)]
        compaction::while_compacting();
        let held = match self.lock.exclusive(&mut self.wait) {
            Ok(held) => held,
            Err(e) => {
                written.discard();
                return Err(e);
            }
        };
        let old = self.view.compaction_finish(&self.paths, &start, written)?;
        drop(held);
        compaction::remove_old(old);
        self.view.make_missing_keys();
        Ok(())
    }

    /// After an open that read the JSON because the cache was missing, stale or damaged:
    /// writes a new cache of the state in a child process, so the open returns at once and
    /// the next one reads the cache. Nothing if the data is read-only, or if the child cannot
    /// be started (the next compaction writes it).
    pub(super) fn renew_cache(&mut self) {
        let LoadSource::Snapshot(CacheMiss::Missing | CacheMiss::Stale | CacheMiss::Damaged) = self.view.source else {
            return;
        };
        if self.check_writable().is_err() || self.background.cache.is_some() {
            return;
        }
        let Some((tie, _, _)) = Tie::of_file(&self.paths.snapshot, Some(self.view.snapshot)) else { return };
        let Ok(history) = self.view.history_name(&self.paths) else { return };
        let (paths, view) = (&self.paths, &self.view);
        self.background.cache = fork_doing(|| cache::write(paths, &view.state, view.cursor.seq, tie, &history));
    }

    /// Waits for the cache being written by [`Store::renew_cache`], if any (tests and
    /// benchmarks: nothing else needs to).
    pub fn wait_for_cache(&mut self) {
        if let Some(child) = self.background.cache.take() {
            let _ = Background::wait(&child, Duration::MAX);
        }
    }

    /// The pid of the compaction this process runs in the background (unit tests).
    #[cfg(test)]
    pub(crate) fn background_pid(&self) -> Option<u32> {
        self.background.pid()
    }

    /// Makes the next compaction in the background stop itself at `stop` (unit tests).
    #[cfg(test)]
    pub(crate) fn stop_background_at(&mut self, stop: Option<ChildStop>) {
        self.background.stop = stop;
    }
}

impl<S: Persist> View<S> {
    /// A compaction's last two steps, in a child process: the snapshot written without the
    /// lock and the history synced (the parent did not: see `compact_after_commit`), then the
    /// snapshot put in place under a lock taken through a lock file of the child's own.
    fn compact_in_child(&self, paths: &Paths, start: &CompactionStart) -> Result<(), StoreError> {
        #[cfg(test)]
        stop_here(ChildStop::BeforeWrite);
        let written = self.compaction_write(paths, start)?;
        if let Err(e) = super::history::sync_all(&self.history) {
            written.discard();
            return Err(e);
        }
        #[cfg(test)]
        stop_here(ChildStop::AfterWrite);
        let lock = super::lock::LockFile::open(&paths.lock)?;
        let held = match lock.exclusive_polling(CHILD_LOCK_WAIT) {
            Ok(held) => held,
            Err(e) => {
                written.discard();
                return Err(e);
            }
        };
        let placed = compaction::put_in_place(paths, start, written)?;
        drop(held);
        compaction::remove_old(placed.and_then(|(_, old)| old));
        self.make_missing_keys();
        Ok(())
    }
}

/// What a sync of the history would find wrong with its directory, found at once, without
/// syncing (left to the child): a compaction that cannot finish fails in the commit that
/// starts it, as when this process compacts itself.
fn history_listable(dir: &std::path::Path) -> Result<(), StoreError> {
    match std::fs::read_dir(dir) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StoreError::io(dir, "list the history", e)),
    }
}

#[cfg(test)]
thread_local! {
    /// The stop the child about to be forked makes (copied into it by the fork).
    static CHILD_STOP: std::cell::Cell<Option<ChildStop>> = const { std::cell::Cell::new(None) };
}

#[cfg(test)]
fn stop_here(at: ChildStop) {
    if CHILD_STOP.with(std::cell::Cell::get) == Some(at) {
        // SAFETY: raising a signal at this process has no memory-safety preconditions.
        unsafe {
            libc::raise(libc::SIGSTOP);
        }
    }
}

/// Forks a child that finishes the compaction `start`ed (the state as of now, copy-on-write);
/// `None` if the system cannot (the caller compacts itself).
fn fork_compaction<S: Persist>(store: &Store<S>, start: &CompactionStart) -> Option<Child> {
    #[cfg(test)]
    CHILD_STOP.with(|s| s.set(store.background.stop));
    fork_doing(|| store.view.compact_in_child(&store.paths, start))
}

/// Forks a child that does `work` with a copy-on-write image of this process, then ends;
/// `None` if the system cannot.
#[cfg(unix)]
fn fork_doing(work: impl FnOnce() -> Result<(), StoreError>) -> Option<Child> {
    // SAFETY: `fork` has no preconditions. The child (pid 0) runs only `in_child`, which never
    // returns into the caller: it closes every file it inherited, writes files of its own
    // with the state it has a copy of (allocation is fork-safe in glibc; no lock of the
    // parent's threads is taken), and ends with `_exit`, running no destructor of the parent's.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        in_child(work);
    }
    if pid < 0 {
        return None;
    }
    Some(Child::watch(pid))
}

#[cfg(not(unix))]
fn fork_doing(_: impl FnOnce() -> Result<(), StoreError>) -> Option<Child> {
    None
}

/// The child's life: cut loose from the parent's terminal and files, do `work`, `_exit`.
#[cfg(unix)]
fn in_child(work: impl FnOnce() -> Result<(), StoreError>) -> ! {
    detach();
    let code = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
        Ok(Ok(())) => 0,
        Ok(Err(_)) => EXIT_FAILED,
        Err(_) => EXIT_PANICKED,
    };
    // SAFETY: ends this process at once, without unwinding into the parent's code or running
    // its destructors and exit handlers.
    unsafe { libc::_exit(code) }
}

/// A new session (no signal from the parent's terminal reaches the child), standard streams
/// on `/dev/null`, and every other inherited file closed: the parent's lock file above all,
/// whose lock belongs to the open file the two would share.
#[cfg(unix)]
fn detach() {
    // SAFETY: plain system calls on this process's own descriptors; the path is a C string.
    unsafe {
        libc::setsid();
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
        if null >= 0 {
            for fd in 0..3 {
                libc::dup2(null, fd);
            }
        }
    }
    close_from(3);
}

#[cfg(unix)]
fn close_from(first: i32) {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: close_range only closes descriptors of this process.
        let closed = unsafe { libc::syscall(libc::SYS_close_range, first, u32::MAX, 0) };
        if closed == 0 {
            return;
        }
    }
    // SAFETY: sysconf reads a limit; closing a descriptor that is not open does nothing.
    unsafe {
        let max = i32::try_from(libc::sysconf(libc::_SC_OPEN_MAX)).unwrap_or(1024).clamp(first, 1 << 20);
        for fd in first..max {
            libc::close(fd);
        }
    }
}

impl Child {
    /// The child `pid`, with a thread that waits for it (or, if no thread can be started,
    /// waited for at once).
    #[cfg(unix)]
    fn watch(pid: libc::pid_t) -> Child {
        let ended = Arc::new((Mutex::new(None), Condvar::new()));
        let theirs = Arc::clone(&ended);
        let waiter = move || {
            let how = wait_for(pid);
            let (slot, woken) = &*theirs;
            *lock(slot) = Some(how);
            woken.notify_all();
        };
        let spawned = std::thread::Builder::new().name("entitle-compaction".to_owned()).spawn(waiter.clone());
        if spawned.is_err() {
            waiter();
        }
        Child { pid: u32::try_from(pid).unwrap_or(0), ended }
    }
}

/// Waits for the child `pid` to end.
#[cfg(unix)]
fn wait_for(pid: libc::pid_t) -> Ended {
    loop {
        let mut status: libc::c_int = 0;
        // SAFETY: waits for our own child; `status` is a live local.
        let got = unsafe { libc::waitpid(pid, &mut status, 0) };
        if got == pid {
            return Ended::Status(status);
        }
        if got < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        return Ended::Unknown;
    }
}

#[cfg(all(test, target_os = "linux"))]
#[path = "background_tests.rs"]
mod background_tests;
