//! Explain: why a person can or cannot request a package (each condition flipped alone changes
//! the verdict, and the verdict is the request command's over the whole demo), and why a person
//! holds a membership (each source, and what its end does).

use crate::common;

use std::collections::BTreeMap;

use common::*;
use entitle::domain::explain::{Condition, RequestExplained};
use entitle::domain::*;

/// A guest of a connected organization who may request a package of an external catalog through
/// one policy with one approval stage: every condition passes.
struct Setup {
    w: World,
    gina: UserId,
    boss: UserId,
    catalog: CatalogId,
    package: PackageId,
    policy: PolicyId,
    team: ResourceId,
}

fn setup() -> Setup {
    let mut w = World::new();
    let boss = w.user("Bea Boss");
    let org = w.org("Fabrikam", "fabrikam.com", &[boss]);
    let gina = w.guest("Gina Guest", "gina@fabrikam.com", Some(org));
    let mut spec = PolicySpec::new("Everyone in the directory", RequestScope::AllDirectoryUsers);
    spec.stages = vec![stage(vec![by(boss)])];
    let lab = w.lab(spec);
    Setup { w, gina, boss, catalog: lab.catalog, package: lab.package, policy: lab.policy, team: lab.team }
}

fn explain(w: &World, who: &Actor, package: PackageId) -> RequestExplained {
    w.t.explain_request(&sys(), who, package).unwrap()
}

/// The first condition that refuses, as explain says.
fn answer(e: &RequestExplained) -> Option<Condition> {
    e.conditions.iter().find(|v| !v.passed && v.condition.refuses()).map(|v| v.condition)
}

/// The request command run on a copy of the tenant: a justification, every required question
/// answered, through the first policy explain names (if any).
fn command(t: &Tenant, who: &Actor, package: PackageId, policy: Option<PolicyId>) -> DomainResult<Outcome> {
    let mut answers = BTreeMap::new();
    if let Some(p) = policy.and_then(|p| t.policies.get(&p)) {
        for q in p.spec.questions.iter().filter(|q| q.required) {
            let a = match &q.kind {
                QuestionKind::Choice { options } => options.first().cloned().unwrap_or_default(),
                QuestionKind::Text => "An answer".into(),
            };
            answers.insert(q.id, a);
        }
    }
    let command =
        Command::SubmitRequest { package, policy, justification: "I need it for my work".into(), answers, start: None };
    let mut copy = t.clone();
    copy.apply(&Entry { at: t.clock.now, actor: who.clone(), command })
}

/// Explain's verdict is the command's: accepted when it says yes, else refused with its answer.
#[track_caller]
fn agrees(t: &Tenant, who: &Actor, e: &RequestExplained) {
    let out = command(t, who, e.package, e.policies.first().copied());
    match (&out, &e.refusal) {
        (Ok(_), None) => assert!(e.can_request),
        (Err(got), Some(said)) => {
            assert!(!e.can_request);
            assert_eq!(got, said, "{who:?} / {}: the command's refusal is not explain's answer", e.package_name);
        }
        _ => panic!(
            "{who:?} / {}: explain says {:?}, the command {:?}",
            e.package_name,
            e.refusal,
            out.map(|o| o.message)
        ),
    }
}

#[test]
fn every_condition_passes_in_the_setup_and_the_command_accepts() {
    let s = setup();
    let e = explain(&s.w, &u(s.gina), s.package);
    assert!(e.can_request && e.can_see, "{e:#?}");
    assert!(e.conditions.iter().all(|v| v.passed), "{e:#?}");
    assert_eq!(e.policies, vec![s.policy]);
    agrees(&s.w.t, &u(s.gina), &e);
}

#[test]
fn each_condition_flipped_alone_is_the_answer() {
    type Flip = fn(&mut Setup);
    let flips: Vec<(&str, Condition, Flip)> = vec![
        ("blocked", Condition::SignIn, |s| s.w.set_enabled(s.gina, false)),
        ("deleted", Condition::PackageLive, |s| {
            s.w.sys(Command::DeletePackage { package: s.package });
        }),
        ("catalog off", Condition::CatalogEnabled, |s| s.w.update_catalog(s.catalog, false, true)),
        ("catalog internal", Condition::CatalogExternal, |s| s.w.update_catalog(s.catalog, true, false)),
        ("members only", Condition::SomePolicy, |s| {
            s.w.update_policy(s.policy, |p| p.scope = RequestScope::AllMembers)
        }),
        ("policy off", Condition::SomePolicy, |s| s.w.update_policy(s.policy, |p| p.enabled = false)),
        ("assigned", Condition::OneAssignment, |s| {
            s.w.admin_assign(s.package, s.policy, s.gina);
        }),
        ("pending", Condition::OneAssignment, |s| {
            s.w.request(&u(s.gina), s.package);
        }),
        ("incompatible", Condition::Separation, |s| {
            let other = s.w.team("Auditors");
            s.w.direct(s.gina, other, "Member");
            let with = Incompatible::Group { group: other };
            s.w.sys(Command::AddIncompatible { package: s.package, with });
        }),
        ("no approver", Condition::Terms, |s| s.w.set_enabled(s.boss, false)),
    ];
    for (name, expected, flip) in flips {
        let mut s = setup();
        flip(&mut s);
        let e = explain(&s.w, &u(s.gina), s.package);
        assert!(!e.can_request, "{name}: {e:#?}");
        assert_eq!(answer(&e), Some(expected), "{name}: {e:#?}");
        // Only the flipped condition refuses.
        let refusing: Vec<Condition> =
            e.conditions.iter().filter(|v| !v.passed && v.condition.refuses()).map(|v| v.condition).collect();
        assert_eq!(refusing, vec![expected], "{name}: {e:#?}");
        agrees(&s.w.t, &u(s.gina), &e);
    }
}

