//! The clock's work: a time-ordered queue of timers, fired in order however far the clock jumps.
//! The queue is an index: rebuilt from the objects on load, and every timer re-checks its object
//! when it fires, so a stale entry (a request decided meanwhile, an end moved by an extension) does nothing.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::Time;
use super::access::Policy;
use super::clock;
use super::deferred_notice::Notice;
use super::delivery::EndReason;
use super::flow::{Assignment, RequestState, ReviewState};
use super::ids::*;
use super::rights::Actor;
use super::tenant::Tenant;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Timer {
    ScheduledStart(RequestId),
    /// The request and its stage (0-based; a request has at most three).
    Escalate(RequestId, u8),
    StageTimeout(RequestId, u8),
    ExpiryNotice(AssignmentId, u32),
    ReviewBeforeExpiry(AssignmentId),
    Expire(AssignmentId),
    ReviewOpen(PolicyId),
    ReviewClose(ReviewId),
    GuestRemove(UserId),
    /// The end of an automatic assignment's grace period (see `auto_assign`).
    AutoRemove(AssignmentId),
    /// The end of a request's wait for a custom extension's answer (see `extension_calls`).
    CallbackTimeout(RequestId),
}

/// What fired while the clock moved: counts by kind (the audit log and the mailboxes have the
/// details).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fired {
    pub reviews_opened: usize,
    pub reviews_completed: usize,
    pub expired: usize,
    pub timed_out: usize,
    pub escalated: usize,
    pub notices: usize,
    pub started: usize,
    pub removed_by_review: usize,
    pub guests_removed: usize,
    /// Automatic assignments removed after their grace period.
    pub auto_removed: usize,
}

impl Fired {
    pub fn merge(&mut self, o: Fired) {
        let add = |a: &mut usize, b: usize| *a = a.saturating_add(b);
        add(&mut self.reviews_opened, o.reviews_opened);
        add(&mut self.reviews_completed, o.reviews_completed);
        add(&mut self.expired, o.expired);
        add(&mut self.timed_out, o.timed_out);
        add(&mut self.escalated, o.escalated);
        add(&mut self.notices, o.notices);
        add(&mut self.started, o.started);
        add(&mut self.removed_by_review, o.removed_by_review);
        add(&mut self.guests_removed, o.guests_removed);
        add(&mut self.auto_removed, o.auto_removed);
    }
    pub fn is_empty(&self) -> bool {
        *self == Fired::default()
    }
    /// Everything that fired, all kinds together.
    pub fn total(&self) -> usize {
        [
            self.reviews_opened,
            self.reviews_completed,
            self.expired,
            self.timed_out,
            self.escalated,
            self.notices,
            self.started,
            self.removed_by_review,
            self.guests_removed,
            self.auto_removed,
        ]
        .into_iter()
        .fold(0, usize::saturating_add)
    }
    /// Each kind that fired, with its count and words: "3 reviews opened".
    pub fn parts(&self) -> Vec<String> {
        let kinds = [
            (self.reviews_opened, "review opened", "reviews opened"),
            (self.reviews_completed, "review completed", "reviews completed"),
            (self.expired, "assignment expired", "assignments expired"),
            (self.timed_out, "request timed out", "requests timed out"),
            (self.escalated, "request escalated", "requests escalated"),
            (self.started, "scheduled assignment started", "scheduled assignments started"),
            (self.notices, "expiry notice sent", "expiry notices sent"),
            (self.removed_by_review, "assignment removed by review", "assignments removed by review"),
            (self.guests_removed, "guest removed", "guests removed"),
            (self.auto_removed, "automatic assignment removed", "automatic assignments removed"),
        ];
        kinds
            .into_iter()
            .filter(|(n, _, _)| *n > 0)
            .map(|(n, one, many)| format!("{n} {}", if n == 1 { one } else { many }))
            .collect()
    }
}

impl fmt::Display for Fired {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts = self.parts();
        if parts.is_empty() { write!(f, "nothing was due") } else { write!(f, "{}", parts.join(", ")) }
    }
}

/// When the expiry notice `days` before `end` is due.
fn notice_at(end: Time, days: u32) -> Option<Time> {
    clock::minus_days(end, i64::from(days))
}

