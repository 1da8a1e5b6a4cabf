//! Lifecycle rule 7: access reviews open on schedule (or before expiry), reviewers decide, and the
//! result is applied when the review ends.

use crate::common;

use chrono::Duration;
use common::*;
use entitle::domain::*;

fn review(reviewers: Vec<Reviewer>, no_response: NoResponse) -> ReviewSettings {
    ReviewSettings {
        frequency: ReviewFrequency::Quarterly,
        starts_on: t0() + days(10),
        duration_days: 14,
        reviewers,
        fallback: vec![],
        no_response,
        before_expiry_days: None,
    }
}

fn reviewed_policy(settings: ReviewSettings) -> PolicySpec {
    let mut spec = members_policy("Reviewed");
    spec.review = Some(settings);
    spec
}

fn decide(w: &mut World, reviewer: UserId, review: ReviewId, assignment: AssignmentId, decision: ReviewDecision) {
    w.run(
        &u(reviewer),
        Command::DecideReview { review, assignment, decision, justification: "checked with the team".into() },
    );
}

fn only_review(w: &World, policy: PolicyId) -> Review {
    let r = w.reviews_of(policy);
    assert_eq!(r.len(), 1, "exactly one review of {policy}");
    r[0].clone()
}

#[test]
fn a_review_opens_on_its_schedule_with_one_item_per_active_assignment_of_the_policy() {
    let mut w = World::new();
    let rex = w.user("Rex");
    let lab = w.lab(reviewed_policy(review(vec![Reviewer::User { user: rex }], NoResponse::Keep)));
    let other = w.policy(lab.package, PolicySpec::new("Admin only", RequestScope::AdminOnly));
    let (mia, bob, cal, dan) = (w.user("Mia"), w.user("Bob"), w.user("Cal"), w.user("Dan"));
    let rm = w.request(&u(mia), lab.package);
    w.request(&u(bob), lab.package);
    let rc = w.request(&u(cal), lab.package);
    w.admin_assign(lab.package, other, dan);
    let cal_asg = w.asg_of(rc).id;
    w.sys(Command::AdminRemove { assignment: cal_asg, reason: "left".into() });

    w.tick_to(t0() + days(10) - Duration::seconds(1));
    assert!(w.reviews_of(lab.policy).is_empty());
    let fired = w.tick_to(t0() + days(10));
    assert_eq!(fired.reviews_opened, 1);
    let rv = only_review(&w, lab.policy);
    assert_eq!((rv.start, rv.end, rv.state), (t0() + days(10), t0() + days(24), ReviewState::InProgress));
    assert_eq!(rv.package, lab.package);
    let users: Vec<_> = rv.items.iter().map(|i| i.user).collect();
    assert_eq!(users, vec![mia, bob], "active assignments of this policy only");
    assert_eq!(rv.items[0].assignment, w.asg_of(rm).id);
    assert!(rv.items.iter().all(|i| i.reviewers == vec![rex] && i.decision.is_none()));
    let mail = w.mail(rex, "reviewOpened");
    assert_eq!(mail.len(), 1, "one notice per reviewer, not per item");
    assert_eq!(w.t.review_tasks(rex).len(), 2);
    assert!(w.t.review_tasks(mia).is_empty());

    // The next one follows the frequency.
    let next = t0() + days(10) + chrono::Months::new(3);
    assert_eq!(w.t.policy(lab.policy).unwrap().next_review_at, Some(next));
    w.tick_to(next - Duration::seconds(1));
    assert_eq!(w.reviews_of(lab.policy).len(), 1);
    w.tick_to(next);
    assert_eq!(w.reviews_of(lab.policy).len(), 2);
}

#[test]
fn a_review_with_nobody_to_review_is_not_opened_but_the_schedule_goes_on() {
    let mut w = World::new();
    let rex = w.user("Rex");
    let lab = w.lab(reviewed_policy(review(vec![Reviewer::User { user: rex }], NoResponse::Keep)));
    w.advance(10);
    assert!(w.reviews_of(lab.policy).is_empty());
    let mia = w.user("Mia");
    w.request(&u(mia), lab.package);
    w.tick_to(t0() + days(10) + chrono::Months::new(3));
    assert_eq!(only_review(&w, lab.policy).items.len(), 1);
}

