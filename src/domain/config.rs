//! Configuration commands: the directory, connected organizations, settings, catalogs, packages, policies.

use super::access::{Catalog, CatalogRole, Package, Policy, PolicySpec, ResourceRole};
use super::command::{CatalogSpec, OrgSpec, Outcome, PackageSpec, ResourceSpec, UserSpec, created, done};
use super::directory::{ConnectedOrg, Resource, User};
use super::error::{DomainError, DomainResult, invalid, rule};
use super::flow::GrantSource;
use super::ids::*;
use super::records::Settings;
use super::rights::Actor;
use super::tenant::Tenant;

impl Tenant {
    pub(crate) fn cmd_create_user(&mut self, actor: &Actor, spec: &UserSpec) -> DomainResult<Outcome> {
        self.require_admin(actor, "create users")?;
        self.check_user_spec(spec, None)?;
        let id = UserId(self.alloc());
        let user = User {
            id,
            display_name: spec.display_name.trim().to_string(),
            email: spec.email.trim().to_string(),
            user_type: spec.user_type,
            enabled: true,
            manager: spec.manager,
            department: spec.department.clone(),
            job_title: spec.job_title.clone(),
            home_org: spec.home_org,
            created_by_em: false,
            global_admin: spec.global_admin,
            deleted_at: None,
            remove_at: None,
        };
        self.idx.by_email.insert(user.email.to_ascii_lowercase(), id);
        self.audit_change(actor, "user.created", id, format!("Created user {}", user.display_name), None, Some(&user));
        let msg = format!("Created user {} ({id})", user.display_name);
        self.users.insert(id, user);
        created(id, msg)
    }

    fn check_user_spec(&self, spec: &UserSpec, existing: Option<UserId>) -> DomainResult<()> {
        if spec.display_name.trim().is_empty() {
            return Err(invalid("A user needs a display name"));
        }
        if !spec.email.contains('@') {
            return Err(invalid(format!("'{}' is not an email address (name@domain)", spec.email)));
        }
        if let Some(other) = self.user_by_email(&spec.email)
            && Some(other.id) != existing
        {
            return Err(rule(format!("{} already uses the email {}", other.display_name, spec.email)));
        }
        if let Some(m) = spec.manager {
            self.user(m)?;
            if Some(m) == existing {
                return Err(invalid("A user cannot be their own manager"));
            }
        }
        if let Some(o) = spec.home_org {
            self.org(o)?;
        }
        Ok(())
    }

    pub(crate) fn cmd_update_user(
        &mut self,
        actor: &Actor,
        id: UserId,
        spec: &UserSpec,
        enabled: bool,
    ) -> DomainResult<Outcome> {
        self.require_admin(actor, "edit users")?;
        self.user(id)?;
        self.check_user_spec(spec, Some(id))?;
        let before = self.user(id)?.clone();
        let mut after = before.clone();
        after.display_name = spec.display_name.trim().to_string();
        after.email = spec.email.trim().to_string();
        after.user_type = spec.user_type;
        after.manager = spec.manager;
        after.department = spec.department.clone();
        after.job_title = spec.job_title.clone();
        after.home_org = spec.home_org;
        after.global_admin = spec.global_admin;
        after.enabled = enabled;
        if enabled {
            after.remove_at = None;
        }
        self.idx.by_email.remove(&before.email.to_ascii_lowercase());
        self.idx.by_email.insert(after.email.to_ascii_lowercase(), id);
        self.audit_change(
            actor,
            "user.updated",
            id,
            format!("Updated user {}", after.display_name),
            Some(&before),
            Some(&after),
        );
        let msg = format!("Updated user {}", after.display_name);
        self.users.insert(id, after);
        done(msg)
    }