/// Whether the expiry notice `days` before `end` is due at `t`: `notice_at(end, days) ==
/// Some(t)`, by a difference of the two times in seconds since the epoch (a year's jump asks
/// it two million times, and the calendar's own arithmetic costs several times more).
fn notice_due(end: Option<Time>, days: u32, t: Time) -> bool {
    let ahead = i64::from(days).checked_mul(86_400);
    end.zip(ahead).is_some_and(|(e, ahead)| {
        e.timestamp().checked_sub(t.timestamp()) == Some(ahead)
            && e.timestamp_subsec_nanos() == t.timestamp_subsec_nanos()
    })
}

/// A stage's number as a timer holds it (a request has at most three stages; a number past a
/// byte, which no request has, names no stage and the timer never fires).
pub(super) fn stage_no(stage: usize) -> u8 {
    u8::try_from(stage).unwrap_or(u8::MAX)
}

/// When a request waiting in a stage since `started` is forwarded to the alternates.
fn escalation_at(started: Option<Time>, after_days: u32) -> Option<Time> {
    started.and_then(|s| clock::plus_days(s, i64::from(after_days)))
}

/// Appends `t` as `%Y-%m-%d %H:%M` ("2026-11-29 17:00") without parsing a format string (a
/// year's jump writes one per notice). The years a tenant holds (1 to 9999) have four digits.
pub(super) fn push_minute(out: &mut String, t: Time) {
    use chrono::{Datelike, Timelike};
    // The calendar's fields read off one date and time (each of `t`'s own reads converts it).
    let (date, time) = (t.date_naive(), t.time());
    push_digits(out, u32::try_from(date.year()).unwrap_or(0), 4);
    for (sep, n) in [('-', date.month()), ('-', date.day()), (' ', time.hour()), (':', time.minute())] {
        out.push(sep);
        push_digits(out, n, 2);
    }
}

/// `n` in decimal, as `{n}` writes it.
pub(super) fn push_number(out: &mut String, n: u32) {
    let width = n.checked_ilog10().map_or(1, |d| d.saturating_add(1));
    push_digits(out, n, width);
}

/// The last `width` decimal digits of `n`, with leading zeros (no format machinery: a year's
/// jump writes one time per notice).
fn push_digits(out: &mut String, n: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = 10u32.checked_pow(place).map_or(0, |p| n / p % 10);
        out.push(char::from_digit(digit, 10).unwrap_or('0'));
    }
}

impl Tenant {
    pub(crate) fn add_timer(&mut self, at: Time, t: Timer) {
        self.idx.timers.insert((at, t));
    }

    /// Timers for an assignment's end: 14-day and 1-day notices, expiry, a review before expiry.
    pub(crate) fn schedule_assignment(&mut self, a: &Assignment) {
        let Some(end) = a.end else { return };
        let now = self.clock.now;
        for days in [14u32, 1] {
            if let Some(t) = notice_at(end, days).filter(|t| *t > now) {
                self.add_timer(t, Timer::ExpiryNotice(a.id, days));
            }
        }
        self.add_timer(end, Timer::Expire(a.id));
        let before = self.review_terms(a).and_then(|r| r.before_expiry_days);
        if let Some(t) = before.and_then(|d| self.before_expiry_at(end, d)) {
            self.add_timer(t, Timer::ReviewBeforeExpiry(a.id));
        }
    }

    pub(crate) fn schedule_policy_review(&mut self, p: &Policy) {
        if let Some(t) = p.next_review_at {
            self.add_timer(t, Timer::ReviewOpen(p.id));
        }
    }

