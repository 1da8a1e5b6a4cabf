//! Who may do what. Every command checks here; the screens may hide what a user cannot do, but
//! the refusal comes from this file.

use serde::{Deserialize, Serialize};

use super::access::CatalogRole;
use super::audit_refs::AuditActor;
use super::error::{DomainResult, forbidden};
use super::ids::{CatalogId, ResourceId, UserId};
use super::tenant::Tenant;

/// Who performs a command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "type")]
pub enum Actor {
    /// The engine itself (timers, the demo installer).
    System,
    User {
        user: UserId,
    },
    /// Someone from outside the directory, known by email (a user of a connected organization).
    External {
        email: String,
        /// `display_name` in journals written before the JSON was made camelCase throughout.
        #[serde(alias = "display_name")]
        display_name: String,
        /// The tenant they signed in from, when known: a connected organization defined by
        /// tenant id matches it.
        #[serde(default, alias = "tenant_id", skip_serializing_if = "Option::is_none")]
        tenant_id: Option<String>,
    },
}

impl Actor {
    pub fn user(id: UserId) -> Self {
        Actor::User { user: id }
    }
    /// Someone outside the directory, known by email (no tenant id).
    pub fn external(email: impl Into<String>, display_name: impl Into<String>) -> Self {
        Actor::External { email: email.into(), display_name: display_name.into(), tenant_id: None }
    }
    /// The same person, signed in from a given tenant (a directory user is unchanged).
    pub fn with_tenant(self, tenant: Option<String>) -> Self {
        match self {
            Actor::External { email, display_name, .. } => Actor::External { email, display_name, tenant_id: tenant },
            other => other,
        }
    }
    pub fn user_id(&self) -> Option<UserId> {
        match self {
            Actor::User { user } => Some(*user),
            _ => None,
        }
    }
}

impl Tenant {
    /// Who the actor is, as the audit log shows it: "Adele Vance (u5)", "system", an email.
    pub fn actor_label(&self, actor: &Actor) -> String {
        AuditActor::now(&self.users, actor).to_string()
    }

    pub fn is_global_admin(&self, actor: &Actor) -> bool {
        match actor {
            Actor::System => true,
            Actor::User { user } => self.users.get(user).is_some_and(|u| u.global_admin && u.is_active() && u.enabled),
            Actor::External { .. } => false,
        }
    }

    /// The catalog roles a user holds in one catalog.
    pub fn catalog_roles(&self, user: UserId, cat: CatalogId) -> Vec<CatalogRole> {
        self.catalogs
            .get(&cat)
            .and_then(|c| c.roles.get(&user))
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }

    fn has_catalog_role(&self, actor: &Actor, cat: CatalogId, allowed: &[CatalogRole]) -> bool {
        if self.is_global_admin(actor) {
            return true;
        }
        let Some(user) = actor.user_id() else { return false };
        self.catalog_roles(user, cat).iter().any(|r| allowed.contains(r))
    }

    fn catalog_name(&self, cat: CatalogId) -> String {
        self.catalogs.get(&cat).map(|c| c.display_name.clone()).unwrap_or_else(|| cat.to_string())
    }

    pub fn require_admin(&self, actor: &Actor, what: &str) -> DomainResult<()> {
        if self.is_global_admin(actor) {
            Ok(())
        } else {
            Err(forbidden(format!("Only a global administrator can {what}; ask one to do it or to make you one")))
        }
    }

    pub fn can_create_catalog(&self, actor: &Actor) -> bool {
        self.is_global_admin(actor) || actor.user_id().is_some_and(|u| self.settings.catalog_creators.contains(&u))
    }

    pub fn require_catalog_creator(&self, actor: &Actor) -> DomainResult<()> {
        if self.can_create_catalog(actor) {
            Ok(())
        } else {
            Err(forbidden(
                "Creating a catalog needs the catalog creator role or global administrator; ask an administrator to add you to the catalog creators in Settings",
            ))
        }
    }

    pub fn can_own_catalog(&self, actor: &Actor, cat: CatalogId) -> bool {
        self.has_catalog_role(actor, cat, &[CatalogRole::Owner])
    }