    pub(crate) fn cmd_create_resource(&mut self, actor: &Actor, spec: &ResourceSpec) -> DomainResult<Outcome> {
        self.require_admin(actor, "add resources to the directory")?;
        if spec.display_name.trim().is_empty() {
            return Err(invalid("A resource needs a name"));
        }
        for o in &spec.owners {
            self.user(*o)?;
        }
        let id = ResourceId(self.alloc());
        let roles = if spec.roles.is_empty() { spec.kind.default_roles() } else { spec.roles.clone() };
        let res = Resource {
            id,
            display_name: spec.display_name.trim().to_string(),
            description: spec.description.clone(),
            kind: spec.kind.clone(),
            roles,
            owners: spec.owners.clone(),
        };
        let msg = format!("Created {} '{}' ({id})", res.kind.label(), res.display_name);
        self.audit_change(actor, "resource.created", id, msg.clone(), None, Some(&res));
        self.resources.insert(id, res);
        created(id, msg)
    }

    /// Memberships made outside access packages (what was there before, or by hand).
    pub(crate) fn cmd_direct_grant(
        &mut self,
        actor: &Actor,
        user: UserId,
        res: ResourceId,
        role: &str,
        add: bool,
    ) -> DomainResult<Outcome> {
        self.require_admin(actor, "change memberships directly")?;
        let u = self.user(user)?;
        if add && !u.is_active() {
            return Err(rule(format!("{} was removed from the directory and can be given nothing", u.display_name)));
        }
        let r = self.resource(res)?;
        if !r.has_role(role) {
            return Err(invalid(format!("'{}' has no role '{role}' (roles: {})", r.display_name, r.roles.join(", "))));
        }
        let (uname, rname) = (self.user_name(user), self.resource_name(res));
        if add {
            self.add_grant(user, res, role, GrantSource::Direct);
            self.audit(actor, "membership.added", res, format!("{uname} added directly to {rname} as {role}"));
            done(format!("{uname} now holds {rname} ({role}) directly"))
        } else {
            let key = super::tenant::GrantKey { user, resource: res, role: role.to_string() };
            if !self.grants.get(&key).is_some_and(|s| s.contains(&GrantSource::Direct)) {
                return Err(rule(format!("{uname} holds no direct {role} membership of {rname}")));
            }
            self.remove_grant(user, res, role, GrantSource::Direct);
            self.audit(
                actor,
                "membership.removed",
                res,
                format!("Direct {role} membership of {uname} in {rname} removed"),
            );
            done(format!("Removed the direct membership; {}", self.still_holds_text(user, res, role)))
        }
    }

    pub(crate) fn still_holds_text(&self, user: UserId, res: ResourceId, role: &str) -> String {
        if self.holds(user, res, role) {
            format!("{} still holds it through an access package", self.user_name(user))
        } else {
            format!("{} no longer holds it", self.user_name(user))
        }
    }

    fn check_org_spec(&self, spec: &OrgSpec, existing: Option<OrgId>) -> DomainResult<()> {
        if spec.display_name.trim().is_empty() {
            return Err(invalid("A connected organization needs a name"));
        }
        if spec.domains.is_empty() && spec.tenant_id.is_none() {
            return Err(invalid("A connected organization needs at least one domain or a tenant id"));
        }
        for d in &spec.domains {
            if d.contains('@') || !d.contains('.') {
                return Err(invalid(format!("'{d}' is not a domain (like contoso.com)")));
            }
            if let Some(o) = self.orgs.values().find(|o| o.has_domain(d) && Some(o.id) != existing) {
                return Err(rule(format!(
                    "The domain {d} already belongs to connected organization '{}'",
                    o.display_name
                )));
            }
        }
        for u in spec.internal_sponsors.iter().chain(&spec.external_sponsors) {
            self.user(*u)?;
        }
        Ok(())
    }

