//! Lifecycle rule 4 and what follows a request: delivery, cancel, scheduled start.

use crate::common;

use std::collections::BTreeMap;

use chrono::Duration;
use common::*;
use entitle::domain::*;

// ----- 4. delivery -----

#[test]
fn an_external_requestor_from_a_connected_org_becomes_a_guest_on_delivery() {
    let mut w = World::new();
    let adele = w.user("Adele");
    let org = w.org("Azureblog", "azureblog.pl", &[adele]);
    let mut spec = PolicySpec::new("Partners", RequestScope::SpecificOrgs { orgs: [org].into() });
    spec.stages = vec![stage(vec![Approver::InternalSponsors])];
    let lab = w.lab(spec);
    let alex = ext("alex@azureblog.pl", "Alex W");
    let r = w.request(&alex, lab.package);
    assert!(w.t.user_by_email("alex@azureblog.pl").is_none(), "no guest before delivery");
    assert_eq!(w.inbox(adele), vec![r]);
    w.approve(adele, r);
    let guest = w.t.user_by_email("alex@azureblog.pl").expect("guest created").clone();
    assert!(guest.is_guest() && guest.created_by_em && guest.enabled);
    assert_eq!(guest.home_org, Some(org));
    assert_eq!(guest.display_name, "Alex W");
    assert_eq!(w.req(r).target_user(), Some(guest.id));
    assert!(w.holds(guest.id, lab.team, "Member"));
    assert_eq!(w.mail(guest.id, "granted").len(), 1);
    // Later requests come from the guest user.
    assert_eq!(w.t.requester(&alex).unwrap().user, Some(guest.id));
    let e = w.refuse(&alex, submit_cmd(lab.package, None));
    assert!(msg(&e).contains("already has"), "{e}");
}

#[test]
fn a_blocked_user_cannot_request() {
    let mut w = World::new();
    let lab = w.lab(members_policy("Open"));
    let mia = w.user("Mia");
    w.set_enabled(mia, false);
    assert!(w.my_access(&u(mia)).is_empty());
    let e = w.refuse(&u(mia), submit_cmd(lab.package, None));
    assert_eq!(kind(&e), "Forbidden");
    assert!(msg(&e).contains("blocked"), "{e}");
    w.set_enabled(mia, true);
    w.request(&u(mia), lab.package);
}

#[test]
fn a_request_can_be_canceled_by_its_requestor_or_an_assignment_manager_only() {
    let mut w = World::new();
    let boss = w.user("Boss");
    let am = w.user("Assignment Manager");
    let reader = w.user("Reader");
    let colleague = w.user("Colleague");
    let lab = w.lab(approval_policy(vec![by(boss)]));
    w.grant_role(lab.catalog, am, CatalogRole::AccessPackageAssignmentManager);
    w.grant_role(lab.catalog, reader, CatalogRole::Reader);
    let mia = w.user("Mia");

    let r = w.request(&u(mia), lab.package);
    for who in [colleague, reader, boss] {
        let e = w.refuse(&u(who), Command::CancelRequest { request: r });
        assert_eq!(kind(&e), "Forbidden", "{who}");
    }
    w.run(&u(mia), Command::CancelRequest { request: r });
    assert_eq!(w.state(r), RequestState::Canceled);
    assert!(w.inbox(boss).is_empty());
    assert_eq!(kind(&w.refuse(&u(boss), Command::Decide { request: r, approve: true, reason: "x".into() })), "Rule");
    assert_eq!(kind(&w.refuse(&u(mia), Command::CancelRequest { request: r })), "Rule");

    let r = w.request(&u(mia), lab.package);
    w.run(&u(am), Command::CancelRequest { request: r });
    assert_eq!(w.state(r), RequestState::Canceled);

    // A delivered request cannot be canceled (the assignment is removed instead).
    let r = w.request(&u(mia), lab.package);
    w.approve(boss, r);
    assert_eq!(kind(&w.refuse(&u(mia), Command::CancelRequest { request: r })), "Rule");
    // The canceled request's timers do nothing.
    w.advance(30);
    assert_eq!(w.t.requests_in_memory().filter(|x| x.state == RequestState::Canceled).count(), 2);
}

