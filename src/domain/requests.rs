//! Requests and decisions: submit, cancel, approve or deny stage by stage, extend, remove, assign.

use std::collections::BTreeMap;

use super::Time;
use super::access::{Policy, QuestionKind};
use super::assign_cmds::ends_after;
use super::command::{Outcome, created, done};
use super::error::{DomainResult, forbidden, invalid, not_found, rule};
use super::flow::{Request, RequestState, RequestType, StageDecision, Target};
use super::ids::*;
use super::request_checks::Asking;
use super::rights::Actor;
use super::tenant::Tenant;
use super::timers::Timer;

/// What a request asks for (`SubmitRequest` and `RequestFor`), handed to `cmd_submit` whole.
pub(crate) struct Submit<'a> {
    pub package: PackageId,
    pub policy: Option<PolicyId>,
    pub justification: &'a str,
    pub answers: &'a BTreeMap<QuestionId, String>,
    pub start: Option<Time>,
}

impl Tenant {
    /// A request by the actor, for themselves or (`on_behalf`) for a direct report.
    pub(crate) fn cmd_submit(
        &mut self,
        actor: &Actor,
        on_behalf: Option<UserId>,
        ask: &Submit<'_>,
    ) -> DomainResult<Outcome> {
        let Submit { package: pkg_id, policy, justification, answers, start } = *ask;
        let Asking { pkg, target, who, requestor, policies } =
            self.check_request_for(actor, on_behalf, pkg_id, policy)?;
        let pol: Policy = match policies.as_slice() {
            [one] => one.clone(),
            many => {
                let names: Vec<String> = many.iter().map(|p| format!("{} '{}'", p.id, p.spec.display_name)).collect();
                return Err(invalid(format!("Several policies let you request it: pick one ({})", names.join(", "))));
            }
        };
        if pol.spec.justification_required && justification.trim().is_empty() {
            return Err(invalid(format!(
                "Policy '{}' requires a business justification: say why you need it",
                pol.spec.display_name
            )));
        }
        check_answers(&pol, answers)?;
        let now = self.clock.now;
        if let Some(s) = start
            && s < now
        {
            return Err(invalid("The start date is in the past: leave it empty to start at once"));
        }
        ends_after(&pol, start.unwrap_or(now))?;
        let id = RequestId(self.alloc());
        let target_name = self.target_label(&target);
        let mut req = Request::new(
            id,
            RequestType::UserAdd,
            pkg_id,
            pol.id,
            pol.revision,
            requestor,
            target,
            justification,
            now,
            match on_behalf {
                Some(_) => format!("Submitted by {} on behalf of {target_name}", self.actor_label(actor)),
                None => "Submitted".to_string(),
            },
        );
        req.answers = answers.clone();
        req.start = start;
        let mut after =
            serde_json::json!({ "state": "submitted", "policy": pol.id, "justification": req.justification });
        let mut summary = format!("Requested '{}' via policy '{}'", pkg.display_name, pol.spec.display_name);
        if let (Some(report), Some(obj)) = (on_behalf, after.as_object_mut()) {
            obj.insert("requestor".into(), serde_json::json!(requestor));
            obj.insert("onBehalfOf".into(), serde_json::json!(report));
            summary = format!("{summary} on behalf of {}", self.user_name(report));
        }
        self.insert_request(req);
        self.audit_change(actor, "request.submitted", id, summary, None, Some(&after));
        if let Some(report) = on_behalf {
            let by = self.user_name(requestor.unwrap_or(report));
            self.notify(
                report,
                "requestedForYou",
                id,
                format!("{by} requested '{}' for you", pkg.display_name),
                format!("{id}: you are told of each decision"),
            );
        }
        if !self.request_created_callouts(id) {
            self.route(id);
        }
        self.tell_sponsors(id, who.org.filter(|_| who.external));
        let state = self.requests.get(&id).map(|r| r.state).unwrap_or(RequestState::Submitted);
        let msg = match state {
            RequestState::PendingApproval => format!("Request {id} submitted: waiting for approval"),
            RequestState::Delivered if on_behalf.is_some() => {
                format!("Request {id} delivered: {target_name} has '{}'", pkg.display_name)
            }
            RequestState::Delivered => format!("Request {id} delivered: you have '{}'", pkg.display_name),
            RequestState::Scheduled => format!("Request {id} scheduled"),
            s => format!("Request {id}: {}", s.phrase()),
        };
        created(id, msg)
    }

