//! Building the scale tenant, command by command. See the module docs in `mod.rs` for its shape.

use std::collections::BTreeMap;

use anyhow::{Context, Result, anyhow, bail};
use chrono::{Duration, TimeZone, Utc};

use super::rng::Rng;
use super::{GenReport, ScaleParams};
use crate::domain::*;

/// Packages per catalog (the default limit is 30).
const PER_CATALOG: usize = 25;
/// Resources (groups) per catalog; each package grants one of them.
const RESOURCES_PER_CATALOG: usize = 3;
/// Days of history; the pending requests land in the last few, inside their stage timeout.
const DAYS: usize = 120;

/// What an item of history becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Direct,
    Approved,
    Denied,
    /// Waiting at stage one, or (with `true`) approved at stage one and waiting at stage two.
    Pending(bool),
}

/// The ids the history needs for one package.
#[derive(Debug, Clone, Copy)]
struct Pkg {
    id: PackageId,
    direct: PolicyId,
    request: PolicyId,
    /// The two stage approvers (staff of its catalog).
    approvers: [UserId; 2],
}

struct Builder {
    t: Tenant,
    admin: Actor,
    commands: u64,
}

/// Build the scale tenant in memory.
pub fn build(p: ScaleParams) -> Result<(Tenant, GenReport)> {
    let start = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).single().ok_or_else(|| anyhow!("start time"))?;
    let mut b = Builder { t: Tenant::new("Scale", Clock::frozen_at(start)), admin: Actor::System, commands: 0 };
    b.t.install_general_catalog();
    let mut rng = Rng::new(p.seed);

    let catalogs = p.packages.div_ceil(PER_CATALOG).max(1);
    let admin = b.user(&Actor::System, 0, true, None)?;
    b.admin = Actor::user(admin);
    // A tenant this size fires millions of timers in a year: its administrator raises the limit of
    // one clock move (the default, 10,000, suits the demo) so that a year is one move.
    let mut settings = b.t.settings.clone();
    settings.limits.timers_per_clock_move = crate::domain::bounds::TIMERS_PER_CLOCK_MOVE.max;
    let actor = b.admin.clone();
    b.run(&actor, Command::UpdateSettings { settings })?;
    // Two staff per catalog (owner and second approver), then everyone else.
    let staff_count = catalogs.saturating_mul(2);
    if p.users < staff_count.saturating_add(10) {
        bail!("{} users are too few for {} catalogs: the generator needs two staff per catalog", p.users, catalogs);
    }
    let mut users = Vec::with_capacity(p.users);
    for i in 1..=p.users {
        let manager = users.get(i % staff_count.max(1)).copied().filter(|_| i > staff_count);
        let actor = b.admin.clone();
        users.push(b.user(&actor, i, false, manager)?);
    }
    let (staff, people) = users.split_at(staff_count);

    let direct_per_package = p.assignments.saturating_sub(delivered(&p)) / p.packages.max(1);
    let reviewed = p.reviews.div_ceil(direct_per_package.max(1)).min(p.packages);
    let review_start = start
        .checked_add_signed(Duration::days(i64::try_from(DAYS).unwrap_or(0) - 2))
        .ok_or_else(|| anyhow!("review start"))?;
    let mut pkgs = Vec::with_capacity(p.packages);
    for c in 0..catalogs {
        let owner = *staff.get(2 * c).ok_or_else(|| anyhow!("staff"))?;
        let second = *staff.get(2 * c + 1).ok_or_else(|| anyhow!("staff"))?;
        let (catalog, groups) = b.catalog(c, owner)?;
        for k in 0..PER_CATALOG {
            let n = c * PER_CATALOG + k;
            if n >= p.packages {
                break;
            }
            let group = *groups.get(k % groups.len().max(1)).ok_or_else(|| anyhow!("groups"))?;
            let review = (n < reviewed).then(|| review_settings(review_start, owner));
            pkgs.push(b.package(n, catalog, group, [owner, second], review)?);
        }
    }

    b.history(&p, &mut rng, people, &pkgs, start)?;
    let report = report(&b.t, b.commands);
    Ok((b.t, report))
}

/// Requests approved at both stages: those neither pending nor denied.
fn delivered(p: &ScaleParams) -> usize {
    let decided = p.requests.saturating_sub(p.pending);
    decided.saturating_sub(decided / 10)
}

