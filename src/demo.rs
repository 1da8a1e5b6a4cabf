//! The demo tenant: `assets/demo.json`, a hand-editable script that builds a believable tenant
//! through the domain's own commands, so that every rule is checked and the audit log is real.
//!
//! # The script format
//!
//! One JSON object. Everything is referred to by **name** (a user's display name or email, a
//! resource's, catalog's, package's, policy's or connected organization's display name), never by
//! id. Unknown fields are refused, so a typo is an error rather than a silent default.
//!
//! ```json
//! {
//!   "tenant": "Contoso",
//!   "about": "free text",
//!   "start": "2026-05-25T09:00:00Z",      // the clock starts here, frozen
//!   "now":   "2026-11-16T09:00:00Z",      // optional: where the story must end; the clock stays frozen there
//!   "settings": { "catalogCreators": ["Lee Gu"], "externalLifecycle": { "type": "blockThenRemove", "days": 30 } },
//!   "users": [ { "name": "Adele Vance", "email": "adelev@contoso.com", "type": "member",
//!                "manager": "Nestor Wilke", "department": "IT", "jobTitle": "...", "globalAdmin": false,
//!                "homeOrg": "Partner1" /* guests only */ } ],
//!   "resources": [ { "name": "Finance Close", "type": "site", "url": "https://...", "roles": ["Visitor", "Member"],
//!                    "owners": ["Debra Berger"], "members": [["Lynne Robbins", "Member"]] } ],
//!   "connectedOrganizations": [ { "name": "Azureblog", "domains": ["azureblog.net"], "state": "configured",
//!                                 "internalSponsors": ["Adele Vance"], "externalSponsors": [] } ],
//!   "catalogs": [ { "name": "Finance", "enabled": true, "external": false, "by": "Debra Berger",
//!                   "resources": ["Finance Close"], "roles": [["Joni Sherman", "reader"]] } ],
//!   "packages": [ { "name": "SOX Finance Reporting", "catalog": "Finance", "by": "Debra Berger",
//!                   "sensitive": true, "hidden": false, "resourceRoles": [["Finance Close", "Member"]],
//!                   "policies": [ /* the domain's PolicySpec, with names for ids */ ] } ],
//!   "story": [ { "do": "wait", "for": "3d" }, ... ]
//! }
//! ```
//!
//! * Resource `type`: `security`, `m365`, `team` (groups), `application`, `site` (needs `url`).
//!   `roles` empty means the kind's defaults. `members` are memberships that exist outside any
//!   access package before the story starts (`[user, role]`).
//! * Catalog `roles`: `[user, role]` with role `owner`, `reader`, `accessPackageManager` or
//!   `accessPackageAssignmentManager`. A catalog named like the built-in "General" reuses it.
//! * Policies have the shape of the domain's `PolicySpec` (camelCase), with names where the domain
//!   has ids: `scope` (`{"type": "specificUsers", "users": [..], "groups": [..]}`,
//!   `{"type": "specificOrgs", "orgs": ["Azureblog"]}`, `allMembers`, ...), approvers
//!   (`{"type": "user", "user": "Adele Vance"}`, `{"type": "groupMembers", "group": ".."}`, `manager`,
//!   `internalSponsors`, ...), `review.reviewers` and `review.fallback`. Questions get the ids 1, 2, ...
//!   in order unless they give an `id`. `lifecycle` is the domain's `Lifecycle` as is.
//! * `by` on a catalog or package is who creates and configures it (a catalog's creator becomes its
//!   owner); it defaults to the first global administrator, as does `by` on `assign`, `remove`,
//!   `addDirect` and `removeDirect` steps.
//!
//! ## Story steps (`"do"`), numbered from 1 in error messages
//!
//! | do | fields | what happens |
//! |---|---|---|
//! | `wait` | `for` ("3d", "12h", "1w", "1d12h") or `until` (an instant) | the clock moves; timers fire |
//! | `request` | `by` or `external` {name, email}; `package`, `policy`?, `justification`, `answers`, `start`? | a request as the requestor |
//! | `approve` / `deny` | `by`, `package`, `for`, `reason` | the approver decides the open request or extension |
//! | `cancel` | `by`, `package`, `for`? | the requestor (or an assignment manager) cancels |
//! | `assign` | `by`?, `package`, `to`, `policy`?, `justification`, `start`?, `end`? | direct assignment |
//! | `remove` | `by`?, `package`, `from`, `reason` | an assignment manager removes an assignment |
//! | `removeOwn` | `by`, `package` | the assignee removes their own |
//! | `extend` | `by`, `package`, `justification` | the assignee asks for an extension |
//! | `addDirect` / `removeDirect` | `by`?, `user`, `resource`, `role` | a membership outside any package |
//! | `review` | `by`, `package`, `user`, `decision` (approve, deny, dontKnow), `justification` | a reviewer decides |
//! | `endReview` | `by`, `package` | a package manager ends the open review |
//! | `markRead` | `by` | the user reads their notifications |
//!
//! `answers` are keyed by question number (`"1"`) or question text. `for` names whose request it is:
//! a user's display name or email, or the name or email an external requestor gave. Time passes
//! by `Tick` (timers fire, nothing is audited); at the end the system sets the clock to `now`,
//! which leaves it frozen there. Every step may carry a `note` for the reader. Setup runs in this order: the first global
//! administrator (by the system), the other users without a home organization (by that
//! administrator, managers before their reports), connected organizations, users with a home
//! organization, settings, resources and their direct members, catalogs, packages, then the story;
//! packages with an automatic policy last, once the story has shaped the directory (their rule
//! assigns it as the story left it).

