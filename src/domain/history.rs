//! The audit log and the mailboxes are history (and finished requests, see `finished`): the tenant keeps in memory only what happened
//! since they were last written out (the store writes them to files of their own after each
//! commit, see `store::history`), and the numbers and unread marks the rules need. Reading the
//! whole log or a whole mailbox joins what the files hold with what is still in memory.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::command::{Outcome, done};
use super::error::{DomainResult, forbidden, not_found};
use super::finished::FinishedRecord;
use super::finished_lines::{Family, finished_lines};
use super::ids::UserId;
use super::idset::IdSet;
use super::read_views::AuditView;
use super::reads::{Read, Reader};
use super::records::{AuditEvent, Notification};
use super::rights::Actor;
use super::tail::Lines;
use super::tenant::Tenant;

/// From this many finished requests to write out, the packages' streams are written on a
/// thread of their own (see `finished_lines`).
const FINISHED_ON_TWO_CORES_FROM: usize = 4096;

/// The audit log's stream.
pub const AUDIT_STREAM: &str = "audit";

/// Mailboxes are spread over this many streams, by user, so that reading one mailbox reads a
/// small share of every notification ever sent.
pub const NOTICE_SHARDS: u64 = 64;

/// The recipient a notice's line names, when the line begins as this program writes it
/// (`{"seq":N,"to":M,`), found without parsing the line: a reader of one mailbox passes over
/// the lines of the others sharing its shard. None for a line that begins otherwise (a hand
/// edit): that line is to be parsed.
pub fn notice_line_recipient(line: &[u8]) -> Option<UserId> {
    let digits = |b: &[u8]| b.iter().take_while(|c| c.is_ascii_digit()).count();
    let rest = line.strip_prefix(b"{\"seq\":")?;
    let seq = digits(rest);
    let rest = rest.get(seq..)?.strip_prefix(b",\"to\":")?;
    let to = digits(rest);
    if seq == 0 || !matches!(rest.get(to), Some(b',' | b'}')) {
        return None;
    }
    std::str::from_utf8(rest.get(..to)?).ok()?.parse::<u64>().ok().map(UserId)
}

/// The stream that holds a user's notifications.
pub fn notice_stream(user: UserId) -> String {
    notice_shard_stream(user.0 % NOTICE_SHARDS)
}

/// The stream of one mailbox shard.
pub fn notice_shard_stream(shard: u64) -> String {
    format!("notices-{shard:02}")
}

/// The seq of a history stream's last record in the files, by stream name (0: none).
pub type LastSeq = std::sync::Arc<dyn Fn(&str) -> u64 + Send + Sync>;

/// What the history files hold while the journal is replayed: each stream's last seq, asked
/// once per stream as records for it are made again. A record the files hold is left out of
/// memory (replaying a year's jump would otherwise make its millions of lines again, only for
/// the store to skip them).
#[derive(Clone)]
pub(crate) struct OnDisk {
    last: LastSeq,
    audit: Option<u64>,
    notices: Vec<Option<u64>>,
}

impl std::fmt::Debug for OnDisk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnDisk").field("audit", &self.audit).field("notices", &self.notices).finish_non_exhaustive()
    }
}

impl OnDisk {
    fn new(last: LastSeq) -> Self {
        OnDisk { last, audit: None, notices: vec![] }
    }

    /// Whether the audit log's files hold the event numbered `seq`.
    pub(crate) fn audit_holds(&mut self, seq: u64) -> bool {
        let last = &self.last;
        seq <= *self.audit.get_or_insert_with(|| last(AUDIT_STREAM))
    }

    /// Whether the files of `user`'s mailbox stream hold the notification numbered `seq`.
    pub(crate) fn notices_hold(&mut self, user: UserId, seq: u64) -> bool {
        let Ok(shard) = usize::try_from(user.0 % NOTICE_SHARDS) else { return false };
        if self.notices.len() <= shard {
            self.notices.resize(shard.saturating_add(1), None);
        }
        let last = &self.last;
        self.notices.get_mut(shard).is_some_and(|known| seq <= *known.get_or_insert_with(|| last(&notice_stream(user))))
    }
}