fn review_settings(starts_on: Time, reviewer: UserId) -> ReviewSettings {
    ReviewSettings {
        frequency: ReviewFrequency::Annually,
        starts_on,
        duration_days: 14,
        reviewers: vec![Reviewer::User { user: reviewer }],
        fallback: vec![],
        no_response: NoResponse::Keep,
        before_expiry_days: None,
    }
}

fn last<K: Copy, V>(map: &BTreeMap<K, V>, what: &str) -> Result<K> {
    map.keys().next_back().copied().ok_or_else(|| anyhow!("no {what} was created"))
}

impl Builder {
    fn run(&mut self, actor: &Actor, command: Command) -> Result<Outcome> {
        let entry = Entry { at: self.t.now(), actor: actor.clone(), command };
        self.commands = self.commands.saturating_add(1);
        self.t.apply(&entry).map_err(|e| anyhow!("{e}")).with_context(|| format!("{:?}", entry.command))
    }

    fn tick_to(&mut self, at: Time) -> Result<()> {
        if at > self.t.now() {
            let entry = Entry { at, actor: Actor::System, command: Command::Tick };
            self.commands = self.commands.saturating_add(1);
            self.t.apply(&entry).map_err(|e| anyhow!("moving the clock: {e}"))?;
        }
        Ok(())
    }

    fn user(&mut self, by: &Actor, i: usize, global_admin: bool, manager: Option<UserId>) -> Result<UserId> {
        let spec = UserSpec {
            display_name: if global_admin { "Scale Admin".into() } else { format!("User {i:06}") },
            email: format!("user{i}@scale.example"),
            user_type: UserType::Member,
            manager,
            department: format!("Dept {:03}", i % 200),
            job_title: "Staff".into(),
            home_org: None,
            global_admin,
        };
        self.run(by, Command::CreateUser { spec })?;
        last(&self.t.users, "user")
    }

    fn catalog(&mut self, c: usize, owner: UserId) -> Result<(CatalogId, Vec<ResourceId>)> {
        let admin = self.admin.clone();
        let spec = CatalogSpec {
            display_name: format!("Catalog {c:05}"),
            description: String::new(),
            enabled: true,
            external: false,
        };
        self.run(&admin, Command::CreateCatalog { spec })?;
        let catalog = last(&self.t.catalogs, "catalog")?;
        let mut groups = vec![];
        for g in 0..RESOURCES_PER_CATALOG {
            let spec = ResourceSpec::group(&format!("Group {c:05}-{g}"), GroupType::Security);
            self.run(&admin, Command::CreateResource { spec })?;
            let resource = last(&self.t.resources, "resource")?;
            self.run(&admin, Command::AddCatalogResource { catalog, resource })?;
            groups.push(resource);
        }
        self.run(&admin, Command::GrantCatalogRole { catalog, user: owner, role: CatalogRole::Owner })?;
        Ok((catalog, groups))
    }

    fn package(
        &mut self,
        n: usize,
        catalog: CatalogId,
        group: ResourceId,
        approvers: [UserId; 2],
        review: Option<ReviewSettings>,
    ) -> Result<Pkg> {
        let admin = self.admin.clone();
        let spec = PackageSpec {
            display_name: format!("Package {n:06}"),
            description: String::new(),
            hidden: false,
            sensitive: false,
        };
        self.run(&admin, Command::CreatePackage { catalog, spec })?;
        let id = last(&self.t.packages, "package")?;
        self.run(&admin, Command::AddResourceRole { package: id, resource: group, role: "Member".into() })?;
        let mut direct = PolicySpec::new("Direct", RequestScope::AdminOnly);
        if n % 4 == 3 {
            direct.lifecycle.expiration = Expiration::Never;
        }
        direct.review = review;
        self.run(&admin, Command::CreatePolicy { package: id, spec: direct })?;
        let direct = last(&self.t.policies, "policy")?;
        let mut request = PolicySpec::new("Request", RequestScope::AllMembers);
        request.stages = approvers.iter().map(|a| ApprovalStage::new(vec![Approver::User { user: *a }])).collect();
        request.lifecycle.expiration = Expiration::AfterDays(180);
        self.run(&admin, Command::CreatePolicy { package: id, spec: request })?;
        let request = last(&self.t.policies, "policy")?;
        Ok(Pkg { id, direct, request, approvers })
    }