    pub(crate) fn cmd_create_org(&mut self, actor: &Actor, spec: &OrgSpec) -> DomainResult<Outcome> {
        self.require_admin(actor, "add connected organizations")?;
        self.check_org_spec(spec, None)?;
        let limit = self.settings.limits.connected_organizations;
        if self.orgs.len() >= limit {
            return Err(DomainError::Limit(format!(
                "The tenant already has {limit} connected organizations, the limit; remove one or raise the limit in Settings"
            )));
        }
        let id = OrgId(self.alloc());
        let org = ConnectedOrg {
            id,
            display_name: spec.display_name.trim().to_string(),
            description: spec.description.clone(),
            domains: spec.domains.iter().map(|d| d.trim().to_ascii_lowercase()).collect(),
            tenant_id: spec.tenant_id.clone(),
            state: spec.state,
            internal_sponsors: spec.internal_sponsors.clone(),
            external_sponsors: spec.external_sponsors.clone(),
            created_at: self.clock.now,
        };
        let msg = format!("Added connected organization '{}' ({id})", org.display_name);
        self.audit_change(actor, "connectedOrganization.created", id, msg.clone(), None, Some(&org));
        self.orgs.insert(id, org);
        created(id, msg)
    }

    pub(crate) fn cmd_update_org(&mut self, actor: &Actor, id: OrgId, spec: &OrgSpec) -> DomainResult<Outcome> {
        self.require_admin(actor, "edit connected organizations")?;
        let before = self.org(id)?.clone();
        self.check_org_spec(spec, Some(id))?;
        let mut after = before.clone();
        after.display_name = spec.display_name.trim().to_string();
        after.description = spec.description.clone();
        after.domains = spec.domains.iter().map(|d| d.trim().to_ascii_lowercase()).collect();
        after.tenant_id = spec.tenant_id.clone();
        after.state = spec.state;
        after.internal_sponsors = spec.internal_sponsors.clone();
        after.external_sponsors = spec.external_sponsors.clone();
        let msg = format!("Updated connected organization '{}'", after.display_name);
        self.audit_change(actor, "connectedOrganization.updated", id, msg.clone(), Some(&before), Some(&after));
        self.orgs.insert(id, after);
        done(msg)
    }

    pub(crate) fn cmd_delete_org(&mut self, actor: &Actor, id: OrgId) -> DomainResult<Outcome> {
        self.require_admin(actor, "delete connected organizations")?;
        let org = self.org(id)?.clone();
        let used = self.policies.values().find(
            |p| matches!(&p.spec.scope, super::access::RequestScope::SpecificOrgs { orgs } if orgs.contains(&id)),
        );
        if let Some(p) = used {
            return Err(rule(format!(
                "Policy '{}' of '{}' targets '{}': change that policy first",
                p.spec.display_name,
                self.packages.get(&p.package).map(|k| k.display_name.as_str()).unwrap_or("?"),
                org.display_name
            )));
        }
        self.audit_change(
            actor,
            "connectedOrganization.deleted",
            id,
            format!("Deleted '{}'", org.display_name),
            Some(&org),
            None,
        );
        self.orgs.remove(&id);
        done(format!("Deleted connected organization '{}'", org.display_name))
    }

    pub(crate) fn cmd_update_settings(&mut self, actor: &Actor, settings: &Settings) -> DomainResult<Outcome> {
        self.require_admin(actor, "change entitlement management settings")?;
        let l = &settings.limits;
        if l.packages_per_catalog == 0
            || l.resource_roles_per_package == 0
            || l.policies_per_package == 0
            || l.connected_organizations == 0
        {
            return Err(invalid("Limits must be at least 1"));
        }
        for u in &settings.catalog_creators {
            self.user(*u)?;
        }
        let before = self.settings.clone();
        self.audit_change(
            actor,
            "settings.updated",
            "settings",
            "Updated entitlement management settings",
            Some(&before),
            Some(settings),
        );
        self.settings = settings.clone();
        done("Settings saved")
    }

    pub(crate) fn cmd_create_catalog(&mut self, actor: &Actor, spec: &CatalogSpec) -> DomainResult<Outcome> {
        self.require_catalog_creator(actor)?;
        self.check_catalog_name(&spec.display_name, None)?;
        let id = CatalogId(self.alloc());
        let mut cat = Catalog {
            id,
            display_name: spec.display_name.trim().to_string(),
            description: spec.description.clone(),
            enabled: spec.enabled,
            external: spec.external,
            builtin: false,
            resources: Default::default(),
            roles: Default::default(),
            created_at: self.clock.now,
        };
        if let Some(u) = actor.user_id() {
            cat.roles.entry(u).or_default().insert(CatalogRole::Owner);
        }
        let msg = format!("Created catalog '{}' ({id})", cat.display_name);
        self.audit_change(actor, "catalog.created", id, msg.clone(), None, Some(&cat));
        self.catalogs.insert(id, cat);
        created(id, msg)
    }

