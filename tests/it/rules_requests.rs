//! Lifecycle rules 1-3 and the request rules: visibility, request, approval (delivery, cancel
//! and scheduled start are in `rules_delivery.rs`).

use crate::common;

use std::collections::BTreeMap;

use chrono::Duration;
use common::*;
use entitle::domain::*;

// ----- 1. visibility -----

#[test]
fn visibility_a_disabled_catalog_hides_and_refuses_its_packages() {
    let mut w = World::new();
    let lab = w.lab(members_policy("Standard"));
    let mia = w.user("Mia");
    assert_eq!(w.my_access(&u(mia)), vec![lab.package]);
    w.update_catalog(lab.catalog, false, true);
    assert!(w.my_access(&u(mia)).is_empty());
    let e = w.refuse(&u(mia), submit_cmd(lab.package, None));
    assert!(msg(&e).contains("disabled"), "{e}");
    w.update_catalog(lab.catalog, true, true);
    w.request(&u(mia), lab.package);
}

#[test]
fn visibility_a_catalog_not_enabled_for_external_users_hides_its_packages_from_externals() {
    let mut w = World::new();
    let org = w.org("Fabrikam", "fabrikam.com", &[]);
    let lab = w.lab(PolicySpec::new("Partners", RequestScope::SpecificOrgs { orgs: [org].into() }));
    let internal = w.policy(lab.package, members_policy("Staff"));
    let alex = ext("alex@fabrikam.com", "Alex");
    let mia = w.user("Mia");
    assert_eq!(w.my_access(&alex), vec![lab.package]);

    w.update_catalog(lab.catalog, true, false);
    assert!(w.my_access(&alex).is_empty());
    let e = w.refuse(&alex, submit_cmd(lab.package, None));
    assert_eq!(kind(&e), "Rule");
    let e = w.refuse(&alex, submit_cmd(lab.package, Some(lab.policy)));
    assert!(msg(&e).contains("external"), "{e}");
    // Internal users are not affected.
    assert_eq!(w.my_access(&u(mia)), vec![lab.package]);
    w.request_via(&u(mia), lab.package, internal);
}

#[test]
fn visibility_a_hidden_package_is_not_listed_but_can_be_requested_by_its_id() {
    let mut w = World::new();
    let lab = w.lab(members_policy("Standard"));
    w.sys(Command::UpdatePackage {
        package: lab.package,
        spec: PackageSpec { hidden: true, ..pkg_spec("Lab Access") },
    });
    let mia = w.user("Mia");
    assert!(w.my_access(&u(mia)).is_empty());
    let r = w.request(&u(mia), lab.package);
    assert_eq!(w.state(r), RequestState::Delivered);
}

#[test]
fn visibility_a_deleted_package_is_refused() {
    let mut w = World::new();
    let lab = w.lab(members_policy("Standard"));
    let mia = w.user("Mia");
    w.sys(Command::DeletePackage { package: lab.package });
    assert!(w.my_access(&u(mia)).is_empty());
    assert_eq!(kind(&w.refuse(&u(mia), submit_cmd(lab.package, None))), "Rule");
    assert_eq!(kind(&w.refuse(&u(mia), submit_cmd(lab.package, Some(lab.policy)))), "Rule");
}

#[test]
fn visibility_a_policy_with_new_requests_off_admits_nobody() {
    let mut w = World::new();
    let lab = w.lab(members_policy("Standard"));
    let mia = w.user("Mia");
    w.update_policy(lab.policy, |s| s.enabled = false);
    assert!(w.my_access(&u(mia)).is_empty());
    w.refuse(&u(mia), submit_cmd(lab.package, None));
    let e = w.refuse(&u(mia), submit_cmd(lab.package, Some(lab.policy)));
    assert!(msg(&e).contains("turned off"), "{e}");
}

// ----- 2. request -----

#[test]
fn several_matching_policies_the_requestor_must_pick_one() {
    let mut w = World::new();
    let lab = w.lab(members_policy("Short"));
    let mut long = members_policy("Long");
    long.lifecycle.expiration = Expiration::AfterDays(200);
    let long = w.policy(lab.package, long);
    let org = w.org("Fabrikam", "fabrikam.com", &[]);
    let partners =
        w.policy(lab.package, PolicySpec::new("Partners", RequestScope::SpecificOrgs { orgs: [org].into() }));
    let mia = w.user("Mia");

    let e = w.refuse(&u(mia), submit_cmd(lab.package, None));
    assert_eq!(kind(&e), "Invalid");
    assert!(msg(&e).contains(&lab.policy.to_string()) && msg(&e).contains(&long.to_string()), "{e}");
    assert!(!msg(&e).contains(&partners.to_string()), "only the policies that admit her: {e}");
    // A policy that does not admit her cannot be picked.
    assert_eq!(kind(&w.refuse(&u(mia), submit_cmd(lab.package, Some(partners)))), "Rule");
    let r = w.request_via(&u(mia), lab.package, long);
    assert_eq!(w.asg_of(r).end, Some(t0() + days(200)));
    assert_eq!(w.asg_of(r).policy, long);
}

