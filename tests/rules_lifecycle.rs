//! Lifecycle rules 5-10: grants by source, expiry and notices, extension, removal, external users,
//! and time.

mod common;

use std::collections::BTreeMap;

use chrono::Duration;
use common::*;
use entitle::domain::*;

fn days_policy(name: &str, d: u32) -> PolicySpec {
    let mut spec = members_policy(name);
    spec.lifecycle.expiration = Expiration::AfterDays(d);
    spec
}

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

// ----- 9. external users -----

struct Ext {
    w: World,
    lab: Lab,
    p2: PackageId,
}

/// A package open to all external users, 30 days; a second one, 60 days.
fn ext_world(lifecycle: ExternalLifecycle) -> Ext {
    let mut w = World::new();
    w.settings(|s| s.external_lifecycle = lifecycle);
    w.org("Fabrikam", "fabrikam.com", &[]);
    let mut spec = PolicySpec::new("Outside", RequestScope::AllExternal);
    spec.lifecycle.expiration = Expiration::AfterDays(30);
    let lab = w.lab(spec);
    let p2 = w.package(lab.catalog, "Longer");
    let mut spec = PolicySpec::new("Outside longer", RequestScope::AllExternal);
    spec.lifecycle.expiration = Expiration::AfterDays(60);
    w.policy(p2, spec);
    Ext { w, lab, p2 }
}

fn guest_of(w: &World, email: &str) -> User {
    w.t.user_by_email(email).unwrap().clone()
}

#[test]
fn external_lifecycle_none_leaves_the_guest_alone() {
    let Ext { mut w, lab, .. } = ext_world(ExternalLifecycle::None);
    let alex = ext("alex@fabrikam.com", "Alex");
    w.request(&alex, lab.package);
    w.advance(400);
    let g = guest_of(&w, "alex@fabrikam.com");
    assert!(g.enabled && g.is_active() && g.remove_at.is_none());
}

#[test]
fn external_lifecycle_block_blocks_sign_in_when_the_last_assignment_ends() {
    let Ext { mut w, lab, p2 } = ext_world(ExternalLifecycle::Block);
    let alex = ext("alex@fabrikam.com", "Alex");
    w.request(&alex, lab.package);
    w.request(&alex, p2);
    w.advance(30);
    assert!(guest_of(&w, "alex@fabrikam.com").enabled, "still has the other assignment");
    w.advance(30);
    let g = guest_of(&w, "alex@fabrikam.com");
    assert!(!g.enabled && g.is_active() && g.remove_at.is_none());
    // A blocked guest cannot request.
    let e = w.refuse(&alex, submit_cmd(lab.package, None));
    assert_eq!(kind(&e), "Forbidden");
    w.advance(400);
    assert!(guest_of(&w, "alex@fabrikam.com").is_active(), "never removed");
}

#[test]
fn external_lifecycle_block_then_remove_after_n_days() {
    let Ext { mut w, lab, .. } = ext_world(ExternalLifecycle::BlockThenRemove(7));
    let alex = ext("alex@fabrikam.com", "Alex");
    w.request(&alex, lab.package);
    w.advance(30);
    let g = guest_of(&w, "alex@fabrikam.com");
    assert!(!g.enabled && g.is_active());
    assert_eq!(g.remove_at, Some(t0() + days(37)));
    w.tick_to(t0() + days(37) - Duration::seconds(1));
    assert!(guest_of(&w, "alex@fabrikam.com").is_active());
    let fired = w.tick_to(t0() + days(37));
    assert_eq!(fired.guests_removed, 1);
    let g = w.t.user(g.id).unwrap();
    assert_eq!(g.deleted_at, Some(t0() + days(37)));
}

#[test]
fn external_lifecycle_remove_after_0_days_is_at_once() {
    let Ext { mut w, lab, .. } = ext_world(ExternalLifecycle::BlockThenRemove(0));
    let alex = ext("alex@fabrikam.com", "Alex");
    let r = w.request(&alex, lab.package);
    let gid = w.asg_of(r).target;
    w.advance(3);
    // An admin removal ends the last assignment: the guest goes in the same command.
    let aid = w.asg_of(r).id;
    let out = w.sys(Command::AdminRemove { assignment: aid, reason: "done".into() });
    assert_eq!(out.fired.guests_removed, 1);
    assert_eq!(w.t.user(gid).unwrap().deleted_at, Some(t0() + days(3)));
}

