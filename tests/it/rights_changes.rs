//! The change matrix (issue 6 §7): every changing command of the domain (every `Command` variant,
//! a few twice where the target decides the right) as every persona of the shared fixture, each
//! on a fresh copy of the tenant, checked against the "Who may do what" table of DOMAIN.md.
//! A cell is allowed (`A`: applied, or refused by a rule, a limit or bad input, not by rights) or
//! refused for rights (`R`: `DomainError::Forbidden`), and a refused cell changes nothing.

use crate::common;

use std::collections::BTreeSet;

use chrono::Duration;
use common::personas::*;
use common::*;
use entitle::domain::*;

/// What the matrix adds to the shared fixture: three personas (a catalog creator, a blocked
/// Finance owner and a blocked global administrator) and objects each command can act on as an
/// administrator would.
struct Extra {
    /// A group Olga (the Finance owner) owns, not yet in any catalog.
    olga_group: ResourceId,
    /// A team nobody owns, in no catalog.
    loose_team: ResourceId,
    /// A team in Finance that no package uses.
    spare_team: ResourceId,
    /// An empty catalog where the Finance role holders hold the same roles.
    spare_catalog: CatalogId,
    /// A connected organization nobody uses.
    spare_org: OrgId,
    /// An administrator-only policy of SOX with nothing under it.
    spare_policy: PolicyId,
    /// Mem's request for Finance's Ledger, waiting for Abe.
    ledger_request: RequestId,
    /// Megan's assignment under a policy that allows extension.
    extendable: AssignmentId,
    /// Mallory's request for the Partner Portal, made before she was in the directory.
    mallory_request: RequestId,
}

fn setup() -> (Fx, Extra) {
    let mut fx = fixture();
    let (olga, rita, paul, anna, abe, mem) = (
        fx.user_of("owner"),
        fx.user_of("reader"),
        fx.user_of("pkgmgr"),
        fx.user_of("asgmgr"),
        fx.user_of("approver"),
        fx.user_of("member"),
    );
    let w = &mut fx.w;
    let creator = w.user("Cleo Creator");
    w.settings(|s| {
        s.catalog_creators.insert(creator);
    });
    let otto = w.user("Otto Owner");
    let mut spec = member_spec("Adam Admin", None);
    spec.global_admin = true;
    let adam = w.user_spec(spec);
    let olga_group = w.group_owned("Olga's Group", &[olga]);
    let loose_team = w.team("Loose Team");
    let spare_team = w.team("Finance Spare");
    w.add_to_catalog(fx.finance, spare_team);
    let spare_catalog = w.catalog("Spare");
    for (who, role) in [
        (olga, CatalogRole::Owner),
        (rita, CatalogRole::Reader),
        (paul, CatalogRole::AccessPackageManager),
        (anna, CatalogRole::AccessPackageAssignmentManager),
        (otto, CatalogRole::Owner),
    ] {
        w.grant_role(spare_catalog, who, role);
    }
    w.grant_role(fx.finance, otto, CatalogRole::Owner);
    let spare_org = w.org("Northwind", "northwind.example", &[]);
    let spare_policy = w.policy(fx.sox, PolicySpec::new("Direct only", RequestScope::AdminOnly));
    let ledger = w.package(fx.finance, "Ledger");
    let mut spec = members_policy("Ledger users");
    spec.stages = vec![stage(vec![by(abe)])];
    w.policy(ledger, spec);
    let ledger_request = w.request(&u(mem), ledger);
    let budget = w.package(fx.finance, "Budget Tool");
    let mut spec = members_policy("Budget users");
    spec.lifecycle.allow_extension = true;
    w.policy(budget, spec);
    let budget_request = w.request(&u(fx.megan), budget);
    let extendable = w.asg_of(budget_request).id;
    // An hour on, an extension would move its end (at the instant of the grant it would not).
    w.advance_by(chrono::Duration::hours(1));
    let mallory_request =
        w.t.requests
            .values()
            .find(|r| matches!(&r.target, Target::External { email, .. } if email == "mallory@fabrikam.com"))
            .expect("Mallory's request")
            .id;
    // Team mode needs an administrator who can sign in.
    let admin = w.admin;
    w.sys(Command::SetLogin { user: admin, login: Some("ada".into()) });
    // Blocked, the roles they hold give them nothing.
    w.set_enabled(otto, false);
    w.set_enabled(adam, false);
    for (name, who) in [("creator", creator), ("blocked owner", otto), ("blocked admin", adam)] {
        fx.people.push(Persona { name, actor: u(who), admin: false, finance: false, user: Some(who) });
    }
    let x = Extra {
        olga_group,
        loose_team,
        spare_team,
        spare_catalog,
        spare_org,
        spare_policy,
        ledger_request,
        extendable,
        mallory_request,
    };
    (fx, x)
}