mod extensions;
mod names;
mod story;

use anyhow::{Result, anyhow, bail};

use crate::domain::*;
use names::{NamedUser, Script, user};

/// The embedded demo script.
pub const DEMO_JSON: &str = include_str!("../assets/demo.json");

/// The demo tenant, built from the embedded script.
pub fn demo_tenant() -> Result<Tenant> {
    load_script(DEMO_JSON)
}

/// Build a tenant from a script in the format above. Errors name the step and what was wrong.
pub fn load_script(json: &str) -> Result<Tenant> {
    let script: Script = serde_json::from_str(json).map_err(|e| anyhow!("demo script is not valid: {e}"))?;
    let mut l = Loader { t: Tenant::new(&script.tenant, Clock::frozen_at(script.start)), admin: Actor::System };
    l.t.install_general_catalog();
    l.setup(&script)?;
    for (i, step) in script.story.iter().enumerate() {
        l.step(step).map_err(|e| anyhow!("story step {} ({}): {e:#}", i + 1, step.describe()))?;
    }
    l.automatic_packages(&script)?;
    let end = script.now.unwrap_or_else(|| l.t.now());
    if end < l.t.now() {
        bail!(
            "the story ends at {} but \"now\" is {}: remove a wait or move \"now\"",
            l.t.now().format("%Y-%m-%d %H:%M"),
            end.format("%Y-%m-%d %H:%M")
        );
    }
    // Move to "now" and leave the clock frozen there.
    l.t.apply(&Entry { at: end, actor: Actor::System, command: Command::SetClock { to: end } })
        .map_err(|e| anyhow!("setting the clock to \"now\": {e}"))?;
    Ok(l.t)
}

pub(crate) struct Loader {
    t: Tenant,
    /// The first global administrator, who does the configuration nobody else is named for.
    admin: Actor,
}

impl Loader {
    fn run(&mut self, actor: &Actor, command: Command) -> Result<Outcome> {
        let entry = Entry { at: self.t.now(), actor: actor.clone(), command };
        Ok(self.t.apply(&entry)?)
    }

    fn actor(&self, by: &Option<String>) -> Result<Actor> {
        match by {
            Some(b) => Ok(Actor::user(user(&self.t, b)?)),
            None => Ok(self.admin.clone()),
        }
    }

