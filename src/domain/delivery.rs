//! Grants counted by source, delivery of a request, and the end of an assignment.

use serde::Serialize;

use super::directory::{User, UserType};
use super::flow::{Assignment, AssignmentState, GrantSource, HistoryLine, RequestState, RequestType, Target};
use super::grants_gone::remove_grant_in;
use super::ids::*;
use super::records::ExternalLifecycle;
use super::rights::Actor;
use super::role::Role;
use super::tenant::{GrantKey, Indexes, Tenant};

/// An assignment as delivered, in its `assignment.delivered` event (fields in alphabetical
/// order: see `Tenant::audit_typed`).
#[derive(Serialize)]
struct Delivered {
    end: Option<i64>,
    policy: PolicyId,
    start: i64,
    state: &'static str,
    target: UserId,
}

/// An assignment's end, before and after an extension.
#[derive(Serialize)]
struct Ends {
    end: Option<i64>,
}

/// An assignment before it ends.
#[derive(Serialize)]
pub(super) struct Ending {
    pub end: Option<i64>,
    pub state: AssignmentState,
}

/// An assignment once ended.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Ended {
    pub ended_at: Option<i64>,
    pub state: AssignmentState,
}

/// How an assignment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    Expired,
    RemovedByAdmin,
    RemovedByUser,
    ReviewDenied,
    /// An automatic assignment whose holder stopped matching the rule, after the grace period.
    RuleNoLongerMatches,
}

impl Tenant {
    pub(crate) fn add_grant(&mut self, user: UserId, res: ResourceId, role: &str, src: GrantSource) {
        let role = Role::new(role);
        let key = GrantKey { user, resource: res, role };
        self.grants.entry(key).or_default().insert(src);
        self.idx.holders_by_resource.entry(res).or_default().insert((user, role));
    }

    /// Remove one source; the membership ends when no source is left. Keyed lookups only:
    /// O(log n) in the grants and the resource's holders.
    pub(crate) fn remove_grant(&mut self, user: UserId, res: ResourceId, role: &str, src: GrantSource) {
        // A role never named is held by nobody.
        let Some(role) = Role::known(role) else { return };
        self.remove_grant_key(GrantKey { user, resource: res, role }, src);
    }

    /// [`Tenant::remove_grant`] for a key already made: one walk down the grants.
    fn remove_grant_key(&mut self, key: GrantKey, src: GrantSource) {
        remove_grant_in(&mut self.grants, &mut self.idx, key, src);
    }

    /// A membership has ended: it leaves the resource's holders, at once or, while the clock
    /// fires a run of expiries, with the others of the run (see `settle_holders`).
    pub(super) fn unhold(&mut self, res: ResourceId, user: UserId, role: Role) {
        unhold_in(&mut self.idx, res, user, role);
    }

    pub(crate) fn push_history(&mut self, req: RequestId, text: impl Into<String>) {
        let at = self.clock.now;
        if let Some(r) = self.requests.get_mut(&req) {
            r.history.push(HistoryLine { at, text: text.into() });
        }
    }

    pub(crate) fn set_request_state(&mut self, req: RequestId, state: RequestState) {
        let now = self.clock.now;
        if let Some(r) = self.requests.get_mut(&req) {
            if r.state == RequestState::PendingApproval {
                for a in &r.approvers {
                    if let Some(inbox) = self.idx.inbox.get_mut(a) {
                        inbox.remove(&req);
                    }
                }
            }
            r.state = state;
            if !state.is_open() {
                r.completed_at = Some(now);
                self.idx.finishing.push(req);
            }
            if state == RequestState::PendingApproval {
                for a in r.awaiting() {
                    self.idx.inbox.entry(a).or_default().insert(req);
                }
            }
        }
    }

