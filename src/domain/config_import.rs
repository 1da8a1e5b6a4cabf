//! Config as code, in: the Graph shapes of a file read back into the specs the domain's commands
//! take, every name resolved against the tenant. A name nobody has, or a value the shapes cannot
//! carry, is an error naming the reference (the caller names the object it belongs to).

use std::collections::{BTreeSet, HashMap};

use super::access::{
    ApprovalStage, Approver, Escalation, Expiration, Lifecycle, NoResponse, PolicySpec, Question, QuestionKind,
    RequestScope, ReviewFrequency, ReviewSettings, Reviewer,
};
use super::auto_assign::AutomaticSettings;
use super::command::{CatalogSpec, OrgSpec, PackageSpec};
use super::config_graph::*;
use super::extensions::{ExtensionSpec, StageSetting};
use super::ids::*;
use super::separation::Incompatible;
use super::tenant::Tenant;

/// Why a part of the file could not be read: the reference or value, in words.
pub type Unresolved = String;

impl Tenant {
    pub(crate) fn catalog_named(&self, name: &str) -> Option<CatalogId> {
        self.catalogs.values().find(|c| c.display_name == name.trim()).map(|c| c.id)
    }
}

/// The directory's resources by name, made once for a plan: a configuration never changes the
/// directory, and a file names resources by the thousand.
#[derive(Debug, Default)]
pub(crate) struct DirectoryNames {
    /// Each name and kind: its first resource (the lowest id).
    resources: HashMap<(String, OriginSystem), ResourceId>,
    groups: HashMap<String, ResourceId>,
}

impl DirectoryNames {
    pub(crate) fn of(t: &Tenant) -> Self {
        let mut names = DirectoryNames::default();
        for r in t.resources.values() {
            let origin = super::config_export::origin_of(&r.kind);
            names.resources.entry((r.display_name.clone(), origin)).or_insert(r.id);
            if r.is_group() {
                names.groups.entry(r.display_name.clone()).or_insert(r.id);
            }
        }
        names
    }
}

/// Names resolved against a tenant (and its directory's names).
pub(crate) struct Resolver<'a> {
    pub t: &'a Tenant,
    pub dir: &'a DirectoryNames,
}