#[test]
fn a_hidden_package_is_not_listed_but_can_still_be_requested() {
    let mut s = setup();
    s.w.sys(Command::UpdatePackage {
        package: s.package,
        spec: PackageSpec { hidden: true, ..pkg_spec("Lab Access") },
    });
    let e = explain(&s.w, &u(s.gina), s.package);
    assert!(e.can_request && !e.can_see, "{e:#?}");
    let listed = e.conditions.iter().find(|v| v.condition == Condition::Listed).unwrap();
    assert!(!listed.passed && listed.says.contains("hidden"), "{listed:?}");
    agrees(&s.w.t, &u(s.gina), &e);
}

#[test]
fn one_policy_refusing_shows_beside_the_one_that_admits() {
    let mut s = setup();
    let members = s.w.policy(s.package, members_policy("Members only"));
    let e = explain(&s.w, &u(s.gina), s.package);
    assert!(e.can_request, "{e:#?}");
    let v = e.conditions.iter().find(|v| v.condition == Condition::Policy { policy: members }).unwrap();
    assert!(!v.passed, "{v:?}");
    assert_eq!(e.policies, vec![s.policy]);
}

#[test]
fn the_verdict_is_the_commands_for_every_demo_person_and_package() {
    let t = entitle::demo::demo_tenant().unwrap();
    let mut people: Vec<Actor> = t.users.values().filter(|u| u.is_active()).map(|u| Actor::user(u.id)).collect();
    people.push(Actor::external("pat@partner1.com", "Pat Partner"));
    people.push(Actor::external("joe@elsewhere.com", "Joe Elsewhere"));
    let (mut yes, mut no) = (0, 0);
    for who in &people {
        for p in t.packages.keys() {
            let e = t.explain_request(&Actor::System, who, *p).unwrap();
            agrees(&t, who, &e);
            if e.can_request { yes += 1 } else { no += 1 }
        }
    }
    // The demo has both answers, many times.
    assert!(yes > 20 && no > 20, "{yes} yes, {no} no");
}

#[test]
fn only_the_person_and_roles_over_the_catalog_may_ask() {
    let mut s = setup();
    let other = s.w.user("Olly Other");
    let refused = s.w.t.explain_request(&u(other), &u(s.gina), s.package).unwrap_err();
    assert_eq!(kind(&refused), "Forbidden");
    assert!(s.w.t.explain_request(&u(s.gina), &u(s.gina), s.package).is_ok());
}

#[test]
fn holds_lists_each_source_and_the_membership_goes_with_the_last() {
    let mut s = setup();
    let req = s.w.request(&u(s.gina), s.package);
    s.w.approve(s.boss, req);
    s.w.direct(s.gina, s.team, "Member");
    let none = |_| None;
    let e = s.w.t.explain_holds(&sys(), s.gina, s.team, Some("Member"), &none).unwrap();
    let m = &e.memberships[0];
    assert_eq!(m.sources.len(), 2, "{e:#?}");
    assert!(m.sources.iter().all(|x| x.kept_if_ended), "{e:#?}");

    // The direct source ends: the membership stays, kept by the assignment.
    s.w.sys(Command::RemoveDirectGrant { user: s.gina, resource: s.team, role: "Member".into() });
    assert!(s.w.holds(s.gina, s.team, "Member"));
    let e = s.w.t.explain_holds(&sys(), s.gina, s.team, None, &none).unwrap();
    let m = &e.memberships[0];
    assert_eq!(m.sources.len(), 1);
    assert!(!m.sources[0].kept_if_ended && m.sources[0].if_ended.contains("lost"), "{e:#?}");

    // The last source ends: the membership goes.
    let asg = s.w.active(s.gina, s.package).unwrap().id;
    s.w.sys(Command::AdminRemove { assignment: asg, reason: String::new() });
    assert!(!s.w.holds(s.gina, s.team, "Member"));
    assert!(s.w.t.explain_holds(&sys(), s.gina, s.team, None, &none).unwrap().memberships.is_empty());
}

#[test]
fn holds_names_who_approved_from_the_request() {
    let mut s = setup();
    let req = s.w.request(&u(s.gina), s.package);
    s.w.approve(s.boss, req);
    let t = &s.w.t;
    let record = |id| t.request_in_memory(id).cloned();
    let e = t.explain_holds(&sys(), s.gina, s.team, Some("Member"), &record).unwrap();
    let json = serde_json::to_value(&e).unwrap();
    let src = &json["memberships"][0]["sources"][0]["source"];
    assert_eq!(src["type"], "assignment");
    assert_eq!(src["policy"], serde_json::json!(s.policy));
    assert_eq!(src["requestType"], "userAdd");
}