    /// Every timer the current objects call for, later than now (used when loading).
    pub(crate) fn scheduled_timers(&self) -> super::timer_queue::TimerQueue {
        let now = self.clock.now;
        // Gathered, then sorted and built at once: far cheaper than a million inserts.
        let mut set = Vec::new();
        // A time past the calendar is not scheduled (`Tenant::problems` says why).
        let mut add = |t: Option<Time>, x: Timer| {
            if let Some(t) = t.filter(|t| *t > now) {
                set.push((t, x));
            }
        };
        for r in self.requests.values() {
            match r.state {
                RequestState::PendingApproval => {
                    if let Some(st) = self.request_terms(r).and_then(|t| t.stages.get(r.stage)) {
                        add(r.stage_deadline(st.timeout_days), Timer::StageTimeout(r.id, stage_no(r.stage)));
                        if let (Some(e), false) = (&st.escalation, r.escalated) {
                            add(escalation_at(r.stage_started, e.after_days), Timer::Escalate(r.id, stage_no(r.stage)));
                        }
                    }
                }
                RequestState::Scheduled => {
                    add(r.start, Timer::ScheduledStart(r.id));
                }
                _ => {}
            }
        }
        for a in self.assignments.values().filter(|a| a.is_active()) {
            if let Some(end) = a.end {
                for days in [14u32, 1] {
                    add(notice_at(end, days), Timer::ExpiryNotice(a.id, days));
                }
                add(Some(end), Timer::Expire(a.id));
                if let Some(d) = self.review_terms(a).and_then(|r| r.before_expiry_days) {
                    add(notice_at(end, d), Timer::ReviewBeforeExpiry(a.id));
                }
            }
        }
        for p in self.policies.values() {
            add(p.next_review_at, Timer::ReviewOpen(p.id));
        }
        for r in self.reviews.values().filter(|r| r.state == ReviewState::InProgress) {
            add(Some(r.end), Timer::ReviewClose(r.id));
        }
        for u in self.users.values() {
            add(u.remove_at, Timer::GuestRemove(u.id));
        }
        for p in self.auto_removals.values() {
            add(Some(p.at), Timer::AutoRemove(p.assignment));
        }
        for (at, id) in self.callback_deadlines() {
            add(Some(at), Timer::CallbackTimeout(id));
        }
        super::timer_queue::TimerQueue::from_unsorted(set)
    }

    /// Whether a queued timer would still do something when it fires (the objects decide; the
    /// queue may hold stale entries). The same conditions `fire` checks.
    pub(crate) fn timer_live(&self, t: Time, timer: Timer) -> bool {
        let pending_stage = |id: RequestId, stage: usize| {
            self.requests
                .get(&id)
                .filter(|r| r.state == RequestState::PendingApproval && r.stage == stage)
                .and_then(|r| Some((r, self.request_terms(r).and_then(|t| t.stages.get(stage))?)))
        };
        let active = |aid: AssignmentId| self.assignments.get(&aid).filter(|a| a.is_active());
        match timer {
            Timer::ScheduledStart(id) => {
                self.requests.get(&id).is_some_and(|r| r.state == RequestState::Scheduled && r.start == Some(t))
            }
            Timer::Escalate(id, stage) => pending_stage(id, usize::from(stage)).is_some_and(|(r, st)| {
                !r.escalated
                    && st.escalation.as_ref().is_some_and(|e| escalation_at(r.stage_started, e.after_days) == Some(t))
            }),
            Timer::StageTimeout(id, stage) => pending_stage(id, usize::from(stage))
                .is_some_and(|(r, st)| r.stage_deadline(st.timeout_days) == Some(t)),
            Timer::ExpiryNotice(aid, days) => active(aid).is_some_and(|a| notice_due(a.end, days, t)),
            Timer::Expire(aid) => active(aid).is_some_and(|a| a.end == Some(t)),
            Timer::ReviewBeforeExpiry(aid) => active(aid).is_some_and(|a| {
                let d = self.review_terms(a).and_then(|r| r.before_expiry_days);
                let due = a.end.zip(d).and_then(|(e, d)| notice_at(e, d));
                due.is_some_and(|due| due.max(t) == t)
            }),
            Timer::ReviewOpen(pid) => self.policies.get(&pid).is_some_and(|p| p.next_review_at == Some(t)),
            Timer::ReviewClose(rid) => {
                self.reviews.get(&rid).is_some_and(|r| r.state == ReviewState::InProgress && r.end == t)
            }
            Timer::GuestRemove(uid) => {
                self.users.get(&uid).is_some_and(|u| u.remove_at == Some(t) && u.deleted_at.is_none())
            }
            Timer::AutoRemove(aid) => self.auto_removal_live(t, aid),
            Timer::CallbackTimeout(id) => self.callback_deadline(id) == Some(t),
        }
    }

