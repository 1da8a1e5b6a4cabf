//! Quorum approval: a stage that needs any one, all, or N of its approvers. A denial by any
//! approver denies; the timeout applies to the stage as a whole; each decision is audited; the
//! inbox and the request say how many approvals the stage has.

use crate::common;

use common::*;
use entitle::domain::*;

/// A lab package whose one stage goes to Ann, Bob and Cy with the given quorum; Rae requests it.
struct Quorate {
    w: World,
    approvers: [UserId; 3],
    rae: UserId,
    lab: Lab,
}

fn quorate(quorum: Quorum) -> Quorate {
    let mut w = World::new();
    let approvers = [w.user("Ann Approver"), w.user("Bob Approver"), w.user("Cy Approver")];
    let rae = w.user("Rae Requestor");
    let mut spec = members_policy("Three approvers");
    let mut st = stage(approvers.iter().map(|a| by(*a)).collect());
    st.timeout_days = 7;
    st.quorum = quorum;
    spec.stages = vec![st];
    let lab = w.lab(spec);
    Quorate { w, approvers, rae, lab }
}

impl Quorate {
    fn request(&mut self) -> RequestId {
        self.w.request(&u(self.rae), self.lab.package)
    }
    fn holds(&self) -> bool {
        self.w.active(self.rae, self.lab.package).is_some()
    }
}

#[test]
fn one_of_one_is_the_real_service_s_first_approval_decides() {
    let mut q = quorate(Quorum::Any);
    let id = q.request();
    assert_eq!(q.w.req(id).needed, 1);
    q.w.approve(q.approvers[1], id);
    assert!(q.holds());
    // The others' inboxes are emptied: nothing is left to decide.
    assert!(q.w.inbox(q.approvers[0]).is_empty() && q.w.inbox(q.approvers[2]).is_empty());
}

#[test]
fn two_of_three_waits_for_the_second_approval_and_each_is_audited() {
    let mut q = quorate(Quorum::Count(2));
    let id = q.request();
    assert_eq!(q.w.req(id).needed, 2);
    let first = q.w.approve(q.approvers[0], id);
    assert!(first.message.contains("1 of 2 approvals"), "{}", first.message);
    assert_eq!(q.w.state(id), RequestState::PendingApproval);
    assert!(!q.holds());
    // The one who approved has it no more; the others still do.
    assert!(q.w.inbox(q.approvers[0]).is_empty());
    assert_eq!(q.w.inbox(q.approvers[1]), vec![id]);
    assert_eq!(q.w.req(id).awaiting().collect::<Vec<_>>(), vec![q.approvers[1], q.approvers[2]]);
    // Nobody approves twice.
    let again = q.w.refuse(&u(q.approvers[0]), Command::Decide { request: id, approve: true, reason: "again".into() });
    assert_eq!(kind(&again), "Rule", "{again}");
    assert!(msg(&again).contains("already approved"), "{again}");
    q.w.approve(q.approvers[2], id);
    assert!(q.holds());
    // Both decisions are in the audit log, with the count.
    let approvals: Vec<AuditEvent> =
        q.w.t.audit.iter().filter(|e| e.activity == "request.approved" && e.object.is(id)).collect();
    assert_eq!(approvals.len(), 2);
    let counts: Vec<(serde_json::Value, serde_json::Value)> = approvals
        .iter()
        .filter_map(|e| e.after.as_ref().map(|a| (a["approvals"].clone(), a["needed"].clone())))
        .collect();
    assert_eq!(counts, vec![(1.into(), 2.into()), (2.into(), 2.into())]);
    // The requestor's history names each approver.
    let history: Vec<&str> = q.w.req(id).history.iter().map(|h| h.text.as_str()).collect();
    assert!(history.iter().any(|h| h.contains("Ann Approver (1 of 2 approvals)")), "{history:?}");
    assert!(history.iter().any(|h| h.contains("Cy Approver (2 of 2 approvals)")), "{history:?}");
}

#[test]
fn all_of_three_needs_every_approver_and_a_denial_by_the_last_denies() {
    let mut q = quorate(Quorum::All);
    let id = q.request();
    assert_eq!(q.w.req(id).needed, 3);
    q.w.approve(q.approvers[0], id);
    q.w.approve(q.approvers[1], id);
    assert_eq!(q.w.state(id), RequestState::PendingApproval);
    q.w.deny(q.approvers[2], id);
    assert_eq!(q.w.state(id), RequestState::Denied);
    assert!(!q.holds());
    let mut q = quorate(Quorum::All);
    let id = q.request();
    for a in q.approvers {
        q.w.approve(a, id);
    }
    assert!(q.holds());
}

