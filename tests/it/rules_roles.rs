//! Who may do what (DOMAIN.md's roles table): catalog creators, owners, package and assignment
//! managers, readers, and what only a global administrator may change.

use crate::common;

use std::collections::BTreeSet;

use common::*;
use entitle::domain::*;

// ----- who may do what -----

#[test]
fn a_catalog_creator_creates_catalogs_and_owns_each_it_creates() {
    let mut w = World::new();
    let carl = w.user("Carl Creator");
    let nina = w.user("Nina Nobody");
    let spec =
        CatalogSpec { display_name: "Nina's".into(), description: String::new(), enabled: true, external: false };
    assert_eq!(kind(&w.refuse(&u(carl), Command::CreateCatalog { spec: spec.clone() })), "Forbidden");
    w.settings(|s| {
        s.catalog_creators.insert(carl);
    });
    let cat = w.catalog_as(&u(carl), "Carl's");
    assert_eq!(w.t.catalog_roles(carl, cat), vec![CatalogRole::Owner]);
    assert!(w.t.catalog_roles(carl, w.general).is_empty(), "owner only of what it creates");
    // As owner Carl can edit it, manage its roles and create packages in it.
    w.run(&u(carl), Command::GrantCatalogRole { catalog: cat, user: nina, role: CatalogRole::Reader });
    w.run(&u(carl), Command::CreatePackage { catalog: cat, spec: pkg_spec("Carl's package") });
    // But not in another catalog.
    let general = w.general;
    let e = w.refuse(&u(carl), Command::CreatePackage { catalog: general, spec: pkg_spec("Nope") });
    assert_eq!(kind(&e), "Forbidden");
    // Nina, not a creator, cannot create catalogs.
    assert_eq!(kind(&w.refuse(&u(nina), Command::CreateCatalog { spec })), "Forbidden");
}

#[test]
fn an_access_package_manager_manages_packages_but_cannot_add_resources_or_roles() {
    let mut w = World::new();
    let pm = w.user("Pat Manager");
    let lab = w.lab(members_policy("Standard"));
    w.grant_role(lab.catalog, pm, CatalogRole::AccessPackageManager);
    let mine = w.group_owned("Pat's group", &[pm]);

    let pkg = id_of(&w.run(&u(pm), Command::CreatePackage { catalog: lab.catalog, spec: pkg_spec("Pat's") }));
    w.run(&u(pm), Command::AddResourceRole { package: pkg, resource: lab.team, role: "Owner".into() });
    let pol: PolicyId = id_of(&w.run(&u(pm), Command::CreatePolicy { package: pkg, spec: members_policy("P") }));
    w.run(&u(pm), Command::UpdatePackage { package: pkg, spec: pkg_spec("Pat's renamed") });
    let mut spec = members_policy("P2");
    spec.lifecycle.expiration = Expiration::AfterDays(10);
    w.run(&u(pm), Command::UpdatePolicy { policy: pol, spec });

    let e = w.refuse(&u(pm), Command::AddCatalogResource { catalog: lab.catalog, resource: mine });
    assert_eq!(kind(&e), "Forbidden");
    let e = w.refuse(&u(pm), Command::GrantCatalogRole { catalog: lab.catalog, user: pm, role: CatalogRole::Owner });
    assert_eq!(kind(&e), "Forbidden");
    let spec = CatalogSpec { display_name: "Lab".into(), description: "x".into(), enabled: false, external: false };
    assert_eq!(kind(&w.refuse(&u(pm), Command::UpdateCatalog { catalog: lab.catalog, spec })), "Forbidden");
    // Nothing in another catalog.
    let general = w.general;
    let e = w.refuse(&u(pm), Command::CreatePackage { catalog: general, spec: pkg_spec("Elsewhere") });
    assert_eq!(kind(&e), "Forbidden");
}

#[test]
fn an_assignment_manager_assigns_and_removes_but_cannot_edit_packages() {
    let mut w = World::new();
    let am = w.user("Ann Assigner");
    let amy = w.user("Amy");
    let bob = w.user("Bob");
    let lab = w.lab(members_policy("Standard"));
    w.grant_role(lab.catalog, am, CatalogRole::AccessPackageAssignmentManager);

    let r: RequestId = id_of(&w.run(
        &u(am),
        Command::AdminAssign {
            package: lab.package,
            policy: lab.policy,
            user: amy,
            start: None,
            end: None,
            justification: "joins the lab".into(),
        },
    ));
    assert_eq!(w.req(r).request_type, RequestType::AdminAdd);
    assert!(w.holds(amy, lab.team, "Member"));
    let aid = w.asg_of(r).id;
    w.run(&u(am), Command::AdminRemove { assignment: aid, reason: "left".into() });
    assert!(!w.holds(amy, lab.team, "Member"));
    // Bob's pending request can be canceled by the assignment manager.
    w.update_policy(lab.policy, |s| s.stages = vec![stage(vec![by(amy)])]);
    let rb = w.request(&u(bob), lab.package);
    w.run(&u(am), Command::CancelRequest { request: rb });

    for cmd in [
        Command::CreatePackage { catalog: lab.catalog, spec: pkg_spec("Nope") },
        Command::UpdatePackage { package: lab.package, spec: pkg_spec("Nope") },
        Command::DeletePackage { package: lab.package },
        Command::AddResourceRole { package: lab.package, resource: lab.team, role: "Owner".into() },
        Command::CreatePolicy { package: lab.package, spec: members_policy("Nope") },
        Command::DeletePolicy { policy: lab.policy },
    ] {
        assert_eq!(kind(&w.refuse(&u(am), cmd)), "Forbidden");
    }
}

