//! Rules closed after the first round of tests: deleting a package ends its waiting requests, an
//! ended assignment's open extension is canceled, a disabled policy takes no direct assignment,
//! no limit can be 0, monthly reviews keep their day of the month, and an id counter edited past
//! its end refuses commands rather than overflowing.

use crate::common;

use chrono::TimeZone;
use common::*;
use entitle::domain::*;

#[test]
fn deleting_a_package_cancels_its_waiting_requests() {
    let mut w = World::new();
    let boss = w.user("Bea Boss");
    let me = w.user_managed("Mo Member", boss);
    let mut spec = members_policy("Approved");
    spec.stages = vec![stage(vec![by(boss)])];
    let lab = w.lab(spec);
    let req = w.request(&u(me), lab.package);
    assert_eq!(w.state(req), RequestState::PendingApproval);
    let out = w.run(&sys(), Command::DeletePackage { package: lab.package });
    assert!(out.message.contains("1 waiting request(s) canceled"), "{}", out.message);
    assert_eq!(w.state(req), RequestState::Canceled);
    assert!(w.inbox(boss).is_empty(), "nothing left to approve");
    let err = w.refuse(&u(boss), Command::Decide { request: req, approve: true, reason: "ok".into() });
    assert!(err.to_string().contains("canceled"), "{err}");
}

/// A 30-day assignment whose extension needs the manager's approval, and that extension asked
/// for `after` days into it: the world, the manager, the assignment and the extension.
fn waiting_extension(after: i64) -> (World, UserId, AssignmentId, RequestId) {
    let mut w = World::new();
    let boss = w.user("Bea Boss");
    let me = w.user_managed("Mo Member", boss);
    let mut spec = members_policy("Extendable");
    spec.stages = vec![stage(vec![by(boss)])];
    spec.lifecycle.expiration = Expiration::AfterDays(30);
    spec.lifecycle.allow_extension = true;
    spec.lifecycle.extension_requires_approval = true;
    let lab = w.lab(spec);
    let req = w.request(&u(me), lab.package);
    w.approve(boss, req);
    let asg = w.asg_of(req).id;
    w.advance(after);
    let ext = w.run(&u(me), Command::RequestExtension { assignment: asg, justification: "still on it".into() });
    let ext_id: RequestId = ext.created.and_then(|c| c.request()).expect("an extension request");
    assert_eq!(w.state(ext_id), RequestState::PendingApproval);
    (w, boss, asg, ext_id)
}

#[test]
fn an_open_extension_request_is_canceled_when_its_assignment_ends() {
    // A day on, an extension would move the end (at the instant of the grant it would not).
    let (mut w, boss, asg, ext_id) = waiting_extension(1);
    w.run(&sys(), Command::AdminRemove { assignment: asg, reason: "left the project".into() });
    assert_eq!(w.state(ext_id), RequestState::Canceled);
    assert!(w.inbox(boss).is_empty());
}

/// The extension waiting when its assignment expires, in a tenant read back from its file or
/// not: the clock cancels it (the open requests about an assignment are indexed on load too).
#[test]
fn an_open_extension_request_is_canceled_when_its_assignment_expires() {
    for reload in [false, true] {
        let (mut w, boss, asg, ext_id) = waiting_extension(20);
        if reload {
            let json = serde_json::to_string(&w.t).expect("written");
            w.t = serde_json::from_str(&json).expect("read back");
            w.t.rebuild_indexes();
        }
        // The extension is still waiting when the assignment's end comes.
        let fired = w.advance(15);
        assert_eq!(fired.expired, 1, "{fired:?}");
        assert_eq!(w.asg(asg).state, AssignmentState::Expired);
        assert_eq!(w.state(ext_id), RequestState::Canceled, "reloaded: {reload}");
        assert!(w.inbox(boss).is_empty(), "reloaded: {reload}");
    }
}

#[test]
fn a_disabled_policy_takes_no_direct_assignment() {
    let mut w = World::new();
    let me = w.user("Mo Member");
    let mut spec = members_policy("Closed");
    spec.enabled = false;
    let lab = w.lab(spec);
    let err = w.refuse(
        &sys(),
        Command::AdminAssign {
            package: lab.package,
            policy: lab.policy,
            user: me,
            start: None,
            end: None,
            justification: String::new(),
        },
    );
    assert!(err.to_string().contains("turned off"), "{err}");
}

#[test]
fn no_limit_can_be_zero() {
    let mut w = World::new();
    let mut settings = w.t.settings.clone();
    settings.limits.connected_organizations = 0;
    let err = w.refuse(&sys(), Command::UpdateSettings { settings });
    assert!(err.to_string().contains("must be 1 to 10000 organizations; you gave 0"), "{err}");
    assert_eq!(err.field(), Some(entitle::domain::bounds::Field::ConnectedOrganizations));
}

