//! Automatic assignment policies: people who match the rule get the package without requesting,
//! as they join, change and leave, with the grace period on the frozen clock; one automatic
//! policy per package; the preview lists exactly what the save does; user attributes are bounded.

use crate::common;

use chrono::Duration;
use common::*;
use entitle::domain::auto_assign::AutomaticSettings;
use entitle::domain::bounds::Field;
use entitle::domain::user_rule::Property;
use entitle::domain::*;

const SALES: &str = r#"user.department -eq "Sales" -and user.userType -eq "Member""#;

fn auto_spec(rule: &str, grace_hours: u32) -> PolicySpec {
    let mut s = PolicySpec::new("Sales by department", RequestScope::AdminOnly);
    s.lifecycle.expiration = Expiration::Never;
    s.automatic = Some(AutomaticSettings { rule: rule.into(), grace_period_hours: grace_hours });
    s
}

fn person(w: &mut World, name: &str, department: &str) -> UserId {
    let mut spec = member_spec(name, None);
    spec.department = department.into();
    w.user_spec(spec)
}

fn set(w: &mut World, user: UserId, f: impl FnOnce(&mut UserAttributes)) -> Outcome {
    let mut attributes = UserAttributes::from(w.t.user(user).unwrap());
    f(&mut attributes);
    w.sys(Command::SetUserAttributes { user, attributes })
}

/// A package granting the Sales Team's Member role, without a policy yet.
fn sales_package(w: &mut World) -> (PackageId, ResourceId) {
    let team = w.team("Sales Team");
    w.add_to_catalog(w.general, team);
    let pkg = w.package(w.general, "Sales Essentials");
    w.add_role(pkg, team, "Member");
    (pkg, team)
}

fn pending(w: &World, user: UserId, pkg: PackageId) -> bool {
    w.active(user, pkg).is_some_and(|a| w.t.auto_removals.contains_key(&a.id))
}

#[test]
fn saving_the_policy_assigns_everyone_matching_and_nobody_else() {
    let mut w = World::new();
    let (pkg, team) = sales_package(&mut w);
    let ann = person(&mut w, "Ann", "Sales");
    let bob = person(&mut w, "Bob", "Finance");
    let gus = w.guest("Gus", "gus@partner.com", None);
    set(&mut w, gus, |a| a.department = "sales".into());
    let pol = w.policy(pkg, auto_spec(SALES, 48));
    let a = w.active(ann, pkg).expect("Ann matches").clone();
    assert_eq!(a.policy, pol);
    assert!(w.holds(ann, team, "Member"));
    assert_eq!(w.requests_of_type(ann, RequestType::SystemAdd).len(), 1);
    assert_eq!(w.mail(ann, "granted").len(), 1, "told as for a direct assignment");
    let req = w.requests_of_type(ann, RequestType::SystemAdd)[0].id;
    assert!(w.audit_has("request.systemAdd", req));
    assert!(w.audit_has("assignment.delivered", a.id));
    assert!(w.active(bob, pkg).is_none(), "another department");
    assert!(w.active(gus, pkg).is_none(), "a guest: the rule asks for members");
}

#[test]
fn someone_who_joins_matching_is_assigned_at_once() {
    let mut w = World::new();
    let (pkg, _) = sales_package(&mut w);
    w.policy(pkg, auto_spec(SALES, 48));
    let cara = person(&mut w, "Cara", "Sales");
    assert!(w.active(cara, pkg).is_some());
    let dan = person(&mut w, "Dan", "HR");
    assert!(w.active(dan, pkg).is_none());
}

#[test]
fn an_attribute_change_assigns_and_the_removal_waits_for_the_grace_period() {
    let mut w = World::new();
    let (pkg, team) = sales_package(&mut w);
    let ann = person(&mut w, "Ann", "Sales");
    let bob = person(&mut w, "Bob", "Finance");
    w.policy(pkg, auto_spec(SALES, 48));
    let out = set(&mut w, bob, |a| a.department = "Sales".into());
    assert!(w.active(bob, pkg).is_some(), "Bob now matches");
    assert!(out.message.ends_with("automatic: assigned 'Sales Essentials'"), "{}", out.message);

    let aid = w.active(ann, pkg).unwrap().id;
    let out = set(&mut w, ann, |a| a.department = "Marketing".into());
    assert!(out.message.contains("loses 'Sales Essentials' after the grace period"), "{}", out.message);
    assert!(pending(&w, ann, pkg), "the removal waits");
    assert!(w.audit_has("assignment.removalScheduled", aid));
    assert_eq!(w.mail(ann, "removalScheduled").len(), 1);
    let fired = w.advance_by(Duration::hours(47));
    assert_eq!(fired.auto_removed, 0);
    assert!(w.holds(ann, team, "Member"), "within the grace period");
    let fired = w.advance_by(Duration::hours(1));
    assert_eq!(fired.auto_removed, 1);
    assert!(w.active(ann, pkg).is_none());
    assert!(!w.holds(ann, team, "Member"));
    assert_eq!(w.asg(aid).state, AssignmentState::Removed);
    assert_eq!(w.requests_of_type(ann, RequestType::SystemRemove).len(), 1);
    assert!(w.audit_has("assignment.removed", aid));
    assert!(w.t.auto_removals.is_empty());
    assert!(w.active(bob, pkg).is_some(), "Bob still matches");
}

