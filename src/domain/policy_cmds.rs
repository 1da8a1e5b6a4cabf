//! Assignment policy commands: create, update (new requests only), delete.

use super::access::{Package, Policy, PolicySpec};
use super::command::{Outcome, created, done};
use super::error::{DomainError, DomainResult, rule};
use super::ids::*;
use super::rights::Actor;
use super::tenant::Tenant;

impl Tenant {
    /// A live package the actor manages, below its limit of policies.
    pub(crate) fn check_create_policy(&self, actor: &Actor, pkg_id: PackageId) -> DomainResult<Package> {
        let pkg = self.managed_package(actor, pkg_id, "create policies")?;
        let limit = self.settings.limits.policies_per_package;
        if pkg.policies.len() >= limit {
            return Err(DomainError::Limit(format!(
                "'{}' already has {limit} policies, the limit; edit an existing policy instead",
                pkg.display_name
            )));
        }
        Ok(pkg)
    }

    pub(crate) fn cmd_create_policy(
        &mut self,
        actor: &Actor,
        pkg_id: PackageId,
        spec: &PolicySpec,
    ) -> DomainResult<Outcome> {
        let pkg = self.check_create_policy(actor, pkg_id)?;
        self.validate_policy(spec)?;
        self.check_stage_settings(pkg.catalog, spec)?;
        self.check_one_automatic(pkg_id, None, spec)?;
        let id = PolicyId(self.alloc());
        let now = self.clock.now;
        let mut policy = Policy {
            id,
            package: pkg_id,
            spec: spec.clone(),
            revision: 0,
            next_review_at: spec
                .review
                .as_ref()
                .filter(|r| r.before_expiry_days.is_none())
                .map(|r| r.starts_on.max(now)),
            created_at: now,
            modified_at: now,
        };
        self.revise(&mut policy, spec)?;
        self.schedule_policy_review(&policy);
        if let Some(p) = self.packages.get_mut(&pkg_id) {
            p.policies.push(id);
        }
        let msg = format!("Created policy '{}' ({id}) on '{}'", spec.display_name, pkg.display_name);
        self.audit_change(actor, "assignmentPolicy.created", id, msg.clone(), None, Some(&policy));
        self.policies.insert(id, policy);
        let msg = match self.policy_saved(id) {
            Some(words) => format!("{msg}; {words}"),
            None => msg,
        };
        created(id, msg)
    }

    /// A policy of a live package the actor manages.
    pub(crate) fn check_edit_policy(&self, actor: &Actor, id: PolicyId) -> DomainResult<Policy> {
        let pol = self.policy(id)?.clone();
        self.managed_package(actor, pol.package, "edit policies")?;
        Ok(pol)
    }

    pub(crate) fn cmd_update_policy(
        &mut self,
        actor: &Actor,
        id: PolicyId,
        spec: &PolicySpec,
    ) -> DomainResult<Outcome> {
        let before = self.check_edit_policy(actor, id)?;
        self.validate_policy(spec)?;
        self.check_stage_settings(self.package(before.package)?.catalog, spec)?;
        self.check_one_automatic(before.package, Some(id), spec)?;
        self.check_automatic_switch(&before, spec)?;
        let mut after = before.clone();
        // Changed stages, lifecycle or review terms make a new revision: waiting requests keep
        // the stages they were submitted under, assignments the terms they were granted under.
        self.revise(&mut after, spec)?;
        after.spec = spec.clone();
        after.modified_at = self.clock.now;
        let now = self.clock.now;
        after.next_review_at = match (&before.spec.review, &spec.review) {
            (_, None) => None,
            (_, Some(r)) if r.before_expiry_days.is_some() => None,
            (Some(old), Some(new)) if old.starts_on == new.starts_on && old.frequency == new.frequency => {
                before.next_review_at.or(Some(new.starts_on.max(now)))
            }
            (_, Some(new)) => Some(new.starts_on.max(now)),
        };
        self.schedule_policy_review(&after);
        let existing = self.assignments_of_package(before.package).filter(|a| a.policy == id && a.is_active()).count();
        let msg = format!(
            "Updated policy '{}'; applies to new requests only — {existing} existing assignment(s) keep their terms",
            spec.display_name
        );
        self.audit_change(actor, "assignmentPolicy.updated", id, msg.clone(), Some(&before), Some(&after));
        self.policies.insert(id, after);
        let msg = match self.policy_saved(id) {
            Some(words) => format!("{msg}; {words}"),
            None => msg,
        };
        done(msg)
    }

    /// A policy of a live package the actor manages, with no active assignment or open request.
    pub(crate) fn check_delete_policy(&self, actor: &Actor, id: PolicyId) -> DomainResult<Policy> {
        let pol = self.policy(id)?.clone();
        self.managed_package(actor, pol.package, "delete policies")?;
        let active = self.assignments_of_package(pol.package).filter(|a| a.policy == id && a.is_active()).count();
        if active > 0 {
            return Err(rule(format!(
                "Policy '{}' still has {active} active assignment(s): remove them first, or disable new requests instead",
                pol.spec.display_name
            )));
        }
        if let Some(r) = self.requests_of_package(pol.package).find(|r| r.policy == id && r.state.is_open()) {
            return Err(rule(format!(
                "Request {} under policy '{}' is still open: let it finish or cancel it",
                r.id, pol.spec.display_name
            )));
        }
        Ok(pol)
    }

    pub(crate) fn cmd_delete_policy(&mut self, actor: &Actor, id: PolicyId) -> DomainResult<Outcome> {
        let pol = self.check_delete_policy(actor, id)?;
        if let Some(p) = self.packages.get_mut(&pol.package) {
            p.policies.retain(|x| *x != id);
        }
        self.audit_change(
            actor,
            "assignmentPolicy.deleted",
            id,
            format!("Deleted policy '{}'", pol.spec.display_name),
            Some(&pol),
            None,
        );
        self.policies.remove(&id);
        self.policy_saved(id);
        done(format!("Deleted policy '{}'", pol.spec.display_name))
    }
}
