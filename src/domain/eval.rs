//! Policy evaluation: who a policy lets request, what a user sees in My Access, who approves
//! (whether a policy's settings are within the rules: `policy_rules`).

use std::collections::BTreeSet;

use super::access::{Approver, Package, Policy, RequestScope, Reviewer};
use super::directory::email_domain;
use super::ids::{OrgId, UserId};
use super::rights::Actor;
use super::tenant::Tenant;

/// Who is asking, as a policy sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requester {
    pub user: Option<UserId>,
    pub external: bool,
    pub org: Option<OrgId>,
    pub email: String,
}

impl Tenant {
    /// Describe the actor as a requester; None for the system or a blocked or removed user.
    pub fn requester(&self, actor: &Actor) -> Option<Requester> {
        match actor {
            Actor::System => None,
            Actor::User { user } => {
                let u = self.users.get(user)?;
                if !u.is_active() || !u.enabled {
                    return None;
                }
                Some(self.requester_of(u))
            }
            Actor::External { email, tenant_id, .. } => {
                // A guest removed from the directory comes back as a new external user.
                if let Some(u) = self.user_by_email(email)
                    && u.is_active()
                {
                    return self.requester(&Actor::user(u.id));
                }
                Some(Requester {
                    user: None,
                    external: true,
                    org: self.org_for_sign_in(&email_domain(email), tenant_id.as_deref()),
                    email: email.clone(),
                })
            }
        }
    }

    /// A directory user as a policy sees them, whether or not they can sign in (`requester`
    /// refuses a blocked one; `explain` still shows what the policies would make of them).
    pub fn requester_of(&self, u: &super::directory::User) -> Requester {
        let org = u.home_org.or_else(|| self.org_for_domain(&u.domain()));
        Requester { user: Some(u.id), external: u.is_guest(), org, email: u.email.clone() }
    }

    pub fn org_for_domain(&self, domain: &str) -> Option<OrgId> {
        if domain.is_empty() {
            return None;
        }
        self.orgs.values().find(|o| o.has_domain(domain)).map(|o| o.id)
    }