    /// The built-in General catalog, created with the tenant.
    pub fn install_general_catalog(&mut self) -> CatalogId {
        if let Some(c) = self.catalogs.values().find(|c| c.builtin) {
            return c.id;
        }
        let id = CatalogId(self.alloc());
        let cat = Catalog {
            id,
            display_name: "General".into(),
            description: "Built-in catalog".into(),
            enabled: true,
            external: false,
            builtin: true,
            resources: Default::default(),
            roles: Default::default(),
            created_at: self.clock.now,
        };
        self.catalogs.insert(id, cat);
        id
    }

    fn check_catalog_name(&self, name: &str, existing: Option<CatalogId>) -> DomainResult<()> {
        if name.trim().is_empty() {
            return Err(invalid("A catalog needs a name"));
        }
        if let Some(c) =
            self.catalogs.values().find(|c| c.display_name.eq_ignore_ascii_case(name.trim()) && Some(c.id) != existing)
        {
            return Err(rule(format!(
                "A catalog named '{}' already exists ({}); choose another name",
                c.display_name, c.id
            )));
        }
        Ok(())
    }

    pub(crate) fn cmd_update_catalog(
        &mut self,
        actor: &Actor,
        id: CatalogId,
        spec: &CatalogSpec,
    ) -> DomainResult<Outcome> {
        let before = self.catalog(id)?.clone();
        self.require_catalog_owner(actor, id, "edit it")?;
        self.check_catalog_name(&spec.display_name, Some(id))?;
        let mut after = before.clone();
        after.display_name = spec.display_name.trim().to_string();
        after.description = spec.description.clone();
        after.enabled = spec.enabled;
        after.external = spec.external;
        let msg = format!("Updated catalog '{}'", after.display_name);
        self.audit_change(actor, "catalog.updated", id, msg.clone(), Some(&before), Some(&after));
        self.catalogs.insert(id, after);
        done(msg)
    }

    pub(crate) fn cmd_delete_catalog(&mut self, actor: &Actor, id: CatalogId) -> DomainResult<Outcome> {
        let cat = self.catalog(id)?.clone();
        self.require_catalog_owner(actor, id, "delete it")?;
        if cat.builtin {
            return Err(rule("The built-in General catalog cannot be deleted"));
        }
        let n = self.packages_of_catalog(id).filter(|p| !p.is_deleted()).count();
        let running =
            self.packages_of_catalog(id).filter(|p| self.assignments_of_package(p.id).any(|a| a.is_active())).count();
        if n == 0 && running > 0 {
            return Err(rule(format!(
                "Catalog '{}' holds deleted access packages whose assignments are still running: wait for them to end or remove them first",
                cat.display_name
            )));
        }
        if n > 0 {
            return Err(rule(format!(
                "Catalog '{}' still holds {n} access package(s): delete or move them first",
                cat.display_name
            )));
        }
        self.audit_change(
            actor,
            "catalog.deleted",
            id,
            format!("Deleted catalog '{}'", cat.display_name),
            Some(&cat),
            None,
        );
        self.catalogs.remove(&id);
        done(format!("Deleted catalog '{}'", cat.display_name))
    }

    pub(crate) fn cmd_add_catalog_resource(
        &mut self,
        actor: &Actor,
        cat: CatalogId,
        res: ResourceId,
    ) -> DomainResult<Outcome> {
        let cname = self.catalog(cat)?.display_name.clone();
        let rname = self.resource(res)?.display_name.clone();
        self.require_resource_adder(actor, cat, res)?;
        if self.catalog(cat)?.resources.contains(&res) {
            return Err(rule(format!("'{rname}' is already in catalog '{cname}'")));
        }
        if let Some(c) = self.catalogs.get_mut(&cat) {
            c.resources.insert(res);
        }
        self.audit(actor, "catalog.resourceAdded", cat, format!("Added '{rname}' to catalog '{cname}'"));
        done(format!("Added '{rname}' to catalog '{cname}'"))
    }