#[test]
fn external_lifecycle_applies_only_to_guests_entitlement_management_created() {
    let mut w = World::new();
    w.settings(|s| s.external_lifecycle = ExternalLifecycle::BlockThenRemove(0));
    let org = w.org("Fabrikam", "fabrikam.com", &[]);
    let invited = w.guest("Ivy Invited", "ivy@fabrikam.com", Some(org));
    let mut spec = PolicySpec::new("Partners", RequestScope::SpecificOrgs { orgs: [org].into() });
    spec.lifecycle.expiration = Expiration::AfterDays(30);
    let lab = w.lab(spec);
    w.request(&u(invited), lab.package);
    w.advance(31);
    let g = w.t.user(invited).unwrap();
    assert!(g.enabled && g.is_active());
}

#[test]
fn a_blocked_guest_given_access_again_is_unblocked_and_not_removed() {
    let Ext { mut w, lab, p2 } = ext_world(ExternalLifecycle::BlockThenRemove(10));
    let alex = ext("alex@fabrikam.com", "Alex");
    let r = w.request(&alex, lab.package);
    let gid = w.asg_of(r).target;
    w.advance(30);
    assert!(!w.t.user(gid).unwrap().enabled);
    let pol = w.t.package(p2).unwrap().policies[0];
    w.admin_assign(p2, pol, gid);
    let g = w.t.user(gid).unwrap();
    assert!(g.enabled && g.remove_at.is_none());
    w.advance(10);
    assert!(w.t.user(gid).unwrap().is_active(), "the planned removal was called off");
}

// ----- 10. time -----

#[test]
fn the_clock_never_goes_backwards() {
    let mut w = World::new();
    w.advance(10);
    let now = w.now();
    let e = w.refuse(&sys(), Command::SetClock { to: now - Duration::seconds(1) });
    assert_eq!(kind(&e), "Invalid");
    assert_eq!(kind(&w.refuse(&sys(), Command::AdvanceClock { seconds: 0 })), "Invalid");
    assert_eq!(kind(&w.refuse(&sys(), Command::AdvanceClock { seconds: -60 })), "Invalid");
    w.tick_to(now - days(5));
    assert_eq!(w.now(), now, "a tick into the past does nothing");
    w.sys(Command::SetClock { to: now + days(1) });
    assert_eq!(w.now(), now + days(1));
    w.sys(Command::AdvanceClock { seconds: 60 });
    assert_eq!(w.now(), now + days(1) + Duration::seconds(60));
    // Commands stamp the in-app time, not the entry's.
    let mia = w.user("Mia");
    let at = w.now();
    w.t.apply(&Entry { at: t0(), actor: sys(), command: Command::CreateUser { spec: member_spec("Late", None) } })
        .unwrap();
    assert_eq!(w.now(), at);
    assert!(w.t.audit.iter().all(|e| e.at >= t0()));
    assert!(w.t.user(mia).is_ok());
}

#[test]
fn a_clock_command_fires_what_falls_due_on_the_way() {
    let mut w = World::new();
    let lab = w.lab(days_policy("Month", 30));
    let mia = w.user("Mia");
    w.request(&u(mia), lab.package);
    let out = w.sys(Command::SetClock { to: t0() + days(31) });
    assert_eq!(out.fired.expired, 1);
    assert_eq!(out.fired.notices, 2);
    assert!(!w.holds(mia, lab.team, "Member"));
}

/// One big jump: a request timing out, an expiry notice, a scheduled start, an expiry, a review
/// that opens after one assignment expired and before another, all in one `Tick` of 400 days.
fn busy_world() -> (World, Lab, UserId, UserId, UserId, PolicyId) {
    let mut w = World::new();
    let reviewer = w.user("Rex Reviewer");
    let boss = w.user("Boss");
    let mut spec = days_policy("Month", 30);
    spec.review = Some(ReviewSettings {
        frequency: ReviewFrequency::Monthly,
        starts_on: t0() + days(31),
        duration_days: 7,
        reviewers: vec![Reviewer::User { user: reviewer }],
        fallback: vec![],
        no_response: NoResponse::Keep,
        before_expiry_days: None,
    });
    let lab = w.lab(spec);
    let gated = w.package(lab.catalog, "Gated");
    let mut spec = days_policy("Gated", 30);
    let mut st = stage(vec![by(boss)]);
    st.timeout_days = 14;
    spec.stages = vec![st];
    let gated_pol = w.policy(gated, spec);
    let (mia, bob, cal) = (w.user("Mia"), w.user("Bob"), w.user("Cal"));
    w.request(&u(mia), lab.package); // ends day 30
    w.run(
        &u(bob),
        Command::SubmitRequest {
            package: lab.package,
            policy: None,
            justification: "starts later".into(),
            answers: BTreeMap::new(),
            start: Some(t0() + days(10)),
        },
    ); // day 10 to day 40
    w.request(&u(cal), gated); // times out on day 14
    (w, lab, mia, bob, cal, gated_pol)
}

