//! A person's finished requests and decisions a page at a time (see `finished` for where they
//! are kept). A reader of the history keeps a key of every record of the person's streams
//! ([`FinishedKey`]: whom it was for, who made it, when, its decisions) and where it is; from
//! those keys alone the domain says which rows a list has, in which order, and how many
//! ([`Tenant::requests_listing`], [`Tenant::decisions_listing`]): the same rows, in the same
//! order, as [`Tenant::requests_for`] and [`Tenant::approval_history`] give from every record.
//! The reader then reads the records of the rows shown, and [`Tenant::listed_requests`] /
//! [`Tenant::listed_decisions`] make the page.

use std::collections::HashMap;

use serde::Deserialize;

use super::Time;
use super::finished::FinishedRecord;
use super::flow::{Request, StageDecision, Target};
use super::ids::{RequestId, UserId};
use super::rights::Actor;
use super::serde_util::secs;
use super::tenant::Tenant;

/// What a list needs of a finished record, read from its line (`{"seq":…,"request":{…}}`)
/// without the rest (its history lines, answers, justification).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "KeyLine")]
pub struct FinishedKey {
    pub id: RequestId,
    pub requestor: Option<UserId>,
    pub target: KeyTarget,
    pub created_at: Time,
    pub decisions: Vec<StageDecision>,
}

/// Whom a request was for, as its key keeps it (small: a stream's index keeps a key for each of
/// up to a million records): a user, or the email of a person outside the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyTarget {
    User(UserId),
    Outside(Box<str>),
}

impl From<Target> for KeyTarget {
    fn from(t: Target) -> Self {
        match t {
            Target::User { user } => KeyTarget::User(user),
            Target::External { email, .. } => KeyTarget::Outside(email.into_boxed_str()),
        }
    }
}

#[derive(Deserialize)]
struct KeyLine {
    request: KeyRequest,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeyRequest {
    id: RequestId,
    #[serde(default)]
    requestor: Option<UserId>,
    target: Target,
    #[serde(with = "secs")]
    created_at: Time,
    #[serde(default)]
    decisions: Vec<StageDecision>,
}

impl From<KeyLine> for FinishedKey {
    fn from(KeyLine { request: r }: KeyLine) -> Self {
        FinishedKey {
            id: r.id,
            requestor: r.requestor,
            target: r.target.into(),
            created_at: r.created_at,
            decisions: r.decisions,
        }
    }
}

/// Where a row's request is: in memory (open, or finished and not yet written out), or in the
/// history files at `P` (the reader's notion of a place).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source<P> {
    Memory,
    File(P),
}

/// One row of a list: a request, where it is, and (in a list of decisions) which decision.
#[derive(Debug, Clone, PartialEq)]
pub struct ListRow<P> {
    pub id: RequestId,
    pub source: Source<P>,
    /// Boxed: a list of requests holds none, and a row is kept for each of up to a million.
    pub decision: Option<Box<StageDecision>>,
}

/// A request's parts the lists choose by, whether read whole or as a key.
trait Chosen {
    fn requestor(&self) -> Option<UserId>;
    fn target_user(&self) -> Option<UserId>;
    /// The email of the person outside the directory it was for (None: for a user).
    fn outside_email(&self) -> Option<&str>;
    fn decisions(&self) -> &[StageDecision];
}

impl Chosen for Request {
    fn requestor(&self) -> Option<UserId> {
        self.requestor
    }
    fn target_user(&self) -> Option<UserId> {
        Request::target_user(self)
    }
    fn outside_email(&self) -> Option<&str> {
        match &self.target {
            Target::External { email, .. } => Some(email),
            Target::User { .. } => None,
        }
    }
    fn decisions(&self) -> &[StageDecision] {
        &self.decisions
    }
}

impl Chosen for FinishedKey {
    fn requestor(&self) -> Option<UserId> {
        self.requestor
    }
    fn target_user(&self) -> Option<UserId> {
        match &self.target {
            KeyTarget::User(u) => Some(*u),
            KeyTarget::Outside(_) => None,
        }
    }
    fn outside_email(&self) -> Option<&str> {
        match &self.target {
            KeyTarget::Outside(email) => Some(email),
            KeyTarget::User(_) => None,
        }
    }
    fn decisions(&self) -> &[StageDecision] {
        &self.decisions
    }
}

/// A row before ordering: its request's creation, id, whether it is from the files (they win
/// over memory for the same request, as in `join_requests`), and where.
type Unordered<'a, P> = (Time, RequestId, bool, Source<P>, &'a [StageDecision]);

