//! Directory commands: users, resources, direct memberships, connected organizations, settings.

use super::bounds::{self, Field};
use super::command::{OrgSpec, Outcome, ResourceSpec, UserSpec, created, done};
use super::directory::{ConnectedOrg, Resource, User};
use super::error::{DomainError, DomainResult, invalid, rule};
use super::flow::GrantSource;
use super::ids::*;
use super::records::{ExternalLifecycle, Settings};
use super::rights::Actor;
use super::tenant::Tenant;
use super::user_rule::Property;

impl Tenant {
    pub(crate) fn check_create_user(&self, actor: &Actor) -> DomainResult<()> {
        self.require_admin(actor, "create users")
    }

    pub(crate) fn check_create_resource(&self, actor: &Actor) -> DomainResult<()> {
        self.require_admin(actor, "add resources to the directory")
    }

    pub(crate) fn check_direct_grant(&self, actor: &Actor) -> DomainResult<()> {
        self.require_admin(actor, "change memberships directly")
    }

    pub(crate) fn check_edit_settings(&self, actor: &Actor) -> DomainResult<()> {
        self.require_admin(actor, "change entitlement management settings")
    }

    pub(crate) fn cmd_create_user(&mut self, actor: &Actor, spec: &UserSpec) -> DomainResult<Outcome> {
        self.check_create_user(actor)?;
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
            company_name: String::new(),
            country: String::new(),
            employee_type: String::new(),
            home_org: spec.home_org,
            created_by_em: false,
            global_admin: spec.global_admin,
            deleted_at: None,
            remove_at: None,
            login: None,
        };
        self.idx.by_email.insert(user.email.to_ascii_lowercase(), id);
        self.audit_change(actor, "user.created", id, format!("Created user {}", user.display_name), None, Some(&user));
        let msg = format!("Created user {} ({id})", user.display_name);
        self.users.insert(id, user);
        let msg = super::auto_assign::with_effects(msg, self.user_changed(id));
        created(id, msg)
    }

    fn check_user_spec(&self, spec: &UserSpec, existing: Option<UserId>) -> DomainResult<()> {
        self.within(bounds::check_name(Field::Name, &spec.display_name, "A user"))?;
        self.within(bounds::check_line(Field::Email, &spec.email))?;
        self.within(super::user_attrs::check_attribute(Property::Department, &spec.department))?;
        self.within(super::user_attrs::check_attribute(Property::JobTitle, &spec.job_title))?;
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

    /// A user an administrator edits (blocks, unblocks).
    pub(crate) fn check_edit_user(&self, actor: &Actor, id: UserId) -> DomainResult<()> {
        self.require_admin(actor, "edit users")?;
        self.user(id).map(drop)
    }

    pub(crate) fn cmd_update_user(
        &mut self,
        actor: &Actor,
        id: UserId,
        spec: &UserSpec,
        enabled: bool,
    ) -> DomainResult<Outcome> {
        self.check_edit_user(actor, id)?;
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
        // In team mode an administrator must stay able to sign in.
        self.users.insert(id, after.clone());
        if let Err(e) = self.keep_an_admin_login() {
            self.users.insert(id, before);
            return Err(e);
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
        done(super::auto_assign::with_effects(msg, self.user_changed(id)))
    }

    pub(crate) fn cmd_create_resource(&mut self, actor: &Actor, spec: &ResourceSpec) -> DomainResult<Outcome> {
        self.check_create_resource(actor)?;
        self.within(bounds::check_name(Field::Name, &spec.display_name, "A resource"))?;
        self.within(bounds::check_text(Field::Description, &spec.description, bounds::DESCRIPTION_CHARS))?;
        for role in &spec.roles {
            self.within(bounds::check_name(Field::Attribute, role, "A role"))?;
        }
        if let super::directory::ResourceKind::Site { url } = &spec.kind {
            self.within(bounds::check_line(Field::Attribute, url))?;
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
        self.check_direct_grant(actor)?;
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
            self.note_direct(user, res, role.into(), true);
            self.audit(actor, "membership.added", res, format!("{uname} added directly to {rname} as {role}"));
            done(format!("{uname} now holds {rname} ({role}) directly"))
        } else {
            let key = super::tenant::GrantKey { user, resource: res, role: role.into() };
            if !self.grants.get(&key).is_some_and(|s| s.contains(&GrantSource::Direct)) {
                return Err(rule(format!("{uname} holds no direct {role} membership of {rname}")));
            }
            self.remove_grant(user, res, role, GrantSource::Direct);
            self.note_direct(user, res, role.into(), false);
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
        self.within(bounds::check_name(Field::Name, &spec.display_name, "A connected organization"))?;
        self.within(bounds::check_text(Field::Description, &spec.description, bounds::DESCRIPTION_CHARS))?;
        if let Some(id) = &spec.tenant_id {
            self.within(bounds::check_name(Field::Attribute, id, "A tenant id"))?;
        }
        if spec.domains.is_empty() && spec.tenant_id.is_none() {
            return Err(invalid("A connected organization needs at least one domain or a tenant id"));
        }
        for d in &spec.domains {
            self.within(bounds::check_name(Field::Attribute, d, "A domain"))?;
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

    /// An administrator, below the limit of connected organizations.
    pub(crate) fn check_create_org(&self, actor: &Actor) -> DomainResult<()> {
        self.require_admin(actor, "add connected organizations")?;
        let limit = self.settings.limits.connected_organizations;
        if self.orgs.len() >= limit {
            return Err(DomainError::Limit(format!(
                "The tenant already has {limit} connected organizations, the limit; remove one or raise the limit in Settings"
            )));
        }
        Ok(())
    }

    pub(crate) fn cmd_create_org(&mut self, actor: &Actor, spec: &OrgSpec) -> DomainResult<Outcome> {
        self.check_create_org(actor)?;
        self.check_org_spec(spec, None)?;
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

    /// An organization an administrator edits.
    pub(crate) fn check_edit_org(&self, actor: &Actor, id: OrgId) -> DomainResult<ConnectedOrg> {
        self.require_admin(actor, "edit connected organizations")?;
        self.org(id).cloned()
    }

    pub(crate) fn cmd_update_org(&mut self, actor: &Actor, id: OrgId, spec: &OrgSpec) -> DomainResult<Outcome> {
        let before = self.check_edit_org(actor, id)?;
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

    /// An organization no policy targets, deleted by an administrator.
    pub(crate) fn check_delete_org(&self, actor: &Actor, id: OrgId) -> DomainResult<ConnectedOrg> {
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
        Ok(org)
    }

    pub(crate) fn cmd_delete_org(&mut self, actor: &Actor, id: OrgId) -> DomainResult<Outcome> {
        let org = self.check_delete_org(actor, id)?;
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
        self.check_edit_settings(actor)?;
        self.within(settings_ranges(settings))?;
        for u in &settings.catalog_creators {
            self.user(*u)?;
        }
        let before = self.settings.clone();
        self.audit_change(
            actor,
            "settings.updated",
            ObjectRef::Settings {},
            "Updated entitlement management settings",
            Some(&before),
            Some(settings),
        );
        self.settings = settings.clone();
        done("Settings saved")
    }
}

/// The settings' numbers: the limits and the days before a blocked guest is removed.
fn settings_ranges(settings: &Settings) -> DomainResult<()> {
    let l = &settings.limits;
    bounds::PACKAGES_PER_CATALOG.check(Field::PackagesPerCatalog, l.packages_per_catalog as u64)?;
    bounds::RESOURCE_ROLES_PER_PACKAGE.check(Field::ResourceRolesPerPackage, l.resource_roles_per_package as u64)?;
    bounds::POLICIES_PER_PACKAGE.check(Field::PoliciesPerPackage, l.policies_per_package as u64)?;
    bounds::CONNECTED_ORGANIZATIONS.check(Field::ConnectedOrganizations, l.connected_organizations as u64)?;
    bounds::TIMERS_PER_CLOCK_MOVE.check(Field::TimersPerClockMove, l.timers_per_clock_move)?;
    match settings.external_lifecycle {
        ExternalLifecycle::BlockThenRemove(days) => bounds::GUEST_REMOVAL_DAYS.check(Field::GuestRemovalDays, days),
        _ => Ok(()),
    }
}
