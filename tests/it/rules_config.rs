//! Configuration rules of DOMAIN.md: catalogs and their resources, limits, who can request,
//! approval, lifecycle, policy changes, resource roles, deletion (the roles table is in
//! `rules_roles.rs`).

use crate::common;

use std::collections::BTreeSet;

use common::*;
use entitle::domain::*;

// ----- a resource must be in the package's catalog -----

#[test]
fn resource_must_be_in_the_packages_catalog_before_a_package_uses_it() {
    let mut w = World::new();
    let cat = w.catalog("Finance");
    let other = w.catalog("Engineering");
    let ledger = w.app("Ledger");
    let pkg = w.package(cat, "Ledger users");
    // In another catalog does not count.
    w.add_to_catalog(other, ledger);

    let e = w.refuse(&sys(), Command::AddResourceRole { package: pkg, resource: ledger, role: "User".into() });
    assert_eq!(kind(&e), "Rule");
    assert!(msg(&e).contains("Ledger") && msg(&e).contains("Finance"), "names resource and catalog: {e}");
    assert!(w.t.package(pkg).unwrap().resource_roles.is_empty());

    w.add_to_catalog(cat, ledger);
    w.add_role(pkg, ledger, "User");
    assert_eq!(w.t.package(pkg).unwrap().resource_roles, vec![ResourceRole { resource: ledger, role: "User".into() }]);
}

#[test]
fn a_resource_role_must_exist_on_the_resource() {
    let mut w = World::new();
    let cat = w.catalog("Finance");
    let ledger = w.app("Ledger");
    w.add_to_catalog(cat, ledger);
    let pkg = w.package(cat, "Ledger users");
    let e = w.refuse(&sys(), Command::AddResourceRole { package: pkg, resource: ledger, role: "Visitor".into() });
    assert_eq!(kind(&e), "Invalid");
}

#[test]
fn adding_a_resource_to_a_catalog_needs_catalog_owner_and_resource_owner_or_admin() {
    let mut w = World::new();
    let owner = w.user("Olivia Owner");
    let manager = w.user("Pat Manager");
    let cat = w.catalog("Finance");
    w.grant_role(cat, owner, CatalogRole::Owner);
    w.grant_role(cat, manager, CatalogRole::AccessPackageManager);
    let owned = w.group_owned("Olivia's group", &[owner, manager]);
    let foreign = w.group_owned("Someone else's group", &[]);

    // A catalog owner cannot add a resource they do not own.
    let e = w.refuse(&u(owner), Command::AddCatalogResource { catalog: cat, resource: foreign });
    assert_eq!(kind(&e), "Forbidden");
    // A package manager cannot add resources at all, even one they own.
    let e = w.refuse(&u(manager), Command::AddCatalogResource { catalog: cat, resource: owned });
    assert_eq!(kind(&e), "Forbidden");
    // A resource owner without a catalog role cannot either.
    let other_cat = w.catalog("Other");
    let e = w.refuse(&u(owner), Command::AddCatalogResource { catalog: other_cat, resource: owned });
    assert_eq!(kind(&e), "Forbidden");

    // Catalog owner + resource owner: yes.
    w.run(&u(owner), Command::AddCatalogResource { catalog: cat, resource: owned });
    // The administrator: yes, without owning the resource.
    w.run(&u(w.admin), Command::AddCatalogResource { catalog: cat, resource: foreign });
    let res = &w.t.catalog(cat).unwrap().resources;
    assert!(res.contains(&owned) && res.contains(&foreign));
}

// ----- limits -----

#[test]
fn default_limits_are_30_packages_30_resource_roles_30_policies_200_connected_orgs() {
    let w = World::new();
    let l = &w.t.settings.limits;
    assert_eq!(
        (l.packages_per_catalog, l.resource_roles_per_package, l.policies_per_package, l.connected_organizations),
        (30, 30, 30, 200)
    );
    assert_eq!(Settings::default().limits, *l);
}

#[test]
fn limit_packages_per_catalog() {
    let mut w = World::new();
    w.settings(|s| s.limits.packages_per_catalog = 2);
    let cat = w.catalog("Small");
    w.package(cat, "One");
    w.package(cat, "Two");
    let e = w.refuse(&sys(), Command::CreatePackage { catalog: cat, spec: pkg_spec("Three") });
    assert_eq!(kind(&e), "Limit");
    assert!(msg(&e).contains('2'), "{e}");
    // Another catalog has its own count.
    let other = w.catalog("Other");
    w.package(other, "Three");
}

