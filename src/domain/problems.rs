//! What a stored tenant holds that cannot be evaluated: a number of days so large that the date
//! it gives would fall past the calendar (written by an older version, or by hand). Such a value
//! never stops the tenant from opening: the timer it would give is not scheduled, and the
//! problem is reported here (and so by the lint, the CLI on open and the terminal app on start)
//! with what to do, so that an administrator can mend it.

use serde::Serialize;

use super::Time;
use super::access::{Lifecycle, ReviewSettings};
use super::clock;
use super::flow::RequestState;
use super::ids::PolicyId;
use super::records::ExternalLifecycle;
use super::tenant::Tenant;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// The object that holds the value, e.g. `pol65`, `as12`, `settings`.
    pub object: String,
    /// The field, as the files name it, e.g. `review.durationDays`.
    pub field: String,
    /// What is wrong and what to do.
    pub message: String,
}

/// Where the problems are found: the object, how to mend it, the tenant's time.
struct Finder<'a> {
    now: Time,
    object: String,
    mend: &'a str,
    out: &'a mut Vec<Problem>,
}

/// Whether review terms give dates the calendar holds, for an assignment ending at `end`: what
/// `Finder::review` finds nothing in, checked without building its message (a million active
/// assignments are checked on every open).
fn review_fits(now: Time, r: &ReviewSettings, end: Option<Time>) -> bool {
    clock::plus_days(now, i64::from(r.duration_days)).is_some()
        && r.before_expiry_days.is_none_or(|d| clock::minus_days(end.unwrap_or(now), i64::from(d)).is_some())
}

impl Finder<'_> {
    fn push(&mut self, field: &str, what: String) {
        self.out.push(Problem {
            object: self.object.clone(),
            field: field.to_string(),
            message: format!(
                "{} ({field}): {what} gives a date past the year {}, the last the tenant's calendar holds, so nothing is scheduled from it. {}.",
                self.object,
                clock::LAST_YEAR,
                self.mend
            ),
        });
    }

    /// A number of days counted forward from now.
    fn ahead(&mut self, field: &str, days: u32, what: &str) {
        if clock::plus_days(self.now, i64::from(days)).is_none() {
            self.push(field, format!("{what} of {days} days"));
        }
    }

    /// A number of days counted back from a date (an assignment's end, else now).
    fn before(&mut self, field: &str, from: Option<Time>, days: u32, what: &str) {
        if clock::minus_days(from.unwrap_or(self.now), i64::from(days)).is_none() {
            self.push(field, format!("{what} of {days} days"));
        }
    }

    /// The revision a request or an assignment was made under is not there (a hand-edited file).
    fn missing_revision(&mut self, policy: PolicyId, revision: u32) {
        self.out.push(Problem {
            object: self.object.clone(),
            field: "revision".into(),
            message: format!(
                "{} (revision): revision {revision} of policy {policy}, which it was made under, is not in the file, so its terms cannot be read. {}.",
                self.object, self.mend
            ),
        });
    }

    fn lifecycle(&mut self, prefix: &str, l: &Lifecycle) {
        if l.expiration.unreachable_from(self.now) {
            self.push(&format!("{prefix}expiration"), format!("'{}'", l.expiration.label()));
        }
    }

    fn review(&mut self, prefix: &str, r: &ReviewSettings, end: Option<Time>) {
        self.ahead(&format!("{prefix}durationDays"), r.duration_days, "a review duration");
        if let Some(d) = r.before_expiry_days {
            self.before(&format!("{prefix}beforeExpiryDays"), end, d, "a review before expiry");
        }
    }
}

impl Tenant {
    /// Every stored value that cannot be evaluated, with the object, the field and what to do.
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = vec![];
        let now = self.clock.now;
        for p in self.policies.values() {
            let mend = format!(
                "Fix it with `policy update {}` (e.g. `--no-review`, or a value in range) or in the policy's form",
                p.id
            );
            let mut f = Finder { now, object: p.id.to_string(), mend: &mend, out: &mut out };
            f.lifecycle("", &p.spec.lifecycle);
            if let Some(r) = &p.spec.review {
                f.review("review.", r, None);
            }
            for (i, st) in p.spec.stages.iter().enumerate() {
                f.ahead(&format!("stages[{i}].timeoutDays"), st.timeout_days, "an approval timeout");
                if let Some(e) = &st.escalation {
                    f.ahead(&format!("stages[{i}].escalation.afterDays"), e.after_days, "an escalation");
                }
            }
        }
        for r in self
            .requests
            .values()
            .filter(|r| matches!(r.state, RequestState::PendingApproval | RequestState::Scheduled))
        {
            let mend = format!("It keeps the terms it was made under: cancel or deny {} and request again", r.id);
            let mut f = Finder { now, object: r.id.to_string(), mend: &mend, out: &mut out };
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
        for a in self.assignments.values().filter(|a| a.is_active()) {
            let terms = self.assignment_terms(a);
            let review = terms.and_then(|t| t.review.as_ref());
            if terms.is_some() && review.is_none_or(|rv| review_fits(now, rv, a.end)) {
                continue;
            }
            let mend = format!("It keeps the terms it was granted under: remove {} and assign it again", a.id);
            let mut f = Finder { now, object: a.id.to_string(), mend: &mend, out: &mut out };
            match review {
                Some(rv) => f.review("reviewTerms.", rv, a.end),
                None => f.missing_revision(a.policy, a.revision),
            }
        }
        if let ExternalLifecycle::BlockThenRemove(days) = self.settings.external_lifecycle {
            let mend = "Fix it in the settings (how long a blocked guest stays before removal)";
            let mut f = Finder { now, object: "settings".into(), mend, out: &mut out };
            f.ahead("externalLifecycle.days", days, "removing a blocked guest after a wait");
        }
        out
    }

    /// One line for the CLI (stderr) and the terminal app's status line when the tenant holds
    /// problems; `None` when it holds none.
    pub fn problems_summary(&self) -> Option<String> {
        let problems = self.problems();
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
}