    /// Make a guest user for an external requestor on first delivery.
    fn ensure_guest(&mut self, email: &str, display_name: &str, org: Option<OrgId>) -> UserId {
        if let Some(u) = self.user_by_email(email)
            && u.is_active()
        {
            return u.id;
        }
        let id = UserId(self.alloc());
        let user = User {
            id,
            display_name: display_name.to_string(),
            email: email.to_string(),
            user_type: UserType::Guest,
            enabled: true,
            manager: None,
            department: String::new(),
            job_title: String::new(),
            company_name: String::new(),
            country: String::new(),
            employee_type: String::new(),
            home_org: org,
            created_by_em: true,
            global_admin: false,
            deleted_at: None,
            remove_at: None,
            login: None,
        };
        self.idx.by_email.insert(email.to_ascii_lowercase(), id);
        self.idx.em_created.insert(id);
        self.users.insert(id, user);
        self.audit(
            &Actor::System,
            "user.guestCreated",
            id,
            format!("Guest {display_name} <{email}> created on first delivery"),
        );
        id
    }

    /// Deliver an approved request: add or extend the assignment and grant every resource role.
    pub(crate) fn deliver(&mut self, req_id: RequestId) {
        let Some(req) = self.requests.get(&req_id).cloned() else { return };
        let now = self.clock.now;
        if let Some(start) = req.start.filter(|s| *s > now) {
            self.set_request_state(req_id, RequestState::Scheduled);
            self.push_history(req_id, format!("Scheduled to start {}", start.format("%Y-%m-%d %H:%M")));
            self.add_timer(start, super::timers::Timer::ScheduledStart(req_id));
            return;
        }
        self.set_request_state(req_id, RequestState::Delivering);
        if req.request_type == RequestType::UserExtend {
            self.deliver_extension(&req);
            return;
        }
        let user = match &req.target {
            Target::User { user } => *user,
            Target::External { email, display_name, org } => {
                let id = self.ensure_guest(email, display_name, *org);
                if let Some(r) = self.requests.get_mut(&req_id) {
                    r.target = Target::User { user: id };
                }
                self.unindex_email(req_id, &req.target);
                self.idx.requests_by_user.entry(id).or_default().insert(req_id);
                id
            }
        };
        let (Some(pkg), Some(pol)) =
            (self.packages.get(&req.package).cloned(), self.policies.get(&req.policy).cloned())
        else {
            self.set_request_state(req_id, RequestState::DeliveryFailed);
            self.push_history(req_id, "Delivery failed: the package or policy no longer exists");
            return;
        };
        let Some(lifecycle) = self.request_terms(&req).map(|t| t.lifecycle.clone()) else {
            self.set_request_state(req_id, RequestState::DeliveryFailed);
            self.push_history(req_id, "Delivery failed: the policy revision it was made under is missing");
            return;
        };
        let end = req.end.or_else(|| lifecycle.expiration.end_from(now));
        let aid = AssignmentId(self.alloc());
        let a = Assignment {
            id: aid,
            package: pkg.id,
            policy: pol.id,
            revision: req.revision,
            target: user,
            state: AssignmentState::Delivered,
            start: now,
            end,
            granted: pkg.resource_roles.as_slice().into(),
            request: req_id,
            ended_at: None,
        };
        for rr in &pkg.resource_roles {
            self.add_grant(user, rr.resource, &rr.role, GrantSource::Assignment { assignment: aid });
        }
        self.idx.assignments_by_user.entry(user).or_default().insert(aid);
        self.idx.assignments_by_package.entry(pkg.id).or_default().insert(aid);
        self.schedule_assignment(&a);
        self.assignments.insert(aid, a);
        // A blocked guest who is given access again can sign in again.
        if let Some(u) = self.users.get_mut(&user)
            && u.created_by_em
            && (!u.enabled || u.remove_at.is_some())
        {
            u.enabled = true;
            u.remove_at = None;
        }
        if let Some(r) = self.requests.get_mut(&req_id) {
            r.assignment = Some(aid);
        }
        self.set_request_state(req_id, RequestState::Delivered);
        let until = end.map(|e| format!(" until {}", e.format("%Y-%m-%d"))).unwrap_or_default();
        self.push_history(req_id, format!("Delivered: assignment {aid}{until}"));
        let what: Vec<String> =
            pkg.resource_roles.iter().map(|rr| format!("{} ({})", self.resource_name(rr.resource), rr.role)).collect();
        self.notify(
            user,
            "granted",
            aid,
            format!("You now have access to '{}'{until}", pkg.display_name),
            what.join(", "),
        );
        if let Some(manager) = req.on_behalf() {
            let subject = format!("{} now has access to '{}'{until}", self.user_name(user), pkg.display_name);
            self.notify(manager, "granted", req_id, subject, what.join(", "));
        }
        let after = Delivered {
            end: end.map(|e| e.timestamp()),
            policy: pol.id,
            start: now.timestamp(),
            state: "delivered",
            target: user,
        };
        let summary = format!("{} assigned '{}'{until}", self.user_name(user), pkg.display_name);
        self.audit_typed(&Actor::System, "assignment.delivered", aid, &summary, None::<()>, Some(after));
        self.assignment_callouts(super::extensions::ExtensionStage::AssignmentRequestGranted, aid);
    }

