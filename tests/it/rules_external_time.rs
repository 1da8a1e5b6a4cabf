//! Lifecycle rules 9 and 10: external users, and time.

use crate::common;

use std::collections::BTreeMap;

use chrono::Duration;
use common::*;
use entitle::domain::*;

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
