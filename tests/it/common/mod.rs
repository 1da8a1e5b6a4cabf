//! The fixture every scenario test builds on: a tenant with a frozen clock at 2026-01-05 09:00 UTC,
//! a global administrator, the built-in General catalog, and helpers that create objects through
//! domain commands (never by poking at the structs) and hand back their ids.
#![allow(dead_code)]

pub mod demo_ui;
pub mod keys;
pub mod personas;
pub mod policy_ui;
pub mod random;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, TimeZone, Utc};
use entitle::domain::*;

/// The fixed instant every test starts at.
pub fn t0() -> Time {
    Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap()
}

pub fn days(n: i64) -> Duration {
    Duration::days(n)
}

/// A user as an actor.
pub fn u(id: UserId) -> Actor {
    Actor::user(id)
}

/// Someone outside the directory, known by email.
pub fn ext(email: &str, name: &str) -> Actor {
    Actor::external(email, name)
}

pub fn sys() -> Actor {
    Actor::System
}

/// A stage decided by the given approvers, portal defaults otherwise (14 days, reason required).
pub fn stage(approvers: Vec<Approver>) -> ApprovalStage {
    ApprovalStage::new(approvers)
}

pub fn by(user: UserId) -> Approver {
    Approver::User { user }
}

/// The "who can request" of a policy open to every member, no approval, 365 days.
pub fn members_policy(name: &str) -> PolicySpec {
    PolicySpec::new(name, RequestScope::AllMembers)
}

/// A members' policy with one approval stage by `approvers`.
pub fn approval_policy(approvers: Vec<Approver>) -> PolicySpec {
    let mut spec = members_policy("With approval");
    spec.stages = vec![stage(approvers)];
    spec
}

/// A members' policy whose assignments last `d` days.
pub fn days_policy(name: &str, d: u32) -> PolicySpec {
    let mut spec = members_policy(name);
    spec.lifecycle.expiration = Expiration::AfterDays(d);
    spec
}

pub struct World {
    pub t: Tenant,
    pub admin: UserId,
    pub general: CatalogId,
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

impl World {
    pub fn new() -> Self {
        let mut t = Tenant::new("Contoso", Clock::frozen_at(t0()));
        let general = t.install_general_catalog();
        let mut w = World { t, admin: UserId(0), general };
        w.admin = w.user_spec(UserSpec {
            display_name: "Ada Admin".into(),
            email: "ada@contoso.com".into(),
            user_type: UserType::Member,
            manager: None,
            department: String::new(),
            job_title: String::new(),
            home_org: None,
            global_admin: true,
        });
        w
    }

    pub fn now(&self) -> Time {
        self.t.clock.now
    }

    // ----- running commands -----

    /// Apply a command at the tenant's current time.
    pub fn apply(&mut self, actor: &Actor, command: Command) -> DomainResult<Outcome> {
        let at = self.t.clock.now;
        self.t.apply(&Entry { at, actor: actor.clone(), command })
    }

    /// Apply a command that must succeed.
    #[track_caller]
    pub fn run(&mut self, actor: &Actor, command: Command) -> Outcome {
        let c = command.clone();
        match self.apply(actor, command) {
            Ok(o) => o,
            Err(e) => panic!("{actor:?} {c:?} was refused: {e:?}"),
        }
    }

    /// Apply a command that must be refused, and check that the refusal changed nothing.
    #[track_caller]
    pub fn refuse(&mut self, actor: &Actor, command: Command) -> DomainError {
        let before = serde_json::to_string(&self.t).unwrap();
        let c = command.clone();
        match self.apply(actor, command) {
            Ok(o) => panic!("{actor:?} {c:?} should have been refused, but: {}", o.message),
            Err(e) => {
                let after = serde_json::to_string(&self.t).unwrap();
                assert!(before == after, "the refused command {c:?} changed the tenant");
                e
            }
        }
    }

    /// Run as the system (setup only).
    #[track_caller]
    pub fn sys(&mut self, command: Command) -> Outcome {
        self.run(&Actor::System, command)
    }

