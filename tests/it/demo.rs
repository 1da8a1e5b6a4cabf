//! The embedded demo tenant: it loads, it ends where the README tour expects it, it survives a
//! save and reload, and a broken script says which step broke and why.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, TimeZone, Utc, Weekday};
use entitle::demo::{DEMO_JSON, demo_tenant, load_script};
use entitle::domain::*;
use serde_json::Value;

fn demo() -> Tenant {
    demo_tenant().unwrap_or_else(|e| panic!("the demo does not load: {e:#}"))
}

fn uid(t: &Tenant, name: &str) -> UserId {
    t.find_user(name).unwrap_or_else(|e| panic!("{name}: {e}")).id
}

fn pkg(t: &Tenant, name: &str) -> PackageId {
    t.find_package(name).unwrap_or_else(|e| panic!("{name}: {e}")).id
}

fn now() -> Time {
    Utc.with_ymd_and_hms(2026, 11, 16, 9, 0, 0).unwrap()
}

fn alex() -> Actor {
    Actor::external("alex@azureblog.net", "Alex Wilber")
}

fn names(list: Vec<(&Package, Vec<&Policy>)>) -> BTreeSet<String> {
    list.into_iter().map(|(p, _)| p.display_name.clone()).collect()
}

fn apply(t: &mut Tenant, actor: Actor, command: Command) -> Outcome {
    let at = t.now();
    t.apply(&Entry { at, actor, command }).unwrap_or_else(|e| panic!("refused: {e}"))
}

#[test]
fn the_clock_is_frozen_at_monday_nine() {
    let t = demo();
    assert_eq!(t.display_name, "Contoso");
    assert_eq!(t.now(), now());
    assert_eq!(t.clock.frozen, Some(now()));
    assert_eq!(now().weekday(), Weekday::Mon);
}

#[test]
fn alex_waits_in_adeles_inbox() {
    let t = demo();
    let adele = uid(&t, "Adele Vance");
    let ext = pkg(&t, "External_AccessPackage");
    let waiting: Vec<&Request> = t.inbox(adele).collect();
    let alex = waiting
        .iter()
        .find(|r| matches!(&r.target, Target::External { email, .. } if email == "alex@azureblog.net"))
        .expect("Alex's request is in Adele's inbox");
    assert_eq!(alex.package, ext);
    assert_eq!(alex.state, RequestState::PendingApproval);
    assert!(t.user_by_email("alex@azureblog.net").is_none(), "Alex is not in the directory yet");
    assert!(t.unread_count(adele) > 0, "Adele has unread notifications");
    // The request was made by Alex himself, and the audit log says so.
    let ev = t.audit.iter().find(|e| e.object.is(alex.id) && e.activity == "request.submitted");
    assert_eq!(
        ev.as_ref().map(|e| &e.actor),
        Some(&AuditActor::External { email: "alex@azureblog.net".into(), display_name: "Alex Wilber".into() })
    );
}

#[test]
fn sox_requests_wait_at_stage_one_and_stage_two() {
    let t = demo();
    let sox = pkg(&t, "SOX Finance Reporting");
    let (joni, debra) = (uid(&t, "Joni Sherman"), uid(&t, "Debra Berger"));
    let pending: Vec<&Request> =
        t.requests_of_package(sox).filter(|r| r.state == RequestState::PendingApproval).collect();
    let second = pending.iter().find(|r| r.stage == 1).expect("a SOX request waits at stage 2");
    assert_eq!(second.approvers, vec![joni]);
    assert!(t.inbox(joni).any(|r| r.id == second.id));
    // Gerhart has no manager: stage 1 went to the fallback approver.
    assert_eq!(second.target_user(), Some(uid(&t, "Gerhart Moller")));
    assert!(second.decisions.iter().any(|d| d.stage == 0 && d.approved && d.by == debra));
    let first = pending.iter().find(|r| r.stage == 0).expect("a SOX request waits at stage 1");
    assert_eq!(first.approvers, vec![debra], "the requestor's manager decides stage 1");
}

#[test]
fn a_review_is_in_progress_half_decided() {
    let t = demo();
    let open: Vec<&Review> = t.reviews.values().filter(|r| r.state == ReviewState::InProgress).collect();
    let sox = pkg(&t, "SOX Finance Reporting");
    let r = open.iter().find(|r| r.package == sox).expect("the SOX quarterly review is in progress");
    assert!(r.start < now() && r.end > now());
    assert!(r.items.iter().any(|i| i.decision.is_some()));
    assert!(r.items.iter().any(|i| i.decision.is_none()));
    assert!(!t.review_tasks(uid(&t, "Debra Berger")).is_empty());
}

