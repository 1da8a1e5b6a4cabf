//! The directory: users, resources (groups and Teams, applications, sites) and connected organizations.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::Time;
use super::ids::{OrgId, ResourceId, UserId};
use super::serde_util::{secs, secs_opt};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum UserType {
    #[default]
    Member,
    Guest,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: UserId,
    pub display_name: String,
    /// Email, also the sign-in name (UPN).
    pub email: String,
    #[serde(default)]
    pub user_type: UserType,
    /// `false` when sign-in is blocked.
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<UserId>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub department: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub job_title: String,
    /// companyName, country and employeeType: attributes an automatic policy's rule may read.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub company_name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub country: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub employee_type: String,
    /// The connected organization a guest comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home_org: Option<OrgId>,
    /// A guest that entitlement management created on first delivery (the external-user lifecycle applies).
    #[serde(default)]
    pub created_by_em: bool,
    #[serde(default)]
    pub global_admin: bool,
    /// The operating-system login name that signs in as this user in team mode (set by an
    /// administrator; unique across users).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login: Option<String>,
    /// Set when the user was removed from the directory (guest lifecycle); kept for history.
    #[serde(default, with = "secs_opt", skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<Time>,
    /// When a blocked guest is due to be removed.
    #[serde(default, with = "secs_opt", skip_serializing_if = "Option::is_none")]
    pub remove_at: Option<Time>,
}

pub(crate) fn yes() -> bool {
    true
}

impl User {
    pub fn is_guest(&self) -> bool {
        self.user_type == UserType::Guest
    }
    pub fn is_active(&self) -> bool {
        self.deleted_at.is_none()
    }
    /// The part of the email after `@`, lower-cased.
    pub fn domain(&self) -> String {
        email_domain(&self.email)
    }
}

pub fn email_domain(email: &str) -> String {
    email.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase()).unwrap_or_default()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "camelCase")]
pub enum GroupType {
    Security,
    Microsoft365,
    Team,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "type")]
pub enum ResourceKind {
    Group {
        /// `group_type` in files written before the JSON was made camelCase throughout.
        #[serde(alias = "group_type")]
        group_type: GroupType,
    },
    Application,
    Site {
        url: String,
    },
}

impl ResourceKind {
    pub fn label(&self) -> &'static str {
        match self {
            ResourceKind::Group { group_type: GroupType::Security } => "Security group",
            ResourceKind::Group { group_type: GroupType::Microsoft365 } => "Microsoft 365 group",
            ResourceKind::Group { group_type: GroupType::Team } => "Team",
            ResourceKind::Application => "Application",
            ResourceKind::Site { .. } => "SharePoint site",
        }
    }
    /// The roles such a resource has when none are given.
    pub fn default_roles(&self) -> Vec<String> {
        let names: &[&str] = match self {
            ResourceKind::Group { .. } => &["Member", "Owner"],
            ResourceKind::Application => &["User"],
            ResourceKind::Site { .. } => &["Visitor", "Member", "Owner"],
        };
        names.iter().map(|s| s.to_string()).collect()
    }
}

/// A group or Team, an application with its app roles, or a site with its roles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    pub id: ResourceId,
    pub display_name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub kind: ResourceKind,
    pub roles: Vec<String>,
    /// Owners may add the resource to a catalog they hold a role in.
    #[serde(default)]
    pub owners: BTreeSet<UserId>,
}

impl Resource {
    pub fn is_group(&self) -> bool {
        matches!(self.kind, ResourceKind::Group { .. })
    }
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum OrgState {
    #[default]
    Configured,
    Proposed,
}

/// A partner organization whose users may request packages [connectedOrganization].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectedOrg {
    pub id: OrgId,
    pub display_name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Lower-case email domains, e.g. `contoso.com`.
    pub domains: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    #[serde(default)]
    pub state: OrgState,
    #[serde(default)]
    pub internal_sponsors: BTreeSet<UserId>,
    #[serde(default)]
    pub external_sponsors: BTreeSet<UserId>,
    #[serde(with = "secs")]
    pub created_at: Time,
}

impl ConnectedOrg {
    pub fn has_domain(&self, domain: &str) -> bool {
        self.domains.iter().any(|d| d.eq_ignore_ascii_case(domain))
    }
}