    /// Move the clock forward with a `Tick`, firing what falls due.
    pub fn advance(&mut self, d: i64) -> Fired {
        self.advance_by(Duration::days(d))
    }

    pub fn advance_by(&mut self, d: Duration) -> Fired {
        let to = self.t.clock.now + d;
        self.tick_to(to)
    }

    pub fn tick_to(&mut self, to: Time) -> Fired {
        self.t.apply(&Entry { at: to, actor: Actor::System, command: Command::Tick }).expect("tick").fired
    }

    // ----- directory -----

    #[track_caller]
    pub fn user_spec(&mut self, spec: UserSpec) -> UserId {
        id_of(&self.sys(Command::CreateUser { spec }))
    }

    /// A member `name@contoso.com`.
    pub fn user(&mut self, name: &str) -> UserId {
        self.user_spec(member_spec(name, None))
    }

    /// A member with a manager.
    pub fn user_managed(&mut self, name: &str, manager: UserId) -> UserId {
        self.user_spec(member_spec(name, Some(manager)))
    }

    /// A guest from a partner (not created by entitlement management).
    pub fn guest(&mut self, name: &str, email: &str, org: Option<OrgId>) -> UserId {
        let mut spec = member_spec(name, None);
        spec.email = email.into();
        spec.user_type = UserType::Guest;
        spec.home_org = org;
        self.user_spec(spec)
    }

    pub fn set_enabled(&mut self, user: UserId, enabled: bool) {
        let x = self.t.user(user).unwrap().clone();
        let spec = UserSpec {
            display_name: x.display_name,
            email: x.email,
            user_type: x.user_type,
            manager: x.manager,
            department: x.department,
            job_title: x.job_title,
            home_org: x.home_org,
            global_admin: x.global_admin,
        };
        self.sys(Command::UpdateUser { user, spec, enabled });
    }

    pub fn resource(&mut self, spec: ResourceSpec) -> ResourceId {
        id_of(&self.sys(Command::CreateResource { spec }))
    }

    /// A Team (group with Member/Owner roles).
    pub fn team(&mut self, name: &str) -> ResourceId {
        self.resource(ResourceSpec::group(name, GroupType::Team))
    }

    /// A security group owned by the given users.
    pub fn group_owned(&mut self, name: &str, owners: &[UserId]) -> ResourceId {
        let mut spec = ResourceSpec::group(name, GroupType::Security);
        spec.owners = owners.iter().copied().collect();
        self.resource(spec)
    }

    pub fn app(&mut self, name: &str) -> ResourceId {
        self.resource(ResourceSpec {
            display_name: name.into(),
            description: String::new(),
            kind: ResourceKind::Application,
            roles: vec!["User".into(), "Admin".into()],
            owners: BTreeSet::new(),
        })
    }

    pub fn site(&mut self, name: &str) -> ResourceId {
        self.resource(ResourceSpec {
            display_name: name.into(),
            description: String::new(),
            kind: ResourceKind::Site { url: format!("https://contoso.sharepoint.com/sites/{name}") },
            roles: vec![],
            owners: BTreeSet::new(),
        })
    }

    pub fn direct(&mut self, user: UserId, resource: ResourceId, role: &str) {
        self.sys(Command::AddDirectGrant { user, resource, role: role.into() });
    }

    pub fn org(&mut self, name: &str, domain: &str, sponsors: &[UserId]) -> OrgId {
        self.org_spec(OrgSpec {
            display_name: name.into(),
            description: String::new(),
            domains: vec![domain.into()],
            tenant_id: None,
            state: OrgState::Configured,
            internal_sponsors: sponsors.iter().copied().collect(),
            external_sponsors: BTreeSet::new(),
        })
    }

    pub fn org_spec(&mut self, spec: OrgSpec) -> OrgId {
        id_of(&self.sys(Command::CreateOrg { spec }))
    }

    pub fn settings(&mut self, f: impl FnOnce(&mut Settings)) {
        let mut s = self.t.settings.clone();
        f(&mut s);
        self.sys(Command::UpdateSettings { settings: s });
    }

    // ----- catalogs, packages, policies -----

