//! Reports: what a user can request and has, what they hold and why, who holds a resource,
//! a package's assignments by state, what expires soon, and drift outside any package.

use std::collections::HashMap;

use serde::Serialize;

use super::Time;
use super::access::Package;
use super::bounds::{self, Field};
use super::error::DomainResult;
use super::flow::{Assignment, AssignmentState, GrantSource};
use super::ids::*;
use super::rights::Actor;
use super::tenant::Tenant;
use super::timers::Timer;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserPackageRow {
    pub package: PackageId,
    pub package_name: String,
    pub catalog_name: String,
    pub can_request: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignment: Option<AssignmentId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<AssignmentState>,
    #[serde(skip_serializing_if = "Option::is_none", with = "super::serde_util::secs_opt")]
    pub end: Option<Time>,
}

/// One membership and the reasons for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessRow {
    pub user: UserId,
    pub user_name: String,
    pub resource: ResourceId,
    pub resource_name: String,
    pub role: String,
    /// Each source: direct, or an assignment of a package.
    pub via: Vec<Via>,
}

/// Why a membership is held: made directly, or through an assignment of a package. As JSON,
/// `{"type": "direct"}` or `{"type": "assignment", "assignment": 14, "package": 3,
/// "packageName": "Sales"}`; as text, `direct` or `Sales (asg14)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "type")]
pub enum Via {
    Direct,
    Assignment {
        assignment: AssignmentId,
        #[serde(skip_serializing_if = "Option::is_none")]
        package: Option<PackageId>,
        package_name: String,
    },
}

impl Via {
    pub fn assignment(&self) -> Option<AssignmentId> {
        match self {
            Via::Direct => None,
            Via::Assignment { assignment, .. } => Some(*assignment),
        }
    }
}

impl std::fmt::Display for Via {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Via::Direct => f.write_str("direct"),
            Via::Assignment { assignment, package_name, .. } => write!(f, "{package_name} ({assignment})"),
        }
    }
}

/// The sources of a membership as text, joined by `sep`.
pub fn via_text(via: &[Via], sep: &str) -> String {
    via.iter().map(ToString::to_string).collect::<Vec<_>>().join(sep)
}

