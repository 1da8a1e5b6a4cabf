//! "May this person do this now": `Tenant::may` answers exactly as the command would. For every
//! verb the screens offer, in a tenant holding each state a verb can meet (pending, delivered,
//! canceled and expired, a catalog with and without packages, a policy in use and unused...), as
//! every kind of person (administrator, requester, approver, bystander, blocked, outsider), the
//! query refuses exactly when the command refuses, with the same error.

use crate::common;

use common::*;
use entitle::domain::*;

/// The people the table is run as.
struct People {
    admin: UserId,
    mia: UserId,
    bob: UserId,
    carl: UserId,
    eve: UserId,
    dan: UserId,
}

/// Every verb and its object in the tenant `scene` builds, with the command that does it (the
/// typed parts filled in validly, so only the rules the query knows can refuse).
fn cases(w: &World, p: &People, s: &Scene) -> Vec<(&'static str, Intent, Command)> {
    let cat_spec = |id: CatalogId| {
        let c = w.t.catalog(id).unwrap();
        CatalogSpec {
            display_name: c.display_name.clone(),
            description: c.description.clone(),
            enabled: c.enabled,
            external: c.external,
        }
    };
    let org_spec = OrgSpec {
        display_name: "Fabrikam".into(),
        description: String::new(),
        domains: vec!["fabrikam.com".into()],
        tenant_id: None,
        state: OrgState::Configured,
        internal_sponsors: Default::default(),
        external_sponsors: Default::default(),
    };
    let mut out = vec![
        ("move clock", Intent::MoveClock, Command::AdvanceClock { seconds: 3600 }),
        ("request held", Intent::Request { package: s.free }, submit_cmd(s.free, None)),
        ("request pending", Intent::Request { package: s.gated }, submit_cmd(s.gated, None)),
        ("request new", Intent::Request { package: s.other }, submit_cmd(s.other, None)),
        ("request deleted", Intent::Request { package: s.deleted }, submit_cmd(s.deleted, None)),
        (
            "create catalog",
            Intent::CreateCatalog,
            Command::CreateCatalog {
                spec: CatalogSpec {
                    display_name: "Fresh".into(),
                    description: String::new(),
                    enabled: true,
                    external: false,
                },
            },
        ),
        (
            "edit catalog",
            Intent::EditCatalog { catalog: s.full },
            Command::UpdateCatalog { catalog: s.full, spec: cat_spec(s.full) },
        ),
        ("delete full catalog", Intent::DeleteCatalog { catalog: s.full }, Command::DeleteCatalog { catalog: s.full }),
        (
            "delete empty catalog",
            Intent::DeleteCatalog { catalog: s.empty },
            Command::DeleteCatalog { catalog: s.empty },
        ),
        (
            "create package",
            Intent::CreatePackage { catalog: s.full },
            Command::CreatePackage { catalog: s.full, spec: pkg_spec("Brand new") },
        ),
        (
            "edit package",
            Intent::EditPackage { package: s.other },
            Command::UpdatePackage { package: s.other, spec: pkg_spec("Other") },
        ),
        (
            "edit deleted package",
            Intent::EditPackage { package: s.deleted },
            Command::UpdatePackage { package: s.deleted, spec: pkg_spec("Gone") },
        ),
        ("delete package", Intent::DeletePackage { package: s.other }, Command::DeletePackage { package: s.other }),
        (
            "create policy",
            Intent::CreatePolicy { package: s.other },
            Command::CreatePolicy { package: s.other, spec: members_policy("Another") },
        ),
        (
            "delete used policy",
            Intent::DeletePolicy { policy: s.free_policy },
            Command::DeletePolicy { policy: s.free_policy },
        ),
        (
            "delete unused policy",
            Intent::DeletePolicy { policy: s.other_policy },
            Command::DeletePolicy { policy: s.other_policy },
        ),
        (
            "assign",
            Intent::Assign { package: s.other },
            Command::AdminAssign {
                package: s.other,
                policy: s.other_policy,
                user: p.eve,
                start: None,
                end: None,
                justification: "Direct".into(),
            },
        ),
        ("create org", Intent::CreateOrg, Command::CreateOrg { spec: org_spec }),
        ("edit settings", Intent::EditSettings, Command::UpdateSettings { settings: w.t.settings.clone() }),
        ("create user", Intent::CreateUser, Command::CreateUser { spec: member_spec("Newcomer", None) }),
        (
            "edit user",
            Intent::EditUser { user: p.carl },
            Command::UpdateUser { user: p.carl, spec: UserSpec::from(w.t.user(p.carl).unwrap()), enabled: true },
        ),
    ];
    let org = w.t.org(s.org).unwrap();
    let same_org = OrgSpec {
        display_name: org.display_name.clone(),
        description: org.description.clone(),
        domains: org.domains.clone(),
        tenant_id: org.tenant_id.clone(),
        state: org.state,
        internal_sponsors: org.internal_sponsors.clone(),
        external_sponsors: org.external_sponsors.clone(),
    };
    out.extend([
        (
            "add catalog resource",
            Intent::AddCatalogResource { catalog: s.full },
            Command::AddCatalogResource { catalog: s.full, resource: s.outside },
        ),
        (
            "remove used resource",
            Intent::RemoveCatalogResource { catalog: s.full, resource: s.team },
            Command::RemoveCatalogResource { catalog: s.full, resource: s.team },
        ),
        (
            "remove unused resource",
            Intent::RemoveCatalogResource { catalog: s.full, resource: s.spare },
            Command::RemoveCatalogResource { catalog: s.full, resource: s.spare },
        ),
        (
            "grant role",
            Intent::GrantCatalogRole { catalog: s.full },
            Command::GrantCatalogRole { catalog: s.full, user: p.eve, role: CatalogRole::Reader },
        ),
        (
            "revoke a role not held",
            Intent::RevokeCatalogRole { catalog: s.full, user: p.carl, role: CatalogRole::Reader },
            Command::RevokeCatalogRole { catalog: s.full, user: p.carl, role: CatalogRole::Reader },
        ),
        (
            "change resource roles",
            Intent::ChangeResourceRoles { package: s.other },
            Command::AddResourceRole { package: s.other, resource: s.spare, role: "Member".into() },
        ),
        (
            "edit policy",
            Intent::EditPolicy { policy: s.other_policy },
            Command::UpdatePolicy { policy: s.other_policy, spec: w.t.policy(s.other_policy).unwrap().spec.clone() },
        ),
        (
            "direct grant",
            Intent::DirectGrant,
            Command::AddDirectGrant { user: p.eve, resource: s.team, role: "Member".into() },
        ),
        (
            "create resource",
            Intent::CreateResource,
            Command::CreateResource { spec: ResourceSpec::group("New group", GroupType::Security) },
        ),
        ("edit org", Intent::EditOrg { org: s.org }, Command::UpdateOrg { org: s.org, spec: same_org }),
        ("delete org", Intent::DeleteOrg { org: s.org }, Command::DeleteOrg { org: s.org }),
        (
            "decide review",
            Intent::DecideReview { review: s.review, assignment: s.reviewed },
            Command::DecideReview {
                review: s.review,
                assignment: s.reviewed,
                decision: ReviewDecision::Approve,
                justification: "Still needed".into(),
            },
        ),
        ("end review", Intent::EndReview { review: s.review }, Command::EndReview { review: s.review }),
    ]);
    for (label, r) in [("pending", s.pending), ("delivered", s.delivered), ("canceled", s.canceled)] {
        out.push((label, Intent::CancelRequest { request: r }, Command::CancelRequest { request: r }));
        out.push((
            label,
            Intent::Decide { request: r },
            Command::Decide { request: r, approve: true, reason: "Fine".into() },
        ));
    }
    for (label, a) in [("active", s.active), ("expired", s.expired), ("fixed", s.fixed)] {
        out.push((
            label,
            Intent::Extend { assignment: a },
            Command::RequestExtension { assignment: a, justification: "Still on the project".into() },
        ));
        out.push((label, Intent::RemoveOwn { assignment: a }, Command::RemoveOwnAssignment { assignment: a }));
        out.push((
            label,
            Intent::RemoveAssignment { assignment: a },
            Command::AdminRemove { assignment: a, reason: "Done".into() },
        ));
    }
    out
}

