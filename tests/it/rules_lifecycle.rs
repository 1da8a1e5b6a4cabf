//! Lifecycle rules 5-8: grants by source, expiry and notices, extension, removal (external users
//! and time are in `rules_external_time.rs`).

use crate::common;

use chrono::Duration;
use common::*;
use entitle::domain::*;

// ----- 5. grants are counted by source -----

#[test]
fn grants_by_source_a_direct_membership_survives_removal_of_the_package() {
    let mut w = World::new();
    let lab = w.lab(members_policy("Standard"));
    let mia = w.user("Mia");
    w.direct(mia, lab.team, "Member");
    let r = w.request(&u(mia), lab.package);
    let aid = w.asg_of(r).id;
    assert_eq!(
        w.sources(mia, lab.team, "Member"),
        [GrantSource::Direct, GrantSource::Assignment { assignment: aid }].into()
    );
    w.sys(Command::AdminRemove { assignment: aid, reason: "project over".into() });
    assert!(w.holds(mia, lab.team, "Member"), "the direct membership survives");
    assert_eq!(w.sources(mia, lab.team, "Member"), [GrantSource::Direct].into());
    // Removing the direct membership now ends it.
    let out = w.sys(Command::RemoveDirectGrant { user: mia, resource: lab.team, role: "Member".into() });
    assert!(out.message.contains("no longer"), "{}", out.message);
    assert!(!w.holds(mia, lab.team, "Member"));
    assert!(w.t.holders(lab.team).next().is_none());
}

#[test]
fn grants_by_source_removing_a_direct_membership_keeps_the_package_grant() {
    let mut w = World::new();
    let lab = w.lab(members_policy("Standard"));
    let mia = w.user("Mia");
    w.request(&u(mia), lab.package);
    w.direct(mia, lab.team, "Member");
    w.sys(Command::RemoveDirectGrant { user: mia, resource: lab.team, role: "Member".into() });
    assert!(w.holds(mia, lab.team, "Member"));
    // There is no direct membership left to remove.
    let e = w.refuse(&sys(), Command::RemoveDirectGrant { user: mia, resource: lab.team, role: "Member".into() });
    assert_eq!(kind(&e), "Rule");
}

#[test]
fn grants_by_source_two_packages_granting_the_same_group_removing_one_keeps_the_membership() {
    let mut w = World::new();
    let lab = w.lab(days_policy("Short", 30));
    let other = w.package(lab.catalog, "Other");
    w.add_role(other, lab.team, "Member");
    w.policy(other, days_policy("Long", 90));
    let mia = w.user("Mia");
    let r1 = w.request(&u(mia), lab.package);
    let r2 = w.request(&u(mia), other);
    let (a1, a2) = (w.asg_of(r1).id, w.asg_of(r2).id);
    assert_eq!(w.t.holders(lab.team).count(), 1, "one membership, two sources");
    w.advance(30);
    assert_eq!(w.asg(a1).state, AssignmentState::Expired);
    assert!(w.holds(mia, lab.team, "Member"), "still granted by the other package");
    assert_eq!(w.sources(mia, lab.team, "Member"), [GrantSource::Assignment { assignment: a2 }].into());
    w.advance(60);
    assert!(!w.holds(mia, lab.team, "Member"));
}

// ----- 6. expiry and notices -----

#[test]
fn expiry_at_the_end_time_removes_the_grants() {
    let mut w = World::new();
    let lab = w.lab(days_policy("Month", 30));
    let app = w.app("CRM");
    w.add_to_catalog(lab.catalog, app);
    w.add_role(lab.package, app, "User");
    let mia = w.user("Mia");
    let r = w.request(&u(mia), lab.package);
    let aid = w.asg_of(r).id;
    let end = t0() + days(30);
    w.tick_to(end - Duration::seconds(1));
    assert!(w.asg(aid).is_active() && w.holds(mia, lab.team, "Member") && w.holds(mia, app, "User"));
    let fired = w.tick_to(end);
    assert_eq!(fired.expired, 1);
    let a = w.asg(aid);
    assert_eq!((a.state, a.ended_at), (AssignmentState::Expired, Some(end)));
    assert!(!w.holds(mia, lab.team, "Member") && !w.holds(mia, app, "User"));
    let expired = w.mail(mia, "expired");
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].at, end);
    assert!(w.audit_has("assignment.expired", aid));
    // The package can be requested again.
    w.request(&u(mia), lab.package);
}

