//! The audit log and the mailboxes are history (and finished requests, see `finished`): the tenant keeps in memory only what happened
//! since they were last written out (the store writes them to files of their own after each
//! commit, see `store::history`), and the numbers and unread marks the rules need. Reading the
//! whole log or a whole mailbox joins what the files hold with what is still in memory.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::command::{Outcome, done};
use super::error::{DomainResult, forbidden, not_found};
use super::ids::UserId;
use super::read_views::AuditView;
use super::reads::{Read, Reader};
use super::records::{AuditEvent, Notification};
use super::rights::Actor;
use super::tenant::Tenant;

/// The audit log's stream.
pub const AUDIT_STREAM: &str = "audit";

/// Mailboxes are spread over this many streams, by user, so that reading one mailbox reads a
/// small share of every notification ever sent.
pub const NOTICE_SHARDS: u64 = 64;

/// The stream that holds a user's notifications.
pub fn notice_stream(user: UserId) -> String {
    format!("notices-{:02}", user.0 % NOTICE_SHARDS)
}

/// One record for the history files: its stream, its number, and its JSON line.
pub type HistoryLine = (String, u64, std::sync::Arc<[u8]>);

impl Tenant {
    /// The audit events and notifications still in memory, as lines for the history files,
    /// oldest first.
    pub fn pending_history(&self) -> Result<Vec<HistoryLine>, serde_json::Error> {
        let mut out = Vec::with_capacity(self.audit.len().saturating_add(self.notifications.len()));
        for e in &self.audit {
            out.push((AUDIT_STREAM.to_string(), e.seq, serde_json::to_vec(e)?.into()));
        }
        for n in &self.notifications {
            out.push((notice_stream(n.to), n.seq, serde_json::to_vec(n)?.into()));
        }
        let mut finished: Vec<&super::finished::FinishedRecord> = self.finished_requests.values().collect();
        finished.sort_by_key(|f| f.seq);
        for f in finished {
            let line: std::sync::Arc<[u8]> = serde_json::to_vec(f)?.into();
            for stream in Tenant::record_streams(&f.request) {
                out.push((stream, f.seq, line.clone()));
            }
        }
        Ok(out)
    }

    /// What `pending_history` gave is in the files: it leaves memory.
    pub fn history_written(&mut self) {
        self.audit = vec![];
        self.notifications = vec![];
        self.idx.notifications_by_user.clear();
        self.finished_requests.clear();
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
        all.extend(self.audit.iter().filter(|e| e.seq > last).cloned());
        if !matches!(reader, Reader::Admin) {
            all.retain(|e| self.reads_object(reader, &e.object));
        }
        Ok(all)
    }

    /// A user's mailbox, oldest first: `flushed` holds what the history files hold of the user's
    /// stream (other users' notifications in it are left out); read marks come from the tenant.
    pub fn mailbox(&self, user: UserId, flushed: Vec<Notification>) -> Vec<Notification> {
        let last = flushed.last().map_or(0, |n| n.seq);
        let unread = self.unread.get(&user);
        let mine = flushed.into_iter().filter(|n| n.to == user);
        let pending = self.notifications_of(user).filter(|n| n.seq > last).cloned();
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
        let mut none = BTreeSet::new();
        let unread = self.unread.get_mut(&me).unwrap_or(&mut none);
        let marked: BTreeSet<u64> = match which {
            None => std::mem::take(unread),
            Some(s) if unread.remove(&s) => BTreeSet::from([s]),
            // Read already, or someone else's (which is not to be told): nothing to mark.
            Some(s) => return Err(not_found(format!("No unread notification {s} in your mailbox"))),
        };
        if self.unread.get(&me).is_some_and(BTreeSet::is_empty) {
            self.unread.remove(&me);
        }
        let idxs = self.idx.notifications_by_user.get(&me).cloned().unwrap_or_default();
        for i in idxs {
            if let Some(x) = self.notifications.get_mut(i)
                && marked.contains(&x.seq)
            {
                x.read = true;
            }
        }
        done(format!("{} notification(s) marked read", marked.len()))
    }
}

/// `BTreeMap<UserId, BTreeSet<u64>>` as a list of `{"user": id, "seqs": [..]}`.
pub(crate) mod sets_as_list {
    use super::*;

    #[derive(Serialize, Deserialize)]
    struct Row {
        user: UserId,
        seqs: BTreeSet<u64>,
    }

    pub fn serialize<S: Serializer>(map: &BTreeMap<UserId, BTreeSet<u64>>, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct RowRef<'a> {
            user: UserId,
            seqs: &'a BTreeSet<u64>,
        }
        s.collect_seq(map.iter().map(|(u, seqs)| RowRef { user: *u, seqs }))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<UserId, BTreeSet<u64>>, D::Error> {
        let rows: Vec<Row> = Vec::deserialize(d)?;
        Ok(rows.into_iter().filter(|r| !r.seqs.is_empty()).map(|r| (r.user, r.seqs)).collect())
    }
}