#[test]
fn assignments_expire_soon_and_were_noticed() {
    let t = demo();
    let soon: Vec<&Assignment> = t
        .assignments
        .values()
        .filter(|a| a.is_active() && a.end.is_some_and(|e| e > now() && e <= now() + Duration::days(14)))
        .collect();
    assert!(soon.len() >= 2, "several assignments end within 14 days");
    for a in soon {
        let noticed = t.notifications_of(a.target).any(|n| n.kind == "expiresSoon");
        assert!(noticed, "{} got the 14-day notice for {}", t.user_name(a.target), a.id);
    }
}

#[test]
fn allan_can_still_request_internal_access_package() {
    let mut t = demo();
    let allan = uid(&t, "Allan Deyoung");
    let internal = pkg(&t, "Internal_AccessPackage");
    assert!(t.assignments_of_user(allan).all(|a| a.package != internal));
    assert!(t.requests_of_user(allan).all(|r| r.package != internal));
    assert!(names(t.available_packages(&Actor::user(allan))).contains("Internal_AccessPackage"));
    // The README tour: Allan requests it and gets it at once (no approval).
    apply(
        &mut t,
        Actor::user(allan),
        Command::SubmitRequest {
            package: internal,
            policy: None,
            justification: "Working with Azureblog".into(),
            answers: Default::default(),
            start: None,
        },
    );
    assert!(t.active_assignment(allan, internal).is_some());
    let team = t.find_resource("External_Collaboration").map(|r| r.id).unwrap();
    assert!(t.holds(allan, team, "Member"));
}

#[test]
fn alex_sees_only_the_external_package() {
    let mut t = demo();
    let seen = names(t.available_packages(&alex()));
    assert!(seen.contains("External_AccessPackage"));
    assert!(!seen.contains("Internal_AccessPackage"));
    assert!(!seen.contains("Partner Access"), "Partner Access is for Partner1 only");
    // Adele approves: Alex becomes a guest and joins the Team.
    let adele = uid(&t, "Adele Vance");
    let req = t.inbox(adele).find(|r| r.target_user().is_none()).map(|r| r.id).unwrap();
    apply(
        &mut t,
        Actor::user(adele),
        Command::Decide { request: req, approve: true, reason: "Contract signed".into() },
    );
    let alex = t.user_by_email("alex@azureblog.net").expect("Alex is a guest now");
    assert!(alex.is_guest() && alex.created_by_em);
    let team = t.find_resource("External_Collaboration").map(|r| r.id).unwrap();
    assert!(t.holds(alex.id, team, "Member"));
}

#[test]
fn the_story_leaves_every_kind_of_history() {
    let t = demo();
    let states: BTreeSet<String> = t.requests_in_memory().map(|r| r.state.to_string()).collect();
    for s in ["delivered", "denied", "expired", "canceled", "pendingApproval", "scheduled"] {
        assert!(states.contains(s), "a request is {s}");
    }
    let kinds: BTreeSet<String> = t.requests_in_memory().map(|r| r.request_type.to_string()).collect();
    for k in ["userAdd", "userExtend", "userRemove", "adminAdd", "adminRemove", "systemRemove"] {
        assert!(kinds.contains(k), "a request of type {k}");
    }
    assert!(t.assignments.values().any(|a| a.state == AssignmentState::Expired));
    assert!(t.assignments.values().any(|a| a.state == AssignmentState::Removed));
    assert!(t.reviews.values().any(|r| r.items.iter().any(|i| i.outcome.as_deref() == Some("removed"))));
    // Partner guests: one delivered, one blocked then removed by the external-user lifecycle.
    let kai = t.user_by_email("kai.carter@partner1.com").expect("Kai is a guest");
    assert!(kai.enabled && kai.created_by_em);
    let sam = t.user_by_email("sam.taylor@partner1.com").expect("Sam was a guest");
    assert!(!sam.enabled && sam.deleted_at.is_some());
    let partner = pkg(&t, "Partner Access");
    assert!(t.active_assignment(kai.id, partner).is_some());
    // Two users without a manager, as the fallback approvers need.
    assert!(t.users.values().filter(|u| !u.is_guest() && !u.global_admin && u.manager.is_none()).count() >= 2);
}