#[test]
fn limit_resource_roles_per_package() {
    let mut w = World::new();
    w.settings(|s| s.limits.resource_roles_per_package = 2);
    let cat = w.catalog("Small");
    let pkg = w.package(cat, "Bundle");
    let mut res = vec![];
    for n in ["A", "B", "C"] {
        let r = w.team(n);
        w.add_to_catalog(cat, r);
        res.push(r);
    }
    w.add_role(pkg, res[0], "Member");
    w.add_role(pkg, res[1], "Member");
    let e = w.refuse(&sys(), Command::AddResourceRole { package: pkg, resource: res[2], role: "Member".into() });
    assert_eq!(kind(&e), "Limit");
}

#[test]
fn limit_policies_per_package() {
    let mut w = World::new();
    w.settings(|s| s.limits.policies_per_package = 2);
    let cat = w.catalog("Small");
    let pkg = w.package(cat, "Bundle");
    w.policy(pkg, members_policy("One"));
    w.policy(pkg, members_policy("Two"));
    let e = w.refuse(&sys(), Command::CreatePolicy { package: pkg, spec: members_policy("Three") });
    assert_eq!(kind(&e), "Limit");
}

#[test]
fn limit_connected_organizations() {
    let mut w = World::new();
    w.settings(|s| s.limits.connected_organizations = 2);
    w.org("Fabrikam", "fabrikam.com", &[]);
    w.org("Tailspin", "tailspin.com", &[]);
    let spec = OrgSpec {
        display_name: "Woodgrove".into(),
        description: String::new(),
        domains: vec!["woodgrove.com".into()],
        tenant_id: None,
        state: OrgState::Configured,
        internal_sponsors: BTreeSet::new(),
        external_sponsors: BTreeSet::new(),
    };
    let e = w.refuse(&sys(), Command::CreateOrg { spec });
    assert_eq!(kind(&e), "Limit");
}

// ----- who can request -----

fn scope_world(scope: RequestScope) -> (World, Lab) {
    let mut w = World::new();
    let lab = w.lab(PolicySpec::new("P", scope));
    (w, lab)
}

#[test]
fn who_can_request_specific_users_and_groups_including_group_members() {
    let mut w = World::new();
    let named = w.user("Named");
    let direct_member = w.user("Direct Member");
    let pkg_member = w.user("Package Member");
    let outsider = w.user("Outsider");
    let staff = w.group_owned("Staff", &[]);
    w.direct(direct_member, staff, "Member");
    // Membership of the group through another package counts too.
    let hr = w.catalog("HR");
    w.add_to_catalog(hr, staff);
    let onboarding = w.package(hr, "Onboarding");
    w.add_role(onboarding, staff, "Member");
    let hr_pol = w.policy(onboarding, PolicySpec::new("Admin", RequestScope::AdminOnly));
    w.admin_assign(onboarding, hr_pol, pkg_member);

    let scope = RequestScope::SpecificUsers { users: [named].into(), groups: [staff].into() };
    let lab = w.lab(PolicySpec::new("Specific", scope));
    for who in [named, direct_member, pkg_member] {
        assert_eq!(w.my_access(&u(who)), vec![lab.package], "{who} sees it");
        w.request(&u(who), lab.package);
        assert!(w.active(who, lab.package).is_some());
    }
    assert!(w.my_access(&u(outsider)).is_empty());
    let e = w.refuse(&u(outsider), submit_cmd(lab.package, None));
    assert_eq!(kind(&e), "Rule");
    let e = w.refuse(&u(outsider), submit_cmd(lab.package, Some(lab.policy)));
    assert!(msg(&e).contains("does not include you"), "{e}");
}