    /// An enabled catalog, also enabled for external users.
    pub fn catalog(&mut self, name: &str) -> CatalogId {
        self.catalog_as(&Actor::System, name)
    }

    pub fn catalog_as(&mut self, actor: &Actor, name: &str) -> CatalogId {
        let spec = CatalogSpec { display_name: name.into(), description: String::new(), enabled: true, external: true };
        id_of(&self.run(actor, Command::CreateCatalog { spec }))
    }

    pub fn update_catalog(&mut self, catalog: CatalogId, enabled: bool, external: bool) {
        let c = self.t.catalog(catalog).unwrap().clone();
        let spec = CatalogSpec { display_name: c.display_name, description: c.description, enabled, external };
        self.sys(Command::UpdateCatalog { catalog, spec });
    }

    pub fn grant_role(&mut self, catalog: CatalogId, user: UserId, role: CatalogRole) {
        self.sys(Command::GrantCatalogRole { catalog, user, role });
    }

    pub fn add_to_catalog(&mut self, catalog: CatalogId, resource: ResourceId) {
        self.sys(Command::AddCatalogResource { catalog, resource });
    }

    pub fn package(&mut self, catalog: CatalogId, name: &str) -> PackageId {
        self.package_spec(catalog, pkg_spec(name))
    }

    pub fn package_spec(&mut self, catalog: CatalogId, spec: PackageSpec) -> PackageId {
        id_of(&self.sys(Command::CreatePackage { catalog, spec }))
    }

    pub fn add_role(&mut self, package: PackageId, resource: ResourceId, role: &str) {
        self.sys(Command::AddResourceRole { package, resource, role: role.into() });
    }

    pub fn policy(&mut self, package: PackageId, spec: PolicySpec) -> PolicyId {
        id_of(&self.sys(Command::CreatePolicy { package, spec }))
    }

    pub fn update_policy(&mut self, policy: PolicyId, f: impl FnOnce(&mut PolicySpec)) {
        let mut spec = self.t.policy(policy).unwrap().spec.clone();
        f(&mut spec);
        self.sys(Command::UpdatePolicy { policy, spec });
    }

    /// A catalog with one Team in it and a package granting the Team's Member role under one policy.
    pub fn lab(&mut self, policy: PolicySpec) -> Lab {
        let catalog = self.catalog("Lab");
        let team = self.team("Lab Team");
        self.add_to_catalog(catalog, team);
        let package = self.package(catalog, "Lab Access");
        self.add_role(package, team, "Member");
        let policy = self.policy(package, policy);
        Lab { catalog, team, package, policy }
    }

    // ----- requests -----

    pub fn submit(&mut self, actor: &Actor, package: PackageId) -> DomainResult<Outcome> {
        self.apply(actor, submit_cmd(package, None))
    }

    /// Request a package with a justification through the only matching policy; returns the request.
    #[track_caller]
    pub fn request(&mut self, actor: &Actor, package: PackageId) -> RequestId {
        id_of(&self.run(actor, submit_cmd(package, None)))
    }

    #[track_caller]
    pub fn request_via(&mut self, actor: &Actor, package: PackageId, policy: PolicyId) -> RequestId {
        id_of(&self.run(actor, submit_cmd(package, Some(policy))))
    }

    #[track_caller]
    pub fn approve(&mut self, approver: UserId, request: RequestId) -> Outcome {
        self.run(&u(approver), Command::Decide { request, approve: true, reason: "Looks right".into() })
    }

    #[track_caller]
    pub fn deny(&mut self, approver: UserId, request: RequestId) -> Outcome {
        self.run(&u(approver), Command::Decide { request, approve: false, reason: "Not needed".into() })
    }

    #[track_caller]
    pub fn admin_assign(&mut self, package: PackageId, policy: PolicyId, user: UserId) -> RequestId {
        id_of(&self.sys(Command::AdminAssign {
            package,
            policy,
            user,
            start: None,
            end: None,
            justification: "Direct".into(),
        }))
    }

    // ----- reading -----

    pub fn req(&self, id: RequestId) -> &Request {
        self.t.request_in_memory(id).unwrap()
    }

    pub fn state(&self, id: RequestId) -> RequestState {
        self.req(id).state
    }