#[test]
fn expiry_notices_go_out_14_days_and_1_day_before_the_end() {
    let mut w = World::new();
    let mut spec = days_policy("Month", 30);
    spec.lifecycle.allow_extension = true;
    let lab = w.lab(spec);
    let mia = w.user("Mia");
    w.request(&u(mia), lab.package);
    let end = t0() + days(30);
    w.tick_to(end - days(14) - Duration::seconds(1));
    assert!(w.mail(mia, "expiresSoon").is_empty());
    let fired = w.tick_to(end - days(14));
    assert_eq!(fired.notices, 1);
    w.tick_to(end - days(1) - Duration::seconds(1));
    assert_eq!(w.mail(mia, "expiresSoon").len(), 1);
    w.tick_to(end - days(1));
    let notes = w.mail(mia, "expiresSoon");
    assert_eq!(notes.len(), 2);
    assert_eq!((notes[0].at, notes[1].at), (end - days(14), end - days(1)));
    assert!(notes[0].subject.contains("14 days") && notes[1].subject.contains("tomorrow"));
    assert!(notes[0].body.contains("extend"), "offers extension when allowed: {}", notes[0].body);
    w.tick_to(end);
    assert_eq!(w.mail(mia, "expiresSoon").len(), 2, "no more notices");
}

#[test]
fn expiry_notices_are_skipped_when_the_assignment_is_shorter_than_the_notice() {
    let mut w = World::new();
    let lab = w.lab(days_policy("Week", 7));
    let mut hours = members_policy("Hours");
    hours.lifecycle.expiration = Expiration::AfterHours(12);
    let shift = w.package(lab.catalog, "Shift");
    w.add_role(shift, lab.team, "Owner");
    w.policy(shift, hours);
    let mia = w.user("Mia");
    w.request(&u(mia), lab.package);
    w.request(&u(mia), shift);
    w.advance(8);
    let at: Vec<_> = w.mail(mia, "expiresSoon").iter().map(|n| n.at).collect();
    assert_eq!(at, vec![t0() + days(6)], "only the 1-day notice of the 7-day assignment");
    assert_eq!(w.mail(mia, "expired").len(), 2);
}

#[test]
fn extension_without_approval_moves_the_end() {
    let mut w = World::new();
    let mut spec = days_policy("Extendable", 30);
    spec.lifecycle.allow_extension = true;
    let lab = w.lab(spec);
    let mia = w.user("Mia");
    let r = w.request(&u(mia), lab.package);
    let aid = w.asg_of(r).id;
    w.advance(20);
    let out = w.run(&u(mia), Command::RequestExtension { assignment: aid, justification: "still needed".into() });
    let ext: RequestId = id_of(&out);
    assert_eq!(w.req(ext).request_type, RequestType::UserExtend);
    assert_eq!(w.state(ext), RequestState::Delivered);
    let new_end = t0() + days(50);
    assert_eq!(w.asg(aid).end, Some(new_end));
    // The old end passes without effect, and the notices follow the new end.
    w.advance(15); // day 35
    assert!(w.asg(aid).is_active());
    let notes: Vec<_> = w.mail(mia, "expiresSoon").iter().map(|n| n.at).collect();
    assert_eq!(notes, vec![t0() + days(16)], "only the 14-day notice of the old end went out");
    w.tick_to(new_end);
    assert_eq!(w.asg(aid).state, AssignmentState::Expired);
    let notes: Vec<_> = w.mail(mia, "expiresSoon").iter().map(|n| n.at).collect();
    assert_eq!(notes, vec![t0() + days(16), new_end - days(14), new_end - days(1)]);
    assert_eq!(w.mail(mia, "expired").len(), 1);
}

#[test]
fn extension_is_refused_when_the_terms_do_not_allow_it() {
    let mut w = World::new();
    let lab = w.lab(days_policy("Fixed", 30));
    let mia = w.user("Mia");
    let r = w.request(&u(mia), lab.package);
    let aid = w.asg_of(r).id;
    let e = w.refuse(&u(mia), Command::RequestExtension { assignment: aid, justification: "please".into() });
    assert!(msg(&e).contains("does not allow extension"), "{e}");
    // Turning extension on in the policy later does not change the terms she got.
    w.update_policy(lab.policy, |s| s.lifecycle.allow_extension = true);
    w.refuse(&u(mia), Command::RequestExtension { assignment: aid, justification: "please".into() });
}