    fn setup(&mut self, s: &Script) -> Result<()> {
        let Some(first) = s.users.iter().find(|u| u.global_admin) else {
            bail!("users: the script needs a global administrator (\"globalAdmin\": true) to set the tenant up");
        };
        self.create_user(first).map_err(|e| anyhow!("user '{}': {e:#}", first.name))?;
        self.admin = Actor::user(user(&self.t, &first.email)?);
        let rest: Vec<&NamedUser> = s.users.iter().filter(|u| !std::ptr::eq(*u, first)).collect();
        let (internal, homed): (Vec<&NamedUser>, Vec<&NamedUser>) =
            rest.into_iter().partition(|u| u.home_org.is_none());
        self.create_users(&internal)?;
        for o in &s.connected_organizations {
            let spec = o.spec(&self.t).map_err(|e| anyhow!("connected organization '{}': {e:#}", o.name))?;
            let admin = self.admin.clone();
            self.run(&admin, Command::CreateOrg { spec })
                .map_err(|e| anyhow!("connected organization '{}': {e:#}", o.name))?;
        }
        self.create_users(&homed)?;
        self.settings(s).map_err(|e| anyhow!("settings: {e:#}"))?;
        for r in &s.resources {
            self.resource(r).map_err(|e| anyhow!("resource '{}': {e:#}", r.name))?;
        }
        for c in &s.catalogs {
            self.catalog(c).map_err(|e| anyhow!("catalog '{}': {e:#}", c.name))?;
        }
        for p in s.packages.iter().filter(|p| !p.is_automatic()) {
            self.package(p).map_err(|e| anyhow!("package '{}': {e:#}", p.name))?;
        }
        Ok(())
    }

    /// The packages with an automatic policy, set up once the story has shaped the directory.
    fn automatic_packages(&mut self, s: &Script) -> Result<()> {
        for p in s.packages.iter().filter(|p| p.is_automatic()) {
            self.package(p).map_err(|e| anyhow!("package '{}': {e:#}", p.name))?;
        }
        for p in &s.packages {
            self.incompatible(p).map_err(|e| anyhow!("package '{}': {e:#}", p.name))?;
        }
        self.custom_extensions(s)
    }

    fn create_user(&mut self, u: &NamedUser) -> Result<()> {
        let manager = u.manager.as_deref().map(|m| user(&self.t, m)).transpose()?;
        let home_org = u.home_org.as_deref().map(|o| names::org(&self.t, o)).transpose()?;
        let spec = UserSpec {
            display_name: u.name.clone(),
            email: u.email.clone(),
            user_type: u.user_type,
            manager,
            department: u.department.clone(),
            job_title: u.job_title.clone(),
            home_org,
            global_admin: u.global_admin,
        };
        let admin = self.admin.clone();
        self.run(&admin, Command::CreateUser { spec })?;
        Ok(())
    }

    /// Create users in the script's order, each after their manager.
    fn create_users(&mut self, list: &[&NamedUser]) -> Result<()> {
        let mut left: Vec<&NamedUser> = list.to_vec();
        while !left.is_empty() {
            let mut later = vec![];
            for u in &left {
                if u.manager.as_deref().is_none_or(|m| self.t.find_user(m).is_ok()) {
                    self.create_user(u).map_err(|e| anyhow!("user '{}': {e:#}", u.name))?;
                } else {
                    later.push(*u);
                }
            }
            if later.len() == left.len()
                && let Some(u) = later.first()
            {
                bail!(
                    "user '{}': no user named '{}' to be their manager (or managers form a loop)",
                    u.name,
                    u.manager.as_deref().unwrap_or_default()
                );
            }
            left = later;
        }
        Ok(())
    }

    fn settings(&mut self, s: &Script) -> Result<()> {
        let settings = records::Settings {
            external_lifecycle: s.settings.external_lifecycle,
            catalog_creators: names::users(&self.t, &s.settings.catalog_creators)?,
            limits: s.settings.limits.clone().unwrap_or_default(),
        };
        let admin = self.admin.clone();
        self.run(&admin, Command::UpdateSettings { settings })?;
        Ok(())
    }

