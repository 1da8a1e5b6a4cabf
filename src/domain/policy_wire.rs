//! The JSON shapes of a policy and of a policy revision, read field by field. Both are written
//! with their terms inline (serde's `flatten`), and the derive reads a flattened object by first
//! buffering it whole: two thirds of the cost of reading 40,000 policies and their revisions.
//! These are the same shapes with every field named; the tests hold them to the derive's.

use serde::Deserialize;

use super::Time;
use super::access::{ApprovalStage, Lifecycle, Policy, PolicySpec, Question, RequestScope, ReviewSettings};
use super::auto_assign::AutomaticSettings;
use super::extensions::StageSetting;
use super::ids::{PackageId, PolicyId};
use super::revisions::PolicyTerms;
use super::serde_util::{secs, secs_opt};

/// A policy as `Policy`'s `Serialize` writes it: its id and package, its spec's fields, then its
/// own. Defaults as `PolicySpec` and `Policy` set them.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PolicyWire {
    id: PolicyId,
    package: PackageId,
    display_name: String,
    #[serde(default)]
    description: String,
    scope: RequestScope,
    #[serde(default)]
    stages: Vec<ApprovalStage>,
    #[serde(default = "super::directory::yes")]
    justification_required: bool,
    #[serde(default)]
    questions: Vec<Question>,
    #[serde(default = "super::directory::yes")]
    enabled: bool,
    #[serde(default)]
    lifecycle: Lifecycle,
    #[serde(default)]
    review: Option<ReviewSettings>,
    #[serde(default)]
    allow_on_behalf: bool,
    #[serde(default)]
    automatic: Option<AutomaticSettings>,
    #[serde(default)]
    custom_extension_stage_settings: Vec<StageSetting>,
    #[serde(default)]
    revision: u32,
    #[serde(default, with = "secs_opt")]
    next_review_at: Option<Time>,
    #[serde(with = "secs")]
    created_at: Time,
    #[serde(with = "secs")]
    modified_at: Time,
}

impl From<PolicyWire> for Policy {
    fn from(w: PolicyWire) -> Self {
        Policy {
            id: w.id,
            package: w.package,
            spec: PolicySpec {
                display_name: w.display_name,
                description: w.description,
                scope: w.scope,
                stages: w.stages,
                justification_required: w.justification_required,
                questions: w.questions,
                enabled: w.enabled,
                lifecycle: w.lifecycle,
                review: w.review,
                allow_on_behalf: w.allow_on_behalf,
                automatic: w.automatic,
                custom_extension_stage_settings: w.custom_extension_stage_settings,
            },
            revision: w.revision,
            next_review_at: w.next_review_at,
            created_at: w.created_at,
            modified_at: w.modified_at,
        }
    }
}

/// A revision as the file holds it: `{policy, revision, stages, lifecycle, review}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RevisionWire {
    pub policy: PolicyId,
    pub revision: u32,
    #[serde(default)]
    stages: Vec<ApprovalStage>,
    lifecycle: Lifecycle,
    #[serde(default)]
    review: Option<ReviewSettings>,
}

impl RevisionWire {
    pub fn terms(self) -> PolicyTerms {
        PolicyTerms { stages: self.stages, lifecycle: self.lifecycle, review: self.review }
    }
}

#[cfg(test)]
#[path = "policy_wire_tests.rs"]
mod tests;
