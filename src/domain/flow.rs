//! Requests, assignments, grants, access reviews: the objects the lifecycle moves.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use strum::{Display, EnumString, IntoStaticStr};

use super::Time;
use super::access::{ResourceRole, ReviewSettings};
use super::ids::{AssignmentId, OrgId, PackageId, PolicyId, QuestionId, RequestId, ReviewId, UserId};
use super::serde_util::{secs, secs_opt};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Display, EnumString)]
#[serde(rename_all = "camelCase")]
#[strum(serialize_all = "camelCase", ascii_case_insensitive)]
pub enum RequestType {
    UserAdd,
    UserExtend,
    UserRemove,
    AdminAdd,
    AdminRemove,
    /// An automatic policy's assignment (its rule matched).
    SystemAdd,
    SystemRemove,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Display, EnumString)]
#[serde(rename_all = "camelCase")]
#[strum(serialize_all = "camelCase", ascii_case_insensitive)]
pub enum RequestState {
    Submitted,
    PendingApproval,
    Scheduled,
    /// A custom extension at "request created" was launched and its answer is awaited
    /// (the portal's "waiting for callback").
    WaitingForCallback,
    Delivering,
    Delivered,
    Denied,
    Canceled,
    /// No decision before the stage timed out.
    Expired,
    DeliveryFailed,
}

impl RequestState {
    /// Still waiting for someone or something.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            RequestState::Submitted
                | RequestState::PendingApproval
                | RequestState::Scheduled
                | RequestState::WaitingForCallback
                | RequestState::Delivering
        )
    }
}