struct Scene {
    free: PackageId,
    free_policy: PolicyId,
    gated: PackageId,
    other: PackageId,
    other_policy: PolicyId,
    deleted: PackageId,
    full: CatalogId,
    empty: CatalogId,
    /// In Full, granted by its packages.
    team: ResourceId,
    /// In Full, used by no package.
    spare: ResourceId,
    /// In no catalog.
    outside: ResourceId,
    org: OrgId,
    /// A review in progress, Bob reviewing Mia's assignment `reviewed`.
    review: ReviewId,
    reviewed: AssignmentId,
    pending: RequestId,
    delivered: RequestId,
    canceled: RequestId,
    active: AssignmentId,
    expired: AssignmentId,
    /// An assignment granted at the scene's last instant (an extension now would not move it).
    fixed: AssignmentId,
}

fn scene() -> (World, People, Scene) {
    let mut w = World::new();
    let admin = w.admin;
    let mia = w.user("Mia");
    let bob = w.user("Bob");
    let carl = w.user("Carl");
    let eve = w.user("Eve");
    let dan = w.user("Dan");
    let full = w.catalog("Full");
    let empty = w.catalog("Empty");
    let team = w.team("Team");
    w.add_to_catalog(full, team);
    let spare = w.team("Spare");
    w.add_to_catalog(full, spare);
    let outside = w.team("Outside");
    let org = w.org("Northwind", "northwind.example", &[bob]);
    let pkg = |w: &mut World, name: &str, spec: PolicySpec| {
        let p = w.package(full, name);
        w.add_role(p, team, "Member");
        let pol = w.policy(p, spec);
        (p, pol)
    };
    let mut thirty = members_policy("Thirty days");
    thirty.lifecycle.expiration = Expiration::AfterDays(30);
    thirty.lifecycle.allow_extension = true;
    thirty.lifecycle.allow_self_removal = true;
    let (free, free_policy) = pkg(&mut w, "Free", thirty.clone());
    let mut gate = thirty.clone();
    gate.display_name = "Gated".into();
    gate.stages = vec![stage(vec![by(bob)])];
    let (gated, _) = pkg(&mut w, "Gated", gate);
    let mut short = thirty.clone();
    short.display_name = "One day".into();
    short.lifecycle.expiration = Expiration::AfterDays(1);
    let (brief, _) = pkg(&mut w, "Brief", short);
    let (other, other_policy) = pkg(&mut w, "Other", thirty.clone());
    let mut reviewed = thirty.clone();
    reviewed.display_name = "Reviewed".into();
    reviewed.review = Some(ReviewSettings {
        frequency: ReviewFrequency::Quarterly,
        starts_on: w.now() + days(1),
        duration_days: 14,
        reviewers: vec![Reviewer::User { user: bob }],
        fallback: vec![],
        no_response: NoResponse::Keep,
        before_expiry_days: None,
    });
    let (audited, audited_policy) = pkg(&mut w, "Audited", reviewed);
    let (deleted, _) = pkg(&mut w, "Gone", thirty);

    let audited_req = w.request(&u(mia), audited);
    let reviewed = w.asg_of(audited_req).id;
    let delivered = w.request(&u(mia), free);
    let active = w.asg_of(delivered).id;
    let expired_req = w.request(&u(mia), brief);
    let expired = w.asg_of(expired_req).id;
    let pending = w.request(&u(mia), gated);
    let canceled = w.request(&u(carl), gated);
    w.run(&u(carl), Command::CancelRequest { request: canceled });
    w.sys(Command::DeletePackage { package: deleted });
    w.advance(2);
    assert_eq!(w.asg(expired).state, AssignmentState::Expired);
    let review = w.reviews_of(audited_policy).first().map(|r| r.id).expect("the review has opened");
    let fixed_req = w.request(&u(carl), free);
    let fixed = w.asg_of(fixed_req).id;
    w.set_enabled(dan, false);
    let people = People { admin, mia, bob, carl, eve, dan };
    let s = Scene {
        free,
        free_policy,
        gated,
        other,
        other_policy,
        deleted,
        full,
        empty,
        team,
        spare,
        outside,
        org,
        review,
        reviewed,
        pending,
        delivered,
        canceled,
        active,
        expired,
        fixed,
    };
    (w, people, s)
}