    pub(super) fn fire(&mut self, t: Time, timer: Timer, fired: &mut Fired) {
        match timer {
            Timer::ScheduledStart(id) => {
                let due =
                    self.requests.get(&id).is_some_and(|r| r.state == RequestState::Scheduled && r.start == Some(t));
                if due {
                    if let Some(r) = self.requests.get_mut(&id) {
                        r.start = None;
                    }
                    self.deliver(id);
                    fired.started += 1;
                }
            }
            Timer::Escalate(id, stage) => self.fire_escalation(id, usize::from(stage), t, fired),
            Timer::StageTimeout(id, stage) => {
                let stage = usize::from(stage);
                let Some(r) = self.requests.get(&id) else { return };
                let Some(st) = self.request_terms(r).and_then(|t| t.stages.get(stage)) else { return };
                if r.state != RequestState::PendingApproval
                    || r.stage != stage
                    || r.stage_deadline(st.timeout_days) != Some(t)
                {
                    return;
                }
                let who = r.target_user().or(r.requestor);
                let pkg = r.package;
                self.set_request_state(id, RequestState::Expired);
                self.push_history(id, format!("Expired: no decision on stage {} in time", stage + 1));
                self.audit(
                    &Actor::System,
                    "request.expired",
                    id,
                    format!("No decision on stage {} before the timeout", stage + 1),
                );
                if let Some(u) = who {
                    let pname = self.packages.get(&pkg).map(|p| p.display_name.clone()).unwrap_or_default();
                    self.notify(
                        u,
                        "denied",
                        id,
                        format!("Your request for '{pname}' expired without a decision"),
                        "Request it again if you still need it",
                    );
                }
                fired.timed_out += 1;
            }
            Timer::ExpiryNotice(aid, days) => {
                let Some(a) = self.assignments.get(&aid) else { return };
                if !a.is_active() || !notice_due(a.end, days, t) {
                    return;
                }
                let (user, package, end, terms) = (a.target, a.package, a.end, (a.policy, a.revision));
                self.notify_about(user, aid, package, Notice::ExpiresSoon { end, terms, days });
                self.before_expiry_callouts(aid, days);
                fired.notices += 1;
            }
            Timer::Expire(aid) => {
                if self.end_assignment_if(
                    aid,
                    |a: &super::flow::Assignment| a.end == Some(t),
                    EndReason::Expired,
                    &Actor::System,
                    "",
                ) {
                    fired.expired += 1;
                }
            }
            Timer::ReviewOpen(pid) => {
                let due = self.policies.get(&pid).is_some_and(|p| p.next_review_at == Some(t));
                if due && self.open_policy_review(pid, t).is_some() {
                    fired.reviews_opened += 1;
                }
            }
            Timer::ReviewBeforeExpiry(aid) => {
                if self.open_expiry_review(aid, t).is_some() {
                    fired.reviews_opened += 1;
                }
            }
            Timer::ReviewClose(rid) => {
                let due = self.reviews.get(&rid).is_some_and(|r| r.state == ReviewState::InProgress && r.end == t);
                if due {
                    let (_, removed) = self.complete_review(rid, &Actor::System);
                    fired.reviews_completed += 1;
                    fired.removed_by_review += removed;
                }
            }
            Timer::GuestRemove(uid) => {
                let due = self.users.get(&uid).is_some_and(|u| u.remove_at == Some(t) && u.deleted_at.is_none());
                if due {
                    self.remove_guest(uid);
                    fired.guests_removed += 1;
                }
            }
            Timer::AutoRemove(aid) => self.fire_auto_remove(t, aid, fired),
            Timer::CallbackTimeout(id) => self.fire_callback_timeout(t, id, fired),
        }
    }

    /// Whether the terms of a policy's revision allow an extension: asked of a small map the
    /// command keeps (a revision's terms never change) rather than of the revisions themselves,
    /// whose lookup misses the cache twice per notice at a million assignments.
    pub(super) fn extendable(&mut self, (policy, revision): (PolicyId, u32)) -> bool {
        if let Some(&known) = self.idx.extendable.get(&(policy, revision)) {
            return known;
        }
        let known = self.revision(policy, revision).is_some_and(|t| t.lifecycle.allow_extension);
        self.idx.extendable.insert((policy, revision), known);
        known
    }

