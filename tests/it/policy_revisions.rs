//! Policy revisions: a request is routed by the approval stages of the revision it was submitted
//! under and grants that revision's terms; an assignment keeps the terms it was granted under;
//! an update that changes no terms makes no revision; revisions survive the files.

use crate::common;

use common::*;
use entitle::domain::*;

/// Two stages (Amy, then Bob), 365 days, a weekly review.
fn two_stage_lab(w: &mut World) -> (Lab, UserId, UserId) {
    let (amy, bob) = (w.user("Amy Approver"), w.user("Bob Approver"));
    let mut spec = members_policy("Two stages");
    spec.stages = vec![stage(vec![by(amy)]), stage(vec![by(bob)])];
    spec.stages[0].timeout_days = 10;
    (w.lab(spec), amy, bob)
}

#[test]
fn editing_a_policys_stages_leaves_waiting_requests_on_the_chain_they_were_submitted_under() {
    let mut w = World::new();
    let (lab, amy, bob) = two_stage_lab(&mut w);
    let cat = w.user("Cat Approver");
    let (early, late) = (w.user("Early Bird"), w.user("Late Comer"));
    let first = w.request(&u(early), lab.package);
    assert_eq!(w.inbox(amy), vec![first]);

    // The policy now has one stage, decided by Cat within 3 days, and grants 30 days.
    w.update_policy(lab.policy, |s| {
        s.stages = vec![stage(vec![by(cat)])];
        s.stages[0].timeout_days = 3;
        s.lifecycle.expiration = Expiration::AfterDays(30);
    });
    let second = w.request(&u(late), lab.package);
    assert_eq!(w.inbox(cat), vec![second], "a new request goes through the new stages");
    assert_eq!(w.inbox(amy), vec![first], "the waiting one stays with its first approver");
    assert!(w.t.waiting_on(w.req(first)).starts_with("stage 1 of 2"), "{}", w.t.waiting_on(w.req(first)));

    // Its first stage still times out after its own 10 days, not the new 3.
    w.advance(5);
    assert_eq!(w.state(first), RequestState::PendingApproval);
    assert_eq!(w.state(second), RequestState::Expired, "the new request's stage lasts 3 days");

    // Amy's approval sends it on to Bob: a stage the policy no longer has.
    w.approve(amy, first);
    assert_eq!(w.inbox(bob), vec![first]);
    w.approve(bob, first);
    assert_eq!(w.state(first), RequestState::Delivered);
    assert_eq!(w.asg_of(first).end, Some(w.now() + days(365)), "it grants the terms it was submitted under");
    assert_eq!(w.t.lifecycle_of(w.asg_of(first)).expiration, Expiration::AfterDays(365));
    assert!(w.inbox(cat).is_empty());
}

#[test]
fn an_update_that_changes_no_terms_makes_no_revision_and_one_that_does_makes_one() {
    let mut w = World::new();
    let (lab, _, _) = two_stage_lab(&mut w);
    let revisions = |w: &World| w.t.policy_revisions.keys().filter(|(p, _)| *p == lab.policy).count();
    assert_eq!((w.t.policy(lab.policy).unwrap().revision, revisions(&w)), (1, 1));

    w.update_policy(lab.policy, |s| {
        s.display_name = "Renamed".into();
        s.description = "Only words changed".into();
        s.enabled = false;
    });
    assert_eq!((w.t.policy(lab.policy).unwrap().revision, revisions(&w)), (1, 1), "nothing to keep");

    w.update_policy(lab.policy, |s| s.lifecycle.allow_extension = true);
    assert_eq!((w.t.policy(lab.policy).unwrap().revision, revisions(&w)), (2, 2));
    let current = w.t.revision(lab.policy, 2).unwrap();
    assert!(current.lifecycle.allow_extension);
    assert!(!w.t.revision(lab.policy, 1).unwrap().lifecycle.allow_extension, "revision 1 is unchanged");
    assert_eq!(current.stages, w.t.policy(lab.policy).unwrap().spec.stages);
}

