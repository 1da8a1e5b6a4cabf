//! Requests on behalf of a direct report [onBehalfRequestors: targetManager], external sign-in
//! by tenant id, and the before/after of the audit events that lacked it.

use crate::common;

use std::collections::BTreeMap;

use common::*;
use entitle::domain::*;

fn request_for(target: UserId, package: PackageId) -> Command {
    Command::RequestFor {
        target,
        package,
        policy: None,
        justification: "Joins the close team".into(),
        answers: BTreeMap::new(),
        start: None,
    }
}

/// Boss manages Mia, who manages Rex; a package for Rex's scope whose stage is "the manager"
/// with Fred as fallback, and which lets managers ask for their reports.
struct Team {
    boss: UserId,
    mia: UserId,
    rex: UserId,
    fred: UserId,
    pkg: PackageId,
    pol: PolicyId,
}

fn team(w: &mut World, on_behalf: bool) -> Team {
    let boss = w.user("Boss");
    let mia = w.user_managed("Mia Manager", boss);
    let rex = w.user_managed("Rex Report", mia);
    let fred = w.user("Fred Fallback");
    let cat = w.catalog("Finance");
    let pkg = w.package(cat, "Ledger");
    let mut spec = PolicySpec::new(
        "Rex only",
        // The report is in scope; the manager is not.
        RequestScope::SpecificUsers { users: [rex].into(), groups: Default::default() },
    );
    let mut st = stage(vec![Approver::Manager]);
    st.fallback = vec![by(fred)];
    spec.stages = vec![st];
    spec.allow_on_behalf = on_behalf;
    let pol = w.policy(pkg, spec);
    Team { boss, mia, rex, fred, pkg, pol }
}

#[test]
fn a_manager_requests_for_a_report_under_the_reports_approval_chain() {
    let mut w = World::new();
    let tm = team(&mut w, true);
    // Not in scope themselves, the manager can still ask for the report.
    assert!(kind(&w.refuse(&u(tm.mia), submit_cmd(tm.pkg, None))) == "Rule");
    assert_eq!(w.t.may(&u(tm.mia), &Intent::RequestFor { package: tm.pkg, target: tm.rex }), Ok(()));
    let id: RequestId = id_of(&w.run(&u(tm.mia), request_for(tm.rex, tm.pkg)));
    let r = w.req(id).clone();
    // Who asked and who it is for are both kept.
    assert_eq!(r.requestor, Some(tm.mia));
    assert_eq!(r.target, Target::User { user: tm.rex });
    assert_eq!(r.on_behalf(), Some(tm.mia));
    // The chain is the report's: "the manager" is Rex's manager, Mia, who asked and so cannot
    // decide; the fallback does (not Mia's own manager, Boss).
    assert_eq!(r.approvers, vec![tm.fred]);
    let e = w.refuse(&u(tm.mia), Command::Decide { request: id, approve: true, reason: "ok".into() });
    assert_eq!(kind(&e), "Forbidden", "{e}");
    assert!(w.inbox(tm.boss).is_empty());
    // The report hears of it at once.
    assert_eq!(w.mail(tm.rex, "requestedForYou").len(), 1);
    // The audit log says who made it and for whom.
    let ev = w.t.audit.iter().find(|e| e.activity == "request.submitted" && e.object.is(id)).unwrap();
    assert_eq!(ev.actor, AuditActor::User { user: tm.mia, display_name: "Mia Manager".into() });
    let after = ev.after.unwrap();
    assert_eq!(after["onBehalfOf"], serde_json::json!(tm.rex));
    assert_eq!(after["requestor"], serde_json::json!(tm.mia));

    w.approve(tm.fred, id);
    assert!(w.active(tm.rex, tm.pkg).is_some());
    assert!(w.active(tm.mia, tm.pkg).is_none());
    // Both are told of the approval and the grant.
    for who in [tm.rex, tm.mia] {
        assert_eq!(w.mail(who, "approved").len(), 1, "{who}");
        assert_eq!(w.mail(who, "granted").len(), 1, "{who}");
    }
    assert!(w.mail(tm.mia, "granted")[0].subject.contains("Rex Report"));
}

#[test]
fn a_denied_request_on_behalf_is_told_to_both() {
    let mut w = World::new();
    let tm = team(&mut w, true);
    let id: RequestId = id_of(&w.run(&u(tm.mia), request_for(tm.rex, tm.pkg)));
    w.deny(tm.fred, id);
    assert_eq!(w.mail(tm.rex, "denied").len(), 1);
    assert_eq!(w.mail(tm.mia, "denied").len(), 1);
}