    pub(crate) fn cmd_remove_catalog_resource(
        &mut self,
        actor: &Actor,
        cat: CatalogId,
        res: ResourceId,
    ) -> DomainResult<Outcome> {
        let cname = self.catalog(cat)?.display_name.clone();
        let rname = self.resource_name(res);
        self.require_catalog_owner(actor, cat, "remove resources from it")?;
        if !self.catalog(cat)?.resources.contains(&res) {
            return Err(rule(format!("'{rname}' is not in catalog '{cname}'")));
        }
        if let Some(p) = self
            .packages_of_catalog(cat)
            .find(|p| !p.is_deleted() && p.resource_roles.iter().any(|rr| rr.resource == res))
        {
            return Err(rule(format!(
                "Access package '{}' uses '{rname}': remove it from the package first",
                p.display_name
            )));
        }
        if let Some(c) = self.catalogs.get_mut(&cat) {
            c.resources.remove(&res);
        }
        self.audit(actor, "catalog.resourceRemoved", cat, format!("Removed '{rname}' from catalog '{cname}'"));
        done(format!("Removed '{rname}' from catalog '{cname}'"))
    }

    pub(crate) fn cmd_catalog_role(
        &mut self,
        actor: &Actor,
        cat: CatalogId,
        user: UserId,
        role: CatalogRole,
        grant: bool,
    ) -> DomainResult<Outcome> {
        let cname = self.catalog(cat)?.display_name.clone();
        let uname = self.user(user)?.display_name.clone();
        self.require_catalog_owner(actor, cat, "manage its roles")?;
        let has = self.catalog_roles(user, cat).contains(&role);
        if grant && has {
            return Err(rule(format!("{uname} is already {} of '{cname}'", role.label())));
        }
        if !grant && !has {
            return Err(rule(format!("{uname} is not {} of '{cname}'", role.label())));
        }
        if !grant && role == CatalogRole::Owner {
            let owners = self.catalog(cat)?.roles.values().filter(|s| s.contains(&CatalogRole::Owner)).count();
            if owners <= 1 && !self.catalog(cat)?.builtin {
                return Err(rule(format!("{uname} is the last owner of '{cname}': add another owner first")));
            }
        }
        if let Some(c) = self.catalogs.get_mut(&cat) {
            if grant {
                c.roles.entry(user).or_default().insert(role);
            } else if let Some(s) = c.roles.get_mut(&user) {
                s.remove(&role);
                if s.is_empty() {
                    c.roles.remove(&user);
                }
            }
        }
        let verb = if grant { "granted" } else { "revoked" };
        let msg = format!("{} of '{cname}' {verb} for {uname}", role.label());
        self.audit(actor, if grant { "catalog.roleGranted" } else { "catalog.roleRevoked" }, cat, msg.clone());
        done(msg)
    }

    pub(crate) fn cmd_create_package(
        &mut self,
        actor: &Actor,
        cat: CatalogId,
        spec: &PackageSpec,
    ) -> DomainResult<Outcome> {
        let cname = self.catalog(cat)?.display_name.clone();
        self.require_package_manager(actor, cat, "create access packages")?;
        self.check_package_name(cat, &spec.display_name, None)?;
        let limit = self.settings.limits.packages_per_catalog;
        if self.packages_of_catalog(cat).filter(|p| !p.is_deleted()).count() >= limit {
            return Err(DomainError::Limit(format!(
                "Catalog '{cname}' already holds {limit} access packages, the limit; use another catalog or delete one"
            )));
        }
        let id = PackageId(self.alloc());
        let pkg = Package {
            id,
            catalog: cat,
            display_name: spec.display_name.trim().to_string(),
            description: spec.description.clone(),
            hidden: spec.hidden,
            sensitive: spec.sensitive,
            resource_roles: vec![],
            policies: vec![],
            deleted_at: None,
            created_at: self.clock.now,
        };
        let msg = format!("Created access package '{}' ({id}) in '{cname}'", pkg.display_name);
        self.audit_change(actor, "accessPackage.created", id, msg.clone(), None, Some(&pkg));
        self.packages.insert(id, pkg);
        created(id, msg)
    }

