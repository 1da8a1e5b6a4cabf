//! Whether a request may be made: the package, the requestor, the policies that admit them, and
//! one assignment per user per package. `Tenant::may` asks `check_request`; `cmd_submit` runs it
//! first and then checks what was typed (justification, answers, start).

use super::access::Policy;
use super::assign_cmds::ends_after;
use super::error::{DomainError, DomainResult, forbidden, invalid, rule};
use super::explain::{Condition, StopAtFirst, Verdicts};
use super::flow::{Request, RequestType, Target};
use super::ids::*;
use super::rights::Actor;
use super::tenant::Tenant;

/// What a request may be made through (see `Tenant::check_request`).
pub(crate) struct Asking {
    pub pkg: super::access::Package,
    pub target: Target,
    /// The person the request is for, as a policy sees them.
    pub who: super::eval::Requester,
    /// Who asks: the person themselves, or their manager on their behalf.
    pub requestor: Option<UserId>,
    /// The policies it may go through: the one asked for, or every one that admits the person.
    pub policies: Vec<Policy>,
}

impl Tenant {
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
        self.check_request_for(actor, None, pkg_id, policy)
    }

    /// [`Tenant::check_request`], for the actor themselves (`on_behalf` None) or, by their
    /// manager, for a direct report: the report must be in a policy's scope that allows requests
    /// on behalf, and everything else is checked as if the report asked.
    pub(crate) fn check_request_for(
        &self,
        actor: &Actor,
        on_behalf: Option<UserId>,
        pkg_id: PackageId,
        policy: Option<PolicyId>,
    ) -> DomainResult<Asking> {
        self.walk_request(actor, on_behalf, pkg_id, policy, &mut StopAtFirst)
    }

    /// The conditions of a request, in order, each decided by its own check and handed to
    /// `heard`: the command stops at the first refusal ([`StopAtFirst`]); `explain` hears them
    /// all. Only what leaves nothing to check further (no such package, the system asking, a
    /// request on behalf refused) ends the walk whatever `heard` does.
    pub(crate) fn walk_request(
        &self,
        actor: &Actor,
        on_behalf: Option<UserId>,
        pkg_id: PackageId,
        policy: Option<PolicyId>,
        heard: &mut dyn Verdicts,
    ) -> DomainResult<Asking> {
        let pkg = self.package(pkg_id)?.clone();
        let me = match self.requester(actor) {
            Some(me) => {
                heard.heard(Condition::SignIn, Ok(()))?;
                me
            }
            None => {
                // A blocked user is refused before any command (`acting`), this one included.
                let refusal = self.acting(actor).err().unwrap_or_else(|| match actor {
                    Actor::System => forbidden("The system cannot request access"),
                    _ => forbidden(
                        "Your sign-in is blocked or your account was removed: a blocked user cannot request access",
                    ),
                });
                heard.heard(Condition::SignIn, Err(refusal.clone()))?;
                // Heard out: the rest as the policies would see the person were they unblocked.
                match actor {
                    Actor::User { user } => self.users.get(user).map(|u| self.requester_of(u)).ok_or(refusal)?,
                    _ => return Err(refusal),
                }
            }
        };
        let (who, requestor, subject) = match on_behalf {
            None => (me.clone(), me.user, actor.clone()),
            Some(report) => {
                let who = self.check_on_behalf(&me, report)?;
                (who, me.user, Actor::user(report))
            }
        };
        heard.heard(Condition::PackageLive, self.check_package_live(&pkg))?;
        let cat = self.catalog(pkg.catalog)?;
        heard.heard(Condition::CatalogEnabled, self.check_catalog_enabled(cat))?;
        heard.heard(Condition::CatalogExternal, self.check_catalog_external(cat, &who))?;
        let policies = match self.policies_for(&pkg, &who, on_behalf, policy) {
            Ok(p) => {
                heard.heard(Condition::SomePolicy, Ok(()))?;
                p
            }
            Err(e) => {
                heard.heard(Condition::SomePolicy, Err(e))?;
                vec![]
            }
        };
        if let Some(u) = who.user {
            heard.heard(Condition::OneAssignment, self.check_one_assignment(u, &pkg))?;
            heard.heard(Condition::Separation, self.check_compatible(u, &pkg))?;
        } else {
            heard.heard(Condition::OneAssignment, self.check_no_pending_external(&pkg, &who))?;
        }
        let target = match (who.user, &subject) {
            (Some(u), _) => Target::User { user: u },
            (None, Actor::External { email, display_name, .. }) => {
                Target::External { email: email.clone(), display_name: display_name.clone(), org: who.org }
            }
            (None, _) => return Err(forbidden("Unknown requestor")),
        };
        // A policy gives something only if it still gives assignments and every stage has
        // someone who can decide it; the first refusal is the answer when none does.
        let mut first_refusal = None;
        let mut open = vec![];
        for pol in policies {
            match self.check_terms(&pol, &target, requestor) {
                Ok(()) => open.push(pol),
                Err(e) => {
                    first_refusal.get_or_insert(e);
                }
            }
        }
        if let (true, Some(e)) = (open.is_empty(), first_refusal) {
            heard.heard(Condition::Terms, Err(e))?;
        } else if !open.is_empty() {
            heard.heard(Condition::Terms, Ok(()))?;
        }
        match heard.first_refusal() {
            Some(e) => Err(e),
            None => Ok(Asking { pkg, target, who, requestor, policies: open }),
        }
    }

    /// A deleted package takes no new requests.
    pub(crate) fn check_package_live(&self, pkg: &super::access::Package) -> DomainResult<()> {
        if pkg.is_deleted() {
            return Err(rule(format!("Access package '{}' was deleted and takes no new requests", pkg.display_name)));
        }
        Ok(())
    }

    /// A disabled catalog's packages cannot be requested.
    pub(crate) fn check_catalog_enabled(&self, cat: &super::access::Catalog) -> DomainResult<()> {
        if !cat.enabled {
            return Err(rule(format!("Catalog '{}' is disabled: its packages cannot be requested", cat.display_name)));
        }
        Ok(())
    }

    /// Guests and people of connected organizations request only from catalogs enabled for
    /// external users (what [`Tenant::policy_admits`] asks of every policy).
    pub(crate) fn check_catalog_external(
        &self,
        cat: &super::access::Catalog,
        who: &super::eval::Requester,
    ) -> DomainResult<()> {
        if who.external && !cat.external {
            return Err(not_for_externals(cat));
        }
        Ok(())
    }

    /// The policies the request may go through: the one asked for, or every one that admits the
    /// person (on behalf: every one that also allows managers to ask).
    fn policies_for(
        &self,
        pkg: &super::access::Package,
        who: &super::eval::Requester,
        on_behalf: Option<UserId>,
        policy: Option<PolicyId>,
    ) -> DomainResult<Vec<Policy>> {
        // The package and its catalog were checked before (`walk_request`): the policies' own part.
        let mut matching: Vec<&Policy> = self.policies_of(pkg.id).filter(|p| self.policy_includes(p, who)).collect();
        let in_scope = !matching.is_empty();
        if on_behalf.is_some() {
            matching.retain(|p| p.spec.allow_on_behalf);
        }
        match policy {
            Some(pid) => {
                let p = self.policy(pid)?;
                if p.package != pkg.id {
                    return Err(invalid(format!("Policy {pid} belongs to another package")));
                }
                if !matching.iter().any(|m| m.id == pid) {
                    return Err(match on_behalf {
                        Some(_) if self.policy_includes(p, who) => not_on_behalf(&p.spec.display_name),
                        _ => self.why_not(p, pkg, who),
                    });
                }
                Ok(vec![p.clone()])
            }
            None if matching.is_empty() && on_behalf.is_some() => Err(if in_scope {
                not_on_behalf(&pkg.display_name)
            } else {
                rule(format!(
                    "No policy of '{}' includes {}: the person you request for must be in a policy's scope",
                    pkg.display_name,
                    on_behalf.map(|r| self.user_name(r)).unwrap_or_default()
                ))
            }),
            None if matching.is_empty() => Err(rule(format!(
                "No policy of '{}' lets you request it; ask an administrator for a direct assignment",
                pkg.display_name
            ))),
            None => Ok(matching.into_iter().cloned().collect()),
        }
    }

    /// One policy's verdict on the person: it admits them, or why not.
    pub(crate) fn check_policy(
        &self,
        pkg: &super::access::Package,
        p: &Policy,
        who: &super::eval::Requester,
    ) -> DomainResult<()> {
        if self.policy_includes(p, who) { Ok(()) } else { Err(self.why_not(p, pkg, who)) }
    }

    /// A person outside the directory has no request for the package waiting already.
    fn check_no_pending_external(
        &self,
        pkg: &super::access::Package,
        who: &super::eval::Requester,
    ) -> DomainResult<()> {
        if let Some(r) = self.requests_of_package(pkg.id).find(|r| {
            r.state.is_open()
                && matches!(&r.target, Target::External { email, .. } if email.eq_ignore_ascii_case(&who.email))
        }) {
            return Err(rule(format!("You already have a pending request for '{}' ({})", pkg.display_name, r.id)));
        }
        Ok(())
    }

    /// The policy gives assignments now (its end is after today) and every stage of it has
    /// someone to decide it for this request.
    pub(crate) fn check_terms(&self, pol: &Policy, target: &Target, requestor: Option<UserId>) -> DomainResult<()> {
        ends_after(pol, self.clock.now).and_then(|()| self.check_deciders(pol, target, requestor))
    }

    /// A manager asking for a direct report: only the report's manager may, for a report who
    /// can sign in; the report, as a policy sees them, comes back.
    fn check_on_behalf(&self, me: &super::eval::Requester, report: UserId) -> DomainResult<super::eval::Requester> {
        let manager =
            me.user.ok_or_else(|| forbidden("Only a manager in the directory can request for someone else"))?;
        if manager == report {
            return Err(invalid("That is you: request for yourself without naming a person"));
        }
        let u = self.user(report)?;
        if u.manager != Some(manager) {
            let theirs = u.manager.map_or_else(|| "nobody".to_string(), |m| self.user_name(m));
            return Err(forbidden(format!(
                "Only a person's manager can request access on their behalf, and {}'s manager is {theirs}: ask them, or let {} request it",
                u.display_name, u.display_name
            )));
        }
        self.requester(&Actor::user(report)).ok_or_else(|| {
            rule(format!(
                "{}'s sign-in is blocked or the account was removed: nothing can be requested for them",
                u.display_name
            ))
        })
    }

    /// Every stage of the policy has someone who can decide it for this requestor.
    fn check_deciders(&self, pol: &Policy, target: &Target, requestor: Option<UserId>) -> DomainResult<()> {
        for (i, st) in pol.spec.stages.iter().enumerate() {
            let approvers = self.stage_approvers(st, target, requestor);
            if approvers.is_empty() {
                return Err(rule(format!(
                    "Nobody can approve stage {} of policy '{}' for you (no manager, sponsor or fallback approver); ask an administrator to add a fallback approver",
                    i + 1,
                    pol.spec.display_name
                )));
            }
            if st.quorum.needed(approvers.len()).is_none() {
                return Err(rule(format!(
                    "Stage {} of policy '{}' needs {}, and only {} people can approve it for you; ask an administrator to add approvers or need fewer",
                    i + 1,
                    pol.spec.display_name,
                    st.quorum.phrase(),
                    approvers.len()
                )));
            }
        }
        Ok(())
    }

    pub(crate) fn why_not(
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
            return not_for_externals(c);
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
}

/// A catalog not enabled for external users, to a guest or a user of a connected organization.
fn not_for_externals(c: &super::access::Catalog) -> DomainError {
    rule(format!(
        "Catalog '{}' is not enabled for external users, so guests and users of connected organizations cannot request its packages",
        c.display_name
    ))
}

/// A policy (or every policy of a package) that does not let managers ask for their reports.
fn not_on_behalf(name: &str) -> DomainError {
    rule(format!(
        "'{name}' does not let managers request on behalf of their reports: the person can request it themselves, or an administrator can turn on requests on behalf in the policy"
    ))
}