/// Who a request is for: a directory user, or an external person not yet in the directory.
/// Read through `wire::TargetWire`: the same JSON, without serde's buffering of tagged enums
/// (a million requests read about twice as fast).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "type", try_from = "super::wire::TargetWire")]
pub enum Target {
    User { user: UserId },
    External { email: String, display_name: String, org: Option<OrgId> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageDecision {
    pub stage: usize,
    pub by: UserId,
    pub approved: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    #[serde(with = "secs")]
    pub at: Time,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryLine {
    #[serde(with = "secs")]
    pub at: Time,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    pub id: RequestId,
    pub request_type: RequestType,
    pub package: PackageId,
    pub policy: PolicyId,
    /// The revision of the policy it was made under: its approval stages, and what it grants (a
    /// policy changed while the request waits changes neither).
    pub revision: u32,
    /// Who asked (the admin for adminAdd); None for the system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requestor: Option<UserId>,
    /// An external requestor not yet in the directory asks as themselves.
    pub target: Target,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub justification: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub answers: BTreeMap<QuestionId, String>,
    pub state: RequestState,
    #[serde(with = "secs")]
    pub created_at: Time,
    /// The stage being decided (0-based) while pending.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub stage: usize,
    #[serde(default, with = "secs_opt", skip_serializing_if = "Option::is_none")]
    pub stage_started: Option<Time>,
    /// Resolved approvers of the current stage (including alternates after escalation).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<UserId>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub escalated: bool,
    /// How many approvals the current stage needs (its quorum, fixed when it was routed).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub needed: usize,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<StageDecision>,
    /// Future start for scheduled requests.
    #[serde(default, with = "secs_opt", skip_serializing_if = "Option::is_none")]
    pub start: Option<Time>,
    /// An end chosen by an admin for a direct assignment, inside the policy's terms.
    #[serde(default, with = "secs_opt", skip_serializing_if = "Option::is_none")]
    pub end: Option<Time>,
    /// The assignment the request created or acts on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment: Option<AssignmentId>,
    #[serde(default)]
    pub history: Vec<HistoryLine>,
    #[serde(default, with = "secs_opt", skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<Time>,
}

impl Request {
    /// The manager who asked for this person (a request made on behalf of a direct report).
    pub fn on_behalf(&self) -> Option<UserId> {
        let target = self.target_user()?;
        self.requestor.filter(|r| *r != target && self.request_type == RequestType::UserAdd)
    }

    /// Who hears of the request's outcome: the person it is for (or the requestor), and the
    /// manager who asked on their behalf.
    pub fn told(&self) -> Vec<UserId> {
        self.target_user().or(self.requestor).into_iter().chain(self.on_behalf()).collect()
    }

    /// A new request with its first history line; the caller sets what else applies.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: RequestId,
        request_type: RequestType,
        package: PackageId,
        policy: PolicyId,
        revision: u32,
        requestor: Option<UserId>,
        target: Target,
        justification: &str,
        at: Time,
        first: impl Into<String>,
    ) -> Self {
        Request {
            id,
            request_type,
            package,
            policy,
            revision,
            requestor,
            target,
            justification: justification.trim().to_string(),
            answers: BTreeMap::new(),
            state: RequestState::Submitted,
            created_at: at,
            stage: 0,
            stage_started: None,
            approvers: vec![],
            escalated: false,
            needed: 1,
            decisions: vec![],
            start: None,
            end: None,
            assignment: None,
            history: vec![HistoryLine { at, text: first.into() }],
            completed_at: None,
        }
    }

    pub fn target_user(&self) -> Option<UserId> {
        match self.target {
            Target::User { user } => Some(user),
            Target::External { .. } => None,
        }
    }
    /// Whether `user` has decided the current stage.
    pub fn has_decided(&self, user: UserId) -> bool {
        self.decisions.iter().any(|d| d.stage == self.stage && d.by == user)
    }

    /// The approvals the current stage has had so far.
    pub fn approvals(&self) -> usize {
        self.decisions.iter().filter(|d| d.stage == self.stage && d.approved).count()
    }

    /// The current stage's approvers who have not decided it yet: whose inbox it is in.
    pub fn awaiting(&self) -> impl Iterator<Item = UserId> + '_ {
        self.approvers.iter().copied().filter(move |u| !self.has_decided(*u))
    }

    /// When the current stage times out, if pending.
    pub fn stage_deadline(&self, timeout_days: u32) -> Option<Time> {
        self.stage_started.and_then(|t| super::clock::plus_days(t, i64::from(timeout_days)))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Display, EnumString, IntoStaticStr)]
#[serde(rename_all = "camelCase")]
#[strum(serialize_all = "camelCase", ascii_case_insensitive)]
pub enum AssignmentState {
    Delivering,
    Delivered,
    Expired,
    Removed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Assignment {
    pub id: AssignmentId,
    pub package: PackageId,
    pub policy: PolicyId,
    pub target: UserId,
    pub state: AssignmentState,
    #[serde(with = "secs")]
    pub start: Time,
    #[serde(default, with = "secs_opt", skip_serializing_if = "Option::is_none")]
    pub end: Option<Time>,
    /// The revision of the policy it was granted under: its lifecycle and review terms (policy
    /// changes do not touch them).
    pub revision: u32,
    /// The resource roles this assignment granted (its grant sources): one list shared by the
    /// assignments a load finds granting the same roles of one package (a million assignments
    /// name a few thousand lists; a list each was a million allocations on every open).
    #[serde(default)]
    pub granted: Arc<[ResourceRole]>,
    pub request: RequestId,
    #[serde(default, with = "secs_opt", skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<Time>,
}

impl Assignment {
    pub fn is_active(&self) -> bool {
        matches!(self.state, AssignmentState::Delivered | AssignmentState::Delivering)
    }
    pub fn days_left(&self, now: Time) -> Option<i64> {
        self.end.map(|e| (e - now).num_days())
    }
}

/// Why a user holds a resource role.
/// Read through `wire::GrantSourceWire`, like `Target`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type", try_from = "super::wire::GrantSourceWire")]
pub enum GrantSource {
    /// Made outside access packages (pre-existing or by hand).
    Direct,
    Assignment {
        assignment: AssignmentId,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Display, EnumString)]
#[serde(rename_all = "camelCase")]
#[strum(serialize_all = "camelCase", ascii_case_insensitive)]
pub enum ReviewDecision {
    Approve,
    Deny,
    DontKnow,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewItem {
    pub assignment: AssignmentId,
    pub user: UserId,
    pub reviewers: Vec<UserId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<ReviewDecision>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<UserId>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub justification: String,
    #[serde(default, with = "secs_opt", skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<Time>,
    /// What was done when the review ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Display)]
#[serde(rename_all = "camelCase")]
#[strum(serialize_all = "camelCase")]
pub enum ReviewState {
    InProgress,
    Completed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Review {
    pub id: ReviewId,
    pub display_name: String,
    pub package: PackageId,
    pub policy: PolicyId,
    #[serde(with = "secs")]
    pub start: Time,
    #[serde(with = "secs")]
    pub end: Time,
    pub state: ReviewState,
    pub settings: ReviewSettings,
    pub items: Vec<ReviewItem>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn one() -> usize {
    1
}

fn is_one(n: &usize) -> bool {
    *n == 1
}
