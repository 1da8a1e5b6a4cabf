//! Automatic assignment policies (Graph: a policy with `automaticRequestSettings`, whose allowed
//! targets are the users an attribute rule selects). Everyone the rule matches gets an assignment
//! without requesting; someone who stops matching (an attribute changes, their sign-in is blocked,
//! they leave the directory) keeps it for the policy's grace period, on the in-app clock, and then
//! loses it, unless they match again first.
//!
//! Evaluation is incremental: the automatic policies are indexed with their parsed rules
//! (`Indexes::automatic`), a change to one user evaluates that user against them, and saving a
//! policy evaluates the directory once. A preview (`preview_automatic`) is the very plan that the
//! save applies.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Time;
use super::access::{Policy, PolicySpec, RequestScope};
use super::bounds::{self, Field};
use super::error::{DomainError, DomainResult, invalid, rule};
use super::flow::{Request, RequestType, Target};
use super::ids::*;
use super::rights::Actor;
use super::serde_util::{Keyed, secs};
use super::tenant::Tenant;
use super::timers::Fired;
use super::user_rule::{self, Rule};

/// What makes a policy automatic: its rule and the grace period before removal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutomaticSettings {
    /// The membership rule, as text (see `user_rule`).
    pub rule: String,
    /// gracePeriodBeforeAccessRemoval, in hours: how long someone who stops matching keeps the
    /// assignment.
    #[serde(default)]
    pub grace_period_hours: u32,
}

/// An automatic assignment whose holder stopped matching: removed at `at` unless they match again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingRemoval {
    pub assignment: AssignmentId,
    pub policy: PolicyId,
    #[serde(with = "secs")]
    pub at: Time,
}

impl Keyed for PendingRemoval {
    type Key = AssignmentId;
    fn key(&self) -> AssignmentId {
        self.assignment
    }
}

/// An automatic policy as the index keeps it: its package, its parsed rule, whether it assigns.
#[derive(Debug, Clone)]
pub(crate) struct AutoRule {
    pub package: PackageId,
    pub rule: Rule,
    pub enabled: bool,
}

/// Who saving an automatic policy changes: each list in the directory's order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AutoPreview {
    /// Matching people without the package: assigned at once.
    pub gains: Vec<UserId>,
    /// People with an assignment of the policy who no longer match: removed after the grace period.
    pub losses: Vec<UserId>,
    /// People waiting out a grace period who match again: they keep the assignment.
    pub keeps: Vec<UserId>,
}

/// What one user's evaluation against one automatic policy calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Assign(UserId),
    StartGrace(AssignmentId),
    Keep(AssignmentId),
}

/// An automatic policy in one line (its rule, grace period, whether it assigns), for lists.
pub fn automatic_summary(spec: &PolicySpec) -> Option<String> {
    let a = spec.automatic.as_ref()?;
    let off = if spec.enabled { "" } else { " · new assignments off" };
    Some(format!("automatic: {} · grace {} h{off}", a.rule, a.grace_period_hours))
}

/// A command's message with what the automatic policies did to the user, if anything.
pub(crate) fn with_effects(msg: String, words: Vec<String>) -> String {
    if words.is_empty() { msg } else { format!("{msg}; automatic: {}", words.join(", ")) }
}

/// The automatic policies with a rule that parses (one that does not, from a hand-edited file,
/// assigns nobody).
pub(crate) fn automatic_index(policies: &BTreeMap<PolicyId, Policy>) -> BTreeMap<PolicyId, AutoRule> {
    policies.values().filter_map(|p| Some((p.id, auto_rule(p.package, &p.spec)?))).collect()
}

fn auto_rule(package: PackageId, spec: &PolicySpec) -> Option<AutoRule> {
    let auto = spec.automatic.as_ref()?;
    let rule = user_rule::parse(&auto.rule).ok()?;
    Some(AutoRule { package, rule, enabled: spec.enabled })
}

impl From<user_rule::RuleError> for DomainError {
    fn from(e: user_rule::RuleError) -> Self {
        bounds::out_of_range(Field::Rule, e.to_string())
    }
}

