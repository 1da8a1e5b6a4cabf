//! Whether a policy's settings are within the rules: every problem at once, each with the field it
//! is about (typed: `bounds::Field`), so an editor can place each under its field. The ranges are
//! `policy_ranges`'; the rules that are not ranges (approvers, scope, questions, reviewers) are
//! here. A command refuses with the first problem.

use std::collections::BTreeSet;

use super::access::{Approver, PolicySpec, QuestionKind, RequestScope, Reviewer};
use super::bounds::Field;
use super::error::{DomainError, DomainResult, invalid};
use super::ids::ResourceId;
use super::tenant::Tenant;

/// One problem of a policy's settings and the field it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyIssue {
    pub field: Field,
    pub error: DomainError,
}

impl Tenant {
    /// Check a policy's settings against their ranges (the message names the field and the range)
    /// and the rules: the first problem, if any. Only the new settings are checked, so an update
    /// can mend a stored policy whose values are out of range.
    pub fn validate_policy(&self, spec: &PolicySpec) -> DomainResult<()> {
        self.within(super::policy_ranges::check(spec))?;
        match self.policy_rule_issues(spec).into_iter().next() {
            Some(i) => Err(i.error),
            None => Ok(()),
        }
    }

    /// Every problem of the settings, ranges first, in the order of the editor's steps.
    pub fn policy_issues(&self, spec: &PolicySpec) -> Vec<PolicyIssue> {
        let ranges = super::policy_ranges::issues(spec).into_iter().filter_map(|error| {
            let field = error.field()?;
            Some(PolicyIssue { field, error })
        });
        ranges.chain(self.policy_rule_issues(spec)).collect()
    }

    fn policy_rule_issues(&self, spec: &PolicySpec) -> Vec<PolicyIssue> {
        let mut out = Vec::new();
        let mut issue = |field: Field, r: DomainResult<()>| {
            if let Err(error) = r {
                out.push(PolicyIssue { field, error });
            }
        };
        for (i, st) in spec.stages.iter().enumerate() {
            let n = i + 1;
            if st.approvers.is_empty() {
                issue(
                    Field::Approvers { stage: n },
                    Err(invalid(format!("Stage {n} has no approvers: add at least one"))),
                );
            }
            if st.approvers.contains(&Approver::Manager) && st.fallback.is_empty() {
                issue(
                    Field::Fallback { stage: n },
                    Err(invalid(format!(
                        "Stage {n}: the requestor's manager approves, so a fallback approver is required (for requestors without a manager)"
                    ))),
                );
            }
            if st.escalation.as_ref().is_some_and(|e| e.alternates.is_empty()) {
                issue(
                    Field::Alternates { stage: n },
                    Err(invalid(format!("Stage {n}: escalation needs alternate approvers"))),
                );
            }
            issue(Field::Approvers { stage: n }, self.check_approvers(&st.approvers));
            issue(Field::Fallback { stage: n }, self.check_approvers(&st.fallback));
        }
        if matches!(spec.scope, RequestScope::AdminOnly) && !spec.stages.is_empty() {
            issue(
                Field::Approval,
                Err(invalid("A policy for administrator direct assignments only has no approval: turn approval off")),
            );
        }
        if spec.lifecycle.allow_extension && spec.lifecycle.extension_requires_approval && spec.stages.is_empty() {
            issue(
                Field::ExtensionApproval,
                Err(invalid(
                    "Extensions need approval, but the policy has no approval stage: add one or let extensions through without approval",
                )),
            );
        }
        match &spec.scope {
            RequestScope::SpecificUsers { users, groups } => {
                if users.is_empty() && groups.is_empty() {
                    issue(
                        Field::ScopeUsers,
                        Err(invalid("'Specific users and groups' needs at least one user or group")),
                    );
                }
                issue(Field::ScopeUsers, users.iter().try_for_each(|u| self.user(*u).map(drop)));
                issue(Field::ScopeGroups, groups.iter().try_for_each(|g| self.check_group(*g)));
            }
            RequestScope::SpecificOrgs { orgs } => {
                if orgs.is_empty() {
                    issue(
                        Field::ScopeOrgs,
                        Err(invalid("'Specific connected organizations' needs at least one organization")),
                    );
                }
                issue(Field::ScopeOrgs, orgs.iter().try_for_each(|o| self.org(*o).map(drop)));
            }
            _ => {}
        }
        question_issues(spec, &mut issue);
        super::auto_assign::automatic_issues(spec, &mut issue);
        if let Some(r) = &spec.review {
            if r.reviewers.is_empty() {
                issue(
                    Field::Reviewers,
                    Err(invalid("An access review needs reviewers (self, manager or specific users)")),
                );
            }
            if r.reviewers.contains(&Reviewer::Manager) && r.fallback.is_empty() {
                issue(
                    Field::ReviewFallback,
                    Err(invalid("Reviews by the manager need a fallback reviewer for users without a manager")),
                );
            }
            issue(Field::ReviewFallback, r.fallback.iter().try_for_each(|u| self.user(*u).map(drop)));
        }
        out
    }

    /// The users and groups named as approvers exist (a group is a group).
    fn check_approvers(&self, list: &[Approver]) -> DomainResult<()> {
        list.iter().try_for_each(|a| match a {
            Approver::User { user } => self.user(*user).map(drop),
            Approver::GroupMembers { group } => self.check_group(*group),
            _ => Ok(()),
        })
    }

    /// The resource exists and is a group.
    fn check_group(&self, group: ResourceId) -> DomainResult<()> {
        if self.resource(group)?.is_group() {
            Ok(())
        } else {
            Err(invalid(format!("'{}' is not a group", self.resource_name(group))))
        }
    }
}

/// The questions' rules: each has text and its own id, a multiple choice has two answers or more.
fn question_issues(spec: &PolicySpec, issue: &mut impl FnMut(Field, DomainResult<()>)) {
    let mut seen = BTreeSet::new();
    for (i, q) in spec.questions.iter().enumerate() {
        let n = i + 1;
        if q.text.trim().is_empty() {
            issue(Field::QuestionText { question: n }, Err(invalid("A question needs text")));
        }
        if !seen.insert(q.id) {
            issue(Field::Questions, Err(invalid(format!("Question id {} is used twice", q.id))));
        }
        if let QuestionKind::Choice { options } = &q.kind
            && options.len() < 2
        {
            issue(
                Field::QuestionOptions { question: n },
                Err(invalid(format!("Multiple-choice question '{}' needs at least two answers", q.text))),
            );
        }
    }
}