    fn deliver_extension(&mut self, req: &super::flow::Request) {
        let Some(aid) = req.assignment else { return };
        let Some(a) = self.assignments.get(&aid).cloned() else { return };
        let now = self.clock.now;
        if !a.is_active() {
            self.set_request_state(req.id, RequestState::DeliveryFailed);
            self.push_history(req.id, "Extension failed: the assignment had already ended");
            return;
        }
        let new_end = self.lifecycle_of(&a).expiration.end_from(now).map(|e| a.end.map_or(e, |old| old.max(e)));
        self.note_end_moved(aid, a.end);
        if let Some(x) = self.assignments.get_mut(&aid) {
            x.end = new_end;
            self.idx.review_ends.note(x);
        }
        if let Some(x) = self.assignments.get(&aid).cloned() {
            self.schedule_assignment(&x);
        }
        self.set_request_state(req.id, RequestState::Delivered);
        let until = new_end.map(|e| e.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "no end".into());
        self.push_history(req.id, format!("Extended: assignment {aid} now ends {until}"));
        let pname = self.packages.get(&a.package).map(|p| p.display_name.clone()).unwrap_or_default();
        self.notify(a.target, "granted", aid, format!("Your access to '{pname}' was extended to {until}"), "");
        let before = Ends { end: a.end.map(|e| e.timestamp()) };
        let after = Ends { end: new_end.map(|e| e.timestamp()) };
        let summary = format!("{} extended '{pname}' to {until}", self.user_name(a.target));
        self.audit_typed(&Actor::System, "assignment.extended", aid, &summary, Some(before), Some(after));
    }

    /// End an assignment: remove its own grant sources, record a removal request where needed,
    /// and apply the external-user lifecycle.
    pub(crate) fn end_assignment(&mut self, aid: AssignmentId, reason: EndReason, by: &Actor, note: &str) {
        self.end_assignment_if(aid, |_| true, reason, by, note);
    }

