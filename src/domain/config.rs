//! Configuration commands: catalogs and access packages with their resource roles.

use super::access::{Catalog, CatalogRole, Package, ResourceRole};
use super::bounds::{self, Field};
use super::command::{CatalogSpec, Outcome, PackageSpec, created, done};
use super::error::{DomainError, DomainResult, invalid, rule};
use super::flow::GrantSource;
use super::ids::*;
use super::rights::Actor;
use super::tenant::Tenant;

impl Tenant {
    pub(crate) fn cmd_create_catalog(&mut self, actor: &Actor, spec: &CatalogSpec) -> DomainResult<Outcome> {
        self.require_catalog_creator(actor)?;
        self.check_catalog_name(&spec.display_name, None)?;
        self.within(bounds::check_text(Field::Description, &spec.description, bounds::DESCRIPTION_CHARS))?;
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
        self.within(bounds::check_name(Field::Name, name, "A catalog"))?;
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

    /// A catalog the actor owns.
    pub(crate) fn check_edit_catalog(&self, actor: &Actor, id: CatalogId) -> DomainResult<Catalog> {
        let cat = self.catalog(id)?.clone();
        self.require_catalog_owner(actor, id, "edit it")?;
        Ok(cat)
    }

    pub(crate) fn cmd_update_catalog(
        &mut self,
        actor: &Actor,
        id: CatalogId,
        spec: &CatalogSpec,
    ) -> DomainResult<Outcome> {
        let before = self.check_edit_catalog(actor, id)?;
        self.check_catalog_name(&spec.display_name, Some(id))?;
        self.within(bounds::check_text(Field::Description, &spec.description, bounds::DESCRIPTION_CHARS))?;
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

    /// A catalog the actor owns that holds no package (nor a deleted one still running).
    pub(crate) fn check_delete_catalog(&self, actor: &Actor, id: CatalogId) -> DomainResult<Catalog> {
        let cat = self.catalog(id)?.clone();
        self.require_catalog_owner(actor, id, "delete it")?;
        if cat.builtin {
            return Err(rule("The built-in General catalog cannot be deleted"));
        }
        let n = self.packages_of_catalog(id).filter(|p| !p.is_deleted()).count();
        if n > 0 {
            return Err(rule(format!(
                "Catalog '{}' still holds {n} access package(s): delete or move them first",
                cat.display_name
            )));
        }
        // Only deleted packages are left: their assignments run to their end first.
        if self.packages_of_catalog(id).any(|p| self.assignments_of_package(p.id).any(|a| a.is_active())) {
            return Err(rule(format!(
                "Catalog '{}' holds deleted access packages whose assignments are still running: wait for them to end or remove them first",
                cat.display_name
            )));
        }
        Ok(cat)
    }

    pub(crate) fn cmd_delete_catalog(&mut self, actor: &Actor, id: CatalogId) -> DomainResult<Outcome> {
        let cat = self.check_delete_catalog(actor, id)?;
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

    /// A catalog the actor may add resources to (which ones: `require_resource_adder`). Its name.
    pub(crate) fn check_add_catalog_resource(&self, actor: &Actor, cat: CatalogId) -> DomainResult<String> {
        let cname = self.catalog(cat)?.display_name.clone();
        self.require_catalog_owner(actor, cat, "add resources to it")?;
        Ok(cname)
    }

    pub(crate) fn cmd_add_catalog_resource(
        &mut self,
        actor: &Actor,
        cat: CatalogId,
        res: ResourceId,
    ) -> DomainResult<Outcome> {
        let cname = self.check_add_catalog_resource(actor, cat)?;
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

    /// A resource of a catalog the actor owns that no live package uses. The two names.
    pub(crate) fn check_remove_catalog_resource(
        &self,
        actor: &Actor,
        cat: CatalogId,
        res: ResourceId,
    ) -> DomainResult<(String, String)> {
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
        Ok((cname, rname))
    }

    pub(crate) fn cmd_remove_catalog_resource(
        &mut self,
        actor: &Actor,
        cat: CatalogId,
        res: ResourceId,
    ) -> DomainResult<Outcome> {
        let (cname, rname) = self.check_remove_catalog_resource(actor, cat, res)?;
        if let Some(c) = self.catalogs.get_mut(&cat) {
            c.resources.remove(&res);
        }
        self.audit(actor, "catalog.resourceRemoved", cat, format!("Removed '{rname}' from catalog '{cname}'"));
        done(format!("Removed '{rname}' from catalog '{cname}'"))
    }

    /// A catalog whose roles the actor manages (its owners). Its name.
    pub(crate) fn check_catalog_roles(&self, actor: &Actor, cat: CatalogId) -> DomainResult<String> {
        let cname = self.catalog(cat)?.display_name.clone();
        self.require_catalog_owner(actor, cat, "manage its roles")?;
        Ok(cname)
    }

    /// Granting a role the user lacks, or revoking one they hold that is not the last owner's.
    /// The catalog's and the user's names.
    pub(crate) fn check_catalog_role(
        &self,
        actor: &Actor,
        cat: CatalogId,
        user: UserId,
        role: CatalogRole,
        grant: bool,
    ) -> DomainResult<(String, String)> {
        let cname = self.check_catalog_roles(actor, cat)?;
        let uname = self.user(user)?.display_name.clone();
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
        Ok((cname, uname))
    }

    pub(crate) fn cmd_catalog_role(
        &mut self,
        actor: &Actor,
        cat: CatalogId,
        user: UserId,
        role: CatalogRole,
        grant: bool,
    ) -> DomainResult<Outcome> {
        let (cname, uname) = self.check_catalog_role(actor, cat, user, role, grant)?;
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

    /// A catalog where the actor manages packages, below its limit of packages. Its name.
    pub(crate) fn check_create_package(&self, actor: &Actor, cat: CatalogId) -> DomainResult<String> {
        let cname = self.catalog(cat)?.display_name.clone();
        self.require_package_manager(actor, cat, "create access packages")?;
        let limit = self.settings.limits.packages_per_catalog;
        if self.packages_of_catalog(cat).filter(|p| !p.is_deleted()).count() >= limit {
            return Err(DomainError::Limit(format!(
                "Catalog '{cname}' already holds {limit} access packages, the limit; use another catalog or delete one"
            )));
        }
        Ok(cname)
    }

    pub(crate) fn cmd_create_package(
        &mut self,
        actor: &Actor,
        cat: CatalogId,
        spec: &PackageSpec,
    ) -> DomainResult<Outcome> {
        let cname = self.check_create_package(actor, cat)?;
        self.check_package_name(cat, &spec.display_name, None)?;
        self.within(bounds::check_text(Field::Description, &spec.description, bounds::DESCRIPTION_CHARS))?;
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
            incompatible_packages: Default::default(),
            incompatible_groups: Default::default(),
            deleted_at: None,
            created_at: self.clock.now,
        };
        let msg = format!("Created access package '{}' ({id}) in '{cname}'", pkg.display_name);
        self.audit_change(actor, "accessPackage.created", id, msg.clone(), None, Some(&pkg));
        self.idx.packages_by_catalog.entry(pkg.catalog).or_default().insert(id);
        self.packages.insert(id, pkg);
        created(id, msg)
    }

    fn check_package_name(&self, cat: CatalogId, name: &str, existing: Option<PackageId>) -> DomainResult<()> {
        self.within(bounds::check_name(Field::Name, name, "An access package"))?;
        let clash = self
            .packages_of_catalog(cat)
            .find(|p| !p.is_deleted() && p.display_name.eq_ignore_ascii_case(name.trim()) && Some(p.id) != existing);
        if let Some(p) = clash {
            return Err(rule(format!("The catalog already has a package named '{}' ({})", p.display_name, p.id)));
        }
        Ok(())
    }

    /// A live package the actor may manage.
    pub(crate) fn managed_package(&self, actor: &Actor, id: PackageId, what: &str) -> DomainResult<Package> {
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
        self.within(bounds::check_text(Field::Description, &spec.description, bounds::DESCRIPTION_CHARS))?;
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
                    *r,
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
        let rr = ResourceRole { resource: res, role: role.into() };
        if pkg.resource_roles.contains(&rr) {
            return Err(rule(format!("'{}' already grants {} ({role})", pkg.display_name, r.display_name)));
        }
        // Several roles of one application may be in one package (seed 004: "multiple roles
        // within an app"); a group or a site is granted in one role.
        if !matches!(r.kind, super::directory::ResourceKind::Application)
            && let Some(other) = pkg.resource_roles.iter().find(|x| x.resource == res)
        {
            return Err(rule(format!(
                "'{}' already grants {} as {}: a package grants a group or site in one role (applications in several); remove that role first",
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
        self.note_role_change(id, &rr, super::pit_log::RoleChangeKind::Added);
        // Every current assignee gets the new role at once.
        let active: Vec<_> =
            self.assignments_of_package(id).filter(|a| a.is_active()).map(|a| (a.id, a.target)).collect();
        for (aid, user) in &active {
            self.add_grant(*user, res, role, GrantSource::Assignment { assignment: *aid });
            if let Some(a) = self.assignments.get_mut(aid)
                && !a.granted.contains(&rr)
            {
                a.granted = a.granted.iter().chain([&rr]).cloned().collect();
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
        let rr = ResourceRole { resource: res, role: role.into() };
        let rname = self.resource_name(res);
        if !pkg.resource_roles.contains(&rr) {
            return Err(rule(format!("'{}' does not grant {rname} ({role})", pkg.display_name)));
        }
        if let Some(p) = self.packages.get_mut(&id) {
            p.resource_roles.retain(|x| x != &rr);
        }
        let kind =
            if revoke { super::pit_log::RoleChangeKind::Revoked } else { super::pit_log::RoleChangeKind::Removed };
        self.note_role_change(id, &rr, kind);
        let mut revoked = 0;
        if revoke {
            let active: Vec<_> =
                self.assignments_of_package(id).filter(|a| a.is_active()).map(|a| (a.id, a.target)).collect();
            for (aid, user) in active {
                let had = self.assignments.get(&aid).is_some_and(|a| a.granted.contains(&rr));
                if had {
                    self.remove_grant(user, res, role, GrantSource::Assignment { assignment: aid });
                    if let Some(a) = self.assignments.get_mut(&aid) {
                        a.granted = a.granted.iter().filter(|x| **x != rr).cloned().collect();
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
}