#[test]
fn a_denial_before_the_quorum_denies_at_once() {
    let mut q = quorate(Quorum::Count(2));
    let id = q.request();
    q.w.approve(q.approvers[0], id);
    q.w.deny(q.approvers[1], id);
    assert_eq!(q.w.state(id), RequestState::Denied);
    assert!(q.w.inbox(q.approvers[2]).is_empty());
    assert_eq!(q.w.mail(q.rae, "denied").len(), 1);
}

#[test]
fn the_timeout_applies_to_the_stage_as_a_whole() {
    let mut q = quorate(Quorum::Count(2));
    let id = q.request();
    q.w.advance(3);
    // One approval does not restart the stage's clock.
    q.w.approve(q.approvers[0], id);
    q.w.advance(3);
    assert_eq!(q.w.state(id), RequestState::PendingApproval);
    q.w.advance(1);
    assert_eq!(q.w.state(id), RequestState::Expired);
    assert!(q.w.inbox(q.approvers[1]).is_empty());
}

#[test]
fn a_quorum_fewer_people_can_reach_is_refused_at_submission_and_denied_if_it_shrinks_later() {
    let mut w = World::new();
    let boss = w.user("Boss");
    let fred = w.user("Fred Fallback");
    let rae = w.user_managed("Rae Requestor", boss);
    // Stage 1: the manager; stage 2: two of the Finance group's members.
    let (ann, ben) = (w.user("Ann Finance"), w.user("Ben Finance"));
    let finance = w.group_owned("Finance", &[boss]);
    w.direct(ann, finance, "Member");
    w.direct(ben, finance, "Member");
    let mut spec = members_policy("Manager, then two of Finance");
    let mut first = stage(vec![Approver::Manager]);
    first.fallback = vec![by(fred)];
    let mut second = stage(vec![Approver::GroupMembers { group: finance }]);
    second.quorum = Quorum::Count(2);
    spec.stages = vec![first, second];
    let lab = w.lab(spec);
    // Asked for with one manager where two must approve: refused before anything is made.
    let mut twice = members_policy("Manager, twice");
    let mut st = stage(vec![Approver::Manager]);
    st.fallback = vec![by(fred)];
    st.quorum = Quorum::Count(2);
    twice.stages = vec![st];
    let cat = w.catalog("Other");
    let other = w.package(cat, "Other");
    w.policy(other, twice);
    let e = w.refuse(&u(rae), submit_cmd(other, None));
    assert_eq!(kind(&e), "Rule", "{e}");
    assert!(msg(&e).contains("needs 2 approvers, and only 1 people can approve it for you"), "{e}");
    // Two can approve stage 2 at submission; one leaves Finance before it is reached.
    let id = w.request(&u(rae), lab.package);
    w.sys(Command::RemoveDirectGrant { user: ben, resource: finance, role: "Member".into() });
    w.approve(boss, id);
    assert_eq!(w.state(id), RequestState::Denied);
    let last = w.req(id).history.last().map(|h| h.text.clone()).unwrap_or_default();
    assert!(last.contains("stage 2 needs 2 approvers and only 1 people can approve it"), "{last}");
}

#[test]
fn a_quorum_is_checked_when_set() {
    let mut w = World::new();
    let ann = w.user("Ann");
    let cat = w.catalog("C");
    let pkg = w.package(cat, "P");
    for (quorum, ok) in
        [(Quorum::Count(0), false), (Quorum::Count(26), false), (Quorum::Count(2), false), (Quorum::All, true)]
    {
        let mut spec = members_policy("Named");
        let mut st = stage(vec![by(ann)]);
        st.quorum = quorum;
        spec.stages = vec![st];
        let r = w.apply(&sys(), Command::CreatePolicy { package: pkg, spec });
        assert_eq!(r.is_ok(), ok, "{quorum:?}: {r:?}");
        if let Err(e) = r {
            assert!(matches!(e, DomainError::OutOfRange { field: bounds::Field::Quorum { stage: 1 }, .. }), "{e}");
        }
    }
}

#[test]
fn a_partial_approval_survives_a_reload_without_returning_to_the_inbox() {
    let mut q = quorate(Quorum::Count(2));
    let id = q.request();
    q.w.approve(q.approvers[0], id);
    let json = serde_json::to_string(&q.w.t).expect("saved");
    let mut t: Tenant = serde_json::from_str(&json).expect("loaded");
    t.rebuild_indexes();
    assert!(t.inbox(q.approvers[0]).next().is_none());
    assert_eq!(t.inbox(q.approvers[1]).map(|r| r.id).collect::<Vec<_>>(), vec![id]);
    assert_eq!(t.requests.get(&id).map(|r| (r.needed, r.approvals())), Some((2, 1)));
}