impl Resolver<'_> {
    pub(crate) fn user_named(&self, email: &str) -> Result<UserId, Unresolved> {
        self.t
            .user_by_email(email.trim())
            .filter(|u| u.is_active())
            .map(|u| u.id)
            .ok_or_else(|| format!("user '{email}' is not in the directory"))
    }

    pub(crate) fn group_named(&self, name: &str) -> Result<ResourceId, Unresolved> {
        (self.dir.groups.get(name).copied()).ok_or_else(|| format!("group '{name}' does not exist in the directory"))
    }

    pub(crate) fn resource_named(&self, name: &str, origin: OriginSystem) -> Result<ResourceId, Unresolved> {
        (self.dir.resources.get(&(name.to_string(), origin)).copied())
            .ok_or_else(|| format!("resource '{name}' ({origin:?}) does not exist in the directory"))
    }

    pub(crate) fn org_named(&self, name: &str) -> Result<OrgId, Unresolved> {
        (self.t.orgs.values())
            .find(|o| o.display_name == name)
            .map(|o| o.id)
            .ok_or_else(|| format!("connected organization '{name}' does not exist"))
    }

    pub(crate) fn package_named(&self, catalog: &str, name: &str) -> Result<PackageId, Unresolved> {
        let missing = || format!("access package '{name}' of catalog '{catalog}' does not exist");
        let cat = self.t.catalog_named(catalog).ok_or_else(missing)?;
        (self.t.packages_of_catalog(cat))
            .find(|p| !p.is_deleted() && p.display_name == name)
            .map(|p| p.id)
            .ok_or_else(missing)
    }

    pub(crate) fn extension_named(&self, catalog: CatalogId, name: &str) -> Result<ExtensionId, Unresolved> {
        (self.t.extensions.values())
            .find(|e| e.catalog == catalog && e.spec.display_name == name)
            .map(|e| e.id)
            .ok_or_else(|| format!("custom extension '{name}' is not in the catalog"))
    }

    pub(crate) fn import_org(&self, g: &GraphOrg) -> Result<OrgSpec, Unresolved> {
        let mut domains = vec![];
        let mut tenant_id = None;
        for s in &g.identity_sources {
            match s {
                IdentitySource::Domain { domain_name, .. } => domains.push(domain_name.trim().to_ascii_lowercase()),
                IdentitySource::Tenant { tenant_id: t, .. } => {
                    if tenant_id.replace(t.clone()).is_some() {
                        return Err("more than one azureActiveDirectoryTenant identity source".into());
                    }
                }
            }
        }
        let sponsors = |list: &[UserRef]| list.iter().map(|u| self.user_named(&u.mail)).collect::<Result<_, _>>();
        Ok(OrgSpec {
            display_name: g.display_name.clone(),
            description: g.description.clone(),
            domains,
            tenant_id,
            state: g.state,
            internal_sponsors: sponsors(&g.internal_sponsors)?,
            external_sponsors: sponsors(&g.external_sponsors)?,
        })
    }

    pub(crate) fn import_role_holders(
        &self,
        holders: &[RoleHolder],
    ) -> Result<BTreeSet<(UserId, super::access::CatalogRole)>, Unresolved> {
        holders.iter().map(|h| Ok((self.user_named(&h.user)?, h.role))).collect()
    }

    /// The catalog's resources, each checked against the directory (its kind and roles).
    pub(crate) fn import_resources(&self, list: &[GraphResource]) -> Result<BTreeSet<ResourceId>, Unresolved> {
        let mut out = BTreeSet::new();
        for g in list {
            let id = self.resource_named(&g.display_name, g.origin_system)?;
            if let Some(r) = self.t.resources.get(&id)
                && let Some(missing) = g.roles.iter().find(|x| !r.has_role(&x.display_name))
            {
                return Err(format!(
                    "resource '{}' has no role '{}' in the directory",
                    g.display_name, missing.display_name
                ));
            }
            out.insert(id);
        }
        Ok(out)
    }

    pub(crate) fn import_role_scopes(&self, list: &[RoleScope]) -> Result<BTreeSet<(ResourceId, String)>, Unresolved> {
        let mut out = BTreeSet::new();
        for s in list {
            let res = &s.role.resource;
            let id = self.resource_named(&res.display_name, res.origin_system)?;
            let known = self.t.resources.get(&id).is_some_and(|r| r.has_role(&s.role.display_name));
            if !known {
                return Err(format!("resource '{}' has no role '{}'", res.display_name, s.role.display_name));
            }
            out.insert((id, s.role.display_name.clone()));
        }
        Ok(out)
    }

    pub(crate) fn import_incompatible(&self, g: &GraphPackage) -> Result<BTreeSet<Incompatible>, Unresolved> {
        let packages = g.incompatible_access_packages.iter().map(|p| {
            self.package_named(&p.catalog.display_name, &p.display_name)
                .map(|package| Incompatible::Package { package })
        });
        let groups = g
            .incompatible_groups
            .iter()
            .map(|n| self.group_named(&n.display_name).map(|group| Incompatible::Group { group }));
        packages.chain(groups).collect()
    }

    fn approver(&self, s: &SubjectSet) -> Result<Approver, Unresolved> {
        match s {
            SubjectSet::RequestorManager { manager_level: 1 } => Ok(Approver::Manager),
            SubjectSet::InternalSponsors {} => Ok(Approver::InternalSponsors),
            SubjectSet::ExternalSponsors {} => Ok(Approver::ExternalSponsors),
            SubjectSet::SingleUser { user_id } => Ok(Approver::User { user: self.user_named(user_id)? }),
            SubjectSet::GroupMembers { group_id } => Ok(Approver::GroupMembers { group: self.group_named(group_id)? }),
            other => Err(format!("{} cannot approve", subject_label(other))),
        }
    }

    fn approvers(&self, list: &[SubjectSet]) -> Result<Vec<Approver>, Unresolved> {
        list.iter().map(|s| self.approver(s)).collect()
    }

    /// A policy of a package of `catalog`, as the file gives it.
    pub(crate) fn import_policy(&self, catalog: CatalogId, g: &GraphPolicy) -> Result<PolicySpec, Unresolved> {
        let rule = g.specific_allowed_targets.iter().find_map(|s| match s {
            SubjectSet::AttributeRuleMembers { membership_rule } => Some(membership_rule.clone()),
            _ => None,
        });
        let automatic = match (&g.automatic_request_settings, rule) {
            (None, None) => None,
            (Some(a), Some(rule)) => Some(AutomaticSettings {
                rule,
                grace_period_hours: whole_hours(&a.grace_period_before_access_removal)?,
            }),
            (Some(_), None) => {
                return Err("automaticRequestSettings need an attributeRuleMembers target with the rule".into());
            }
            (None, Some(_)) => return Err("an attributeRuleMembers target needs automaticRequestSettings".into()),
        };
        let approval = &g.request_approval_settings;
        if !approval.is_approval_required_for_add && !approval.stages.is_empty() {
            return Err("isApprovalRequiredForAdd is false but approval stages are given".into());
        }
        let stages = approval.stages.iter().map(|st| self.import_stage(st)).collect::<Result<Vec<_>, _>>()?;
        let rs = &g.requestor_settings;
        Ok(PolicySpec {
            display_name: g.display_name.clone(),
            description: g.description.clone(),
            scope: self.import_scope(g.allowed_target_scope, &g.specific_allowed_targets)?,
            stages,
            justification_required: approval.is_requestor_justification_required,
            questions: g.questions.iter().map(import_question).collect::<Result<_, _>>()?,
            enabled: rs.enable_targets_to_self_add_access,
            lifecycle: Lifecycle {
                expiration: import_expiration(&g.expiration)?,
                allow_extension: rs.enable_targets_to_self_update_access,
                extension_requires_approval: approval.is_approval_required_for_update,
                allow_self_removal: rs.enable_targets_to_self_remove_access,
            },
            review: g.review_settings.as_ref().filter(|r| r.is_enabled).map(|r| self.import_review(r)).transpose()?,
            allow_on_behalf: rs.enable_on_behalf_requestors_to_add_access,
            automatic,
            custom_extension_stage_settings: g
                .custom_extension_stage_settings
                .iter()
                .map(|s| {
                    let custom_extension = self.extension_named(catalog, &s.custom_extension.display_name)?;
                    Ok(StageSetting { stage: s.stage, custom_extension })
                })
                .collect::<Result<_, Unresolved>>()?,
        })
    }

    fn import_stage(&self, st: &ApprovalStageGraph) -> Result<ApprovalStage, Unresolved> {
        let escalation = match (st.is_escalation_enabled, &st.duration_before_escalation) {
            (false, _) => None,
            (true, None) => return Err("isEscalationEnabled needs durationBeforeEscalation".into()),
            (true, Some(d)) => {
                Some(Escalation { after_days: whole_days(d)?, alternates: self.approvers(&st.escalation_approvers)? })
            }
        };
        Ok(ApprovalStage {
            approvers: self.approvers(&st.primary_approvers)?,
            fallback: self.approvers(&st.fallback_primary_approvers)?,
            timeout_days: whole_days(&st.duration_before_automatic_denial)?,
            justification_required: st.is_approver_justification_required,
            escalation,
            quorum: st.entitle.quorum,
        })
    }

    fn import_scope(&self, scope: TargetScope, targets: &[SubjectSet]) -> Result<RequestScope, Unresolved> {
        let mut users = BTreeSet::new();
        let mut groups = BTreeSet::new();
        let mut orgs = BTreeSet::new();
        for t in targets {
            match (scope, t) {
                (_, SubjectSet::AttributeRuleMembers { .. }) => {}
                (TargetScope::SpecificDirectoryUsers, SubjectSet::SingleUser { user_id }) => {
                    users.insert(self.user_named(user_id)?);
                }
                (TargetScope::SpecificDirectoryUsers, SubjectSet::GroupMembers { group_id }) => {
                    groups.insert(self.group_named(group_id)?);
                }
                (
                    TargetScope::SpecificConnectedOrganizationUsers,
                    SubjectSet::ConnectedOrganizationMembers { connected_organization_id },
                ) => {
                    orgs.insert(self.org_named(connected_organization_id)?);
                }
                (_, other) => {
                    return Err(format!("{} is not a target of allowedTargetScope {scope:?}", subject_label(other)));
                }
            }
        }
        Ok(match scope {
            TargetScope::NotSpecified => RequestScope::AdminOnly,
            TargetScope::SpecificDirectoryUsers => RequestScope::SpecificUsers { users, groups },
            TargetScope::AllMemberUsers => RequestScope::AllMembers,
            TargetScope::AllDirectoryUsers => RequestScope::AllDirectoryUsers,
            TargetScope::SpecificConnectedOrganizationUsers => RequestScope::SpecificOrgs { orgs },
            TargetScope::AllConfiguredConnectedOrganizationUsers => RequestScope::AllConfiguredOrgs,
            TargetScope::AllExternalUsers => RequestScope::AllExternal,
        })
    }

    fn import_review(&self, r: &ReviewSettingsGraph) -> Result<ReviewSettings, Unresolved> {
        let mut reviewers = vec![];
        if r.is_self_review {
            reviewers.push(Reviewer::SelfReview);
        }
        for s in &r.primary_reviewers {
            reviewers.push(match s {
                SubjectSet::RequestorManager { manager_level: 1 } => Reviewer::Manager,
                SubjectSet::SingleUser { user_id } => Reviewer::User { user: self.user_named(user_id)? },
                other => return Err(format!("{} cannot review", subject_label(other))),
            });
        }
        let fallback = r
            .fallback_reviewers
            .iter()
            .map(|s| match s {
                SubjectSet::SingleUser { user_id } => self.user_named(user_id),
                other => Err(format!("{} cannot be a fallback reviewer", subject_label(other))),
            })
            .collect::<Result<_, _>>()?;
        let sched = &r.schedule;
        let duration_days = match (&sched.expiration.kind, &sched.expiration.duration) {
            (ExpirationType::AfterDuration, Some(d)) => whole_days(d)?,
            _ => return Err("a review's schedule.expiration must be afterDuration with a duration in days".into()),
        };
        Ok(ReviewSettings {
            frequency: import_frequency(&sched.recurrence.pattern)?,
            starts_on: sched.start_date_time,
            duration_days,
            reviewers,
            fallback,
            no_response: match r.expiration_behavior {
                ExpirationBehavior::KeepAccess => NoResponse::Keep,
                ExpirationBehavior::RemoveAccess => NoResponse::Remove,
            },
            before_expiry_days: r.entitle.start_days_before_expiry,
        })
    }
}

