//! When each grant source held: the spans of an assignment's resource roles and of direct
//! memberships, from the tenant and its dated records (`pit_log`).

use std::collections::{BTreeMap, BTreeSet};

use super::Time;
use super::access::ResourceRole;
use super::flow::Assignment;
use super::ids::{PackageId, ResourceId, UserId};
use super::pit_log::{RoleChange, RoleChangeKind, Span};
use super::role::Role;
use super::tenant::{GrantKey, Tenant};

/// One resource role an assignment held, from `since` until `until` (`None`: it holds still).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub rr: ResourceRole,
    pub since: Time,
    pub until: Option<Time>,
}

impl Held {
    pub fn holds_at(&self, at: Time) -> bool {
        self.since <= at && self.until.is_none_or(|u| u > at)
    }
}

/// When an assignment stopped holding anything (`None`: active). Data older than `ended_at`
/// gives its end, or its start.
pub(crate) fn ended(a: &Assignment) -> Option<Time> {
    if a.is_active() { None } else { Some(a.ended_at.or(a.end).unwrap_or(a.start)) }
}

/// Whether an assignment was in force at `at` (delivered by then, not ended by then).
pub(crate) fn in_force(a: &Assignment, at: Time) -> bool {
    a.start <= at && ended(a).is_none_or(|e| e > at)
}

impl Tenant {
    /// From when the answers about the past are exact (see `pit_log`): now, for data of an
    /// older version in which nothing was recorded yet.
    pub fn exact_from(&self) -> Time {
        self.pit.exact_from.unwrap_or(self.clock.now)
    }

    /// The tenant's beginning: the earliest of its catalogs, packages and records.
    pub fn beginning(&self) -> Time {
        let catalogs = self.catalogs.values().map(|c| c.created_at);
        let packages = self.packages.values().map(|p| p.created_at);
        catalogs.chain(packages).chain(self.pit.exact_from).min().unwrap_or(self.clock.now)
    }

    fn role_changes(&self, pkg: PackageId) -> &[RoleChange] {
        self.pit.roles.get(&pkg).map_or(&[], Vec::as_slice)
    }

    /// Every span of every resource role an assignment held.
    pub fn assignment_spans(&self, a: &Assignment) -> Vec<Held> {
        let end = ended(a);
        let changes = self.role_changes(a.package);
        // The changes it lived through: made after its delivery, before it ended (one at the very
        // instant it ended changes nothing of what it held at any instant).
        let during: Vec<&RoleChange> =
            changes.iter().filter(|c| c.after(a.id) && end.is_none_or(|e| c.at < e)).collect();
        let pkg = self.packages.get(&a.package);
        match pkg {
            Some(p) if self.pit.exact_from.is_some_and(|f| a.start >= f) => {
                // Recorded since its delivery: forward from the package's roles then.
                let mut roles: BTreeSet<ResourceRole> = p.resource_roles.iter().cloned().collect();
                for c in changes.iter().rev().filter(|c| c.after(a.id)) {
                    match c.kind {
                        RoleChangeKind::Added => roles.remove(&c.resource_role()),
                        RoleChangeKind::Removed | RoleChangeKind::Revoked => roles.insert(c.resource_role()),
                    };
                }
                forward(roles, a.start, &during, end)
            }
            // Delivered before the records began: back from what it holds (or held) last.
            _ => backward(&a.granted, a.start, &during, end),
        }
    }

    /// The resource roles an assignment held at `at`, with the span of each.
    pub fn held_at(&self, a: &Assignment, at: Time) -> Vec<Held> {
        if !in_force(a, at) {
            return vec![];
        }
        self.assignment_spans(a).into_iter().filter(|h| h.holds_at(at)).collect()
    }

    /// The packages that ever granted a resource: those granting it now or in the records, the
    /// roles kept from before the records, and (data not recorded yet) its holders' packages.
    pub(crate) fn packages_granting(&self, res: ResourceId) -> BTreeSet<PackageId> {
        let mut out: BTreeSet<PackageId> = self
            .packages
            .values()
            .filter(|p| p.resource_roles.iter().any(|rr| rr.resource == res))
            .map(|p| p.id)
            .collect();
        out.extend(self.pit.roles.iter().filter(|(_, cs)| cs.iter().any(|c| c.resource == res)).map(|(p, _)| *p));
        out.extend(self.pit.kept.iter().filter(|(_, rs)| rs.iter().any(|rr| rr.resource == res)).map(|(p, _)| *p));
        if self.pit.exact_from.is_none() {
            for (u, role) in self.holders(res) {
                let key = GrantKey { user: *u, resource: res, role: *role };
                let sources = self.grants.get(&key).into_iter().flat_map(|s| s.iter());
                out.extend(sources.filter_map(|s| match s {
                    super::flow::GrantSource::Assignment { assignment } => {
                        self.assignments.get(assignment).map(|a| a.package)
                    }
                    super::flow::GrantSource::Direct => None,
                }));
            }
        }
        out
    }