    /// Direct assignments and requests spread over `DAYS` days, pending requests last. Each
    /// person's items go to distinct packages: item `j` of a person is package
    /// `(base + j * step) % packages`, with `step * slots <= packages`.
    fn history(&mut self, p: &ScaleParams, rng: &mut Rng, people: &[UserId], pkgs: &[Pkg], start: Time) -> Result<()> {
        let approved = delivered(p);
        let denied = p.requests.saturating_sub(p.pending).saturating_sub(approved);
        let direct = p.assignments.saturating_sub(approved);
        let mut kinds: Vec<Kind> = std::iter::repeat_n(Kind::Direct, direct)
            .chain(std::iter::repeat_n(Kind::Approved, approved))
            .chain(std::iter::repeat_n(Kind::Denied, denied))
            .collect();
        rng.shuffle(&mut kinds);
        kinds.extend((0..p.pending).map(|i| Kind::Pending(i % 2 == 1)));
        let total = kinds.len();
        let slots = total.div_ceil(people.len().max(1));
        if slots > pkgs.len() {
            bail!("{} packages are too few for {} items per person", pkgs.len(), slots);
        }
        let step = (pkgs.len() / slots.max(1)).max(1);
        let base: Vec<usize> = people.iter().map(|_| rng.below(pkgs.len())).collect();
        for (i, kind) in kinds.into_iter().enumerate() {
            let day = i.saturating_mul(DAYS) / total.max(1);
            let at = start
                .checked_add_signed(Duration::days(i64::try_from(day).unwrap_or(0)))
                .ok_or_else(|| anyhow!("day {day}"))?;
            self.tick_to(at)?;
            let who = i % people.len().max(1);
            let slot = i / people.len().max(1);
            let user = *people.get(who).ok_or_else(|| anyhow!("person {who}"))?;
            let b = *base.get(who).ok_or_else(|| anyhow!("person {who}"))?;
            let n = b.saturating_add(slot.saturating_mul(step)) % pkgs.len().max(1);
            let pkg = *pkgs.get(n).ok_or_else(|| anyhow!("package {n}"))?;
            self.item(kind, user, pkg)?;
        }
        let end =
            start.checked_add_signed(Duration::days(i64::try_from(DAYS).unwrap_or(0))).ok_or_else(|| anyhow!("end"))?;
        self.tick_to(end)
    }

    fn item(&mut self, kind: Kind, user: UserId, pkg: Pkg) -> Result<()> {
        if kind == Kind::Direct {
            let admin = self.admin.clone();
            let command = Command::AdminAssign {
                package: pkg.id,
                policy: pkg.direct,
                user,
                start: None,
                end: None,
                justification: "Provisioned by the scale generator".into(),
            };
            self.run(&admin, command)?;
            return Ok(());
        }
        let command = Command::SubmitRequest {
            package: pkg.id,
            policy: Some(pkg.request),
            justification: "Needed for my work".into(),
            answers: BTreeMap::new(),
            start: None,
        };
        let out = self.run(&Actor::user(user), command)?;
        let request: RequestId =
            out.created.and_then(|c| c.request()).ok_or_else(|| anyhow!("no request was created"))?;
        let [first, second] = pkg.approvers;
        let decide = |approve: bool| Command::Decide { request, approve, reason: "Reviewed".into() };
        match kind {
            Kind::Direct | Kind::Pending(false) => {}
            Kind::Pending(true) => {
                self.run(&Actor::user(first), decide(true))?;
            }
            Kind::Denied => {
                self.run(&Actor::user(first), decide(false))?;
            }
            Kind::Approved => {
                self.run(&Actor::user(first), decide(true))?;
                self.run(&Actor::user(second), decide(true))?;
            }
        }
        Ok(())
    }
}

fn report(t: &Tenant, commands: u64) -> GenReport {
    let by_users = || t.requests_in_memory().filter(|r| r.request_type == RequestType::UserAdd);
    GenReport {
        users: t.users.len(),
        packages: t.packages.len(),
        active_assignments: t.assignments.values().filter(|a| a.is_active()).count(),
        user_requests: by_users().count(),
        pending_requests: by_users().filter(|r| r.state.is_open()).count(),
        request_records: t.requests.len().saturating_add(t.finished.len()),
        open_review_decisions: t
            .reviews
            .values()
            .filter(|r| r.state == ReviewState::InProgress)
            .map(|r| r.items.iter().filter(|i| i.decision.is_none()).count())
            .sum(),
        audit_events: t.audit.len(),
        notifications: t.notifications.len(),
        grants: t.grants.len(),
        commands,
    }
}