impl Tenant {
    /// The rows of [`Tenant::requests_for`], in its order (newest first), from the keys of the
    /// actor's own streams (`own_request_streams`) and what memory holds.
    pub fn requests_listing<'a, P: Copy>(
        &'a self,
        actor: &Actor,
        keys: impl IntoIterator<Item = (P, &'a FinishedKey)>,
    ) -> Vec<ListRow<P>> {
        if self.reader(actor).is_err() {
            return vec![];
        }
        let open = self.open_requests_for(actor);
        let rows = match actor {
            Actor::User { user } => self.join_keys(open.into_iter(), keys, |q| self.chosen_is_theirs(q, *user)),
            Actor::External { email, .. } => match self.user_by_email(email) {
                Some(u) => self.join_keys(open.into_iter(), keys, |q| self.chosen_is_theirs(q, u.id)),
                None => self.join_keys(open.into_iter(), keys, |q| is_for(q.outside_email(), email)),
            },
            Actor::System => vec![],
        };
        rows.into_iter().map(|(_, id, _, source, _)| ListRow { id, source, decision: None }).collect()
    }

    /// The rows of [`Tenant::approval_history`] (one per decision `user` made, newest first),
    /// from the keys of the user's own stream and what memory holds.
    pub fn decisions_listing<'a, P: Copy>(
        &'a self,
        user: UserId,
        keys: impl IntoIterator<Item = (P, &'a FinishedKey)>,
    ) -> Vec<ListRow<P>> {
        let rows = self.join_keys(self.requests.values(), keys, |q| q.decisions().iter().any(|d| d.by == user));
        let mut out: Vec<ListRow<P>> = rows
            .into_iter()
            .flat_map(|(_, id, _, source, decisions)| {
                decisions.iter().filter(|d| d.by == user).map(move |d| ListRow {
                    id,
                    source,
                    decision: Some(Box::new(d.clone())),
                })
            })
            .collect();
        out.sort_by_key(|r| std::cmp::Reverse(r.decision.as_ref().map(|d| d.at)));
        out
    }

    /// The requests of `rows` (a page of a listing), in order: `from_files` holds the records
    /// at their places in the files (any order). A row whose request is gone is left out.
    pub fn listed_requests<P>(&self, rows: &[ListRow<P>], from_files: Vec<FinishedRecord>) -> Vec<Request> {
        self.listed_decisions(rows, from_files).into_iter().map(|(r, _)| r).collect()
    }

    /// [`Tenant::listed_requests`] with each row's decision (for a listing of decisions).
    pub fn listed_decisions<P>(
        &self,
        rows: &[ListRow<P>],
        from_files: Vec<FinishedRecord>,
    ) -> Vec<(Request, Option<StageDecision>)> {
        let read: HashMap<RequestId, Request> = from_files.into_iter().map(|f| (f.request.id, f.request)).collect();
        rows.iter()
            .filter_map(|row| {
                let r = match row.source {
                    Source::Memory => self.request_in_memory(row.id).cloned(),
                    Source::File(_) => read.get(&row.id).cloned(),
                }?;
                Some((r, row.decision.as_deref().cloned()))
            })
            .collect()
    }

    fn chosen_is_theirs(&self, q: &dyn Chosen, user: UserId) -> bool {
        q.requestor() == Some(user)
            || q.target_user() == Some(user)
            || q.outside_email().is_some_and(|e| self.email_is_theirs(user, e))
    }

    /// As `join_requests`, from keys: the rows of the keys `keep` accepts whose request is still
    /// finished, and of the open requests `open` names and the finished ones in memory that it
    /// accepts, each request once (from the files if they hold it), newest first.
    fn join_keys<'a, P: Copy>(
        &'a self,
        open: impl Iterator<Item = &'a Request>,
        keys: impl IntoIterator<Item = (P, &'a FinishedKey)>,
        keep: impl Fn(&dyn Chosen) -> bool,
    ) -> Vec<Unordered<'a, P>> {
        let mut rows: Vec<Unordered<'a, P>> = keys
            .into_iter()
            .filter(|(_, k)| self.finished_entry(k.id).is_some() && keep(*k))
            .map(|(at, k)| (k.created_at, k.id, true, Source::File(at), k.decisions.as_slice()))
            .collect();
        let memory = open.chain(self.finished_requests.values().map(|f| &f.request));
        rows.extend(
            memory.filter(|r| keep(*r)).map(|r| (r.created_at, r.id, false, Source::Memory, r.decisions.as_slice())),
        );
        // Newest first; of one request, the files' row first, and only that one kept.
        rows.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(b.2.cmp(&a.2)));
        rows.dedup_by_key(|r| r.1);
        rows
    }
}

fn is_for(outside_email: Option<&str>, email: &str) -> bool {
    outside_email.is_some_and(|e| e.eq_ignore_ascii_case(email))
}