#[test]
fn reviewers_are_resolved_self_manager_with_fallback_and_specific_users() {
    let mut w = World::new();
    let boss = w.user("Boss");
    let fb = w.user("Fallback");
    let rex = w.user("Rex");
    let mia = w.user_managed("Mia", boss);
    let orphan = w.user("Orphan");

    let mut self_review = review(vec![Reviewer::SelfReview], NoResponse::Keep);
    self_review.starts_on = t0() + days(1);
    let lab = w.lab(reviewed_policy(self_review));
    let mut by_manager = review(vec![Reviewer::Manager], NoResponse::Keep);
    by_manager.starts_on = t0() + days(1);
    // Manager reviews need a fallback.
    let mut spec = reviewed_policy(by_manager.clone());
    spec.display_name = "By manager".into();
    assert_eq!(kind(&w.refuse(&sys(), Command::CreatePolicy { package: lab.package, spec: spec.clone() })), "Invalid");
    spec.review.as_mut().unwrap().fallback = vec![fb];
    let p2 = w.package(lab.catalog, "Managed");
    let mgr_pol = w.policy(p2, spec);
    let mut specific = review(vec![Reviewer::User { user: rex }, Reviewer::SelfReview], NoResponse::Keep);
    specific.starts_on = t0() + days(1);
    let p3 = w.package(lab.catalog, "Specific");
    let mut spec = reviewed_policy(specific);
    spec.display_name = "Specific".into();
    let spec_pol = w.policy(p3, spec);

    for p in [lab.package, p2, p3] {
        w.request(&u(mia), p);
        w.request(&u(orphan), p);
    }
    w.advance(1);
    let reviewers = |w: &World, pol: PolicyId| -> Vec<(UserId, Vec<UserId>)> {
        only_review(w, pol).items.iter().map(|i| (i.user, i.reviewers.clone())).collect()
    };
    assert_eq!(reviewers(&w, lab.policy), vec![(mia, vec![mia]), (orphan, vec![orphan])]);
    assert_eq!(reviewers(&w, mgr_pol), vec![(mia, vec![boss]), (orphan, vec![fb])]);
    let mut both = vec![rex, mia];
    both.sort();
    let mut both_o = vec![rex, orphan];
    both_o.sort();
    assert_eq!(reviewers(&w, spec_pol), vec![(mia, both), (orphan, both_o)]);
}

#[test]
fn reviewers_decide_approve_deny_or_dont_know_and_deny_needs_a_reason() {
    let mut w = World::new();
    let rex = w.user("Rex");
    let lab = w.lab(reviewed_policy(review(vec![Reviewer::User { user: rex }], NoResponse::Keep)));
    let mia = w.user("Mia");
    let bob = w.user("Bob");
    let rm = w.request(&u(mia), lab.package);
    let aid = w.asg_of(rm).id;
    w.advance(10);
    let rv = only_review(&w, lab.policy).id;

    let e = w.refuse(
        &u(rex),
        Command::DecideReview {
            review: rv,
            assignment: aid,
            decision: ReviewDecision::Deny,
            justification: " ".into(),
        },
    );
    assert_eq!(kind(&e), "Invalid");
    // Not a reviewer: neither the assignee here nor a bystander.
    for who in [mia, bob] {
        let e = w.refuse(
            &u(who),
            Command::DecideReview {
                review: rv,
                assignment: aid,
                decision: ReviewDecision::Approve,
                justification: "mine".into(),
            },
        );
        assert_eq!(kind(&e), "Forbidden");
    }
    // An assignment that is not in the review.
    let rb = w.request(&u(bob), lab.package);
    let bob_asg = w.asg_of(rb).id;
    let e = w.refuse(
        &u(rex),
        Command::DecideReview {
            review: rv,
            assignment: bob_asg,
            decision: ReviewDecision::Approve,
            justification: String::new(),
        },
    );
    assert_eq!(kind(&e), "NotFound");

    for d in [ReviewDecision::DontKnow, ReviewDecision::Approve] {
        let out = w.run(
            &u(rex),
            Command::DecideReview { review: rv, assignment: aid, decision: d, justification: String::new() },
        );
        // In people's words, not the enum's name.
        let said = if d == ReviewDecision::DontKnow { "Recorded \"Don't know\"" } else { "Recorded \"Approve\"" };
        assert!(out.message.starts_with(said) && !out.message.contains("dontKnow"), "{}", out.message);
        let item = only_review(&w, lab.policy).items[0].clone();
        assert_eq!((item.decision, item.decided_by, item.decided_at), (Some(d), Some(rex), Some(w.now())));
    }
    decide(&mut w, rex, rv, aid, ReviewDecision::Deny);
    assert_eq!(only_review(&w, lab.policy).items[0].decision, Some(ReviewDecision::Deny));
    assert!(w.asg(aid).is_active(), "applied only when the review ends");
}

