//! What saving a policy edit would mean, before it is saved: the current assignments keep the
//! terms they were granted under (their revision), the waiting requests keep theirs (requests
//! freeze their terms), and the people whose right to request the package changes, found by
//! asking the request rule (`policy_admits`) of every directory user and connected organization
//! before and after the real save, run on a copy. One pass over the directory, on demand only.

use serde::Serialize;

use super::access::PolicySpec;
use super::command::Command;
use super::error::DomainResult;
use super::eval::Requester;
use super::ids::*;
use super::rights::Actor;
use super::tenant::Tenant;

/// How many of each list a preview names, on screen and in the command line (the counts are whole).
pub const NAMED: usize = 20;

/// A list that may be long: how many, and the first few.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FirstOf<T> {
    pub count: usize,
    pub first: Vec<T>,
}

impl<T> Default for FirstOf<T> {
    fn default() -> Self {
        FirstOf { count: 0, first: vec![] }
    }
}

impl<T> FirstOf<T> {
    fn push(&mut self, limit: usize, item: impl FnOnce() -> T) {
        self.count = self.count.saturating_add(1);
        if self.first.len() < limit {
            self.first.push(item());
        }
    }
}

/// One assignment or request and the revision of the policy it keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Kept {
    /// The assignment or the request: `{"assignment": 14}` in the JSON, beside the rest.
    #[serde(flatten)]
    pub id: super::ids::ObjectRef,
    /// Whose it is, as a name (an email for someone outside the directory).
    pub who: String,
    pub revision: u32,
}

/// What saving a policy edit would change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyPreview {
    pub policy: PolicyId,
    pub package: PackageId,
    /// The revision in force now, and the one the save would make (the same when nothing in
    /// the terms changes).
    pub revision: u32,
    pub new_revision: u32,
    /// Active assignments under the policy: they keep the terms of their revision.
    pub assignments_keep_terms: FirstOf<Kept>,
    /// Requests waiting under the policy: unaffected, they keep the terms they were made under.
    pub requests_keep_terms: FirstOf<Kept>,
    /// Directory users who could not request the package and could after the save.
    pub gain: FirstOf<UserId>,
    /// Directory users who could request it and could not after the save.
    pub lose: FirstOf<UserId>,
    /// Connected organizations whose people (not yet in the directory) gain or lose it.
    pub orgs_gain: Vec<OrgId>,
    pub orgs_lose: Vec<OrgId>,
    /// Whether people outside any connected organization gain or lose it (all external users).
    pub any_external: Option<bool>,
}

impl Tenant {
    /// What saving `spec` over `policy` would do, as `actor` (the save's own checks refuse
    /// here as they would there), listing the first `limit` of each list.
    pub fn preview_policy_update(
        &self,
        actor: &Actor,
        policy: PolicyId,
        spec: &PolicySpec,
        limit: usize,
    ) -> DomainResult<PolicyPreview> {
        let pol = self.policy(policy)?;
        let command = Command::UpdatePolicy { policy, spec: spec.clone() };
        let (_, after) = self.preview(None, actor, command)?;
        let package = pol.package;
        let new_revision = after.policies.get(&policy).map_or(pol.revision, |p| p.revision);
        let mut assignments_keep_terms = FirstOf::default();
        for a in self.assignments_of_package(package).filter(|a| a.policy == policy && a.is_active()) {
            assignments_keep_terms.push(limit, || Kept {
                id: a.id.into(),
                who: self.user_name(a.target),
                revision: a.revision,
            });
        }
        let mut requests_keep_terms = FirstOf::default();
        for r in self.requests_of_package(package).filter(|r| r.policy == policy && r.state.is_open()) {
            requests_keep_terms.push(limit, || Kept {
                id: r.id.into(),
                who: self.target_label(&r.target),
                revision: r.revision,
            });
        }
        let (mut gain, mut lose) = (FirstOf::default(), FirstOf::default());
        // Who can sign in (a blocked person can request nothing, before or after).
        for (u, who) in self.users.values().filter_map(|u| Some((u, self.requester(&Actor::user(u.id))?))) {
            match (self.may_ask_for(package, &who), after.may_ask_for(package, &who)) {
                (false, true) => gain.push(limit, || u.id),
                (true, false) => lose.push(limit, || u.id),
                _ => {}
            }
        }
        let outsider = |org: Option<OrgId>| Requester { user: None, external: true, org, email: String::new() };
        let (mut orgs_gain, mut orgs_lose) = (vec![], vec![]);
        for o in self.orgs.keys() {
            match (self.may_ask_for(package, &outsider(Some(*o))), after.may_ask_for(package, &outsider(Some(*o)))) {
                (false, true) => orgs_gain.push(*o),
                (true, false) => orgs_lose.push(*o),
                _ => {}
            }
        }
        let any = (self.may_ask_for(package, &outsider(None)), after.may_ask_for(package, &outsider(None)));
        let any_external = (any.0 != any.1).then_some(any.1);
        Ok(PolicyPreview {
            policy,
            package,
            revision: pol.revision,
            new_revision,
            assignments_keep_terms,
            requests_keep_terms,
            gain,
            lose,
            orgs_gain,
            orgs_lose,
            any_external,
        })
    }

    /// Whether some policy of the package admits the person (the request rule's scope part).
    fn may_ask_for(&self, package: PackageId, who: &Requester) -> bool {
        self.packages.get(&package).is_some_and(|pkg| self.admitted(pkg, who))
    }
}