#[test]
fn a_scheduled_request_starts_at_its_start_time() {
    let mut w = World::new();
    let mut spec = members_policy("Open");
    spec.lifecycle.expiration = Expiration::AfterDays(10);
    let lab = w.lab(spec);
    let mia = w.user("Mia");
    let start = t0() + days(3);
    let sched = |start| Command::SubmitRequest {
        package: lab.package,
        policy: None,
        justification: "project starts Thursday".into(),
        answers: BTreeMap::new(),
        start: Some(start),
    };
    let e = w.refuse(&u(mia), sched(t0() - Duration::seconds(1)));
    assert_eq!(kind(&e), "Invalid");
    let r: RequestId = id_of(&w.run(&u(mia), sched(start)));
    assert_eq!(w.state(r), RequestState::Scheduled);
    assert!(!w.holds(mia, lab.team, "Member"));
    // Still counts as pending.
    assert!(msg(&w.refuse(&u(mia), submit_cmd(lab.package, None))).contains("pending"));
    w.tick_to(start - Duration::seconds(1));
    assert_eq!(w.state(r), RequestState::Scheduled);
    let fired = w.tick_to(start);
    assert_eq!(fired.started, 1);
    assert_eq!(w.state(r), RequestState::Delivered);
    let a = w.asg_of(r);
    assert_eq!((a.start, a.end), (start, Some(start + days(10))));
    assert!(w.holds(mia, lab.team, "Member"));
}

#[test]
fn a_scheduled_request_can_be_canceled_before_it_starts() {
    let mut w = World::new();
    let lab = w.lab(members_policy("Open"));
    let mia = w.user("Mia");
    let r: RequestId = id_of(&w.run(
        &u(mia),
        Command::SubmitRequest {
            package: lab.package,
            policy: None,
            justification: "later".into(),
            answers: BTreeMap::new(),
            start: Some(t0() + days(2)),
        },
    ));
    w.run(&u(mia), Command::CancelRequest { request: r });
    w.advance(5);
    assert_eq!(w.state(r), RequestState::Canceled);
    assert!(w.active(mia, lab.package).is_none());
}

#[test]
fn a_removed_guest_can_request_again_as_a_new_external_user() {
    // Seed 001: "If we remove the user automatically, he will need to go through the process again."
    let mut w = World::new();
    w.settings(|s| s.external_lifecycle = ExternalLifecycle::BlockThenRemove(0));
    let org = w.org("Azureblog", "azureblog.pl", &[]);
    let mut spec = PolicySpec::new("Partners", RequestScope::SpecificOrgs { orgs: [org].into() });
    spec.lifecycle.expiration = Expiration::AfterDays(30);
    let lab = w.lab(spec);
    let alex = ext("alex@azureblog.pl", "Alex");
    let r1 = w.request(&alex, lab.package);
    let first = w.asg_of(r1).target;
    w.advance(30);
    assert!(w.t.user(first).unwrap().deleted_at.is_some(), "removed at once");
    let r2 = w.request(&alex, lab.package);
    assert_eq!(w.state(r2), RequestState::Delivered);
    let again = w.asg_of(r2).target;
    assert_ne!(again, first, "a new guest account");
    assert!(w.t.user(again).unwrap().is_active() && w.t.user(again).unwrap().enabled);
    assert!(w.holds(again, lab.team, "Member"));
}

#[test]
fn a_pending_external_request_counts_once_the_person_is_a_guest() {
    // Alex asks for P1 (needs approval) before being in the directory, then gets P2 and becomes a
    // guest: P1 may not be assigned a second time while the first request is still pending.
    let mut w = World::new();
    let boss = w.user("Boss");
    let org = w.org("Azureblog", "azureblog.pl", &[]);
    let scope = RequestScope::SpecificOrgs { orgs: [org].into() };
    let mut spec = PolicySpec::new("Partners", scope.clone());
    spec.stages = vec![stage(vec![by(boss)])];
    let lab = w.lab(spec);
    let p2 = w.package(lab.catalog, "Open to partners");
    w.policy(p2, PolicySpec::new("Open", scope));
    let alex = ext("alex@azureblog.pl", "Alex");
    let pending = w.request(&alex, lab.package);
    w.request(&alex, p2);
    let e = w.refuse(&alex, submit_cmd(lab.package, None));
    assert!(msg(&e).contains("pending") && msg(&e).contains(&pending.to_string()), "{e}");
    w.approve(boss, pending);
    let guest = w.t.user_by_email("alex@azureblog.pl").unwrap().id;
    assert_eq!(w.t.assignments_of_user(guest).filter(|a| a.package == lab.package && a.is_active()).count(), 1);
}