fn subject_label(s: &SubjectSet) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.get("@odata.type").and_then(|t| t.as_str()).map(|t| t.trim_start_matches('#').to_string()))
        .unwrap_or_else(|| "this subject".into())
}

fn import_frequency(p: &RecurrencePattern) -> Result<ReviewFrequency, Unresolved> {
    match (p.kind.as_str(), p.interval) {
        ("weekly", 1) => Ok(ReviewFrequency::Weekly),
        ("absoluteMonthly", 1) => Ok(ReviewFrequency::Monthly),
        ("absoluteMonthly", 3) => Ok(ReviewFrequency::Quarterly),
        ("absoluteMonthly", 6) => Ok(ReviewFrequency::SemiAnnually),
        ("absoluteYearly", 1) | ("absoluteMonthly", 12) => Ok(ReviewFrequency::Annually),
        (k, i) => Err(format!(
            "recurrence {k} every {i} is not a review frequency (weekly/1, absoluteMonthly/1, 3 or 6, absoluteYearly/1)"
        )),
    }
}

/// `afterDuration` with a date part only (`P365D`) is in days, with a time part (`PT8H`) in hours.
pub(crate) fn import_expiration(e: &ExpirationPattern) -> Result<Expiration, Unresolved> {
    match (e.kind, &e.duration, e.end_date_time) {
        (ExpirationType::NoExpiration, _, _) => Ok(Expiration::Never),
        (ExpirationType::AfterDateTime, _, Some(t)) => Ok(Expiration::OnDate(t)),
        (ExpirationType::AfterDateTime, _, None) => Err("expiration afterDateTime needs endDateTime".into()),
        (ExpirationType::AfterDuration, Some(d), _) if d.contains('T') => Ok(Expiration::AfterHours(whole_hours(d)?)),
        (ExpirationType::AfterDuration, Some(d), _) => Ok(Expiration::AfterDays(whole_days(d)?)),
        (ExpirationType::AfterDuration, None, _) => Err("expiration afterDuration needs a duration".into()),
    }
}

