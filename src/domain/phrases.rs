//! States and decisions in people's words, for the messages a command answers with. Enum names
//! (`pendingApproval`, `dontKnow`) stay in the files, the JSON output and the audit log; a
//! sentence meant for a person uses these instead.

use super::flow::{Request, RequestState, ReviewDecision};
use super::tenant::Tenant;

impl RequestState {
    /// Where a request is, as a person would say it ("waiting for approval").
    pub fn phrase(self) -> &'static str {
        match self {
            RequestState::Submitted => "submitted",
            RequestState::PendingApproval => "waiting for approval",
            RequestState::Scheduled => "scheduled to start later",
            RequestState::WaitingForCallback => "waiting for extension",
            RequestState::Delivering => "being delivered",
            RequestState::Delivered => "delivered",
            RequestState::Denied => "denied",
            RequestState::Canceled => "canceled",
            RequestState::Expired => "expired without a decision",
            RequestState::DeliveryFailed => "not delivered (delivery failed)",
        }
    }
}

impl ReviewDecision {
    /// The decision as a reviewer would say it ("Don't know").
    pub fn phrase(self) -> &'static str {
        match self {
            ReviewDecision::Approve => "Approve",
            ReviewDecision::Deny => "Deny",
            ReviewDecision::DontKnow => "Don't know",
        }
    }
}

impl Tenant {
    /// What a stage decision did, from the request as it is after it: "Stage 1 of 2 approved;
    /// it now waits for Nestor Wilke", "Stage 2 of 2 approved; delivered: Lee Gu has 'Project
    /// Alpha'", "Denied at stage 1 of 2".
    pub(crate) fn decision_message(&self, after: &Request, decided_stage: usize, approve: bool) -> String {
        let stages = self.request_terms(after).map_or(decided_stage + 1, |t| t.stages.len().max(decided_stage + 1));
        let at = format!("{} of {stages}", decided_stage + 1);
        if !approve {
            return format!("Denied at stage {at}; {} is told", self.target_label(&after.target));
        }
        let pkg = self.packages.get(&after.package).map(|p| p.display_name.as_str()).unwrap_or("the package");
        let next = match after.state {
            RequestState::PendingApproval => {
                let names: Vec<String> = after.approvers.iter().map(|u| self.user_name(*u)).collect();
                format!("it now waits for {} (stage {} of {stages})", join_names(&names), after.stage + 1)
            }
            RequestState::Delivered => format!("delivered: {} has '{pkg}'", self.target_label(&after.target)),
            s => format!("it is now {}", s.phrase()),
        };
        format!("Stage {at} approved; {next}")
    }
}

impl Tenant {
    /// What an approver is told when their approval leaves the stage short of its quorum.
    pub(crate) fn partial_approval_message(&self, r: &Request) -> String {
        let names: Vec<String> = r.awaiting().map(|u| self.user_name(u)).collect();
        format!(
            "Stage {} approved by you: {} of {} approvals; it waits for {} more from {}",
            r.stage + 1,
            r.approvals(),
            r.needed,
            r.needed.saturating_sub(r.approvals()),
            join_names(&names)
        )
    }
}

/// "A", "A or B", "A, B or C": any one of the approvers may decide.
fn join_names(names: &[String]) -> String {
    match names {
        [] => "nobody (no approver could be resolved)".to_string(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}