#[test]
fn an_assignment_keeps_its_review_terms_and_a_deleted_policys_revisions_stay() {
    let mut w = World::new();
    let mut spec = members_policy("Reviewed");
    spec.review = Some(ReviewSettings {
        frequency: ReviewFrequency::Monthly,
        starts_on: t0() + days(400),
        duration_days: 7,
        reviewers: vec![Reviewer::SelfReview],
        fallback: vec![],
        no_response: NoResponse::Keep,
        before_expiry_days: Some(10),
    });
    let lab = w.lab(spec);
    let mia = w.user("Mia");
    let r = w.request(&u(mia), lab.package);
    let aid = w.asg_of(r).id;
    w.update_policy(lab.policy, |s| s.review = None);
    assert_eq!(w.t.review_terms(w.asg(aid)).and_then(|r| r.before_expiry_days), Some(10));

    // 10 days before its end, the review its own terms call for opens.
    let fired = w.advance(356);
    assert_eq!(fired.reviews_opened, 1, "{fired:?}");
    assert_eq!(w.t.reviews.values().next().map(|r| r.items.len()), Some(1));
}

#[test]
fn revisions_and_references_survive_the_json_and_nothing_else_holds_a_copy() {
    let mut w = World::new();
    let (lab, amy, _) = two_stage_lab(&mut w);
    let early = w.user("Early Bird");
    let first = w.request(&u(early), lab.package);
    w.update_policy(lab.policy, |s| s.stages.truncate(1));
    let direct = w.admin_assign(lab.package, lab.policy, amy);

    let json = serde_json::to_string(&w.t).unwrap();
    let mut back: Tenant = serde_json::from_str(&json).unwrap();
    back.rebuild_indexes();
    assert!(serde_json::to_string(&back).unwrap() == json, "reads back equal");
    assert_eq!(back.request_in_memory(first).unwrap().revision, 1);
    assert_eq!(back.request_in_memory(direct).unwrap().revision, 2);
    assert_eq!(back.request_terms(back.request_in_memory(first).unwrap()).map(|t| t.stages.len()), Some(2));
    let a = back.assignment(back.request_in_memory(direct).unwrap().assignment.unwrap()).unwrap();
    assert_eq!((a.revision, &back.lifecycle_of(a)), (2, &w.t.policy(lab.policy).unwrap().spec.lifecycle));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    for list in ["requests", "assignments"] {
        for item in value[list].as_array().unwrap() {
            for copy in ["terms", "reviewTerms", "lifecycle", "stages"] {
                assert!(item.get(copy).is_none(), "{list} hold no `{copy}`: {item}");
            }
        }
    }
}

#[test]
fn a_revision_missing_from_a_hand_edited_file_is_reported_and_its_request_is_not_delivered() {
    let mut w = World::new();
    let (lab, amy, bob) = two_stage_lab(&mut w);
    let (early, late) = (w.user("Early Bird"), w.user("Late Comer"));
    let first = w.request(&u(early), lab.package);
    w.approve(amy, first);
    w.approve(bob, first);
    let waiting = w.request(&u(late), lab.package);
    w.update_policy(lab.policy, |s| s.stages.truncate(1));
    // As if someone deleted revision 1 from the file.
    w.t.policy_revisions.remove(&(lab.policy, 1));
    w.t.rebuild_indexes();
    let found: Vec<(ObjectRef, String)> = w.t.problems().into_iter().map(|p| (p.object, p.field)).collect();
    let asg = w.asg_of(first).id;
    assert_eq!(found, vec![(waiting.into(), "revision".into()), (asg.into(), "revision".into())]);
    // Its approver can no longer decide a stage nobody can read; nothing panics, and time goes on.
    let e = w.refuse(&u(amy), Command::Decide { request: waiting, approve: true, reason: "ok".into() });
    assert!(e.to_string().contains("revision"), "{e}");
    w.advance(400);
    assert_eq!(w.state(waiting), RequestState::PendingApproval, "no stage it can read times it out");
    assert!(w.active(early, lab.package).is_none(), "the assignment's own end still ends it");
    // What the problem says to do works: cancel it.
    let admin = u(w.admin);
    w.run(&admin, Command::CancelRequest { request: waiting });
    assert!(w.t.problems().is_empty());
}