    /// The spans of one direct membership: those recorded, and one from before the records
    /// began for a membership that holds now and was never recorded (data of an older version).
    pub(crate) fn direct_spans(&self, user: UserId, res: ResourceId, role: Role) -> Vec<Span> {
        let mut spans = self.pit.direct.get(&(res, user, role)).cloned().unwrap_or_default();
        let open = spans.last().is_some_and(|s| s.until.is_none());
        let key = GrantKey { user, resource: res, role };
        let direct_now = self.grants.get(&key).is_some_and(|s| s.contains(&super::flow::GrantSource::Direct));
        if direct_now && !open {
            spans.push(Span { since: self.exact_from(), until: None });
        }
        spans
    }

    /// Whether a direct span held at `at`: one that began when the records did is taken to have
    /// held since before them.
    pub(crate) fn direct_holds_at(&self, s: &Span, at: Time) -> bool {
        (s.since <= at || s.since <= self.exact_from()) && s.until.is_none_or(|u| u > at)
    }

    /// The direct memberships a user ever had (recorded, or holding now).
    pub(crate) fn direct_keys_of_user(&self, user: UserId) -> BTreeSet<(ResourceId, Role)> {
        let mut keys = self.pit.direct_by_user.get(&user).cloned().unwrap_or_default();
        keys.extend(
            self.grants_of_user(user)
                .filter(|(_, s)| s.contains(&super::flow::GrantSource::Direct))
                .map(|(k, _)| (k.resource, k.role)),
        );
        keys
    }

    /// The direct memberships of a resource ever had (recorded, or holding now).
    pub(crate) fn direct_keys_of_resource(&self, res: ResourceId) -> BTreeSet<(UserId, Role)> {
        let lo = (res, UserId(0), Role::default());
        let mut keys: BTreeSet<(UserId, Role)> = self
            .pit
            .direct
            .range(lo..)
            .take_while(|((r, _, _), _)| *r == res)
            .map(|((_, u, role), _)| (*u, *role))
            .collect();
        for (u, role) in self.holders(res) {
            let key = GrantKey { user: *u, resource: res, role: *role };
            if self.grants.get(&key).is_some_and(|s| s.contains(&super::flow::GrantSource::Direct)) {
                keys.insert((*u, *role));
            }
        }
        keys
    }

    /// An assignment's end as it stood at `at` (an extension since moved it).
    pub fn end_at(&self, a: &Assignment, at: Time) -> Option<Time> {
        let moved = self.pit.ends.get(&a.id).map_or(&[][..], Vec::as_slice);
        moved.iter().find(|m| m.at > at).map_or(a.end, |m| m.before)
    }
}

/// The spans of an assignment recorded from its delivery: `roles` at its start, then `during`.
fn forward(roles: BTreeSet<ResourceRole>, start: Time, during: &[&RoleChange], end: Option<Time>) -> Vec<Held> {
    let mut open: BTreeMap<ResourceRole, Time> = roles.into_iter().map(|rr| (rr, start)).collect();
    let mut out = vec![];
    for c in during {
        let rr = c.resource_role();
        match c.kind {
            RoleChangeKind::Added => {
                open.entry(rr).or_insert(c.at);
            }
            RoleChangeKind::Revoked => {
                if let Some(since) = open.remove(&rr) {
                    out.push(Held { rr, since, until: Some(c.at) });
                }
            }
            RoleChangeKind::Removed => {}
        }
    }
    out.extend(open.into_iter().map(|(rr, since)| Held { rr, since, until: end }));
    out
}

/// The spans of an assignment delivered before the records began: back from `last`, what it
/// holds (or held when it ended), undoing `during`; what is left held since its start.
fn backward(last: &[ResourceRole], start: Time, during: &[&RoleChange], end: Option<Time>) -> Vec<Held> {
    let mut held: BTreeMap<ResourceRole, Option<Time>> = last.iter().map(|rr| (rr.clone(), end)).collect();
    let mut out = vec![];
    for c in during.iter().rev() {
        let rr = c.resource_role();
        match c.kind {
            RoleChangeKind::Added => {
                if let Some(until) = held.remove(&rr) {
                    out.push(Held { rr, since: c.at, until });
                }
            }
            RoleChangeKind::Revoked => {
                held.entry(rr).or_insert(Some(c.at));
            }
            RoleChangeKind::Removed => {}
        }
    }
    out.extend(held.into_iter().map(|(rr, until)| Held { rr, since: start, until }));
    out
}
