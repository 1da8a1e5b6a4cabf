//! What a stored tenant holds that cannot be evaluated: a number of days so large that the date
//! it gives would fall past the calendar (written by an older version, or by hand). Such a value
//! never stops the tenant from opening: the timer it would give is not scheduled, and the
//! problem is reported here (and so by the lint, the CLI on open and the terminal app on start)
//! with what to do, so that an administrator can mend it.

use std::collections::HashMap;
use std::fmt::Arguments;

use serde::Serialize;

use super::Time;
use super::access::{Lifecycle, ReviewSettings};
use super::clock;
use super::flow::RequestState;
use super::ids::{AssignmentId, ObjectRef, PolicyId, RequestId};
use super::records::ExternalLifecycle;
use super::review_ends::EndRange;
use super::tenant::Tenant;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// The object that holds the value, e.g. `{"policy": 65}`, `{"settings": {}}`.
    pub object: ObjectRef,
    /// The field, as the files name it, e.g. `review.durationDays`.
    pub field: String,
    /// What is wrong and what to do.
    pub message: String,
}

/// Where the problems are found: the object, the tenant's time. Nothing is written unless a
/// problem is found (forty thousand policies are checked on every open).
struct Finder<'a> {
    now: Time,
    object: Holder,
    out: &'a mut Vec<Problem>,
}

/// The object that holds a value, and how to mend it.
#[derive(Clone, Copy)]
enum Holder {
    Policy(PolicyId),
    Request(RequestId),
    Assignment(AssignmentId),
    Settings,
}

impl Holder {
    fn name(self) -> ObjectRef {
        match self {
            Holder::Policy(id) => id.into(),
            Holder::Request(id) => id.into(),
            Holder::Assignment(id) => id.into(),
            Holder::Settings => ObjectRef::Settings {},
        }
    }

    fn mend(self) -> String {
        match self {
            Holder::Policy(id) => format!(
                "Fix it with `policy update {id}` (e.g. `--no-review`, or a value in range) or in the policy's form"
            ),
            Holder::Request(id) => {
                format!("It keeps the terms it was made under: cancel or deny {id} and request again")
            }
            Holder::Assignment(id) => {
                format!("It keeps the terms it was granted under: remove {id} and assign it again")
            }
            Holder::Settings => "Fix it in the settings (how long a blocked guest stays before removal)".into(),
        }
    }
}

/// Whether review terms give dates the calendar holds, for an assignment ending at `end`: what
/// `Finder::review` finds nothing in, checked without building its message (a million active
/// assignments are checked on every open).
fn review_fits(now: Time, r: &ReviewSettings, end: Option<Time>) -> bool {
    clock::plus_days(now, i64::from(r.duration_days)).is_some()
        && r.before_expiry_days.is_none_or(|d| clock::minus_days(end.unwrap_or(now), i64::from(d)).is_some())
}

/// What an assignment's review terms allow, from its revision alone.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Verdict {
    /// No review, or one whose dates the calendar holds whatever the assignment's end.
    Fine,
    /// A review counted back `.1` days from the end: fine when the end (else now), a date in
    /// the calendar, is at least `.0`.
    EndsFrom(Time, u32),
    /// Something to report whatever the end: a missing revision, a duration past the calendar.
    Report,
}

impl Verdict {
    /// `terms`: the revision's review terms (`None`: the revision is not there).
    fn of(now: Time, terms: Option<Option<&ReviewSettings>>) -> Self {
        let Some(review) = terms else { return Verdict::Report };
        let Some(r) = review else { return Verdict::Fine };
        if clock::plus_days(now, i64::from(r.duration_days)).is_none() {
            return Verdict::Report;
        }
        match r.before_expiry_days {
            None => Verdict::Fine,
            // `minus_days(end, d)` holds exactly when the end is at least the calendar's first
            // moment plus `d` days.
            // Past the calendar: no end in it is late enough.
            Some(d) => {
                Verdict::EndsFrom(clock::plus_days(clock::first_moment(), i64::from(d)).unwrap_or(Time::MAX_UTC), d)
            }
        }
    }

    fn fits(self, now: Time, end: Option<Time>) -> bool {
        match self {
            Verdict::Fine => true,
            Verdict::EndsFrom(t, d) => {
                let end = end.unwrap_or(now);
                // An end past the calendar (a hand-edited file) is counted back as the check does.
                if clock::in_range(end) { end >= t } else { clock::minus_days(end, i64::from(d)).is_some() }
            }
            Verdict::Report => false,
        }
    }

    /// Whether every assignment of a revision fits, from the range of their ends alone: those
    /// without an end (counted from now) and those with one.
    fn fits_all(self, now: Time, ends: &EndRange) -> bool {
        match self {
            Verdict::Fine => true,
            Verdict::EndsFrom(t, _) => self.fits(now, None) && ends.earliest.is_none_or(|e| ends.in_calendar && e >= t),
            Verdict::Report => false,
        }
    }
}