#[test]
fn drift_and_grants_counted_by_source() {
    let mut t = demo();
    let lynne = uid(&t, "Lynne Robbins");
    let close = t.find_resource("Finance Close").map(|r| r.id).unwrap();
    let key = GrantKey { user: lynne, resource: close, role: "Member".into() };
    let sources = t.grants.get(&key).cloned().unwrap_or_default();
    assert!(sources.contains(&GrantSource::Direct));
    assert!(sources.iter().any(|s| matches!(s, GrantSource::Assignment { .. })));
    // Memberships outside any package on a resource a package grants: drift.
    let alpha = t.find_resource("Project Alpha").map(|r| r.id).unwrap();
    let christie = uid(&t, "Christie Cline");
    let k = GrantKey { user: christie, resource: alpha, role: "Member".into() };
    assert_eq!(t.grants.get(&k).map(|s| s.iter().copied().collect::<Vec<_>>()), Some(vec![GrantSource::Direct]));
    // Seed 003: removing Lynne's SOX assignment keeps her direct membership of Finance Close.
    let sox = pkg(&t, "SOX Finance Reporting");
    let asg = t.active_assignment(lynne, sox).map(|a| a.id).unwrap();
    let debra = uid(&t, "Debra Berger");
    apply(&mut t, Actor::user(debra), Command::AdminRemove { assignment: asg, reason: "Moved teams".into() });
    let group = t.find_resource("SOX Reporting Users").map(|r| r.id).unwrap();
    assert!(t.holds(lynne, close, "Member"));
    assert!(!t.holds(lynne, group, "Member"));
}

#[test]
fn the_lint_pitfalls_are_there_to_find() {
    let t = demo();
    let acme = t.find_org("Acme Corp").unwrap();
    assert_eq!(acme.state, OrgState::Proposed);
    assert!(acme.internal_sponsors.is_empty() && acme.external_sponsors.is_empty());
    let pols: Vec<&Policy> = t.policies.values().collect();
    assert!(pols.iter().any(|p| p.spec.scope.is_external() && p.spec.stages.is_empty()));
    assert!(pols.iter().any(|p| p.spec.stages.iter().any(|s| s.timeout_days > 7)));
    let no_enabled = |p: &Package| t.policies_of(p.id).all(|x| !x.spec.enabled);
    assert!(t.packages.values().any(no_enabled));
    let never = |p: &Package| p.sensitive && t.policies_of(p.id).any(|x| x.spec.lifecycle.expiration.never());
    assert!(t.packages.values().any(never));
}

fn ids<T, I: Iterator<Item = T>, K: Ord>(it: I, key: impl Fn(T) -> K) -> Vec<K> {
    let mut v: Vec<K> = it.map(key).collect();
    v.sort();
    v
}

/// Every index-backed view of `a` equals that of `b`.
fn same_views(a: &Tenant, b: &Tenant) {
    for u in a.users.keys().copied() {
        assert_eq!(ids(a.inbox(u), |r| r.id), ids(b.inbox(u), |r| r.id), "inbox of {u}");
        assert_eq!(ids(a.assignments_of_user(u), |x| x.id), ids(b.assignments_of_user(u), |x| x.id));
        assert_eq!(ids(a.requests_of_user(u), |x| x.id), ids(b.requests_of_user(u), |x| x.id), "requests of {u}");
        assert_eq!(ids(a.notifications_of(u), |x| x.seq), ids(b.notifications_of(u), |x| x.seq));
    }
    for r in a.resources.keys().copied() {
        assert_eq!(ids(a.holders(r), |h| *h), ids(b.holders(r), |h| *h), "holders of {r}");
    }
    for p in a.packages.keys().copied() {
        assert_eq!(ids(a.assignments_of_package(p), |x| x.id), ids(b.assignments_of_package(p), |x| x.id));
        assert_eq!(ids(a.requests_of_package(p), |x| x.id), ids(b.requests_of_package(p), |x| x.id));
    }
}

#[test]
fn indexes_kept_by_the_commands_match_a_rebuild() {
    let t = demo();
    let mut rebuilt = t.clone();
    rebuilt.rebuild_indexes();
    same_views(&t, &rebuilt);
    // Grants and assignments agree: every package source is an active assignment that granted it.
    for (k, sources) in &t.grants {
        assert!(!sources.is_empty());
        for s in sources {
            if let GrantSource::Assignment { assignment } = s {
                let a = t.assignments.get(assignment).expect("the source's assignment");
                assert!(a.is_active() && a.target == k.user, "{k:?} from {assignment}");
                assert!(a.granted.iter().any(|g| g.resource == k.resource && g.role == k.role));
            }
        }
    }
}