#[test]
fn extension_only_by_the_assignee_and_only_before_the_end() {
    let mut w = World::new();
    let mut spec = days_policy("Extendable", 30);
    spec.lifecycle.allow_extension = true;
    let lab = w.lab(spec);
    let mia = w.user("Mia");
    let bob = w.user("Bob");
    let r = w.request(&u(mia), lab.package);
    let aid = w.asg_of(r).id;
    assert_eq!(
        kind(&w.refuse(&u(bob), Command::RequestExtension { assignment: aid, justification: "x".into() })),
        "Forbidden"
    );
    w.advance(30);
    let e = w.refuse(&u(mia), Command::RequestExtension { assignment: aid, justification: "x".into() });
    assert_eq!(kind(&e), "Rule");
}

#[test]
fn extension_with_approval_waits_for_the_approver_then_moves_the_end() {
    let mut w = World::new();
    let boss = w.user("Boss");
    let mut spec = days_policy("Approved", 30);
    spec.stages = vec![stage(vec![by(boss)])];
    spec.lifecycle.allow_extension = true;
    spec.lifecycle.extension_requires_approval = true;
    let lab = w.lab(spec);
    let mia = w.user("Mia");
    let r = w.request(&u(mia), lab.package);
    w.approve(boss, r);
    let aid = w.asg_of(r).id;
    w.advance(25);
    let e = w.refuse(&u(mia), Command::RequestExtension { assignment: aid, justification: " ".into() });
    assert_eq!(kind(&e), "Invalid");
    let ext: RequestId =
        id_of(&w.run(&u(mia), Command::RequestExtension { assignment: aid, justification: "audit runs late".into() }));
    assert_eq!(w.state(ext), RequestState::PendingApproval);
    assert_eq!(w.asg(aid).end, Some(t0() + days(30)), "not moved yet");
    assert_eq!(w.inbox(boss), vec![ext]);
    // One open extension at a time.
    w.refuse(&u(mia), Command::RequestExtension { assignment: aid, justification: "again".into() });
    w.advance(1);
    w.approve(boss, ext);
    assert_eq!(w.state(ext), RequestState::Delivered);
    assert_eq!(w.asg(aid).end, Some(t0() + days(26 + 30)));

    // A denied extension leaves the end alone.
    w.advance(20);
    let ext2: RequestId =
        id_of(&w.run(&u(mia), Command::RequestExtension { assignment: aid, justification: "more".into() }));
    w.deny(boss, ext2);
    assert_eq!(w.asg(aid).end, Some(t0() + days(56)));
    w.tick_to(t0() + days(56));
    assert_eq!(w.asg(aid).state, AssignmentState::Expired);
}

#[test]
fn self_removal_when_the_terms_allow_it() {
    let mut w = World::new();
    let lab = w.lab(members_policy("Standard"));
    let mut locked = members_policy("Locked");
    locked.lifecycle.allow_self_removal = false;
    let pkg2 = w.package(lab.catalog, "Locked");
    w.add_role(pkg2, lab.team, "Owner");
    w.policy(pkg2, locked);
    let mia = w.user("Mia");
    let bob = w.user("Bob");
    let r1 = w.request(&u(mia), lab.package);
    let r2 = w.request(&u(mia), pkg2);
    let (a1, a2) = (w.asg_of(r1).id, w.asg_of(r2).id);

    assert_eq!(kind(&w.refuse(&u(bob), Command::RemoveOwnAssignment { assignment: a1 })), "Forbidden");
    w.run(&u(mia), Command::RemoveOwnAssignment { assignment: a1 });
    assert_eq!(w.asg(a1).state, AssignmentState::Removed);
    assert!(!w.holds(mia, lab.team, "Member"));
    let removals = w.requests_of_type(mia, RequestType::UserRemove);
    assert_eq!(removals.len(), 1);
    assert_eq!(removals[0].assignment, Some(a1));
    assert_eq!(kind(&w.refuse(&u(mia), Command::RemoveOwnAssignment { assignment: a1 })), "Rule");

    assert_eq!(kind(&w.refuse(&u(mia), Command::RemoveOwnAssignment { assignment: a2 })), "Rule");
    assert!(w.holds(mia, lab.team, "Owner"));
}

