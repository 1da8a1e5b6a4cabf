//! A signed-in session over a store: the glue every face (CLI and TUI) uses. It reads the wall
//! clock (the only place that does), turns it into tenant time, journals a `Tick` when time has
//! moved, and commits each command as the signed-in actor.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, anyhow};

use crate::domain::finished::{FinishedRecord, is_request_stream, request_stream};
use crate::domain::finished_pages::FinishedKey;
use crate::domain::history::{AUDIT_STREAM, notice_line_recipient, notice_stream};
use crate::domain::identity::SignIn;
use crate::domain::read_views::AuditView;
use crate::domain::{
    Actor, AuditEvent, Clock, Command, DomainError, Entry, Fired, Notification, Outcome, PackageId, Request, RequestId,
    StageDecision, Tenant, Time, UserId,
};
use crate::store::{
    CommitError, DEFAULT_LOCK_TIMEOUT, HistoryCursor, HistoryOnDisk, HistorySpill, KeyCodec, LockWait, Persist, Store,
    StoreError, StreamBatch,
};

mod extension_runner;
pub use extension_runner::CalloutJobs;
mod audit_log;
pub use audit_log::{AuditChange, AuditLog};
mod config;
mod pages;
mod what_if;
pub use pages::{FinishedPages, Listing, PAGE};

impl Persist for Tenant {
    type Entry = Entry;
    type Output = Outcome;
    type Error = DomainError;
    const KIND: &'static str = "entitle-tenant";
    const SCHEMA_VERSION: u32 = 3;

    /// 1 to 2: requests and assignments refer to policy revisions instead of copies of terms.
    /// 2 to 3: finished requests leave the snapshot for the history; the JSON stays as it is,
    /// and loading moves them out (`Tenant::rebuild_indexes`): the compaction that follows a
    /// migration writes them to the history files and a snapshot without them.
    fn migrate(from_version: u32, state: serde_json::Value) -> Result<serde_json::Value, String> {
        match from_version {
            1 => crate::domain::migrate::schema_1_to_2(state),
            2 => Ok(state),
            v => Err(format!("this entitle knows no upgrade from schema version {v} to {}", Self::SCHEMA_VERSION)),
        }
    }

    fn apply(&mut self, entry: &Entry) -> Result<Outcome, DomainError> {
        Tenant::apply(self, entry)
    }

    fn replay(&mut self, entry: &Entry) -> Result<Outcome, DomainError> {
        Tenant::replay(self, entry)
    }

    /// Only a command that fired many timers (a clock jump) can take long to replay.
    fn may_be_heavy(output: &Outcome) -> bool {
        output.fired.total() >= HEAVY_FIRED
    }

    fn decode_state(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        crate::domain::decode::decode(bytes)
    }

    const CACHE_FORMAT: Option<u32> = Some(crate::domain::binary::FORMAT);

    fn encode_cache(&self) -> Result<Vec<Vec<u8>>, serde_json::Error> {
        crate::domain::binary::encode(self)
    }

    fn decode_cache(sections: Vec<&[u8]>, decoded: &(dyn Fn(&[u8]) + Sync)) -> Result<Self, String> {
        crate::domain::binary::decode_releasing(sections, decoded).map_err(|e| e.to_string())
    }

    fn after_load(&mut self) {
        self.rebuild_indexes();
    }

    fn history_batches(&self) -> Result<Vec<StreamBatch<'_>>, serde_json::Error> {
        let streams = Tenant::pending_history(self)?;
        Ok(streams
            .into_iter()
            .map(|(stream, lines)| {
                let (bytes, ends) = match lines {
                    Cow::Borrowed(l) => (Cow::Borrowed(l.bytes()), Cow::Borrowed(l.ends())),
                    Cow::Owned(l) => {
                        let (bytes, ends) = l.into_parts();
                        (Cow::Owned(bytes), Cow::Owned(ends))
                    }
                };
                StreamBatch { stream: Cow::Owned(stream), bytes, ends }
            })
            .collect())
    }

    fn replaying_over(&mut self, on_disk: Option<HistoryOnDisk>) {
        Tenant::replaying_over(self, on_disk);
    }

    fn history_written(&mut self) {
        Tenant::history_written(self);
    }

    fn spill_into(&mut self, spill: Option<HistorySpill>) {
        use crate::domain::tail::{Batch, Spill};
        use crate::store::SpillLines;
        let spill = spill.map(|mut to| -> Spill {
            Box::new(move |stream: &str, batch: Batch, first: u64, last: u64| {
                let lines = match batch {
                    Batch::Written(bytes) => SpillLines::Written(bytes),
                    Batch::Later(write) => SpillLines::Later(write),
                };
                to(stream, lines, first, last)
            })
        });
        Tenant::spill_into(self, spill);
    }

    fn history_key(stream: &str) -> Option<KeyCodec> {
        if stream == AUDIT_STREAM {
            // Made after the fact: a clock jump closes segments of it by the hundred megabytes.
            return Some(KeyCodec::of_later::<crate::domain::audit_key::AuditKey>());
        }
        is_request_stream(stream).then(KeyCodec::of::<FinishedKey>)
    }
}