/// For every person and case: the query says no exactly when the command refuses, with the same
/// error; when it says yes, the command goes through.
fn agree(w: &World, p: &People, s: &Scene) -> (usize, usize) {
    let actors = [
        ("admin", u(p.admin)),
        ("requester", u(p.mia)),
        ("approver", u(p.bob)),
        ("bystander", u(p.carl)),
        ("blocked", u(p.dan)),
        ("outsider", ext("sam@elsewhere.example", "Sam")),
    ];
    let (mut yes, mut no) = (0, 0);
    for (who, actor) in &actors {
        for (label, intent, command) in cases(w, p, s) {
            let asked = w.t.may(actor, &intent);
            let mut t = w.t.clone();
            let done = t.apply(&Entry { at: w.now(), actor: actor.clone(), command: command.clone() });
            match (&asked, &done) {
                (Ok(()), Ok(_)) => yes += 1,
                (Err(q), Err(c)) => {
                    assert_eq!(q, c, "{who} / {label}: the query and the command refuse differently");
                    no += 1;
                }
                (Ok(()), Err(c)) => panic!("{who} / {label} ({intent:?}): offered, but the command refuses: {c}"),
                (Err(q), Ok(_)) => panic!("{who} / {label} ({intent:?}): withheld ({q}), but the command allows it"),
            }
        }
    }
    (yes, no)
}