#[test]
fn who_can_request_all_members_excludes_guests() {
    let (mut w, lab) = scope_world(RequestScope::AllMembers);
    let org = w.org("Fabrikam", "fabrikam.com", &[]);
    let member = w.user("Mia");
    let guest = w.guest("Gus", "gus@fabrikam.com", Some(org));
    assert_eq!(w.my_access(&u(member)), vec![lab.package]);
    assert!(w.my_access(&u(guest)).is_empty());
    w.refuse(&u(guest), submit_cmd(lab.package, None));
    w.refuse(&ext("new@fabrikam.com", "New"), submit_cmd(lab.package, None));
    w.request(&u(member), lab.package);
}

#[test]
fn who_can_request_all_directory_users_includes_guests_but_not_new_externals() {
    let (mut w, lab) = scope_world(RequestScope::AllDirectoryUsers);
    let org = w.org("Fabrikam", "fabrikam.com", &[]);
    let member = w.user("Mia");
    let guest = w.guest("Gus", "gus@fabrikam.com", Some(org));
    w.request(&u(member), lab.package);
    w.request(&u(guest), lab.package);
    // Someone not in the directory is not a directory user.
    let e = w.refuse(&ext("new@fabrikam.com", "New"), submit_cmd(lab.package, None));
    assert_eq!(kind(&e), "Rule");
}

#[test]
fn who_can_request_specific_connected_organizations() {
    let mut w = World::new();
    let fabrikam = w.org("Fabrikam", "fabrikam.com", &[]);
    let tailspin = w.org("Tailspin", "tailspin.com", &[]);
    let lab = w.lab(PolicySpec::new("Partners", RequestScope::SpecificOrgs { orgs: [fabrikam].into() }));
    let member = w.user("Mia");
    let fab_guest = w.guest("Gus", "gus@fabrikam.com", Some(fabrikam));
    let tail_guest = w.guest("Tia", "tia@tailspin.com", Some(tailspin));

    assert_eq!(w.my_access(&u(fab_guest)), vec![lab.package]);
    assert_eq!(w.my_access(&ext("newbie@fabrikam.com", "Newbie")), vec![lab.package]);
    assert!(w.my_access(&u(tail_guest)).is_empty());
    assert!(w.my_access(&ext("x@tailspin.com", "X")).is_empty());
    assert!(w.my_access(&u(member)).is_empty());
    w.refuse(&u(member), submit_cmd(lab.package, None));
    w.refuse(&u(tail_guest), submit_cmd(lab.package, None));
    w.request(&u(fab_guest), lab.package);
    w.request(&ext("newbie@fabrikam.com", "Newbie"), lab.package);
}

#[test]
fn who_can_request_all_configured_orgs_excludes_proposed_orgs() {
    let mut w = World::new();
    w.org("Fabrikam", "fabrikam.com", &[]);
    w.org_spec(OrgSpec {
        display_name: "Proposed Ltd".into(),
        description: String::new(),
        domains: vec!["proposed.com".into()],
        tenant_id: None,
        state: OrgState::Proposed,
        internal_sponsors: BTreeSet::new(),
        external_sponsors: BTreeSet::new(),
    });
    let lab = w.lab(PolicySpec::new("Configured", RequestScope::AllConfiguredOrgs));
    assert_eq!(w.my_access(&ext("a@fabrikam.com", "A")), vec![lab.package]);
    assert!(w.my_access(&ext("b@proposed.com", "B")).is_empty());
    assert!(w.my_access(&ext("c@unknown.org", "C")).is_empty());
    w.request(&ext("a@fabrikam.com", "A"), lab.package);
    w.refuse(&ext("b@proposed.com", "B"), submit_cmd(lab.package, None));
    w.refuse(&ext("c@unknown.org", "C"), submit_cmd(lab.package, None));
    let member = w.user("Mia");
    w.refuse(&u(member), submit_cmd(lab.package, None));
}

#[test]
fn who_can_request_all_external_includes_new_users_from_anywhere() {
    let mut w = World::new();
    w.org("Fabrikam", "fabrikam.com", &[]);
    let lab = w.lab(PolicySpec::new("Anyone outside", RequestScope::AllExternal));
    let member = w.user("Mia");
    w.request(&ext("a@fabrikam.com", "A"), lab.package);
    let r = w.request(&ext("c@unknown.org", "C"), lab.package);
    assert_eq!(w.state(r), RequestState::Delivered);
    let guest = w.t.user_by_email("c@unknown.org").unwrap();
    assert!(guest.is_guest() && guest.home_org.is_none());
    w.refuse(&u(member), submit_cmd(lab.package, None));
}