/// A command that fired fewer timers than this is never compacted at once, however long it
/// took (a process kept waiting for the processor is not a heavy entry).
const HEAVY_FIRED: usize = 1_000;

/// The wall clock. Nothing below this crate's faces reads it.
/// Whole seconds: nothing in the tenant needs finer, and it keeps every timestamp in the files short.
pub fn wall() -> Time {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(0)
}

/// Where the data lives: `--data`, else `ENTITLE_DATA`, else the user's data directory.
pub fn data_dir(arg: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(p) = arg {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("ENTITLE_DATA").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    directories::ProjectDirs::from("", "", "entitle")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| anyhow!("No home directory to keep data in: pass --data DIR or set ENTITLE_DATA"))
}

/// The longest wait for the lock that `--lock-timeout` and `ENTITLE_LOCK_TIMEOUT` accept.
pub const MAX_LOCK_TIMEOUT_SECS: f64 = 3600.0;

/// How long to wait for another process's lock: `--lock-timeout SECONDS`, else
/// `ENTITLE_LOCK_TIMEOUT`, else [`DEFAULT_LOCK_TIMEOUT`]. Seconds from 0 to
/// [`MAX_LOCK_TIMEOUT_SECS`], fractions allowed (0 means: do not wait at all).
pub fn lock_timeout(arg: Option<&str>) -> anyhow::Result<Duration> {
    let (text, from) = match (arg, std::env::var("ENTITLE_LOCK_TIMEOUT").ok()) {
        (Some(a), _) => (a.to_owned(), "--lock-timeout"),
        (None, Some(e)) if !e.trim().is_empty() => (e, "ENTITLE_LOCK_TIMEOUT"),
        _ => return Ok(DEFAULT_LOCK_TIMEOUT),
    };
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| (0.0..=MAX_LOCK_TIMEOUT_SECS).contains(s))
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| {
            anyhow!("{from} {text:?} is not a wait for the lock: give seconds from 0 to {MAX_LOCK_TIMEOUT_SECS}, such as 5 or 0.5")
        })
}

/// Why a command did not happen.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The domain refused: the rule's message.
    #[error("{0}")]
    Refused(DomainError),
    /// The files could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<CommitError<DomainError>> for RunError {
    fn from(e: CommitError<DomainError>) -> Self {
        match e {
            CommitError::Refused(d) => RunError::Refused(d),
            CommitError::Store(s) => RunError::Store(s),
        }
    }
}

pub struct Session {
    pub store: Store<Tenant>,
    pub actor: Actor,
    /// The global administrator acting as `actor` (team mode), if any: each command is audited
    /// with both.
    pub by: Option<UserId>,
    /// What it keeps of the history to read long lists a page at a time.
    pub pages: FinishedPages,
}

/// How the data was found when opening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    Existing,
    /// No data was there: the demo tenant was installed.
    InstalledDemo,
}

/// What a reader of one user's mailbox has read of the files (see [`Session::mailbox_since`]):
/// where it stopped, and the user's notices read so far.
#[derive(Debug, Clone, Default)]
pub struct MailboxRead {
    user: Option<UserId>,
    cursor: HistoryCursor,
    held: Vec<Notification>,
}