    fn resource(&mut self, r: &names::NamedResource) -> Result<()> {
        let spec = r.spec(&self.t)?;
        let admin = self.admin.clone();
        self.run(&admin, Command::CreateResource { spec })?;
        let resource = names::resource(&self.t, &r.name)?;
        for (member, role) in &r.members {
            let user = user(&self.t, member).map_err(|e| anyhow!("member '{member}': {e:#}"))?;
            self.run(&admin, Command::AddDirectGrant { user, resource, role: role.clone() })
                .map_err(|e| anyhow!("member '{member}': {e:#}"))?;
        }
        Ok(())
    }

    fn catalog(&mut self, c: &names::NamedCatalog) -> Result<()> {
        let actor = self.actor(&c.by)?;
        let builtin = self.t.catalogs.values().find(|x| x.builtin && x.display_name.eq_ignore_ascii_case(&c.name));
        let id = match builtin {
            Some(b) => b.id,
            None => {
                let spec = CatalogSpec {
                    display_name: c.name.clone(),
                    description: c.description.clone(),
                    enabled: c.enabled,
                    external: c.external,
                };
                self.run(&actor, Command::CreateCatalog { spec })?;
                self.t.find_catalog(&c.name)?.id
            }
        };
        for r in &c.resources {
            let resource = names::resource(&self.t, r).map_err(|e| anyhow!("resource '{r}': {e:#}"))?;
            self.run(&actor, Command::AddCatalogResource { catalog: id, resource })
                .map_err(|e| anyhow!("resource '{r}': {e:#}"))?;
        }
        for (u, role) in &c.roles {
            let uid = user(&self.t, u).map_err(|e| anyhow!("role of '{u}': {e:#}"))?;
            self.run(&actor, Command::GrantCatalogRole { catalog: id, user: uid, role: *role })
                .map_err(|e| anyhow!("role of '{u}': {e:#}"))?;
        }
        Ok(())
    }

    fn package(&mut self, p: &names::NamedPackage) -> Result<()> {
        let actor = self.actor(&p.by)?;
        let catalog = self.t.find_catalog(&p.catalog)?.id;
        let spec = PackageSpec {
            display_name: p.name.clone(),
            description: p.description.clone(),
            hidden: p.hidden,
            sensitive: p.sensitive,
        };
        let out = self.run(&actor, Command::CreatePackage { catalog, spec })?;
        let package: PackageId = out
            .created
            .and_then(|c| c.package())
            .ok_or_else(|| anyhow!("the domain did not say which package it created"))?;
        for (r, role) in &p.resource_roles {
            let resource = names::resource(&self.t, r).map_err(|e| anyhow!("resource role '{r}': {e:#}"))?;
            self.run(&actor, Command::AddResourceRole { package, resource, role: role.clone() })
                .map_err(|e| anyhow!("resource role '{r}' ({role}): {e:#}"))?;
        }
        for pol in &p.policies {
            let spec = pol.spec(&self.t).map_err(|e| anyhow!("policy '{}': {e:#}", pol.display_name))?;
            self.run(&actor, Command::CreatePolicy { package, spec })
                .map_err(|e| anyhow!("policy '{}': {e:#}", pol.display_name))?;
        }
        Ok(())
    }

    /// What a package is incompatible with, once every package exists.
    fn incompatible(&mut self, p: &names::NamedPackage) -> Result<()> {
        let actor = self.actor(&p.by)?;
        let package = self.t.find_package(&p.name)?.id;
        let mut with = vec![];
        for other in &p.incompatible_packages {
            with.push(Incompatible::Package { package: self.t.find_package(other)?.id });
        }
        for g in &p.incompatible_groups {
            with.push(Incompatible::Group { group: names::resource(&self.t, g)? });
        }
        for w in with {
            self.run(&actor, Command::AddIncompatible { package, with: w })?;
        }
        Ok(())
    }
}