impl Tenant {
    /// While the journal is replayed (`Some`, then `None`): what the history files hold, so
    /// that the records they hold are not made again in memory (see `OnDisk`).
    pub fn replaying_over(&mut self, on_disk: Option<LastSeq>) {
        self.idx.on_disk = on_disk.map(OnDisk::new);
    }

    /// While a command runs in a store (`Some`, then `None` once it is applied): where the
    /// lines of a stream go each time they fill a buffer, instead of being held until the
    /// command is over. The store puts them in the stream's files once the command's journal
    /// line is written, and never before.
    pub fn spill_into(&mut self, spill: Option<super::tail::Spill>) {
        // A stream spilled at all is spilled whole: its files get its lines in one piece.
        if let Some((old, _)) = self.idx.spill.get() {
            self.audit.spill_rest(old);
            self.notifications.spill_rest(old);
        }
        self.idx.spill = super::tail::SpillSlot::new(spill);
    }

    /// The history still in memory, stream by stream: each stream's name and its lines, oldest
    /// first. The audit log and the mailboxes are lines already (written as they were made);
    /// each finished request is written here, once, and its line goes to each of its streams.
    pub fn pending_history(&self) -> Result<Vec<(String, Cow<'_, Lines>)>, serde_json::Error> {
        let mut out: Vec<(String, Cow<'_, Lines>)> = Vec::new();
        if !self.audit.is_empty() {
            out.push((AUDIT_STREAM.to_string(), Cow::Borrowed(self.audit.lines())));
        }
        for (shard, lines) in self.notifications.shards() {
            out.push((notice_shard_stream(shard), Cow::Borrowed(lines)));
        }
        let mut finished: Vec<&FinishedRecord> = self.finished_requests.values().collect();
        finished.sort_by_key(|f| f.seq);
        // A clock jump finishes tens of thousands of requests: the two families of their
        // streams are written on two cores.
        let from = if self.idx.two_threads_from == 0 { FINISHED_ON_TWO_CORES_FROM } else { self.idx.two_threads_from };
        // (Few: both families at once, each record written once.)
        let (users, packages) = if finished.len() < from {
            (finished_lines(&finished, None)?, vec![])
        } else {
            let (users, packages) = std::thread::scope(|s| {
                let packages = s.spawn(|| finished_lines(&finished, Some(Family::Packages)));
                (finished_lines(&finished, Some(Family::Users)), packages.join())
            });
            let packages =
                packages.map_err(|_| serde::ser::Error::custom("the thread writing the requests stopped"))?;
            (users?, packages?)
        };
        let mut requests: Vec<(String, Lines)> =
            users.into_iter().chain(packages).map(|(stream, lines)| (stream.name(), lines)).collect();
        requests.sort_by(|(a, _), (b, _)| a.cmp(b));
        out.extend(requests.into_iter().map(|(stream, lines)| (stream, Cow::Owned(lines))));
        Ok(out)
    }

    /// What `pending_history` gave is in the files: it leaves memory.
    pub fn history_written(&mut self) {
        self.audit.clear();
        self.notifications.clear();
        let finished = std::mem::take(&mut self.finished_requests);
        // A clock jump's tens of thousands of requests are freed on a thread of their own (25
        // ms of a year's jump at a million assignments, the last thing it did).
        if finished.len() >= FINISHED_ON_TWO_CORES_FROM {
            let _ = std::thread::Builder::new().name("free-finished".into()).spawn(move || drop(finished));
        }
    }

    /// Refuses a reader who may not see the audit log, before anything is read for them.
    pub fn may_read_audit(&self, actor: &Actor) -> DomainResult<()> {
        self.may_read(actor, Read::Reports)
    }

    /// The audit log a reader may see, oldest first: the events of the history files (`flushed`,
    /// oldest first), then those still in memory that the files do not hold yet.
    pub fn audit_visible(&self, actor: &Actor, flushed: Vec<AuditEvent>) -> DomainResult<AuditView> {
        self.audit_visible_after(actor, flushed, 0).map(AuditView::new)
    }

    /// The events numbered after `after` that a reader may see, oldest first: those of
    /// `from_files` (what the history files hold after that number, oldest first), then those
    /// still in memory that the files do not hold yet.
    pub fn audit_visible_after(
        &self,
        actor: &Actor,
        from_files: Vec<AuditEvent>,
        after: u64,
    ) -> DomainResult<Vec<AuditEvent>> {
        self.may_read_audit(actor)?;
        let reader = self.reader(actor)?;
        let mut all: Vec<AuditEvent> = from_files.into_iter().filter(|e| e.seq > after).collect();
        let last = all.last().map_or(after, |e| e.seq);
        all.extend(self.audit.iter().filter(|e| e.seq > last));
        if !matches!(reader, Reader::Admin) {
            all.retain(|e| self.reads_object(reader, e.object.typed()));
        }
        Ok(all)
    }

    /// A user's mailbox, oldest first: `flushed` holds what the history files hold of the user's
    /// stream (other users' notifications in it are left out); read marks come from the tenant.
    pub fn mailbox(&self, user: UserId, flushed: Vec<Notification>) -> Vec<Notification> {
        let last = flushed.last().map_or(0, |n| n.seq);
        let unread = self.unread.get(&user);
        let mine = flushed.into_iter().filter(|n| n.to == user);
        let pending = self.notifications_of(user).filter(|n| n.seq > last);
        mine.chain(pending)
            .map(|mut n| {
                n.read = !unread.is_some_and(|u| u.contains(&n.seq));
                n
            })
            .collect()
    }

    /// Marks one of the actor's unread notifications read, or all of them.
    pub(crate) fn cmd_mark_read(&mut self, actor: &Actor, which: Option<u64>) -> DomainResult<Outcome> {
        let me = actor.user_id().ok_or_else(|| forbidden("Only a directory user has a mailbox"))?;
        let mut none = IdSet::default();
        let unread = self.unread.get_mut(&me).unwrap_or(&mut none);
        let marked: BTreeSet<u64> = match which {
            None => std::mem::take(unread).iter().copied().collect(),
            Some(s) if unread.remove(&s) => BTreeSet::from([s]),
            // Read already, or someone else's (which is not to be told): nothing to mark.
            Some(s) => return Err(not_found(format!("No unread notification {s} in your mailbox"))),
        };
        if self.unread.get(&me).is_some_and(IdSet::is_empty) {
            self.unread.remove(&me);
        }
        // Those the files do not hold yet are written read (the mailbox reads the marks from
        // `unread` either way).
        self.notifications.rewrite(me, |n| {
            let mark = marked.contains(&n.seq) && !n.read;
            n.read |= mark;
            mark
        });
        done(format!("{} notification(s) marked read", marked.len()))
    }
}

/// `BTreeMap<UserId, IdSet<u64>>` as a list of `{"user": id, "seqs": [..]}`.
pub(crate) mod sets_as_list {
    use super::*;

    #[derive(Serialize, Deserialize)]
    struct Row {
        user: UserId,
        seqs: IdSet<u64>,
    }

    pub fn serialize<S: Serializer>(map: &BTreeMap<UserId, IdSet<u64>>, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct RowRef<'a> {
            user: UserId,
            seqs: &'a IdSet<u64>,
        }
        s.collect_seq(map.iter().map(|(u, seqs)| RowRef { user: *u, seqs }))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<UserId, IdSet<u64>>, D::Error> {
        let rows: Vec<Row> = Vec::deserialize(d)?;
        Ok(rows.into_iter().filter(|r| !r.seqs.is_empty()).map(|r| (r.user, r.seqs)).collect())
    }
}
