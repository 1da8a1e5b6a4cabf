//! Access reviews: opened on a policy's schedule (or before an assignment expires), decided by
//! reviewers, applied automatically when they end.

use super::Time;
use super::access::NoResponse;
use super::clock;
use super::command::{Outcome, done};
use super::delivery::EndReason;
use super::error::{DomainResult, forbidden, invalid, not_found, rule};
use super::flow::{Review, ReviewDecision, ReviewItem, ReviewState};
use super::ids::*;
use super::rights::Actor;
use super::tenant::Tenant;
use super::timers::Timer;

impl Tenant {
    /// Open the scheduled review of a policy: one item per active assignment under it. The
    /// schedule moves on to its next occurrence (none past the calendar).
    pub(crate) fn open_policy_review(&mut self, pid: PolicyId, t: Time) -> Option<String> {
        let p = self.policies.get(&pid)?;
        let (package, settings) = (p.package, p.spec.review.clone()?);
        let next = settings.frequency.after(settings.starts_on, t);
        if let Some(x) = self.policies.get_mut(&pid) {
            x.next_review_at = next;
        }
        if let Some(next) = next {
            self.add_timer(next, Timer::ReviewOpen(pid));
        }
        let targets: Vec<(AssignmentId, UserId)> = self
            .assignments_of_package(package)
            .filter(|a| a.policy == pid && a.is_active())
            .map(|a| (a.id, a.target))
            .collect();
        if targets.is_empty() {
            return None;
        }
        let pname = self.packages.get(&package).map(|k| k.display_name.clone()).unwrap_or_default();
        let name = format!("{pname} – {} {}", settings.frequency, t.format("%Y-%m-%d"));
        self.open_review(name, package, pid, t, settings, targets)
    }

    /// When a review of an assignment ending at `end` opens, `days` before it (at once when that
    /// has passed); `None` when that date is past the calendar.
    pub(crate) fn before_expiry_at(&self, end: Time, days: u32) -> Option<Time> {
        clock::minus_days(end, i64::from(days)).map(|t| t.max(self.clock.now))
    }

    /// Open a one-assignment review N days before it expires.
    pub(crate) fn open_expiry_review(&mut self, aid: AssignmentId, t: Time) -> Option<String> {
        let a = self.assignments.get(&aid)?;
        let settings = self.review_terms(a)?.clone();
        let d = settings.before_expiry_days?;
        let due = a.end.and_then(|e| clock::minus_days(e, i64::from(d))).map(|x| x.max(t));
        if !a.is_active() || due != Some(t) || self.idx.under_review.get(&aid).is_some_and(|n| *n > 0) {
            return None;
        }
        let (package, policy, target) = (a.package, a.policy, a.target);
        let pname = self.packages.get(&package).map(|k| k.display_name.clone()).unwrap_or_default();
        let name = format!("{pname} – {} before expiry", self.user_name(target));
        self.open_review(name, package, policy, t, settings, vec![(aid, target)])
    }

    /// Open a review; `None` (and nothing opened) when its end would be past the calendar.
    fn open_review(
        &mut self,
        name: String,
        package: PackageId,
        policy: PolicyId,
        t: Time,
        settings: super::access::ReviewSettings,
        targets: Vec<(AssignmentId, UserId)>,
    ) -> Option<String> {
        let end = clock::plus_days(t, i64::from(settings.duration_days.max(1)))?;
        let id = ReviewId(self.alloc());
        let items: Vec<ReviewItem> = targets
            .into_iter()
            .map(|(aid, user)| ReviewItem {
                assignment: aid,
                user,
                reviewers: self.resolve_reviewers(&settings.reviewers, &settings.fallback, user),
                decision: None,
                decided_by: None,
                justification: String::new(),
                decided_at: None,
                outcome: None,
            })
            .collect();
        let mut reviewers: Vec<UserId> = items.iter().flat_map(|i| i.reviewers.iter().copied()).collect();
        reviewers.sort();
        reviewers.dedup();
        let n = items.len();
        let review = Review {
            id,
            display_name: name.clone(),
            package,
            policy,
            start: t,
            end,
            state: ReviewState::InProgress,
            settings,
            items,
        };
        for item in &review.items {
            self.mark_under_review(item.assignment, true);
        }
        self.reviews.insert(id, review);
        self.add_timer(end, Timer::ReviewClose(id));
        for r in reviewers {
            self.notify(
                r,
                "reviewOpened",
                id,
                format!("Access review '{name}' needs you"),
                format!("Decide by {} ({id})", end.format("%Y-%m-%d")),
            );
        }
        self.audit(&Actor::System, "accessReview.started", id, format!("Review '{name}' opened for {n} assignment(s)"));
        Some(name)
    }

    /// Keep the index of assignments under review in step as reviews open and end.
    fn mark_under_review(&mut self, aid: AssignmentId, open: bool) {
        let n = self.idx.under_review.entry(aid).or_default();
        *n = if open { n.saturating_add(1) } else { n.saturating_sub(1) };
        if *n == 0 {
            self.idx.under_review.remove(&aid);
        }
    }

