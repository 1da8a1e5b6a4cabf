//! Requests and decisions: submit, cancel, approve or deny stage by stage, extend, remove, assign.

use std::collections::BTreeMap;

use super::Time;
use super::access::{Policy, QuestionKind};
use super::assign_cmds::ends_after;
use super::command::{Outcome, created, done};
use super::error::{DomainResult, forbidden, invalid, not_found, rule};
use super::flow::{Request, RequestState, RequestType, StageDecision, Target};
use super::ids::*;
use super::rights::Actor;
use super::tenant::Tenant;
use super::timers::Timer;

/// What a request may be made through (see `Tenant::check_request`).
pub(crate) struct Asking {
    pub pkg: super::access::Package,
    pub target: Target,
    pub who: super::eval::Requester,
    /// The policies it may go through: the one asked for, or every one that admits the person.
    pub policies: Vec<Policy>,
}

impl Tenant {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn cmd_submit(
        &mut self,
        actor: &Actor,
        pkg_id: PackageId,
        policy: Option<PolicyId>,
        justification: &str,
        answers: &BTreeMap<QuestionId, String>,
        start: Option<Time>,
    ) -> DomainResult<Outcome> {
        let Asking { pkg, target, who, policies } = self.check_request(actor, pkg_id, policy)?;
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
        let mut req = Request::new(
            id,
            RequestType::UserAdd,
            pkg_id,
            pol.id,
            pol.revision,
            who.user,
            target,
            justification,
            now,
            "Submitted",
        );
        req.answers = answers.clone();
        req.start = start;
        let after = serde_json::json!({ "state": "submitted", "policy": pol.id, "justification": req.justification });
        self.insert_request(req);
        self.audit_change(
            actor,
            "request.submitted",
            id,
            format!("Requested '{}' via policy '{}'", pkg.display_name, pol.spec.display_name),
            None,
            Some(&after),
        );
        self.route(id);
        self.tell_sponsors(id, who.org.filter(|_| who.external));
        let state = self.requests.get(&id).map(|r| r.state).unwrap_or(RequestState::Submitted);
        let msg = match state {
            RequestState::PendingApproval => format!("Request {id} submitted: waiting for approval"),
            RequestState::Delivered => format!("Request {id} delivered: you have '{}'", pkg.display_name),
            RequestState::Scheduled => format!("Request {id} scheduled"),
            s => format!("Request {id}: {}", s.phrase()),
        };
        created(id, msg)
    }

    /// Whether the person may ask for the package now (through `policy`, or through any policy
    /// that admits them): the package is live, its catalog enabled, a policy admits them, every
    /// stage of it has someone to decide, and they neither hold nor wait for it already. The
    /// policies they may ask through come back (the one given, or every one that fits).
    pub(crate) fn check_request(
        &self,
        actor: &Actor,
        pkg_id: PackageId,
        policy: Option<PolicyId>,
    ) -> DomainResult<Asking> {
        let pkg = self.package(pkg_id)?.clone();
        let who = self.requester(actor).ok_or_else(|| match actor {
            Actor::System => forbidden("The system cannot request access"),
            _ => forbidden("Your sign-in is blocked or your account was removed: a blocked user cannot request access"),
        })?;
        if pkg.is_deleted() {
            return Err(rule(format!("Access package '{}' was deleted and takes no new requests", pkg.display_name)));
        }
        let cat = self.catalog(pkg.catalog)?;
        if !cat.enabled {
            return Err(rule(format!("Catalog '{}' is disabled: its packages cannot be requested", cat.display_name)));
        }
        let matching = self.matching_policies(actor, &pkg);
        let policies: Vec<Policy> = match policy {
            Some(pid) => {
                let p = self.policy(pid)?;
                if p.package != pkg_id {
                    return Err(invalid(format!("Policy {pid} belongs to another package")));
                }
                if !matching.iter().any(|m| m.id == pid) {
                    return Err(self.why_not(p, &pkg, &who));
                }
                vec![p.clone()]
            }
            None if matching.is_empty() => {
                return Err(rule(format!(
                    "No policy of '{}' lets you request it; ask an administrator for a direct assignment",
                    pkg.display_name
                )));
            }
            None => matching.into_iter().cloned().collect(),
        };
        if let Some(u) = who.user {
            self.check_one_assignment(u, &pkg)?;
        } else if let Some(r) = self.requests_of_package(pkg_id).find(|r| {
            r.state.is_open()
                && matches!(&r.target, Target::External { email, .. } if email.eq_ignore_ascii_case(&who.email))
        }) {
            return Err(rule(format!("You already have a pending request for '{}' ({})", pkg.display_name, r.id)));
        }
        let target = match (who.user, actor) {
            (Some(u), _) => Target::User { user: u },
            (None, Actor::External { email, display_name }) => {
                Target::External { email: email.clone(), display_name: display_name.clone(), org: who.org }
            }
            (None, _) => return Err(forbidden("Unknown requestor")),
        };
        // A policy gives something only if it still gives assignments and every stage has
        // someone who can decide it; the first refusal is the answer when none does.
        let now = self.clock.now;
        let mut first_refusal = None;
        let mut open = vec![];
        for pol in policies {
            let fits = ends_after(&pol, now).and_then(|()| self.check_deciders(&pol, &target, who.user));
            match fits {
                Ok(()) => open.push(pol),
                Err(e) => {
                    first_refusal.get_or_insert(e);
                }
            }
        }
        match (open.is_empty(), first_refusal) {
            (true, Some(e)) => Err(e),
            _ => Ok(Asking { pkg, target, who, policies: open }),
        }
    }