    fn check_package_name(&self, cat: CatalogId, name: &str, existing: Option<PackageId>) -> DomainResult<()> {
        if name.trim().is_empty() {
            return Err(invalid("An access package needs a name"));
        }
        let clash = self
            .packages_of_catalog(cat)
            .find(|p| !p.is_deleted() && p.display_name.eq_ignore_ascii_case(name.trim()) && Some(p.id) != existing);
        if let Some(p) = clash {
            return Err(rule(format!("The catalog already has a package named '{}' ({})", p.display_name, p.id)));
        }
        Ok(())
    }

    /// A live package the actor may manage.
    fn managed_package(&self, actor: &Actor, id: PackageId, what: &str) -> DomainResult<Package> {
        let pkg = self.package(id)?.clone();
        self.require_package_manager(actor, pkg.catalog, what)?;
        if pkg.is_deleted() {
            return Err(rule(format!("Access package '{}' was deleted", pkg.display_name)));
        }
        Ok(pkg)
    }

    pub(crate) fn cmd_update_package(
        &mut self,
        actor: &Actor,
        id: PackageId,
        spec: &PackageSpec,
    ) -> DomainResult<Outcome> {
        let before = self.managed_package(actor, id, "edit access packages")?;
        self.check_package_name(before.catalog, &spec.display_name, Some(id))?;
        let mut after = before.clone();
        after.display_name = spec.display_name.trim().to_string();
        after.description = spec.description.clone();
        after.hidden = spec.hidden;
        after.sensitive = spec.sensitive;
        let msg = format!("Updated access package '{}'", after.display_name);
        self.audit_change(actor, "accessPackage.updated", id, msg.clone(), Some(&before), Some(&after));
        self.packages.insert(id, after);
        done(msg)
    }

    pub(crate) fn cmd_delete_package(&mut self, actor: &Actor, id: PackageId) -> DomainResult<Outcome> {
        let pkg = self.managed_package(actor, id, "delete access packages")?;
        let active = self.assignments_of_package(id).filter(|a| a.is_active()).count();
        if let Some(p) = self.packages.get_mut(&id) {
            p.deleted_at = Some(self.clock.now);
        }
        // Requests still waiting for a decision would grant a deleted package: they end here.
        let waiting: Vec<RequestId> = self
            .requests_of_package(id)
            .filter(|r| {
                matches!(r.state, super::flow::RequestState::PendingApproval | super::flow::RequestState::Submitted)
            })
            .map(|r| r.id)
            .collect();
        for r in &waiting {
            self.set_request_state(*r, super::flow::RequestState::Canceled);
            self.push_history(*r, format!("Canceled: access package '{}' was deleted", pkg.display_name));
            if let Some(u) = self.requests.get(r).and_then(|x| x.target_user().or(x.requestor)) {
                self.notify(
                    u,
                    "denied",
                    format!("Your request for '{}' was canceled: the package was deleted", pkg.display_name),
                    "",
                );
            }
        }
        let msg = format!(
            "Deleted access package '{}': no new requests; {active} existing assignment(s) run to their end{}",
            pkg.display_name,
            if waiting.is_empty() { String::new() } else { format!("; {} waiting request(s) canceled", waiting.len()) }
        );
        self.audit(actor, "accessPackage.deleted", id, msg.clone());
        done(msg)
    }

