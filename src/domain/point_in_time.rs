//! Point in time: who held what at a past instant of the in-app clock, and through which
//! assignment (or a direct membership), from the tenant and its dated records (`pit_log`,
//! `pit_spans`). The same rows as the present-day reports, read with the same rights, plus when
//! each holding began and ended.
//!
//! Read through indexes: a person's assignments and direct memberships; a resource's packages
//! (now and in the records), their assignments, and its direct memberships. No query reads every
//! assignment or the audit log.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Time;
use super::error::{DomainResult, rule};
use super::flow::{Assignment, AssignmentState, GrantSource};
use super::ids::{AssignmentId, PackageId, PolicyId, RequestId, ResourceId, UserId};
use super::pit_spans::in_force;
use super::reads::Read;
use super::report::AccessRow;
use super::rights::Actor;
use super::role::Role;
use super::serde_util::{secs, secs_opt};
use super::tenant::Tenant;

/// The instant a report is about, and how far the records go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AsOf {
    #[serde(with = "secs")]
    pub at: Time,
    /// The records are complete from this instant: an answer for an earlier one is the best the
    /// data allows (the roles packages granted and the direct memberships before it are not known).
    #[serde(with = "secs")]
    pub exact_from: Time,
    /// Whether the answer is exact (`at` is not before `exact_from`).
    pub exact: bool,
}

impl AsOf {
    /// "as of 2026-09-01 00:00", for titles.
    pub fn label(&self) -> String {
        format!("as of {}", self.at.format("%Y-%m-%d %H:%M"))
    }

    /// The heading of a report: "As of 2026-09-01 00:00", marked when it is not exact.
    pub fn heading(&self) -> String {
        let exact = if self.exact { "" } else { " (not exact)" };
        format!("As of {}{exact}", self.at.format("%Y-%m-%d %H:%M"))
    }

    /// What a reader must know about an answer that is not exact, if it is not.
    pub fn caveat(&self) -> Option<String> {
        (!self.exact).then(|| {
            format!(
                "Not exact: the records of package roles and direct memberships begin {}. Before then, assignments are \
                 shown with the roles they held when the records began, and direct memberships held then are taken to have \
                 held since before it.",
                self.exact_from.format("%Y-%m-%d %H:%M")
            )
        })
    }
}

/// One membership at the instant asked, with when the holding began and when it ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HeldRow {
    #[serde(flatten)]
    pub row: AccessRow,
    /// When its sources at that instant began to grant it (the earliest of them).
    #[serde(with = "secs")]
    pub since: Time,
    /// When the last of them stopped (`None`: it holds still).
    #[serde(with = "secs_opt")]
    pub until: Option<Time>,
}

/// A report about a past instant: the instant, and its rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AsOfReport<T> {
    #[serde(flatten)]
    pub as_of: AsOf,
    pub rows: Vec<T>,
}

/// An assignment as it stood at a past instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentAt {
    pub id: AssignmentId,
    pub package: PackageId,
    pub policy: PolicyId,
    pub target: UserId,
    /// Its state then: delivered, or how it had ended.
    pub state: AssignmentState,
    #[serde(with = "secs")]
    pub start: Time,
    /// Its end as it stood then (an extension may have moved it since).
    #[serde(with = "secs_opt")]
    pub end: Option<Time>,
    pub revision: u32,
    pub request: RequestId,
    /// When it actually ended (`None`: it holds still).
    #[serde(with = "secs_opt")]
    pub until: Option<Time>,
}

/// The sources of one membership at the instant, with the span of each.
type Sourced = BTreeMap<GrantSource, (Time, Option<Time>)>;

impl Tenant {
    /// Refuses an instant the tenant cannot answer for: after its clock, before its beginning.
    pub fn as_of(&self, at: Time) -> DomainResult<AsOf> {
        let now = self.clock.now;
        let fmt = |t: Time| t.format("%Y-%m-%d %H:%M").to_string();
        if at > now {
            return Err(rule(format!(
                "{} is after the in-app clock ({}): a report can look back, not ahead; leave the date out for now",
                fmt(at),
                fmt(now)
            )));
        }
        let began = self.beginning();
        if at < began {
            return Err(rule(format!(
                "{} is before the tenant began ({}): nobody held anything yet; ask for a date from then on",
                fmt(at),
                fmt(began)
            )));
        }
        let exact_from = self.exact_from();
        Ok(AsOf { at, exact_from, exact: at >= exact_from })
    }

