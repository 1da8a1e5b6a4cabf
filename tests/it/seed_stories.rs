//! The seeds' stories, end to end, through commands only.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use entitle::domain::*;

fn reason(request: RequestId, approve: bool, reason: &str) -> Command {
    Command::Decide { request, approve, reason: reason.into() }
}

/// Seed 001: the Internal LAB and External LAB tests of the blog article.
#[test]
fn seed_001_internal_and_external_lab() {
    let mut w = World::new();
    let adele = w.user("Adele Vance");
    let allan = w.user("Allan Deyoung");
    let creator = w.user("Cathy Creator");
    // Settings: block external users, remove them after 30 days; delegate catalog creation.
    w.settings(|s| {
        s.external_lifecycle = ExternalLifecycle::BlockThenRemove(30);
        s.catalog_creators = [creator].into();
    });
    // Connected organization Azureblog, with an internal sponsor.
    let azureblog = w.org("Azureblog", "azureblog.pl", &[adele]);
    // The catalog "External": enabled, enabled for external users; the creator owns it.
    let catalog = w.catalog_as(&u(creator), "External");
    assert_eq!(w.t.catalog_roles(creator, catalog), vec![CatalogRole::Owner]);
    let team = w.team("External_Collaboration");
    w.run(&u(w.admin), Command::AddCatalogResource { catalog, resource: team });
    w.run(&u(creator), Command::GrantCatalogRole { catalog, user: adele, role: CatalogRole::AccessPackageManager });

    // Adele, access package manager, builds both packages from the catalog's resources.
    let monthly = ReviewSettings {
        frequency: ReviewFrequency::Monthly,
        starts_on: t0() + days(30),
        duration_days: 14,
        reviewers: vec![Reviewer::User { user: adele }],
        fallback: vec![],
        no_response: NoResponse::Keep,
        before_expiry_days: None,
    };
    let internal: PackageId =
        id_of(&w.run(&u(adele), Command::CreatePackage { catalog, spec: pkg_spec("Internal_AccessPackage") }));
    w.run(&u(adele), Command::AddResourceRole { package: internal, resource: team, role: "Member".into() });
    let mut spec = PolicySpec::new("Internal users", RequestScope::AllMembers);
    spec.lifecycle = Lifecycle {
        expiration: Expiration::AfterDays(365),
        allow_extension: true,
        extension_requires_approval: false,
        allow_self_removal: true,
    };
    spec.review = Some(monthly.clone());
    w.run(&u(adele), Command::CreatePolicy { package: internal, spec });

    let external: PackageId =
        id_of(&w.run(&u(adele), Command::CreatePackage { catalog, spec: pkg_spec("External_AccessPackage") }));
    w.run(&u(adele), Command::AddResourceRole { package: external, resource: team, role: "Member".into() });
    let mut spec = PolicySpec::new("Azureblog", RequestScope::SpecificOrgs { orgs: [azureblog].into() });
    spec.stages = vec![stage(vec![by(adele)])];
    spec.lifecycle.expiration = Expiration::AfterDays(365);
    spec.lifecycle.allow_extension = false;
    spec.review = Some(monthly);
    w.run(&u(adele), Command::CreatePolicy { package: external, spec });
    // Adele cannot add resources to the catalog herself.
    let other = w.team("Other team");
    let e = w.refuse(&u(adele), Command::AddCatalogResource { catalog, resource: other });
    assert_eq!(kind(&e), "Forbidden");

    // Internal LAB test: Allan sees the internal package only, requests it, gets the team at once.
    assert_eq!(w.my_access(&u(allan)), vec![internal]);
    let r_allan = w.request(&u(allan), internal);
    assert_eq!(w.state(r_allan), RequestState::Delivered);
    assert!(w.holds(allan, team, "Member"));
    assert_eq!(w.mail(allan, "granted").len(), 1);

    // External LAB test: Alex from Azureblog sees only the external package (the link works too).
    let alex = ext("alexw@azureblog.pl", "Alex Wilber");
    assert_eq!(w.my_access(&alex), vec![external]);
    w.refuse(&alex, submit_cmd(internal, None));
    let r_alex = w.request(&alex, external);
    assert_eq!(w.state(r_alex), RequestState::PendingApproval);
    assert_eq!(w.inbox(adele), vec![r_alex]);
    assert_eq!(w.mail(adele, "approvalNeeded").len(), 1);
    // Adele must give a reason when she approves.
    assert_eq!(kind(&w.refuse(&u(adele), reason(r_alex, true, ""))), "Invalid");
    w.run(&u(adele), reason(r_alex, true, "Alex works on the shared project"));
    assert_eq!(w.state(r_alex), RequestState::Delivered);
    let guest = w.t.user_by_email("alexw@azureblog.pl").unwrap().clone();
    assert!(guest.is_guest() && guest.created_by_em);
    assert_eq!(guest.home_org, Some(azureblog));
    assert!(w.holds(guest.id, team, "Member"));
    let mut holders: Vec<UserId> = w.t.holders(team).map(|(x, _)| *x).collect();
    holders.sort();
    assert_eq!(holders, vec![allan, guest.id]);

    // Monthly reviews come and go (Adele keeps them by not answering), then the year ends.
    let end = t0() + days(365);
    w.tick_to(end - chrono::Duration::seconds(1));
    assert!(w.holds(allan, team, "Member") && w.holds(guest.id, team, "Member"));
    assert!(!w.t.reviews.is_empty());
    w.tick_to(end + days(1));
    assert!(!w.holds(allan, team, "Member"), "Allan lost access at the end date");
    assert!(!w.holds(guest.id, team, "Member"), "Alex lost access at the end date");
    assert!(w.t.holders(team).next().is_none());
    assert_eq!(w.mail(allan, "expired").len(), 1);
    // Alex is blocked, then removed 30 days later.
    assert!(!w.t.user(guest.id).unwrap().enabled);
    assert!(w.t.user(guest.id).unwrap().is_active());
    w.tick_to(end + days(30));
    assert!(!w.t.user(guest.id).unwrap().is_active());
    // Allan can ask again.
    let again = w.request(&u(allan), internal);
    assert_eq!(w.state(again), RequestState::Delivered);
}