#[test]
fn a_policy_of_another_package_cannot_be_picked() {
    let mut w = World::new();
    let lab = w.lab(members_policy("Standard"));
    let other = w.package(lab.catalog, "Other");
    let other_pol = w.policy(other, members_policy("Other's"));
    let mia = w.user("Mia");
    assert_eq!(kind(&w.refuse(&u(mia), submit_cmd(lab.package, Some(other_pol)))), "Invalid");
}

#[test]
fn one_assignment_per_user_per_package_second_request_refused_offering_extension_when_allowed() {
    let mut w = World::new();
    let mut spec = members_policy("Extendable");
    spec.lifecycle.allow_extension = true;
    let lab = w.lab(spec);
    let mia = w.user("Mia");
    let r = w.request(&u(mia), lab.package);
    let aid = w.asg_of(r).id;
    let e = w.refuse(&u(mia), submit_cmd(lab.package, None));
    assert_eq!(kind(&e), "Rule");
    assert!(msg(&e).contains("already has") && msg(&e).contains("extend") && msg(&e).contains(&aid.to_string()), "{e}");
    // An admin cannot assign it a second time either.
    let e = w.refuse(
        &sys(),
        Command::AdminAssign {
            package: lab.package,
            policy: lab.policy,
            user: mia,
            start: None,
            end: None,
            justification: String::new(),
        },
    );
    assert_eq!(kind(&e), "Rule");

    // Without extension, the message does not offer it.
    let mut spec = members_policy("Fixed");
    spec.lifecycle.allow_extension = false;
    let pkg2 = w.package(lab.catalog, "Fixed");
    w.add_role(pkg2, lab.team, "Member");
    w.policy(pkg2, spec);
    w.request(&u(mia), pkg2);
    let e = w.refuse(&u(mia), submit_cmd(pkg2, None));
    assert!(msg(&e).contains("already has") && !msg(&e).contains("extend"), "{e}");

    // Once the assignment has ended, a new request is fine.
    w.run(&u(mia), Command::RemoveOwnAssignment { assignment: aid });
    w.request(&u(mia), lab.package);
}

#[test]
fn a_pending_request_blocks_a_duplicate() {
    let mut w = World::new();
    let boss = w.user("Boss");
    let lab = w.lab(approval_policy(vec![by(boss)]));
    let mia = w.user("Mia");
    let r = w.request(&u(mia), lab.package);
    assert_eq!(w.state(r), RequestState::PendingApproval);
    let e = w.refuse(&u(mia), submit_cmd(lab.package, None));
    assert!(msg(&e).contains("pending") && msg(&e).contains(&r.to_string()), "{e}");
    w.run(&u(mia), Command::CancelRequest { request: r });
    w.request(&u(mia), lab.package);
}

#[test]
fn a_pending_external_request_blocks_a_duplicate_from_the_same_email() {
    let mut w = World::new();
    let boss = w.user("Boss");
    let mut spec = PolicySpec::new("Partners", RequestScope::AllExternal);
    spec.stages = vec![stage(vec![by(boss)])];
    let lab = w.lab(spec);
    let alex = ext("alex@fabrikam.com", "Alex");
    w.request(&alex, lab.package);
    let e = w.refuse(&ext("ALEX@fabrikam.com", "Alex"), submit_cmd(lab.package, None));
    assert!(msg(&e).contains("pending"), "{e}");
}

#[test]
fn justification_is_required_when_the_policy_says_so() {
    let mut w = World::new();
    let lab = w.lab(members_policy("Standard"));
    let mut relaxed = members_policy("Relaxed");
    relaxed.justification_required = false;
    let pkg2 = w.package(lab.catalog, "Relaxed");
    w.add_role(pkg2, lab.team, "Member");
    w.policy(pkg2, relaxed);
    let mia = w.user("Mia");
    let blank = |package| Command::SubmitRequest {
        package,
        policy: None,
        justification: "   ".into(),
        answers: BTreeMap::new(),
        start: None,
    };
    let e = w.refuse(&u(mia), blank(lab.package));
    assert_eq!(kind(&e), "Invalid");
    assert!(msg(&e).contains("justification"), "{e}");
    w.run(&u(mia), blank(pkg2));
}

