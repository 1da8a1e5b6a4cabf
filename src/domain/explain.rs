//! Explain a request: why a person can or cannot see and request a package. Every condition the
//! request command checks, in its order, with its verdict; the first refusal is the answer and the
//! rest are shown too. The verdicts come from the command's own checks (`Tenant::walk_request`
//! hears them all instead of stopping at the first), so the explanation cannot drift from what the
//! command does.

use serde::Serialize;

use super::access::{Package, Policy};
use super::error::{DomainError, DomainResult, forbidden};
use super::eval::Requester;
use super::ids::*;
use super::reads::Reader;
use super::rights::Actor;
use super::tenant::Tenant;

/// One condition of a request, in the order the command checks them (`Listed` and `Policy` are
/// shown beside them: a hidden package is still requested by its link, and one policy's refusal
/// is not the package's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Condition {
    /// The person can sign in (not blocked, not removed); their guest state and organization.
    SignIn,
    /// The package is not deleted.
    PackageLive,
    /// Its catalog is enabled.
    CatalogEnabled,
    /// Its catalog is enabled for external users, when the person is a guest or external.
    CatalogExternal,
    /// My Access lists it (not hidden): seeing it, not requesting it.
    Listed,
    /// One policy's "who can request" and state, for this person.
    Policy { policy: PolicyId },
    /// Some policy lets them request it.
    SomePolicy,
    /// They have no assignment of it and no request for it waiting.
    OneAssignment,
    /// Separation of duties: nothing they hold is incompatible with it.
    Separation,
    /// A policy that admits them gives assignments now and has an approver for every stage.
    Terms,
}

impl Condition {
    /// What the condition asks, in a few words.
    pub fn label(self) -> &'static str {
        match self {
            Condition::SignIn => "The person can sign in",
            Condition::PackageLive => "The package is active (not deleted)",
            Condition::CatalogEnabled => "The catalog is enabled",
            Condition::CatalogExternal => "The catalog is enabled for external users",
            Condition::Listed => "The package is listed in My Access (not hidden)",
            Condition::Policy { .. } => "A policy's scope includes the person",
            Condition::SomePolicy => "Some policy lets the person request it",
            Condition::OneAssignment => "No assignment of it and no request waiting",
            Condition::Separation => "Separation of duties",
            Condition::Terms => "A policy gives assignments now, with an approver for each stage",
        }
    }

    /// Whether a failure refuses the request (`Listed` hides it only; one policy is one of several).
    pub fn refuses(self) -> bool {
        !matches!(self, Condition::Listed | Condition::Policy { .. })
    }
}

/// What `Tenant::walk_request` tells of each condition it checks.
pub(crate) trait Verdicts {
    /// One condition's verdict; an error stops the walk there (the command's way).
    fn heard(&mut self, c: Condition, v: DomainResult<()>) -> DomainResult<()>;
    /// The first refusal heard, for a walk that went on past it.
    fn first_refusal(&mut self) -> Option<DomainError>;
}

/// The command's way: the first refusal is the answer.
pub(crate) struct StopAtFirst;

impl Verdicts for StopAtFirst {
    fn heard(&mut self, _: Condition, v: DomainResult<()>) -> DomainResult<()> {
        v
    }
    fn first_refusal(&mut self) -> Option<DomainError> {
        None
    }
}

/// Explain's way: every verdict, in order.
#[derive(Default)]
struct HearAll {
    heard: Vec<(Condition, DomainResult<()>)>,
}

impl Verdicts for HearAll {
    fn heard(&mut self, c: Condition, v: DomainResult<()>) -> DomainResult<()> {
        self.heard.push((c, v));
        Ok(())
    }
    fn first_refusal(&mut self) -> Option<DomainError> {
        self.heard.iter().find_map(|(_, v)| v.clone().err())
    }
}

/// One condition and its verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    pub condition: Condition,
    pub label: String,
    pub passed: bool,
    /// Why it passed, or the refusal's message (the rule and what to do instead).
    pub says: String,
    /// The refusal, typed, as the command gives it.
    #[serde(skip)]
    pub refusal: Option<DomainError>,
}

/// Why a person can or cannot see and request a package.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestExplained {
    /// Who, as text (`Megan Bowen (u9)`); as JSON, `person` is who they are, typed.
    #[serde(skip)]
    pub person: String,
    #[serde(rename = "person")]
    pub subject: Actor,
    pub package: PackageId,
    pub package_name: String,
    /// My Access lists it to them.
    pub can_see: bool,
    pub can_request: bool,
    /// The first refusal's message, or through which policies they may ask.
    pub answer: String,
    /// The policies they may request it through (when they may).
    pub policies: Vec<PolicyId>,
    pub conditions: Vec<Verdict>,
    /// The first refusal, as the request command gives it.
    #[serde(skip)]
    pub refusal: Option<DomainError>,
}

