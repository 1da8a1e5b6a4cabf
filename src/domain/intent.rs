//! "May this person do this now, and if not, why": the query the screens ask before they offer a
//! verb. Each verb has one check, beside its command (`check_cancel` in `requests.rs`, ...); the
//! command runs that check first and `Tenant::may` runs the same one, so what is offered and what
//! is allowed cannot drift. An intent names the verb and its object, never what the person types
//! afterwards (a justification, a reason, a form's values): those are the command's to check.
//!
//! The checks read what the commands read (the object, its indexes); none scans the tenant.

use std::borrow::Cow;

use super::access::CatalogRole;
use super::error::{DomainResult, forbidden};
use super::ids::*;
use super::rights::Actor;
use super::tenant::Tenant;

/// A verb and its object, as a screen offers it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Intent {
    /// Any of the clock commands (advance, jump, freeze).
    MoveClock,
    /// Open the request form for a package (any policy that admits the person).
    Request {
        package: PackageId,
    },
    /// Request a package for a direct report (the actor being their manager).
    RequestFor {
        package: PackageId,
        target: UserId,
    },
    CancelRequest {
        request: RequestId,
    },
    Extend {
        assignment: AssignmentId,
    },
    RemoveOwn {
        assignment: AssignmentId,
    },
    /// Approve or deny the current stage.
    Decide {
        request: RequestId,
    },
    DecideReview {
        review: ReviewId,
        assignment: AssignmentId,
    },
    EndReview {
        review: ReviewId,
    },
    CreateCatalog,
    EditCatalog {
        catalog: CatalogId,
    },
    /// Register or edit a catalog's custom extensions.
    ManageExtensions {
        catalog: CatalogId,
    },
    RemoveExtension {
        extension: ExtensionId,
    },
    DeleteCatalog {
        catalog: CatalogId,
    },
    /// Add one of the resources the person may add (which one is picked afterwards).
    AddCatalogResource {
        catalog: CatalogId,
    },
    RemoveCatalogResource {
        catalog: CatalogId,
        resource: ResourceId,
    },
    GrantCatalogRole {
        catalog: CatalogId,
    },
    RevokeCatalogRole {
        catalog: CatalogId,
        user: UserId,
        role: CatalogRole,
    },
    CreatePackage {
        catalog: CatalogId,
    },
    /// Edit, hide or unhide.
    EditPackage {
        package: PackageId,
    },
    DeletePackage {
        package: PackageId,
    },
    /// Add or remove a resource role.
    ChangeResourceRoles {
        package: PackageId,
    },
    CreatePolicy {
        package: PackageId,
    },
    EditPolicy {
        policy: PolicyId,
    },
    DeletePolicy {
        policy: PolicyId,
    },
    /// Assign a package directly (the policy and the person are picked afterwards).
    Assign {
        package: PackageId,
    },
    /// An assignment manager ends an assignment.
    RemoveAssignment {
        assignment: AssignmentId,
    },
    CreateUser,
    /// Add a group, team, application or site to the directory.
    CreateResource,
    /// Edit, block or unblock.
    EditUser {
        user: UserId,
    },
    /// Add or remove a membership outside access packages.
    DirectGrant,
    CreateOrg,
    EditOrg {
        org: OrgId,
    },
    DeleteOrg {
        org: OrgId,
    },
    EditSettings,
}

impl Tenant {
    /// Whether `actor` may do `intent` now; if not, the refusal the command would give.
    pub fn may(&self, actor: &Actor, intent: &Intent) -> DomainResult<()> {
        self.within(super::input::check_actor(actor))?;
        let actor = self.acting(actor)?;
        let a = actor.as_ref();
        use Intent as I;
        match intent {
            I::MoveClock => self.may_move_clock(a),
            I::Request { package } => self.check_request(a, *package, None).map(drop),
            I::RequestFor { package, target } => self.check_request_for(a, Some(*target), *package, None).map(drop),
            I::CancelRequest { request } => self.check_cancel(a, *request).map(drop),
            I::Extend { assignment } => self.check_extend(a, *assignment).map(drop),
            I::RemoveOwn { assignment } => self.check_remove_own(a, *assignment).map(drop),
            I::Decide { request } => self.check_decide(a, *request).map(drop),
            I::DecideReview { review, assignment } => self.check_decide_review(a, *review, *assignment).map(drop),
            I::EndReview { review } => self.check_end_review(a, *review).map(drop),
            I::CreateCatalog => self.require_catalog_creator(a),
            I::EditCatalog { catalog } => self.check_edit_catalog(a, *catalog).map(drop),
            I::ManageExtensions { catalog } => self.check_manage_extensions(a, *catalog),
            I::RemoveExtension { extension } => self.check_remove_extension(a, *extension).map(drop),
            I::DeleteCatalog { catalog } => self.check_delete_catalog(a, *catalog).map(drop),
            I::AddCatalogResource { catalog } => self.check_add_catalog_resource(a, *catalog).map(drop),
            I::RemoveCatalogResource { catalog, resource } => {
                self.check_remove_catalog_resource(a, *catalog, *resource).map(drop)
            }
            I::GrantCatalogRole { catalog } => self.check_catalog_roles(a, *catalog).map(drop),
            I::RevokeCatalogRole { catalog, user, role } => {
                self.check_catalog_role(a, *catalog, *user, *role, false).map(drop)
            }
            I::CreatePackage { catalog } => self.check_create_package(a, *catalog).map(drop),
            I::EditPackage { package } => self.managed_package(a, *package, "edit access packages").map(drop),
            I::DeletePackage { package } => self.managed_package(a, *package, "delete access packages").map(drop),
            I::ChangeResourceRoles { package } => self.managed_package(a, *package, "change resource roles").map(drop),
            I::CreatePolicy { package } => self.check_create_policy(a, *package).map(drop),
            I::EditPolicy { policy } => self.check_edit_policy(a, *policy).map(drop),
            I::DeletePolicy { policy } => self.check_delete_policy(a, *policy).map(drop),
            I::Assign { package } => self.check_assign(a, *package).map(drop),
            I::RemoveAssignment { assignment } => self.check_admin_remove(a, *assignment).map(drop),
            I::CreateUser => self.check_create_user(a),
            I::CreateResource => self.check_create_resource(a),
            I::EditUser { user } => self.check_edit_user(a, *user),
            I::DirectGrant => self.check_direct_grant(a),
            I::CreateOrg => self.check_create_org(a),
            I::EditOrg { org } => self.check_edit_org(a, *org).map(drop),
            I::DeleteOrg { org } => self.check_delete_org(a, *org).map(drop),
            I::EditSettings => self.check_edit_settings(a),
        }
    }

    /// Who a command runs as: someone signed in by email who is (now) in the directory acts as
    /// that user (a new external requestor becomes a guest on first delivery and then extends,
    /// removes, reads mail); a blocked or removed user can do nothing in their name.
    pub(crate) fn acting<'a>(&self, actor: &'a Actor) -> DomainResult<Cow<'a, Actor>> {
        let known = match actor {
            Actor::External { email, .. } => {
                self.user_by_email(email).filter(|u| u.is_active()).map(|u| Actor::user(u.id))
            }
            _ => None,
        };
        let actor = known.map_or(Cow::Borrowed(actor), Cow::Owned);
        if let Actor::User { user } = actor.as_ref()
            && let Some(u) = self.users.get(user)
            && (!u.enabled || !u.is_active())
        {
            return Err(forbidden(format!(
                "{}'s sign-in is blocked: a blocked user can do nothing (not even request access) until an administrator unblocks them",
                u.display_name
            )));
        }
        Ok(actor)
    }
}