#[test]
fn required_questions_and_multiple_choice_answers_are_checked() {
    let mut w = World::new();
    let mut spec = members_policy("Asks");
    spec.questions = vec![
        Question { id: QuestionId(1), text: "Project code?".into(), kind: QuestionKind::Text, required: true },
        Question {
            id: QuestionId(2),
            text: "Office?".into(),
            kind: QuestionKind::Choice { options: vec!["Oslo".into(), "Lyon".into()] },
            required: false,
        },
    ];
    let lab = w.lab(spec);
    let mia = w.user("Mia");
    let ask = |answers: &[(u64, &str)]| Command::SubmitRequest {
        package: lab.package,
        policy: None,
        justification: "work".into(),
        answers: answers.iter().map(|(q, a)| (QuestionId(*q), a.to_string())).collect(),
        start: None,
    };
    let e = w.refuse(&u(mia), ask(&[]));
    assert!(msg(&e).contains("Project code?"), "{e}");
    w.refuse(&u(mia), ask(&[(1, "  ")]));
    let e = w.refuse(&u(mia), ask(&[(1, "P-7"), (2, "Paris")]));
    assert!(msg(&e).contains("Paris") && msg(&e).contains("Oslo"), "{e}");
    w.refuse(&u(mia), ask(&[(1, "P-7"), (9, "stray")]));
    let r: RequestId = id_of(&w.run(&u(mia), ask(&[(1, "P-7"), (2, "lyon")])));
    assert_eq!(w.req(r).answers.get(&QuestionId(1)).map(String::as_str), Some("P-7"));
}

// ----- 3. approval -----

#[test]
fn a_requestor_never_approves_their_own_request() {
    let mut w = World::new();
    let boss = w.user("Boss");
    let deputy = w.user("Deputy");
    let lab = w.lab(approval_policy(vec![by(boss), by(deputy)]));
    // The boss asks: the stage goes to the deputy only.
    let r = w.request(&u(boss), lab.package);
    assert_eq!(w.req(r).approvers, vec![deputy]);
    assert!(w.inbox(boss).is_empty());
    let e = w.refuse(&u(boss), Command::Decide { request: r, approve: true, reason: "me".into() });
    assert_eq!(kind(&e), "Forbidden");
    w.approve(deputy, r);
    assert_eq!(w.state(r), RequestState::Delivered);

    // When the requestor is the only approver, the fallback decides.
    let solo = w.package(lab.catalog, "Solo");
    w.add_role(solo, lab.team, "Owner");
    let mut spec = approval_policy(vec![by(boss)]);
    spec.stages[0].fallback = vec![by(deputy)];
    w.policy(solo, spec);
    let r = w.request(&u(boss), solo);
    assert_eq!(w.req(r).approvers, vec![deputy]);

    // Without a fallback, the request cannot be made at all.
    let lonely = w.package(lab.catalog, "Lonely");
    w.policy(lonely, approval_policy(vec![by(boss)]));
    let e = w.refuse(&u(boss), submit_cmd(lonely, None));
    assert!(msg(&e).contains("Nobody can approve"), "{e}");
}

#[test]
fn an_approver_decides_only_the_stages_routed_to_them() {
    let mut w = World::new();
    let first = w.user("First");
    let second = w.user("Second");
    let stranger = w.user("Stranger");
    let mut spec = members_policy("Two stages");
    spec.stages = vec![stage(vec![by(first)]), stage(vec![by(second)])];
    let lab = w.lab(spec);
    let mia = w.user("Mia");
    let r = w.request(&u(mia), lab.package);
    assert_eq!(w.inbox(first), vec![r]);
    assert!(w.inbox(second).is_empty(), "stage 2 is not routed yet");
    assert!(w.mail(second, "approvalNeeded").is_empty());
    for who in [second, stranger] {
        let e = w.refuse(&u(who), Command::Decide { request: r, approve: true, reason: "ok".into() });
        assert_eq!(kind(&e), "Forbidden");
    }
    w.approve(first, r);
    assert_eq!(w.state(r), RequestState::PendingApproval);
    assert_eq!(w.req(r).stage, 1);
    assert!(w.inbox(first).is_empty());
    assert_eq!(w.inbox(second), vec![r]);
    assert_eq!(w.mail(second, "approvalNeeded").len(), 1);
    let e = w.refuse(&u(first), Command::Decide { request: r, approve: true, reason: "again".into() });
    assert_eq!(kind(&e), "Forbidden");
    assert!(!w.holds(mia, lab.team, "Member"));
    w.approve(second, r);
    assert_eq!(w.state(r), RequestState::Delivered);
    assert!(w.holds(mia, lab.team, "Member"));
    assert_eq!(w.mail(mia, "approved").len(), 1);
    assert_eq!(w.mail(mia, "granted").len(), 1);
}

