//! Turning words typed on the command line into domain values: durations, dates, ids, approvers,
//! reviewers and "who can request". Name lookups go through the tenant's `find_*`, so "No user
//! named 'Bob'" is the domain's own message.

use std::str::FromStr;

use anyhow::{Result, anyhow};
use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};

use crate::domain::{Approver, AssignmentId, QuestionId, RequestScope, Reviewer, Tenant, Time, UserId};

/// A point in time as typed: an absolute date, or an offset from the tenant's now (`+7d`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    At(Time),
    In(chrono::Duration),
}

impl When {
    /// The instant meant. An offset past the end of time saturates there: the domain then refuses
    /// it by its range ("that date is past the year 9999") with the field it was given for.
    pub fn resolve(self, now: Time) -> Time {
        match self {
            When::At(t) => t,
            When::In(d) => now.checked_add_signed(d).unwrap_or(if d < chrono::Duration::zero() {
                Time::MIN_UTC
            } else {
                Time::MAX_UTC
            }),
        }
    }
}

/// `2h`, `3d`, `1w`, `30d`, `90min`, or several at once (`1d12h`).
pub fn duration(s: &str) -> Result<chrono::Duration, String> {
    let bad = || format!("'{s}' is not a duration: use a number and a unit, like 2h, 3d, 1w or 30d");
    let text = s.trim().to_ascii_lowercase();
    if text.is_empty() {
        return Err(bad());
    }
    let mut total = chrono::Duration::zero();
    let mut rest = text.as_str();
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits == 0 {
            return Err(bad());
        }
        let n: i64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let part = match unit {
            "min" | "mins" | "minute" | "minutes" => chrono::Duration::try_minutes(n),
            "h" | "hour" | "hours" => chrono::Duration::try_hours(n),
            "d" | "day" | "days" => chrono::Duration::try_days(n),
            "w" | "week" | "weeks" => chrono::Duration::try_weeks(n),
            _ => None,
        };
        total = part.and_then(|p| total.checked_add(&p)).ok_or_else(bad)?;
    }
    if total <= chrono::Duration::zero() {
        return Err(format!("'{s}' is not a positive duration"));
    }
    Ok(total)
}

/// `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM` (tenant time, UTC), `now`, or `+DURATION` from the tenant's now.
pub fn when(s: &str) -> Result<When, String> {
    let text = s.trim();
    if text.eq_ignore_ascii_case("now") {
        return Ok(When::In(chrono::Duration::zero()));
    }
    if let Some(rel) = text.strip_prefix('+') {
        return duration(rel).map(When::In);
    }
    for fmt in ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, fmt) {
            return Ok(When::At(Utc.from_utc_datetime(&t)));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        && let Some(t) = d.and_hms_opt(0, 0, 0)
    {
        return Ok(When::At(Utc.from_utc_datetime(&t)));
    }
    Err(format!("'{s}' is not a date: use YYYY-MM-DD, YYYY-MM-DDTHH:MM, or +DURATION like +7d"))
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration("2h"), Ok(chrono::Duration::hours(2)));
        assert_eq!(duration("30d"), Ok(chrono::Duration::days(30)));
        assert_eq!(duration("1w"), Ok(chrono::Duration::weeks(1)));
        assert_eq!(duration("1d12h"), Ok(chrono::Duration::hours(36)));
        assert!(duration("3x").is_err());
        assert!(duration("d").is_err());
        assert!(duration("0d").is_err());
        assert!(duration("").is_err());
    }

    #[test]
    fn dates() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap_or_default();
        let d = when("2026-03-04").map(|w| w.resolve(now));
        assert_eq!(d.map(|t| t.format("%Y-%m-%d %H:%M").to_string()), Ok("2026-03-04 00:00".into()));
        let d = when("2026-03-04T09:30").map(|w| w.resolve(now));
        assert_eq!(d.map(|t| t.format("%Y-%m-%d %H:%M").to_string()), Ok("2026-03-04 09:30".into()));
        let d = when("+7d").map(|w| w.resolve(now));
        assert_eq!(d.map(|t| t.format("%Y-%m-%d").to_string()), Ok("2026-01-08".into()));
        // Far beyond the end of time: no panic, the domain refuses it by its range.
        assert_eq!(when("+99999999999d").map(|w| w.resolve(now)), Ok(Time::MAX_UTC));
        assert!(when("+999999999999999999d").is_err());
        assert!(when("04/03/2026").is_err());
        assert!(when("2026-13-01").is_err());
    }
}
