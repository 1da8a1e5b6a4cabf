//! Finished requests are history, like the audit log and the mailboxes (see `history`): a request
//! that reaches a final state leaves `Tenant::requests` at the end of the command that finished
//! it, waits in `Tenant::finished_requests` until the store has written it to the history files,
//! and is never in the snapshot again. The live state keeps one short entry per finished request
//! (`Tenant::finished`: its package, the people whose history it is, its state and end), which
//! says which files to read for it.
//!
//! Each record is written to the stream of every person who may read it as theirs (its target,
//! its requestor, its approvers and those who decided it, sharded by user like the mailboxes),
//! to its package's stream (`requests-pkg-NN`, sharded by package), and to `requests-ext` while
//! its target is a person outside the directory. A person's own history is then one shard, a
//! package's requests another, and a request by id the shard its entry names; every request is
//! in the packages' shards once.
//!
//! Rules never read history: the rules that look at requests look at open ones only. The readers
//! (`Session`) read the files and hand the records to the views here, which join them with what
//! is still in memory.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::Time;
use super::error::{DomainResult, not_found, rule};
use super::finished_lines::RequestStream;
use super::flow::{Request, RequestState, StageDecision, Target};
use super::ids::{PackageId, RequestId, UserId};
use super::reads::{Read, Reader};
use super::rights::Actor;
use super::serde_util::Keyed;
use super::tenant::Tenant;

/// Finished requests are spread over this many streams, by user.
pub const REQUEST_SHARDS: u64 = 64;

/// The stream of finished requests for people outside the directory.
pub const EXTERNAL_REQUESTS: &str = "requests-ext";

/// Whether a history stream holds finished requests (a user's shard, a package's, or that of
/// people outside the directory): the streams whose closed segments have key files.
pub fn is_request_stream(stream: &str) -> bool {
    stream.starts_with("requests-")
}

/// The stream that holds a user's finished requests.
pub fn request_stream(user: UserId) -> String {
    RequestStream::User(user.0 % REQUEST_SHARDS).name()
}

/// What the live state keeps of a finished request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finished {
    pub package: PackageId,
    /// Whom it was for (None: a person outside the directory).
    pub target: Option<UserId>,
    pub requestor: Option<UserId>,
    pub state: RequestState,
    pub completed_at: Time,
}

impl Finished {
    fn of(r: &Request, now: Time) -> Self {
        Finished {
            package: r.package,
            target: r.target_user(),
            requestor: r.requestor,
            state: r.state,
            completed_at: r.completed_at.unwrap_or(now),
        }
    }

    /// A small stream that surely holds the record: its target's shard, else its package's (a
    /// requestor's shard may be big: an administrator who assigns by hand requests for everyone).
    pub fn stream(&self) -> String {
        match self.target {
            Some(u) => request_stream(u),
            None => Tenant::package_request_stream(self.package),
        }
    }
}

/// A finished request as the history files hold it: its number in its streams, and the request
/// (a field of its own: serde's `flatten` would lose the request's number-keyed answers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinishedRecord {
    pub seq: u64,
    pub request: Request,
}

impl Keyed for FinishedRecord {
    type Key = RequestId;
    fn key(&self) -> RequestId {
        self.request.id
    }
}

/// The index as one short line per entry: `[id, package, target, requestor, state, completedAt]`.
pub(crate) mod index_as_list {
    use super::*;
    use serde::{Deserializer, Serializer};

    /// One entry as written.
    pub(crate) type Row = (RequestId, PackageId, Option<UserId>, Option<UserId>, RequestState, i64);

    /// An entry from its row; a time out of range is an error naming the request.
    pub(crate) fn entry((id, package, target, requestor, state, at): Row) -> Result<(RequestId, Finished), String> {
        let completed_at =
            chrono::DateTime::from_timestamp(at, 0).ok_or_else(|| format!("request {id}: {at} is not a time"))?;
        Ok((id, Finished { package, target, requestor, state, completed_at }))
    }