#[test]
fn matching_again_within_the_grace_period_keeps_the_assignment() {
    let mut w = World::new();
    let (pkg, team) = sales_package(&mut w);
    let ann = person(&mut w, "Ann", "Sales");
    w.policy(pkg, auto_spec(SALES, 48));
    let aid = w.active(ann, pkg).unwrap().id;
    set(&mut w, ann, |a| a.department = "Marketing".into());
    w.advance_by(Duration::hours(24));
    set(&mut w, ann, |a| a.department = "SALES".into());
    assert!(!pending(&w, ann, pkg));
    assert!(w.audit_has("assignment.removalCanceled", aid));
    let fired = w.advance(30);
    assert_eq!(fired.auto_removed, 0);
    assert_eq!(w.active(ann, pkg).map(|a| a.id), Some(aid), "the same assignment, kept");
    assert!(w.holds(ann, team, "Member"));
}

#[test]
fn leaving_blocked_loses_it_after_the_grace_period_and_coming_back_gives_it_again() {
    let mut w = World::new();
    let (pkg, _) = sales_package(&mut w);
    let ann = person(&mut w, "Ann", "Sales");
    w.policy(pkg, auto_spec(SALES, 24));
    w.set_enabled(ann, false);
    assert!(pending(&w, ann, pkg));
    assert_eq!(w.advance(1).auto_removed, 1);
    assert!(w.active(ann, pkg).is_none());
    w.set_enabled(ann, true);
    assert!(w.active(ann, pkg).is_some(), "assigned again when back");
}

#[test]
fn no_grace_period_removes_at_once() {
    let mut w = World::new();
    let (pkg, team) = sales_package(&mut w);
    let ann = person(&mut w, "Ann", "Sales");
    w.policy(pkg, auto_spec(SALES, 0));
    let out = set(&mut w, ann, |a| a.user_type = UserType::Guest);
    assert_eq!(out.fired.auto_removed, 1);
    assert!(w.active(ann, pkg).is_none());
    assert!(!w.holds(ann, team, "Member"));
}

