//! Config as code, out: the tenant's configuration rendered in the Graph shapes of `config_graph`,
//! directory objects by email or name. The same renderers draw what a file asks for when `plan`
//! compares it with the tenant, so a difference is always a difference of the written form.

use super::access::{
    Approver, Expiration, PolicySpec, Quorum, RequestScope, ReviewFrequency, ReviewSettings, Reviewer,
};
use super::command::{CatalogSpec, OrgSpec, PackageSpec};
use super::config_graph::*;
use super::directory::{ConnectedOrg, Resource, ResourceKind};
use super::error::{DomainResult, not_found};
use super::extensions::ExtensionSpec;
use super::ids::*;
use super::rights::Actor;
use super::separation::Incompatible;
use super::tenant::Tenant;

impl Tenant {
    /// The configuration of the whole tenant, or of the catalog named `catalog`: catalogs with their
    /// resources, extensions, packages and policies, and (whole tenant) the connected
    /// organizations. Global administrators only.
    pub fn export_config(&self, actor: &Actor, catalog: Option<&str>) -> DomainResult<ConfigFile> {
        self.require_admin(actor, "export the configuration")?;
        let (scope, catalogs, orgs) = match catalog {
            Some(name) => {
                let cat = self
                    .catalogs
                    .values()
                    .find(|c| c.display_name == name.trim())
                    .ok_or_else(|| not_found(format!("No catalog is named '{name}'")))?;
                (FileScope::Catalog, vec![cat.id], vec![])
            }
            None => {
                let mut cats: Vec<_> = self.catalogs.values().map(|c| (c.display_name.clone(), c.id)).collect();
                cats.sort();
                let mut orgs: Vec<_> = self.orgs.values().map(|o| (o.display_name.clone(), o.id)).collect();
                orgs.sort();
                (FileScope::Tenant, cats.into_iter().map(|(_, id)| id).collect(), orgs)
            }
        };
        Ok(ConfigFile {
            entitle: FileInfo { format: FORMAT, scope },
            connected_organizations: orgs
                .iter()
                .filter_map(|(_, id)| self.orgs.get(id))
                .map(|o| self.render_org(&org_spec(o)))
                .collect(),
            catalogs: catalogs.iter().filter_map(|id| self.render_catalog(*id)).collect(),
        })
    }

    fn render_catalog(&self, id: CatalogId) -> Option<GraphCatalog> {
        let cat = self.catalogs.get(&id)?;
        let mut g = render_catalog_head(&catalog_spec(cat), cat.builtin);
        let mut resources: Vec<GraphResource> =
            cat.resources.iter().filter_map(|r| self.resources.get(r)).map(render_resource).collect();
        resources.sort_by(|a, b| (&a.display_name, a.origin_system).cmp(&(&b.display_name, b.origin_system)));
        g.resources = resources;
        let mut exts: Vec<_> = self.extensions.values().filter(|e| e.catalog == id).collect();
        exts.sort_by(|a, b| (&a.spec.display_name, a.id).cmp(&(&b.spec.display_name, b.id)));
        g.custom_workflow_extensions = exts.iter().map(|e| render_extension(&e.spec)).collect();
        let mut pkgs: Vec<_> = self.packages.values().filter(|p| p.catalog == id && !p.is_deleted()).collect();
        pkgs.sort_by(|a, b| (&a.display_name, a.id).cmp(&(&b.display_name, b.id)));
        g.access_packages = pkgs.iter().map(|p| self.render_package(p.id)).collect();
        g.entitle.role_holders =
            self.render_role_holders(cat.roles.iter().flat_map(|(u, rs)| rs.iter().map(|r| (*u, *r))));
        Some(g)
    }

    pub(crate) fn render_role_holders(
        &self,
        holders: impl Iterator<Item = (UserId, super::access::CatalogRole)>,
    ) -> Vec<RoleHolder> {
        let mut out: Vec<RoleHolder> = holders.map(|(u, role)| RoleHolder { user: self.email_of(u), role }).collect();
        out.sort();
        out
    }

