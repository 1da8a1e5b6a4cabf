//! Assignments once granted: extension, self-removal, direct assignment and removal by managers, the mailbox.

use super::Time;
use super::access::{Package, Policy};
use super::command::{Outcome, created, done};
use super::delivery::EndReason;
use super::error::{DomainResult, forbidden, invalid, rule};
use super::flow::{Assignment, Request, RequestState, RequestType, Target};
use super::ids::*;
use super::rights::Actor;
use super::tenant::Tenant;

impl Tenant {
    /// The assignee's own active assignment whose terms allow an extension that would move its
    /// end, with no extension already asked for.
    pub(crate) fn check_extend(&self, actor: &Actor, aid: AssignmentId) -> DomainResult<Assignment> {
        let a = self.assignment(aid)?.clone();
        if actor.user_id() != Some(a.target) {
            return Err(forbidden("Only the assignee can ask to extend their assignment"));
        }
        if self.requester(actor).is_none() {
            return Err(forbidden("Your sign-in is blocked: a blocked user cannot request"));
        }
        if !a.is_active() {
            return Err(rule(format!("Assignment {aid} has ended ({}): request the package again instead", a.state)));
        }
        if !self.lifecycle_of(&a).allow_extension {
            return Err(rule("The policy this was granted under does not allow extension; request again when it ends"));
        }
        if a.end.is_none() {
            return Err(rule("This assignment never expires; there is nothing to extend"));
        }
        if self.packages.get(&a.package).is_some_and(|p| p.is_deleted()) {
            return Err(rule("Its access package was deleted: the assignment runs to its end and cannot be extended"));
        }
        if matches!(self.lifecycle_of(&a).expiration, super::access::Expiration::OnDate(_)) {
            return Err(rule("This assignment ends on a fixed date, which an extension cannot move"));
        }
        if let Some(r) = self.requests_of_user(a.target).find(|r| r.assignment == Some(aid) && r.state.is_open()) {
            return Err(rule(format!("An extension request ({}) is already open", r.id)));
        }
        // An extension gives the terms' length from today: one that ends no later than the
        // assignment already does would change nothing.
        let terms = &self.lifecycle_of(&a).expiration;
        if let (Some(end), Some(from_now)) = (a.end, terms.end_from(self.clock.now))
            && from_now <= end
        {
            return Err(rule(format!(
                "Extending {aid} now would not move its end: it ends {}, and an extension ({}) would give access until {}; ask again closer to the end",
                end.format("%Y-%m-%d %H:%M"),
                terms.label(),
                from_now.format("%Y-%m-%d %H:%M")
            )));
        }
        Ok(a)
    }