    pub(crate) fn insert_request(&mut self, req: Request) {
        if let Some(u) = req.target_user() {
            self.idx.requests_by_user.entry(u).or_default().insert(req.id);
        }
        if let Some(u) = req.requestor {
            self.idx.requests_by_user.entry(u).or_default().insert(req.id);
        }
        self.idx.requests_by_package.entry(req.package).or_default().insert(req.id);
        if let Some(a) = req.assignment {
            self.idx.requests_by_assignment.entry(a).or_default().insert(req.id);
        }
        self.index_email(req.id, &req.target);
        if !req.state.is_open() {
            self.finishing(req.id);
        }
        self.requests.insert(req.id, req);
    }

    pub(crate) fn stage_approvers(
        &self,
        st: &super::access::ApprovalStage,
        target: &Target,
        requestor: Option<UserId>,
    ) -> Vec<UserId> {
        let (user, org) = match target {
            Target::User { user } => (Some(*user), self.users.get(user).and_then(|u| u.home_org)),
            Target::External { org, .. } => (None, *org),
        };
        let strip = |mut s: std::collections::BTreeSet<UserId>| {
            if let Some(u) = user {
                s.remove(&u);
            }
            if let Some(r) = requestor {
                s.remove(&r);
            }
            s
        };
        let primary = strip(self.resolve_approvers(&st.approvers, user, org));
        if !primary.is_empty() {
            return primary.into_iter().collect();
        }
        strip(self.resolve_approvers(&st.fallback, user, org)).into_iter().collect()
    }

    /// Send a request to its current stage, or deliver it when no stage is left.
    pub(crate) fn route(&mut self, id: RequestId) {
        let Some(req) = self.requests.get(&id).cloned() else { return };
        let needs_approval = match req.request_type {
            RequestType::UserExtend => self
                .assignments
                .get(&req.assignment.unwrap_or(AssignmentId(0)))
                .is_some_and(|a| self.lifecycle_of(a).extension_requires_approval),
            RequestType::UserAdd => true,
            _ => false,
        };
        // The stages of the revision it was submitted under: a policy edited since changes nothing
        // here. A request without its revision (a hand-edited file) goes on to delivery, which
        // refuses it.
        let stages = match self.request_terms(&req) {
            Some(t) if needs_approval => t.stages.clone(),
            _ => vec![],
        };
        if req.stage >= stages.len() {
            if !stages.is_empty() {
                self.request_approved_callouts(id);
                self.push_history(id, "Approved");
                let pname = self.packages.get(&req.package).map(|p| p.display_name.clone()).unwrap_or_default();
                for u in req.told() {
                    self.notify(u, "approved", id, format!("{} for '{pname}' was approved", self.whose(&req, u)), "");
                }
            }
            self.deliver(id);
            return;
        }
        let st = &stages[req.stage];
        let approvers = self.stage_approvers(st, &req.target, req.requestor);
        let needed = st.quorum.needed(approvers.len());
        if approvers.is_empty() || needed.is_none() {
            let why = if approvers.is_empty() {
                format!("Denied: nobody could approve stage {}", req.stage + 1)
            } else {
                format!(
                    "Denied: stage {} needs {} and only {} people can approve it",
                    req.stage + 1,
                    st.quorum.phrase(),
                    approvers.len()
                )
            };
            self.deny_by_system(id, why);
            return;
        }
        let now = self.clock.now;
        if let Some(r) = self.requests.get_mut(&id) {
            r.stage_started = Some(now);
            r.approvers = approvers.clone();
            r.escalated = false;
            r.needed = needed.unwrap_or(1);
        }
        self.set_request_state(id, RequestState::PendingApproval);
        // A time past the calendar is not scheduled (`Tenant::problems` reports it).
        let deadline = super::clock::plus_days(now, i64::from(st.timeout_days));
        if let Some(d) = deadline {
            self.add_timer(d, Timer::StageTimeout(id, super::timers::stage_no(req.stage)));
        }
        if let Some(at) = st.escalation.as_ref().and_then(|e| super::clock::plus_days(now, i64::from(e.after_days))) {
            self.add_timer(at, Timer::Escalate(id, super::timers::stage_no(req.stage)));
        }
        let names: Vec<String> = approvers.iter().map(|u| self.user_name(*u)).collect();
        let quorum = match needed {
            Some(n) if n > 1 => format!(" ({n} approvals needed)"),
            _ => String::new(),
        };
        let waiting = format!("Stage {} of {}: waiting for {}{quorum}", req.stage + 1, stages.len(), names.join(", "));
        self.push_history(id, waiting);
        let pname = self.packages.get(&req.package).map(|p| p.display_name.clone()).unwrap_or_default();
        let who = self.target_label(&req.target);
        let asks = match req.on_behalf() {
            Some(m) => format!("{} requests '{pname}' for {who}", self.user_name(m)),
            None => format!("{who} requests '{pname}'"),
        };
        for a in approvers {
            self.notify(
                a,
                "approvalNeeded",
                id,
                format!("Approval needed: {asks}"),
                match deadline {
                    Some(d) => format!("Decide by {} ({id})", d.format("%Y-%m-%d")),
                    None => format!("No deadline ({id})"),
                },
            );
        }
    }