    fn render_package(&self, id: PackageId) -> GraphPackage {
        let Some(pkg) = self.packages.get(&id) else {
            return render_package_head(&PackageSpec {
                display_name: id.to_string(),
                description: String::new(),
                hidden: false,
                sensitive: false,
            });
        };
        let mut g = render_package_head(&package_spec(pkg));
        g.resource_role_scopes =
            self.render_role_scopes(pkg.resource_roles.iter().map(|r| (r.resource, r.role.as_str())));
        // An incompatibility with a deleted package lasts while its assignments run; a file, which
        // names live packages only, leaves it alone.
        let live = pkg.incompatible_listed().into_iter().filter(|w| match w {
            Incompatible::Package { package } => self.packages.get(package).is_some_and(|p| !p.is_deleted()),
            Incompatible::Group { .. } => true,
        });
        let (packages, groups) = self.render_incompatible(&live.collect::<Vec<_>>());
        g.incompatible_access_packages = packages;
        g.incompatible_groups = groups;
        g.assignment_policies =
            pkg.policies.iter().filter_map(|p| self.policies.get(p)).map(|p| self.render_policy(&p.spec)).collect();
        g
    }

    pub(crate) fn render_role_scopes<'a>(&self, roles: impl Iterator<Item = (ResourceId, &'a str)>) -> Vec<RoleScope> {
        let mut out: Vec<RoleScope> = roles
            .map(|(res, role)| {
                let (name, origin) = self.resource_ref(res);
                RoleScope {
                    role: ResourceRoleRef {
                        display_name: role.to_string(),
                        origin_system: origin,
                        resource: ResourceRef { display_name: name, origin_system: origin },
                    },
                    scope: ResourceScope { origin_system: origin, is_root_scope: true },
                }
            })
            .collect();
        out.sort();
        out
    }

    pub(crate) fn render_incompatible(&self, with: &[Incompatible]) -> (Vec<PackageRef>, Vec<NameRef>) {
        let mut packages = vec![];
        let mut groups = vec![];
        for w in with {
            match w {
                Incompatible::Package { package } => {
                    let (name, catalog) = match self.packages.get(package) {
                        Some(p) => (
                            p.display_name.clone(),
                            self.catalogs.get(&p.catalog).map(|c| c.display_name.clone()).unwrap_or_default(),
                        ),
                        None => (package.to_string(), String::new()),
                    };
                    packages.push(PackageRef { display_name: name, catalog: NameRef { display_name: catalog } });
                }
                Incompatible::Group { group } => groups.push(NameRef { display_name: self.resource_name(*group) }),
            }
        }
        packages.sort();
        groups.sort();
        (packages, groups)
    }

    fn resource_ref(&self, id: ResourceId) -> (String, OriginSystem) {
        match self.resources.get(&id) {
            Some(r) => (r.display_name.clone(), origin_of(&r.kind)),
            None => (id.to_string(), OriginSystem::AadGroup),
        }
    }

    fn email_of(&self, id: UserId) -> String {
        self.users.get(&id).map_or_else(|| id.to_string(), |u| u.email.clone())
    }

    fn user_refs(&self, ids: impl Iterator<Item = UserId>) -> Vec<UserRef> {
        let mut out: Vec<UserRef> = ids.map(|u| UserRef { mail: self.email_of(u) }).collect();
        out.sort();
        out
    }

    pub(crate) fn render_org(&self, spec: &OrgSpec) -> GraphOrg {
        let mut sources: Vec<IdentitySource> = spec
            .domains
            .iter()
            .map(|d| IdentitySource::Domain { domain_name: d.clone(), display_name: d.clone() })
            .collect();
        if let Some(tid) = &spec.tenant_id {
            sources.push(IdentitySource::Tenant { tenant_id: tid.clone(), display_name: spec.display_name.clone() });
        }
        GraphOrg {
            display_name: spec.display_name.clone(),
            description: spec.description.clone(),
            state: spec.state,
            identity_sources: sources,
            internal_sponsors: self.user_refs(spec.internal_sponsors.iter().copied()),
            external_sponsors: self.user_refs(spec.external_sponsors.iter().copied()),
        }
    }

    fn subject_set(&self, a: &Approver) -> SubjectSet {
        match a {
            Approver::Manager => SubjectSet::RequestorManager { manager_level: 1 },
            Approver::InternalSponsors => SubjectSet::InternalSponsors {},
            Approver::ExternalSponsors => SubjectSet::ExternalSponsors {},
            Approver::User { user } => SubjectSet::SingleUser { user_id: self.email_of(*user) },
            Approver::GroupMembers { group } => SubjectSet::GroupMembers { group_id: self.resource_name(*group) },
        }
    }

    /// A policy's settings as Graph writes them (`extensions` names the catalog's extensions).
    pub(crate) fn render_policy(&self, spec: &PolicySpec) -> GraphPolicy {
        let (scope, mut targets) = self.render_scope(&spec.scope);
        if let Some(auto) = &spec.automatic {
            targets.push(SubjectSet::AttributeRuleMembers { membership_rule: auto.rule.clone() });
        }
        let subjects = |list: &[Approver]| list.iter().map(|a| self.subject_set(a)).collect::<Vec<_>>();
        let stages = spec
            .stages
            .iter()
            .map(|st| ApprovalStageGraph {
                duration_before_automatic_denial: iso::days(st.timeout_days),
                is_approver_justification_required: st.justification_required,
                is_escalation_enabled: st.escalation.is_some(),
                duration_before_escalation: st.escalation.as_ref().map(|e| iso::days(e.after_days)),
                primary_approvers: subjects(&st.approvers),
                fallback_primary_approvers: subjects(&st.fallback),
                escalation_approvers: st.escalation.as_ref().map(|e| subjects(&e.alternates)).unwrap_or_default(),
                entitle: StageExtras { quorum: if st.quorum.is_any() { Quorum::Any } else { st.quorum } },
            })
            .collect::<Vec<_>>();
        let lc = &spec.lifecycle;
        GraphPolicy {
            display_name: spec.display_name.clone(),
            description: spec.description.clone(),
            allowed_target_scope: scope,
            specific_allowed_targets: targets,
            automatic_request_settings: spec.automatic.as_ref().map(|a| AutomaticRequestSettings {
                request_access_for_allowed_targets: true,
                remove_access_when_target_leaves_allowed_targets: true,
                grace_period_before_access_removal: iso::hours(a.grace_period_hours),
            }),
            expiration: render_expiration(lc.expiration),
            requestor_settings: RequestorSettings {
                enable_targets_to_self_add_access: spec.enabled,
                enable_targets_to_self_update_access: lc.allow_extension,
                enable_targets_to_self_remove_access: lc.allow_self_removal,
                enable_on_behalf_requestors_to_add_access: spec.allow_on_behalf,
                on_behalf_requestors: if spec.allow_on_behalf {
                    vec![SubjectSet::TargetManager { manager_level: 1 }]
                } else {
                    vec![]
                },
            },
            request_approval_settings: ApprovalSettings {
                is_approval_required_for_add: !stages.is_empty(),
                is_approval_required_for_update: lc.extension_requires_approval,
                is_requestor_justification_required: spec.justification_required,
                stages,
            },
            review_settings: spec.review.as_ref().map(|r| self.render_review(r)),
            questions: spec.questions.iter().zip(1u32..).map(|(q, n)| render_question(q, n)).collect(),
            custom_extension_stage_settings: spec
                .custom_extension_stage_settings
                .iter()
                .map(|s| StageSettingGraph {
                    stage: s.stage,
                    custom_extension: NameRef {
                        display_name: self
                            .extensions
                            .get(&s.custom_extension)
                            .map_or_else(|| s.custom_extension.to_string(), |e| e.spec.display_name.clone()),
                    },
                })
                .collect(),
        }
    }

    fn render_scope(&self, scope: &RequestScope) -> (TargetScope, Vec<SubjectSet>) {
        match scope {
            RequestScope::AdminOnly => (TargetScope::NotSpecified, vec![]),
            RequestScope::SpecificUsers { users, groups } => {
                let mut u: Vec<String> = users.iter().map(|x| self.email_of(*x)).collect();
                u.sort();
                let mut g: Vec<String> = groups.iter().map(|x| self.resource_name(*x)).collect();
                g.sort();
                let users = u.into_iter().map(|user_id| SubjectSet::SingleUser { user_id });
                let groups = g.into_iter().map(|group_id| SubjectSet::GroupMembers { group_id });
                (TargetScope::SpecificDirectoryUsers, users.chain(groups).collect())
            }
            RequestScope::AllMembers => (TargetScope::AllMemberUsers, vec![]),
            RequestScope::AllDirectoryUsers => (TargetScope::AllDirectoryUsers, vec![]),
            RequestScope::SpecificOrgs { orgs } => {
                let mut names: Vec<String> = orgs
                    .iter()
                    .map(|o| self.orgs.get(o).map_or_else(|| o.to_string(), |x| x.display_name.clone()))
                    .collect();
                names.sort();
                let subjects = names.into_iter().map(|connected_organization_id| {
                    SubjectSet::ConnectedOrganizationMembers { connected_organization_id }
                });
                (TargetScope::SpecificConnectedOrganizationUsers, subjects.collect())
            }
            RequestScope::AllConfiguredOrgs => (TargetScope::AllConfiguredConnectedOrganizationUsers, vec![]),
            RequestScope::AllExternal => (TargetScope::AllExternalUsers, vec![]),
        }
    }

    fn render_review(&self, r: &ReviewSettings) -> ReviewSettingsGraph {
        let primary = r
            .reviewers
            .iter()
            .filter_map(|x| match x {
                Reviewer::SelfReview => None,
                Reviewer::Manager => Some(SubjectSet::RequestorManager { manager_level: 1 }),
                Reviewer::User { user } => Some(SubjectSet::SingleUser { user_id: self.email_of(*user) }),
            })
            .collect();
        ReviewSettingsGraph {
            is_enabled: true,
            expiration_behavior: match r.no_response {
                super::access::NoResponse::Keep => ExpirationBehavior::KeepAccess,
                super::access::NoResponse::Remove => ExpirationBehavior::RemoveAccess,
            },
            is_self_review: r.reviewers.contains(&Reviewer::SelfReview),
            primary_reviewers: primary,
            fallback_reviewers: r
                .fallback
                .iter()
                .map(|u| SubjectSet::SingleUser { user_id: self.email_of(*u) })
                .collect(),
            schedule: ReviewSchedule {
                start_date_time: r.starts_on,
                expiration: ExpirationPattern {
                    kind: ExpirationType::AfterDuration,
                    duration: Some(iso::days(r.duration_days)),
                    end_date_time: None,
                },
                recurrence: Recurrence { pattern: render_frequency(r.frequency) },
            },
            entitle: ReviewExtras { start_days_before_expiry: r.before_expiry_days },
        }
    }
}