/// Seed 000, scenario 1: partner onboarding with sponsor approval, 90 days, quarterly reviews.
#[test]
fn seed_000_partner_onboarding_with_sponsor_approval_90_days_and_quarterly_review() {
    let mut w = World::new();
    let sam = w.user("Sam Sponsor");
    let partner1 = w.org("Partner One", "partner1.com", &[sam]);
    let catalog = w.catalog("Partner Access");
    let library = w.site("Shared Documents");
    let group = w.resource(ResourceSpec::group("Partner Communication", GroupType::Microsoft365));
    let crm = w.app("CRM");
    let pkg = w.package(catalog, "Partner onboarding");
    for (res, role) in [(library, "Member"), (group, "Member"), (crm, "User")] {
        w.add_to_catalog(catalog, res);
        w.add_role(pkg, res, role);
    }
    let mut spec = PolicySpec::new("Partner One", RequestScope::SpecificOrgs { orgs: [partner1].into() });
    spec.stages = vec![stage(vec![Approver::InternalSponsors])];
    spec.lifecycle = Lifecycle {
        expiration: Expiration::AfterDays(90),
        allow_extension: true,
        extension_requires_approval: true,
        allow_self_removal: true,
    };
    spec.review = Some(ReviewSettings {
        frequency: ReviewFrequency::Quarterly,
        starts_on: t0() + days(45),
        duration_days: 14,
        reviewers: vec![Reviewer::User { user: sam }],
        fallback: vec![],
        no_response: NoResponse::Keep,
        before_expiry_days: None,
    });
    w.policy(pkg, spec);

    let pete = ext("pete@partner1.com", "Pete Partner");
    let r = w.request(&pete, pkg);
    assert_eq!(w.inbox(sam), vec![r]);
    w.approve(sam, r);
    let pid = w.t.user_by_email("pete@partner1.com").unwrap().id;
    for (res, role) in [(library, "Member"), (group, "Member"), (crm, "User")] {
        assert!(w.holds(pid, res, role), "added to {res}");
    }
    let aid = w.asg_of(r).id;
    assert_eq!(w.asg(aid).end, Some(t0() + days(90)));

    // The quarterly review on day 45: Sam keeps Pete.
    w.advance(45);
    let rv = w.t.reviews.values().next().unwrap().clone();
    assert_eq!(rv.items.len(), 1);
    w.run(
        &u(sam),
        Command::DecideReview {
            review: rv.id,
            assignment: aid,
            decision: ReviewDecision::Approve,
            justification: "still onboarding".into(),
        },
    );
    w.advance(14);
    assert!(w.asg(aid).is_active());

    // Day 80: Pete asks for more time, Sam approves: 90 more days from now.
    w.advance(21);
    let ext_req: RequestId =
        id_of(&w.run(&pete, Command::RequestExtension { assignment: aid, justification: "phase two".into() }));
    w.approve(sam, ext_req);
    assert_eq!(w.asg(aid).end, Some(t0() + days(170)));
    w.tick_to(t0() + days(170));
    assert_eq!(w.asg(aid).state, AssignmentState::Expired);
    assert!(w.t.grants_of_user(pid).next().is_none(), "nothing left");

    // The pitfall: a connected organization without sponsors leaves nobody to approve.
    let lonely = w.org("Partner Two", "partner2.com", &[]);
    let mut spec = PolicySpec::new("Partner Two", RequestScope::SpecificOrgs { orgs: [lonely].into() });
    spec.stages = vec![stage(vec![Approver::InternalSponsors])];
    w.policy(pkg, spec);
    let e = w.refuse(&ext("tom@partner2.com", "Tom"), submit_cmd(pkg, None));
    assert!(msg(&e).contains("Nobody can approve"), "{e}");
}

