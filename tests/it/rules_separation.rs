//! Separation of duties [incompatibleAccessPackages, incompatibleGroups]: a person who holds an
//! incompatible package, or is a member of an incompatible group, can neither request nor be
//! assigned the package, whichever package lists the other; the screen asks the same rule; the
//! people who already hold both show in a report and as lint warnings.

use crate::common;

use common::*;
use entitle::domain::*;

/// Two packages of one catalog, each open to every member without approval.
struct Pair {
    a: PackageId,
    b: PackageId,
    pol_a: PolicyId,
    pol_b: PolicyId,
    group: ResourceId,
}

fn pair(w: &mut World) -> Pair {
    let cat = w.catalog("Finance");
    let group = w.team("Auditors");
    w.add_to_catalog(cat, group);
    let a = w.package(cat, "Payments: create");
    let b = w.package(cat, "Payments: approve");
    let pol_a = w.policy(a, members_policy("Members"));
    let pol_b = w.policy(b, members_policy("Members"));
    Pair { a, b, pol_a, pol_b, group }
}

fn incompatible(package: PackageId, other: PackageId) -> Command {
    Command::AddIncompatible { package, with: Incompatible::Package { package: other } }
}

fn assign(package: PackageId, policy: PolicyId, user: UserId) -> Command {
    Command::AdminAssign { package, policy, user, start: None, end: None, justification: "Direct".into() }
}

#[test]
fn holding_a_package_blocks_its_incompatible_one_whichever_lists_the_other() {
    let mut w = World::new();
    let p = pair(&mut w);
    let holder_a = w.user("Hana");
    let holder_b = w.user("Hugo");
    w.request(&u(holder_a), p.a);
    w.request(&u(holder_b), p.b);
    // Compatible so far: each could ask for the other.
    assert_eq!(w.t.may(&u(holder_a), &Intent::Request { package: p.b }), Ok(()));

    // A lists B.
    w.sys(incompatible(p.a, p.b));
    // Who holds B cannot ask for A (A lists B)...
    let e = w.refuse(&u(holder_b), submit_cmd(p.a, None));
    assert_eq!(kind(&e), "Incompatible", "{e}");
    assert!(matches!(e, DomainError::Incompatible { with: Incompatible::Package { package }, .. } if package == p.b));
    assert!(msg(&e).contains("Payments: approve"), "the refusal names the conflict: {e}");
    // ...and who holds A cannot ask for B (B does not list A, but A lists B).
    let e = w.refuse(&u(holder_a), submit_cmd(p.b, None));
    assert!(matches!(e, DomainError::Incompatible { with: Incompatible::Package { package }, .. } if package == p.a));
    // The screen asks the same rule.
    assert!(matches!(w.t.may(&u(holder_a), &Intent::Request { package: p.b }), Err(DomainError::Incompatible { .. })));

    // With only B listing A, the same holds.
    w.sys(Command::RemoveIncompatible { package: p.a, with: Incompatible::Package { package: p.b } });
    assert_eq!(w.t.may(&u(holder_a), &Intent::Request { package: p.b }), Ok(()));
    w.sys(incompatible(p.b, p.a));
    let e = w.refuse(&u(holder_b), submit_cmd(p.a, None));
    assert!(matches!(e, DomainError::Incompatible { with: Incompatible::Package { package }, .. } if package == p.b));
    let e = w.refuse(&u(holder_a), submit_cmd(p.b, None));
    assert!(matches!(e, DomainError::Incompatible { with: Incompatible::Package { package }, .. } if package == p.a));

    // Someone who holds neither is not concerned.
    let other = w.user("Olga");
    w.request(&u(other), p.a);
    // Once the assignment has ended, the other package can be had.
    let aid = w.active(holder_a, p.a).map(|a| a.id).unwrap();
    w.run(&u(holder_a), Command::RemoveOwnAssignment { assignment: aid });
    w.request(&u(holder_a), p.b);
}

#[test]
fn a_member_of_an_incompatible_group_cannot_request_nor_be_assigned() {
    let mut w = World::new();
    let p = pair(&mut w);
    let auditor = w.user("Ann Auditor");
    w.direct(auditor, p.group, "Member");
    w.sys(Command::AddIncompatible { package: p.a, with: Incompatible::Group { group: p.group } });

    let e = w.refuse(&u(auditor), submit_cmd(p.a, None));
    assert!(matches!(e, DomainError::Incompatible { with: Incompatible::Group { group }, .. } if group == p.group));
    assert!(msg(&e).contains("Auditors"), "{e}");
    // Direct assignment by an assignment manager is refused the same way.
    let manager = w.user("Max Manager");
    let cat = w.t.packages[&p.a].catalog;
    w.grant_role(cat, manager, CatalogRole::AccessPackageAssignmentManager);
    let e = w.refuse(&u(manager), assign(p.a, p.pol_a, auditor));
    assert!(matches!(e, DomainError::Incompatible { .. }), "{e:?}");
    // B is not concerned, and neither is someone outside the group.
    w.request(&u(auditor), p.b);
    let other = w.user("Otto");
    w.run(&u(manager), assign(p.a, p.pol_a, other));
}