fn whole(d: &str, unit: u64, what: &str) -> Result<u32, Unresolved> {
    let secs = iso::parse_seconds(d).ok_or_else(|| format!("'{d}' is not an ISO 8601 duration (P14D, PT8H)"))?;
    if !secs.is_multiple_of(unit) {
        return Err(format!("'{d}' is not a whole number of {what}"));
    }
    u32::try_from(secs / unit).map_err(|_| format!("'{d}' is too long"))
}

pub(crate) fn whole_days(d: &str) -> Result<u32, Unresolved> {
    whole(d, 86_400, "days")
}

pub(crate) fn whole_hours(d: &str) -> Result<u32, Unresolved> {
    whole(d, 3_600, "hours")
}

fn import_question(q: &GraphQuestion) -> Result<Question, Unresolved> {
    let (id, required, text, kind) = match q {
        GraphQuestion::Text { id, is_required, text, .. } => (id, *is_required, text, QuestionKind::Text),
        GraphQuestion::Choice { id, is_required, text, choices, .. } => (
            id,
            *is_required,
            text,
            QuestionKind::Choice { options: choices.iter().map(|c| c.actual_value.clone()).collect() },
        ),
    };
    let n: u64 = id.trim().parse().map_err(|_| format!("question id '{id}' is not a number"))?;
    Ok(Question { id: QuestionId(n), text: text.default_text.clone(), kind, required })
}