#[test]
fn at_the_end_deny_removes_approve_keeps_and_no_answer_follows_keep() {
    let mut w = World::new();
    let rex = w.user("Rex");
    let lab = w.lab(reviewed_policy(review(vec![Reviewer::User { user: rex }], NoResponse::Keep)));
    let (mia, bob, cal, dan) = (w.user("Mia"), w.user("Bob"), w.user("Cal"), w.user("Dan"));
    let ids: Vec<AssignmentId> = [mia, bob, cal, dan]
        .into_iter()
        .map(|x| {
            let r = w.request(&u(x), lab.package);
            w.asg_of(r).id
        })
        .collect();
    w.advance(10);
    let rv = only_review(&w, lab.policy).id;
    decide(&mut w, rex, rv, ids[0], ReviewDecision::Deny);
    decide(&mut w, rex, rv, ids[1], ReviewDecision::Approve);
    decide(&mut w, rex, rv, ids[2], ReviewDecision::DontKnow);
    // Dan: no answer.
    w.tick_to(t0() + days(24) - Duration::seconds(1));
    assert!(w.asg(ids[0]).is_active());
    let fired = w.tick_to(t0() + days(24));
    assert_eq!(fired.reviews_completed, 1);
    assert_eq!(fired.removed_by_review, 1);

    assert_eq!(w.asg(ids[0]).state, AssignmentState::Removed);
    assert!(!w.holds(mia, lab.team, "Member"));
    let sys_remove = w.requests_of_type(mia, RequestType::SystemRemove);
    assert_eq!(sys_remove.len(), 1);
    assert_eq!(sys_remove[0].assignment, Some(ids[0]));
    assert_eq!(w.mail(mia, "removed").len(), 1);
    for (x, a) in [(bob, ids[1]), (cal, ids[2]), (dan, ids[3])] {
        assert!(w.asg(a).is_active() && w.holds(x, lab.team, "Member"));
    }
    let rv = only_review(&w, lab.policy);
    assert_eq!(rv.state, ReviewState::Completed);
    let outcomes: Vec<_> = rv.items.iter().map(|i| i.outcome.clone().unwrap()).collect();
    assert_eq!(outcomes, vec!["removed", "kept", "kept", "kept"]);
    assert!(w.audit_has("accessReview.completed", rv.id));
    // Decisions after the end are refused.
    let e = w.refuse(
        &u(rex),
        Command::DecideReview {
            review: rv.id,
            assignment: ids[1],
            decision: ReviewDecision::Deny,
            justification: "late".into(),
        },
    );
    assert_eq!(kind(&e), "Rule");
}

#[test]
fn at_the_end_no_answer_and_dont_know_follow_remove() {
    let mut w = World::new();
    let rex = w.user("Rex");
    let lab = w.lab(reviewed_policy(review(vec![Reviewer::User { user: rex }], NoResponse::Remove)));
    let (mia, bob, cal) = (w.user("Mia"), w.user("Bob"), w.user("Cal"));
    w.direct(cal, lab.team, "Member");
    let ids: Vec<AssignmentId> = [mia, bob, cal]
        .into_iter()
        .map(|x| {
            let r = w.request(&u(x), lab.package);
            w.asg_of(r).id
        })
        .collect();
    w.advance(10);
    let rv = only_review(&w, lab.policy).id;
    decide(&mut w, rex, rv, ids[0], ReviewDecision::Approve);
    decide(&mut w, rex, rv, ids[1], ReviewDecision::DontKnow);
    let fired = w.advance(14);
    assert_eq!(fired.removed_by_review, 2);
    assert!(w.asg(ids[0]).is_active());
    assert_eq!(w.asg(ids[1]).state, AssignmentState::Removed);
    assert_eq!(w.asg(ids[2]).state, AssignmentState::Removed);
    assert_eq!(w.requests_of_type(cal, RequestType::SystemRemove).len(), 1);
    assert!(w.holds(cal, lab.team, "Member"), "Cal's direct membership survives the review");
}

#[test]
fn an_assignment_that_ended_during_the_review_is_left_alone() {
    let mut w = World::new();
    let rex = w.user("Rex");
    let mut spec = reviewed_policy(review(vec![Reviewer::User { user: rex }], NoResponse::Remove));
    spec.lifecycle.expiration = Expiration::AfterDays(15);
    let lab = w.lab(spec);
    let mia = w.user("Mia");
    let r = w.request(&u(mia), lab.package);
    let aid = w.asg_of(r).id;
    w.advance(30);
    let rv = only_review(&w, lab.policy);
    assert_eq!(rv.items[0].outcome.as_deref(), Some("already ended"));
    assert_eq!(w.asg(aid).state, AssignmentState::Expired);
    assert!(w.requests_of_type(mia, RequestType::SystemRemove).is_empty());
}