#[test]
fn saving_and_loading_keeps_inboxes_and_holders() {
    let t = demo();
    let json = serde_json::to_string(&t).unwrap();
    let mut back: Tenant = serde_json::from_str(&json).unwrap();
    back.rebuild_indexes();
    same_views(&t, &back);
    assert_eq!(serde_json::to_value(&back).unwrap(), serde_json::to_value(&t).unwrap());
    // And the two go on the same way: the same timers fire over the next two months.
    let (mut live, mut loaded) = (t, back);
    let later = now() + Duration::days(60);
    for x in [&mut live, &mut loaded] {
        x.apply(&Entry { at: later, actor: Actor::System, command: Command::Tick }).unwrap();
    }
    assert_eq!(serde_json::to_value(&live).unwrap(), serde_json::to_value(&loaded).unwrap());
}

/// The demo script with one change made by `edit` to its JSON.
fn edited(edit: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(DEMO_JSON).unwrap();
    edit(&mut v);
    v.to_string()
}

/// The 0-based position of the first story step matching `f`.
fn step_index(v: &Value, f: impl Fn(&Value) -> bool) -> usize {
    v["story"].as_array().and_then(|s| s.iter().position(f)).expect("the step exists")
}

#[test]
fn a_broken_step_is_reported_with_its_number() {
    let mut at = 0;
    let json = edited(|v| {
        at = step_index(v, |s| s["do"] == "request" && s["by"] == "Megan Bowen");
        v["story"][at]["answers"]["1"] = "Lunch".into();
    });
    let err = format!("{:#}", load_script(&json).unwrap_err());
    let want = format!("story step {} (Megan Bowen requests 'SOX Finance Reporting'): 'Lunch' is not one of", at + 1);
    assert!(err.starts_with(&want), "{err}");

    let json = edited(|v| {
        at = step_index(v, |s| s["do"] == "approve" && s["for"] == "Megan Bowen" && s["by"] == "Joni Sherman");
        v["story"][at]["by"] = "Lee Gu".into();
    });
    let err = format!("{:#}", load_script(&json).unwrap_err());
    assert!(err.starts_with(&format!("story step {} (Lee Gu approves Megan Bowen's", at + 1)), "{err}");
    assert!(err.contains("not routed to you"), "{err}");

    let json = edited(|v| {
        at = step_index(v, |s| s["do"] == "approve");
        v["story"][at]["for"] = "Nobody Here".into();
    });
    let err = format!("{:#}", load_script(&json).unwrap_err());
    assert!(err.starts_with(&format!("story step {} (", at + 1)) && err.contains("no open request"), "{err}");
}

#[test]
fn setup_and_format_errors_name_what_is_wrong() {
    let err = |json: String| format!("{:#}", load_script(&json).unwrap_err());
    let e = err(edited(|v| v["catalogs"][2]["by"] = "Allan Deyoung".into()));
    assert!(e.starts_with("catalog 'Projects': ") && e.contains("catalog creator"), "{e}");
    let e = err(edited(|v| v["packages"][3]["resourceRoles"][0][0] = "Salesforce".into()));
    assert!(
        e.starts_with("package 'Project Alpha': resource role 'Salesforce'") && e.contains("not in catalog"),
        "{e}"
    );
    let e = err(edited(|v| v["users"][3]["manager"] = "Nobody".into()));
    assert!(e.contains("user 'Adele Vance'") && e.contains("Nobody"), "{e}");
    let e = err(edited(|v| v["story"][0]["do"] = "approove".into()));
    assert!(e.starts_with("demo script is not valid: unknown variant `approove`"), "{e}");
    let e = err(edited(|v| v["story"][1]["justifcation"] = "typo".into()));
    assert!(e.contains("unknown field `justifcation`"), "{e}");
    let e = err(edited(|v| v["now"] = "2026-10-01T09:00:00Z".into()));
    assert!(e.contains("\"now\" is 2026-10-01 09:00"), "{e}");
    let e = err(edited(|v| v["story"][2]["for"] = "3 days".into()));
    assert!(e.starts_with("story step 3 (wait 3 days): ") && e.contains("not a duration"), "{e}");
    assert!(err("{\"tenant\": ".into()).starts_with("demo script is not valid"));
}