#[test]
fn a_package_has_at_most_one_automatic_policy() {
    let mut w = World::new();
    let (pkg, _) = sales_package(&mut w);
    w.policy(pkg, auto_spec(SALES, 0));
    let e = w.refuse(&sys(), Command::CreatePolicy { package: pkg, spec: auto_spec(r#"user.country -eq "FR""#, 0) });
    assert_eq!(kind(&e), "Rule");
    assert!(msg(&e).contains("at most one"), "{e}");
    // Nor can a request policy of the package become a second one.
    let other = w.policy(pkg, members_policy("Requests"));
    let e = w.refuse(&sys(), Command::UpdatePolicy { policy: other, spec: auto_spec(SALES, 0) });
    assert_eq!(kind(&e), "Rule");
}

#[test]
fn an_automatic_policy_is_checked_when_set() {
    let mut w = World::new();
    let (pkg, _) = sales_package(&mut w);
    let e =
        w.refuse(&sys(), Command::CreatePolicy { package: pkg, spec: auto_spec(r#"user.department -eq Sales"#, 0) });
    assert_eq!(e.field(), Some(Field::Rule));
    assert!(msg(&e).contains("character 21"), "{e}");
    let e = w.refuse(&sys(), Command::CreatePolicy { package: pkg, spec: auto_spec(SALES, 365 * 24 + 1) });
    assert_eq!(e.field(), Some(Field::GracePeriod));
    let mut requested = auto_spec(SALES, 0);
    requested.scope = RequestScope::AllMembers;
    let e = w.refuse(&sys(), Command::CreatePolicy { package: pkg, spec: requested });
    assert_eq!(kind(&e), "Invalid");
    let mut expiring = auto_spec(SALES, 0);
    expiring.lifecycle.expiration = Expiration::AfterDays(30);
    assert_eq!(kind(&w.refuse(&sys(), Command::CreatePolicy { package: pkg, spec: expiring })), "Invalid");
}

#[test]
fn direct_assignment_through_an_automatic_policy_is_refused() {
    let mut w = World::new();
    let (pkg, _) = sales_package(&mut w);
    let bob = person(&mut w, "Bob", "Finance");
    let pol = w.policy(pkg, auto_spec(SALES, 0));
    let cmd = Command::AdminAssign {
        package: pkg,
        policy: pol,
        user: bob,
        start: None,
        end: None,
        justification: String::new(),
    };
    let e = w.refuse(&sys(), cmd);
    assert_eq!(kind(&e), "Rule");
    assert!(msg(&e).contains("automatically"), "{e}");
}

#[test]
fn a_policy_with_assignments_does_not_switch_between_automatic_and_requested() {
    let mut w = World::new();
    let (pkg, _) = sales_package(&mut w);
    person(&mut w, "Ann", "Sales");
    let pol = w.policy(pkg, auto_spec(SALES, 0));
    let e = w.refuse(&sys(), Command::UpdatePolicy { policy: pol, spec: members_policy("Now requested") });
    assert_eq!(kind(&e), "Rule");
}

#[test]
fn the_preview_lists_exactly_who_the_save_adds_removes_and_keeps() {
    let mut w = World::new();
    let (pkg, _) = sales_package(&mut w);
    let ann = person(&mut w, "Ann", "Sales");
    let carl = person(&mut w, "Carl", "Sales");
    let dana = person(&mut w, "Dana", "Marketing");
    let eve = person(&mut w, "Eve", "Finance");
    let pol = w.policy(pkg, auto_spec(r#"user.department -eq "Sales""#, 72));
    set(&mut w, carl, |a| a.department = "Support".into());
    assert!(pending(&w, carl, pkg));

    let new = auto_spec(r#"user.department -in ["Marketing", "Support"]"#, 72);
    let preview = w.t.preview_automatic(&sys(), pkg, Some(pol), &new).expect("previews");
    assert_eq!(preview.gains, vec![dana]);
    assert_eq!(preview.losses, vec![ann]);
    assert_eq!(preview.keeps, vec![carl]);

    let had: Vec<UserId> = [ann, carl, dana, eve].into_iter().filter(|u| w.active(*u, pkg).is_some()).collect();
    let waiting: Vec<UserId> = [ann, carl, dana, eve].into_iter().filter(|u| pending(&w, *u, pkg)).collect();
    w.sys(Command::UpdatePolicy { policy: pol, spec: new });
    let has: Vec<UserId> = [ann, carl, dana, eve].into_iter().filter(|u| w.active(*u, pkg).is_some()).collect();
    let waits: Vec<UserId> = [ann, carl, dana, eve].into_iter().filter(|u| pending(&w, *u, pkg)).collect();
    let added: Vec<UserId> = has.iter().filter(|u| !had.contains(u)).copied().collect();
    let started: Vec<UserId> = waits.iter().filter(|u| !waiting.contains(u)).copied().collect();
    let kept: Vec<UserId> = waiting.iter().filter(|u| !waits.contains(u)).copied().collect();
    assert_eq!((added, started, kept), (preview.gains, preview.losses, preview.keeps));

    // A preview is for those who may save the policy, and refused as the save would be.
    let e = w.t.preview_automatic(&u(eve), pkg, Some(pol), &auto_spec(SALES, 0)).expect_err("not a manager");
    assert_eq!(kind(&e), "Forbidden");
    let e = w.t.preview_automatic(&sys(), pkg, None, &auto_spec(SALES, 0)).expect_err("a second automatic policy");
    assert_eq!(kind(&e), "Rule");
}

#[test]
fn a_user_change_evaluates_that_user_only() {
    let mut w = World::new();
    let (pkg, _) = sales_package(&mut w);
    let ann = person(&mut w, "Ann", "Finance");
    let bob = person(&mut w, "Bob", "Finance");
    w.policy(pkg, auto_spec(SALES, 0));
    // Ann's record changed behind the commands' back: only a change to Ann re-evaluates her.
    w.t.users.get_mut(&ann).unwrap().department = "Sales".into();
    set(&mut w, bob, |a| a.job_title = "Analyst".into());
    w.advance(1);
    assert!(w.active(ann, pkg).is_none(), "neither Bob's change nor the clock scanned the directory");
    set(&mut w, ann, |a| a.job_title = "Rep".into());
    assert!(w.active(ann, pkg).is_some());
}

#[test]
fn a_waiting_removal_survives_a_save_and_load() {
    let mut w = World::new();
    let (pkg, _) = sales_package(&mut w);
    let ann = person(&mut w, "Ann", "Sales");
    w.policy(pkg, auto_spec(SALES, 48));
    set(&mut w, ann, |a| a.department = "HR".into());
    let json = serde_json::to_string(&w.t).unwrap();
    let mut back: Tenant = serde_json::from_str(&json).unwrap();
    back.rebuild_indexes();
    let sections = entitle::domain::binary::encode(&back).unwrap();
    let mut binary = entitle::domain::binary::decode(sections.iter().map(Vec::as_slice).collect()).unwrap();
    for t in [&mut back, &mut binary] {
        assert_eq!(t.auto_removals, w.t.auto_removals);
        assert_eq!(t.user(ann).unwrap().department, "HR");
        let to = t.now() + Duration::hours(48);
        let out = t.apply(&Entry { at: to, actor: Actor::System, command: Command::Tick }).unwrap();
        assert_eq!(out.fired.auto_removed, 1);
        assert!(t.active_assignment(ann, pkg).is_none());
        // The policy's rule is indexed again: a new person in Sales is assigned.
        let mut spec = member_spec("Zed", None);
        spec.department = "Sales".into();
        let zed: UserId =
            id_of(&t.apply(&Entry { at: to, actor: Actor::System, command: Command::CreateUser { spec } }).unwrap());
        assert!(t.active_assignment(zed, pkg).is_some());
    }
}

#[test]
fn user_attributes_are_bounded_audited_and_for_administrators() {
    let mut w = World::new();
    let ann = person(&mut w, "Ann", "Sales");
    let bob = person(&mut w, "Bob", "Sales");
    set(&mut w, ann, |a| {
        a.company_name = "Contoso".into();
        a.country = "France".into();
        a.employee_type = "Contractor".into();
        a.manager = Some(bob);
    });
    let x = w.t.user(ann).unwrap();
    assert_eq!(
        (x.company_name.as_str(), x.country.as_str(), x.employee_type.as_str()),
        ("Contoso", "France", "Contractor")
    );
    let ev = w.t.audit.iter().rev().find(|e| e.activity == "user.attributesUpdated").expect("audited");
    assert_eq!(ev.before.as_ref().and_then(|b| b.get("country")), None);
    assert_eq!(ev.after.as_ref().and_then(|a| a.get("country")).and_then(|c| c.as_str()), Some("France"));

    let mut long = UserAttributes::from(w.t.user(ann).unwrap());
    long.department = "x".repeat(65);
    let e = w.refuse(&sys(), Command::SetUserAttributes { user: ann, attributes: long });
    assert_eq!(e.field(), Some(Field::UserAttribute { property: Property::Department }));
    let mut escape = UserAttributes::from(w.t.user(ann).unwrap());
    escape.employee_type = "\u{1b}[31m".into();
    let e = w.refuse(&sys(), Command::SetUserAttributes { user: ann, attributes: escape });
    assert_eq!(e.field(), Some(Field::UserAttribute { property: Property::EmployeeType }));
    let mut own = UserAttributes::from(w.t.user(ann).unwrap());
    own.manager = Some(ann);
    assert_eq!(kind(&w.refuse(&sys(), Command::SetUserAttributes { user: ann, attributes: own })), "Invalid");
    let same = UserAttributes::from(w.t.user(ann).unwrap());
    let e = w.refuse(&u(bob), Command::SetUserAttributes { user: ann, attributes: same });
    assert_eq!(kind(&e), "Forbidden");
}

#[test]
fn a_stored_rule_that_does_not_read_is_a_problem_not_silence() {
    let mut w = World::new();
    let (pkg, _) = sales_package(&mut w);
    let ann = person(&mut w, "Ann", "Sales");
    let pol = w.policy(pkg, auto_spec(SALES, 48));
    assert!(w.active(ann, pkg).is_some());
    assert!(w.t.problems().iter().all(|p| p.field != "automatic.rule"), "a rule that reads is no problem");
    // The file edited by hand: the rule cut short. Loaded again, the policy assigns nobody.
    let mut json = serde_json::to_value(&w.t).expect("serializes");
    let policies = json["policies"].as_array_mut().expect("a list of policies");
    let id = serde_json::to_value(pol).expect("an id");
    let stored = policies.iter_mut().find(|p| p["id"] == id).expect("the policy");
    stored["automatic"]["rule"] = serde_json::json!("user.department -eq");
    let t = entitle::domain::decode::decode(json.to_string().as_bytes()).expect("loads");
    let found: Vec<_> = t.problems().into_iter().filter(|p| p.field == "automatic.rule").collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].object, ObjectRef::from(pol));
    assert!(found[0].message.contains("assigns nobody"), "{}", found[0].message);
    assert_eq!(t.problems(), t.problems_scanning_all());
}
