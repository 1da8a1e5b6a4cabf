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

use super::Time;
use super::access::{CatalogRole, Quorum};
use super::extensions::ExtensionStage;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
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

/// [accessPackageAssignmentPolicy]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GraphPolicy {
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    pub allowed_target_scope: TargetScope,
    #[serde(default)]
    pub specific_allowed_targets: Vec<SubjectSet>,
    /// Present for an automatic policy (its rule is the `attributeRuleMembers` target).
    #[serde(default)]
    pub automatic_request_settings: Option<AutomaticRequestSettings>,
    pub expiration: ExpirationPattern,
    pub requestor_settings: RequestorSettings,
    pub request_approval_settings: ApprovalSettings,
    #[serde(default)]
    pub review_settings: Option<ReviewSettingsGraph>,
    #[serde(default)]
    pub questions: Vec<GraphQuestion>,
    #[serde(default)]
    pub custom_extension_stage_settings: Vec<StageSettingGraph>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TargetScope {
    NotSpecified,
    SpecificDirectoryUsers,
    SpecificConnectedOrganizationUsers,
    AllMemberUsers,
    AllDirectoryUsers,
    AllConfiguredConnectedOrganizationUsers,
    AllExternalUsers,
}

/// [subjectSet]: who may request, approve or review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "@odata.type", deny_unknown_fields)]
pub enum SubjectSet {
    /// `userId`: the user's email.
    #[serde(rename = "#microsoft.graph.singleUser", rename_all = "camelCase")]
    SingleUser { user_id: String },
    /// `groupId`: the group's display name.
    #[serde(rename = "#microsoft.graph.groupMembers", rename_all = "camelCase")]
    GroupMembers { group_id: String },
    #[serde(rename = "#microsoft.graph.requestorManager", rename_all = "camelCase")]
    RequestorManager { manager_level: u32 },
    #[serde(rename = "#microsoft.graph.internalSponsors")]
    InternalSponsors {},
    #[serde(rename = "#microsoft.graph.externalSponsors")]
    ExternalSponsors {},
    /// `connectedOrganizationId`: the organization's display name.
    #[serde(rename = "#microsoft.graph.connectedOrganizationMembers", rename_all = "camelCase")]
    ConnectedOrganizationMembers { connected_organization_id: String },
    /// An automatic policy's rule.
    #[serde(rename = "#microsoft.graph.attributeRuleMembers", rename_all = "camelCase")]
    AttributeRuleMembers { membership_rule: String },
    /// A manager may request for a direct report (`onBehalfRequestors`).
    #[serde(rename = "#microsoft.graph.targetManager", rename_all = "camelCase")]
    TargetManager { manager_level: u32 },
}

/// [accessPackageAutomaticRequestSettings]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AutomaticRequestSettings {
    pub request_access_for_allowed_targets: bool,
    pub remove_access_when_target_leaves_allowed_targets: bool,
    /// ISO 8601, whole hours (`PT0S`, `PT48H`).
    pub grace_period_before_access_removal: String,
}

/// [expirationPattern]: `noExpiration`, `afterDuration` (`P365D`, `PT8H`) or `afterDateTime`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExpirationPattern {
    #[serde(rename = "type")]
    pub kind: ExpirationType,
    #[serde(default)]
    pub duration: Option<String>,
    #[serde(default)]
    pub end_date_time: Option<Time>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ExpirationType {
    NoExpiration,
    AfterDateTime,
    AfterDuration,
}

/// [accessPackageAssignmentRequestorSettings]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestorSettings {
    /// "Enable new requests".
    pub enable_targets_to_self_add_access: bool,
    /// The assignee may ask for an extension.
    pub enable_targets_to_self_update_access: bool,
    /// The assignee may remove their own assignment.
    pub enable_targets_to_self_remove_access: bool,
    /// A manager may request for a direct report.
    pub enable_on_behalf_requestors_to_add_access: bool,
    #[serde(default)]
    pub on_behalf_requestors: Vec<SubjectSet>,
}

/// [accessPackageAssignmentApprovalSettings]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApprovalSettings {
    pub is_approval_required_for_add: bool,
    /// An extension needs approval.
    pub is_approval_required_for_update: bool,
    pub is_requestor_justification_required: bool,
    #[serde(default)]
    pub stages: Vec<ApprovalStageGraph>,
}

/// [accessPackageApprovalStage]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApprovalStageGraph {
    /// ISO 8601 whole days, `P1D` to `P30D`.
    pub duration_before_automatic_denial: String,
    pub is_approver_justification_required: bool,
    pub is_escalation_enabled: bool,
    /// ISO 8601 whole days, when escalation is enabled.
    #[serde(default)]
    pub duration_before_escalation: Option<String>,
    pub primary_approvers: Vec<SubjectSet>,
    #[serde(default)]
    pub fallback_primary_approvers: Vec<SubjectSet>,
    #[serde(default)]
    pub escalation_approvers: Vec<SubjectSet>,
    #[serde(default)]
    pub entitle: StageExtras,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StageExtras {
    /// How many approvers must approve: `"any"` (Graph's only behaviour), `"all"`, or `{"count": N}`.
    #[serde(default)]
    pub quorum: Quorum,
}

/// [accessPackageAssignmentReviewSettings]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReviewSettingsGraph {
    pub is_enabled: bool,
    /// `keepAccess` or `removeAccess`: what happens to an assignment nobody decided.
    pub expiration_behavior: ExpirationBehavior,
    pub is_self_review: bool,
    #[serde(default)]
    pub primary_reviewers: Vec<SubjectSet>,
    #[serde(default)]
    pub fallback_reviewers: Vec<SubjectSet>,
    pub schedule: ReviewSchedule,
    #[serde(default)]
    pub entitle: ReviewExtras,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ExpirationBehavior {
    KeepAccess,
    RemoveAccess,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReviewExtras {
    /// Instead of the schedule, review each assignment this many days before it expires.
    #[serde(default)]
    pub start_days_before_expiry: Option<u32>,
}

/// [entitlementManagementSchedule]: the first review, how long each lasts, how often.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReviewSchedule {
    pub start_date_time: Time,
    /// How long each review stays open (`afterDuration`, whole days).
    pub expiration: ExpirationPattern,
    pub recurrence: Recurrence,
}

/// [patternedRecurrence]: `weekly`/1, `absoluteMonthly`/1, 3 or 6, `absoluteYearly`/1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Recurrence {
    pub pattern: RecurrencePattern,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecurrencePattern {
    #[serde(rename = "type")]
    pub kind: String,
    pub interval: u32,
}

/// [accessPackageQuestion]: text or multiple choice. `id` is the question's own number in the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "@odata.type", deny_unknown_fields)]
pub enum GraphQuestion {
    #[serde(rename = "#microsoft.graph.accessPackageTextInputQuestion", rename_all = "camelCase")]
    Text { id: String, sequence: u32, is_required: bool, text: LocalizedContent },
    #[serde(rename = "#microsoft.graph.accessPackageMultipleChoiceQuestion", rename_all = "camelCase")]
    Choice { id: String, sequence: u32, is_required: bool, text: LocalizedContent, choices: Vec<AnswerChoice> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LocalizedContent {
    pub default_text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnswerChoice {
    pub actual_value: String,
    pub display_value: LocalizedContent,
}

/// [customExtensionStageSetting]: the catalog's extension, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StageSettingGraph {
    pub stage: ExtensionStage,
    pub custom_extension: NameRef,
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