    /// [`Tenant::end_assignment`], only if it is active and `due` holds of it (an expiry checks
    /// its end in the same lookup). Returns whether it ended.
    pub(crate) fn end_assignment_if(
        &mut self,
        aid: AssignmentId,
        due: impl Fn(&super::flow::Assignment) -> bool,
        reason: EndReason,
        by: &Actor,
        note: &str,
    ) -> bool {
        let now = self.clock.now;
        // Ended here, in one lookup (its memberships leave the grants meanwhile, the fields
        // being apart); what the rest needs of it is copied out first.
        let Tenant { assignments, grants, idx, .. } = self;
        let Some(x) = assignments.get_mut(&aid).filter(|x| x.is_active() && due(x)) else { return false };
        let a = Ending { end: x.end.map(|e| e.timestamp()), state: x.state };
        let (target, package, policy, revision) = (x.target, x.package, x.policy, x.revision);
        x.state = if reason == EndReason::Expired { AssignmentState::Expired } else { AssignmentState::Removed };
        x.ended_at = Some(now);
        let after = Ended { ended_at: Some(now.timestamp()), state: x.state };
        for rr in x.granted.iter() {
            let key = GrantKey { user: target, resource: rr.resource, role: rr.role };
            remove_grant_in(grants, idx, key, GrantSource::Assignment { assignment: aid });
        }
        // An extension still waiting for approval has nothing left to extend (rare: the list
        // is made only when there is one).
        let extending = |r: &super::flow::Request| r.assignment == Some(aid) && r.state.is_open();
        let open: Vec<RequestId> = match self.idx.requests_by_assignment.get(&aid) {
            Some(ids) => ids.iter().filter(|id| self.requests.get(id).is_some_and(extending)).copied().collect(),
            None => Vec::new(),
        };
        for r in open {
            self.set_request_state(r, RequestState::Canceled);
            self.push_history(r, format!("Canceled: assignment {aid} ended"));
        }
        let rtype = match reason {
            EndReason::Expired => None,
            EndReason::RemovedByAdmin => Some(RequestType::AdminRemove),
            EndReason::RemovedByUser => Some(RequestType::UserRemove),
            EndReason::ReviewDenied | EndReason::RuleNoLongerMatches => Some(RequestType::SystemRemove),
        };
        if let Some(t) = rtype {
            let rid = RequestId(self.alloc());
            let whom = Target::User { user: target };
            let first = format!("Assignment {aid} removed");
            let mut r =
                super::flow::Request::new(rid, t, package, policy, revision, by.user_id(), whom, note, now, first);
            r.state = RequestState::Delivered;
            r.assignment = Some(aid);
            r.completed_at = Some(now);
            // Indexed like every other request: under its target, its requestor and its package.
            self.insert_request(r);
        }
        // What a year's jump makes by the hundred thousand is handed over typed when it can be.
        let typed = reason == EndReason::Expired && note.is_empty() && *by == Actor::System;
        if typed && self.audit_expired(aid, (target, package), a.end, a.state) {
            self.notify_about(target, aid, package, super::deferred_notice::Notice::Expired);
        } else {
            self.announce_end(aid, (target, package), reason, by, note, (a, after));
        }
        self.assignment_callouts(super::extensions::ExtensionStage::AssignmentRequestRemoved, aid);
        self.apply_external_lifecycle(target);
        true
    }

    /// The notice and the audit event of an assignment's end, from the names where they are,
    /// written into the two buffers the tenant lends.
    fn announce_end(
        &mut self,
        aid: AssignmentId,
        (target, package): (UserId, PackageId),
        reason: EndReason,
        by: &Actor,
        note: &str,
        (before, after): (Ending, Ended),
    ) {
        let [mut subject, mut summary] = std::mem::take(&mut self.idx.scratch);
        let pname = self.packages.get(&package).map_or("", |p| p.display_name.as_str());
        let (activity, kind, ending) = match reason {
            EndReason::Expired => (super::deferred_audit::EXPIRED, "expired", "' has expired"),
            EndReason::ReviewDenied => {
                ("assignment.removedByReview", "removed", "' was removed after an access review")
            }
            _ => ("assignment.removed", "removed", "' was removed"),
        };
        super::deferred_notice::access_subject(pname, ending, &mut subject);
        let uname = self.users.get(&target).map(|u| u.display_name.as_str());
        super::deferred_audit::ended_summary(uname, target, pname, activity, &mut summary);
        if !note.is_empty() {
            summary.push_str(": ");
            summary.push_str(note);
        }
        self.notify(target, kind, aid, &subject, note);
        self.audit_typed(by, activity, aid, &summary, Some(before), Some(after));
        self.idx.scratch = [subject, summary];
    }