#[test]
fn only_the_manager_may_ask_and_only_where_the_policy_allows_it() {
    let mut w = World::new();
    let tm = team(&mut w, true);
    // Someone else, even the manager's manager, is refused.
    for who in [tm.boss, tm.fred] {
        let e = w.refuse(&u(who), request_for(tm.rex, tm.pkg));
        assert_eq!(kind(&e), "Forbidden", "{e}");
        assert!(w.t.may(&u(who), &Intent::RequestFor { package: tm.pkg, target: tm.rex }).is_err());
    }
    // The manager for someone not in the policy's scope: the target's scope decides.
    let other = w.user_managed("Olga Other", tm.mia);
    let e = w.refuse(&u(tm.mia), request_for(other, tm.pkg));
    assert_eq!(kind(&e), "Rule", "{e}");
    // A policy that does not allow requests on behalf.
    w.update_policy(tm.pol, |s| s.allow_on_behalf = false);
    let e = w.refuse(&u(tm.mia), request_for(tm.rex, tm.pkg));
    assert_eq!(kind(&e), "Rule", "{e}");
    assert!(msg(&e).contains("on behalf"), "{e}");
    // The report can still ask themselves.
    w.request(&u(tm.rex), tm.pkg);
}

#[test]
fn a_manager_cannot_ask_for_what_the_report_already_holds_or_may_not_have() {
    let mut w = World::new();
    let tm = team(&mut w, true);
    w.update_policy(tm.pol, |s| s.stages.clear());
    let other = w.package(w.t.packages[&tm.pkg].catalog, "Payments");
    let pol = w.policy(other, members_policy("Members"));
    w.admin_assign(other, pol, tm.rex);
    w.sys(Command::AddIncompatible { package: tm.pkg, with: Incompatible::Package { package: other } });
    let e = w.refuse(&u(tm.mia), request_for(tm.rex, tm.pkg));
    assert!(matches!(e, DomainError::Incompatible { .. }), "{e:?}");
}

// ----- connected organizations by tenant id -----

fn external_package(w: &mut World, org: OrgId) -> PackageId {
    let cat = w.catalog("Partners");
    w.update_catalog(cat, true, true);
    let pkg = w.package(cat, "Partner portal");
    w.policy(pkg, PolicySpec::new("Partners", RequestScope::SpecificOrgs { orgs: [org].into() }));
    pkg
}

fn org_by_tenant(w: &mut World, tenant: &str, domains: Vec<String>) -> OrgId {
    w.org_spec(OrgSpec {
        display_name: "Azure Blog".into(),
        description: String::new(),
        domains,
        tenant_id: Some(tenant.into()),
        state: OrgState::Configured,
        internal_sponsors: Default::default(),
        external_sponsors: Default::default(),
    })
}

const TENANT: &str = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";

#[test]
fn an_organization_defined_by_tenant_id_matches_a_sign_in_from_that_tenant() {
    let mut w = World::new();
    let org = org_by_tenant(&mut w, TENANT, vec![]);
    let pkg = external_package(&mut w, org);
    let alex = ext("alex@azureblog.net", "Alex Wilber").with_tenant(Some(TENANT.to_uppercase()));
    assert_eq!(w.t.requester(&alex).and_then(|r| r.org), Some(org));
    let id: RequestId = id_of(&w.run(&alex, submit_cmd(pkg, None)));
    // Delivered at once: the new guest belongs to the organization.
    let guest = w.req(id).target_user().unwrap();
    assert_eq!(w.t.users[&guest].home_org, Some(org));
    // Without the tenant id, the email's domain names no organization.
    let plain = ext("sam@azureblog.net", "Sam");
    assert_eq!(w.t.requester(&plain).and_then(|r| r.org), None);
    assert_eq!(kind(&w.refuse(&plain, submit_cmd(pkg, None))), "Rule");
}

#[test]
fn domain_matching_still_works_and_another_tenant_does_not_match() {
    let mut w = World::new();
    let by_domain = w.org("Fabrikam", "fabrikam.com", &[]);
    let pkg = external_package(&mut w, by_domain);
    // By domain, with or without a tenant id on the sign-in (the organization names none).
    for actor in [ext("kim@fabrikam.com", "Kim"), ext("lee@fabrikam.com", "Lee").with_tenant(Some("x-1".into()))] {
        assert_eq!(w.t.requester(&actor).and_then(|r| r.org), Some(by_domain));
        w.run(&actor, submit_cmd(pkg, None));
    }
    // An organization with both a domain and a tenant id: a sign-in from another tenant with
    // that domain does not match it.
    let mut w = World::new();
    let org = org_by_tenant(&mut w, TENANT, vec!["azureblog.net".into()]);
    let pkg = external_package(&mut w, org);
    let other = ext("eve@azureblog.net", "Eve").with_tenant(Some("00000000-0000-0000-0000-000000000000".into()));
    assert_eq!(w.t.requester(&other).and_then(|r| r.org), None);
    assert_eq!(kind(&w.refuse(&other, submit_cmd(pkg, None))), "Rule");
    let same = ext("ann@azureblog.net", "Ann").with_tenant(Some(TENANT.into()));
    w.run(&same, submit_cmd(pkg, None));
}