impl Tenant {
    pub(crate) fn via<'a>(&self, sources: impl IntoIterator<Item = &'a GrantSource>) -> Vec<Via> {
        sources
            .into_iter()
            .map(|s| match s {
                GrantSource::Direct => Via::Direct,
                GrantSource::Assignment { assignment } => {
                    let package = self.assignments.get(assignment).map(|a| a.package);
                    let package_name =
                        package.and_then(|p| self.packages.get(&p)).map(|p| p.display_name.clone()).unwrap_or_default();
                    Via::Assignment { assignment: *assignment, package, package_name }
                }
            })
            .collect()
    }

    /// Packages a user can request, and those they have.
    pub fn report_user_packages(&self, user: UserId) -> Vec<UserPackageRow> {
        self.user_packages_where(user, |_| true, usize::MAX).1
    }

    /// [`Tenant::report_user_packages`] of the packages `keep` lets through: how many there are,
    /// and the rows of the first `limit` of them (a screen shows a page; it need not build all).
    pub(crate) fn user_packages_where(
        &self,
        user: UserId,
        keep: impl Fn(&Package) -> bool,
        limit: usize,
    ) -> (usize, Vec<UserPackageRow>) {
        let who = self.requester(&Actor::user(user));
        let latest = self.latest_assignments(user);
        // As `matching_policies` is non-empty, with the requester worked out once.
        let can = |p: &Package| {
            !p.is_deleted()
                && who.as_ref().is_some_and(|w| self.policies_of(p.id).any(|pol| self.policy_admits(p, pol, w)))
        };
        let candidates = self.packages.values().filter(|p| keep(p)).map(|p| (p, can(p)));
        let (mut total, mut rows) = (0, vec![]);
        for (p, can) in candidates {
            let a = latest.get(&p.id).copied();
            if !can && a.is_none() {
                continue;
            }
            total += 1;
            if rows.len() < limit {
                rows.push(self.user_package_row(p, can, a));
            }
        }
        (total, rows)
    }

    /// The user's latest assignment of each package (active first; of equals, the last), in
    /// one pass over theirs rather than one per package.
    pub(crate) fn latest_assignments(&self, user: UserId) -> HashMap<PackageId, &Assignment> {
        let mut latest: HashMap<PackageId, &Assignment> = HashMap::new();
        for a in self.assignments_of_user(user) {
            let e = latest.entry(a.package).or_insert(a);
            if (a.is_active(), a.start) >= (e.is_active(), e.start) {
                *e = a;
            }
        }
        latest
    }

    /// One row of [`Tenant::user_packages_where`].
    pub(crate) fn user_package_row(&self, p: &Package, can: bool, a: Option<&Assignment>) -> UserPackageRow {
        UserPackageRow {
            package: p.id,
            package_name: p.display_name.clone(),
            catalog_name: self.catalogs.get(&p.catalog).map(|c| c.display_name.clone()).unwrap_or_default(),
            can_request: can,
            assignment: a.map(|a| a.id),
            state: a.map(|a| a.state),
            end: a.and_then(|a| a.end),
        }
    }

    /// The resources a user holds and why.
    pub fn report_user_access(&self, user: UserId) -> Vec<AccessRow> {
        self.grants_of_user(user)
            .map(|(k, s)| AccessRow {
                user,
                user_name: self.user_name(user),
                resource: k.resource,
                resource_name: self.resource_name(k.resource),
                role: k.role.to_string(),
                via: self.via(s),
            })
            .collect()
    }

    /// Who holds a resource, with the role and via which package or directly.
    pub fn report_resource_holders(&self, res: ResourceId) -> Vec<AccessRow> {
        let mut rows: Vec<AccessRow> = self
            .holders(res)
            .filter_map(|(u, role)| {
                let key = super::tenant::GrantKey { user: *u, resource: res, role: *role };
                self.grants.get(&key).map(|s| AccessRow {
                    user: *u,
                    user_name: self.user_name(*u),
                    resource: res,
                    resource_name: self.resource_name(res),
                    role: role.to_string(),
                    via: self.via(s),
                })
            })
            .collect();
        rows.sort_by(|a, b| a.user_name.cmp(&b.user_name));
        rows
    }

    /// A package's assignments, grouped by state (delivered first).
    pub fn report_package_assignments(&self, pkg: PackageId) -> Vec<(AssignmentState, Vec<&Assignment>)> {
        let order = [
            AssignmentState::Delivering,
            AssignmentState::Delivered,
            AssignmentState::Expired,
            AssignmentState::Removed,
        ];
        order
            .iter()
            .map(|st| (*st, self.assignments_of_package(pkg).filter(|a| a.state == *st).collect::<Vec<_>>()))
            .filter(|(_, v)| !v.is_empty())
            .collect()
    }

    /// Active assignments that end within `days` days of now (0 to 3650), soonest first: read
    /// from the timer queue (every active assignment with an end has its expiry queued, and a
    /// queued expiry counts only while it is its assignment's end), not from every assignment.
    pub fn report_expiring(&self, days: i64) -> DomainResult<Vec<&Assignment>> {
        bounds::REPORT_DAYS.check(Field::ReportDays, days)?;
        let until = bounds::saturating_add_days(self.clock.now, days);
        Ok(self
            .idx
            .timers
            .iter()
            .take_while(|(at, _)| *at <= until)
            .filter_map(|(at, timer)| match timer {
                Timer::Expire(aid) if self.timer_live(*at, *timer) => self.assignments.get(aid),
                _ => None,
            })
            .collect())
    }

    /// Memberships granted outside any access package (drift). `governed` marks resources that
    /// some package grants: the ones where drift matters most.
    pub fn report_drift(&self) -> Vec<(AccessRow, bool)> {
        let governed: std::collections::BTreeSet<ResourceId> = self
            .packages
            .values()
            .filter(|p| !p.is_deleted())
            .flat_map(|p| p.resource_roles.iter().map(|r| r.resource))
            .collect();
        self.grants
            .iter()
            .filter(|(_, s)| s.contains(&GrantSource::Direct))
            .map(|(k, s)| {
                (
                    AccessRow {
                        user: k.user,
                        user_name: self.user_name(k.user),
                        resource: k.resource,
                        resource_name: self.resource_name(k.resource),
                        role: k.role.to_string(),
                        via: self.via(s),
                    },
                    governed.contains(&k.resource),
                )
            })
            .collect()
    }
}
