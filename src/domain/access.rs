//! Catalogs, access packages and their assignment policies.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Datelike;
use serde::{Deserialize, Serialize};
use strum::{Display, EnumIter, EnumString};

use super::Time;
use super::clock;
use super::ids::{CatalogId, OrgId, PackageId, PolicyId, QuestionId, ResourceId, UserId};
use super::serde_util::{secs, secs_opt};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Display, EnumIter, EnumString,
)]
#[serde(rename_all = "camelCase")]
#[strum(serialize_all = "camelCase", ascii_case_insensitive)]
pub enum CatalogRole {
    Owner,
    Reader,
    AccessPackageManager,
    AccessPackageAssignmentManager,
}

impl CatalogRole {
    pub fn label(self) -> &'static str {
        match self {
            CatalogRole::Owner => "Catalog owner",
            CatalogRole::Reader => "Catalog reader",
            CatalogRole::AccessPackageManager => "Access package manager",
            CatalogRole::AccessPackageAssignmentManager => "Access package assignment manager",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Catalog {
    pub id: CatalogId,
    pub display_name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Published: its packages can be seen and requested.
    pub enabled: bool,
    /// isExternallyVisible: users from connected organizations can see its packages.
    pub external: bool,
    #[serde(default)]
    pub builtin: bool,
    #[serde(default)]
    pub resources: BTreeSet<ResourceId>,
    #[serde(default)]
    pub roles: BTreeMap<UserId, BTreeSet<CatalogRole>>,
    #[serde(with = "secs")]
    pub created_at: Time,
}

/// One role of one resource, granted by a package [accessPackageResourceRoleScope].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRole {
    pub resource: ResourceId,
    pub role: super::role::Role,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Package {
    pub id: PackageId,
    pub catalog: CatalogId,
    pub display_name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default)]
    pub hidden: bool,
    /// Marks a resource bundle as sensitive (lint warns when it never expires).
    #[serde(default)]
    pub sensitive: bool,
    #[serde(default)]
    pub resource_roles: Vec<ResourceRole>,
    #[serde(default)]
    pub policies: Vec<PolicyId>,
    /// Separation of duties [incompatibleAccessPackages]: whoever holds one of these cannot
    /// request or be assigned this package (and the other way round).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub incompatible_packages: BTreeSet<PackageId>,
    /// Separation of duties [incompatibleGroups]: members of these groups cannot request or be
    /// assigned this package.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub incompatible_groups: BTreeSet<ResourceId>,
    #[serde(default, with = "secs_opt", skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<Time>,
    #[serde(with = "secs")]
    pub created_at: Time,
}

impl Package {
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }
}

/// Who can request [requestorSettings / allowedTargetScope].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum RequestScope {
    /// None: administrator direct assignments only.
    AdminOnly,
    /// Users in your directory: specific users and members of specific groups.
    SpecificUsers {
        #[serde(default)]
        users: BTreeSet<UserId>,
        #[serde(default)]
        groups: BTreeSet<ResourceId>,
    },
    /// Users in your directory: all members (excluding guests).
    AllMembers,
    /// Users in your directory: all users including guests.
    AllDirectoryUsers,
    /// Users not in your directory: specific connected organizations.
    SpecificOrgs { orgs: BTreeSet<OrgId> },
    /// Users not in your directory: all configured connected organizations.
    AllConfiguredOrgs,
    /// Users not in your directory: all users (all connected organizations and any new external user).
    AllExternal,
}

impl RequestScope {
    pub fn is_external(&self) -> bool {
        matches!(self, RequestScope::SpecificOrgs { .. } | RequestScope::AllConfiguredOrgs | RequestScope::AllExternal)
    }
    pub fn label(&self) -> &'static str {
        match self {
            RequestScope::AdminOnly => "None (administrator direct assignments only)",
            RequestScope::SpecificUsers { .. } => "Specific users and groups in your directory",
            RequestScope::AllMembers => "All members (excluding guests)",
            RequestScope::AllDirectoryUsers => "All users in your directory (including guests)",
            RequestScope::SpecificOrgs { .. } => "Specific connected organizations",
            RequestScope::AllConfiguredOrgs => "All configured connected organizations",
            RequestScope::AllExternal => "All users (all connected organizations + any new external users)",
        }
    }
}