#[test]
fn approver_justification_is_required_when_the_stage_says_so() {
    let mut w = World::new();
    let boss = w.user("Boss");
    let lab = w.lab(approval_policy(vec![by(boss)]));
    let mia = w.user("Mia");
    let r = w.request(&u(mia), lab.package);
    let e = w.refuse(&u(boss), Command::Decide { request: r, approve: true, reason: " ".into() });
    assert_eq!(kind(&e), "Invalid");
    w.approve(boss, r);
    assert_eq!(w.req(r).decisions[0].reason, "Looks right");

    let quick = w.package(lab.catalog, "Quick");
    let mut spec = approval_policy(vec![by(boss)]);
    spec.stages[0].justification_required = false;
    w.policy(quick, spec);
    let r = w.request(&u(mia), quick);
    w.run(&u(boss), Command::Decide { request: r, approve: true, reason: String::new() });
    assert_eq!(w.state(r), RequestState::Delivered);
}

#[test]
fn one_deny_ends_the_request() {
    let mut w = World::new();
    let a1 = w.user("Approver One");
    let a2 = w.user("Approver Two");
    let a3 = w.user("Stage Two");
    let mut spec = members_policy("Two stages");
    spec.stages = vec![stage(vec![by(a1), by(a2)]), stage(vec![by(a3)])];
    let lab = w.lab(spec);
    let mia = w.user("Mia");
    let r = w.request(&u(mia), lab.package);
    assert_eq!(w.inbox(a1), vec![r]);
    assert_eq!(w.inbox(a2), vec![r]);
    w.deny(a1, r);
    assert_eq!(w.state(r), RequestState::Denied);
    assert!(w.req(r).assignment.is_none());
    assert!(w.inbox(a2).is_empty() && w.inbox(a3).is_empty());
    let e = w.refuse(&u(a2), Command::Decide { request: r, approve: true, reason: "late".into() });
    assert_eq!(kind(&e), "Rule");
    assert!(!w.holds(mia, lab.team, "Member"));
    let denied = w.mail(mia, "denied");
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].body, "Not needed");
    // A deny at the last stage after earlier approvals ends it too.
    let r = w.request(&u(mia), lab.package);
    w.approve(a2, r);
    w.deny(a3, r);
    assert_eq!(w.state(r), RequestState::Denied);
    assert!(w.active(mia, lab.package).is_none());
}

#[test]
fn a_stage_left_undecided_expires_the_request_exactly_at_its_timeout() {
    let mut w = World::new();
    let boss = w.user("Boss");
    let mut spec = approval_policy(vec![by(boss)]);
    spec.stages[0].timeout_days = 7;
    let lab = w.lab(spec);
    let mia = w.user("Mia");
    w.advance_by(Duration::hours(3));
    let submitted = w.now();
    let r = w.request(&u(mia), lab.package);

    w.tick_to(submitted + days(7) - Duration::seconds(1));
    assert_eq!(w.state(r), RequestState::PendingApproval, "not a second early");
    assert!(w.mail(mia, "denied").is_empty());
    let fired = w.tick_to(submitted + days(7));
    assert_eq!(fired.timed_out, 1);
    assert_eq!(w.state(r), RequestState::Expired);
    assert_eq!(w.req(r).completed_at, Some(submitted + days(7)));
    assert!(w.inbox(boss).is_empty());
    let notes = w.mail(mia, "denied");
    assert_eq!(notes.len(), 1);
    assert!(notes[0].subject.contains("expired"));
    assert_eq!(notes[0].at, submitted + days(7));
    let e = w.refuse(&u(boss), Command::Decide { request: r, approve: true, reason: "late".into() });
    assert_eq!(kind(&e), "Rule");
    // The requestor can ask again.
    w.request(&u(mia), lab.package);
}

#[test]
fn each_stage_gets_its_own_timeout_from_when_it_started() {
    let mut w = World::new();
    let a1 = w.user("First");
    let a2 = w.user("Second");
    let mut spec = members_policy("Two stages");
    spec.stages = vec![stage(vec![by(a1)]), stage(vec![by(a2)])];
    spec.stages[0].timeout_days = 5;
    spec.stages[1].timeout_days = 3;
    let lab = w.lab(spec);
    let mia = w.user("Mia");
    let r = w.request(&u(mia), lab.package);
    w.advance(4);
    w.approve(a1, r);
    w.advance(2); // day 6: stage 1's old deadline (day 5) has passed, stage 2 is still open
    assert_eq!(w.state(r), RequestState::PendingApproval);
    w.advance(1); // day 7 = stage 2 started on day 4 + 3
    assert_eq!(w.state(r), RequestState::Expired);
}