    fn fire_escalation(&mut self, id: RequestId, stage: usize, t: Time, fired: &mut Fired) {
        let Some(r) = self.requests.get(&id).cloned() else { return };
        let Some(st) = self.request_terms(&r).and_then(|t| t.stages.get(stage)).cloned() else { return };
        let Some(esc) = st.escalation else { return };
        let due = escalation_at(r.stage_started, esc.after_days) == Some(t);
        if r.state != RequestState::PendingApproval || r.stage != stage || r.escalated || !due {
            return;
        }
        // A new external requestor is not a user yet: their organization is on the request.
        let org = match &r.target {
            super::flow::Target::User { user } => self.users.get(user).and_then(|u| u.home_org),
            super::flow::Target::External { org, .. } => *org,
        };
        let mut alternates: Vec<UserId> =
            self.resolve_approvers(&esc.alternates, r.target_user(), org).into_iter().collect();
        alternates.retain(|u| Some(*u) != r.target_user() && Some(*u) != r.requestor && !r.approvers.contains(u));
        if let Some(x) = self.requests.get_mut(&id) {
            x.escalated = true;
            x.approvers.extend(alternates.iter().copied());
        }
        for a in &alternates {
            self.idx.inbox.entry(*a).or_default().insert(id);
        }
        let names: Vec<String> = alternates.iter().map(|u| self.user_name(*u)).collect();
        self.push_history(id, format!("Escalated: forwarded to {}", names.join(", ")));
        self.audit(
            &Actor::System,
            "request.escalated",
            id,
            format!("Forwarded to alternate approvers: {}", names.join(", ")),
        );
        let pname = self.packages.get(&r.package).map(|p| p.display_name.clone()).unwrap_or_default();
        let who = self.target_label(&r.target);
        for a in alternates {
            self.notify(
                a,
                "forwarded",
                id,
                format!("Forwarded to you: {who} requests '{pname}'"),
                format!("{id} was not decided in {} days", esc.after_days),
            );
        }
        fired.escalated += 1;
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_number_is_written_as_the_format_string_does() {
        for n in [0u32, 1, 9, 10, 14, 99, 100, 365, 1_000_000, u32::MAX] {
            let mut out = String::from("x");
            push_number(&mut out, n);
            assert_eq!(out, format!("x{n}"));
        }
    }

    #[test]
    fn a_notice_is_due_exactly_when_its_time_is_the_end_less_its_days() {
        let at = |y, mo, d, h, mi, s| chrono::Utc.with_ymd_and_hms(y, mo, d, h, mi, s).single().expect("a time");
        let ends =
            [at(2027, 3, 1, 9, 0, 0), at(2028, 2, 29, 23, 59, 59), at(1970, 1, 2, 0, 0, 0), at(9999, 12, 31, 0, 0, 0)];
        for end in ends {
            for days in [0u32, 1, 14, 365, u32::MAX] {
                let due = notice_at(end, days);
                for t in [due, Some(end), Some(at(2027, 2, 15, 9, 0, 0)), Some(at(1970, 1, 1, 0, 0, 0))]
                    .into_iter()
                    .flatten()
                {
                    assert_eq!(notice_due(Some(end), days, t), due == Some(t), "{end} less {days} days at {t}");
                    if let Some(later) = t.checked_add_signed(chrono::TimeDelta::seconds(1)) {
                        assert_eq!(notice_due(Some(end), days, later), due == Some(later));
                    }
                }
            }
        }
        assert!(!notice_due(None, 1, at(2027, 1, 1, 0, 0, 0)));
    }

    #[test]
    fn a_notice_writes_its_time_as_the_format_string_does() {
        for (y, mo, d, h, mi) in [(1, 1, 1, 0, 0), (999, 12, 31, 23, 59), (2026, 3, 7, 9, 5), (9999, 12, 31, 23, 59)] {
            let t = chrono::Utc.with_ymd_and_hms(y, mo, d, h, mi, 30).single().expect("a time");
            let mut out = String::new();
            push_minute(&mut out, t);
            assert_eq!(out, t.format("%Y-%m-%d %H:%M").to_string());
        }
    }
}