    pub fn serialize<S: Serializer>(map: &BTreeMap<RequestId, Finished>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(
            map.iter()
                .map(|(id, f)| -> Row { (*id, f.package, f.target, f.requestor, f.state, f.completed_at.timestamp()) }),
        )
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<RequestId, Finished>, D::Error> {
        let rows: Vec<Row> = Vec::deserialize(d)?;
        rows.into_iter().map(|r| entry(r).map_err(serde::de::Error::custom)).collect()
    }
}

/// From this many notifications to mark unread, they are marked on a thread of their own.
const MARKS_ON_A_THREAD_FROM: usize = 1 << 16;

impl Tenant {
    /// Marks a request as finished by the command running: it leaves the open requests when
    /// the command ends (`settle_finished`), so the command may still write its history.
    pub(crate) fn finishing(&mut self, id: RequestId) {
        self.idx.finishing.push(id);
    }

    /// Moves the requests the last command finished out of the open requests: into the index
    /// and the tail the store writes out. Deterministic: it follows the order they finished in.
    /// The notifications it sent are marked unread here too (see `mark_unread`).
    pub(crate) fn settle_finished(&mut self) {
        self.marks_beside(Tenant::move_finished);
    }

    /// Marks the notifications sent so far unread while `work` runs: on a thread of its own
    /// when they are many (a clock jump's millions), where `work` must not read the marks.
    pub(super) fn marks_beside(&mut self, work: impl FnOnce(&mut Tenant)) {
        let new = std::mem::take(&mut self.idx.unread_new);
        let from = if self.idx.two_threads_from == 0 { MARKS_ON_A_THREAD_FROM } else { self.idx.two_threads_from };
        if new.len() < from {
            super::log::mark_unread(&mut self.unread, new);
            work(self);
            return;
        }
        let mut unread = std::mem::take(&mut self.unread);
        std::thread::scope(|s| {
            let marks = s.spawn(|| super::log::mark_unread(&mut unread, new));
            work(self);
            let _ = marks.join();
        });
        self.unread = unread;
    }

    pub(super) fn move_finished(&mut self) {
        let ids = std::mem::take(&mut self.idx.finishing);
        let now = self.clock.now;
        for id in ids {
            if self.requests.get(&id).is_none_or(|r| r.state.is_open()) {
                continue;
            }
            let Some(r) = self.requests.remove(&id) else { continue };
            self.unindex_request(&r);
            let f = Finished::of(&r, now);
            super::tenant::count_finished(&mut self.idx.finished_by_user, &f);
            self.finished.insert(id, f);
            if let Target::External { email, .. } = &r.target {
                self.finished_emails.insert(id, email.to_lowercase());
            }
            self.finished_seq = self.finished_seq.saturating_add(1);
            self.finished_requests.insert(id, FinishedRecord { seq: self.finished_seq, request: r });
        }
    }

    /// Data written before finished requests left the snapshot holds them among the open ones:
    /// they move out, by id.
    pub(crate) fn settle_loaded(&mut self) {
        let done: Vec<RequestId> = self.requests.values().filter(|r| !r.state.is_open()).map(|r| r.id).collect();
        self.idx.finishing.extend(done);
        self.settle_finished();
    }

    fn unindex_request(&mut self, r: &Request) {
        for u in [r.target_user(), r.requestor].into_iter().flatten() {
            if let Some(set) = self.idx.requests_by_user.get_mut(&u) {
                set.remove(&r.id);
            }
        }
        if let Some(set) = self.idx.requests_by_package.get_mut(&r.package) {
            set.remove(&r.id);
        }
        if let Some(a) = r.assignment
            && let std::collections::hash_map::Entry::Occupied(mut set) = self.idx.requests_by_assignment.entry(a)
        {
            set.get_mut().remove(&r.id);
            if set.get().is_empty() {
                set.remove();
            }
        }
        self.unindex_email(r.id, &r.target);
        for a in &r.approvers {
            if let Some(set) = self.idx.inbox.get_mut(a) {
                set.remove(&r.id);
            }
        }
    }