#[test]
fn who_can_request_none_means_administrator_direct_assignment_only() {
    let (mut w, lab) = scope_world(RequestScope::AdminOnly);
    let mia = w.user("Mia");
    assert!(w.my_access(&u(mia)).is_empty());
    let e = w.refuse(&u(mia), submit_cmd(lab.package, None));
    assert_eq!(kind(&e), "Rule");
    w.admin_assign(lab.package, lab.policy, mia);
    assert!(w.holds(mia, lab.team, "Member"));
    // Such a policy cannot have approval.
    let mut spec = PolicySpec::new("Admin with approval", RequestScope::AdminOnly);
    spec.stages = vec![stage(vec![by(w.admin)])];
    assert_eq!(kind(&w.refuse(&sys(), Command::CreatePolicy { package: lab.package, spec })), "Invalid");
}

// ----- approval settings -----

#[test]
fn approval_has_zero_to_three_stages_four_refused() {
    let mut w = World::new();
    let a = w.user("Approver");
    let lab = w.lab(members_policy("Base"));
    for n in 0..=3 {
        let mut spec = members_policy(&format!("{n} stages"));
        spec.stages = (0..n).map(|_| stage(vec![by(a)])).collect();
        w.run(&sys(), Command::CreatePolicy { package: lab.package, spec });
    }
    let mut spec = members_policy("4 stages");
    spec.stages = (0..4).map(|_| stage(vec![by(a)])).collect();
    let e = w.refuse(&sys(), Command::CreatePolicy { package: lab.package, spec: spec.clone() });
    assert_eq!(kind(&e), "Invalid");
    // Nor by editing an existing policy.
    assert_eq!(kind(&w.refuse(&sys(), Command::UpdatePolicy { policy: lab.policy, spec })), "Invalid");
    // A stage needs approvers.
    let mut spec = members_policy("Empty stage");
    spec.stages = vec![stage(vec![])];
    assert_eq!(kind(&w.refuse(&sys(), Command::CreatePolicy { package: lab.package, spec })), "Invalid");
}

