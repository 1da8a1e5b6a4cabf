//! Policy revisions. What a request or an assignment is made under — the approval stages, the
//! lifecycle and the review terms of its policy at that moment — is kept once per policy as an
//! immutable, numbered revision (1, 2, ...). Requests and assignments refer to their revision by
//! number instead of carrying a copy: a policy changed while a request waits changes neither the
//! chain of approvals it goes through nor what it grants, and an assignment keeps the terms it was
//! granted under. An update that changes none of these terms makes no new revision.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::access::{ApprovalStage, Lifecycle, Policy, PolicySpec, ReviewSettings};
use super::error::{DomainError, DomainResult};
use super::flow::{Assignment, Request};
use super::ids::PolicyId;
use super::tenant::Tenant;

/// The terms of one revision of a policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyTerms {
    /// The approval stages a request submitted under it goes through (none: no approval).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<ApprovalStage>,
    pub lifecycle: Lifecycle,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<ReviewSettings>,
}

impl PolicyTerms {
    /// The terms a policy spec sets.
    pub fn of(spec: &PolicySpec) -> Self {
        PolicyTerms { stages: spec.stages.clone(), lifecycle: spec.lifecycle.clone(), review: spec.review.clone() }
    }
    /// Whether a spec sets exactly these terms (no new revision needed).
    fn same_as(&self, spec: &PolicySpec) -> bool {
        self.stages == spec.stages && self.lifecycle == spec.lifecycle && self.review == spec.review
    }
}

/// Every revision of every policy, deleted policies' included, by (policy, number).
pub type Revisions = BTreeMap<(PolicyId, u32), Arc<PolicyTerms>>;

/// One revision as the file holds it (read back as `policy_wire::RevisionWire`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RevisionRow<T> {
    policy: PolicyId,
    revision: u32,
    #[serde(flatten)]
    terms: T,
}

/// Revisions are written as a list of `{policy, revision, stages, lifecycle, review}`.
pub(crate) mod as_list {
    use super::*;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(map: &Revisions, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.iter().map(|((policy, revision), terms)| RevisionRow {
            policy: *policy,
            revision: *revision,
            terms: &**terms,
        }))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Revisions, D::Error> {
        let rows: Vec<super::super::policy_wire::RevisionWire> = Vec::deserialize(d)?;
        Ok(rows.into_iter().map(|r| ((r.policy, r.revision), Arc::new(r.terms()))).collect())
    }
}

impl Tenant {
    /// The terms of one revision of a policy; `None` for a revision the tenant does not have
    /// (only a hand-edited file lacks one: `Tenant::problems` names it).
    pub fn revision(&self, policy: PolicyId, revision: u32) -> Option<&PolicyTerms> {
        self.policy_revisions.get(&(policy, revision)).map(|t| &**t)
    }
    /// The terms a request was made under.
    pub fn request_terms(&self, r: &Request) -> Option<&PolicyTerms> {
        self.revision(r.policy, r.revision)
    }
    /// How many approval stages a request goes through: those of the revision it was made under
    /// (a policy edited while it waits changes neither their number nor their terms).
    pub fn request_stages(&self, r: &Request) -> usize {
        self.request_terms(r).map_or(0, |t| t.stages.len())
    }
    /// Whether the approver must give a reason at the request's current stage, by its revision:
    /// the rule `Command::Decide` checks.
    pub fn reason_required_now(&self, r: &Request) -> bool {
        self.request_terms(r).and_then(|t| t.stages.get(r.stage)).is_some_and(|s| s.justification_required)
    }
    /// The terms an assignment was granted under.
    pub fn assignment_terms(&self, a: &Assignment) -> Option<&PolicyTerms> {
        self.revision(a.policy, a.revision)
    }
    /// The review terms an assignment was granted under, if it is reviewed.
    pub fn review_terms(&self, a: &Assignment) -> Option<&ReviewSettings> {
        self.assignment_terms(a).and_then(|t| t.review.as_ref())
    }

    /// Give `policy` (about to take `spec`) the revision its terms call for: its current one when
    /// they are unchanged, else a new one numbered after it.
    pub(crate) fn revise(&mut self, policy: &mut Policy, spec: &PolicySpec) -> DomainResult<()> {
        let current = self.policy_revisions.get(&(policy.id, policy.revision));
        if current.is_some_and(|t| t.same_as(spec)) {
            return Ok(());
        }
        let next = policy.revision.checked_add(1).ok_or_else(|| {
            DomainError::Limit(format!(
                "Policy '{}' has been revised as often as it can be; create a new policy instead",
                policy.spec.display_name
            ))
        })?;
        self.policy_revisions.insert((policy.id, next), Arc::new(PolicyTerms::of(spec)));
        policy.revision = next;
        Ok(())
    }

    /// The lifecycle terms an assignment was granted under (its revision's; the default terms
    /// for a revision missing from a hand-edited file, which `Tenant::problems` names).
    pub fn lifecycle_of(&self, a: &Assignment) -> Lifecycle {
        self.assignment_terms(a).map(|t| t.lifecycle.clone()).unwrap_or_default()
    }
}