    /// Indexes an open request by the email of its target, when that is a person outside the
    /// directory (see `requests_by_email`).
    pub(crate) fn index_email(&mut self, id: RequestId, target: &Target) {
        if let Target::External { email, .. } = target {
            self.idx.requests_by_email.entry(email.to_ascii_lowercase()).or_default().insert(id);
        }
    }

    /// Takes a request out of the index by email: it finished, or its target joined the directory.
    pub(crate) fn unindex_email(&mut self, id: RequestId, target: &Target) {
        if let Target::External { email, .. } = target {
            let key = email.to_ascii_lowercase();
            if let Some(set) = self.idx.requests_by_email.get_mut(&key) {
                set.remove(&id);
                if set.is_empty() {
                    self.idx.requests_by_email.remove(&key);
                }
            }
        }
    }

    /// The open requests for a person outside the directory, by their email (any case).
    pub fn requests_of_email(&self, email: &str) -> impl Iterator<Item = &Request> {
        let set = self.idx.requests_by_email.get(&email.to_ascii_lowercase());
        set.into_iter().flatten().filter_map(|id| self.requests.get(id))
    }

    /// The streams a finished record goes to.
    pub fn record_streams(r: &Request) -> BTreeSet<String> {
        let mut streams = Vec::new();
        RequestStream::of(r, &mut streams);
        streams.into_iter().map(RequestStream::name).collect()
    }

    /// A request, open or finished, if memory still holds it (a finished one until the store
    /// has written it; every one for a tenant not kept in a store).
    pub fn request_in_memory(&self, id: RequestId) -> Option<&Request> {
        self.requests.get(&id).or_else(|| self.finished_requests.get(&id).map(|f| &f.request))
    }

    /// Every request memory holds: the open ones, then the finished ones not yet written out.
    pub fn requests_in_memory(&self) -> impl Iterator<Item = &Request> {
        self.requests.values().chain(self.finished_requests.values().map(|f| &f.request))
    }

    /// What the live state keeps of a finished request.
    pub fn finished_entry(&self, id: RequestId) -> Option<&Finished> {
        self.finished.get(&id)
    }

    /// A refusal for a command on a request that is finished (`why` says so from its state), or
    /// not there.
    pub(crate) fn closed_request(
        &self,
        id: RequestId,
        why: impl FnOnce(RequestState) -> String,
    ) -> super::error::DomainError {
        match self.finished.get(&id) {
            Some(f) => rule(why(f.state)),
            None => not_found(format!("No request {id}")),
        }
    }

    /// An open request, for a command on it: a finished one is refused with `why`.
    pub(crate) fn open_request(
        &self,
        id: RequestId,
        why: impl FnOnce(RequestState) -> String,
    ) -> DomainResult<Request> {
        self.requests.get(&id).cloned().ok_or_else(|| self.closed_request(id, why))
    }

    /// The streams that hold the reader's own requests: their shard, and the one of people
    /// outside the directory when they made requests from there before they joined it.
    pub fn own_request_streams(&self, actor: &Actor) -> Vec<String> {
        let user = match actor {
            Actor::User { user } => Some(*user),
            Actor::External { email, .. } => match self.user_by_email(email) {
                Some(u) => Some(u.id),
                None => return vec![EXTERNAL_REQUESTS.to_string()],
            },
            Actor::System => None,
        };
        let Some(user) = user else { return vec![] };
        let mut out = vec![request_stream(user)];
        if self.outside_history_of(user).next().is_some() {
            out.push(EXTERNAL_REQUESTS.to_string());
        }
        out
    }