#[test]
fn a_big_jump_fires_every_timer_in_time_order() {
    let (mut w, lab, mia, bob, cal, _) = busy_world();
    let fired = w.advance(400);
    assert_eq!(w.now(), t0() + days(400));
    assert_eq!(fired.timed_out, 1);
    assert_eq!(fired.started, 1);
    assert_eq!(fired.expired, 2);
    assert_eq!(fired.reviews_opened, 1, "only the day-31 review had anyone to review");

    // Mia: 14-day notice, 1-day notice, then expiry, each at its own time.
    let mia_mail: Vec<_> = w.t.notifications_of(mia).map(|n| (n.kind.clone(), n.at)).collect();
    assert_eq!(
        mia_mail,
        vec![
            ("granted".to_string(), t0()),
            ("expiresSoon".to_string(), t0() + days(16)),
            ("expiresSoon".to_string(), t0() + days(29)),
            ("expired".to_string(), t0() + days(30)),
        ]
    );
    // Cal's request timed out on day 14.
    let cal_req = w.t.requests_in_memory().find(|r| r.target_user() == Some(cal)).unwrap();
    assert_eq!((cal_req.state, cal_req.completed_at), (RequestState::Expired, Some(t0() + days(14))));
    // Bob started on day 10 and ended on day 40.
    let bob_asg = w.t.assignments_of_user(bob).next().unwrap().clone();
    assert_eq!(
        (bob_asg.start, bob_asg.end, bob_asg.state),
        (t0() + days(10), Some(t0() + days(40)), AssignmentState::Expired)
    );
    // The review opened on day 31: Mia had expired the day before, Bob was still active.
    let reviews = w.reviews_of(lab.policy);
    assert_eq!(reviews.len(), 1);
    let rv = reviews[0];
    assert_eq!((rv.start, rv.end, rv.state), (t0() + days(31), t0() + days(38), ReviewState::Completed));
    assert_eq!(rv.items.iter().map(|i| i.user).collect::<Vec<_>>(), vec![bob]);
    assert_eq!(rv.items[0].outcome.as_deref(), Some("kept"));
    // Everything was written in time order.
    assert!(w.t.audit.to_vec().windows(2).all(|p| p[0].at <= p[1].at), "audit in time order");
    assert!(w.t.notifications.to_vec().windows(2).all(|p| p[0].at <= p[1].at), "mail in time order");
}

#[test]
fn a_big_jump_ends_in_the_same_state_as_small_steps() {
    let (mut jumped, ..) = busy_world();
    let (mut stepped, ..) = busy_world();
    jumped.advance(400);
    for _ in 0..(400 * 4) {
        stepped.advance_by(Duration::hours(6));
    }
    assert_eq!(stepped.now(), jumped.now());
    assert_eq!(serde_json::to_value(&jumped.t).unwrap(), serde_json::to_value(&stepped.t).unwrap());
}

#[test]
fn a_guest_removed_from_the_directory_is_not_given_access_by_a_request_still_waiting() {
    let mut w = World::new();
    w.settings(|s| s.external_lifecycle = ExternalLifecycle::BlockThenRemove(0));
    let boss = w.user("Boss");
    let org = w.org("Fabrikam", "fabrikam.com", &[]);
    let scope = RequestScope::SpecificOrgs { orgs: [org].into() };
    let mut spec = PolicySpec::new("Open", scope.clone());
    spec.lifecycle.expiration = Expiration::AfterDays(30);
    let lab = w.lab(spec);
    let gated = w.package(lab.catalog, "Gated");
    let app = w.app("CRM");
    w.add_to_catalog(lab.catalog, app);
    w.add_role(gated, app, "User");
    let mut spec = PolicySpec::new("Gated", scope);
    spec.stages = vec![stage(vec![by(boss)])];
    w.policy(gated, spec);

    let alex = ext("alex@fabrikam.com", "Alex");
    let r = w.request(&alex, lab.package);
    let gid = w.asg_of(r).target;
    w.advance(25);
    let waiting = w.request(&alex, gated);
    w.advance(5); // the last assignment expires: Alex is removed at once
    assert!(!w.t.user(gid).unwrap().is_active());
    let _ = w.apply(&u(boss), Command::Decide { request: waiting, approve: true, reason: "ok".into() });
    assert_ne!(w.state(waiting), RequestState::PendingApproval, "nothing waits for a removed user");
    assert!(w.t.assignments_of_user(gid).all(|a| !a.is_active()), "no access for a removed user");
    assert!(w.t.grants_of_user(gid).next().is_none());
    assert!(w.inbox(boss).is_empty());
}