// ----- audit before/after -----

#[track_caller]
fn has_before_after(w: &World, activity: &str, object: impl Into<ObjectRef>) -> (serde_json::Value, serde_json::Value) {
    let object = object.into();
    let ev = w.t.audit.iter().rev().find(|e| e.activity == activity && e.object.is(object));
    let ev = ev.unwrap_or_else(|| panic!("no {activity} for {object}"));
    match (ev.before, ev.after) {
        (Some(b), Some(a)) => (b, a),
        other => panic!("{activity} of {object} lacks before/after: {other:?}"),
    }
}

#[test]
fn cancellations_review_decisions_and_guest_block_and_removal_carry_before_and_after() {
    let mut w = World::new();
    let approver = w.user("Avery Approver");
    let mut spec = members_policy("Approved");
    spec.stages = vec![stage(vec![by(approver)])];
    let lab = w.lab(spec);
    let eve = w.user("Eve");
    let id = w.request(&u(eve), lab.package);
    w.run(&u(eve), Command::CancelRequest { request: id });
    let (b, a) = has_before_after(&w, "request.canceled", id);
    assert_eq!((b["state"].as_str(), a["state"].as_str()), (Some("pendingApproval"), Some("canceled")));

    // A review decision: nothing before, the decision after.
    let reviewer = w.user("Rae Reviewer");
    let mut spec = members_policy("Reviewed");
    spec.review = Some(ReviewSettings {
        frequency: ReviewFrequency::Monthly,
        starts_on: t0() + days(1),
        duration_days: 7,
        reviewers: vec![Reviewer::User { user: reviewer }],
        fallback: vec![],
        no_response: NoResponse::Keep,
        before_expiry_days: None,
    });
    let pol = w.policy(lab.package, spec);
    let req = w.request_via(&u(eve), lab.package, pol);
    let aid = w.asg_of(req).id;
    w.advance(2);
    let review = w.reviews_of(pol)[0].id;
    let decide =
        |decision| Command::DecideReview { review, assignment: aid, decision, justification: "Still needed".into() };
    w.run(&u(reviewer), decide(ReviewDecision::Approve));
    let (b, a) = has_before_after(&w, "accessReview.decided", review);
    assert!(b.get("decision").is_none(), "{b}");
    assert_eq!(a["decision"], serde_json::json!("approve"));
    w.run(&u(reviewer), decide(ReviewDecision::Deny));
    let (b, a) = has_before_after(&w, "accessReview.decided", review);
    assert_eq!((b["decision"].as_str(), a["decision"].as_str()), (Some("approve"), Some("deny")));

    // A guest made by entitlement management, blocked then removed when it loses its access.
    w.settings(|s| s.external_lifecycle = ExternalLifecycle::BlockThenRemove(3));
    let org = w.org("Fabrikam", "fabrikam.com", &[]);
    let cat = w.catalog("Partners");
    w.update_catalog(cat, true, true);
    let pkg = w.package(cat, "Partner portal");
    let pol = w.policy(pkg, PolicySpec::new("Partners", RequestScope::SpecificOrgs { orgs: [org].into() }));
    let _ = pol;
    let kim = ext("kim@fabrikam.com", "Kim");
    let req: RequestId = id_of(&w.run(&kim, submit_cmd(pkg, None)));
    let guest = w.req(req).target_user().unwrap();
    let asg = w.asg_of(req).id;
    w.sys(Command::AdminRemove { assignment: asg, reason: "Project over".into() });
    let (b, a) = has_before_after(&w, "user.blocked", guest);
    assert_eq!((b["enabled"].as_bool(), a["enabled"].as_bool()), (Some(true), Some(false)));
    assert!(a["removeAt"].is_i64(), "{a}");
    w.advance(4);
    let (b, a) = has_before_after(&w, "user.removed", guest);
    assert_eq!((b["deleted"].as_bool(), a["deleted"].as_bool()), (Some(false), Some(true)));
}
