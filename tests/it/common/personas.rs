//! The personas of the rights matrices (reads and changes, issue 6): one tenant holding a person
//! of every kind (global administrator, each catalog role of Finance, an approver, a reviewer, a
//! member, a holder of the sensitive SOX package, a guest, a blocked guest, an unknown outsider, a
//! removed guest by id and by email) and what each may know by construction.

use super::*;

/// One person of the matrix and what they may know by construction (the oracle).
pub struct Persona {
    pub name: &'static str,
    pub actor: Actor,
    /// Sees everything.
    pub admin: bool,
    /// Holds a role in Finance.
    pub finance: bool,
    pub user: Option<UserId>,
}

pub struct Fx {
    pub w: World,
    pub people: Vec<Persona>,
    pub megan: UserId,
    pub finance: CatalogId,
    pub sox: PackageId,
    pub sox_policy: PolicyId,
    pub sox_data: ResourceId,
    pub megan_sox: AssignmentId,
    pub travel_request: RequestId,
    pub review: ReviewId,
    pub fabrikam: OrgId,
    pub rev: UserId,
    /// Dan's direct membership of SOX Data, outside any package.
    pub dan: UserId,
    pub travel: PackageId,
}

pub fn fixture() -> Fx {
    let mut w = World::new();
    let (olga, rita, paul, anna) =
        (w.user("Olga Owner"), w.user("Rita Reader"), w.user("Paul Manager"), w.user("Anna Assigner"));
    let (abe, rev, mem, megan, dan) = (
        w.user("Abe Approver"),
        w.user("Rev Reviewer"),
        w.user("Mem Member"),
        w.user("Megan Bowen"),
        w.user("Dan Direct"),
    );
    let fabrikam = w.org("Fabrikam", "fabrikam.com", &[abe]);
    let tailspin = w.org("Tailspin", "tailspin.com", &[]);
    let gus = w.guest("Gus Guest", "gus@fabrikam.com", Some(fabrikam));
    let bob = w.guest("Bob Blocked", "bob@fabrikam.com", Some(fabrikam));
    w.set_enabled(bob, false);
    w.settings(|s| s.external_lifecycle = ExternalLifecycle::BlockThenRemove(0));

    // Finance: the SOX package, one role of each kind, a review routed to Rev.
    let finance = w.catalog("Finance");
    for (who, role) in [
        (olga, CatalogRole::Owner),
        (rita, CatalogRole::Reader),
        (paul, CatalogRole::AccessPackageManager),
        (anna, CatalogRole::AccessPackageAssignmentManager),
    ] {
        w.grant_role(finance, who, role);
    }
    let sox_data = w.team("SOX Data");
    w.add_to_catalog(finance, sox_data);
    let sox = w.package_spec(finance, PackageSpec { sensitive: true, ..pkg_spec("SOX Reporting") });
    w.add_role(sox, sox_data, "Member");
    let mut spec = members_policy("Finance staff");
    spec.review = Some(ReviewSettings {
        frequency: ReviewFrequency::Monthly,
        starts_on: t0() + days(1),
        duration_days: 14,
        reviewers: vec![Reviewer::User { user: rev }],
        fallback: vec![],
        no_response: NoResponse::Keep,
        before_expiry_days: None,
    });
    let sox_policy = w.policy(sox, spec);
    let megan_req = w.request(&u(megan), sox);
    let megan_sox = w.asg_of(megan_req).id;
    w.direct(dan, sox_data, "Member");

    // Other: Travel, approved by Abe; Mem's request waits for him.
    let other = w.catalog("Other");
    let travel = w.package(other, "Travel");
    let mut spec = members_policy("Travellers");
    spec.stages = vec![stage(vec![by(abe)])];
    let travellers = w.policy(travel, spec);
    let travel_request = w.request(&u(mem), travel);
    // Outside Finance: Dan travels, and is in the Lounge team directly.
    w.admin_assign(travel, travellers, dan);
    let lounge = w.team("Lounge");
    w.direct(dan, lounge, "Member");

    // Partners: externals. Mallory (Fabrikam) waits for Abe; Ron (Tailspin) got in, then out,
    // and was removed from the directory.
    let partners = w.catalog("Partners");
    let portal = w.package(partners, "Partner Portal");
    let mut spec = PolicySpec::new("Fabrikam", RequestScope::SpecificOrgs { orgs: [fabrikam].into() });
    spec.stages = vec![stage(vec![by(abe)])];
    w.policy(portal, spec);
    w.policy(portal, PolicySpec::new("Tailspin", RequestScope::SpecificOrgs { orgs: [tailspin].into() }));
    let mallory = ext("mallory@fabrikam.com", "Mallory");
    w.request(&mallory, portal);
    let ron_req = w.request(&ext("ron@tailspin.com", "Ron"), portal);
    let ron_asg = w.asg_of(ron_req).id;
    let ron = w.asg(ron_asg).target;
    w.sys(Command::AdminRemove { assignment: ron_asg, reason: "done".into() });
    assert!(!w.t.user(ron).expect("kept for history").is_active(), "Ron was removed");

    w.tick_to(t0() + days(1));
    let review = w.reviews_of(sox_policy)[0].id;

    let p = |name, actor: Actor, admin, finance| {
        let user = actor.user_id();
        Persona { name, actor, admin, finance, user }
    };
    let people = vec![
        p("admin", u(w.admin), true, false),
        p("owner", u(olga), false, true),
        p("reader", u(rita), false, true),
        p("pkgmgr", u(paul), false, true),
        p("asgmgr", u(anna), false, true),
        p("approver", u(abe), false, false),
        p("reviewer", u(rev), false, false),
        p("member", u(mem), false, false),
        p("holder", u(megan), false, false),
        p("guest", u(gus), false, false),
        p("blocked", u(bob), false, false),
        p("outsider", mallory, false, false),
        p("removed", u(ron), false, false),
        p("removed@", ext("ron@tailspin.com", "Ron"), false, false),
    ];
    Fx {
        w,
        people,
        megan,
        finance,
        sox,
        sox_policy,
        sox_data,
        megan_sox,
        travel_request,
        review,
        fabrikam,
        rev,
        dan,
        travel,
    }
}

impl Fx {
    /// The persona of that name.
    #[track_caller]
    pub fn persona(&self, name: &str) -> &Persona {
        self.people.iter().find(|p| p.name == name).unwrap_or_else(|| panic!("no persona '{name}'"))
    }

    /// The directory user behind a persona.
    #[track_caller]
    pub fn user_of(&self, name: &str) -> UserId {
        self.persona(name).user.unwrap_or_else(|| panic!("'{name}' is not a directory user"))
    }
}
