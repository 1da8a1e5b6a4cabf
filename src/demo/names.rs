//! The script's objects: serde mirrors of the domain's specs that name users, resources, groups and
//! connected organizations where the domain holds ids, and their resolution against a tenant.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, anyhow, bail};
use serde::Deserialize;

use super::story::Step;
use crate::domain::records::{ExternalLifecycle, Limits};
use crate::domain::*;

/// The whole script (see the module documentation of `demo` for the format).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Script {
    pub tenant: String,
    /// Free text for the reader of the file.
    #[serde(default, rename = "about")]
    pub _about: String,
    pub start: Time,
    #[serde(default)]
    pub now: Option<Time>,
    #[serde(default)]
    pub settings: NamedSettings,
    pub users: Vec<NamedUser>,
    #[serde(default)]
    pub resources: Vec<NamedResource>,
    #[serde(default)]
    pub connected_organizations: Vec<NamedOrg>,
    #[serde(default)]
    pub catalogs: Vec<NamedCatalog>,
    #[serde(default)]
    pub packages: Vec<NamedPackage>,
    #[serde(default)]
    pub story: Vec<Step>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NamedSettings {
    #[serde(default)]
    pub catalog_creators: Vec<String>,
    #[serde(default)]
    pub external_lifecycle: ExternalLifecycle,
    #[serde(default)]
    pub limits: Option<Limits>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NamedUser {
    pub name: String,
    pub email: String,
    #[serde(default, rename = "type")]
    pub user_type: UserType,
    #[serde(default)]
    pub manager: Option<String>,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub job_title: String,
    #[serde(default)]
    pub home_org: Option<String>,
    #[serde(default)]
    pub global_admin: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum NamedKind {
    Security,
    M365,
    Team,
    Application,
    Site,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NamedResource {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: NamedKind,
    #[serde(default)]
    pub description: String,
    /// Required for a site.
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub owners: Vec<String>,
    /// Memberships that exist before (and outside) any access package: `[user, role]`.
    #[serde(default)]
    pub members: Vec<(String, String)>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NamedOrg {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub domains: Vec<String>,
    #[serde(default)]
    pub tenant_id: Option<String>,
    #[serde(default)]
    pub state: OrgState,
    #[serde(default)]
    pub internal_sponsors: Vec<String>,
    #[serde(default)]
    pub external_sponsors: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NamedCatalog {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub external: bool,
    /// Who creates it (and so becomes its owner); default: the first global administrator.
    #[serde(default)]
    pub by: Option<String>,
    #[serde(default)]
    pub resources: Vec<String>,
    /// `[user, role]`, role one of owner, reader, accessPackageManager, accessPackageAssignmentManager.
    #[serde(default)]
    pub roles: Vec<(String, CatalogRole)>,
    /// Registered once the story is told (so that it makes no calls).
    #[serde(default)]
    pub custom_extensions: Vec<crate::domain::extensions::ExtensionSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NamedPackage {
    pub name: String,
    pub catalog: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub hidden: bool,
    #[serde(default)]
    pub sensitive: bool,
    /// Who creates and configures it; default: the first global administrator.
    #[serde(default)]
    pub by: Option<String>,
    /// `[resource, role]`.
    #[serde(default)]
    pub resource_roles: Vec<(String, String)>,
    #[serde(default)]
    pub policies: Vec<NamedPolicy>,
    /// Separation of duties: packages (by name, set once every package exists) whose holders
    /// may not have this one.
    #[serde(default)]
    pub incompatible_packages: Vec<String>,
    /// Separation of duties: groups whose members may not have this package.
    #[serde(default)]
    pub incompatible_groups: Vec<String>,
}

impl NamedPackage {
    /// Whether one of its policies is automatic (such packages are set up after the story).
    pub fn is_automatic(&self) -> bool {
        self.policies.iter().any(|p| p.automatic.is_some())
    }
}

fn yes() -> bool {
    true
}

/// [`PolicySpec`] with names for users, groups and connected organizations.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NamedPolicy {
    #[serde(alias = "name")]
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    pub scope: NamedScope,
    #[serde(default)]
    pub stages: Vec<NamedStage>,
    #[serde(default = "yes")]
    pub justification_required: bool,
    #[serde(default)]
    pub questions: Vec<NamedQuestion>,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub lifecycle: Lifecycle,
    #[serde(default)]
    pub review: Option<NamedReview>,
    /// A manager may request for a direct report.
    #[serde(default)]
    pub allow_on_behalf: bool,
    /// An automatic policy's rule and grace period (see `auto_assign`).
    #[serde(default)]
    pub automatic: Option<crate::domain::auto_assign::AutomaticSettings>,
    /// `[stage, extension name]`: the catalog's custom extensions it calls, attached once the
    /// story is told.
    #[serde(default)]
    pub custom_extensions: Vec<(crate::domain::extensions::ExtensionStage, String)>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type", deny_unknown_fields)]
pub enum NamedScope {
    AdminOnly,
    SpecificUsers {
        #[serde(default)]
        users: Vec<String>,
        #[serde(default)]
        groups: Vec<String>,
    },
    AllMembers,
    AllDirectoryUsers,
    SpecificOrgs {
        orgs: Vec<String>,
    },
    AllConfiguredOrgs,
    AllExternal,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type", deny_unknown_fields)]
pub enum NamedApprover {
    Manager,
    InternalSponsors,
    ExternalSponsors,
    User { user: String },
    GroupMembers { group: String },
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NamedStage {
    pub approvers: Vec<NamedApprover>,
    #[serde(default)]
    pub fallback: Vec<NamedApprover>,
    #[serde(default = "default_timeout")]
    pub timeout_days: u32,
    #[serde(default = "yes")]
    pub justification_required: bool,
    #[serde(default)]
    pub escalation: Option<NamedEscalation>,
    /// How many approvals the stage needs: "any" (the default), "all", or a number.
    #[serde(default)]
    pub quorum: Quorum,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NamedEscalation {
    pub after_days: u32,
    pub alternates: Vec<NamedApprover>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NamedQuestion {
    /// Default: its position in the list, from 1. Answers name a question by this number or its text.
    #[serde(default)]
    pub id: Option<u64>,
    pub text: String,
    pub kind: QuestionKind,
    #[serde(default)]
    pub required: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type", deny_unknown_fields)]
pub enum NamedReviewer {
    SelfReview,
    Manager,
    User { user: String },
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NamedReview {
    pub frequency: ReviewFrequency,
    pub starts_on: Time,
    pub duration_days: u32,
    pub reviewers: Vec<NamedReviewer>,
    #[serde(default)]
    pub fallback: Vec<String>,
    pub no_response: NoResponse,
    #[serde(default)]
    pub before_expiry_days: Option<u32>,
}

// ----- resolution -----

pub fn user(t: &Tenant, name: &str) -> Result<UserId> {
    Ok(t.find_user(name)?.id)
}

pub fn users(t: &Tenant, names: &[String]) -> Result<BTreeSet<UserId>> {
    names.iter().map(|n| user(t, n)).collect()
}

pub fn resource(t: &Tenant, name: &str) -> Result<ResourceId> {
    Ok(t.find_resource(name)?.id)
}

pub fn group(t: &Tenant, name: &str) -> Result<ResourceId> {
    let r = t.find_resource(name)?;
    if !r.is_group() {
        bail!("'{}' is a {}, not a group", r.display_name, r.kind.label());
    }
    Ok(r.id)
}

pub fn org(t: &Tenant, name: &str) -> Result<OrgId> {
    Ok(t.find_org(name)?.id)
}

pub fn package(t: &Tenant, name: &str) -> Result<PackageId> {
    Ok(t.find_package(name)?.id)
}

impl NamedResource {
    pub fn spec(&self, t: &Tenant) -> Result<ResourceSpec> {
        let kind = match self.kind {
            NamedKind::Security => ResourceKind::Group { group_type: GroupType::Security },
            NamedKind::M365 => ResourceKind::Group { group_type: GroupType::Microsoft365 },
            NamedKind::Team => ResourceKind::Group { group_type: GroupType::Team },
            NamedKind::Application => ResourceKind::Application,
            NamedKind::Site => {
                ResourceKind::Site { url: self.url.clone().ok_or_else(|| anyhow!("a site needs its \"url\""))? }
            }
        };
        if self.url.is_some() && self.kind != NamedKind::Site {
            bail!("only a site has a \"url\"");
        }
        Ok(ResourceSpec {
            display_name: self.name.clone(),
            description: self.description.clone(),
            kind,
            roles: self.roles.clone(),
            owners: users(t, &self.owners)?,
        })
    }
}

impl NamedOrg {
    pub fn spec(&self, t: &Tenant) -> Result<OrgSpec> {
        Ok(OrgSpec {
            display_name: self.name.clone(),
            description: self.description.clone(),
            domains: self.domains.clone(),
            tenant_id: self.tenant_id.clone(),
            state: self.state,
            internal_sponsors: users(t, &self.internal_sponsors)?,
            external_sponsors: users(t, &self.external_sponsors)?,
        })
    }
}

fn approvers(t: &Tenant, list: &[NamedApprover]) -> Result<Vec<Approver>> {
    list.iter()
        .map(|a| {
            Ok(match a {
                NamedApprover::Manager => Approver::Manager,
                NamedApprover::InternalSponsors => Approver::InternalSponsors,
                NamedApprover::ExternalSponsors => Approver::ExternalSponsors,
                NamedApprover::User { user: u } => Approver::User { user: user(t, u)? },
                NamedApprover::GroupMembers { group: g } => Approver::GroupMembers { group: group(t, g)? },
            })
        })
        .collect()
}

impl NamedPolicy {
    pub fn spec(&self, t: &Tenant) -> Result<PolicySpec> {
        let scope = match &self.scope {
            NamedScope::AdminOnly => RequestScope::AdminOnly,
            NamedScope::SpecificUsers { users: u, groups: g } => RequestScope::SpecificUsers {
                users: users(t, u)?,
                groups: g.iter().map(|n| group(t, n)).collect::<Result<_>>()?,
            },
            NamedScope::AllMembers => RequestScope::AllMembers,
            NamedScope::AllDirectoryUsers => RequestScope::AllDirectoryUsers,
            NamedScope::SpecificOrgs { orgs } => {
                RequestScope::SpecificOrgs { orgs: orgs.iter().map(|n| org(t, n)).collect::<Result<_>>()? }
            }
            NamedScope::AllConfiguredOrgs => RequestScope::AllConfiguredOrgs,
            NamedScope::AllExternal => RequestScope::AllExternal,
        };
        let stages = self
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let esc = match &s.escalation {
                    Some(e) => Some(Escalation { after_days: e.after_days, alternates: approvers(t, &e.alternates)? }),
                    None => None,
                };
                Ok(ApprovalStage {
                    approvers: approvers(t, &s.approvers)?,
                    fallback: approvers(t, &s.fallback)?,
                    timeout_days: s.timeout_days,
                    justification_required: s.justification_required,
                    escalation: esc,
                    quorum: s.quorum,
                })
                .map_err(|e: anyhow::Error| anyhow!("stage {}: {e}", i + 1))
            })
            .collect::<Result<Vec<_>>>()?;
        let questions = self
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| Question {
                id: QuestionId(q.id.unwrap_or(i as u64 + 1)),
                text: q.text.clone(),
                kind: q.kind.clone(),
                required: q.required,
            })
            .collect();
        let review = match &self.review {
            None => None,
            Some(r) => Some(ReviewSettings {
                frequency: r.frequency,
                starts_on: r.starts_on,
                duration_days: r.duration_days,
                reviewers: r
                    .reviewers
                    .iter()
                    .map(|x| {
                        Ok(match x {
                            NamedReviewer::SelfReview => Reviewer::SelfReview,
                            NamedReviewer::Manager => Reviewer::Manager,
                            NamedReviewer::User { user: u } => Reviewer::User { user: user(t, u)? },
                        })
                    })
                    .collect::<Result<_>>()?,
                fallback: r.fallback.iter().map(|n| user(t, n)).collect::<Result<_>>()?,
                no_response: r.no_response,
                before_expiry_days: r.before_expiry_days,
            }),
        };
        Ok(PolicySpec {
            display_name: self.display_name.clone(),
            description: self.description.clone(),
            scope,
            stages,
            justification_required: self.justification_required,
            questions,
            enabled: self.enabled,
            lifecycle: self.lifecycle.clone(),
            review,
            allow_on_behalf: self.allow_on_behalf,
            automatic: self.automatic.clone(),
            custom_extension_stage_settings: vec![],
        })
    }
}

/// Answers keyed by question number (`1`, `q1`) or question text, for a package's policies.
pub fn answers(t: &Tenant, pkg: PackageId, given: &BTreeMap<String, String>) -> Result<BTreeMap<QuestionId, String>> {
    let mut out = BTreeMap::new();
    for (key, value) in given {
        let id = match key.parse::<QuestionId>() {
            Ok(id) => id,
            Err(_) => t
                .policies_of(pkg)
                .flat_map(|p| p.spec.questions.iter())
                .find(|q| q.text.eq_ignore_ascii_case(key.trim()))
                .map(|q| q.id)
                .ok_or_else(|| anyhow!("no question '{key}' in the package's policies (use its number or its text)"))?,
        };
        out.insert(id, value.clone());
    }
    Ok(out)
}

/// `3d`, `12h`, `1w`, `30m`, or a sum such as `1d12h`.
pub fn duration(s: &str) -> Result<chrono::Duration> {
    let bad = || anyhow!("'{s}' is not a duration like 3d, 12h, 1w, 30m or 1d12h");
    let mut total = chrono::Duration::zero();
    let mut digits = String::new();
    for c in s.trim().chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let n: i64 = digits.parse().map_err(|_| bad())?;
        digits.clear();
        total += match c {
            'w' => chrono::Duration::weeks(n),
            'd' => chrono::Duration::days(n),
            'h' => chrono::Duration::hours(n),
            'm' => chrono::Duration::minutes(n),
            _ => return Err(bad()),
        };
    }
    if !digits.is_empty() || total <= chrono::Duration::zero() {
        return Err(bad());
    }
    Ok(total)
}