#[test]
fn an_assignment_of_a_deleted_package_runs_to_its_end_and_cannot_be_extended() {
    let mut w = World::new();
    let mut spec = days_policy("Extendable", 30);
    spec.lifecycle.allow_extension = true;
    let lab = w.lab(spec);
    let mia = w.user("Mia");
    let r = w.request(&u(mia), lab.package);
    let aid = w.asg_of(r).id;
    w.sys(Command::DeletePackage { package: lab.package });
    w.advance(20);
    let e = w.refuse(&u(mia), Command::RequestExtension { assignment: aid, justification: "more".into() });
    assert_eq!(kind(&e), "Rule");
    assert!(msg(&e).contains("deleted"), "{e}");
    w.advance(10);
    assert_eq!(w.asg(aid).state, AssignmentState::Expired);
}

#[test]
fn a_policy_whose_end_date_has_passed_gives_no_new_assignments() {
    let mut w = World::new();
    let mut spec = members_policy("Until the audit");
    spec.lifecycle.expiration = Expiration::OnDate(t0() + days(5));
    let lab = w.lab(spec);
    let (mia, bob) = (w.user("Mia"), w.user("Bob"));
    // A scheduled start after the date is refused up front.
    let late = Command::SubmitRequest {
        package: lab.package,
        policy: None,
        justification: "later".into(),
        answers: BTreeMap::new(),
        start: Some(t0() + days(6)),
    };
    assert_eq!(kind(&w.refuse(&u(mia), late)), "Rule");
    w.advance(5);
    let e = w.refuse(&u(mia), submit_cmd(lab.package, None));
    assert_eq!(kind(&e), "Rule");
    assert!(msg(&e).contains("date"), "{e}");
    let e = w.refuse(
        &sys(),
        Command::AdminAssign {
            package: lab.package,
            policy: lab.policy,
            user: bob,
            start: None,
            end: None,
            justification: String::new(),
        },
    );
    assert_eq!(kind(&e), "Rule");
    assert!(w.t.assignments.is_empty());
}

#[test]
fn a_user_whose_sign_in_is_blocked_can_do_nothing() {
    let mut w = World::new();
    let boss = w.user("Boss");
    let owner = w.user("Olivia Owner");
    let rex = w.user("Rex Reviewer");
    let mut spec = members_policy("Approved");
    spec.stages = vec![stage(vec![by(boss)])];
    spec.review = Some(ReviewSettings {
        frequency: ReviewFrequency::Monthly,
        starts_on: t0() + days(1),
        duration_days: 5,
        reviewers: vec![Reviewer::User { user: rex }],
        fallback: vec![],
        no_response: NoResponse::Keep,
        before_expiry_days: None,
    });
    let lab = w.lab(spec);
    w.grant_role(lab.catalog, owner, CatalogRole::Owner);
    let (mia, bob) = (w.user("Mia"), w.user("Bob"));
    let r = w.request(&u(mia), lab.package);
    w.approve(boss, r);
    let aid = w.asg_of(r).id;
    let pending = w.request(&u(bob), lab.package);
    w.advance(1);
    let rv = w.reviews_of(lab.policy)[0].id;
    for x in [boss, owner, rex] {
        w.set_enabled(x, false);
    }
    let e = w.refuse(&u(boss), Command::Decide { request: pending, approve: true, reason: "ok".into() });
    assert_eq!(kind(&e), "Forbidden");
    let e = w.refuse(
        &u(rex),
        Command::DecideReview {
            review: rv,
            assignment: aid,
            decision: ReviewDecision::Deny,
            justification: "gone".into(),
        },
    );
    assert_eq!(kind(&e), "Forbidden");
    let e = w.refuse(&u(owner), Command::AdminRemove { assignment: aid, reason: "x".into() });
    assert_eq!(kind(&e), "Forbidden");
    let e = w.refuse(&u(owner), Command::CreatePackage { catalog: lab.catalog, spec: pkg_spec("Blocked") });
    assert_eq!(kind(&e), "Forbidden");
}
