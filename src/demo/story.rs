//! The story: steps that happen over time, each run as domain commands by the person who does it.

use std::collections::BTreeMap;

use anyhow::{Result, anyhow, bail};
use serde::Deserialize;

use super::Loader;
use super::names::{answers, duration, package, resource, user};
use crate::domain::*;

/// One step of the story. `note` is free text for the reader of the file; the loader ignores it.
#[derive(Debug, Deserialize)]
#[serde(tag = "do", rename_all = "camelCase", rename_all_fields = "camelCase", deny_unknown_fields)]
pub enum Step {
    /// Let time pass (`for`: a duration) or move to an instant (`until`), firing every timer on the way.
    Wait {
        #[serde(default, rename = "for")]
        duration: Option<String>,
        #[serde(default)]
        until: Option<Time>,
        #[serde(default, rename = "note")]
        _note: String,
    },
    /// A directory user (`by`) or someone not yet in it (`external`) requests a package.
    Request {
        #[serde(default)]
        by: Option<String>,
        #[serde(default)]
        external: Option<ExternalPerson>,
        /// A direct report of `by`, who requests on their behalf.
        #[serde(default, rename = "for")]
        for_user: Option<String>,
        package: String,
        #[serde(default)]
        policy: Option<String>,
        #[serde(default)]
        justification: String,
        #[serde(default)]
        answers: BTreeMap<String, String>,
        #[serde(default)]
        start: Option<Time>,
        #[serde(default, rename = "note")]
        _note: String,
    },
    /// An approver decides the open request (or extension) of `for` for `package`.
    Approve(Decision),
    Deny(Decision),
    /// `by` cancels the open request of `for` (default: their own).
    Cancel {
        by: String,
        package: String,
        #[serde(default, rename = "for")]
        target: Option<String>,
        #[serde(default, rename = "note")]
        _note: String,
    },
    /// An assignment manager (default: the first global administrator) assigns directly.
    Assign {
        #[serde(default)]
        by: Option<String>,
        package: String,
        to: String,
        #[serde(default)]
        policy: Option<String>,
        #[serde(default)]
        justification: String,
        #[serde(default)]
        start: Option<Time>,
        #[serde(default)]
        end: Option<Time>,
        #[serde(default, rename = "note")]
        _note: String,
    },
    /// An assignment manager removes someone's active assignment.
    Remove {
        #[serde(default)]
        by: Option<String>,
        package: String,
        from: String,
        #[serde(default)]
        reason: String,
        #[serde(default, rename = "note")]
        _note: String,
    },
    /// The assignee removes their own assignment.
    RemoveOwn {
        by: String,
        package: String,
        #[serde(default, rename = "note")]
        _note: String,
    },
    /// The assignee asks to extend their assignment.
    Extend {
        by: String,
        package: String,
        #[serde(default)]
        justification: String,
        #[serde(default, rename = "note")]
        _note: String,
    },
    /// A membership made outside any access package (an administrator by hand: drift).
    AddDirect(Membership),
    RemoveDirect(Membership),
    /// A reviewer decides one user's access in the package's open review.
    Review {
        by: String,
        package: String,
        user: String,
        decision: ReviewDecision,
        #[serde(default)]
        justification: String,
        #[serde(default, rename = "note")]
        _note: String,
    },
    /// A package manager ends the package's open review early; its decisions are applied.
    EndReview {
        by: String,
        package: String,
        #[serde(default, rename = "note")]
        _note: String,
    },
    /// The user reads every notification in their mailbox.
    MarkRead {
        by: String,
        #[serde(default, rename = "note")]
        _note: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExternalPerson {
    pub name: String,
    pub email: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Decision {
    pub by: String,
    pub package: String,
    #[serde(rename = "for")]
    pub target: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default, rename = "note")]
    pub _note: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Membership {
    #[serde(default)]
    pub by: Option<String>,
    pub user: String,
    pub resource: String,
    pub role: String,
    #[serde(default, rename = "note")]
    pub _note: String,
}

impl Step {
    /// What the step does, in words, for error messages.
    pub fn describe(&self) -> String {
        let or_admin = |b: &Option<String>| b.clone().unwrap_or_else(|| "the administrator".into());
        match self {
            Step::Wait { duration: Some(d), .. } => format!("wait {d}"),
            Step::Wait { until: Some(t), .. } => format!("wait until {}", t.format("%Y-%m-%d %H:%M")),
            Step::Wait { .. } => "wait".into(),
            Step::Request { by, external, package, .. } => {
                let who = match (by, external) {
                    (Some(b), _) => b.clone(),
                    (None, Some(x)) => format!("{} <{}>", x.name, x.email),
                    (None, None) => "nobody".into(),
                };
                format!("{who} requests '{package}'")
            }
            Step::Approve(d) => format!("{} approves {}'s request for '{}'", d.by, d.target, d.package),
            Step::Deny(d) => format!("{} denies {}'s request for '{}'", d.by, d.target, d.package),
            Step::Cancel { by, package, .. } => format!("{by} cancels a request for '{package}'"),
            Step::Assign { by, package, to, .. } => format!("{} assigns '{package}' to {to}", or_admin(by)),
            Step::Remove { by, package, from, .. } => format!("{} removes '{package}' from {from}", or_admin(by)),
            Step::RemoveOwn { by, package, .. } => format!("{by} removes their own '{package}'"),
            Step::Extend { by, package, .. } => format!("{by} extends '{package}'"),
            Step::AddDirect(m) => {
                format!("{} adds {} to '{}' as {} directly", or_admin(&m.by), m.user, m.resource, m.role)
            }
            Step::RemoveDirect(m) => {
                format!("{} removes {}'s direct {} membership of '{}'", or_admin(&m.by), m.user, m.role, m.resource)
            }
            Step::Review { by, package, user, decision, .. } => {
                format!("{by} decides '{decision}' for {user} in the review of '{package}'")
            }
            Step::EndReview { by, package, .. } => format!("{by} ends the review of '{package}'"),
            Step::MarkRead { by, .. } => format!("{by} reads their notifications"),
        }
    }
}

impl Loader {
    pub(super) fn step(&mut self, step: &Step) -> Result<()> {
        match step {
            Step::Wait { duration: d, until, .. } => {
                let to = match (d, until) {
                    (Some(d), None) => self.t.now() + duration(d)?,
                    (None, Some(t)) => *t,
                    _ => bail!("give either \"for\" (a duration) or \"until\" (an instant)"),
                };
                if to < self.t.now() {
                    bail!("{} is before the story's current time {}", to, self.t.now());
                }
                self.t.apply(&Entry { at: to, actor: Actor::System, command: Command::Tick })?;
            }
            Step::Request {
                by, external, for_user, package: p, policy, justification, answers: given, start, ..
            } => {
                let actor = match (by, external) {
                    (Some(b), None) => Actor::user(user(&self.t, b)?),
                    (None, Some(x)) => Actor::external(x.email.clone(), x.name.clone()),
                    _ => bail!("give either \"by\" (a directory user) or \"external\" (name and email)"),
                };
                let pkg = package(&self.t, p)?;
                let policy = match policy {
                    Some(n) => Some(self.t.find_policy(Some(pkg), n)?.id),
                    None => None,
                };
                let answers = answers(&self.t, pkg, given)?;
                let justification = justification.clone();
                let command = match for_user {
                    Some(f) => {
                        let target = user(&self.t, f)?;
                        Command::RequestFor { target, package: pkg, policy, justification, answers, start: *start }
                    }
                    None => Command::SubmitRequest { package: pkg, policy, justification, answers, start: *start },
                };
                self.run(&actor, command)?;
            }
            Step::Approve(d) | Step::Deny(d) => {
                let approve = matches!(step, Step::Approve(_));
                let actor = Actor::user(user(&self.t, &d.by)?);
                let request = self.open_request(&d.package, &d.target)?;
                self.run(&actor, Command::Decide { request, approve, reason: d.reason.clone() })?;
            }
            Step::Cancel { by, package: p, target, .. } => {
                let actor = Actor::user(user(&self.t, by)?);
                let request = self.open_request(p, target.as_deref().unwrap_or(by))?;
                self.run(&actor, Command::CancelRequest { request })?;
            }
            Step::Assign { by, package: p, to, policy, justification, start, end, .. } => {
                let actor = self.actor(by)?;
                let pkg = package(&self.t, p)?;
                let policy = match policy {
                    Some(n) => self.t.find_policy(Some(pkg), n)?.id,
                    None => match self.t.policies_of(pkg).map(|x| x.id).collect::<Vec<_>>().as_slice() {
                        [one] => *one,
                        _ => bail!("'{p}' has several policies (or none): name one with \"policy\""),
                    },
                };
                let user = user(&self.t, to)?;
                let justification = justification.clone();
                self.run(
                    &actor,
                    Command::AdminAssign { package: pkg, policy, user, start: *start, end: *end, justification },
                )?;
            }
            Step::Remove { by, package: p, from, reason, .. } => {
                let actor = self.actor(by)?;
                let assignment = self.active(p, from)?;
                self.run(&actor, Command::AdminRemove { assignment, reason: reason.clone() })?;
            }
            Step::RemoveOwn { by, package: p, .. } => {
                let actor = Actor::user(user(&self.t, by)?);
                let assignment = self.active(p, by)?;
                self.run(&actor, Command::RemoveOwnAssignment { assignment })?;
            }
            Step::Extend { by, package: p, justification, .. } => {
                let actor = Actor::user(user(&self.t, by)?);
                let assignment = self.active(p, by)?;
                self.run(&actor, Command::RequestExtension { assignment, justification: justification.clone() })?;
            }
            Step::AddDirect(m) | Step::RemoveDirect(m) => {
                let actor = self.actor(&m.by)?;
                let (user, resource, role) = (user(&self.t, &m.user)?, resource(&self.t, &m.resource)?, m.role.clone());
                let command = match step {
                    Step::AddDirect(_) => Command::AddDirectGrant { user, resource, role },
                    _ => Command::RemoveDirectGrant { user, resource, role },
                };
                self.run(&actor, command)?;
            }
            Step::Review { by, package: p, user: u, decision, justification, .. } => {
                let actor = Actor::user(user(&self.t, by)?);
                let pkg = package(&self.t, p)?;
                let uid = user(&self.t, u)?;
                let (review, assignment) = self
                    .t
                    .reviews
                    .values()
                    .filter(|r| r.package == pkg && r.state == ReviewState::InProgress)
                    .find_map(|r| r.items.iter().find(|i| i.user == uid).map(|i| (r.id, i.assignment)))
                    .ok_or_else(|| anyhow!("no access review of '{p}' in progress covers {u}"))?;
                let justification = justification.clone();
                self.run(&actor, Command::DecideReview { review, assignment, decision: *decision, justification })?;
            }
            Step::EndReview { by, package: p, .. } => {
                let actor = Actor::user(user(&self.t, by)?);
                let pkg = package(&self.t, p)?;
                let review = self
                    .t
                    .reviews
                    .values()
                    .find(|r| r.package == pkg && r.state == ReviewState::InProgress)
                    .map(|r| r.id)
                    .ok_or_else(|| anyhow!("no access review of '{p}' is in progress"))?;
                self.run(&actor, Command::EndReview { review })?;
            }
            Step::MarkRead { by, .. } => {
                let actor = Actor::user(user(&self.t, by)?);
                self.run(&actor, Command::MarkRead { notification: None })?;
            }
        }
        Ok(())
    }

    /// The open request for a package whose target is `who` (a user's name or email, or the name or
    /// email an external requestor gave).
    fn open_request(&self, pkg_name: &str, who: &str) -> Result<RequestId> {
        let pkg = package(&self.t, pkg_name)?;
        let same = |a: &str| a.eq_ignore_ascii_case(who.trim());
        let open: Vec<&Request> = self.t.requests_of_package(pkg).filter(|r| r.state.is_open()).collect();
        let found = open.iter().find(|r| match &r.target {
            Target::User { user } => self.t.users.get(user).is_some_and(|u| same(&u.display_name) || same(&u.email)),
            Target::External { email, display_name, .. } => same(email) || same(display_name),
        });
        match found {
            Some(r) => Ok(r.id),
            None => {
                let list: Vec<String> = open.iter().map(|r| self.t.target_label(&r.target)).collect();
                let list = if list.is_empty() { "none".to_string() } else { list.join(", ") };
                bail!("{who} has no open request for '{pkg_name}' (open requests are from: {list})")
            }
        }
    }

    fn active(&self, pkg_name: &str, who: &str) -> Result<AssignmentId> {
        let pkg = package(&self.t, pkg_name)?;
        let uid = user(&self.t, who)?;
        self.t
            .active_assignment(uid, pkg)
            .map(|a| a.id)
            .ok_or_else(|| anyhow!("{who} has no active assignment of '{pkg_name}'"))
    }
}
