//! The audit events a long clock jump hands over typed (see `deferred`): an expiry's.

use std::sync::Arc;

use super::Time;
use super::deferred::{LineText, Names, Queued, Stream, Typed};
use super::flow::AssignmentState;
use super::history::AUDIT_STREAM;
use super::ids::{AssignmentId, PackageId, UserId};
use super::json_line::{push_escaped, push_int};
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

    /// The event's line, as `audit_typed` writes it: every part but the numbers and the two
    /// names is the same for each expiry, written as one piece (a year's jump writes 800,000).
    fn line(&self, names: &Names, text: &mut LineText, out: &mut Vec<u8>) {
        let at = self.at.timestamp();
        out.extend_from_slice(b"{\"seq\":");
        push_int(out, self.seq);
        out.extend_from_slice(b",\"at\":");
        push_int(out, at);
        out.extend_from_slice(
            b",\"actor\":{\"type\":\"system\"},\"activity\":\"assignment.expired\",\"object\":{\"assignment\":",
        );
        push_int(out, self.assignment.0);
        out.extend_from_slice(b"},\"summary\":\"");
        match names.user_name(self.user) {
            Some(n) => n.push_json(out),
            None => {
                let id = &mut text.id;
                id.clear();
                let _ = std::fmt::Write::write_fmt(id, format_args!("{}", self.user));
                push_escaped(out, id);
            }
        }
        out.extend_from_slice(b": '");
        names.push_package(self.package, out);
        out.extend_from_slice(b"' ended (assignment.expired)\",\"before\":{\"end\":");
        match self.end {
            Some(end) => push_int(out, end),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"state\":\"");
        out.extend_from_slice(<&'static str>::from(self.state).as_bytes());
        out.extend_from_slice(b"\"},\"after\":{\"endedAt\":");
        push_int(out, at);
        out.extend_from_slice(b",\"state\":\"expired\"}}");
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

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::domain::audit_refs::AuditActor;
    use crate::domain::delivery::{Ended, Ending};
    use crate::domain::log::AuditLine;

    /// The event as `audit_typed` writes it: `AuditLine`, its before and after as their JSON.
    fn by_parts(e: &ExpiredEvent, names: &Names) -> Vec<u8> {
        let mut summary = String::new();
        ended_summary(names.user(e.user), e.user, names.package(e.package), EXPIRED, &mut summary);
        let line = AuditLine {
            seq: e.seq,
            at: e.at,
            actor: AuditActor::System,
            by: None,
            activity: EXPIRED,
            object: e.assignment.into(),
            summary: &summary,
            before: Some(Ending { end: e.end, state: e.state }),
            after: Some(Ended { ended_at: Some(e.at.timestamp()), state: AssignmentState::Expired }),
        };
        let mut out = Vec::new();
        line.write(&mut out);
        out
    }

    #[test]
    fn a_typed_expiry_s_line_is_the_event_audit_typed_writes() {
        let names = Names::given(
            &[(PackageId(3), "Sales \"EMEA\" \\ tools\n"), (PackageId(4), "Café – 😀")],
            &[(UserId(1), "Adele \"A\" Vance\t"), (UserId(2), "")],
            &[],
        );
        let ats = [
            chrono::Utc.with_ymd_and_hms(2027, 1, 31, 23, 59, 0).single().expect("a time"),
            chrono::Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).single().expect("a time"),
        ];
        let states = [
            AssignmentState::Delivering,
            AssignmentState::Delivered,
            AssignmentState::Expired,
            AssignmentState::Removed,
        ];
        let mut seen = 0;
        for at in ats {
            for state in states {
                for end in [None, Some(-5), Some(i64::MAX)] {
                    for (user, package) in
                        [(UserId(1), PackageId(3)), (UserId(2), PackageId(4)), (UserId(9), PackageId(8))]
                    {
                        let e =
                            ExpiredEvent { seq: 41, at, assignment: AssignmentId(u64::MAX), user, package, end, state };
                        let mut typed = Vec::new();
                        e.line(&names, &mut LineText::default(), &mut typed);
                        assert_eq!(
                            String::from_utf8_lossy(&typed),
                            String::from_utf8_lossy(&by_parts(&e, &names)),
                            "{e:?}"
                        );
                        seen += 1;
                    }
                }
            }
        }
        assert_eq!(seen, 2 * 4 * 3 * 3);
    }
}
