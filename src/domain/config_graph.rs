//! Config as code: the file `entitle export config` writes and `plan` / `apply` read, in the shapes
//! of Microsoft Graph v1.0 (accessPackageCatalog with its resources, custom workflow extensions and
//! access packages expanded; accessPackage with its resourceRoleScopes, incompatibilities and
//! assignmentPolicies expanded; connectedOrganization).
//!
//! Two departures from Graph, so that a file moves between tenants and loses nothing:
//! - Directory objects are named, never given by id: a user by email where Graph has a user id
//!   (`singleUser.userId`, sponsors' `mail`), a group by display name (`groupMembers.groupId`), a
//!   connected organization by display name (`connectedOrganizationMembers.connectedOrganizationId`),
//!   a resource, package, catalog or extension by `displayName`.
//! - What entitle has and Graph has not sits in an `entitle` object on the Graph object it belongs
//!   to (catalog role holders, a package's sensitive mark, a stage's quorum, a review opened before
//!   expiry, an extension's program). Each is documented on its field.
//!
//! Every field is written, in a fixed order, and collections are sorted where the tenant keeps a
//! set: the same configuration always makes the same bytes.

use serde::{Deserialize, Serialize};

use super::access::CatalogRole;

mod policy;
pub use policy::*;

/// The version of this file's shape.
pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConfigFile {
    pub entitle: FileInfo,
    #[serde(default)]
    pub connected_organizations: Vec<GraphOrg>,
    #[serde(default)]
    pub catalogs: Vec<GraphCatalog>,
}

impl ConfigFile {
    /// The file's bytes: pretty JSON and a final newline, the same for the same configuration.
    pub fn to_text(&self) -> String {
        // Every key is a string and every value plain data: writing cannot fail.
        let text = serde_json::to_string_pretty(self).unwrap_or_default();
        format!("{text}\n")
    }

    /// A file read back; the error says where and what (`line 3 column 5: unknown field ...`).
    pub fn parse(text: &str) -> Result<ConfigFile, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
}

/// What the file covers: applying it deletes what is in its scope and not in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FileInfo {
    pub format: u32,
    pub scope: FileScope,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FileScope {
    /// Every catalog and connected organization of the tenant.
    Tenant,
    /// The one catalog the file holds.
    Catalog,
}

/// [connectedOrganization]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GraphOrg {
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    /// `configured` or `proposed`.
    pub state: super::directory::OrgState,
    pub identity_sources: Vec<IdentitySource>,
    #[serde(default)]
    pub internal_sponsors: Vec<UserRef>,
    #[serde(default)]
    pub external_sponsors: Vec<UserRef>,
}

/// [identitySource]: an email domain, or an Entra tenant by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "@odata.type", deny_unknown_fields)]
pub enum IdentitySource {
    #[serde(rename = "#microsoft.graph.domainIdentitySource", rename_all = "camelCase")]
    Domain { domain_name: String, display_name: String },
    #[serde(rename = "#microsoft.graph.azureActiveDirectoryTenant", rename_all = "camelCase")]
    Tenant { tenant_id: String, display_name: String },
}

/// A user of the directory, by email (Graph: a directoryObject).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserRef {
    pub mail: String,
}

/// [accessPackageCatalog] with its resources, customWorkflowExtensions and accessPackages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GraphCatalog {
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    /// `serviceDefault` for the built-in General catalog, else `userManaged`.
    pub catalog_type: CatalogType,
    /// `published` (enabled) or `unpublished`.
    pub state: CatalogState,
    pub is_externally_visible: bool,
    #[serde(default)]
    pub resources: Vec<GraphResource>,
    #[serde(default)]
    pub custom_workflow_extensions: Vec<GraphExtension>,
    #[serde(default)]
    pub access_packages: Vec<GraphPackage>,
    #[serde(default)]
    pub entitle: CatalogExtras,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CatalogType {
    UserManaged,
    ServiceDefault,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CatalogState {
    Published,
    Unpublished,
}

/// What Graph keeps as role assignments of the entitlement management provider.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CatalogExtras {
    /// The catalog's role holders: owner, reader, accessPackageManager, accessPackageAssignmentManager.
    #[serde(default)]
    pub role_holders: Vec<RoleHolder>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleHolder {
    pub user: String,
    pub role: CatalogRole,
}

/// Where a resource comes from [originSystem].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum OriginSystem {
    AadGroup,
    AadApplication,
    SharePointOnline,
}

/// [accessPackageResource] in a catalog, with the roles the directory gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GraphResource {
    pub display_name: String,
    pub origin_system: OriginSystem,
    /// The resource's roles in the directory (checked, not changed, by `apply`).
    #[serde(default)]
    pub roles: Vec<RoleName>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleName {
    pub display_name: String,
}