fn user_spec_of(t: &Tenant, id: UserId) -> UserSpec {
    let x = t.user(id).expect("a user of the fixture");
    UserSpec {
        display_name: x.display_name.clone(),
        email: x.email.clone(),
        user_type: x.user_type,
        manager: x.manager,
        department: x.department.clone(),
        job_title: "Analyst".into(),
        home_org: x.home_org,
        global_admin: x.global_admin,
    }
}

fn org_spec(name: &str, domain: &str) -> OrgSpec {
    OrgSpec {
        display_name: name.into(),
        description: "A partner".into(),
        domains: vec![domain.into()],
        tenant_id: None,
        state: OrgState::Configured,
        internal_sponsors: BTreeSet::new(),
        external_sponsors: BTreeSet::new(),
    }
}

fn catalog_spec(name: &str) -> CatalogSpec {
    CatalogSpec { display_name: name.into(), description: "Edited".into(), enabled: true, external: true }
}

/// The rows: a command, sometimes with what it acts on.
const COMMANDS: &[&str] = &[
    "Tick",
    "AdvanceClock",
    "SetClock",
    "FreezeClock",
    "CreateUser",
    "UpdateUser",
    "SetUserAttributes",
    "CreateResource",
    "AddDirectGrant",
    "RemoveDirectGrant",
    "CreateOrg",
    "UpdateOrg",
    "DeleteOrg",
    "UpdateSettings",
    "CreateCatalog",
    "UpdateCatalog",
    "DeleteCatalog",
    "AddCatalogResource (one the owner owns)",
    "AddCatalogResource (one the owner does not own)",
    "RemoveCatalogResource",
    "GrantCatalogRole",
    "RevokeCatalogRole",
    "CreatePackage",
    "UpdatePackage",
    "DeletePackage",
    "AddResourceRole",
    "RemoveResourceRole",
    "CreatePolicy",
    "UpdatePolicy",
    "DeletePolicy",
    "SubmitRequest",
    "CancelRequest (Finance)",
    "CancelRequest (Other)",
    "CancelRequest (an outsider's)",
    "Decide",
    "RequestExtension",
    "RemoveOwnAssignment",
    "AdminAssign",
    "AdminAssign (Other)",
    "AdminRemove",
    "DecideReview",
    "EndReview",
    "MarkRead",
    "SetMode",
    "SetLogin",
    "ActingAs (the persona acts as Megan)",
    "ActingAs (an administrator acts as the persona)",
];