#[test]
fn a_review_can_start_n_days_before_each_assignment_expires() {
    let mut w = World::new();
    let rex = w.user("Rex");
    let mut settings = review(vec![Reviewer::User { user: rex }], NoResponse::Keep);
    settings.before_expiry_days = Some(7);
    settings.duration_days = 5;
    let mut spec = reviewed_policy(settings);
    spec.lifecycle.expiration = Expiration::AfterDays(30);
    let lab = w.lab(spec);
    let (mia, bob) = (w.user("Mia"), w.user("Bob"));
    let rm = w.request(&u(mia), lab.package);
    w.advance(2);
    let rb = w.request(&u(bob), lab.package);
    let (am, ab) = (w.asg_of(rm).id, w.asg_of(rb).id);
    assert_eq!(w.t.policy(lab.policy).unwrap().next_review_at, None, "no calendar schedule");

    w.tick_to(t0() + days(23) - Duration::seconds(1));
    assert!(w.reviews_of(lab.policy).is_empty());
    w.tick_to(t0() + days(23));
    let rv = only_review(&w, lab.policy);
    assert_eq!(rv.items.iter().map(|i| i.assignment).collect::<Vec<_>>(), vec![am]);
    assert_eq!((rv.start, rv.end), (t0() + days(23), t0() + days(28)));
    decide(&mut w, rex, rv.id, am, ReviewDecision::Deny);
    w.tick_to(t0() + days(25));
    assert_eq!(w.reviews_of(lab.policy).len(), 2, "Bob's opens 7 days before his own end");
    w.tick_to(t0() + days(28));
    assert_eq!(w.asg(am).state, AssignmentState::Removed);
    assert_eq!(w.requests_of_type(mia, RequestType::SystemRemove).len(), 1);
    w.tick_to(t0() + days(32));
    assert_eq!(w.asg(ab).state, AssignmentState::Expired, "kept by the review, then expired at its end");
}

#[test]
fn a_package_manager_can_end_a_review_early_and_its_results_apply_at_once() {
    let mut w = World::new();
    let rex = w.user("Rex");
    let pm = w.user("Pat Manager");
    let am = w.user("Ann Assigner");
    let reader = w.user("Rita Reader");
    let lab = w.lab(reviewed_policy(review(vec![Reviewer::User { user: rex }], NoResponse::Remove)));
    w.grant_role(lab.catalog, pm, CatalogRole::AccessPackageManager);
    w.grant_role(lab.catalog, am, CatalogRole::AccessPackageAssignmentManager);
    w.grant_role(lab.catalog, reader, CatalogRole::Reader);
    let (mia, bob) = (w.user("Mia"), w.user("Bob"));
    let rm = w.request(&u(mia), lab.package);
    let rb = w.request(&u(bob), lab.package);
    let (a_mia, a_bob) = (w.asg_of(rm).id, w.asg_of(rb).id);
    w.advance(10);
    let rv = only_review(&w, lab.policy).id;
    decide(&mut w, rex, rv, a_mia, ReviewDecision::Approve);
    w.advance(2);
    for who in [rex, am, reader, mia] {
        assert_eq!(kind(&w.refuse(&u(who), Command::EndReview { review: rv })), "Forbidden", "{who}");
    }
    let out = w.run(&u(pm), Command::EndReview { review: rv });
    assert_eq!(out.fired.removed_by_review, 1);
    let review = only_review(&w, lab.policy);
    assert_eq!((review.state, review.end), (ReviewState::Completed, t0() + days(12)));
    assert!(w.asg(a_mia).is_active());
    assert_eq!(w.asg(a_bob).state, AssignmentState::Removed);
    assert_eq!(w.asg(a_bob).ended_at, Some(t0() + days(12)));
    assert_eq!(kind(&w.refuse(&u(pm), Command::EndReview { review: rv })), "Rule");
    // The original end passes without a second application.
    let fired = w.advance(20);
    assert_eq!(fired.reviews_completed, 0);
}

#[test]
fn a_reviewer_whose_sign_in_is_blocked_is_replaced_by_the_fallback() {
    let mut w = World::new();
    let boss = w.user("Boss");
    let fb = w.user("Fallback");
    let mut settings = review(vec![Reviewer::Manager], NoResponse::Keep);
    settings.fallback = vec![fb];
    let lab = w.lab(reviewed_policy(settings));
    let mia = w.user_managed("Mia", boss);
    w.request(&u(mia), lab.package);
    w.set_enabled(boss, false);
    w.advance(10);
    assert_eq!(only_review(&w, lab.policy).items[0].reviewers, vec![fb]);
}