#[test]
fn a_catalog_reader_can_do_nothing() {
    let mut w = World::new();
    let reader = w.user("Rita Reader");
    let amy = w.user("Amy");
    let lab = w.lab(members_policy("Standard"));
    w.grant_role(lab.catalog, reader, CatalogRole::Reader);
    let r = w.request(&u(amy), lab.package);
    let aid = w.asg_of(r).id;
    let owned = w.group_owned("Rita's", &[reader]);
    let spec = CatalogSpec { display_name: "Lab".into(), description: "x".into(), enabled: true, external: true };
    for cmd in [
        Command::UpdateCatalog { catalog: lab.catalog, spec },
        Command::DeleteCatalog { catalog: lab.catalog },
        Command::AddCatalogResource { catalog: lab.catalog, resource: owned },
        Command::GrantCatalogRole { catalog: lab.catalog, user: amy, role: CatalogRole::Reader },
        Command::CreatePackage { catalog: lab.catalog, spec: pkg_spec("Nope") },
        Command::UpdatePackage { package: lab.package, spec: pkg_spec("Nope") },
        Command::CreatePolicy { package: lab.package, spec: members_policy("Nope") },
        Command::AdminAssign {
            package: lab.package,
            policy: lab.policy,
            user: reader,
            start: None,
            end: None,
            justification: String::new(),
        },
        Command::AdminRemove { assignment: aid, reason: String::new() },
    ] {
        assert_eq!(kind(&w.refuse(&u(reader), cmd)), "Forbidden");
    }
    assert!(w.t.can_read_catalog(&u(reader), lab.catalog));
    assert!(!w.t.can_read_catalog(&u(amy), lab.catalog));
}

#[test]
fn a_catalog_owner_manages_role_holders_but_the_last_owner_stays() {
    let mut w = World::new();
    let carl = w.user("Carl");
    let dora = w.user("Dora");
    w.settings(|s| {
        s.catalog_creators.insert(carl);
    });
    let cat = w.catalog_as(&u(carl), "Carl's");
    let e = w.refuse(&u(carl), Command::RevokeCatalogRole { catalog: cat, user: carl, role: CatalogRole::Owner });
    assert_eq!(kind(&e), "Rule");
    w.run(&u(carl), Command::GrantCatalogRole { catalog: cat, user: dora, role: CatalogRole::Owner });
    w.run(&u(carl), Command::RevokeCatalogRole { catalog: cat, user: carl, role: CatalogRole::Owner });
    assert!(w.t.catalog_roles(carl, cat).is_empty());
    let e = w.refuse(&u(carl), Command::DeleteCatalog { catalog: cat });
    assert_eq!(kind(&e), "Forbidden");
    w.run(&u(dora), Command::DeleteCatalog { catalog: cat });
}

#[test]
fn only_a_global_administrator_changes_settings_orgs_directory_and_the_clock() {
    let mut w = World::new();
    let mia = w.user("Mia");
    let owner = w.user("Olivia");
    let lab = w.lab(members_policy("Standard"));
    w.grant_role(lab.catalog, owner, CatalogRole::Owner);
    let later = w.now() + days(10);
    for actor in [u(mia), u(owner)] {
        let mut s = w.t.settings.clone();
        s.limits.packages_per_catalog = 1;
        for cmd in [
            Command::UpdateSettings { settings: s },
            Command::AdvanceClock { seconds: 3600 },
            Command::SetClock { to: later },
            Command::FreezeClock { frozen: false, wall: later },
            Command::CreateUser { spec: member_spec("Eve", None) },
            Command::CreateOrg {
                spec: OrgSpec {
                    display_name: "Fabrikam".into(),
                    description: String::new(),
                    domains: vec!["fabrikam.com".into()],
                    tenant_id: None,
                    state: OrgState::Configured,
                    internal_sponsors: BTreeSet::new(),
                    external_sponsors: BTreeSet::new(),
                },
            },
            Command::AddDirectGrant { user: mia, resource: lab.team, role: "Member".into() },
        ] {
            assert_eq!(kind(&w.refuse(&actor, cmd)), "Forbidden");
        }
    }
    // A global administrator who is a user (not only the system) may.
    let admin = u(w.admin);
    w.run(&admin, Command::AdvanceClock { seconds: 3600 });
    assert_eq!(w.now(), t0() + chrono::Duration::hours(1));
}

#[test]
fn a_non_admin_cannot_move_the_clock_with_a_tick() {
    let mut w = World::new();
    let mia = w.user("Mia");
    let at = w.now() + days(400);
    let r = w.t.apply(&Entry { at, actor: u(mia), command: Command::Tick });
    assert!(matches!(r, Err(DomainError::Forbidden(_))), "{r:?}");
    assert_eq!(w.now(), t0());
}