impl Session {
    /// Open the store in `dir`, waiting for the lock as `wait` says; with no data there,
    /// install the demo tenant. A directory that holds anything that is not plain data (a
    /// dangling link at `tenant.json`, a FIFO) is refused, never taken for "no data".
    pub fn open(dir: &Path, wait: LockWait) -> anyhow::Result<(Store<Tenant>, Opened)> {
        let timeout = wait.timeout;
        match Store::<Tenant>::open_with(dir, wait)? {
            Some(mut s) => {
                // Data from an older entitle is written in today's form at once (the old snapshot
                // kept as a backup), so no later open upgrades it again. If that cannot be done
                // now (read-only data, or another process holds the lock), the next commit does it.
                if s.migrated_from().is_some() && s.is_writable() {
                    let _ = s.compact();
                }
                Ok((s, Opened::Existing))
            }
            None => {
                let tenant = crate::demo::demo_tenant().context("building the demo tenant")?;
                let mut s = Store::create(dir, tenant)?;
                let _ = s.set_lock_wait(LockWait::new(timeout));
                Ok((s, Opened::InstalledDemo))
            }
        }
    }

    /// A fresh tenant: the demo, or an empty one with one administrator and a live clock.
    /// Returns the store and the backups made of the data it replaced.
    /// Waits for the lock as `wait` says; the old data stays readable until the new is in place.
    pub fn init(
        dir: &Path,
        demo: bool,
        admin_email: &str,
        wait: LockWait,
    ) -> anyhow::Result<(Store<Tenant>, Vec<PathBuf>)> {
        let tenant = if demo { crate::demo::demo_tenant()? } else { empty_tenant(admin_email)? };
        Ok(Store::create_replacing_with(dir, tenant, wait)?)
    }

    pub fn new(store: Store<Tenant>, actor: Actor) -> Self {
        Session { store, actor, by: None, pages: FinishedPages::default() }
    }

    /// A session for whoever the domain signed in.
    pub fn signed_in(store: Store<Tenant>, who: SignIn) -> Self {
        Session { store, actor: who.actor, by: who.by, pages: FinishedPages::default() }
    }

    /// The person at the keyboard: the administrator behind an impersonation, else the actor.
    pub fn operator(&self) -> Actor {
        self.by.map(Actor::user).unwrap_or_else(|| self.actor.clone())
    }

    pub fn tenant(&self) -> &Tenant {
        self.store.state()
    }

    /// The tenant's time now (for display; the clock only moves through the journal).
    pub fn now(&self) -> Time {
        self.tenant().clock.time_at(wall())
    }

    /// Journal a `Tick` when time has moved (live clock), firing what fell due.
    pub fn tick(&mut self) -> Result<Fired, RunError> {
        let w = wall();
        if self.tenant().clock.time_at(w) <= self.tenant().clock.now {
            return Ok(Fired::default());
        }
        let out =
            self.store.commit(|t| Entry { at: t.clock.time_at(w), actor: Actor::System, command: Command::Tick })?;
        Ok(out.fired)
    }

    /// The audit log as the actor may read it, oldest first: the history files, then what is
    /// still in memory.
    pub fn audit_log(&self) -> Result<AuditView, RunError> {
        let t = self.tenant();
        t.may_read_audit(&self.actor).map_err(RunError::Refused)?;
        let flushed = self.store.history::<AuditEvent>(AUDIT_STREAM)?;
        t.audit_visible(&self.actor, flushed).map_err(RunError::Refused)
    }

    /// A user's mailbox, oldest first, read marks included.
    pub fn mailbox(&self, user: UserId) -> Result<Vec<Notification>, RunError> {
        self.mailbox_since(user, &mut MailboxRead::default())
    }

    /// [`Session::mailbox`], reading from the files only what was appended since `read` last
    /// read them, and parsing only the user's lines of it (a user's shard holds the notices of
    /// thousands of others: reading it whole on every change of the data took 30 ms at a
    /// million assignments). `read` starts over for another user, and when the files did.
    pub fn mailbox_since(&self, user: UserId, read: &mut MailboxRead) -> Result<Vec<Notification>, RunError> {
        if read.user != Some(user) {
            *read = MailboxRead { user: Some(user), ..MailboxRead::default() };
        }
        let mine = |line: &[u8]| notice_line_recipient(line).is_none_or(|to| to == user);
        let (flushed, restarted) =
            self.store.history_since_where::<Notification>(&notice_stream(user), &mut read.cursor, mine)?;
        if restarted {
            read.held.clear();
        }
        read.held.extend(flushed.into_iter().filter(|n| n.to == user));
        Ok(self.tenant().mailbox(user, read.held.clone()))
    }