pub(crate) fn render_frequency(f: ReviewFrequency) -> RecurrencePattern {
    let (kind, interval) = match f {
        ReviewFrequency::Weekly => ("weekly", 1),
        ReviewFrequency::Monthly => ("absoluteMonthly", 1),
        ReviewFrequency::Quarterly => ("absoluteMonthly", 3),
        ReviewFrequency::SemiAnnually => ("absoluteMonthly", 6),
        ReviewFrequency::Annually => ("absoluteYearly", 1),
    };
    RecurrencePattern { kind: kind.into(), interval }
}

pub(crate) fn render_expiration(e: Expiration) -> ExpirationPattern {
    let (kind, duration, end) = match e {
        Expiration::Never | Expiration::AfterDays(0) => (ExpirationType::NoExpiration, None, None),
        Expiration::AfterDays(d) => (ExpirationType::AfterDuration, Some(iso::days(d)), None),
        Expiration::AfterHours(h) => (ExpirationType::AfterDuration, Some(format!("PT{h}H")), None),
        Expiration::OnDate(t) => (ExpirationType::AfterDateTime, None, Some(t)),
    };
    ExpirationPattern { kind, duration, end_date_time: end }
}

fn render_question(q: &super::access::Question, sequence: u32) -> GraphQuestion {
    let id = q.id.0.to_string();
    let text = LocalizedContent { default_text: q.text.clone() };
    match &q.kind {
        super::access::QuestionKind::Text => GraphQuestion::Text { id, sequence, is_required: q.required, text },
        super::access::QuestionKind::Choice { options } => GraphQuestion::Choice {
            id,
            sequence,
            is_required: q.required,
            text,
            choices: options
                .iter()
                .map(|o| AnswerChoice {
                    actual_value: o.clone(),
                    display_value: LocalizedContent { default_text: o.clone() },
                })
                .collect(),
        },
    }
}