pub(crate) fn import_extension(g: &GraphExtension) -> Result<ExtensionSpec, Unresolved> {
    let ms = g.client_configuration.timeout_in_milliseconds;
    if !ms.is_multiple_of(1000) {
        return Err(format!("timeoutInMilliseconds {ms} is not whole seconds"));
    }
    Ok(ExtensionSpec {
        display_name: g.display_name.clone(),
        description: g.description.clone(),
        program: g.entitle.program.clone(),
        arguments: g.entitle.arguments.clone(),
        timeout_seconds: u32::try_from(ms / 1000).map_err(|_| format!("timeoutInMilliseconds {ms} is too long"))?,
        wait_for_callback: g.callback_configuration.is_some(),
    })
}

pub(crate) fn import_catalog(g: &GraphCatalog) -> CatalogSpec {
    CatalogSpec {
        display_name: g.display_name.trim().to_string(),
        description: g.description.clone(),
        enabled: g.state == CatalogState::Published,
        external: g.is_externally_visible,
    }
}

pub(crate) fn import_package(g: &GraphPackage) -> PackageSpec {
    PackageSpec {
        display_name: g.display_name.clone(),
        description: g.description.clone(),
        hidden: g.is_hidden,
        sensitive: g.entitle.is_sensitive,
    }
}