#[test]
fn admin_assignment_respects_the_policys_lifecycle() {
    let mut w = World::new();
    let lab = w.lab(days_policy("Quarter", 90));
    let (mia, bob, cal, dan) = (w.user("Mia"), w.user("Bob"), w.user("Cal"), w.user("Dan"));
    let assign = |user, start, end| Command::AdminAssign {
        package: lab.package,
        policy: lab.policy,
        user,
        start,
        end,
        justification: "contract".into(),
    };
    let e = w.refuse(&sys(), assign(mia, None, Some(t0() + days(91))));
    assert_eq!(kind(&e), "Rule");
    assert!(msg(&e).contains("90 days"), "{e}");
    w.refuse(&sys(), assign(mia, None, Some(t0())));

    let r: RequestId = id_of(&w.sys(assign(mia, None, Some(t0() + days(90)))));
    assert_eq!(w.asg_of(r).end, Some(t0() + days(90)));
    let r: RequestId = id_of(&w.sys(assign(bob, None, Some(t0() + days(10)))));
    assert_eq!(w.asg_of(r).end, Some(t0() + days(10)));
    let r: RequestId = id_of(&w.sys(assign(cal, None, None)));
    assert_eq!(w.asg_of(r).end, Some(t0() + days(90)), "no end given: the policy's");
    assert_eq!(w.req(r).request_type, RequestType::AdminAdd);
    assert!(w.t.lifecycle_of(w.asg_of(r)) == w.t.policy(lab.policy).unwrap().spec.lifecycle);

    // A future start: the maximum counts from the start, and nothing is granted before it.
    let start = t0() + days(5);
    w.refuse(&sys(), assign(dan, Some(start), Some(start + days(91))));
    let r: RequestId = id_of(&w.sys(assign(dan, Some(start), Some(start + days(90)))));
    assert_eq!(w.state(r), RequestState::Scheduled);
    assert!(!w.holds(dan, lab.team, "Member"));
    w.advance(5);
    assert_eq!(w.asg_of(r).end, Some(start + days(90)));
    assert!(w.holds(dan, lab.team, "Member"));
}

#[test]
fn admin_assignment_needs_an_assignment_manager_role() {
    let mut w = World::new();
    let lab = w.lab(days_policy("Quarter", 90));
    let mia = w.user("Mia");
    let cmd = Command::AdminAssign {
        package: lab.package,
        policy: lab.policy,
        user: mia,
        start: None,
        end: None,
        justification: String::new(),
    };
    assert_eq!(kind(&w.refuse(&u(mia), cmd)), "Forbidden");
}

#[test]
fn admin_removal_ends_the_assignment_at_any_time() {
    let mut w = World::new();
    let lab = w.lab(days_policy("Quarter", 90));
    let mia = w.user("Mia");
    let bob = w.user("Bob");
    let r = w.request(&u(mia), lab.package);
    let aid = w.asg_of(r).id;
    w.advance(3);
    assert_eq!(kind(&w.refuse(&u(bob), Command::AdminRemove { assignment: aid, reason: "x".into() })), "Forbidden");
    assert_eq!(kind(&w.refuse(&u(mia), Command::AdminRemove { assignment: aid, reason: "x".into() })), "Forbidden");
    w.run(&u(w.admin), Command::AdminRemove { assignment: aid, reason: "left the project".into() });
    let a = w.asg(aid);
    assert_eq!((a.state, a.ended_at), (AssignmentState::Removed, Some(t0() + days(3))));
    assert!(!w.holds(mia, lab.team, "Member"));
    let removal = w.requests_of_type(mia, RequestType::AdminRemove);
    assert_eq!(removal.len(), 1);
    assert_eq!(removal[0].requestor, Some(w.admin));
    assert_eq!(removal[0].justification, "left the project");
    let notes = w.mail(mia, "removed");
    assert_eq!(notes.len(), 1);
    assert_eq!(kind(&w.refuse(&sys(), Command::AdminRemove { assignment: aid, reason: "again".into() })), "Rule");
    // Its expiry timer does nothing any more.
    w.advance(100);
    assert_eq!(w.asg(aid).state, AssignmentState::Removed);
    assert!(w.mail(mia, "expired").is_empty());
}