#[test]
fn approval_timeout_is_1_to_30_days_default_14() {
    let mut w = World::new();
    let a = w.user("Approver");
    let lab = w.lab(members_policy("Base"));
    for days in [1, 30] {
        let mut spec = members_policy(&format!("{days} days"));
        let mut st = stage(vec![by(a)]);
        st.timeout_days = days;
        spec.stages = vec![st];
        w.run(&sys(), Command::CreatePolicy { package: lab.package, spec });
    }
    for days in [0, 31] {
        let mut spec = members_policy(&format!("{days} days"));
        let mut st = stage(vec![by(a)]);
        st.timeout_days = days;
        spec.stages = vec![st];
        let e = w.refuse(&sys(), Command::CreatePolicy { package: lab.package, spec });
        assert_eq!(kind(&e), "Invalid", "{days} days");
    }
    assert_eq!(stage(vec![by(a)]).timeout_days, 14);
    // A stage written without a timeout (an old or hand-edited file) gets 14 days.
    let json = format!(r#"{{"approvers":[{{"type":"user","user":{}}}]}}"#, a.0);
    let st: ApprovalStage = serde_json::from_str(&json).unwrap();
    assert_eq!(st.timeout_days, 14);
    assert!(st.justification_required);
}

#[test]
fn manager_as_approver_requires_a_fallback_approver() {
    let mut w = World::new();
    let fb = w.user("Fallback");
    let lab = w.lab(members_policy("Base"));
    let mut spec = members_policy("Manager");
    spec.stages = vec![stage(vec![Approver::Manager])];
    let e = w.refuse(&sys(), Command::CreatePolicy { package: lab.package, spec: spec.clone() });
    assert_eq!(kind(&e), "Invalid");
    assert!(msg(&e).contains("fallback"), "{e}");
    spec.stages[0].fallback = vec![by(fb)];
    w.run(&sys(), Command::CreatePolicy { package: lab.package, spec });
}

#[test]
fn escalation_happens_after_1_day_and_before_the_timeout_to_named_alternates() {
    let mut w = World::new();
    let a = w.user("Approver");
    let alt = w.user("Alternate");
    let lab = w.lab(members_policy("Base"));
    let make = |after: u32, alternates: Vec<Approver>| {
        let mut st = stage(vec![by(a)]);
        st.timeout_days = 10;
        st.escalation = Some(Escalation { after_days: after, alternates });
        let mut spec = members_policy(&format!("esc {after}"));
        spec.stages = vec![st];
        spec
    };
    for bad in [make(0, vec![by(alt)]), make(10, vec![by(alt)]), make(11, vec![by(alt)]), make(5, vec![])] {
        let e = w.refuse(&sys(), Command::CreatePolicy { package: lab.package, spec: bad });
        assert_eq!(kind(&e), "Invalid");
    }
    w.run(&sys(), Command::CreatePolicy { package: lab.package, spec: make(1, vec![by(alt)]) });
    w.run(&sys(), Command::CreatePolicy { package: lab.package, spec: make(9, vec![by(alt)]) });
}

// ----- lifecycle settings -----

#[test]
fn lifecycle_expires_after_0_to_3650_days_hours_a_date_or_never() {
    let mut w = World::new();
    let lab = w.lab(members_policy("Base"));
    let date = t0() + days(45);
    let cases = [
        (Expiration::AfterDays(3650), Some(t0() + days(3650))),
        (Expiration::AfterDays(1), Some(t0() + days(1))),
        (Expiration::AfterDays(0), None),
        (Expiration::AfterHours(8), Some(t0() + chrono::Duration::hours(8))),
        (Expiration::OnDate(date), Some(date)),
        (Expiration::Never, None),
    ];
    for (i, (exp, end)) in cases.into_iter().enumerate() {
        let mut spec = members_policy(&format!("case {i}"));
        spec.lifecycle.expiration = exp;
        let pol = w.policy(lab.package, spec);
        let user = w.user(&format!("User {i}"));
        let r = w.request_via(&u(user), lab.package, pol);
        assert_eq!(w.asg_of(r).end, end, "{exp:?}");
    }
    for bad in [Expiration::AfterDays(3651), Expiration::AfterHours(0)] {
        let mut spec = members_policy("bad");
        spec.lifecycle.expiration = bad;
        let e = w.refuse(&sys(), Command::CreatePolicy { package: lab.package, spec });
        assert_eq!(kind(&e), "Invalid", "{bad:?}");
    }
    assert_eq!(Lifecycle::default().expiration, Expiration::AfterDays(365));
    assert!(members_policy("x").justification_required, "justification required by default");
}

// ----- changing a policy -----

#[test]
fn changing_a_policy_affects_only_new_requests() {
    let mut w = World::new();
    let mut spec = members_policy("Standard");
    spec.lifecycle.expiration = Expiration::AfterDays(90);
    spec.lifecycle.allow_extension = true;
    let lab = w.lab(spec);
    let old = w.user("Old Timer");
    let newbie = w.user("Newbie");
    let r_old = w.request(&u(old), lab.package);
    let old_asg = w.asg_of(r_old).clone();

    w.update_policy(lab.policy, |s| {
        s.lifecycle.expiration = Expiration::AfterDays(30);
        s.lifecycle.allow_extension = false;
        s.lifecycle.allow_self_removal = false;
    });
    let a = w.asg(old_asg.id);
    assert_eq!(a.end, Some(t0() + days(90)), "existing assignment keeps its end");
    assert_eq!(w.t.lifecycle_of(a), w.t.lifecycle_of(&old_asg), "and its terms");
    assert_ne!(w.t.lifecycle_of(a).expiration, Expiration::AfterDays(30), "its revision's, not the policy's new ones");

    let r_new = w.request(&u(newbie), lab.package);
    assert_eq!(w.asg_of(r_new).end, Some(t0() + days(30)));
    assert!(!w.t.lifecycle_of(w.asg_of(r_new)).allow_extension);

    let new_asg = w.asg_of(r_new).id;
    let e = w.refuse(&u(newbie), Command::RemoveOwnAssignment { assignment: new_asg });
    assert!(msg(&e).contains("remove their own"), "{e}");

    // The old assignment outlives the new 30-day term and can still be extended and removed under its own terms.
    w.advance(80);
    assert!(w.active(newbie, lab.package).is_none(), "the new one expired after 30 days");
    assert!(w.asg(old_asg.id).is_active());
    w.run(&u(old), Command::RequestExtension { assignment: old_asg.id, justification: "still busy".into() });
    assert_eq!(w.asg(old_asg.id).end, Some(t0() + days(80 + 90)));
    w.run(&u(old), Command::RemoveOwnAssignment { assignment: old_asg.id });
}

// ----- resource roles on a package with assignees -----

#[test]
fn adding_a_resource_role_grants_it_to_every_current_assignee() {
    let mut w = World::new();
    let lab = w.lab(members_policy("Standard"));
    let (amy, bob, cal) = (w.user("Amy"), w.user("Bob"), w.user("Cal"));
    w.request(&u(amy), lab.package);
    let rb = w.request(&u(bob), lab.package);
    w.request(&u(cal), lab.package);
    w.run(&u(cal), Command::RemoveOwnAssignment { assignment: w.active(cal, lab.package).unwrap().id });

    let wiki = w.site("Wiki");
    w.add_to_catalog(lab.catalog, wiki);
    w.add_role(lab.package, wiki, "Visitor");
    assert!(w.holds(amy, wiki, "Visitor") && w.holds(bob, wiki, "Visitor"));
    assert!(!w.holds(cal, wiki, "Visitor"), "a removed assignment gets nothing new");
    let aid = w.asg_of(rb).id;
    assert_eq!(w.sources(bob, wiki, "Visitor"), [GrantSource::Assignment { assignment: aid }].into());
    // And when the assignment ends, the new role goes with it.
    w.run(&sys(), Command::AdminRemove { assignment: aid, reason: String::new() });
    assert!(!w.holds(bob, wiki, "Visitor"));
}

#[test]
fn removing_a_resource_role_leaves_existing_grants_unless_revoke_existing() {
    let mut w = World::new();
    let lab = w.lab(members_policy("Standard"));
    let wiki = w.site("Wiki");
    w.add_to_catalog(lab.catalog, wiki);
    w.add_role(lab.package, wiki, "Visitor");
    let (amy, bob) = (w.user("Amy"), w.user("Bob"));
    w.request(&u(amy), lab.package);

    w.sys(Command::RemoveResourceRole {
        package: lab.package,
        resource: lab.team,
        role: "Member".into(),
        revoke_existing: false,
    });
    assert!(w.holds(amy, lab.team, "Member"), "existing grant stays");
    w.request(&u(bob), lab.package);
    assert!(!w.holds(bob, lab.team, "Member"), "new assignees do not get it");
    assert!(w.holds(bob, wiki, "Visitor"));

    w.sys(Command::RemoveResourceRole {
        package: lab.package,
        resource: wiki,
        role: "Visitor".into(),
        revoke_existing: true,
    });
    assert!(!w.holds(amy, wiki, "Visitor") && !w.holds(bob, wiki, "Visitor"), "revoked from current assignees");
    assert!(w.holds(amy, lab.team, "Member"), "the other role is untouched");
    // Amy's kept grant still ends with her assignment.
    w.run(&u(amy), Command::RemoveOwnAssignment { assignment: w.active(amy, lab.package).unwrap().id });
    assert!(!w.holds(amy, lab.team, "Member"));
}

#[test]
fn revoking_a_removed_resource_role_keeps_access_from_other_sources() {
    let mut w = World::new();
    let lab = w.lab(members_policy("Standard"));
    let amy = w.user("Amy");
    w.direct(amy, lab.team, "Member");
    w.request(&u(amy), lab.package);
    w.sys(Command::RemoveResourceRole {
        package: lab.package,
        resource: lab.team,
        role: "Member".into(),
        revoke_existing: true,
    });
    assert_eq!(w.sources(amy, lab.team, "Member"), [GrantSource::Direct].into());
}

// ----- deleting packages and catalogs -----

#[test]
fn deleting_a_package_stops_new_requests_hides_it_and_lets_assignments_run_to_their_end() {
    let mut w = World::new();
    let mut spec = members_policy("Standard");
    spec.lifecycle.expiration = Expiration::AfterDays(30);
    let lab = w.lab(spec);
    let (amy, bob) = (w.user("Amy"), w.user("Bob"));
    w.request(&u(amy), lab.package);
    assert_eq!(w.my_access(&u(bob)), vec![lab.package]);

    w.sys(Command::DeletePackage { package: lab.package });
    assert!(w.my_access(&u(bob)).is_empty(), "hidden from My Access");
    let e = w.refuse(&u(bob), submit_cmd(lab.package, None));
    assert!(msg(&e).contains("deleted"), "{e}");
    w.refuse(
        &sys(),
        Command::AdminAssign {
            package: lab.package,
            policy: lab.policy,
            user: bob,
            start: None,
            end: None,
            justification: String::new(),
        },
    );
    w.refuse(&sys(), Command::UpdatePackage { package: lab.package, spec: pkg_spec("Renamed") });

    assert!(w.holds(amy, lab.team, "Member"), "existing assignment keeps its access");
    w.advance(29);
    assert!(w.holds(amy, lab.team, "Member"));
    w.advance(1);
    assert!(!w.holds(amy, lab.team, "Member"), "and it expires at its end");
    // A deleted package no longer counts against the catalog's limit nor blocks the name.
    w.package(lab.catalog, "Lab Access");
}

#[test]
fn a_catalog_can_be_deleted_only_when_it_holds_no_packages() {
    let mut w = World::new();
    let cat = w.catalog("Temp");
    let pkg = w.package(cat, "Only");
    let e = w.refuse(&sys(), Command::DeleteCatalog { catalog: cat });
    assert_eq!(kind(&e), "Rule");
    w.sys(Command::DeletePackage { package: pkg });
    w.sys(Command::DeleteCatalog { catalog: cat });
    assert!(w.t.catalog(cat).is_err());
    // The built-in General catalog stays.
    let general = w.general;
    assert_eq!(kind(&w.refuse(&sys(), Command::DeleteCatalog { catalog: general })), "Rule");
}

#[test]
fn changing_a_policys_approval_never_strands_a_request_waiting_for_approval() {
    // Whatever an edit of the stages does to a request already waiting (keep its terms, or be
    // refused), the request must still end: decided or expired, never pending forever.
    let mut w = World::new();
    let a1 = w.user("First");
    let a2 = w.user("Second");
    let mut spec = members_policy("Two stages");
    spec.stages = vec![stage(vec![by(a1)]), stage(vec![by(a2)])];
    let lab = w.lab(spec);
    let (mia, bob) = (w.user("Mia"), w.user("Bob"));
    let shorter = w.request(&u(mia), lab.package);
    let fewer = w.request(&u(bob), lab.package);
    w.approve(a1, fewer); // now at stage 2

    // A shorter timeout, and one stage fewer.
    let mut spec = w.t.policy(lab.policy).unwrap().spec.clone();
    spec.stages = vec![stage(vec![by(a1)])];
    spec.stages[0].timeout_days = 7;
    let _ = w.apply(&sys(), Command::UpdatePolicy { policy: lab.policy, spec: spec.clone() });

    w.advance(30);
    for r in [shorter, fewer] {
        assert_ne!(w.state(r), RequestState::PendingApproval, "{r} is stranded");
    }
    // With nothing waiting, the approval settings can change.
    w.sys(Command::UpdatePolicy { policy: lab.policy, spec });
    // And the same holds after a reload.
    let json = serde_json::to_string(&w.t).unwrap();
    let mut back: Tenant = serde_json::from_str(&json).unwrap();
    back.rebuild_indexes();
    assert!(back.requests.values().all(|r| r.state != RequestState::PendingApproval));
}

#[test]
fn extension_that_needs_approval_needs_an_approval_stage() {
    let mut w = World::new();
    let lab = w.lab(members_policy("Base"));
    let mut spec = members_policy("Extend with approval, but nobody approves");
    spec.lifecycle.allow_extension = true;
    spec.lifecycle.extension_requires_approval = true;
    let e = w.refuse(&sys(), Command::CreatePolicy { package: lab.package, spec: spec.clone() });
    assert_eq!(kind(&e), "Invalid");
    assert!(msg(&e).contains("approval"), "{e}");
    let a = w.user("Approver");
    spec.stages = vec![stage(vec![by(a)])];
    w.sys(Command::CreatePolicy { package: lab.package, spec });
}