/// The problems of an automatic policy's settings, each with its field: the rule parses, the grace
/// period is in range, and the rest of the policy fits an automatic one (nobody requests it, no
/// approval, no questions, no review, assignments that do not expire).
pub(crate) fn automatic_issues(spec: &PolicySpec, issue: &mut impl FnMut(Field, DomainResult<()>)) {
    let Some(auto) = &spec.automatic else { return };
    issue(Field::Rule, user_rule::parse(&auto.rule).map(drop).map_err(DomainError::from));
    issue(Field::GracePeriod, bounds::GRACE_PERIOD_HOURS.check(Field::GracePeriod, auto.grace_period_hours));
    let mut not = |ok: bool, what: &str| {
        if !ok {
            issue(Field::Rule, Err(invalid(format!("An automatic policy assigns by its rule, so it {what}"))));
        }
    };
    not(spec.scope == RequestScope::AdminOnly, "takes no requests: set who can request to none");
    not(spec.stages.is_empty(), "has no approval: turn approval off");
    not(spec.questions.is_empty(), "asks no questions: remove them");
    not(spec.review.is_none(), "has no access reviews: its rule decides who keeps access");
    not(spec.lifecycle.expiration.never(), "gives assignments that never expire: set expiration to never");
}

impl Tenant {
    /// At most one automatic policy per package (as in the real service); `except` is the policy
    /// being edited.
    pub(crate) fn check_one_automatic(
        &self,
        package: PackageId,
        except: Option<PolicyId>,
        spec: &PolicySpec,
    ) -> DomainResult<()> {
        if spec.automatic.is_none() {
            return Ok(());
        }
        match self.policies_of(package).find(|p| p.spec.automatic.is_some() && Some(p.id) != except) {
            Some(p) => Err(rule(format!(
                "'{}' already has an automatic policy ('{}'): a package has at most one; change its rule instead",
                self.packages.get(&package).map_or("The package", |k| k.display_name.as_str()),
                p.spec.display_name
            ))),
            None => Ok(()),
        }
    }

    /// A policy with active assignments stays automatic, or stays a request policy.
    pub(crate) fn check_automatic_switch(&self, before: &Policy, spec: &PolicySpec) -> DomainResult<()> {
        if before.spec.automatic.is_some() == spec.automatic.is_some() {
            return Ok(());
        }
        let active = self.assignments_of_package(before.package).filter(|a| a.policy == before.id && a.is_active());
        match active.count() {
            0 => Ok(()),
            n => Err(rule(format!(
                "Policy '{}' has {n} active assignment(s): it cannot switch between automatic and requested while they last; add a new policy instead",
                before.spec.display_name
            ))),
        }
    }

    /// Direct assignment goes through a policy that is not automatic.
    pub(crate) fn refuse_automatic(&self, pol: &Policy) -> DomainResult<()> {
        match pol.spec.automatic {
            Some(_) => Err(rule(format!(
                "Policy '{}' assigns automatically by its rule: change the person's attributes, or assign through another policy",
                pol.spec.display_name
            ))),
            None => Ok(()),
        }
    }

    /// Who saving `spec` as the policy `policy` of `package` (`None`: a new policy) would give the
    /// package, take it from after the grace period, and let keep it. Refused as the save would be.
    pub fn preview_automatic(
        &self,
        actor: &Actor,
        package: PackageId,
        policy: Option<PolicyId>,
        spec: &PolicySpec,
    ) -> DomainResult<AutoPreview> {
        // Who it would assign is for those who may save it.
        let actor = self.acting(actor)?;
        match policy {
            Some(id) => self.check_edit_policy(&actor, id).map(drop)?,
            None => self.check_create_policy(&actor, package).map(drop)?,
        }
        self.validate_policy(spec)?;
        self.check_one_automatic(package, policy, spec)?;
        let mut out = AutoPreview::default();
        let Some(auto) = auto_rule(package, spec) else { return Ok(out) };
        for step in self.directory_plan(policy, &auto) {
            match step {
                Step::Assign(u) => out.gains.push(u),
                Step::StartGrace(a) => out.losses.extend(self.assignments.get(&a).map(|a| a.target)),
                Step::Keep(a) => out.keeps.extend(self.assignments.get(&a).map(|a| a.target)),
            }
        }
        Ok(out)
    }