    /// The finished requests the named streams hold.
    fn finished_records(&self, streams: impl IntoIterator<Item = String>) -> Result<Vec<FinishedRecord>, RunError> {
        let mut out = vec![];
        for stream in streams {
            self.pages.whole.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            out.extend(self.store.history::<FinishedRecord>(&stream)?);
        }
        Ok(out)
    }

    /// The actor's own requests, open and finished, newest first: reads the actor's shard only.
    pub fn my_requests(&self) -> Result<Vec<Request>, RunError> {
        let t = self.tenant();
        if t.reader(&self.actor).is_err() {
            return Ok(vec![]);
        }
        let files = self.finished_records(t.own_request_streams(&self.actor))?;
        Ok(t.requests_for(&self.actor, files))
    }

    /// One request the actor may read, open or finished (a finished one from the one shard its
    /// entry in the live state names).
    pub fn request(&self, id: RequestId) -> Result<Request, RunError> {
        let t = self.tenant();
        let stream = t.finished_stream_for(id).filter(|_| t.request_in_memory(id).is_none());
        let files = match stream {
            Some(s) if t.reader(&self.actor).is_ok() => self.finished_record_at(s, id)?.into_iter().collect(),
            _ => vec![],
        };
        t.request_visible(&self.actor, id, files).map_err(RunError::Refused)
    }

    /// One request by id, open or finished, whoever reads, for a screen that shows it only where
    /// it may (as the screens always did with the requests in memory): a finished one is read
    /// alone, by its place in the shard its entry names.
    pub fn request_record(&self, id: RequestId) -> Result<Option<Request>, RunError> {
        let t = self.tenant();
        if let Some(r) = t.request_in_memory(id) {
            return Ok(Some(r.clone()));
        }
        let Some(f) = t.finished_entry(id) else { return Ok(None) };
        Ok(self.finished_record_at(f.stream(), id)?.map(|f| f.request))
    }

    /// The decisions the actor made, newest first: reads the actor's shard only.
    pub fn approval_history(&self) -> Result<Vec<(Request, StageDecision)>, RunError> {
        let t = self.tenant();
        let Some(me) = self.actor.user_id() else { return Ok(vec![]) };
        t.may_read(&self.actor, crate::domain::reads::Read::Own).map_err(RunError::Refused)?;
        let files = self.finished_records([request_stream(me)])?;
        Ok(t.approval_history(me, files))
    }

    /// A package's requests, open and finished, newest first, for a screen that shows them only
    /// to those who may see them: reads the package's shard.
    pub fn package_requests(&self, pkg: PackageId) -> Result<Vec<Request>, RunError> {
        let files = self.finished_records([Tenant::package_request_stream(pkg)])?;
        Ok(self.tenant().package_requests(pkg, files))
    }

    /// The requests report (or `requests PKG`, `requests --all`): a package's shard, or every
    /// package's shard for all requests. Refused before anything is read.
    pub fn requests_report(&self, pkg: Option<PackageId>, all: bool) -> Result<Vec<Request>, RunError> {
        use crate::domain::reads::Read;
        let t = self.tenant();
        let refused = RunError::Refused;
        match pkg {
            Some(p) => {
                t.may_read(&self.actor, Read::PackageAssignments(p)).map_err(refused)?;
                self.package_requests(p)
            }
            None if all => {
                t.may_read(&self.actor, Read::Requests).map_err(refused)?;
                let files = self.finished_records(Tenant::all_request_streams())?;
                t.all_requests_visible(&self.actor, files).map_err(refused)
            }
            None => {
                t.may_read(&self.actor, Read::Reports).map_err(refused)?;
                let files = self.finished_records(Tenant::all_request_streams())?;
                t.requests_report_visible(&self.actor, None, files).map_err(refused)
            }
        }
    }

    /// Whether a timer is due by the wall clock (the TUI ticks only then).
    pub fn timer_due(&self) -> bool {
        let t = self.tenant();
        t.next_timer().is_some_and(|n| n <= t.clock.time_at(wall()))
    }