/// The entry one cell applies: `what` run by persona `p`.
fn entry(fx: &Fx, x: &Extra, what: &str, p: &Persona) -> Entry {
    let t = &fx.w.t;
    let now = t.clock.now;
    let mut actor = p.actor.clone();
    let mut at = now;
    let command = match what {
        "Tick" => {
            at = now + Duration::hours(1);
            Command::Tick
        }
        "AdvanceClock" => Command::AdvanceClock { seconds: 3600 },
        "SetClock" => Command::SetClock { to: now + days(1) },
        "FreezeClock" => Command::FreezeClock { frozen: false, wall: now },
        "CreateUser" => Command::CreateUser { spec: member_spec("Nina New", None) },
        "UpdateUser" => Command::UpdateUser { user: fx.megan, spec: user_spec_of(t, fx.megan), enabled: true },
        "SetUserAttributes" => {
            let mut attributes = UserAttributes::from(t.user(fx.megan).expect("Megan"));
            attributes.country = "France".into();
            Command::SetUserAttributes { user: fx.megan, attributes }
        }
        "CreateResource" => Command::CreateResource { spec: ResourceSpec::group("New Group", GroupType::Security) },
        "AddDirectGrant" => {
            Command::AddDirectGrant { user: fx.user_of("member"), resource: x.loose_team, role: "Member".into() }
        }
        "RemoveDirectGrant" => {
            Command::RemoveDirectGrant { user: fx.dan, resource: fx.sox_data, role: "Member".into() }
        }
        "CreateOrg" => Command::CreateOrg { spec: org_spec("Litware", "litware.example") },
        "UpdateOrg" => Command::UpdateOrg { org: x.spare_org, spec: org_spec("Northwind", "northwind.example") },
        "DeleteOrg" => Command::DeleteOrg { org: x.spare_org },
        "UpdateSettings" => {
            let mut settings = t.settings.clone();
            settings.external_lifecycle = ExternalLifecycle::Block;
            Command::UpdateSettings { settings }
        }
        "CreateCatalog" => Command::CreateCatalog { spec: catalog_spec("Research") },
        "UpdateCatalog" => Command::UpdateCatalog { catalog: fx.finance, spec: catalog_spec("Finance") },
        "DeleteCatalog" => Command::DeleteCatalog { catalog: x.spare_catalog },
        "AddCatalogResource (one the owner owns)" => {
            Command::AddCatalogResource { catalog: fx.finance, resource: x.olga_group }
        }
        "AddCatalogResource (one the owner does not own)" => {
            Command::AddCatalogResource { catalog: fx.finance, resource: x.loose_team }
        }
        "RemoveCatalogResource" => Command::RemoveCatalogResource { catalog: fx.finance, resource: x.spare_team },
        "GrantCatalogRole" => {
            Command::GrantCatalogRole { catalog: fx.finance, user: fx.user_of("member"), role: CatalogRole::Reader }
        }
        "RevokeCatalogRole" => {
            Command::RevokeCatalogRole { catalog: fx.finance, user: fx.user_of("reader"), role: CatalogRole::Reader }
        }
        "CreatePackage" => Command::CreatePackage { catalog: fx.finance, spec: pkg_spec("Budgets") },
        "UpdatePackage" => Command::UpdatePackage {
            package: fx.sox,
            spec: PackageSpec { description: "Edited".into(), sensitive: true, ..pkg_spec("SOX Reporting") },
        },
        "DeletePackage" => Command::DeletePackage { package: fx.sox },
        "AddResourceRole" => {
            Command::AddResourceRole { package: fx.sox, resource: x.spare_team, role: "Member".into() }
        }
        "RemoveResourceRole" => Command::RemoveResourceRole {
            package: fx.sox,
            resource: fx.sox_data,
            role: "Member".into(),
            revoke_existing: false,
        },
        "CreatePolicy" => Command::CreatePolicy { package: fx.sox, spec: members_policy("Auditors") },
        "UpdatePolicy" => {
            let mut spec = fx.w.t.policy(fx.sox_policy).expect("SOX's policy").spec.clone();
            spec.display_name = "Finance staff (edited)".into();
            Command::UpdatePolicy { policy: fx.sox_policy, spec }
        }
        "DeletePolicy" => Command::DeletePolicy { policy: x.spare_policy },
        "SubmitRequest" => submit_cmd(fx.sox, Some(fx.sox_policy)),
        "CancelRequest (Finance)" => Command::CancelRequest { request: x.ledger_request },
        "CancelRequest (Other)" => Command::CancelRequest { request: fx.travel_request },
        "CancelRequest (an outsider's)" => Command::CancelRequest { request: x.mallory_request },
        "Decide" => Command::Decide { request: x.ledger_request, approve: true, reason: "Needed".into() },
        "RequestExtension" => Command::RequestExtension { assignment: x.extendable, justification: "Still".into() },
        "RemoveOwnAssignment" => Command::RemoveOwnAssignment { assignment: fx.megan_sox },
        "AdminAssign" => Command::AdminAssign {
            package: fx.sox,
            policy: fx.sox_policy,
            user: fx.user_of("member"),
            start: None,
            end: None,
            justification: "Direct".into(),
        },
        "AdminAssign (Other)" => Command::AdminAssign {
            package: fx.travel,
            policy: *t.package(fx.travel).expect("Travel").policies.first().expect("Travel's policy"),
            user: fx.user_of("holder"),
            start: None,
            end: None,
            justification: "Direct".into(),
        },
        "AdminRemove" => Command::AdminRemove { assignment: fx.megan_sox, reason: "Done".into() },
        "DecideReview" => Command::DecideReview {
            review: fx.review,
            assignment: fx.megan_sox,
            decision: ReviewDecision::Approve,
            justification: String::new(),
        },
        "EndReview" => Command::EndReview { review: fx.review },
        "MarkRead" => Command::MarkRead { notification: None },
        "SetMode" => Command::SetMode { mode: entitle::domain::identity::Mode::Team },
        "SetLogin" => Command::SetLogin { user: fx.user_of("member"), login: Some("mem".into()) },
        "ActingAs (the persona acts as Megan)" => {
            actor = u(fx.megan);
            // Someone outside the directory has no user id: they claim one no user has.
            let by = p.user.unwrap_or(UserId(999_999));
            Command::ActingAs { by, command: Box::new(Command::MarkRead { notification: None }) }
        }
        "ActingAs (an administrator acts as the persona)" => Command::ActingAs {
            by: fx.w.admin,
            command: Box::new(Command::AdminRemove { assignment: fx.megan_sox, reason: "Done".into() }),
        },
        other => panic!("no command '{other}'"),
    };
    Entry { at, actor, command }
}