    /// The finished requests that were for this user while they were outside the directory (a
    /// walk over those requests only: few, next to the tenant's).
    fn outside_history_of(&self, user: UserId) -> impl Iterator<Item = RequestId> + '_ {
        let email = self.users.get(&user).map(|u| u.email.to_lowercase());
        self.finished_emails.iter().filter(move |(_, e)| email.as_deref() == Some(e.as_str())).map(|(id, _)| *id)
    }

    /// Whether a request for `target` was this user's, made while they were outside the directory.
    pub(crate) fn was_theirs_outside(&self, user: UserId, target: &Target) -> bool {
        match target {
            Target::External { email, .. } => self.email_is_theirs(user, email),
            Target::User { .. } => false,
        }
    }

    /// Whether `email` (of a person outside the directory) is this user's.
    pub(crate) fn email_is_theirs(&self, user: UserId, email: &str) -> bool {
        self.users.get(&user).is_some_and(|u| u.email.eq_ignore_ascii_case(email))
    }

    /// Whether a finished request, by its entry, was for this user while outside the directory.
    pub(crate) fn finished_was_theirs_outside(&self, user: UserId, id: RequestId) -> bool {
        self.finished_emails.get(&id).is_some_and(|e| self.email_is_theirs(user, e))
    }

    /// The stream to read for one finished request, whoever reads it (the rights are checked
    /// on the record): the one its entry names. None if no finished request has that id.
    pub fn finished_stream_for(&self, id: RequestId) -> Option<String> {
        self.finished.get(&id).map(Finished::stream)
    }

    /// The stream holding a package's finished requests (with other packages' of its shard).
    pub fn package_request_stream(pkg: PackageId) -> String {
        RequestStream::Package(pkg.0 % REQUEST_SHARDS).name()
    }

    /// The streams that hold every finished request once: the packages' shards.
    pub fn all_request_streams() -> Vec<String> {
        (0..REQUEST_SHARDS).map(|s| Self::package_request_stream(PackageId(s))).collect()
    }