#[test]
fn monthly_reviews_keep_their_day_of_the_month() {
    let start = chrono::Utc.with_ymd_and_hms(2026, 1, 31, 9, 0, 0).single().expect("a date");
    let f = ReviewFrequency::Monthly;
    let feb = f.after(start, start).expect("within the calendar");
    let mar = f.after(start, feb).expect("within the calendar");
    assert_eq!(feb.format("%Y-%m-%d").to_string(), "2026-02-28");
    assert_eq!(mar.format("%Y-%m-%d").to_string(), "2026-03-31", "not Mar 28: counted from the start");
    let q = ReviewFrequency::Quarterly.after(start, start + chrono::Duration::days(100)).expect("within the calendar");
    assert_eq!(q.format("%Y-%m-%d").to_string(), "2026-07-31");
}

#[test]
fn requests_decisions_and_assignments_are_audited_with_before_and_after() {
    let mut w = World::new();
    let boss = w.user("Bea Boss");
    let me = w.user_managed("Mo Member", boss);
    let mut spec = members_policy("Approved");
    spec.stages = vec![stage(vec![by(boss)])];
    spec.lifecycle.expiration = Expiration::AfterDays(10);
    let lab = w.lab(spec);
    let req = w.request(&u(me), lab.package);
    w.approve(boss, req);
    w.advance(11);
    let find = |w: &World, activity: &str| w.t.audit.iter().rev().find(|e| e.activity == activity);
    let submitted = find(&w, "request.submitted").expect("audited");
    assert_eq!(submitted.after.as_ref().and_then(|a| a.get("state")).and_then(|s| s.as_str()), Some("submitted"));
    let approved = find(&w, "request.approved").expect("audited");
    assert_eq!(approved.before.as_ref().and_then(|b| b.get("state")).and_then(|s| s.as_str()), Some("pendingApproval"));
    assert_eq!(approved.after.as_ref().and_then(|a| a.get("decision")).and_then(|s| s.as_str()), Some("approved"));
    let delivered = find(&w, "assignment.delivered").expect("audited");
    assert!(delivered.after.as_ref().and_then(|a| a.get("end")).is_some_and(|e| !e.is_null()));
    let expired = find(&w, "assignment.expired").expect("audited");
    assert_eq!(expired.before.as_ref().and_then(|b| b.get("state")).and_then(|s| s.as_str()), Some("delivered"));
    assert_eq!(expired.after.as_ref().and_then(|a| a.get("state")).and_then(|s| s.as_str()), Some("expired"));
}

#[test]
fn a_waiting_request_is_granted_on_the_terms_it_was_made_under() {
    let mut w = World::new();
    let boss = w.user("Bea Boss");
    let me = w.user_managed("Mo Member", boss);
    let mut spec = members_policy("Approved");
    spec.stages = vec![stage(vec![by(boss)])];
    spec.lifecycle.expiration = Expiration::AfterDays(30);
    let lab = w.lab(spec);
    let req = w.request(&u(me), lab.package);
    // The policy changes while the request waits: only new requests get the new terms.
    w.update_policy(lab.policy, |s| s.lifecycle.expiration = Expiration::AfterDays(365));
    w.approve(boss, req);
    let a = w.asg_of(req);
    assert_eq!(w.t.lifecycle_of(a).expiration, Expiration::AfterDays(30));
    assert_eq!(a.end.map(|e| (e - a.start).num_days()), Some(30));
    let nia = w.user_managed("Nia New", boss);
    let later = w.request(&u(nia), lab.package);
    w.approve(boss, later);
    assert_eq!(
        w.t.lifecycle_of(w.asg_of(later)).expiration,
        Expiration::AfterDays(365),
        "a new request gets the new terms"
    );
}

#[test]
fn an_id_counter_edited_past_its_end_refuses_commands_and_never_overflows() {
    let mut w = World::new();
    // Just below the last id: a command that makes objects still runs.
    w.t.next_id = entitle::domain::bounds::LAST_ID - 1;
    let near = w.user("Near End");
    assert_eq!(near.0, entitle::domain::bounds::LAST_ID - 1);
    // Past it (a hand-edited file, up to u64::MAX): refused with what to do, nothing made.
    for at in [entitle::domain::bounds::LAST_ID + 1, u64::MAX] {
        w.t.next_id = at;
        let users = w.t.users.len();
        let err = w.refuse(&sys(), Command::CreateUser { spec: member_spec("Too Far", None) });
        assert!(matches!(err, DomainError::Limit(_)), "{err:?}");
        assert!(err.to_string().contains("nextId"), "{err}");
        assert_eq!((w.t.users.len(), w.t.next_id), (users, at), "nothing made, the counter unchanged");
    }
}