#[test]
fn direct_assignment_of_an_incompatible_package_is_refused() {
    let mut w = World::new();
    let p = pair(&mut w);
    let clerk = w.user("Clara");
    w.admin_assign(p.b, p.pol_b, clerk);
    w.sys(incompatible(p.a, p.b));
    let admin = u(w.admin);
    let e = w.refuse(&admin, assign(p.a, p.pol_a, clerk));
    assert!(matches!(e, DomainError::Incompatible { with: Incompatible::Package { package }, .. } if package == p.b));
    assert!(w.active(clerk, p.a).is_none());
}

#[test]
fn who_already_holds_both_shows_in_the_report_and_lint() {
    let mut w = World::new();
    let p = pair(&mut w);
    let both = w.user("Bea Both");
    let one = w.user("Oscar One");
    w.request(&u(both), p.a);
    w.request(&u(both), p.b);
    w.request(&u(one), p.a);
    assert!(w.t.incompatible_holders().is_empty());
    // Listed afterwards, both ways: the pair is reported once.
    w.sys(incompatible(p.a, p.b));
    w.sys(incompatible(p.b, p.a));
    let rows = w.t.incompatible_holders();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!((rows[0].user, rows[0].package), (both, p.a));
    assert_eq!(rows[0].with, Incompatible::Package { package: p.b });
    let lint: Vec<_> = w.t.lint().into_iter().filter(|f| f.code == "incompatible-held").collect();
    assert_eq!(lint.len(), 1, "{lint:?}");
    assert!(lint[0].message.contains("Bea Both"), "{lint:?}");
    // The administrator sees the row; a member without a catalog role may not read the report.
    assert_eq!(w.t.incompatible_visible(&u(w.admin)).map(|r| r.len()), Ok(1));
    assert!(w.t.incompatible_visible(&u(one)).is_err());
    // A group member holding the package shows too.
    w.direct(one, p.group, "Member");
    w.sys(Command::AddIncompatible { package: p.a, with: Incompatible::Group { group: p.group } });
    let rows = w.t.incompatible_holders();
    assert!(rows.iter().any(|c| c.user == one && c.with == Incompatible::Group { group: p.group }), "{rows:?}");
}

#[test]
fn incompatibilities_are_edited_by_package_managers_and_audited() {
    let mut w = World::new();
    let p = pair(&mut w);
    let reader = w.user("Rita Reader");
    let cat = w.t.packages[&p.a].catalog;
    w.grant_role(cat, reader, CatalogRole::Reader);
    let e = w.refuse(&u(reader), incompatible(p.a, p.b));
    assert_eq!(kind(&e), "Forbidden", "{e}");
    let pm = w.user("Paul Manager");
    w.grant_role(cat, pm, CatalogRole::AccessPackageManager);
    w.run(&u(pm), incompatible(p.a, p.b));
    assert!(w.t.packages[&p.a].incompatible_packages.contains(&p.b));
    let ev = w.t.audit.iter().find(|e| e.activity == "accessPackage.incompatibleAdded");
    let ev = ev.expect("an audit event");
    assert_eq!(ev.before.as_ref().and_then(|b| b["incompatiblePackages"].as_array().map(Vec::len)), Some(0));
    assert_eq!(ev.after.as_ref().and_then(|a| a["incompatiblePackages"].as_array().map(Vec::len)), Some(1));
    // Twice, itself, a non-group resource, or removing what is not listed: refused.
    assert_eq!(kind(&w.refuse(&u(pm), incompatible(p.a, p.b))), "Rule");
    assert_eq!(kind(&w.refuse(&u(pm), incompatible(p.a, p.a))), "Invalid");
    let app = w.app("Ledger");
    let e = w.refuse(&u(pm), Command::AddIncompatible { package: p.a, with: Incompatible::Group { group: app } });
    assert_eq!(kind(&e), "Invalid", "{e}");
    let e =
        w.refuse(&u(pm), Command::RemoveIncompatible { package: p.b, with: Incompatible::Package { package: p.a } });
    assert_eq!(kind(&e), "Rule", "{e}");
    // Both directions show on either package.
    let b = w.t.packages[&p.b].clone();
    assert_eq!(w.t.incompatibilities(&b), vec![Incompatible::Package { package: p.a }]);
}

#[test]
fn several_roles_of_one_application_in_one_package_are_allowed() {
    let mut w = World::new();
    let cat = w.catalog("Apps");
    let app = w.resource(ResourceSpec {
        display_name: "Ledger".into(),
        description: String::new(),
        kind: ResourceKind::Application,
        roles: vec!["User".into(), "Admin".into(), "Auditor".into()],
        owners: Default::default(),
    });
    w.add_to_catalog(cat, app);
    let pkg = w.package(cat, "Ledger power user");
    w.add_role(pkg, app, "User");
    w.add_role(pkg, app, "Admin");
    w.add_role(pkg, app, "Auditor");
    assert_eq!(w.t.packages[&pkg].resource_roles.len(), 3);
    w.policy(pkg, members_policy("Members"));
    let user = w.user("Rolf");
    w.request(&u(user), pkg);
    for role in ["User", "Admin", "Auditor"] {
        assert!(w.holds(user, app, role), "{role}");
    }
    // A group is still granted in one role.
    let team = w.team("Ledger Team");
    w.add_to_catalog(cat, team);
    w.add_role(pkg, team, "Member");
    let e = w.refuse(&Actor::System, Command::AddResourceRole { package: pkg, resource: team, role: "Owner".into() });
    assert_eq!(kind(&e), "Rule", "{e}");
}