    /// Run one command as the signed-in actor.
    pub fn run(&mut self, command: Command) -> Result<Outcome, RunError> {
        let (actor, command) = self.as_run(command);
        self.run_as(actor, command)
    }

    pub fn run_as(&mut self, actor: Actor, command: Command) -> Result<Outcome, RunError> {
        let fired = self.tick()?;
        let mut out = self.store.commit(|t| Entry { at: t.clock.now, actor, command })?;
        let mut all = fired;
        all.merge(std::mem::take(&mut out.fired));
        out.fired = all;
        Ok(out)
    }

    /// What the store noticed since the last call, to tell the user: a torn write ignored or
    /// kept aside, reads without a lock, a compaction that failed (the commit itself was done).
    pub fn warnings(&mut self) -> Vec<String> {
        let mut all: Vec<String> = self.store.take_warnings().iter().map(ToString::to_string).collect();
        if let Some(e) = self.store.take_compaction_error() {
            all.push(format!("the change was saved, but compacting the journal failed: {e}"));
        }
        all
    }

    /// Runs `f` without waiting for another process's lock: a busy lock refuses at once with
    /// [`StoreError::Locked`]. For background work, such as the terminal app's periodic refresh,
    /// which tries again on its next tick rather than freeze the screen.
    pub fn without_waiting<R>(&mut self, f: impl FnOnce(&mut Session) -> R) -> R {
        let old = self.store.set_lock_wait(LockWait::new(Duration::ZERO));
        let r = f(self);
        let _ = self.store.set_lock_wait(old);
        r
    }

    /// Catch up with other processes. Returns whether anything changed.
    pub fn refresh(&mut self) -> Result<bool, StoreError> {
        self.store.refresh()
    }
}

/// The login name of the person running the program: `ENTITLE_LOGIN` (for tests and wrappers),
/// else the account of the process's real user id (Linux: `/proc/self/status` and `/etc/passwd`,
/// which a changed `USER` does not fool), else `USER`, else `LOGNAME`.
pub fn os_login() -> Option<String> {
    let var = |k: &str| std::env::var(k).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    var("ENTITLE_LOGIN").or_else(account_of_real_uid).or_else(|| var("USER")).or_else(|| var("LOGNAME"))
}

/// The passwd name of the real user id, where the system tells it (Linux).
fn account_of_real_uid() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let uid = status.lines().find_map(|l| l.strip_prefix("Uid:"))?.split_whitespace().next()?.to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let mut f = l.split(':');
        let name = f.next()?;
        (f.nth(1)? == uid && !name.is_empty()).then(|| name.to_string())
    })
}

/// Sign in as the person running the program, or as `key` (`--as`) where the tenant's mode allows.
pub fn sign_in(tenant: &Tenant, key: Option<&str>) -> Result<SignIn, DomainError> {
    tenant.sign_in(os_login().as_deref(), key)
}

/// Who `--as KEY` means regardless of the mode (tests and tools that set up a session by hand):
/// a user by id, email or name, an external person by email, or the first administrator.
pub fn resolve_actor(tenant: &Tenant, key: Option<&str>) -> anyhow::Result<Actor> {
    Ok(tenant.lab_actor(key)?)
}

fn empty_tenant(admin_email: &str) -> anyhow::Result<Tenant> {
    let now = wall();
    let mut t = Tenant::new("My organization", Clock::live(now));
    t.install_general_catalog();
    let spec = crate::domain::UserSpec {
        display_name: "Administrator".into(),
        email: admin_email.to_string(),
        user_type: Default::default(),
        manager: None,
        department: String::new(),
        job_title: "Global administrator".into(),
        home_org: None,
        global_admin: true,
    };
    t.apply(&Entry { at: now, actor: Actor::System, command: Command::CreateUser { spec } })
        .map_err(|e| anyhow!("creating the administrator: {e}"))?;
    Ok(t)
}

#[cfg(test)]
mod tests {
    /// The account comes from the real user id, as `id -un` says, whatever `USER` claims.
    #[test]
    fn the_login_is_the_account_of_the_real_user_id() {
        let Ok(out) = std::process::Command::new("id").arg("-un").output() else { return };
        let expected = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if expected.is_empty() || !std::path::Path::new("/proc/self/status").exists() {
            return;
        }
        assert_eq!(super::account_of_real_uid().as_deref(), Some(expected.as_str()));
    }
}