/// Seed 000, scenario 2: project-based access with manager approval for 6 months.
#[test]
fn seed_000_project_based_access_with_manager_approval_for_six_months() {
    let mut w = World::new();
    let maria = w.user("Maria Manager");
    let helpdesk = w.user("Helpdesk");
    let emil = w.user_managed("Emil Employee", maria);
    let catalog = w.catalog("Projects");
    let team = w.team("Project Alpha");
    let pm_app = w.app("Project Planner");
    let site = w.site("Alpha");
    let pkg = w.package(catalog, "Project Alpha");
    for (res, role) in [(team, "Member"), (pm_app, "User"), (site, "Member")] {
        w.add_to_catalog(catalog, res);
        w.add_role(pkg, res, role);
    }
    let mut spec = members_policy("Employees");
    let mut st = stage(vec![Approver::Manager]);
    st.fallback = vec![by(helpdesk)];
    spec.stages = vec![st];
    spec.lifecycle.expiration = Expiration::AfterDays(182);
    spec.review = Some(ReviewSettings {
        frequency: ReviewFrequency::Monthly,
        starts_on: t0() + days(30),
        duration_days: 7,
        reviewers: vec![Reviewer::Manager],
        fallback: vec![helpdesk],
        no_response: NoResponse::Keep,
        before_expiry_days: None,
    });
    w.policy(pkg, spec);

    let r = w.request(&u(emil), pkg);
    assert_eq!(w.inbox(maria), vec![r]);
    assert!(w.inbox(helpdesk).is_empty());
    w.approve(maria, r);
    assert!(w.holds(emil, team, "Member") && w.holds(emil, pm_app, "User") && w.holds(emil, site, "Member"));
    // Monthly reviews go to Emil's manager.
    w.advance(30);
    let rv = w.t.reviews.values().next().unwrap();
    assert_eq!(rv.items[0].reviewers, vec![maria]);
    // The project ends: the assignment expires on its own.
    w.tick_to(t0() + days(182));
    assert!(w.active(emil, pkg).is_none());
    assert!(w.t.grants_of_user(emil).next().is_none(), "no accumulated permissions");
    let reviews = w.t.reviews.len();
    assert!(reviews >= 5, "{reviews} monthly reviews ran");
}