    /// A guest made by entitlement management that has lost its last assignment.
    fn apply_external_lifecycle(&mut self, user: UserId) {
        if !self.idx.em_created.contains(&user) {
            return;
        }
        let Some(u) = self.users.get(&user) else { return };
        if !u.created_by_em || !u.is_guest() || !u.is_active() {
            return;
        }
        if self.assignments_of_user(user).any(|a| a.is_active()) {
            return;
        }
        let now = self.clock.now;
        let name = u.display_name.clone();
        match self.settings.external_lifecycle {
            ExternalLifecycle::None => {}
            ExternalLifecycle::Block => {
                if let Some(u) = self.users.get_mut(&user) {
                    u.enabled = false;
                }
                let summary = format!("Guest {name} lost its last assignment: sign-in blocked");
                let (before, after) = (SignIn::enabled(), SignIn { enabled: false, remove_at: None });
                self.audit_typed(&Actor::System, "user.blocked", user, &summary, Some(before), Some(after));
            }
            ExternalLifecycle::BlockThenRemove(days) => {
                // A wait past the calendar blocks without a removal date (`Tenant::problems`).
                let at = super::clock::plus_days(now, i64::from(days));
                if let Some(u) = self.users.get_mut(&user) {
                    u.enabled = false;
                    u.remove_at = at;
                }
                let when = at
                    .map_or_else(|| "no removal date".to_string(), |t| format!("removal on {}", t.format("%Y-%m-%d")));
                let summary = format!("Guest {name} lost its last assignment: sign-in blocked, {when}");
                let after = SignIn { enabled: false, remove_at: at.map(|t| t.timestamp()) };
                self.audit_typed(&Actor::System, "user.blocked", user, &summary, Some(SignIn::enabled()), Some(after));
                if let Some(at) = at {
                    self.add_timer(at, super::timers::Timer::GuestRemove(user));
                }
            }
        }
    }

    pub(crate) fn remove_guest(&mut self, user: UserId) {
        let now = self.clock.now;
        let Some(u) = self.users.get_mut(&user) else { return };
        if u.remove_at.is_none_or(|t| t > now) || u.deleted_at.is_some() {
            return;
        }
        u.deleted_at = Some(now);
        u.remove_at = None;
        let name = u.display_name.clone();
        // Whatever it still waits for is canceled: a removed user is given nothing.
        let open: Vec<RequestId> = self
            .requests_of_user(user)
            .filter(|r| r.state.is_open() && r.target_user() == Some(user))
            .map(|r| r.id)
            .collect();
        for rid in open {
            let history = "Canceled: the user was removed from the directory".to_string();
            self.cancel_request(
                &Actor::System,
                rid,
                history,
                format!("Canceled: {name} was removed from the directory"),
            );
        }
        // Leaving the directory ends every membership it still had.
        self.note_user_left(user);
        let keys: Vec<GrantKey> = self.grants_of_user(user).map(|(k, _)| k.clone()).collect();
        for k in keys {
            if let Some((k, _)) = self.grants.remove_entry(&k) {
                self.unhold(k.resource, user, k.role);
            }
        }
        let summary = format!("Guest {name} removed from the directory");
        let (before, after) = (Presence { deleted: false }, Presence { deleted: true });
        self.audit_typed(&Actor::System, "user.removed", user, &summary, Some(before), Some(after));
    }
}

/// A guest's sign-in, before and after the external-user lifecycle blocks it (fields in
/// alphabetical order, none null: see `audit_typed`).
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct SignIn {
    enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    remove_at: Option<i64>,
}

impl SignIn {
    fn enabled() -> Self {
        SignIn { enabled: true, remove_at: None }
    }
}

/// Whether a user is still in the directory, before and after a guest's removal.
#[derive(serde::Serialize)]
struct Presence {
    deleted: bool,
}

/// [`Tenant::unhold`] on the tenant's indexes.
pub(super) fn unhold_in(idx: &mut Indexes, res: ResourceId, user: UserId, role: Role) {
    match idx.holders_gone.as_mut() {
        Some(gone) => gone.push((res, (user, role))),
        None => {
            if let Some(h) = idx.holders_by_resource.get_mut(&res) {
                h.remove(&(user, role));
            }
        }
    }
}