    /// Every user's step under one automatic policy: the directory, once.
    fn directory_plan(&self, policy: Option<PolicyId>, auto: &AutoRule) -> Vec<Step> {
        self.users.keys().filter_map(|u| self.step(*u, policy, auto)).collect()
    }

    /// What one user's evaluation against one automatic policy calls for, if anything.
    fn step(&self, user: UserId, policy: Option<PolicyId>, auto: &AutoRule) -> Option<Step> {
        let u = self.users.get(&user)?;
        let matches = u.is_active() && u.enabled && auto.rule.matches(u);
        match self.active_assignment(user, auto.package) {
            None => {
                let live = self.packages.get(&auto.package).is_some_and(|p| !p.is_deleted());
                (matches && auto.enabled && live).then_some(Step::Assign(user))
            }
            Some(a) if Some(a.policy) == policy => match (matches, self.auto_removals.contains_key(&a.id)) {
                (true, true) => Some(Step::Keep(a.id)),
                (false, false) => Some(Step::StartGrace(a.id)),
                _ => None,
            },
            // Held under another policy: that assignment is not this policy's to give or take.
            Some(_) => None,
        }
    }

    /// After a policy was saved or deleted: index it if it is automatic, and evaluate the
    /// directory against it once. What that did, in words, for an automatic one.
    pub(crate) fn policy_saved(&mut self, id: PolicyId) -> Option<String> {
        let Some(auto) = self.policies.get(&id).and_then(|p| auto_rule(p.package, &p.spec)) else {
            self.idx.automatic.remove(&id);
            return None;
        };
        let steps = self.directory_plan(Some(id), &auto);
        self.idx.automatic.insert(id, auto);
        let count = |f: fn(&Step) -> bool| steps.iter().filter(|s| f(s)).count();
        let words = format!(
            "automatic: {} assigned, {} to lose it after the grace period, {} keep it",
            count(|s| matches!(s, Step::Assign(_))),
            count(|s| matches!(s, Step::StartGrace(_))),
            count(|s| matches!(s, Step::Keep(_))),
        );
        self.take_steps(id, steps);
        Some(words)
    }

    /// After a user was created or changed: evaluate that user against each automatic policy.
    /// What it did, in words ("assigned 'Sales Essentials'"), one per policy that acted.
    pub(crate) fn user_changed(&mut self, user: UserId) -> Vec<String> {
        let mut all = Vec::new();
        for (pid, auto) in &self.idx.automatic {
            if let Some(step) = self.step(user, Some(*pid), auto) {
                all.push((*pid, step));
            }
        }
        let mut words = Vec::with_capacity(all.len());
        for (pid, step) in all {
            let (pname, _) = self.policy_label(pid);
            words.push(match step {
                Step::Assign(_) => format!("assigned '{pname}'"),
                Step::StartGrace(_) => format!("loses '{pname}' after the grace period unless they match again"),
                Step::Keep(_) => format!("keeps '{pname}'"),
            });
            self.take_steps(pid, vec![step]);
        }
        words
    }

    fn take_steps(&mut self, policy: PolicyId, steps: Vec<Step>) {
        for step in steps {
            match step {
                Step::Assign(u) => self.auto_assign(policy, u),
                Step::StartGrace(a) => self.start_grace(policy, a),
                Step::Keep(a) => self.keep_assignment(a),
            }
        }
    }

    fn policy_label(&self, policy: PolicyId) -> (String, String) {
        let pol = self.policies.get(&policy);
        let pname = pol.and_then(|p| self.packages.get(&p.package)).map(|k| k.display_name.clone()).unwrap_or_default();
        (pname, pol.map(|p| p.spec.display_name.clone()).unwrap_or_default())
    }