/// Seed 000, scenario 3: SOX, two stages (manager, then compliance), 90 days, quarterly review
/// where no response revokes; everything is audited.
#[test]
fn seed_000_sox_two_stage_approval_with_quarterly_review_where_no_response_revokes() {
    let mut w = World::new();
    let maria = w.user("Maria Manager");
    let carla = w.user("Carla Compliance");
    let helpdesk = w.user("Helpdesk");
    let fred = w.user_managed("Fred Finance", maria);
    let catalog = w.catalog("Finance");
    let ledger = w.app("General Ledger");
    w.add_to_catalog(catalog, ledger);
    let pkg = w.package_spec(catalog, PackageSpec { sensitive: true, ..pkg_spec("Ledger (SOX)") });
    w.add_role(pkg, ledger, "User");
    let mut spec = members_policy("SOX");
    let mut first = stage(vec![Approver::Manager]);
    first.fallback = vec![by(helpdesk)];
    spec.stages = vec![first, stage(vec![by(carla)])];
    spec.justification_required = true;
    spec.lifecycle.expiration = Expiration::AfterDays(90);
    spec.review = Some(ReviewSettings {
        frequency: ReviewFrequency::Quarterly,
        starts_on: t0() + days(30),
        duration_days: 14,
        reviewers: vec![Reviewer::Manager],
        fallback: vec![helpdesk],
        no_response: NoResponse::Remove,
        before_expiry_days: None,
    });
    let pol = w.policy(pkg, spec);

    let no_reason = Command::SubmitRequest {
        package: pkg,
        policy: None,
        justification: String::new(),
        answers: BTreeMap::new(),
        start: None,
    };
    assert_eq!(kind(&w.refuse(&u(fred), no_reason)), "Invalid");
    let r = w.request(&u(fred), pkg);
    // Compliance cannot jump the queue.
    assert_eq!(kind(&w.refuse(&u(carla), reason(r, true, "fine"))), "Forbidden");
    w.approve(maria, r);
    assert!(!w.holds(fred, ledger, "User"), "one stage is not enough");
    w.approve(carla, r);
    assert!(w.holds(fred, ledger, "User"));
    let aid = w.asg_of(r).id;
    assert_eq!(w.asg(aid).end, Some(t0() + days(90)));

    // Day 30 the review opens; nobody answers; on day 44 access is revoked.
    w.advance(30);
    let rv = w.reviews_of(pol)[0].clone();
    assert_eq!(rv.items[0].reviewers, vec![maria]);
    w.advance(13);
    assert!(w.holds(fred, ledger, "User"));
    let fired = w.advance(1);
    assert_eq!(fired.removed_by_review, 1);
    assert!(!w.holds(fred, ledger, "User"));
    assert_eq!(w.asg(aid).state, AssignmentState::Removed);
    assert_eq!(w.requests_of_type(fred, RequestType::SystemRemove).len(), 1);

    // The audit trail tells the story.
    let audit = w.t.audit.to_vec();
    let trail: Vec<(&str, String)> = audit
        .iter()
        .filter(|e| e.object.is(r) || e.object.is(aid) || e.object.is(rv.id))
        .map(|e| (e.activity.as_str(), e.object.to_string()))
        .collect();
    let acts: Vec<&str> = trail.iter().map(|(a, _)| *a).collect();
    assert_eq!(
        acts,
        vec![
            "request.submitted",
            "request.approved",
            "request.approved",
            "assignment.delivered",
            "accessReview.started",
            "assignment.removedByReview",
            "accessReview.completed",
        ]
    );
    let approvals: BTreeSet<String> =
        audit.iter().filter(|e| e.activity == "request.approved").map(|e| e.actor.to_string()).collect();
    assert!(approvals.iter().any(|a| a.contains("Maria")) && approvals.iter().any(|a| a.contains("Carla")));
}