    pub fn asg(&self, id: AssignmentId) -> &Assignment {
        self.t.assignment(id).unwrap()
    }

    /// The assignment a request delivered.
    #[track_caller]
    pub fn asg_of(&self, req: RequestId) -> &Assignment {
        let id = self.req(req).assignment.unwrap_or_else(|| panic!("{req} has no assignment"));
        self.asg(id)
    }

    pub fn active(&self, user: UserId, package: PackageId) -> Option<&Assignment> {
        self.t.active_assignment(user, package)
    }

    pub fn holds(&self, user: UserId, resource: ResourceId, role: &str) -> bool {
        self.t.holds(user, resource, role)
    }

    pub fn sources(&self, user: UserId, resource: ResourceId, role: &str) -> BTreeSet<GrantSource> {
        self.t
            .grants
            .get(&GrantKey { user, resource, role: role.into() })
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }

    /// The notifications of a kind a user received, oldest first.
    pub fn mail(&self, user: UserId, kind: &str) -> Vec<Notification> {
        self.t.notifications_of(user).filter(|n| n.kind == kind).collect()
    }

    pub fn inbox(&self, user: UserId) -> Vec<RequestId> {
        self.t.inbox(user).map(|r| r.id).collect()
    }

    /// The package ids the actor sees in My Access.
    pub fn my_access(&self, actor: &Actor) -> Vec<PackageId> {
        self.t.available_packages(actor).into_iter().map(|(p, _)| p.id).collect()
    }

    pub fn reviews_of(&self, policy: PolicyId) -> Vec<&Review> {
        self.t.reviews.values().filter(|r| r.policy == policy).collect()
    }

    pub fn requests_of_type(&self, user: UserId, kind: RequestType) -> Vec<&Request> {
        self.t.requests_in_memory().filter(|r| r.target_user() == Some(user) && r.request_type == kind).collect()
    }

    pub fn audit_has(&self, activity: &str, object: impl Into<ObjectRef>) -> bool {
        let object = object.into();
        self.t.audit.iter().any(|e| e.activity == activity && e.object.is(object))
    }
}

pub struct Lab {
    pub catalog: CatalogId,
    pub team: ResourceId,
    pub package: PackageId,
    pub policy: PolicyId,
}

pub fn member_spec(name: &str, manager: Option<UserId>) -> UserSpec {
    UserSpec {
        display_name: name.into(),
        email: format!("{}@contoso.com", name.to_lowercase().replace(' ', ".")),
        user_type: UserType::Member,
        manager,
        department: String::new(),
        job_title: String::new(),
        home_org: None,
        global_admin: false,
    }
}

pub fn pkg_spec(name: &str) -> PackageSpec {
    PackageSpec { display_name: name.into(), description: String::new(), hidden: false, sensitive: false }
}

pub fn submit_cmd(package: PackageId, policy: Option<PolicyId>) -> Command {
    Command::SubmitRequest {
        package,
        policy,
        justification: "I need it for my work".into(),
        answers: BTreeMap::new(),
        start: None,
    }
}

/// The id an outcome created, parsed into its type.
#[track_caller]
pub fn id_of<T: std::str::FromStr>(o: &Outcome) -> T
where
    T::Err: std::fmt::Debug,
{
    o.created.unwrap_or_else(|| panic!("nothing created: {}", o.message)).to_string().parse().unwrap()
}

/// The kind of a refusal, for compact asserts.
pub fn kind(e: &DomainError) -> &'static str {
    match e {
        DomainError::NotFound(_) => "NotFound",
        DomainError::Forbidden(_) => "Forbidden",
        DomainError::Rule(_) => "Rule",
        // A value out of its range is invalid input; `DomainError::field` says which field.
        DomainError::Invalid(_) | DomainError::OutOfRange { .. } => "Invalid",
        DomainError::Limit(_) => "Limit",
        DomainError::Incompatible { .. } => "Incompatible",
        DomainError::Extension { .. } => "Extension",
        DomainError::Config { refusal, .. } => kind(refusal),
    }
}

pub fn msg(e: &DomainError) -> String {
    e.to_string()
}