#[test]
fn an_external_person_who_became_a_guest_acts_as_that_guest() {
    // Once delivered, Alex is a directory user: signed in by email he can do what any assignee can.
    let mut w = World::new();
    let org = w.org("Azureblog", "azureblog.pl", &[]);
    let mut spec = PolicySpec::new("Partners", RequestScope::SpecificOrgs { orgs: [org].into() });
    spec.lifecycle.expiration = Expiration::AfterDays(30);
    spec.lifecycle.allow_extension = true;
    let lab = w.lab(spec);
    let alex = ext("alex@azureblog.pl", "Alex");
    let r = w.request(&alex, lab.package);
    let aid = w.asg_of(r).id;
    let gid = w.asg_of(r).target;
    w.advance(20);
    w.run(&alex, Command::RequestExtension { assignment: aid, justification: "more work".into() });
    assert_eq!(w.asg(aid).end, Some(t0() + days(50)));
    w.run(&alex, Command::MarkRead { notification: None });
    assert_eq!(w.t.unread_count(gid), 0);
    w.run(&alex, Command::RemoveOwnAssignment { assignment: aid });
    assert!(!w.holds(gid, lab.team, "Member"));
}

#[test]
fn a_request_made_before_becoming_a_guest_can_still_be_canceled_by_its_requestor() {
    let mut w = World::new();
    let boss = w.user("Boss");
    let org = w.org("Azureblog", "azureblog.pl", &[]);
    let scope = RequestScope::SpecificOrgs { orgs: [org].into() };
    let mut spec = PolicySpec::new("Partners", scope.clone());
    spec.stages = vec![stage(vec![by(boss)])];
    let lab = w.lab(spec);
    let open = w.package(lab.catalog, "Open to partners");
    w.policy(open, PolicySpec::new("Open", scope));
    let alex = ext("alex@azureblog.pl", "Alex");
    let pending = w.request(&alex, lab.package);
    w.request(&alex, open); // Alex is a guest from here on
    let stranger = ext("eve@azureblog.pl", "Eve");
    assert_eq!(kind(&w.refuse(&stranger, Command::CancelRequest { request: pending })), "Forbidden");
    w.run(&alex, Command::CancelRequest { request: pending });
    assert_eq!(w.state(pending), RequestState::Canceled);
}

#[test]
fn a_stage_with_nobody_left_to_decide_denies_the_request_and_says_so() {
    let mut w = World::new();
    let first = w.user("First");
    let second = w.user("Second");
    let mut spec = members_policy("Two stages");
    spec.stages = vec![stage(vec![by(first)]), stage(vec![by(second)])];
    let lab = w.lab(spec);
    let mia = w.user("Mia");
    let r = w.request(&u(mia), lab.package);
    w.set_enabled(second, false); // the stage-2 approver leaves meanwhile
    w.approve(first, r);
    assert_eq!(w.state(r), RequestState::Denied);
    assert!(w.req(r).assignment.is_none());
    let denied = w.mail(mia, "denied");
    assert_eq!(denied.len(), 1, "the requestor hears of it");
    assert!(
        w.t.audit.iter().any(|e| e.object.is(r) && e.activity == "request.denied" && e.actor == AuditActor::System)
    );
}

#[test]
fn group_members_approve_and_any_one_of_them_decides_the_stage() {
    let mut w = World::new();
    let approvers = w.group_owned("Approvers", &[]);
    let (ann, ben, mia) = (w.user("Ann"), w.user("Ben"), w.user("Mia"));
    w.direct(ann, approvers, "Member");
    w.direct(ben, approvers, "Member");
    w.direct(mia, approvers, "Member");
    // Both stages by the same group: allowed (the lint flags it).
    let mut spec = members_policy("By the group");
    spec.stages = vec![stage(vec![Approver::GroupMembers { group: approvers }]); 2];
    let lab = w.lab(spec);
    let r = w.request(&u(mia), lab.package);
    let mut expected = vec![ann, ben];
    expected.sort();
    assert_eq!(w.req(r).approvers, expected, "every member but the requestor");
    w.approve(ben, r);
    assert_eq!(w.req(r).stage, 1);
    w.approve(ann, r);
    assert_eq!(w.state(r), RequestState::Delivered);
}
