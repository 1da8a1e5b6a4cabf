//! The Graph shapes of an assignment policy [accessPackageAssignmentPolicy] and its parts: who
//! may request (subject sets), approval stages, expiration, requestor settings, access reviews,
//! questions and custom extension stage settings (see the parent module for the conventions).

use serde::{Deserialize, Serialize};

use super::NameRef;
use crate::domain::Time;
use crate::domain::access::Quorum;
use crate::domain::extensions::ExtensionStage;

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