    /// Every stage of the policy has someone who can decide it for this requestor.
    fn check_deciders(&self, pol: &Policy, target: &Target, requestor: Option<UserId>) -> DomainResult<()> {
        for (i, st) in pol.spec.stages.iter().enumerate() {
            if self.stage_approvers(st, target, requestor).is_empty() {
                return Err(rule(format!(
                    "Nobody can approve stage {} of policy '{}' for you (no manager, sponsor or fallback approver); ask an administrator to add a fallback approver",
                    i + 1,
                    pol.spec.display_name
                )));
            }
        }
        Ok(())
    }

    fn why_not(
        &self,
        p: &Policy,
        pkg: &super::access::Package,
        who: &super::eval::Requester,
    ) -> super::error::DomainError {
        if !p.spec.enabled {
            return rule(format!("Policy '{}' has new requests turned off", p.spec.display_name));
        }
        if let Some(c) = self.catalogs.get(&pkg.catalog).filter(|c| !c.external)
            && (p.spec.scope.is_external() || who.external)
        {
            return rule(format!(
                "Catalog '{}' is not enabled for external users, so guests and users of connected organizations cannot request its packages",
                c.display_name
            ));
        }
        rule(format!("Policy '{}' does not include you ({})", p.spec.display_name, p.spec.scope.label()))
    }

    /// One assignment per user per package; a second request is refused with the way forward.
    pub(crate) fn check_one_assignment(&self, user: UserId, pkg: &super::access::Package) -> DomainResult<()> {
        if let Some(a) = self.active_assignment(user, pkg.id) {
            let until = a.end.map(|e| format!(" until {}", e.format("%Y-%m-%d"))).unwrap_or_default();
            let hint = if self.lifecycle_of(a).allow_extension {
                format!("; extend it instead ({})", a.id)
            } else {
                String::new()
            };
            return Err(rule(format!("{} already has '{}'{until}{hint}", self.user_name(user), pkg.display_name)));
        }
        // A request made before the person was in the directory is theirs too (same email); only a
        // guest can have one, so members are checked through their own requests alone (indexed).
        let guest = self.users.get(&user).filter(|u| u.is_guest());
        let email = guest.map(|u| u.email.as_str()).unwrap_or_default();
        let waiting =
            |r: &&Request| r.state.is_open() && matches!(r.request_type, RequestType::UserAdd | RequestType::AdminAdd);
        let own =
            self.requests_of_user(user).filter(|r| r.package == pkg.id && r.target_user() == Some(user)).find(waiting);
        let before = || {
            guest.and_then(|_| {
                self.requests_of_package(pkg.id)
                    .filter(|r| matches!(&r.target, Target::External { email: e, .. } if e.eq_ignore_ascii_case(email)))
                    .find(waiting)
            })
        };
        if let Some(r) = own.or_else(before) {
            return Err(rule(format!(
                "{} already has a pending request for '{}' ({}, {}): wait for it or cancel it",
                self.user_name(user),
                pkg.display_name,
                r.id,
                r.state
            )));
        }
        Ok(())
    }