impl Tenant {
    /// Why `subject` can or cannot see and request the package, for a reader who may see what
    /// they hold and may request: the person themselves, an administrator, or a role over the
    /// package's catalog (for a person outside the directory: they themselves or an administrator).
    pub fn explain_request(
        &self,
        reader: &Actor,
        subject: &Actor,
        pkg_id: PackageId,
    ) -> DomainResult<RequestExplained> {
        let pkg = self.package(pkg_id)?;
        self.may_explain(reader, subject, pkg)?;
        let mut all = HearAll::default();
        let asked = self.walk_request(subject, None, pkg_id, None, &mut all);
        let who = match subject {
            Actor::User { user } => self.users.get(user).map(|u| self.requester_of(u)),
            _ => self.requester(subject),
        };
        let mut conditions = vec![];
        for (c, v) in all.heard {
            if c == Condition::SomePolicy
                && let Some(who) = &who
            {
                conditions.push(self.listed_verdict(pkg));
                conditions.extend(self.policies_of(pkg_id).map(|p| self.policy_verdict(pkg, p, who)));
            }
            conditions.push(self.verdict(c, v, pkg, who.as_ref()));
        }
        let (can_request, policies, answer, refusal) = match asked {
            Ok(a) => {
                let names: Vec<String> = a.policies.iter().map(|p| format!("'{}'", p.spec.display_name)).collect();
                let ids = a.policies.iter().map(|p| p.id).collect();
                (true, ids, format!("Can request it through {}", names.join(", ")), None)
            }
            Err(e) => (false, vec![], e.to_string(), Some(e)),
        };
        let can_see = Self::listed(pkg)
            && who.as_ref().is_some_and(|w| self.requester(subject).is_some() && self.admitted(pkg, w));
        Ok(RequestExplained {
            person: self.actor_label(subject),
            subject: subject.clone(),
            package: pkg_id,
            package_name: pkg.display_name.clone(),
            can_see,
            can_request,
            answer,
            policies,
            conditions,
            refusal,
        })
    }

    /// Some policy of the package admits the person (what My Access asks of it).
    pub(crate) fn admitted(&self, pkg: &Package, who: &Requester) -> bool {
        self.policies_of(pkg.id).any(|p| self.policy_admits(pkg, p, who))
    }

    fn may_explain(&self, reader: &Actor, subject: &Actor, pkg: &Package) -> DomainResult<()> {
        let r = self.reader(reader)?;
        match subject {
            Actor::User { user } => {
                self.may_read(reader, super::reads::Read::UserAccess(*user))?;
                let own = matches!(r, Reader::User { user: me, .. } if me == *user);
                if own || self.reads_catalog(r, pkg.catalog) {
                    return Ok(());
                }
                Err(forbidden(format!(
                    "Explaining another person's access to '{}' needs a role over its catalog (or global administrator)",
                    pkg.display_name
                )))
            }
            _ if r == Reader::Admin || reader == subject => Ok(()),
            _ => Err(forbidden(
                "Only administrators explain the access of someone outside the directory; they can ask themselves",
            )),
        }
    }

    fn listed_verdict(&self, pkg: &Package) -> Verdict {
        let (passed, says) = if Self::listed(pkg) {
            (true, format!("'{}' is listed in My Access to those a policy admits", pkg.display_name))
        } else if pkg.hidden {
            (
                false,
                format!(
                    "'{}' is hidden: it is requested through its direct link (--package {})",
                    pkg.display_name, pkg.id
                ),
            )
        } else {
            (false, format!("'{}' was deleted", pkg.display_name))
        };
        Verdict { condition: Condition::Listed, label: Condition::Listed.label().into(), passed, says, refusal: None }
    }

    fn policy_verdict(&self, pkg: &Package, p: &Policy, who: &Requester) -> Verdict {
        let c = Condition::Policy { policy: p.id };
        let v = self.check_policy(pkg, p, who);
        let says = match &v {
            Ok(()) => format!("Policy '{}' includes them ({})", p.spec.display_name, p.spec.scope.label()),
            Err(e) => e.to_string(),
        };
        Verdict {
            condition: c,
            label: format!("Policy '{}' ({})", p.spec.display_name, p.id),
            passed: v.is_ok(),
            says,
            refusal: v.err(),
        }
    }

    fn verdict(&self, c: Condition, v: DomainResult<()>, pkg: &Package, who: Option<&Requester>) -> Verdict {
        let says = match &v {
            Ok(()) => self.passed(c, pkg, who),
            Err(e) => e.to_string(),
        };
        Verdict { condition: c, label: c.label().into(), passed: v.is_ok(), says, refusal: v.err() }
    }

    /// Why a condition passed, in words.
    fn passed(&self, c: Condition, pkg: &Package, who: Option<&Requester>) -> String {
        let cat = self.catalogs.get(&pkg.catalog).map(|c| c.display_name.clone()).unwrap_or_default();
        let external = who.is_some_and(|w| w.external);
        match c {
            Condition::SignIn => match who {
                Some(w) => self.person_state(w),
                None => "They can sign in".into(),
            },
            Condition::PackageLive => format!("'{}' is active", pkg.display_name),
            Condition::CatalogEnabled => format!("Catalog '{cat}' is enabled"),
            Condition::CatalogExternal if external => format!("Catalog '{cat}' is enabled for external users"),
            Condition::CatalogExternal => "Not needed: they are a member of the directory".into(),
            Condition::SomePolicy => "A policy of the package admits them (see the policies above)".into(),
            Condition::OneAssignment => {
                format!("They have no assignment of '{}' and no request waiting", pkg.display_name)
            }
            Condition::Separation => {
                format!("'{}' is incompatible with nothing they hold", pkg.display_name)
            }
            Condition::Terms => {
                "A policy that admits them gives assignments now, with an approver for each stage".into()
            }
            Condition::Listed | Condition::Policy { .. } => String::new(),
        }
    }

    /// A person's guest state and connected organization, as a policy sees them.
    fn person_state(&self, w: &Requester) -> String {
        let org = w.org.and_then(|o| self.orgs.get(&o)).map(|o| o.display_name.clone());
        match (w.user, w.external, org) {
            (Some(_), false, _) => "A member of the directory who can sign in".into(),
            (Some(_), true, Some(o)) => format!("A guest who can sign in, of connected organization '{o}'"),
            (Some(_), true, None) => "A guest who can sign in, of no connected organization".into(),
            (None, _, Some(o)) => format!("Not in the directory yet; of connected organization '{o}'"),
            (None, _, None) => "Not in the directory yet, and of no connected organization".into(),
        }
    }
}