pub(crate) fn origin_of(kind: &ResourceKind) -> OriginSystem {
    match kind {
        ResourceKind::Group { .. } => OriginSystem::AadGroup,
        ResourceKind::Application => OriginSystem::AadApplication,
        ResourceKind::Site { .. } => OriginSystem::SharePointOnline,
    }
}

pub(crate) fn render_resource(r: &Resource) -> GraphResource {
    GraphResource {
        display_name: r.display_name.clone(),
        origin_system: origin_of(&r.kind),
        roles: r.roles.iter().map(|x| RoleName { display_name: x.clone() }).collect(),
    }
}

/// A catalog's own settings, without its resources, extensions and packages.
pub(crate) fn render_catalog_head(spec: &CatalogSpec, builtin: bool) -> GraphCatalog {
    GraphCatalog {
        display_name: spec.display_name.clone(),
        description: spec.description.clone(),
        catalog_type: if builtin { CatalogType::ServiceDefault } else { CatalogType::UserManaged },
        state: if spec.enabled { CatalogState::Published } else { CatalogState::Unpublished },
        is_externally_visible: spec.external,
        resources: vec![],
        custom_workflow_extensions: vec![],
        access_packages: vec![],
        entitle: CatalogExtras::default(),
    }
}

/// A package's own settings, without its roles, incompatibilities and policies.
pub(crate) fn render_package_head(spec: &PackageSpec) -> GraphPackage {
    GraphPackage {
        display_name: spec.display_name.clone(),
        description: spec.description.clone(),
        is_hidden: spec.hidden,
        resource_role_scopes: vec![],
        incompatible_access_packages: vec![],
        incompatible_groups: vec![],
        assignment_policies: vec![],
        entitle: PackageExtras { is_sensitive: spec.sensitive },
    }
}