/// Rows: commands; columns: admin owner reader pkgmgr asgmgr approver reviewer member holder guest
/// blocked outsider removed removed@ creator, blocked owner, blocked admin. `A` allowed, `R` refused
/// for rights.
const EXPECTED: &[(&str, &str)] = &[
    ("Tick", "ARRRRRRRRRRRRRRRR"),
    ("AdvanceClock", "ARRRRRRRRRRRRRRRR"),
    ("SetClock", "ARRRRRRRRRRRRRRRR"),
    ("FreezeClock", "ARRRRRRRRRRRRRRRR"),
    ("CreateUser", "ARRRRRRRRRRRRRRRR"),
    ("UpdateUser", "ARRRRRRRRRRRRRRRR"),
    ("SetUserAttributes", "ARRRRRRRRRRRRRRRR"),
    ("CreateResource", "ARRRRRRRRRRRRRRRR"),
    ("AddDirectGrant", "ARRRRRRRRRRRRRRRR"),
    ("RemoveDirectGrant", "ARRRRRRRRRRRRRRRR"),
    ("CreateOrg", "ARRRRRRRRRRRRRRRR"),
    ("UpdateOrg", "ARRRRRRRRRRRRRRRR"),
    ("DeleteOrg", "ARRRRRRRRRRRRRRRR"),
    ("UpdateSettings", "ARRRRRRRRRRRRRRRR"),
    // Catalog creators create catalogs; the owner of a catalog edits it and its role holders.
    ("CreateCatalog", "ARRRRRRRRRRRRRARR"),
    ("UpdateCatalog", "AARRRRRRRRRRRRRRR"),
    ("DeleteCatalog", "AARRRRRRRRRRRRRRR"),
    ("AddCatalogResource (one the owner owns)", "AARRRRRRRRRRRRRRR"),
    ("AddCatalogResource (one the owner does not own)", "ARRRRRRRRRRRRRRRR"),
    ("RemoveCatalogResource", "AARRRRRRRRRRRRRRR"),
    ("GrantCatalogRole", "AARRRRRRRRRRRRRRR"),
    ("RevokeCatalogRole", "AARRRRRRRRRRRRRRR"),
    // Packages, their resource roles and policies: owner and access package manager.
    ("CreatePackage", "AARARRRRRRRRRRRRR"),
    ("UpdatePackage", "AARARRRRRRRRRRRRR"),
    ("DeletePackage", "AARARRRRRRRRRRRRR"),
    ("AddResourceRole", "AARARRRRRRRRRRRRR"),
    ("RemoveResourceRole", "AARARRRRRRRRRRRRR"),
    ("CreatePolicy", "AARARRRRRRRRRRRRR"),
    ("UpdatePolicy", "AARARRRRRRRRRRRRR"),
    ("DeletePolicy", "AARARRRRRRRRRRRRR"),
    // Anyone not blocked may ask; whom a policy takes (not guests, not outsiders, one assignment
    // each) is a rule of the policy, not a right.
    ("SubmitRequest", "AAAAAAAAAARARAARR"),
    // The requestor cancels their own; in a catalog, its assignment managers (and above) too.
    ("CancelRequest (Finance)", "AARAARRARRRRRRRRR"),
    ("CancelRequest (Other)", "ARRRRRRARRRRRRRRR"),
    // Someone outside the directory cancels theirs by the email they asked with.
    ("CancelRequest (an outsider's)", "ARRRRRRRRRRARRRRR"),
    // Only the approvers a stage is routed to decide it, administrators included.
    ("Decide", "RRRRRARRRRRRRRRRR"),
    ("RequestExtension", "RRRRRRRRARRRRRRRR"),
    ("RemoveOwnAssignment", "RRRRRRRRARRRRRRRR"),
    ("AdminAssign", "AARAARRRRRRRRRRRR"),
    // Roles in Finance give nothing in the Other catalog.
    ("AdminAssign (Other)", "ARRRRRRRRRRRRRRRR"),
    ("AdminRemove", "AARAARRRRRRRRRRRR"),
    ("DecideReview", "RRRRRRARRRRRRRRRR"),
    ("EndReview", "AARARRRRRRRRRRRRR"),
    // Every signed-in directory user has a mailbox.
    ("MarkRead", "AAAAAAAAAARRRRARR"),
    ("SetMode", "ARRRRRRRRRRRRRRRR"),
    ("SetLogin", "ARRRRRRRRRRRRRRRR"),
    ("ActingAs (the persona acts as Megan)", "ARRRRRRRRRRRRRRRR"),
    // Acting as someone gives their rights, not the administrator's.
    ("ActingAs (an administrator acts as the persona)", "AARAARRRRRRRRRRRR"),
];