    /// The internal sponsors of a connected organization hear of its users' requests (seed 000).
    fn tell_sponsors(&mut self, id: RequestId, org: Option<OrgId>) {
        let Some(org) = org.and_then(|o| self.orgs.get(&o)).cloned() else { return };
        let Some(r) = self.requests.get(&id).cloned() else { return };
        let pname = self.packages.get(&r.package).map(|p| p.display_name.clone()).unwrap_or_default();
        let who = self.target_label(&r.target);
        for s in org.internal_sponsors.iter().filter(|s| !r.approvers.contains(s)) {
            self.notify(
                *s,
                "sponsorInfo",
                id,
                format!("{who} of {} requested '{pname}'", org.display_name),
                format!("{id}: {}", r.state.phrase()),
            );
        }
    }

    /// "Your request", or, to the manager who asked for a report, "Your request for NAME".
    pub(crate) fn whose(&self, req: &Request, to: UserId) -> String {
        match req.on_behalf() {
            Some(m) if m == to => format!("Your request for {}", self.target_label(&req.target)),
            _ => "Your request".to_string(),
        }
    }

    pub fn target_label(&self, t: &Target) -> String {
        match t {
            Target::User { user } => self.user_name(*user),
            Target::External { email, display_name, .. } => format!("{display_name} <{email}>"),
        }
    }

    /// The person's own open request (or, for an assignment manager, anyone's) that has not
    /// been delivered yet.
    pub(crate) fn check_cancel(&self, actor: &Actor, id: RequestId) -> DomainResult<Request> {
        let req = self.open_request(id, |s| format!("Request {id} is {} and can no longer be canceled", s.phrase()))?;
        let own = match (actor, &req.target) {
            // Asked before they were in the directory: the request carries their email.
            (Actor::User { user }, Target::External { email: e, .. }) => {
                self.users.get(user).is_some_and(|u| u.email.eq_ignore_ascii_case(e))
            }
            (Actor::User { user }, _) => req.requestor == Some(*user) || req.target_user() == Some(*user),
            (Actor::External { email, .. }, Target::External { email: e, .. }) => e.eq_ignore_ascii_case(email),
            _ => false,
        };
        if !own {
            let cat = self.package(req.package)?.catalog;
            self.require_assignment_manager(actor, cat, "cancel someone else's request")?;
        }
        if !matches!(
            req.state,
            RequestState::PendingApproval
                | RequestState::Submitted
                | RequestState::Scheduled
                | RequestState::WaitingForCallback
        ) {
            return Err(rule(format!("Request {id} is {} and can no longer be canceled", req.state.phrase())));
        }
        Ok(req)
    }