    /// `report access USER --at`: what they held at `at` and why, as far as the reader may see
    /// (the rights of `report access`).
    pub fn access_at_visible(&self, actor: &Actor, user: UserId, at: Time) -> DomainResult<AsOfReport<HeldRow>> {
        self.may_read(actor, Read::UserAccess(user))?;
        self.user(user)?;
        let as_of = self.as_of(at)?;
        let mut held: BTreeMap<(ResourceId, Role), Sourced> = BTreeMap::new();
        for a in self.assignments_of_user(user).filter(|a| in_force(a, at)) {
            for h in self.held_at(a, at) {
                let src = GrantSource::Assignment { assignment: a.id };
                held.entry((h.rr.resource, h.rr.role)).or_default().insert(src, (h.since, h.until));
            }
        }
        for (res, role) in self.direct_keys_of_user(user) {
            if let Some(s) = self.direct_spans(user, res, role).iter().find(|s| self.direct_holds_at(s, at)) {
                held.entry((res, role)).or_default().insert(GrantSource::Direct, (s.since, s.until));
            }
        }
        let rows = held.into_iter().map(|((res, role), s)| (user, res, role, s));
        Ok(AsOfReport { as_of, rows: self.held_rows(actor, rows)? })
    }

    /// `report holders RESOURCE --at`: who held it at `at`, with the role and why, as far as the
    /// reader may see (the rights of `report holders`).
    pub fn holders_at_visible(&self, actor: &Actor, res: ResourceId, at: Time) -> DomainResult<AsOfReport<HeldRow>> {
        self.may_read(actor, Read::Holders(res))?;
        let as_of = self.as_of(at)?;
        let mut held: BTreeMap<(UserId, Role), Sourced> = BTreeMap::new();
        for pkg in self.packages_granting(res) {
            for a in self.assignments_of_package(pkg).filter(|a| in_force(a, at)) {
                for h in self.held_at(a, at).into_iter().filter(|h| h.rr.resource == res) {
                    let src = GrantSource::Assignment { assignment: a.id };
                    held.entry((a.target, h.rr.role)).or_default().insert(src, (h.since, h.until));
                }
            }
        }
        for (user, role) in self.direct_keys_of_resource(res) {
            if let Some(s) = self.direct_spans(user, res, role).iter().find(|s| self.direct_holds_at(s, at)) {
                held.entry((user, role)).or_default().insert(GrantSource::Direct, (s.since, s.until));
            }
        }
        let rows = held.into_iter().map(|((user, role), s)| (user, res, role, s));
        let mut rows = self.held_rows(actor, rows)?;
        rows.sort_by(|a, b| a.row.user_name.cmp(&b.row.user_name));
        Ok(AsOfReport { as_of, rows })
    }

    /// The rows of memberships, each with the sources the reader may know of (a row with none
    /// is left out, as in the present-day reports).
    fn held_rows(
        &self,
        actor: &Actor,
        held: impl Iterator<Item = (UserId, ResourceId, Role, Sourced)>,
    ) -> DomainResult<Vec<HeldRow>> {
        let r = self.reader(actor)?;
        let reviewing = self.reviewing(r);
        Ok(held
            .filter_map(|(user, res, role, sources)| {
                let seen: Sourced =
                    sources.into_iter().filter(|(s, _)| self.sees_source(r, &reviewing, user, res, s)).collect();
                let since = seen.values().map(|(s, _)| *s).min()?;
                let open = seen.values().any(|(_, u)| u.is_none());
                let until = if open { None } else { seen.values().filter_map(|(_, u)| *u).max() };
                Some(HeldRow {
                    row: AccessRow {
                        user,
                        user_name: self.user_name(user),
                        resource: res,
                        resource_name: self.resource_name(res),
                        role: role.to_string(),
                        via: self.via(seen.keys()),
                    },
                    since,
                    until,
                })
            })
            .collect())
    }

    /// `assignments --at`: the assignments the reader may see that had been delivered by `at`,
    /// each as it stood then (the rights of `assignments`). With a user or a package, read
    /// through that one's assignments.
    pub fn assignments_at_visible(
        &self,
        actor: &Actor,
        at: Time,
        user: Option<UserId>,
        package: Option<PackageId>,
    ) -> DomainResult<AsOfReport<AssignmentAt>> {
        self.may_read(actor, Read::Assignments)?;
        let as_of = self.as_of(at)?;
        let r = self.reader(actor)?;
        let reviewing = self.reviewing(r);
        let list: Box<dyn Iterator<Item = &Assignment>> = match (user, package) {
            (Some(u), _) => Box::new(self.assignments_of_user(u)),
            (None, Some(p)) => Box::new(self.assignments_of_package(p)),
            (None, None) => Box::new(self.assignments.values()),
        };
        let rows = list
            .filter(|a| a.start <= at)
            .filter(|a| user.is_none_or(|u| a.target == u) && package.is_none_or(|p| a.package == p))
            .filter(|a| self.sees_assignment_in(r, &reviewing, a))
            .map(|a| {
                let until = super::pit_spans::ended(a);
                AssignmentAt {
                    id: a.id,
                    package: a.package,
                    policy: a.policy,
                    target: a.target,
                    state: match (in_force(a, at), a.is_active()) {
                        (true, false) => AssignmentState::Delivered,
                        _ => a.state,
                    },
                    start: a.start,
                    end: self.end_at(a, at),
                    revision: a.revision,
                    request: a.request,
                    until,
                }
            })
            .collect();
        Ok(AsOfReport { as_of, rows })
    }
}