#[test]
fn the_query_and_the_command_agree_for_every_verb_state_and_person() {
    let (mut w, p, s) = scene();
    let (yes, no) = agree(&w, &p, &s);
    // The table is not vacuous: both answers occur, many times.
    assert!(yes >= 15 && no >= 60, "yes {yes}, no {no}");
    // Later, when an extension would move the end, the answers still agree.
    w.advance(10);
    agree(&w, &p, &s);
}

#[test]
fn the_states_of_the_finding_are_refused_before_anything_is_asked() {
    let (w, p, s) = scene();
    let mia = u(p.mia);
    let rule = |r: DomainResult<()>| match r {
        Err(DomainError::Rule(m)) => m,
        other => panic!("expected a rule, got {other:?}"),
    };
    let m = rule(w.t.may(&mia, &Intent::CancelRequest { request: s.delivered }));
    assert!(m.contains("can no longer be canceled"), "{m}");
    let m = rule(w.t.may(&mia, &Intent::CancelRequest { request: s.canceled }));
    assert!(m.contains("can no longer be canceled"), "{m}");
    let m = rule(w.t.may(&u(p.admin), &Intent::DeleteCatalog { catalog: s.full }));
    assert!(m.contains("still holds"), "{m}");
    let m = rule(w.t.may(&u(p.admin), &Intent::RemoveAssignment { assignment: s.expired }));
    assert!(m.contains("already ended"), "{m}");
    let m = rule(w.t.may(&mia, &Intent::Request { package: s.free }));
    assert!(m.contains("already has"), "{m}");
    let m = rule(w.t.may(&mia, &Intent::Request { package: s.gated }));
    assert!(m.contains("pending request"), "{m}");
    // And what may act is offered.
    assert_eq!(w.t.may(&mia, &Intent::CancelRequest { request: s.pending }), Ok(()));
    assert_eq!(w.t.may(&u(p.admin), &Intent::DeleteCatalog { catalog: s.empty }), Ok(()));
    assert_eq!(w.t.may(&u(p.bob), &Intent::Decide { request: s.pending }), Ok(()));
    assert!(w.t.may(&u(p.carl), &Intent::Decide { request: s.pending }).is_err());
}

#[test]
fn an_extension_that_would_not_move_the_end_is_refused_with_what_to_do() {
    let (mut w, p, s) = scene();
    let extend = |a| Command::RequestExtension { assignment: a, justification: "Still needed".into() };
    // Granted this instant: thirty days from now is its end already.
    let e = w.refuse(&u(p.carl), extend(s.fixed));
    assert_eq!(kind(&e), "Rule");
    assert!(msg(&e).contains("would not move its end") && msg(&e).contains("closer to the end"), "{e}");
    // Granted two days ago: thirty days from today is later, so the end moves.
    let end = w.asg(s.active).end.unwrap();
    w.run(&u(p.mia), extend(s.active));
    assert!(w.asg(s.active).end.unwrap() > end, "the extension moved the end");
}

#[test]
fn an_extension_at_the_instant_of_the_grant_is_refused() {
    let mut w = World::new();
    let mut spec = members_policy("Thirty days");
    spec.lifecycle.expiration = Expiration::AfterDays(30);
    spec.lifecycle.allow_extension = true;
    let lab = w.lab(spec);
    let mia = w.user("Mia");
    let r = w.request(&u(mia), lab.package);
    let a = w.asg_of(r).id;
    let e = w.refuse(&u(mia), Command::RequestExtension { assignment: a, justification: "More".into() });
    assert_eq!(kind(&e), "Rule");
    assert_eq!(w.t.may(&u(mia), &Intent::Extend { assignment: a }), Err(e));
    w.advance(1);
    assert_eq!(w.t.may(&u(mia), &Intent::Extend { assignment: a }), Ok(()));
}