pub(crate) fn render_extension(spec: &ExtensionSpec) -> GraphExtension {
    GraphExtension {
        display_name: spec.display_name.clone(),
        description: spec.description.clone(),
        client_configuration: ClientConfiguration {
            timeout_in_milliseconds: u64::from(spec.timeout_seconds).saturating_mul(1000),
        },
        callback_configuration: spec
            .wait_for_callback
            .then(|| CallbackConfiguration { duration_before_timeout: iso::seconds(spec.timeout_seconds) }),
        entitle: ExtensionExtras { program: spec.program.clone(), arguments: spec.arguments.clone() },
    }
}

pub(crate) fn catalog_spec(c: &super::access::Catalog) -> CatalogSpec {
    CatalogSpec {
        display_name: c.display_name.clone(),
        description: c.description.clone(),
        enabled: c.enabled,
        external: c.external,
    }
}

pub(crate) fn package_spec(p: &super::access::Package) -> PackageSpec {
    PackageSpec {
        display_name: p.display_name.clone(),
        description: p.description.clone(),
        hidden: p.hidden,
        sensitive: p.sensitive,
    }
}

pub(crate) fn org_spec(o: &ConnectedOrg) -> OrgSpec {
    OrgSpec {
        display_name: o.display_name.clone(),
        description: o.description.clone(),
        domains: o.domains.clone(),
        tenant_id: o.tenant_id.clone(),
        state: o.state,
        internal_sponsors: o.internal_sponsors.clone(),
        external_sponsors: o.external_sponsors.clone(),
    }
}
