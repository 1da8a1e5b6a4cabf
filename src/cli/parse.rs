//! Turning words typed on the command line into domain values: durations, dates, ids, approvers,
//! reviewers and "who can request". Name lookups go through the tenant's `find_*`, so "No user
//! named 'Bob'" is the domain's own message.

use std::str::FromStr;

use anyhow::{Result, anyhow};

pub use crate::domain::when::{When, duration, when};
use crate::domain::{Approver, AssignmentId, QuestionId, RequestScope, Reviewer, Tenant, UserId};

/// An id like `req12` or `12`.
pub fn id<T: FromStr<Err = String>>(s: &str) -> Result<T, String> {
    s.trim().parse::<T>()
}

/// Splits a comma list, trimming and dropping empty parts.
pub fn list(s: &str) -> impl Iterator<Item = &str> {
    s.split(',').map(str::trim).filter(|p| !p.is_empty())
}

/// `manager`, `sponsors`, `external-sponsors`, `group:NAME`, or a user's name, email or id.
pub fn approvers(t: &Tenant, s: &str) -> Result<Vec<Approver>> {
    let mut out = vec![];
    for part in list(s) {
        let a = match part.to_ascii_lowercase().as_str() {
            "manager" => Approver::Manager,
            "sponsors" | "internal-sponsors" => Approver::InternalSponsors,
            "external-sponsors" => Approver::ExternalSponsors,
            _ => match strip_prefix_ci(part, "group:") {
                Some(g) => Approver::GroupMembers { group: t.find_resource(g)?.id },
                None => Approver::User { user: t.find_user(part)?.id },
            },
        };
        if !out.contains(&a) {
            out.push(a);
        }
    }
    if out.is_empty() {
        return Err(crate::cli::usage(format!("'{s}' names no approvers")));
    }
    Ok(out)
}

/// `manager`, `self`, or a user's name, email or id.
pub fn reviewers(t: &Tenant, s: &str) -> Result<Vec<Reviewer>> {
    let mut out = vec![];
    for part in list(s) {
        let r = match part.to_ascii_lowercase().as_str() {
            "manager" => Reviewer::Manager,
            "self" | "self-review" => Reviewer::SelfReview,
            _ => Reviewer::User { user: t.find_user(part)?.id },
        };
        if !out.contains(&r) {
            out.push(r);
        }
    }
    Ok(out)
}

/// A comma list of users.
pub fn users(t: &Tenant, s: &str) -> Result<Vec<UserId>> {
    list(s).map(|p| Ok(t.find_user(p)?.id)).collect()
}

/// "Who can request": `all-members`, `all-users`, `specific:NAMES`, `orgs:NAMES`, `all-orgs`,
/// `all-external` or `none`.
pub fn scope(t: &Tenant, s: &str) -> Result<RequestScope> {
    let text = s.trim();
    if let Some(names) = strip_prefix_ci(text, "specific:") {
        let mut users = std::collections::BTreeSet::new();
        let mut groups = std::collections::BTreeSet::new();
        for part in list(names) {
            if let Some(g) = strip_prefix_ci(part, "group:") {
                groups.insert(t.find_resource(g)?.id);
                continue;
            }
            match t.find_user(part) {
                Ok(u) => {
                    users.insert(u.id);
                }
                Err(user_err) => match t.find_resource(part) {
                    Ok(r) if r.is_group() => {
                        groups.insert(r.id);
                    }
                    _ => return Err(user_err.into()),
                },
            }
        }
        return Ok(RequestScope::SpecificUsers { users, groups });
    }
    if let Some(names) = strip_prefix_ci(text, "orgs:") {
        let orgs = list(names).map(|p| Ok(t.find_org(p)?.id)).collect::<Result<_>>()?;
        return Ok(RequestScope::SpecificOrgs { orgs });
    }
    Ok(match text.to_ascii_lowercase().as_str() {
        "all-members" | "members" => RequestScope::AllMembers,
        "all-users" | "all-directory-users" => RequestScope::AllDirectoryUsers,
        "all-orgs" | "all-configured-orgs" => RequestScope::AllConfiguredOrgs,
        "all-external" => RequestScope::AllExternal,
        "none" | "admin-only" => RequestScope::AdminOnly,
        _ => {
            return Err(crate::cli::usage(format!(
                "'{s}' is not a scope: use all-members, all-users, specific:NAMES, orgs:NAMES, all-orgs, all-external or none"
            )));
        }
    })
}

/// An assignment by id, or (for the signed-in user) by the package it is for.
pub fn my_assignment(t: &Tenant, me: Option<UserId>, key: &str) -> Result<AssignmentId> {
    if let Ok(id) = key.trim().parse::<AssignmentId>()
        && t.assignments.contains_key(&id)
    {
        return Ok(id);
    }
    let pkg = t.find_package(key)?;
    let me =
        me.ok_or_else(|| anyhow!("Give the assignment id (asg12): you have no assignments as an external user"))?;
    t.active_assignment(me, pkg.id)
        .map(|a| a.id)
        .ok_or_else(|| anyhow!("{} has no active assignment to '{}'", t.user_name(me), pkg.display_name))
}

/// A question of a policy by id (`q1`, `1`) or by its text (case-insensitive, a unique prefix works).
pub fn question(questions: &[crate::domain::Question], key: &str) -> Result<QuestionId> {
    if let Ok(id) = key.trim().parse::<QuestionId>()
        && questions.iter().any(|q| q.id == id)
    {
        return Ok(id);
    }
    let lower = key.trim().to_lowercase();
    if let Some(q) = questions.iter().find(|q| q.text.to_lowercase() == lower) {
        return Ok(q.id);
    }
    let prefix: Vec<_> = questions.iter().filter(|q| q.text.to_lowercase().starts_with(&lower)).collect();
    match prefix.as_slice() {
        [one] => Ok(one.id),
        [] => Err(anyhow!(
            "The policy has no question '{key}'; its questions are: {}",
            questions.iter().map(|q| format!("{} '{}'", q.id, q.text)).collect::<Vec<_>>().join(", ")
        )),
        _ => Err(anyhow!("'{key}' matches several questions: use the id (q1, q2, ...)")),
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &s[prefix.len()..])
}