    pub fn require_catalog_owner(&self, actor: &Actor, cat: CatalogId, what: &str) -> DomainResult<()> {
        if self.can_own_catalog(actor, cat) {
            Ok(())
        } else {
            Err(forbidden(format!(
                "Only an owner of catalog '{}' can {what}; ask a catalog owner",
                self.catalog_name(cat)
            )))
        }
    }

    pub fn can_manage_packages(&self, actor: &Actor, cat: CatalogId) -> bool {
        self.has_catalog_role(actor, cat, &[CatalogRole::Owner, CatalogRole::AccessPackageManager])
    }

    pub fn require_package_manager(&self, actor: &Actor, cat: CatalogId, what: &str) -> DomainResult<()> {
        if self.can_manage_packages(actor, cat) {
            Ok(())
        } else {
            Err(forbidden(format!(
                "To {what} you need the catalog owner or access package manager role in catalog '{}'",
                self.catalog_name(cat)
            )))
        }
    }

    pub fn can_manage_assignments(&self, actor: &Actor, cat: CatalogId) -> bool {
        self.has_catalog_role(
            actor,
            cat,
            &[CatalogRole::Owner, CatalogRole::AccessPackageManager, CatalogRole::AccessPackageAssignmentManager],
        )
    }

    pub fn require_assignment_manager(&self, actor: &Actor, cat: CatalogId, what: &str) -> DomainResult<()> {
        if self.can_manage_assignments(actor, cat) {
            Ok(())
        } else {
            Err(forbidden(format!(
                "To {what} you need an assignment manager, access package manager or owner role in catalog '{}'",
                self.catalog_name(cat)
            )))
        }
    }

    /// Any catalog role, including reader: may see the catalog's configuration (the read rule of
    /// `reads.rs`, so a blocked role holder sees nothing).
    pub fn can_read_catalog(&self, actor: &Actor, cat: CatalogId) -> bool {
        self.reader(actor).is_ok_and(|r| self.reads_catalog(r, cat))
    }

    /// Whether the actor holds any administrative role at all (decides which tabs a screen shows).
    pub fn has_any_admin_role(&self, actor: &Actor) -> bool {
        if self.is_global_admin(actor) || self.can_create_catalog(actor) {
            return true;
        }
        let Some(user) = actor.user_id() else { return false };
        self.catalogs.values().any(|c| c.roles.contains_key(&user))
    }

    /// Adding a resource to a catalog: admin, or catalog owner who also owns the resource.
    pub fn require_resource_adder(&self, actor: &Actor, cat: CatalogId, res: ResourceId) -> DomainResult<()> {
        if self.is_global_admin(actor) {
            return Ok(());
        }
        self.require_catalog_owner(actor, cat, "add resources to it")?;
        let owns = actor.user_id().is_some_and(|u| self.resources.get(&res).is_some_and(|r| r.owners.contains(&u)));
        if owns {
            Ok(())
        } else {
            Err(forbidden(format!(
                "You are not an owner of '{}': a catalog owner can add only resources they own; ask the resource's owner or an administrator",
                self.resource_name(res)
            )))
        }
    }
}

/// Who may read what: the same answers for the terminal app and the command line (the rules are
/// in `reads.rs`).
impl Tenant {
    /// The requestor, the target, its approvers and deciders, and anyone with a role in the catalog.
    pub fn can_see_request(&self, actor: &Actor, r: &super::flow::Request) -> bool {
        self.reader(actor).is_ok_and(|rd| self.reader_sees_request(rd, actor, r))
    }

    /// The assignee, its reviewers, and anyone with a role in the package's catalog.
    pub fn can_see_assignment(&self, actor: &Actor, a: &super::flow::Assignment) -> bool {
        self.reader(actor).is_ok_and(|rd| self.reader_sees_assignment(rd, a))
    }

    /// Its reviewers, the people under review, and anyone with a role in the package's catalog.
    pub fn can_see_review(&self, actor: &Actor, r: &super::flow::Review) -> bool {
        self.reader(actor).is_ok_and(|rd| self.reader_sees_review(rd, r))
    }

    /// Tenant-wide reports and the audit log need some administrative role.
    pub fn require_admin_role(&self, actor: &Actor, what: &str) -> DomainResult<()> {
        self.reader(actor)?;
        self.may_read(actor, super::reads::Read::Reports).map_err(|_| {
            forbidden(format!("To see {what} you need an administrative role (a catalog role or global administrator)"))
        })
    }
}