    pub(crate) fn cmd_add_resource_role(
        &mut self,
        actor: &Actor,
        id: PackageId,
        res: ResourceId,
        role: &str,
    ) -> DomainResult<Outcome> {
        let pkg = self.managed_package(actor, id, "change resource roles")?;
        let r = self.resource(res)?.clone();
        let cat = self.catalog(pkg.catalog)?;
        if !cat.resources.contains(&res) {
            return Err(rule(format!(
                "Resource '{}' is not in catalog '{}': add it to the catalog first",
                r.display_name, cat.display_name
            )));
        }
        if !r.has_role(role) {
            return Err(invalid(format!(
                "'{}' has no role '{role}'; its roles are {}",
                r.display_name,
                r.roles.join(", ")
            )));
        }
        let rr = ResourceRole { resource: res, role: role.to_string() };
        if pkg.resource_roles.contains(&rr) {
            return Err(rule(format!("'{}' already grants {} ({role})", pkg.display_name, r.display_name)));
        }
        if let Some(other) = pkg.resource_roles.iter().find(|x| x.resource == res) {
            return Err(rule(format!(
                "'{}' already grants {} as {}: a package grants one role per resource; remove that role first",
                pkg.display_name, r.display_name, other.role
            )));
        }
        let limit = self.settings.limits.resource_roles_per_package;
        if pkg.resource_roles.len() >= limit {
            return Err(DomainError::Limit(format!(
                "'{}' already has {limit} resource roles, the limit; split it into two packages",
                pkg.display_name
            )));
        }
        if let Some(p) = self.packages.get_mut(&id) {
            p.resource_roles.push(rr.clone());
        }
        // Every current assignee gets the new role at once.
        let active: Vec<_> =
            self.assignments_of_package(id).filter(|a| a.is_active()).map(|a| (a.id, a.target)).collect();
        for (aid, user) in &active {
            self.add_grant(*user, res, role, GrantSource::Assignment { assignment: *aid });
            if let Some(a) = self.assignments.get_mut(aid)
                && !a.granted.contains(&rr)
            {
                a.granted.push(rr.clone());
            }
        }
        let msg = format!(
            "'{}' now grants {} ({role}); granted to {} current assignee(s)",
            pkg.display_name,
            r.display_name,
            active.len()
        );
        self.audit(actor, "accessPackage.resourceRoleAdded", id, msg.clone());
        done(msg)
    }

    pub(crate) fn cmd_remove_resource_role(
        &mut self,
        actor: &Actor,
        id: PackageId,
        res: ResourceId,
        role: &str,
        revoke: bool,
    ) -> DomainResult<Outcome> {
        let pkg = self.managed_package(actor, id, "change resource roles")?;
        let rr = ResourceRole { resource: res, role: role.to_string() };
        let rname = self.resource_name(res);
        if !pkg.resource_roles.contains(&rr) {
            return Err(rule(format!("'{}' does not grant {rname} ({role})", pkg.display_name)));
        }
        if let Some(p) = self.packages.get_mut(&id) {
            p.resource_roles.retain(|x| x != &rr);
        }
        let mut revoked = 0;
        if revoke {
            let active: Vec<_> =
                self.assignments_of_package(id).filter(|a| a.is_active()).map(|a| (a.id, a.target)).collect();
            for (aid, user) in active {
                let had = self.assignments.get(&aid).is_some_and(|a| a.granted.contains(&rr));
                if had {
                    self.remove_grant(user, res, role, GrantSource::Assignment { assignment: aid });
                    if let Some(a) = self.assignments.get_mut(&aid) {
                        a.granted.retain(|x| x != &rr);
                    }
                    revoked += 1;
                }
            }
        }
        let msg = if revoke {
            format!(
                "'{}' no longer grants {rname} ({role}); revoked from {revoked} current assignee(s)",
                pkg.display_name
            )
        } else {
            format!(
                "'{}' no longer grants {rname} ({role}) to new assignees; current assignees keep it",
                pkg.display_name
            )
        };
        self.audit(actor, "accessPackage.resourceRoleRemoved", id, msg.clone());
        done(msg)
    }

