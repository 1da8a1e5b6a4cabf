//! What a popup was opened for. It travels with the popup and comes back with its answer
//! ([`crate::ui::layers::LayerResult`]), so whoever opened it reads the objects the question is
//! about, typed, instead of parsing them back out of a text id.

use crate::domain::{
    AssignmentId, CatalogId, CatalogRole, OrgId, PackageId, PolicyId, RequestId, ResourceId, ReviewDecision, ReviewId,
    UserId,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    // The shell's own questions, and the context's.
    Quit,
    DiscardForm,
    ClockJump,
    ClockPreview,
    SwitchUser,
    SwitchExternal,
    /// A lookup field's picker, for the form under it (the field's id in that form).
    Lookup(String),

    // My access.
    /// The request form for a package.
    Request(PackageId),
    /// A package by its link.
    RequestLink,
    /// Explain a package to the person signed in: its id or name.
    ExplainPackage,
    /// Explain a package or a membership of this person (a directory picker).
    ExplainFor {
        user: UserId,
        offered: Vec<Explainable>,
    },
    CancelRequest(RequestId),
    Extend(AssignmentId),
    RemoveOwn(AssignmentId),

    // Approvals and reviews.
    Decide {
        request: RequestId,
        approve: bool,
    },
    DecideReview {
        review: ReviewId,
        assignment: AssignmentId,
        decision: ReviewDecision,
    },

    // Catalogs.
    /// The catalog form: a new catalog, or the one edited.
    Catalog(Option<CatalogId>),
    DeleteCatalog(CatalogId),
    AddCatalogResource(CatalogId),
    RemoveCatalogResource {
        catalog: CatalogId,
        resource: ResourceId,
    },
    GrantRole(CatalogId),
    /// A custom extension of a catalog: a new one, or one to edit.
    Extension {
        catalog: CatalogId,
        editing: Option<crate::domain::ExtensionId>,
    },
    RemoveExtension(crate::domain::ExtensionId),
    /// Config as code: the file to export to, the file to plan, the planned file to apply.
    ConfigExport,
    ConfigApply,
    ApplyConfigFile {
        path: std::path::PathBuf,
        /// The plan as shown: applied only if planning again gives the same.
        shown: Vec<String>,
    },
    RevokeRole {
        catalog: CatalogId,
        user: UserId,
        role: CatalogRole,
    },

    // Access packages.
    /// The package form: a new package, or the one edited.
    Package(Option<PackageId>),
    DeletePackage(PackageId),
    /// Which resource to add a role of.
    RoleResource(PackageId),
    /// Which role of the resource.
    RoleOfResource {
        package: PackageId,
        resource: ResourceId,
    },
    RemoveRole {
        package: PackageId,
        resource: ResourceId,
        role: String,
    },
    /// The policy editor: a new policy of the package, or the one edited.
    Policy {
        package: PackageId,
        policy: Option<PolicyId>,
    },
    DeletePolicy(PolicyId),
    RemoveAssignment(AssignmentId),
    Assign(PackageId),

    // Organizations, the directory, settings, reports.
    /// The organization form: a new one, or the one edited.
    Org(Option<OrgId>),
    DeleteOrg(OrgId),
    /// The user form: a new user, or the one edited.
    DirectoryUser(Option<UserId>),
    DirectoryResource,
    DirectoryGrant(GrantFor),
    DirectoryRevoke,
    Settings,
    ReportUser,
    ReportResource,
    ReportPackage,
    ReportRequests,
    ReportDays,
    /// The instant a report is about (empty: now).
    ReportAt,
}

/// The side of a direct membership the grant form was opened from; the other is picked in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantFor {
    User(UserId),
    Resource(ResourceId),
}

/// What the Directory's explain picker offers about a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Explainable {
    /// Can they request this package?
    Request(PackageId),
    /// Why do they hold this role of this resource?
    Holds(ResourceId, crate::domain::role::Role),
}