#[test]
fn escalation_forwards_the_request_to_alternates_after_the_set_days() {
    let mut w = World::new();
    let boss = w.user("Boss");
    let alt = w.user("Alternate");
    let mut spec = approval_policy(vec![by(boss)]);
    spec.stages[0].timeout_days = 10;
    spec.stages[0].escalation = Some(Escalation { after_days: 3, alternates: vec![by(alt)] });
    let lab = w.lab(spec);
    let mia = w.user("Mia");
    let r = w.request(&u(mia), lab.package);
    w.advance_by(days(3) - Duration::seconds(1));
    assert!(w.inbox(alt).is_empty());
    let e = w.refuse(&u(alt), Command::Decide { request: r, approve: true, reason: "early".into() });
    assert_eq!(kind(&e), "Forbidden");
    let fired = w.advance_by(Duration::seconds(1));
    assert_eq!(fired.escalated, 1);
    assert!(w.req(r).escalated);
    assert_eq!(w.inbox(alt), vec![r]);
    assert_eq!(w.inbox(boss), vec![r], "the primary approver can still decide");
    let fwd = w.mail(alt, "forwarded");
    assert_eq!(fwd.len(), 1);
    assert_eq!(fwd[0].at, t0() + days(3));
    w.approve(alt, r);
    assert_eq!(w.state(r), RequestState::Delivered);
    // The timeout still applies from the stage's start, not from the escalation.
    let r2 = w.request(&u(w.admin), lab.package);
    w.advance(10);
    assert_eq!(w.state(r2), RequestState::Expired);
}

#[test]
fn escalation_to_sponsors_reaches_the_sponsors_of_a_new_external_requestor() {
    let mut w = World::new();
    let approver = w.user("Approver");
    let sponsor = w.user("Sponsor");
    let org = w.org("Fabrikam", "fabrikam.com", &[sponsor]);
    let mut spec = PolicySpec::new("Partners", RequestScope::SpecificOrgs { orgs: [org].into() });
    let mut st = stage(vec![by(approver)]);
    st.timeout_days = 10;
    st.escalation = Some(Escalation { after_days: 2, alternates: vec![Approver::InternalSponsors] });
    spec.stages = vec![st];
    let lab = w.lab(spec);
    let r = w.request(&ext("alex@fabrikam.com", "Alex"), lab.package);
    w.advance(2);
    assert!(w.req(r).escalated);
    assert_eq!(w.inbox(sponsor), vec![r], "the org's sponsor gets the forwarded request");
}

#[test]
fn without_approval_a_request_is_delivered_at_once() {
    let mut w = World::new();
    let lab = w.lab(members_policy("Open"));
    let mia = w.user("Mia");
    let out = w.run(&u(mia), submit_cmd(lab.package, None));
    let r: RequestId = id_of(&out);
    assert_eq!(w.state(r), RequestState::Delivered);
    let a = w.asg_of(r);
    assert_eq!((a.state, a.start, a.target), (AssignmentState::Delivered, t0(), mia));
    assert_eq!(a.end, Some(t0() + days(365)));
    assert!(w.holds(mia, lab.team, "Member"));
    assert_eq!(w.mail(mia, "granted").len(), 1);
    assert!(w.mail(mia, "approved").is_empty(), "nothing was approved");
}

#[test]
fn manager_approval_goes_to_the_manager_or_to_the_fallback_when_there_is_none() {
    let mut w = World::new();
    let boss = w.user("Boss");
    let fb = w.user("Fallback");
    let mut spec = approval_policy(vec![Approver::Manager]);
    spec.stages[0].fallback = vec![by(fb)];
    let lab = w.lab(spec);
    let mia = w.user_managed("Mia", boss);
    let orphan = w.user("Orphan");
    let r1 = w.request(&u(mia), lab.package);
    let r2 = w.request(&u(orphan), lab.package);
    assert_eq!(w.req(r1).approvers, vec![boss]);
    assert_eq!(w.req(r2).approvers, vec![fb]);
    let e = w.refuse(&u(fb), Command::Decide { request: r1, approve: true, reason: "x".into() });
    assert_eq!(kind(&e), "Forbidden");
}