    pub(crate) fn cmd_create_policy(
        &mut self,
        actor: &Actor,
        pkg_id: PackageId,
        spec: &PolicySpec,
    ) -> DomainResult<Outcome> {
        let pkg = self.managed_package(actor, pkg_id, "create policies")?;
        self.validate_policy(spec)?;
        let limit = self.settings.limits.policies_per_package;
        if pkg.policies.len() >= limit {
            return Err(DomainError::Limit(format!(
                "'{}' already has {limit} policies, the limit; edit an existing policy instead",
                pkg.display_name
            )));
        }
        let id = PolicyId(self.alloc());
        let now = self.clock.now;
        let policy = Policy {
            id,
            package: pkg_id,
            spec: spec.clone(),
            next_review_at: spec
                .review
                .as_ref()
                .filter(|r| r.before_expiry_days.is_none())
                .map(|r| r.starts_on.max(now)),
            created_at: now,
            modified_at: now,
        };
        self.schedule_policy_review(&policy);
        if let Some(p) = self.packages.get_mut(&pkg_id) {
            p.policies.push(id);
        }
        let msg = format!("Created policy '{}' ({id}) on '{}'", spec.display_name, pkg.display_name);
        self.audit_change(actor, "assignmentPolicy.created", id, msg.clone(), None, Some(&policy));
        self.policies.insert(id, policy);
        created(id, msg)
    }

    pub(crate) fn cmd_update_policy(
        &mut self,
        actor: &Actor,
        id: PolicyId,
        spec: &PolicySpec,
    ) -> DomainResult<Outcome> {
        let before = self.policy(id)?.clone();
        self.managed_package(actor, before.package, "edit policies")?;
        self.validate_policy(spec)?;
        // A waiting request is timed and routed by the stages it was submitted under: changing
        // them under it would strand it (its timeout or its stage would no longer exist).
        if spec.stages != before.spec.stages
            && let Some(r) = self
                .requests_of_package(before.package)
                .find(|r| r.policy == id && r.state == super::flow::RequestState::PendingApproval)
        {
            return Err(rule(format!(
                "Request {} is waiting for approval under the current stages: decide or cancel it before changing the approval settings",
                r.id
            )));
        }
        let mut after = before.clone();
        after.spec = spec.clone();
        after.modified_at = self.clock.now;
        let now = self.clock.now;
        after.next_review_at = match (&before.spec.review, &spec.review) {
            (_, None) => None,
            (_, Some(r)) if r.before_expiry_days.is_some() => None,
            (Some(old), Some(new)) if old.starts_on == new.starts_on && old.frequency == new.frequency => {
                before.next_review_at.or(Some(new.starts_on.max(now)))
            }
            (_, Some(new)) => Some(new.starts_on.max(now)),
        };
        self.schedule_policy_review(&after);
        let existing = self.assignments_of_package(before.package).filter(|a| a.policy == id && a.is_active()).count();
        let msg = format!(
            "Updated policy '{}'; applies to new requests only — {existing} existing assignment(s) keep their terms",
            spec.display_name
        );
        self.audit_change(actor, "assignmentPolicy.updated", id, msg.clone(), Some(&before), Some(&after));
        self.policies.insert(id, after);
        done(msg)
    }

    pub(crate) fn cmd_delete_policy(&mut self, actor: &Actor, id: PolicyId) -> DomainResult<Outcome> {
        let pol = self.policy(id)?.clone();
        self.managed_package(actor, pol.package, "delete policies")?;
        let active = self.assignments_of_package(pol.package).filter(|a| a.policy == id && a.is_active()).count();
        if active > 0 {
            return Err(rule(format!(
                "Policy '{}' still has {active} active assignment(s): remove them first, or disable new requests instead",
                pol.spec.display_name
            )));
        }
        if let Some(r) = self.requests_of_package(pol.package).find(|r| r.policy == id && r.state.is_open()) {
            return Err(rule(format!(
                "Request {} under policy '{}' is still open: let it finish or cancel it",
                r.id, pol.spec.display_name
            )));
        }
        if let Some(p) = self.packages.get_mut(&pol.package) {
            p.policies.retain(|x| *x != id);
        }
        self.audit_change(
            actor,
            "assignmentPolicy.deleted",
            id,
            format!("Deleted policy '{}'", pol.spec.display_name),
            Some(&pol),
            None,
        );
        self.policies.remove(&id);
        done(format!("Deleted policy '{}'", pol.spec.display_name))
    }
}