/// Someone who can decide a stage or a review.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Approver {
    /// The requestor's manager.
    Manager,
    /// The internal sponsors of the requestor's connected organization.
    InternalSponsors,
    /// The external sponsors of the requestor's connected organization.
    ExternalSponsors,
    User {
        user: UserId,
    },
    /// Every member of a group.
    GroupMembers {
        group: ResourceId,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Escalation {
    /// Days in the stage before the request is forwarded; less than the stage's timeout.
    pub after_days: u32,
    pub alternates: Vec<Approver>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalStage {
    pub approvers: Vec<Approver>,
    /// Used when the primary approvers resolve to nobody (required when the manager approves).
    #[serde(default)]
    pub fallback: Vec<Approver>,
    /// 1 to 30 days, default 14.
    #[serde(default = "default_timeout")]
    pub timeout_days: u32,
    #[serde(default = "super::directory::yes")]
    pub justification_required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation: Option<Escalation>,
    /// How many of the stage's approvers must approve it (Entra: any one of them).
    #[serde(default, skip_serializing_if = "Quorum::is_any")]
    pub quorum: Quorum,
}

/// How many approvals a stage needs. A denial by any approver denies the request whatever the
/// quorum; the timeout and escalation apply to the stage as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Quorum {
    /// The first approval decides (the real service's only behaviour).
    #[default]
    Any,
    /// Every approver the stage was routed to.
    All,
    /// This many of them (see `bounds::QUORUM`); a stage routed to fewer people is denied.
    Count(u32),
}

impl Quorum {
    pub fn is_any(&self) -> bool {
        matches!(self, Quorum::Any | Quorum::Count(1))
    }

    /// How many approvals a stage routed to `approvers` people needs, or None when they are too
    /// few to reach it.
    pub fn needed(&self, approvers: usize) -> Option<usize> {
        let n = match self {
            Quorum::Any => 1,
            Quorum::All => approvers,
            Quorum::Count(n) => usize::try_from(*n).unwrap_or(usize::MAX),
        };
        (n <= approvers).then_some(n.max(1))
    }

    /// "any one", "all", "2 of them": how the stage's approval is described.
    pub fn phrase(&self) -> String {
        match self {
            Quorum::Any | Quorum::Count(1) => "any one approver".into(),
            Quorum::All => "every approver".into(),
            Quorum::Count(n) => format!("{n} approvers"),
        }
    }
}

/// As typed: `any`, `all`, or the number.
impl std::fmt::Display for Quorum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Quorum::Any => write!(f, "any"),
            Quorum::All => write!(f, "all"),
            Quorum::Count(n) => write!(f, "{n}"),
        }
    }
}

impl std::str::FromStr for Quorum {
    type Err = String;
    /// `any`, `all` or a number of approvers.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "any" | "1" => Ok(Quorum::Any),
            "all" => Ok(Quorum::All),
            n => n.parse::<u32>().map(Quorum::Count).map_err(|_| {
                format!("'{s}' is not a quorum: use any, all, or a number of approvers ({})", super::bounds::QUORUM)
            }),
        }
    }
}

pub fn default_timeout() -> u32 {
    14
}

