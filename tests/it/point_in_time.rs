//! Point in time in the domain, where the command line cannot reach: several changes in one
//! instant of a frozen clock (assignments delivered before and after a package's roles change),
//! a guest's direct membership ended by their removal from the directory, and the refusals.

use crate::common;

use common::*;
use entitle::domain::point_in_time::HeldRow;
use entitle::domain::*;

/// The present-day holders and the `--at` holders, as comparable rows.
fn holders_now(w: &World, res: ResourceId) -> Vec<report::AccessRow> {
    w.t.holders_visible(&u(w.admin), res).unwrap()
}

fn holders_at(w: &World, res: ResourceId, at: Time) -> Vec<report::AccessRow> {
    let report = w.t.holders_at_visible(&u(w.admin), res, at).unwrap();
    assert!(report.as_of.exact);
    report.rows.into_iter().map(|h: HeldRow| h.row).collect()
}

#[test]
fn changes_in_one_instant_are_put_in_their_order() {
    let mut w = World::new();
    let (ann, bob, cat) = (w.user("Ann"), w.user("Bob"), w.user("Cat"));
    let app = w.app("Books");
    let catalog = w.catalog("Finance");
    w.add_to_catalog(catalog, app);
    let pkg = w.package(catalog, "Books access");
    w.add_role(pkg, app, "User");
    let mut spec = members_policy("Direct");
    spec.scope = RequestScope::AdminOnly;
    let policy = w.policy(pkg, spec);
    let assign = |w: &mut World, user| {
        w.sys(Command::AdminAssign {
            package: pkg,
            policy,
            user,
            start: None,
            end: None,
            justification: String::new(),
        });
    };
    // All at t0: Ann is assigned (User), the package adds Admin (Ann gets it), Bob is assigned
    // (User and Admin), User is removed and revoked (Ann and Bob lose it), Cat is assigned (Admin).
    assign(&mut w, ann);
    w.add_role(pkg, app, "Admin");
    assign(&mut w, bob);
    w.sys(Command::RemoveResourceRole { package: pkg, resource: app, role: "User".into(), revoke_existing: true });
    assign(&mut w, cat);
    let at_t0 = holders_now(&w, app);
    let names: Vec<(&str, &str)> = at_t0.iter().map(|r| (r.user_name.as_str(), r.role.as_str())).collect();
    assert_eq!(names, [("Ann", "Admin"), ("Bob", "Admin"), ("Cat", "Admin")]);

    // A day on, Admin is removed for new assignees only; Dan, assigned then, gets nothing.
    w.advance(1);
    w.sys(Command::RemoveResourceRole { package: pkg, resource: app, role: "Admin".into(), revoke_existing: false });
    let dan = w.user("Dan");
    assign(&mut w, dan);
    let at_t1 = holders_now(&w, app);
    w.advance(1);
    w.sys(Command::AddDirectGrant { user: dan, resource: app, role: "User".into() });

    assert_eq!(holders_at(&w, app, t0()), at_t0);
    assert_eq!(holders_at(&w, app, t0() + days(1)), at_t1);
    assert_eq!(at_t1, at_t0, "Dan's assignment granted nothing");
    let dan_now = w.t.access_at_visible(&u(w.admin), dan, w.now()).unwrap();
    assert_eq!(
        dan_now.rows.iter().map(|h| h.row.via.clone()).collect::<Vec<_>>(),
        [vec![entitle::domain::report::Via::Direct]]
    );
}

#[test]
fn a_guests_direct_membership_ends_when_the_guest_leaves_the_directory() {
    let mut w = World::new();
    w.settings(|s| s.external_lifecycle = ExternalLifecycle::BlockThenRemove(0));
    w.org("Fabrikam", "fabrikam.com", &[]);
    let mut spec = PolicySpec::new("Outside", RequestScope::AllExternal);
    spec.lifecycle.expiration = Expiration::AfterDays(30);
    let lab = w.lab(spec);
    let r = w.request(&ext("alex@fabrikam.com", "Alex"), lab.package);
    let alex = w.asg_of(r).target;
    let wiki = w.team("Partner wiki");
    w.direct(alex, wiki, "Member");
    w.advance(31);
    assert!(w.t.user(alex).unwrap().deleted_at.is_some(), "removed with the last assignment");
    assert!(holders_now(&w, wiki).is_empty());

    let then = w.t.holders_at_visible(&u(w.admin), wiki, t0() + days(10)).unwrap();
    let row = then.rows.first().expect("Alex held it then");
    assert_eq!((row.row.user, row.since, row.until), (alex, t0(), Some(t0() + days(30))));
    assert!(holders_at(&w, wiki, t0() + days(30)).is_empty(), "gone with the guest");
}

#[test]
fn the_past_only_from_the_tenants_beginning() {
    let mut w = World::new();
    w.advance(3);
    let e = w.t.as_of(t0() + days(4)).unwrap_err();
    assert!(matches!(e, DomainError::Rule(_)) && e.to_string().contains("after the in-app clock"), "{e}");
    let e = w.t.as_of(t0() - days(1)).unwrap_err();
    assert!(matches!(e, DomainError::Rule(_)) && e.to_string().contains("before the tenant began"), "{e}");
    let ok = w.t.as_of(t0()).unwrap();
    assert!(ok.exact && ok.exact_from == t0());
}

#[test]
fn data_of_an_older_version_keeps_the_roles_its_assignments_still_hold() {
    let mut w = World::new();
    let ann = w.user("Ann");
    let lab = w.lab(members_policy("Members"));
    let req = w.request(&u(ann), lab.package);
    let asg = w.asg_of(req).id;
    // The package stops granting the team to new assignees; Ann keeps it. Then the data is taken
    // as an older version left it: no records.
    w.sys(Command::RemoveResourceRole {
        package: lab.package,
        resource: lab.team,
        role: "Member".into(),
        revoke_existing: false,
    });
    w.t.pit = entitle::domain::pit_log::PitLog::default();
    w.advance(1);
    // The first change recorded begins the records; a day later Ann's assignment is removed.
    let other = w.team("Other");
    w.direct(ann, other, "Member");
    let began = w.now();
    w.advance(1);
    w.sys(Command::AdminRemove { assignment: asg, reason: "done".into() });
    assert!(holders_now(&w, lab.team).is_empty());

    let then = w.t.holders_at_visible(&u(w.admin), lab.team, began).unwrap();
    assert!(then.as_of.exact && then.as_of.exact_from == began);
    let rows: Vec<_> = then.rows.iter().map(|h| (h.row.user, h.until)).collect();
    assert_eq!(rows, [(ann, Some(began + days(1)))], "held through the role its package had dropped");
    let before = w.t.holders_at_visible(&u(w.admin), lab.team, t0()).unwrap();
    assert!(!before.as_of.exact, "before the records began");
}