impl Finder<'_> {
    fn push(&mut self, field: Arguments, what: String) {
        let object = self.object.name();
        self.out.push(Problem {
            field: field.to_string(),
            message: format!(
                "{object} ({field}): {what} gives a date past the year {}, the last the tenant's calendar holds, so nothing is scheduled from it. {}.",
                clock::LAST_YEAR,
                self.object.mend()
            ),
            object,
        });
    }

    /// A number of days counted forward from now.
    fn ahead(&mut self, field: Arguments, days: u32, what: &str) {
        if clock::plus_days(self.now, i64::from(days)).is_none() {
            self.push(field, format!("{what} of {days} days"));
        }
    }

    /// A number of days counted back from a date (an assignment's end, else now).
    fn before(&mut self, field: Arguments, from: Option<Time>, days: u32, what: &str) {
        if clock::minus_days(from.unwrap_or(self.now), i64::from(days)).is_none() {
            self.push(field, format!("{what} of {days} days"));
        }
    }

    /// The revision a request or an assignment was made under is not there (a hand-edited file).
    fn missing_revision(&mut self, policy: PolicyId, revision: u32) {
        let object = self.object.name();
        self.out.push(Problem {
            field: "revision".into(),
            message: format!(
                "{object} (revision): revision {revision} of policy {policy}, which it was made under, is not in the file, so its terms cannot be read. {}.",
                self.object.mend()
            ),
            object,
        });
    }

    fn lifecycle(&mut self, prefix: &str, l: &Lifecycle) {
        if l.expiration.unreachable_from(self.now) {
            self.push(format_args!("{prefix}expiration"), format!("'{}'", l.expiration.label()));
        }
    }

    fn review(&mut self, prefix: &str, r: &ReviewSettings, end: Option<Time>) {
        self.ahead(format_args!("{prefix}durationDays"), r.duration_days, "a review duration");
        if let Some(d) = r.before_expiry_days {
            self.before(format_args!("{prefix}beforeExpiryDays"), end, d, "a review before expiry");
        }
    }
}

impl Tenant {
    /// Every stored value that cannot be evaluated, with the object, the field and what to do.
    pub fn problems(&self) -> Vec<Problem> {
        self.problems_reading(false)
    }

    /// [`Tenant::problems`], reading every active assignment (where `problems` reads only those
    /// that the ends kept by revision leave in doubt): the same answer, by the long way, for
    /// the tests that hold the short one to it.
    pub fn problems_scanning_all(&self) -> Vec<Problem> {
        self.problems_reading(true)
    }