    /// An assignment without a request: a `systemAdd` request, delivered at once.
    fn auto_assign(&mut self, policy: PolicyId, user: UserId) {
        let Some(pol) = self.policies.get(&policy) else { return };
        let (package, revision) = (pol.package, pol.revision);
        let (pname, polname) = self.policy_label(policy);
        let now = self.clock.now;
        let id = RequestId(self.alloc());
        let first = format!("Assigned automatically: matches the rule of policy '{polname}'");
        let req = Request::new(
            id,
            RequestType::SystemAdd,
            package,
            policy,
            revision,
            None,
            Target::User { user },
            "",
            now,
            first,
        );
        self.insert_request(req);
        let summary = format!("{} matches the rule of '{polname}': assigned '{pname}'", self.user_name(user));
        self.audit(&Actor::System, "request.systemAdd", id, summary);
        self.route(id);
    }

    /// Someone stopped matching: their assignment is removed after the grace period.
    fn start_grace(&mut self, policy: PolicyId, aid: AssignmentId) {
        let Some(target) = self.assignments.get(&aid).map(|a| a.target) else { return };
        let hours =
            self.policies.get(&policy).and_then(|p| p.spec.automatic.as_ref()).map_or(0, |a| a.grace_period_hours);
        let now = self.clock.now;
        // A grace period past the calendar never ends.
        let at = super::clock::plus_hours(now, i64::from(hours)).unwrap_or_else(bounds::latest);
        self.auto_removals.insert(aid, PendingRemoval { assignment: aid, policy, at });
        self.add_timer(at, super::timers::Timer::AutoRemove(aid));
        let (pname, polname) = self.policy_label(policy);
        let when = at.format("%Y-%m-%d %H:%M");
        let summary =
            format!("{} no longer matches the rule of '{polname}': '{pname}' ends {when}", self.user_name(target));
        self.audit_typed(
            &Actor::System,
            "assignment.removalScheduled",
            aid,
            &summary,
            None::<()>,
            Some(Due { remove_at: at.timestamp() }),
        );
        if hours > 0 {
            self.notify(
                target,
                "removalScheduled",
                aid,
                format!("Your access to '{pname}' ends {when}"),
                format!(
                    "You no longer match the rule of policy '{polname}'; you keep it if you match again before then"
                ),
            );
        }
    }

    /// Someone waiting out a grace period matches again: they keep the assignment.
    fn keep_assignment(&mut self, aid: AssignmentId) {
        let Some(p) = self.auto_removals.remove(&aid) else { return };
        let Some(target) = self.assignments.get(&aid).map(|a| a.target) else { return };
        let (pname, polname) = self.policy_label(p.policy);
        let summary = format!("{} matches the rule of '{polname}' again: keeps '{pname}'", self.user_name(target));
        self.audit_typed(
            &Actor::System,
            "assignment.removalCanceled",
            aid,
            &summary,
            Some(Due { remove_at: p.at.timestamp() }),
            None::<()>,
        );
        self.notify(
            target,
            "granted",
            aid,
            format!("You keep your access to '{pname}'"),
            format!("You match the rule of policy '{polname}' again"),
        );
    }

    /// Whether the removal queued for `t` is still due.
    pub(crate) fn auto_removal_live(&self, t: Time, aid: AssignmentId) -> bool {
        self.auto_removals.get(&aid).is_some_and(|p| p.at == t)
    }

    /// The grace period ended: the assignment goes (if it is still there).
    pub(crate) fn fire_auto_remove(&mut self, t: Time, aid: AssignmentId, fired: &mut Fired) {
        if !self.auto_removal_live(t, aid) {
            return;
        }
        let Some(p) = self.auto_removals.remove(&aid) else { return };
        if !self.assignments.get(&aid).is_some_and(|a| a.is_active()) {
            return;
        }
        let (_, polname) = self.policy_label(p.policy);
        let note = format!("no longer matches the rule of policy '{polname}'");
        self.end_assignment(aid, super::delivery::EndReason::RuleNoLongerMatches, &Actor::System, &note);
        fired.auto_removed = fired.auto_removed.saturating_add(1);
    }
}

/// When a pending removal is due, in its audit events.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Due {
    remove_at: i64,
}