    /// The system denies an open request (nobody can approve a stage, an extension said no or
    /// did not answer): its history line, the audit event, and a notice to those it concerns.
    pub(crate) fn deny_by_system(&mut self, id: RequestId, why: String) {
        let Some(req) = self.requests.get(&id).cloned() else { return };
        self.set_request_state(id, RequestState::Denied);
        self.push_history(id, why.clone());
        self.audit(&Actor::System, "request.denied", id, why.clone());
        let pname = self.packages.get(&req.package).map(|p| p.display_name.clone()).unwrap_or_default();
        for u in req.told() {
            self.notify(u, "denied", id, format!("{} for '{pname}' was denied", self.whose(&req, u)), &why);
        }
    }

    pub(crate) fn cmd_cancel(&mut self, actor: &Actor, id: RequestId) -> DomainResult<Outcome> {
        self.check_cancel(actor, id)?;
        let history = format!("Canceled by {}", self.actor_label(actor));
        self.cancel_request(actor, id, history, format!("Canceled request {id}"));
        done(format!("Request {id} canceled"))
    }

    /// End an open request as canceled: its history line, and an audit event with its state
    /// before and after.
    pub(crate) fn cancel_request(&mut self, actor: &Actor, id: RequestId, history: String, summary: String) {
        let Some(before) = self.requests.get(&id).map(|r| r.state) else { return };
        self.set_request_state(id, RequestState::Canceled);
        self.push_history(id, history);
        let (before, after) = (Stated { state: before }, Stated { state: RequestState::Canceled });
        self.audit_change(actor, "request.canceled", id, summary, Some(&before), Some(&after));
    }

    /// A request waiting at a stage routed to the actor, who did not ask for it.
    pub(crate) fn check_decide(&self, actor: &Actor, id: RequestId) -> DomainResult<(Request, UserId)> {
        let req = self.open_request(id, |s| format!("Request {id} is {}, not waiting for approval", s.phrase()))?;
        let me = actor.user_id().ok_or_else(|| forbidden("Only a directory user can approve"))?;
        if req.state != RequestState::PendingApproval {
            return Err(rule(format!("Request {id} is {}, not waiting for approval", req.state.phrase())));
        }
        if req.target_user() == Some(me) || req.requestor == Some(me) {
            return Err(forbidden("You cannot approve your own request; it goes to the other approvers"));
        }
        if req.has_decided(me) {
            return Err(rule(format!(
                "You have already approved stage {} of request {id}; it needs {} more approval(s), {} in all",
                req.stage + 1,
                req.needed.saturating_sub(req.approvals()),
                req.needed
            )));
        }
        if !req.approvers.contains(&me) {
            return Err(forbidden(format!(
                "Stage {} of request {id} is not routed to you; its approvers are {}",
                req.stage + 1,
                req.approvers.iter().map(|u| self.user_name(*u)).collect::<Vec<_>>().join(", ")
            )));
        }
        Ok((req, me))
    }

