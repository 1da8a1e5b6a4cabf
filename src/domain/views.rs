//! Read models shared by the faces: one-line summaries and per-person lists, so the CLI and the
//! TUI say the same thing the same way.

use super::Time;
use super::access::{Approver, Package, Policy, RequestScope, Reviewer};
use super::flow::{Assignment, Request, RequestState};
use super::rights::Actor;
use super::tenant::Tenant;

impl Tenant {
    /// The open requests an actor made or that are for them, newest first (none for a blocked
    /// user, who may read nothing). With the finished ones: `requests_for`.
    pub fn open_requests_for(&self, actor: &Actor) -> Vec<&Request> {
        if self.reader(actor).is_err() {
            return vec![];
        }
        let mut v: Vec<&Request> = match actor {
            Actor::User { user } => self.requests_of_user(*user).collect(),
            Actor::External { email, .. } => match self.user_by_email(email) {
                Some(u) => self.requests_of_user(u.id).collect(),
                None => self.requests_of_email(email).collect(),
            },
            Actor::System => vec![],
        };
        v.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        v
    }

    /// The assignments of an actor, active first, then by end (none for a blocked user).
    pub fn assignments_for(&self, actor: &Actor) -> Vec<&Assignment> {
        if self.reader(actor).is_err() {
            return vec![];
        }
        let user = match actor {
            Actor::User { user } => Some(*user),
            Actor::External { email, .. } => self.user_by_email(email).map(|u| u.id),
            Actor::System => None,
        };
        let mut v: Vec<&Assignment> = user.map(|u| self.assignments_of_user(u).collect()).unwrap_or_default();
        v.sort_by(|a, b| b.is_active().cmp(&a.is_active()).then(a.end.cmp(&b.end)).then(a.id.cmp(&b.id)));
        v
    }

    /// "External_Collaboration (Member), CRM (User)".
    pub fn grants_summary(&self, pkg: &Package) -> String {
        if pkg.resource_roles.is_empty() {
            return "no resources yet".into();
        }
        pkg.resource_roles
            .iter()
            .map(|rr| format!("{} ({})", self.resource_name(rr.resource), rr.role))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn approver_label(&self, a: &Approver) -> String {
        match a {
            Approver::Manager => "manager".into(),
            Approver::InternalSponsors => "internal sponsors".into(),
            Approver::ExternalSponsors => "external sponsors".into(),
            Approver::User { user } => self.user_name(*user),
            Approver::GroupMembers { group } => format!("members of {}", self.resource_name(*group)),
        }
    }

    pub fn reviewer_label(&self, r: &Reviewer) -> String {
        match r {
            Reviewer::SelfReview => "self".into(),
            Reviewer::Manager => "manager".into(),
            Reviewer::User { user } => self.user_name(*user),
        }
    }

    /// Who may request, in words: "All members (excluding guests)", "Azureblog".
    pub fn scope_summary(&self, scope: &RequestScope) -> String {
        match scope {
            RequestScope::SpecificUsers { users, groups } => {
                let mut names: Vec<String> = users.iter().map(|u| self.user_name(*u)).collect();
                names.extend(groups.iter().map(|g| format!("members of {}", self.resource_name(*g))));
                names.join(", ")
            }
            RequestScope::SpecificOrgs { orgs } => orgs
                .iter()
                .map(|o| self.orgs.get(o).map(|o| o.display_name.clone()).unwrap_or_else(|| o.to_string()))
                .collect::<Vec<_>>()
                .join(", "),
            other => other.label().to_string(),
        }
    }

    /// "All members · approval: manager → Compliance Officer · 90 days · extension · quarterly review".
    pub fn policy_summary(&self, p: &Policy) -> String {
        let s = &p.spec;
        if let Some(words) = super::auto_assign::automatic_summary(s) {
            return words;
        }
        let mut parts = vec![self.scope_summary(&s.scope)];
        if s.stages.is_empty() {
            parts.push("no approval".into());
        } else {
            let stages: Vec<String> = s
                .stages
                .iter()
                .map(|st| st.approvers.iter().map(|a| self.approver_label(a)).collect::<Vec<_>>().join(" or "))
                .collect();
            parts.push(format!("approval: {}", stages.join(" → ")));
        }
        parts.push(s.lifecycle.expiration.label());
        if s.lifecycle.allow_extension {
            parts.push(
                if s.lifecycle.extension_requires_approval { "extension with approval" } else { "extension" }.into(),
            );
        }
        if let Some(r) = &s.review {
            parts.push(match r.before_expiry_days {
                Some(d) => format!("review {d} days before expiry"),
                None => format!("{} review", r.frequency),
            });
        }
        if !s.enabled {
            parts.push("new requests off".into());
        }
        parts.join(" · ")
    }

    /// When the current stage of a pending request times out.
    pub fn request_deadline(&self, r: &Request) -> Option<Time> {
        if r.state != RequestState::PendingApproval {
            return None;
        }
        let st = self.request_terms(r)?.stages.get(r.stage)?;
        r.stage_deadline(st.timeout_days)
    }

    /// "stage 1 of 2: Adele Vance, Lee Gu" for a pending request; the state otherwise.
    pub fn waiting_on(&self, r: &Request) -> String {
        match r.state {
            RequestState::PendingApproval => {
                let total = self.request_terms(r).map(|t| t.stages.len()).unwrap_or(0);
                let names: Vec<String> = r.approvers.iter().map(|u| self.user_name(*u)).collect();
                format!("stage {} of {total}: {}", r.stage + 1, names.join(", "))
            }
            RequestState::Scheduled => {
                r.start.map(|s| format!("starts {}", s.format("%Y-%m-%d %H:%M"))).unwrap_or_else(|| "scheduled".into())
            }
            s => s.to_string(),
        }
    }
}

/// "3d 4h", "5h", "40m", or "overdue".
pub fn time_left(now: Time, until: Time) -> String {
    let d = until - now;
    if d <= chrono::Duration::zero() {
        return "overdue".into();
    }
    let days = d.num_days();
    let hours = d.num_hours() - days * 24;
    if days > 0 {
        if hours > 0 { format!("{days}d {hours}h") } else { format!("{days}d") }
    } else if d.num_hours() > 0 {
        format!("{}h", d.num_hours())
    } else {
        format!("{}m", d.num_minutes().max(1))
    }
}
