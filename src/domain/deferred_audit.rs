//! The audit events a long clock jump hands over typed (see `deferred`): an expiry's.

use std::sync::Arc;

use super::Time;
use super::audit_refs::AuditActor;
use super::deferred::{Names, Queued, Stream, Typed};
use super::delivery::{Ended, Ending};
use super::flow::AssignmentState;
use super::history::AUDIT_STREAM;
use super::ids::{AssignmentId, PackageId, UserId};
use super::log::AuditLine;
use super::tail::{AuditTail, Spill};
use super::tenant::Tenant;

/// What an expiry's event says of the assignment: "assignment.expired" by the system.
pub(super) const EXPIRED: &str = "assignment.expired";

/// An assignment's expiry, as its audit event tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ExpiredEvent {
    seq: u64,
    at: Time,
    assignment: AssignmentId,
    user: UserId,
    package: PackageId,
    /// The end it had, and its state before it expired.
    end: Option<i64>,
    state: AssignmentState,
}

/// "NAME: 'PACKAGE' ended (ACTIVITY)", the user named by id when not in the directory, written
/// over `out`.
pub(super) fn ended_summary(uname: Option<&str>, user: UserId, pname: &str, activity: &str, out: &mut String) {
    use std::fmt::Write;
    out.clear();
    match uname {
        Some(n) => out.push_str(n),
        None => {
            let _ = write!(out, "{user}");
        }
    }
    out.push_str(": '");
    out.push_str(pname);
    out.push_str("' ended (");
    out.push_str(activity);
    out.push(')');
}

impl Typed for ExpiredEvent {
    fn seq(&self) -> u64 {
        self.seq
    }

    /// The event's line, as `audit_typed` writes it.
    fn line(&self, names: &Names, text: &mut [String; 2], out: &mut Vec<u8>) {
        let [summary, _] = text;
        ended_summary(names.user(self.user), self.user, names.package(self.package), EXPIRED, summary);
        let at = self.at.timestamp();
        let line = AuditLine {
            seq: self.seq,
            at: self.at,
            actor: AuditActor::System,
            by: None,
            activity: EXPIRED,
            object: self.assignment.into(),
            summary,
            before: Some(Ending { end: self.end, state: self.state }),
            after: Some(Ended { ended_at: Some(at), state: AssignmentState::Expired }),
        };
        line.write(out);
    }
}

impl AuditTail {
    fn stream<'a>(&'a mut self, name: &'a dyn Fn() -> String) -> Stream<'a, ExpiredEvent> {
        Stream { lines: &mut self.lines, queue: &mut self.deferred, name }
    }

    /// At the end of a jump: the queue handed over or written as lines.
    pub(super) fn settle_deferred(&mut self, names: &Arc<Names>, spill: Option<&mut Spill>) {
        let name = || AUDIT_STREAM.to_owned();
        self.stream(&name).settle(names, spill);
    }
}

impl Tenant {
    /// The event of assignment `aid`'s expiry by the clock (to `user`, of `package`; it had
    /// `end` and `state`): typed while the jump hands records over, else written as
    /// `audit_typed` writes it. Gives whether it was handed over typed.
    pub(super) fn audit_expired(
        &mut self,
        aid: AssignmentId,
        (user, package): (UserId, PackageId),
        end: Option<i64>,
        state: AssignmentState,
    ) -> bool {
        if self.idx.deferring.is_none() || !self.idx.spill.is_set() {
            return false;
        }
        let run = self.deferred_run();
        self.audit_seq = self.audit_seq.saturating_add(1);
        let seq = self.audit_seq;
        if self.idx.on_disk.as_mut().is_some_and(|d| d.audit_holds(seq)) {
            return true;
        }
        let e = ExpiredEvent { seq, at: self.clock.now, assignment: aid, user, package, end, state };
        let name = || AUDIT_STREAM.to_owned();
        let s = self.audit.stream(&name);
        s.queue.push(Queued::Typed(e));
        // Borrowed, not cloned (see `notify_about`).
        if let (true, Some(names), Some((spill, _))) = (s.queue.len() >= run, &self.idx.deferring, self.idx.spill.get())
        {
            s.spill(names, spill);
        }
        true
    }
}