/// [accessPackageAssignmentRequestWorkflowExtension]: a program entitle runs at a request's stages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GraphExtension {
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    pub client_configuration: ClientConfiguration,
    /// Present: "launch and wait", a request waits for the program's answer.
    #[serde(default)]
    pub callback_configuration: Option<CallbackConfiguration>,
    pub entitle: ExtensionExtras,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientConfiguration {
    /// Whole seconds, in milliseconds.
    pub timeout_in_milliseconds: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CallbackConfiguration {
    /// ISO 8601; the same as the client timeout.
    pub duration_before_timeout: String,
}

/// Graph calls a Logic App; entitle runs a program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExtensionExtras {
    pub program: String,
    #[serde(default)]
    pub arguments: Vec<String>,
}

/// [accessPackage] with its resourceRoleScopes, incompatibilities and assignmentPolicies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GraphPackage {
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    pub is_hidden: bool,
    #[serde(default)]
    pub resource_role_scopes: Vec<RoleScope>,
    #[serde(default)]
    pub incompatible_access_packages: Vec<PackageRef>,
    #[serde(default)]
    pub incompatible_groups: Vec<NameRef>,
    #[serde(default)]
    pub assignment_policies: Vec<GraphPolicy>,
    #[serde(default)]
    pub entitle: PackageExtras,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PackageExtras {
    /// Bundles sensitive resources (the lint warns when it never expires).
    #[serde(default)]
    pub is_sensitive: bool,
}

/// [accessPackageResourceRoleScope]: one role of one resource of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleScope {
    pub role: ResourceRoleRef,
    pub scope: ResourceScope,
}

/// [accessPackageResourceRole]
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceRoleRef {
    pub display_name: String,
    pub origin_system: OriginSystem,
    pub resource: ResourceRef,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceRef {
    pub display_name: String,
    pub origin_system: OriginSystem,
}

/// [accessPackageResourceScope]: entitle grants a resource whole (its root scope).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceScope {
    pub origin_system: OriginSystem,
    pub is_root_scope: bool,
}

/// A package by name and catalog.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PackageRef {
    pub display_name: String,
    pub catalog: NameRef,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NameRef {
    pub display_name: String,
}

/// ISO 8601 durations as Graph writes them: `P14D`, `PT8H`, `PT30S`, `PT0S`.
pub mod iso {
    /// `P{n}D`.
    pub fn days(n: u32) -> String {
        format!("P{n}D")
    }
    /// `PT{n}H`, `PT0S` for none.
    pub fn hours(n: u32) -> String {
        if n == 0 { "PT0S".into() } else { format!("PT{n}H") }
    }
    /// `PT{n}S`.
    pub fn seconds(n: u32) -> String {
        format!("PT{n}S")
    }

    /// A duration in whole seconds, read from the forms entitle writes and the usual others
    /// (`P2W`, `P1DT12H`, `PT90M`); no years or months (they have no fixed length). `None`:
    /// not such a duration.
    pub fn parse_seconds(s: &str) -> Option<u64> {
        let rest = s.trim().strip_prefix('P')?;
        let (date, time) = match rest.split_once('T') {
            Some((d, t)) => (d, Some(t)),
            None => (rest, None),
        };
        let mut total: u64 = 0;
        let mut any = false;
        let mut add = |part: &str, units: &[(char, u64)]| -> Option<()> {
            let mut num = String::new();
            for c in part.chars() {
                if c.is_ascii_digit() {
                    num.push(c);
                    continue;
                }
                let (_, mult) = units.iter().find(|(u, _)| *u == c)?;
                let n: u64 = num.parse().ok()?;
                total = total.checked_add(n.checked_mul(*mult)?)?;
                num.clear();
                any = true;
            }
            num.is_empty().then_some(())
        };
        add(date, &[('W', 604_800), ('D', 86_400)])?;
        if let Some(t) = time {
            if t.is_empty() {
                return None;
            }
            add(t, &[('H', 3_600), ('M', 60), ('S', 1)])?;
        }
        any.then_some(total)
    }
}

#[cfg(test)]
mod tests {
    use super::iso;

    #[test]
    fn iso_durations_read_back_as_written_and_refuse_what_has_no_fixed_length() {
        assert_eq!(iso::parse_seconds(&iso::days(14)), Some(14 * 86_400));
        assert_eq!(iso::parse_seconds(&iso::hours(8)), Some(8 * 3_600));
        assert_eq!(iso::parse_seconds(&iso::hours(0)), Some(0));
        assert_eq!(iso::parse_seconds("P1DT12H"), Some(36 * 3_600));
        assert_eq!(iso::parse_seconds("P2W"), Some(14 * 86_400));
        for bad in ["14D", "P1M", "P1Y", "P", "PT", "P1.5D", "P-1D", "", "P99999999999999999999D"] {
            assert_eq!(iso::parse_seconds(bad), None, "{bad}");
        }
    }
}