    /// The connected organization of someone signing in from outside. A sign-in that carries a
    /// tenant id matches the organization defined by that tenant id, else one matched by email
    /// domain that names no other tenant; without a tenant id, the email domain decides.
    pub fn org_for_sign_in(&self, domain: &str, tenant: Option<&str>) -> Option<OrgId> {
        let Some(t) = tenant.map(str::trim).filter(|t| !t.is_empty()) else { return self.org_for_domain(domain) };
        let same =
            |o: &super::directory::ConnectedOrg| o.tenant_id.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(t));
        if let Some(o) = self.orgs.values().find(|o| same(o)) {
            return Some(o.id);
        }
        if domain.is_empty() {
            return None;
        }
        self.orgs.values().find(|o| o.has_domain(domain) && o.tenant_id.is_none()).map(|o| o.id)
    }

    /// The active users whose manager is `manager` (who they may request for on behalf).
    pub fn direct_reports(&self, manager: UserId) -> Vec<UserId> {
        self.users.values().filter(|u| u.manager == Some(manager) && u.is_active()).map(|u| u.id).collect()
    }

    /// Whether a user is a member (any role, any source) of a group.
    pub fn is_group_member(&self, user: UserId, group: super::ids::ResourceId) -> bool {
        self.holds(user, group, "Member") || self.holds(user, group, "Owner")
    }

    /// Whether this policy's "who can request" includes the requester (ignores enabled flags).
    pub fn scope_includes(&self, scope: &RequestScope, who: &Requester) -> bool {
        let configured =
            |o: &OrgId| self.orgs.get(o).is_some_and(|o| o.state == super::directory::OrgState::Configured);
        match scope {
            RequestScope::AdminOnly => false,
            RequestScope::SpecificUsers { users, groups } => {
                who.user.is_some_and(|u| users.contains(&u) || groups.iter().any(|g| self.is_group_member(u, *g)))
            }
            RequestScope::AllMembers => who.user.is_some() && !who.external,
            RequestScope::AllDirectoryUsers => who.user.is_some(),
            RequestScope::SpecificOrgs { orgs } => who.external && who.org.is_some_and(|o| orgs.contains(&o)),
            RequestScope::AllConfiguredOrgs => who.external && who.org.as_ref().is_some_and(configured),
            RequestScope::AllExternal => who.external,
        }
    }

    /// Whether the requester can ask for the package through this policy right now: the policy is
    /// enabled, targets them, and the catalog is published (and enabled for external users, for guests and externals).
    pub fn policy_admits(&self, pkg: &Package, policy: &Policy, who: &Requester) -> bool {
        let Some(cat) = self.catalogs.get(&pkg.catalog) else { return false };
        !pkg.is_deleted() && cat.enabled && (!who.external || cat.external) && self.policy_includes(policy, who)
    }

    /// The policy's own part of [`Tenant::policy_admits`]: it takes new requests and its "who
    /// can request" includes the requester (the package and its catalog aside).
    pub fn policy_includes(&self, policy: &Policy, who: &Requester) -> bool {
        policy.spec.enabled && self.scope_includes(&policy.spec.scope, who)
    }

    /// The policies through which the actor may request the package.
    pub fn matching_policies(&self, actor: &Actor, pkg: &Package) -> Vec<&Policy> {
        let Some(who) = self.requester(actor) else { return vec![] };
        self.policies_of(pkg.id).filter(|p| self.policy_admits(pkg, p, &who)).collect()
    }

    /// My Access: the packages the actor can see and request (not hidden, catalog published, a policy targets them).
    pub fn available_packages(&self, actor: &Actor) -> Vec<(&Package, Vec<&Policy>)> {
        // As `matching_policies`, with the requester worked out once, not once per package.
        let Some(who) = self.requester(actor) else { return vec![] };
        self.packages
            .values()
            .filter(|p| Self::listed(p))
            .filter_map(|p| {
                let pols: Vec<&Policy> =
                    self.policies_of(p.id).filter(|pol| self.policy_admits(p, pol, &who)).collect();
                (!pols.is_empty()).then_some((p, pols))
            })
            .collect()
    }

    /// Whether My Access lists the package to those a policy admits: not hidden (a hidden one is
    /// requested through its direct link) and not deleted.
    pub fn listed(p: &Package) -> bool {
        !p.hidden && !p.is_deleted()
    }

    /// Turn approvers into users: manager, sponsors, named users, group members. `for_user` is the
    /// request's target (None for a new external), `org` its connected organization.
    pub fn resolve_approvers(
        &self,
        list: &[Approver],
        for_user: Option<UserId>,
        org: Option<OrgId>,
    ) -> BTreeSet<UserId> {
        let mut out = BTreeSet::new();
        for a in list {
            match a {
                Approver::Manager => {
                    if let Some(m) = for_user.and_then(|u| self.users.get(&u)).and_then(|u| u.manager) {
                        out.insert(m);
                    }
                }
                Approver::InternalSponsors => {
                    if let Some(o) = org.and_then(|o| self.orgs.get(&o)) {
                        out.extend(o.internal_sponsors.iter().copied());
                    }
                }
                Approver::ExternalSponsors => {
                    if let Some(o) = org.and_then(|o| self.orgs.get(&o)) {
                        out.extend(o.external_sponsors.iter().copied());
                    }
                }
                Approver::User { user } => {
                    out.insert(*user);
                }
                Approver::GroupMembers { group } => {
                    out.extend(self.holders(*group).filter(|(_, r)| r == "Member").map(|(u, _)| *u));
                }
            }
        }
        out.retain(|u| self.users.get(u).is_some_and(|u| u.is_active() && u.enabled));
        out
    }

    /// Resolve reviewers of an assignment: self, manager, named users; fallback when none.
    pub fn resolve_reviewers(&self, list: &[Reviewer], fallback: &[UserId], user: UserId) -> Vec<UserId> {
        let mut out = BTreeSet::new();
        for r in list {
            match r {
                Reviewer::SelfReview => {
                    out.insert(user);
                }
                Reviewer::Manager => {
                    if let Some(m) = self.users.get(&user).and_then(|u| u.manager) {
                        out.insert(m);
                    }
                }
                Reviewer::User { user } => {
                    out.insert(*user);
                }
            }
        }
        // Like approvers: only users who can sign in review; otherwise the fallback does.
        let can_sign_in = |u: &UserId| self.users.get(u).is_some_and(|u| u.is_active() && u.enabled);
        out.retain(can_sign_in);
        if out.is_empty() {
            out.extend(fallback.iter().copied().filter(can_sign_in));
        }
        out.into_iter().collect()
    }
}