    pub(crate) fn cmd_extend(
        &mut self,
        actor: &Actor,
        aid: AssignmentId,
        justification: &str,
    ) -> DomainResult<Outcome> {
        let a = self.check_extend(actor, aid)?;
        let pol = self.policy(a.policy)?.clone();
        if self.lifecycle_of(&a).extension_requires_approval
            && pol.spec.justification_required
            && justification.trim().is_empty()
        {
            return Err(invalid("Extension needs a business justification: say why you still need it"));
        }
        let now = self.clock.now;
        let id = RequestId(self.alloc());
        let target = Target::User { user: a.target };
        let mut req = Request::new(
            id,
            RequestType::UserExtend,
            a.package,
            a.policy,
            pol.revision,
            Some(a.target),
            target,
            justification,
            now,
            "Extension requested",
        );
        req.assignment = Some(aid);
        self.insert_request(req);
        self.audit(actor, "request.extensionSubmitted", id, format!("Extension of {aid} requested"));
        self.route(id);
        let st = self.requests.get(&id).map(|r| r.state).unwrap_or(RequestState::Submitted);
        let end = self
            .assignments
            .get(&aid)
            .and_then(|a| a.end)
            .map(|e| e.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        if st == RequestState::Delivered {
            created(id, format!("Extended: assignment {aid} now ends {end}"))
        } else {
            created(id, format!("Extension request {id} is {st}"))
        }
    }

    /// The assignee's own active assignment, under terms that let them give it up.
    pub(crate) fn check_remove_own(&self, actor: &Actor, aid: AssignmentId) -> DomainResult<Assignment> {
        let a = self.assignment(aid)?.clone();
        if actor.user_id() != Some(a.target) {
            return Err(forbidden("Only the assignee can remove their own assignment; administrators use remove"));
        }
        if !a.is_active() {
            return Err(rule(format!("Assignment {aid} has already ended")));
        }
        if !self.lifecycle_of(&a).allow_self_removal {
            return Err(rule(
                "The policy this was granted under does not let users remove their own access; ask an assignment manager",
            ));
        }
        Ok(a)
    }

    pub(crate) fn cmd_remove_own(&mut self, actor: &Actor, aid: AssignmentId) -> DomainResult<Outcome> {
        self.check_remove_own(actor, aid)?;
        self.end_assignment(aid, EndReason::RemovedByUser, actor, "removed by the user");
        done(format!("Assignment {aid} removed"))
    }

    /// A live package with a policy, in a catalog where the actor manages assignments.
    pub(crate) fn check_assign(&self, actor: &Actor, pkg_id: PackageId) -> DomainResult<Package> {
        let pkg = self.package(pkg_id)?.clone();
        self.require_assignment_manager(actor, pkg.catalog, "assign access packages directly")?;
        if pkg.is_deleted() {
            return Err(rule(format!("Access package '{}' was deleted", pkg.display_name)));
        }
        if pkg.policies.is_empty() {
            return Err(rule(format!(
                "'{}' has no policy: an assignment is made under a policy's terms; add one under Policies first",
                pkg.display_name
            )));
        }
        Ok(pkg)
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn cmd_admin_assign(
        &mut self,
        actor: &Actor,
        pkg_id: PackageId,
        pol_id: PolicyId,
        user: UserId,
        start: Option<Time>,
        end: Option<Time>,
        justification: &str,
    ) -> DomainResult<Outcome> {
        let pkg = self.check_assign(actor, pkg_id)?;
        let pol = self.policy(pol_id)?.clone();
        if pol.package != pkg_id {
            return Err(invalid(format!("Policy '{}' belongs to another package", pol.spec.display_name)));
        }
        self.refuse_automatic(&pol)?;
        if !pol.spec.enabled {
            return Err(rule(format!(
                "Policy '{}' has new requests and assignments turned off: enable it, or assign through another policy",
                pol.spec.display_name
            )));
        }
        let u = self.user(user)?;
        if !u.is_active() {
            return Err(rule(format!("{} was removed from the directory", u.display_name)));
        }
        self.check_one_assignment(user, &pkg)?;
        self.check_compatible(user, &pkg)?;
        let now = self.clock.now;
        let begin = start.unwrap_or(now).max(now);
        ends_after(&pol, begin)?;
        if let Some(e) = end {
            if e <= begin {
                return Err(invalid("The end must be after the start"));
            }
            if let Some(max) = pol.spec.lifecycle.expiration.end_from(begin)
                && e > max
            {
                return Err(rule(format!(
                    "Policy '{}' {}: the end can be at most {}",
                    pol.spec.display_name,
                    pol.spec.lifecycle.expiration.label(),
                    max.format("%Y-%m-%d")
                )));
            }
        }
        let id = RequestId(self.alloc());
        let first = format!("Direct assignment by {}", self.actor_label(actor));
        let target = Target::User { user };
        let mut req = Request::new(
            id,
            RequestType::AdminAdd,
            pkg_id,
            pol_id,
            pol.revision,
            actor.user_id(),
            target,
            justification,
            now,
            first,
        );
        req.start = start.filter(|s| *s > now);
        req.end = end;
        self.insert_request(req);
        self.audit(
            actor,
            "request.adminAdd",
            id,
            format!("Assigned '{}' to {}", pkg.display_name, self.user_name(user)),
        );
        self.route(id);
        let st = self.requests.get(&id).map(|r| r.state).unwrap_or(RequestState::Submitted);
        created(id, format!("Assigned '{}' to {} ({st})", pkg.display_name, self.user_name(user)))
    }

    /// An active assignment in a catalog where the actor manages assignments.
    pub(crate) fn check_admin_remove(&self, actor: &Actor, aid: AssignmentId) -> DomainResult<Assignment> {
        let a = self.assignment(aid)?.clone();
        let cat = self.package(a.package)?.catalog;
        self.require_assignment_manager(actor, cat, "remove assignments")?;
        if !a.is_active() {
            return Err(rule(format!("Assignment {aid} has already ended ({})", a.state)));
        }
        Ok(a)
    }

    pub(crate) fn cmd_admin_remove(&mut self, actor: &Actor, aid: AssignmentId, reason: &str) -> DomainResult<Outcome> {
        let a = self.check_admin_remove(actor, aid)?;
        self.end_assignment(aid, EndReason::RemovedByAdmin, actor, reason.trim());
        done(format!("Assignment {aid} of {} removed", self.user_name(a.target)))
    }
}

/// A policy that ends assignments on a date gives none that would start on or after it.
pub(crate) fn ends_after(pol: &Policy, begin: Time) -> DomainResult<()> {
    match pol.spec.lifecycle.expiration.end_from(begin) {
        Some(end) if end <= begin => Err(rule(format!(
            "Policy '{}' {}: that date is not after the start, so it gives no new assignments",
            pol.spec.display_name,
            pol.spec.lifecycle.expiration.label()
        ))),
        _ => Ok(()),
    }
}