/// Seed 003: access that does not drift. Three policies on one package; a direct membership
/// survives the package; reviews 30 days before expiry where silence means removal.
#[test]
fn seed_003_drift_direct_membership_survives_and_silence_removes() {
    let mut w = World::new();
    let owner = w.user("Olga Catalog Owner");
    let maria = w.user("Maria Manager");
    let helpdesk = w.user("Helpdesk");
    let wanda = w.user_managed("Wanda Worker", maria);
    let xavier = w.user_managed("Xavier Worker", maria);
    let partner = w.org("Partner X", "partnerx.com", &[]);
    let partner_sponsor = w.guest("Paula Partner Sponsor", "paula@partnerx.com", Some(partner));
    w.sys(Command::UpdateOrg {
        org: partner,
        spec: OrgSpec {
            display_name: "Partner X".into(),
            description: String::new(),
            domains: vec!["partnerx.com".into()],
            tenant_id: None,
            state: OrgState::Configured,
            internal_sponsors: BTreeSet::new(),
            external_sponsors: [partner_sponsor].into(),
        },
    });
    let catalog = w.catalog("HR");
    w.grant_role(catalog, owner, CatalogRole::Owner);
    let site = w.site("HR Audit");
    w.add_to_catalog(catalog, site);
    let pkg = w.package(catalog, "HR audit");
    w.add_role(pkg, site, "Visitor");

    // Internal: manager approval, 6 months, reviewed 30 days before expiry, silence = no.
    let mut internal = members_policy("Internal");
    let mut st = stage(vec![Approver::Manager]);
    st.fallback = vec![by(helpdesk)];
    st.timeout_days = 7;
    internal.stages = vec![st];
    internal.lifecycle.expiration = Expiration::AfterDays(182);
    internal.review = Some(ReviewSettings {
        frequency: ReviewFrequency::Annually,
        starts_on: t0(),
        duration_days: 14,
        reviewers: vec![Reviewer::Manager],
        fallback: vec![helpdesk],
        no_response: NoResponse::Remove,
        before_expiry_days: Some(30),
    });
    let internal = w.policy(pkg, internal);
    // Guests already in the directory: catalog owner approval, 90 days.
    let mut guests = PolicySpec::new("Partner guests", RequestScope::SpecificOrgs { orgs: [partner].into() });
    guests.stages = vec![stage(vec![by(owner)])];
    guests.lifecycle.expiration = Expiration::AfterDays(90);
    let guests = w.policy(pkg, guests);
    // New B2B guests: catalog owner, then the sponsor in the partner's tenant.
    let mut newcomers = PolicySpec::new("New partners", RequestScope::AllExternal);
    let mut second = stage(vec![Approver::ExternalSponsors]);
    second.fallback = vec![by(owner)];
    newcomers.stages = vec![stage(vec![by(owner)]), second];
    newcomers.lifecycle.expiration = Expiration::AfterDays(90);
    let newcomers = w.policy(pkg, newcomers);

    // Wanda was in the HR audit site before packages existed.
    w.direct(wanda, site, "Visitor");
    let rw = w.request(&u(wanda), pkg);
    let rx = w.request(&u(xavier), pkg);
    assert_eq!(w.req(rw).policy, internal);
    w.approve(maria, rw);
    w.approve(maria, rx);

    // A partner from Partner X matches two policies and must pick one.
    let pat = ext("pat@partnerx.com", "Pat");
    let e = w.refuse(&pat, submit_cmd(pkg, None));
    assert!(msg(&e).contains(&guests.to_string()) && msg(&e).contains(&newcomers.to_string()), "{e}");
    let rp = w.request_via(&pat, pkg, newcomers);
    w.approve(owner, rp);
    assert_eq!(w.inbox(partner_sponsor), vec![rp], "stage 2: the sponsor in the partner's tenant");
    w.approve(partner_sponsor, rp);
    let pat_id = w.asg_of(rp).target;
    assert!(w.holds(pat_id, site, "Visitor"));

    // 30 days before the 182-day end, reviews open; Maria keeps Xavier, says nothing about Wanda.
    w.tick_to(t0() + days(152));
    let tasks: Vec<(ReviewId, AssignmentId, UserId)> =
        w.t.review_tasks(maria).into_iter().map(|(r, i)| (r.id, i.assignment, i.user)).collect();
    assert_eq!(tasks.len(), 2);
    for (rv, aid, who) in tasks {
        if who == xavier {
            w.run(
                &u(maria),
                Command::DecideReview {
                    review: rv,
                    assignment: aid,
                    decision: ReviewDecision::Approve,
                    justification: String::new(),
                },
            );
        }
    }
    w.advance(14);
    assert!(w.active(wanda, pkg).is_none(), "silence removed Wanda's assignment");
    assert!(w.holds(wanda, site, "Visitor"), "but her direct membership survives: no drift in reverse");
    assert_eq!(w.sources(wanda, site, "Visitor"), [GrantSource::Direct].into());
    assert!(w.active(xavier, pkg).is_some());
    w.tick_to(t0() + days(182));
    assert!(!w.holds(xavier, site, "Visitor"), "Xavier's expires at its end");
    assert!(!w.holds(pat_id, site, "Visitor"), "Pat's 90 days are long over");
    // Exactly one membership remains, and it is the direct one.
    let holders: Vec<_> = w.t.holders(site).cloned().collect();
    assert_eq!(holders, vec![(wanda, entitle::domain::Role::new("Visitor"))]);
}