    /// Apply the decisions: deny removes (systemRemove); no answer or don't know follows the policy.
    pub(crate) fn complete_review(&mut self, rid: ReviewId, by: &Actor) -> (String, usize) {
        let Some(review) = self.reviews.get(&rid).cloned() else { return (String::new(), 0) };
        let mut removed = 0;
        let mut outcomes = vec![];
        for item in &review.items {
            let active = self.assignments.get(&item.assignment).is_some_and(|a| a.is_active());
            let remove = match item.decision {
                Some(ReviewDecision::Deny) => true,
                Some(ReviewDecision::Approve) => false,
                Some(ReviewDecision::DontKnow) | None => review.settings.no_response == NoResponse::Remove,
            };
            let outcome = if !active {
                "already ended".to_string()
            } else if remove {
                let note = match item.decision {
                    Some(ReviewDecision::Deny) => format!("denied in review '{}'", review.display_name),
                    _ => format!("not approved in review '{}'", review.display_name),
                };
                self.end_assignment(item.assignment, EndReason::ReviewDenied, &Actor::System, &note);
                removed += 1;
                "removed".to_string()
            } else {
                "kept".to_string()
            };
            outcomes.push(outcome);
        }
        let now = self.clock.now;
        for item in &review.items {
            self.mark_under_review(item.assignment, false);
        }
        if let Some(r) = self.reviews.get_mut(&rid) {
            r.state = ReviewState::Completed;
            r.end = r.end.min(now);
            for (item, o) in r.items.iter_mut().zip(outcomes) {
                item.outcome = Some(o);
            }
        }
        self.audit(
            by,
            "accessReview.completed",
            rid,
            format!("Review '{}' completed: {removed} assignment(s) removed", review.display_name),
        );
        (review.display_name, removed)
    }

    /// An item of a review in progress that the actor is a reviewer of: the reviewer, the person
    /// under review and the review's name.
    pub(crate) fn check_decide_review(
        &self,
        actor: &Actor,
        rid: ReviewId,
        aid: AssignmentId,
    ) -> DomainResult<(UserId, UserId, String)> {
        let me = actor.user_id().ok_or_else(|| forbidden("Only a directory user can review"))?;
        let review = self.review(rid)?;
        if review.state != ReviewState::InProgress {
            return Err(rule(format!("Review '{}' has ended; its decisions were applied", review.display_name)));
        }
        let item =
            review.items.iter().find(|i| i.assignment == aid).ok_or_else(|| {
                not_found(format!("Assignment {aid} is not part of review '{}'", review.display_name))
            })?;
        if !item.reviewers.contains(&me) {
            return Err(forbidden(format!(
                "You are not a reviewer of {}'s access in this review",
                self.user_name(item.user)
            )));
        }
        Ok((me, item.user, review.display_name.clone()))
    }

    pub(crate) fn cmd_decide_review(
        &mut self,
        actor: &Actor,
        rid: ReviewId,
        aid: AssignmentId,
        decision: ReviewDecision,
        justification: &str,
    ) -> DomainResult<Outcome> {
        let (me, user, name) = self.check_decide_review(actor, rid, aid)?;
        if decision == ReviewDecision::Deny && justification.trim().is_empty() {
            return Err(invalid("Give a reason when you deny access in a review"));
        }
        let uname = self.user_name(user);
        let now = self.clock.now;
        let mut before = None;
        if let Some(r) = self.reviews.get_mut(&rid)
            && let Some(i) = r.items.iter_mut().find(|i| i.assignment == aid)
        {
            before = Some(ItemDecision::of(i));
            i.decision = Some(decision);
            i.decided_by = Some(me);
            i.justification = justification.trim().to_string();
            i.decided_at = Some(now);
        }
        let after =
            self.reviews.get(&rid).and_then(|r| r.items.iter().find(|i| i.assignment == aid)).map(ItemDecision::of);
        let summary = format!("{decision} for {uname} in '{name}'");
        self.audit_change(actor, "accessReview.decided", rid, summary, before.as_ref(), after.as_ref());
        done(format!("Recorded \"{}\" for {uname}; it is applied when the review ends", decision.phrase()))
    }

    /// A review in progress of a package the actor manages.
    pub(crate) fn check_end_review(&self, actor: &Actor, rid: ReviewId) -> DomainResult<Review> {
        let review = self.review(rid)?.clone();
        let cat = self.package(review.package)?.catalog;
        self.require_package_manager(actor, cat, "end an access review early")?;
        if review.state != ReviewState::InProgress {
            return Err(rule(format!("Review '{}' has already ended", review.display_name)));
        }
        Ok(review)
    }

    pub(crate) fn cmd_end_review(&mut self, actor: &Actor, rid: ReviewId) -> DomainResult<Outcome> {
        self.check_end_review(actor, rid)?;
        let (name, removed) = self.complete_review(rid, actor);
        let mut out = done(format!("Review '{name}' ended and applied: {removed} assignment(s) removed"))?;
        out.fired.reviews_completed = 1;
        out.fired.removed_by_review = removed;
        Ok(out)
    }

    /// Open review items the user must decide.
    pub fn review_tasks(&self, user: UserId) -> Vec<(&Review, &ReviewItem)> {
        self.reviews
            .values()
            .filter(|r| r.state == ReviewState::InProgress)
            .flat_map(|r| r.items.iter().filter(|i| i.reviewers.contains(&user)).map(move |i| (r, i)))
            .collect()
    }
}

/// One person's item of a review as the audit log records a decision: which assignment, and the
/// decision on it (none before the first).
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct ItemDecision {
    assignment: AssignmentId,
    #[serde(skip_serializing_if = "Option::is_none")]
    decided_by: Option<UserId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    decision: Option<super::flow::ReviewDecision>,
    #[serde(skip_serializing_if = "String::is_empty")]
    justification: String,
}

impl ItemDecision {
    fn of(i: &super::flow::ReviewItem) -> Self {
        ItemDecision {
            assignment: i.assignment,
            decided_by: i.decided_by,
            decision: i.decision,
            justification: i.justification.clone(),
        }
    }
}