    pub(crate) fn cmd_decide(
        &mut self,
        actor: &Actor,
        id: RequestId,
        approve: bool,
        reason: &str,
    ) -> DomainResult<Outcome> {
        let (req, me) = self.check_decide(actor, id)?;
        let st = self
            .request_terms(&req)
            .and_then(|t| t.stages.get(req.stage))
            .ok_or_else(|| not_found("The policy revision this request was submitted under has no such stage"))?;
        if st.justification_required && reason.trim().is_empty() {
            let name = self.policies.get(&req.policy).map(|p| p.spec.display_name.clone()).unwrap_or_default();
            return Err(invalid(format!(
                "Policy '{name}' requires a reason from the approver at stage {}: give one",
                req.stage + 1
            )));
        }
        let now = self.clock.now;
        let stage = req.stage;
        if let Some(r) = self.requests.get_mut(&id) {
            r.decisions.push(StageDecision {
                stage,
                by: me,
                approved: approve,
                reason: reason.trim().to_string(),
                at: now,
            });
        }
        let verb = if approve { "approved" } else { "denied" };
        // A stage that needs several approvals counts them; one approval short, it waits on.
        let approvals = req.approvals().saturating_add(usize::from(approve));
        let short = approve && approvals < req.needed;
        let count = if req.needed > 1 && approve {
            format!(" ({approvals} of {} approvals)", req.needed)
        } else {
            String::new()
        };
        let by = self.user_name(me);
        self.push_history(id, format!("Stage {} {verb} by {by}{count}{}", stage + 1, reason_suffix(reason)));
        let before = serde_json::json!({ "state": req.state, "stage": stage + 1 });
        let mut after = serde_json::json!({ "decision": verb, "stage": stage + 1, "by": me, "reason": reason.trim() });
        if req.needed > 1
            && let Some(o) = after.as_object_mut()
        {
            o.insert("approvals".into(), approvals.into());
            o.insert("needed".into(), req.needed.into());
        }
        self.audit_change(
            actor,
            if approve { "request.approved" } else { "request.denied" },
            id,
            format!("Stage {} {verb}", stage + 1),
            Some(&before),
            Some(&after),
        );
        if short {
            if let Some(inbox) = self.idx.inbox.get_mut(&me) {
                inbox.remove(&id);
            }
            return match self.requests.get(&id) {
                Some(after) => done(self.partial_approval_message(after)),
                None => done(format!("Request {id} approved")),
            };
        }
        let pname = self.packages.get(&req.package).map(|p| p.display_name.clone()).unwrap_or_default();
        if approve {
            if let Some(r) = self.requests.get_mut(&id) {
                r.stage += 1;
            }
            let old_approvers = req.approvers.clone();
            for a in old_approvers {
                if let Some(inbox) = self.idx.inbox.get_mut(&a) {
                    inbox.remove(&id);
                }
            }
            self.route(id);
        } else {
            self.set_request_state(id, RequestState::Denied);
            for u in req.told() {
                self.notify(
                    u,
                    "denied",
                    id,
                    format!("{} for '{pname}' was denied", self.whose(&req, u)),
                    reason.trim(),
                );
            }
        }
        match self.requests.get(&id) {
            Some(after) => done(self.decision_message(after, stage, approve)),
            None => done(format!("Request {id} {verb}")),
        }
    }
}

fn reason_suffix(reason: &str) -> String {
    if reason.trim().is_empty() { String::new() } else { format!(": {}", reason.trim()) }
}

fn check_answers(pol: &Policy, answers: &BTreeMap<QuestionId, String>) -> DomainResult<()> {
    for q in &pol.spec.questions {
        let a = answers.get(&q.id).map(|s| s.trim()).unwrap_or("");
        if a.is_empty() {
            if q.required {
                return Err(invalid(format!("Question '{}' needs an answer", q.text)));
            }
            continue;
        }
        if let QuestionKind::Choice { options } = &q.kind
            && !options.iter().any(|o| o.eq_ignore_ascii_case(a))
        {
            return Err(invalid(format!("'{a}' is not one of the answers to '{}': {}", q.text, options.join(" / "))));
        }
    }
    for k in answers.keys() {
        if !pol.spec.questions.iter().any(|q| q.id == *k) {
            return Err(invalid(format!("Policy '{}' has no question {k}", pol.spec.display_name)));
        }
    }
    Ok(())
}

/// A request's state, as the audit log records a change of it.
#[derive(serde::Serialize)]
struct Stated {
    state: RequestState,
}