impl ApprovalStage {
    pub fn new(approvers: Vec<Approver>) -> Self {
        ApprovalStage {
            approvers,
            fallback: vec![],
            timeout_days: 14,
            justification_required: true,
            escalation: None,
            quorum: Quorum::Any,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum QuestionKind {
    Text,
    Choice { options: Vec<String> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Question {
    pub id: QuestionId,
    pub text: String,
    pub kind: QuestionKind,
    #[serde(default)]
    pub required: bool,
}

/// When an assignment ends [expiration].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type", content = "value")]
pub enum Expiration {
    /// 0 to 3650 days; 0 means no expiration, as in the portal.
    AfterDays(u32),
    AfterHours(u32),
    OnDate(#[serde(with = "secs")] Time),
    Never,
}

impl Expiration {
    /// When an assignment that starts at `start` ends: `None` when it never expires, and also when
    /// the end would fall past the calendar (a stored value out of range; `Tenant::problems`
    /// reports it).
    pub fn end_from(&self, start: Time) -> Option<Time> {
        match *self {
            Expiration::AfterDays(0) | Expiration::Never => None,
            Expiration::AfterDays(d) => clock::plus_days(start, i64::from(d)),
            Expiration::AfterHours(h) => clock::plus_hours(start, i64::from(h)),
            Expiration::OnDate(t) => Some(t),
        }
    }
    /// Whether the end of an assignment starting at `start` cannot be computed although it
    /// should expire.
    pub fn unreachable_from(&self, start: Time) -> bool {
        !self.never() && !matches!(self, Expiration::OnDate(_)) && self.end_from(start).is_none()
    }
    pub fn never(&self) -> bool {
        matches!(self, Expiration::Never | Expiration::AfterDays(0))
    }
    pub fn label(&self) -> String {
        match self {
            Expiration::AfterDays(0) | Expiration::Never => "never expires".into(),
            Expiration::AfterDays(d) => format!("expires after {d} days"),
            Expiration::AfterHours(h) => format!("expires after {h} hours"),
            Expiration::OnDate(t) => format!("expires on {}", t.format("%Y-%m-%d")),
        }
    }
}

/// The terms an assignment is granted under; kept in the policy's revisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Lifecycle {
    pub expiration: Expiration,
    #[serde(default)]
    pub allow_extension: bool,
    #[serde(default)]
    pub extension_requires_approval: bool,
    /// The user may remove their own assignment.
    #[serde(default = "super::directory::yes")]
    pub allow_self_removal: bool,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Lifecycle {
            expiration: Expiration::AfterDays(365),
            allow_extension: false,
            extension_requires_approval: false,
            allow_self_removal: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Display, EnumIter, EnumString)]
#[serde(rename_all = "camelCase")]
#[strum(serialize_all = "camelCase", ascii_case_insensitive)]
pub enum ReviewFrequency {
    Weekly,
    Monthly,
    Quarterly,
    SemiAnnually,
    Annually,
}

impl ReviewFrequency {
    pub fn months(self) -> u32 {
        match self {
            ReviewFrequency::Weekly => 0,
            ReviewFrequency::Monthly => 1,
            ReviewFrequency::Quarterly => 3,
            ReviewFrequency::SemiAnnually => 6,
            ReviewFrequency::Annually => 12,
        }
    }
    /// The `n`th occurrence of a schedule that began at `start` (the 0th is `start` itself),
    /// counted from `start` so that monthly reviews stay on their day (Jan 31, Feb 28, Mar 31).
    /// `None` past the calendar.
    pub fn occurrence(self, start: Time, n: i64) -> Option<Time> {
        match self {
            ReviewFrequency::Weekly => clock::plus_weeks(start, n),
            other => clock::plus_months(start, n.checked_mul(i64::from(other.months()))?),
        }
    }
    /// The index of the first occurrence later than `t` (at least 1), found in constant time.
    fn index_after(self, start: Time, t: Time) -> Option<i64> {
        let guess = match self {
            ReviewFrequency::Weekly => t.signed_duration_since(start).num_weeks(),
            other => {
                let month = |x: Time| i64::from(x.year()).saturating_mul(12).saturating_add(i64::from(x.month0()));
                month(t).saturating_sub(month(start)) / i64::from(other.months().max(1))
            }
        };
        // The guess is the last occurrence not later than `t`, or (a later day of the same month)
        // the first one after it: start one before it and step on.
        let mut n = guess.saturating_sub(1).max(1);
        for _ in 0..4 {
            // An occurrence past the calendar is later than any `t`.
            if self.occurrence(start, n).is_none_or(|o| o > t) {
                return Some(n);
            }
            n = n.checked_add(1)?;
        }
        None
    }
    /// The first occurrence of a schedule that began at `start` that is later than `t`; `None`
    /// when it would fall past the calendar.
    pub fn after(self, start: Time, t: Time) -> Option<Time> {
        self.occurrence(start, self.index_after(start, t)?)
    }
    /// How many occurrences fall in `(from, to]`, counted without visiting them (occurrences past
    /// the calendar are never reached, so they are not counted).
    pub fn count_between(self, start: Time, from: Time, to: Time) -> Option<u64> {
        let a = self.index_after(start, from)?;
        let b = self.index_after(start, to)?;
        u64::try_from(b.saturating_sub(a)).ok()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Reviewer {
    /// The assignee reviews their own access.
    SelfReview,
    Manager,
    User {
        user: UserId,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Display, EnumString)]
#[serde(rename_all = "camelCase")]
#[strum(serialize_all = "camelCase", ascii_case_insensitive)]
pub enum NoResponse {
    Keep,
    Remove,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewSettings {
    pub frequency: ReviewFrequency,
    /// The first review opens here; later ones follow the frequency.
    #[serde(with = "secs")]
    pub starts_on: Time,
    /// How long each review stays open, in days.
    pub duration_days: u32,
    pub reviewers: Vec<Reviewer>,
    #[serde(default)]
    pub fallback: Vec<UserId>,
    /// What happens to an assignment nobody decided.
    pub no_response: NoResponse,
    /// Instead of the schedule, open a review of each assignment this many days before it expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_expiry_days: Option<u32>,
}

/// Everything a policy says; what `create policy` and `update policy` take.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicySpec {
    pub display_name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub scope: RequestScope,
    /// Empty: no approval. At most three stages.
    #[serde(default)]
    pub stages: Vec<ApprovalStage>,
    #[serde(default = "super::directory::yes")]
    pub justification_required: bool,
    #[serde(default)]
    pub questions: Vec<Question>,
    /// Enable new requests and assignments.
    #[serde(default = "super::directory::yes")]
    pub enabled: bool,
    #[serde(default)]
    pub lifecycle: Lifecycle,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<ReviewSettings>,
    /// A manager may request for a direct report [requestorSettings.onBehalfRequestors:
    /// targetManager]: the report must be in the policy's scope, and its approval chain applies.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_on_behalf: bool,
    /// Set for an automatic policy [automaticRequestSettings]: its rule assigns, nobody requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automatic: Option<super::auto_assign::AutomaticSettings>,
    /// The custom extensions it calls, by stage [customExtensionStageSettings].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_extension_stage_settings: Vec<super::extensions::StageSetting>,
}

impl PolicySpec {
    /// A policy with the portal's defaults: justification on, no approval, 365 days.
    pub fn new(name: &str, scope: RequestScope) -> Self {
        PolicySpec {
            display_name: name.to_string(),
            description: String::new(),
            scope,
            stages: vec![],
            justification_required: true,
            questions: vec![],
            enabled: true,
            lifecycle: Lifecycle::default(),
            review: None,
            allow_on_behalf: false,
            automatic: None,
            custom_extension_stage_settings: vec![],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", from = "super::policy_wire::PolicyWire")]
pub struct Policy {
    pub id: PolicyId,
    pub package: PackageId,
    #[serde(flatten)]
    pub spec: PolicySpec,
    /// Its current revision (see `revisions`): what new requests and assignments are made under.
    #[serde(default)]
    pub revision: u32,
    /// When the next scheduled review of this policy opens.
    #[serde(default, with = "secs_opt", skip_serializing_if = "Option::is_none")]
    pub next_review_at: Option<Time>,
    #[serde(with = "secs")]
    pub created_at: Time,
    #[serde(with = "secs")]
    pub modified_at: Time,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use strum::IntoEnumIterator;

    /// The first occurrence after `t`, found the slow way: stepping from the start.
    fn stepped(f: ReviewFrequency, start: Time, t: Time) -> Option<Time> {
        (1..).map_while(|n| f.occurrence(start, n)).find(|o| *o > t)
    }

    #[test]
    fn the_next_review_is_computed_at_once_and_matches_stepping_through_the_schedule() {
        let start = chrono::Utc.with_ymd_and_hms(2024, 1, 31, 9, 0, 0).single().unwrap_or_default();
        for f in ReviewFrequency::iter() {
            for days in [-40_i64, 0, 1, 6, 7, 29, 30, 31, 59, 60, 365, 366, 1_000, 3_653] {
                for secs in [-1_i64, 0, 1] {
                    let t = clock::plus_days(start, days).and_then(|t| clock::plus_secs(t, secs)).unwrap_or(start);
                    assert_eq!(f.after(start, t), stepped(f, start, t), "{f} from {start} after {t}");
                }
            }
        }
        // Monthly stays on its day: Jan 31, Feb 29, Mar 31.
        let feb = ReviewFrequency::Monthly.after(start, start).unwrap_or(start);
        assert_eq!((feb.month(), feb.day()), (2, 29));
        let mar = ReviewFrequency::Monthly.after(start, feb).unwrap_or(start);
        assert_eq!((mar.month(), mar.day()), (3, 31));
        // Past the calendar there is no next review, and counting stops there.
        let late = chrono::Utc.with_ymd_and_hms(9999, 12, 30, 0, 0, 0).single().unwrap_or_default();
        assert_eq!(ReviewFrequency::Weekly.after(start, late), None);
        assert_eq!(ReviewFrequency::Weekly.count_between(start, start, start), Some(0));
        assert_eq!(
            ReviewFrequency::Quarterly.count_between(start, start, clock::plus_days(start, 366).unwrap_or(start)),
            Some(4)
        );
    }
}