/// What one cell did on its fresh copy of the tenant.
struct Cell {
    /// `A` allowed (applied or refused by something else than rights), `R` refused for rights.
    got: char,
    applied: bool,
    /// A refusal left the tenant as it was (serialized JSON).
    unchanged: bool,
    said: String,
}

fn run_cell(fx: &Fx, e: &Entry) -> Cell {
    let mut t = fx.w.t.clone();
    let before = serde_json::to_string(&t).expect("the tenant serializes");
    let result = t.apply(e);
    let unchanged = before == serde_json::to_string(&t).expect("the tenant serializes");
    match result {
        Ok(o) => Cell { got: 'A', applied: true, unchanged: true, said: format!("applied: {}", o.message) },
        Err(err) => Cell {
            got: if matches!(err, DomainError::Forbidden(_)) { 'R' } else { 'A' },
            applied: false,
            unchanged,
            said: format!("{} refusal: {err}", kind(&err)),
        },
    }
}

#[test]
fn every_change_as_every_persona_matches_who_may_do_what() {
    let (fx, x) = setup();
    assert_eq!(EXPECTED.len(), COMMANDS.len(), "the table covers every command");
    let mut mismatches = vec![];
    let mut checked = 0;
    for ((what, row), listed) in EXPECTED.iter().zip(COMMANDS) {
        assert_eq!(what, listed, "the table follows the command list");
        let cells: Vec<char> = row.chars().collect();
        assert_eq!(cells.len(), fx.people.len(), "{what}: one cell per persona");
        let mut applied_once = false;
        for (p, want) in fx.people.iter().zip(cells) {
            checked += 1;
            let c = run_cell(&fx, &entry(&fx, &x, what, p));
            applied_once |= c.applied;
            if c.got != want {
                mismatches.push(format!("{what} as {}: expected {want}, got {} ({})", p.name, c.got, c.said));
            }
            if !c.unchanged {
                mismatches.push(format!("{what} as {}: refused, yet changed the tenant ({})", p.name, c.said));
            }
        }
        if !applied_once {
            mismatches.push(format!("{what}: no persona's command was applied: its arguments are wrong"));
        }
    }
    assert!(mismatches.is_empty(), "{} of {checked} cells differ:\n{}", mismatches.len(), mismatches.join("\n"));
    assert_eq!(checked, 47 * 17, "commands x personas");
}

#[test]
fn the_matrix_covers_every_command_variant() {
    let (fx, x) = setup();
    let admin = fx.persona("admin");
    let ops: BTreeSet<String> = COMMANDS
        .iter()
        .map(|what| {
            let json = serde_json::to_value(entry(&fx, &x, what, admin).command).expect("serializes");
            json["op"].as_str().expect("every command has an op").to_string()
        })
        .collect();
    // `Command` has 42 variants (src/domain/command.rs); a new one must join the matrix.
    assert_eq!(ops.len(), 42, "{ops:?}");
}