    fn problems_reading(&self, every_assignment: bool) -> Vec<Problem> {
        let mut out = vec![];
        let now = self.clock.now;
        for p in self.policies.values() {
            let mut f = Finder { now, object: Holder::Policy(p.id), out: &mut out };
            f.lifecycle("", &p.spec.lifecycle);
            if let Some(r) = &p.spec.review {
                f.review("review.", r, None);
            }
            for (i, st) in p.spec.stages.iter().enumerate() {
                f.ahead(format_args!("stages[{i}].timeoutDays"), st.timeout_days, "an approval timeout");
                if let Some(e) = &st.escalation {
                    f.ahead(format_args!("stages[{i}].escalation.afterDays"), e.after_days, "an escalation");
                }
            }
            // A rule that does not read (a file edited by hand) assigns nobody: said, not silent.
            // Parsed again only when the index of automatic policies left it out.
            if let Some(auto) = &p.spec.automatic
                && !self.idx.automatic.contains_key(&p.id)
                && let Err(e) = super::user_rule::parse(&auto.rule)
            {
                let id = p.id;
                out.push(Problem {
                    object: id.into(),
                    field: "automatic.rule".into(),
                    message: format!(
                        "{id} (automatic.rule): the rule does not read ({e}), so it assigns nobody and removes nobody. Fix it with `policy update {id} --rule '...'` or in the policy's form."
                    ),
                });
            }
        }
        for r in self
            .requests
            .values()
            .filter(|r| matches!(r.state, RequestState::PendingApproval | RequestState::Scheduled))
        {
            let fits = self.request_terms(r).is_some_and(|t| {
                !t.lifecycle.expiration.unreachable_from(now)
                    && t.review.as_ref().is_none_or(|rv| review_fits(now, rv, None))
            });
            if fits {
                continue;
            }
            let mut f = Finder { now, object: Holder::Request(r.id), out: &mut out };
            match self.request_terms(r) {
                Some(terms) => {
                    f.lifecycle("terms.lifecycle.", &terms.lifecycle);
                    if let Some(rv) = &terms.review {
                        f.review("terms.review.", rv, None);
                    }
                }
                None => f.missing_revision(r.policy, r.revision),
            }
        }
        // What each revision's terms allow, worked out once. A million assignments would be
        // checked on every open: when the ends of each revision's assignments (`ReviewEnds`)
        // show that they all fit, only those made since are read.
        let mut verdicts: HashMap<(PolicyId, u32), Verdict> = HashMap::new();
        let mut verdict = |key: (PolicyId, u32)| {
            *verdicts.entry(key).or_insert_with(|| {
                let terms = self.revision(key.0, key.1);
                Verdict::of(now, terms.map(|t| t.review.as_ref()))
            })
        };
        let ends = &self.idx.review_ends;
        let mut counted_fit = || ends.by_revision.iter().all(|(key, range)| verdict(*key).fits_all(now, range));
        let assignments = match ends.since(&self.assignments) {
            Some(since) if !every_assignment && counted_fit() => since,
            _ => self.assignments.range(..),
        };
        // Assignments made one after the other mostly share a revision: the last verdict is
        // kept at hand.
        let mut last: Option<((PolicyId, u32), Verdict)> = None;
        for a in assignments.map(|(_, a)| a).filter(|a| a.is_active()) {
            let key = (a.policy, a.revision);
            let verdict = match last {
                Some((k, v)) if k == key => v,
                _ => {
                    let v = verdict(key);
                    last = Some((key, v));
                    v
                }
            };
            if verdict.fits(now, a.end) {
                continue;
            }
            let terms = self.assignment_terms(a);
            let review = terms.and_then(|t| t.review.as_ref());
            let mut f = Finder { now, object: Holder::Assignment(a.id), out: &mut out };
            match review {
                Some(rv) => f.review("reviewTerms.", rv, a.end),
                None => f.missing_revision(a.policy, a.revision),
            }
        }
        if let ExternalLifecycle::BlockThenRemove(days) = self.settings.external_lifecycle {
            let mut f = Finder { now, object: Holder::Settings, out: &mut out };
            f.ahead(format_args!("externalLifecycle.days"), days, "removing a blocked guest after a wait");
        }
        out
    }

    /// One line for the CLI (stderr) and the terminal app's status line when the tenant holds
    /// problems; `None` when it holds none.
    pub fn problems_summary(&self) -> Option<String> {
        problems_summary_of(&self.problems())
    }
}

/// [`Tenant::problems_summary`] of problems already found (the terminal app finds them once for
/// the lint and the status line).
pub fn problems_summary_of(problems: &[Problem]) -> Option<String> {
    let first = problems.first()?;
    let more = match problems.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n.saturating_sub(1)),
    };
    Some(format!(
        "The stored tenant holds a value that cannot be evaluated{more}: {} The lint lists them all (`entitle lint`, or Settings).",
        first.message
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// The verdict worked out once per revision says what the check per assignment says, at
    /// the calendar's edges too.
    #[test]
    fn a_revisions_verdict_agrees_with_the_check_of_each_assignment() {
        let now = chrono::Utc.with_ymd_and_hms(2026, 5, 1, 9, 0, 0).single().expect("a time");
        let first = clock::first_moment();
        let day = chrono::Duration::days(1);
        let second = chrono::Duration::seconds(1);
        let cases = [
            (14, None),
            (14, Some(30)),
            (u32::MAX, Some(3)),
            (30, Some(u32::MAX)),
            (30, Some(400)),
            (30, Some(5_480_000)),
        ];
        for (duration, before) in cases {
            let r = ReviewSettings {
                frequency: crate::domain::access::ReviewFrequency::Monthly,
                starts_on: now,
                duration_days: duration,
                reviewers: vec![],
                fallback: vec![],
                no_response: crate::domain::access::NoResponse::Keep,
                before_expiry_days: before,
            };
            let v = Verdict::of(now, Some(Some(&r)));
            let edge = before.and_then(|d| first.checked_add_signed(day * i32::try_from(d).unwrap_or(i32::MAX)));
            let far = chrono::Utc.with_ymd_and_hms(20000, 1, 1, 0, 0, 0).single();
            let mut ends = vec![None, Some(now), Some(first), Some(Time::MAX_UTC), far];
            if let Some(e) = edge {
                ends.extend([Some(e), e.checked_sub_signed(second), e.checked_add_signed(second)]);
            }
            for end in ends {
                assert_eq!(v.fits(now, end), review_fits(now, &r, end), "{duration} {before:?} {end:?}");
            }
        }
        assert!(!Verdict::of(now, None).fits(now, Some(now)), "a missing revision is reported");
        assert!(Verdict::of(now, Some(None)).fits(now, None), "no review, nothing to report");
    }
}