    pub(crate) fn insert_request(&mut self, req: Request) {
        if let Some(u) = req.target_user() {
            self.idx.requests_by_user.entry(u).or_default().insert(req.id);
        }
        if let Some(u) = req.requestor {
            self.idx.requests_by_user.entry(u).or_default().insert(req.id);
        }
        self.idx.requests_by_package.entry(req.package).or_default().insert(req.id);
        if !req.state.is_open() {
            self.finishing(req.id);
        }
        self.requests.insert(req.id, req);
    }

    fn stage_approvers(
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
                self.push_history(id, "Approved");
                if let Some(u) = req.target_user().or(req.requestor) {
                    let pname = self.packages.get(&req.package).map(|p| p.display_name.clone()).unwrap_or_default();
                    self.notify(u, "approved", format!("Your request for '{pname}' was approved"), "");
                }
            }
            self.deliver(id);
            return;
        }
        let st = &stages[req.stage];
        let approvers = self.stage_approvers(st, &req.target, req.requestor);
        if approvers.is_empty() {
            let why = format!("Denied: nobody could approve stage {}", req.stage + 1);
            self.set_request_state(id, RequestState::Denied);
            self.push_history(id, why.clone());
            self.audit(&Actor::System, "request.denied", id, why.clone());
            if let Some(u) = req.target_user().or(req.requestor) {
                let pname = self.packages.get(&req.package).map(|p| p.display_name.clone()).unwrap_or_default();
                self.notify(u, "denied", format!("Your request for '{pname}' was denied"), why);
            }
            return;
        }
        let now = self.clock.now;
        if let Some(r) = self.requests.get_mut(&id) {
            r.stage_started = Some(now);
            r.approvers = approvers.clone();
            r.escalated = false;
        }
        self.set_request_state(id, RequestState::PendingApproval);
        // A time past the calendar is not scheduled (`Tenant::problems` reports it).
        let deadline = super::clock::plus_days(now, i64::from(st.timeout_days));
        if let Some(d) = deadline {
            self.add_timer(d, Timer::StageTimeout(id, req.stage));
        }
        if let Some(at) = st.escalation.as_ref().and_then(|e| super::clock::plus_days(now, i64::from(e.after_days))) {
            self.add_timer(at, Timer::Escalate(id, req.stage));
        }
        let names: Vec<String> = approvers.iter().map(|u| self.user_name(*u)).collect();
        self.push_history(id, format!("Stage {} of {}: waiting for {}", req.stage + 1, stages.len(), names.join(", ")));
        let pname = self.packages.get(&req.package).map(|p| p.display_name.clone()).unwrap_or_default();
        let who = self.target_label(&req.target);
        for a in approvers {
            self.notify(
                a,
                "approvalNeeded",
                format!("Approval needed: {who} requests '{pname}'"),
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
                format!("{who} of {} requested '{pname}'", org.display_name),
                format!("{id}: {}", r.state.phrase()),
            );
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
        if !matches!(req.state, RequestState::PendingApproval | RequestState::Submitted | RequestState::Scheduled) {
            return Err(rule(format!("Request {id} is {} and can no longer be canceled", req.state.phrase())));
        }
        Ok(req)
    }

    pub(crate) fn cmd_cancel(&mut self, actor: &Actor, id: RequestId) -> DomainResult<Outcome> {
        self.check_cancel(actor, id)?;
        self.set_request_state(id, RequestState::Canceled);
        self.push_history(id, format!("Canceled by {}", self.actor_label(actor)));
        self.audit(actor, "request.canceled", id, format!("Canceled request {id}"));
        done(format!("Request {id} canceled"))
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
        self.push_history(id, format!("Stage {} {verb} by {}{}", stage + 1, self.user_name(me), reason_suffix(reason)));
        let before = serde_json::json!({ "state": req.state, "stage": stage + 1 });
        let after = serde_json::json!({ "decision": verb, "stage": stage + 1, "by": me, "reason": reason.trim() });
        self.audit_change(
            actor,
            if approve { "request.approved" } else { "request.denied" },
            id,
            format!("Stage {} {verb}", stage + 1),
            Some(&before),
            Some(&after),
        );
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
            if let Some(u) = req.target_user().or(req.requestor) {
                self.notify(u, "denied", format!("Your request for '{pname}' was denied"), reason.trim());
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