    /// The finished records read from the files joined with those still in memory (each once),
    /// with the open requests `open` names; those `keep` accepts, newest first.
    pub(crate) fn join_requests<'a>(
        &'a self,
        open: impl Iterator<Item = &'a Request>,
        from_files: Vec<FinishedRecord>,
        keep: impl Fn(&Request) -> bool,
    ) -> Vec<Request> {
        let mut all: BTreeMap<RequestId, Request> = BTreeMap::new();
        for r in from_files.into_iter().map(|f| f.request) {
            if self.finished.contains_key(&r.id) && keep(&r) {
                all.insert(r.id, r);
            }
        }
        let memory = open.chain(self.finished_requests.values().map(|f| &f.request));
        for r in memory.filter(|r| keep(r)) {
            all.entry(r.id).or_insert_with(|| r.clone());
        }
        let mut v: Vec<Request> = all.into_values().collect();
        v.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        v
    }

    /// One request the actor may read, open or finished: `from_files` holds what the stream
    /// `finished_stream_for` named holds (empty for an open request).
    pub fn request_visible(
        &self,
        actor: &Actor,
        id: RequestId,
        from_files: Vec<FinishedRecord>,
    ) -> DomainResult<Request> {
        let r = self.reader(actor)?;
        if self.requests.contains_key(&id) {
            self.may_read(actor, Read::Request(id))?;
            return self.request(id).cloned();
        }
        let found = self
            .request_in_memory(id)
            .cloned()
            .or_else(|| from_files.into_iter().map(|f| f.request).find(|q| q.id == id))
            .filter(|_| self.finished.contains_key(&id))
            .ok_or_else(|| not_found(format!("No request {id}")))?;
        if self.reader_sees_request(r, actor, &found) {
            Ok(found)
        } else {
            // The same refusal as for an open request the reader may not see.
            Err(self.read_refusal(r, Read::Request(id)))
        }
    }

    /// The requests an actor made or that are for them, open and finished, newest first (none
    /// for a blocked user). `from_files`: what the actor's own stream holds.
    pub fn requests_for(&self, actor: &Actor, from_files: Vec<FinishedRecord>) -> Vec<Request> {
        if self.reader(actor).is_err() {
            return vec![];
        }
        let open = self.open_requests_for(actor);
        match actor {
            Actor::User { user } => self.join_requests(open.into_iter(), from_files, |q| self.is_theirs(q, *user)),
            Actor::External { email, .. } => match self.user_by_email(email) {
                Some(u) => self.join_requests(open.into_iter(), from_files, |q| self.is_theirs(q, u.id)),
                None => self.join_requests(open.into_iter(), from_files, |q| is_for_email(q, email)),
            },
            Actor::System => vec![],
        }
    }

    /// How many finished requests are the actor's (made by them or for them), from the index
    /// alone (0 for someone outside the directory: their entries name no one).
    pub fn finished_count_for(&self, actor: &Actor) -> usize {
        let user = match actor {
            Actor::User { user } => Some(*user),
            Actor::External { email, .. } => self.user_by_email(email).map(|u| u.id),
            Actor::System => None,
        };
        let Some(me) = user.filter(|_| self.reader(actor).is_ok()) else { return 0 };
        let mine = self.idx.finished_by_user.get(&me).copied().unwrap_or(0);
        mine.saturating_add(self.outside_history_of(me).filter(|id| self.finished.contains_key(id)).count())
    }

    /// Made by this user or for them, in the directory or before they were in it.
    fn is_theirs(&self, q: &Request, user: UserId) -> bool {
        q.requestor == Some(user) || q.target_user() == Some(user) || self.was_theirs_outside(user, &q.target)
    }

    /// Decisions this user made, newest first: `from_files` holds the user's own stream.
    pub fn approval_history(&self, user: UserId, from_files: Vec<FinishedRecord>) -> Vec<(Request, StageDecision)> {
        let decided = |q: &Request| q.decisions.iter().any(|d| d.by == user);
        let mut v: Vec<(Request, StageDecision)> = self
            .join_requests(self.requests.values(), from_files, decided)
            .into_iter()
            .flat_map(|q| {
                let mine: Vec<StageDecision> = q.decisions.iter().filter(|d| d.by == user).cloned().collect();
                mine.into_iter().map(move |d| (q.clone(), d))
            })
            .collect();
        v.sort_by_key(|x| std::cmp::Reverse(x.1.at));
        v
    }

    /// A package's requests, open and finished, newest first: `from_files` holds the streams
    /// `package_request_stream` names.
    pub fn package_requests(&self, pkg: PackageId, from_files: Vec<FinishedRecord>) -> Vec<Request> {
        self.join_requests(self.requests_of_package(pkg), from_files, |q| q.package == pkg)
    }

    /// Every request the reader may see, newest first: `from_files` holds every stream.
    pub fn all_requests_visible(&self, actor: &Actor, from_files: Vec<FinishedRecord>) -> DomainResult<Vec<Request>> {
        let r = self.reader(actor)?;
        Ok(self.join_requests(self.requests.values(), from_files, |q| self.reader_sees_request(r, actor, q)))
    }

    /// `request list PKG`: a package's requests, for those with a role in its catalog.
    pub fn package_requests_visible(
        &self,
        actor: &Actor,
        pkg: PackageId,
        from_files: Vec<FinishedRecord>,
    ) -> DomainResult<Vec<Request>> {
        self.may_read(actor, Read::PackageAssignments(pkg))?;
        Ok(self.package_requests(pkg, from_files))
    }
}

fn is_for_email(q: &Request, email: &str) -> bool {
    matches!(&q.target, Target::External { email: e, .. } if e.eq_ignore_ascii_case(email))
}

/// For the reads module: which reader sees what of a finished request, from its entry alone.
pub(crate) fn entry_is_readers(f: &Finished, r: Reader) -> bool {
    match r {
        Reader::Admin => true,
        Reader::User { user, .. } => f.target == Some(user) || f.requestor == Some(user),
        Reader::Outsider => false,
    }
}
