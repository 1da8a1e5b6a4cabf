//! The dated records that let the reports answer for a past instant (see `point_in_time`).
//!
//! Most of the past is in the tenant already: an assignment keeps its start, `ended_at` and final
//! state, and ended assignments stay. What it does not keep is made exact here, from the moment
//! the records begin (`exact_from`):
//! - a package's resource roles added and removed (with or without revoking them from its current
//!   assignees): which roles an assignment held at a past instant follows from them;
//! - direct memberships (made outside access packages): when each began and ended;
//! - an assignment's end moved by an extension: the end it had before.
//!
//! A tenant made by this version keeps them from its beginning. Data written by an older version
//! has none: the records begin with the first change recorded (until then nothing has changed
//! since it was opened, so the answers are exact from the tenant's clock at that point); an answer
//! for an earlier instant is the best the data allows, and says so.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::Time;
use super::access::ResourceRole;
use super::ids::{AssignmentId, PackageId, ResourceId, UserId};
use super::role::Role;
use super::serde_util::{secs, secs_opt};
use super::tenant::Tenant;

/// What happened to one resource role of a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RoleChangeKind {
    /// Added: every current assignee got it.
    Added,
    /// Removed for new assignees; current assignees kept it.
    Removed,
    /// Removed and revoked from every current assignee.
    Revoked,
}

/// One change of a package's resource roles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleChange {
    #[serde(with = "secs")]
    pub at: Time,
    /// The tenant's next id when it was made: assignments numbered below it were delivered
    /// before it, the others after (several commands share one instant of a frozen clock).
    pub next_id: u64,
    pub resource: ResourceId,
    pub role: Role,
    pub kind: RoleChangeKind,
}

impl RoleChange {
    pub fn resource_role(&self) -> ResourceRole {
        ResourceRole { resource: self.resource, role: self.role }
    }
    /// Whether it was made after the assignment numbered `id` was delivered.
    pub fn after(&self, id: AssignmentId) -> bool {
        self.next_id > id.0
    }
}

/// When a direct membership began and ended (`None`: it still holds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Span {
    #[serde(with = "secs")]
    pub since: Time,
    #[serde(default, with = "secs_opt", skip_serializing_if = "Option::is_none")]
    pub until: Option<Time>,
}

impl Span {
    /// Whether it held at `at` (as of that instant: what happened at it counts).
    pub fn holds_at(&self, at: Time) -> bool {
        self.since <= at && self.until.is_none_or(|u| u > at)
    }
}

/// An assignment's end before an extension moved it at `at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndMoved {
    #[serde(with = "secs")]
    pub at: Time,
    #[serde(default, with = "secs_opt", skip_serializing_if = "Option::is_none")]
    pub before: Option<Time>,
}

/// A direct membership's key in the records: by resource first (who held it), the index by user
/// is derived.
pub type DirectKey = (ResourceId, UserId, Role);

/// The records (see the module's documentation).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "Wire", into = "Wire")]
pub struct PitLog {
    /// From when the records are complete; `None`: data of an older version, nothing recorded yet.
    pub exact_from: Option<Time>,
    /// Each package's resource-role changes, oldest first.
    pub roles: BTreeMap<PackageId, Vec<RoleChange>>,
    /// Each direct membership's spans, oldest first.
    pub direct: BTreeMap<DirectKey, Vec<Span>>,
    /// Each extended assignment's earlier ends, oldest first.
    pub ends: BTreeMap<AssignmentId, Vec<EndMoved>>,
    /// Data of an older version: the resource roles that assignments of each package held when
    /// the records began although the package no longer granted them (removed earlier without
    /// revoking them).
    pub kept: BTreeMap<PackageId, BTreeSet<ResourceRole>>,
    /// The direct memberships each user ever had (derived from `direct`).
    pub direct_by_user: BTreeMap<UserId, BTreeSet<(ResourceId, Role)>>,
}

impl PitLog {
    /// The records of a tenant made now: complete from its beginning.
    pub fn begun(now: Time) -> Self {
        PitLog { exact_from: Some(now), ..PitLog::default() }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PackageRoles {
    package: PackageId,
    changes: Vec<RoleChange>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DirectRow {
    user: UserId,
    resource: ResourceId,
    role: Role,
    spans: Vec<Span>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeptRow {
    package: PackageId,
    roles: BTreeSet<ResourceRole>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EndRow {
    assignment: AssignmentId,
    ends: Vec<EndMoved>,
}

/// The records as written: lists of rows.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wire {
    #[serde(default, with = "secs_opt", skip_serializing_if = "Option::is_none")]
    exact_from: Option<Time>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    roles: Vec<PackageRoles>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    direct: Vec<DirectRow>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    ends: Vec<EndRow>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    kept: Vec<KeptRow>,
}

impl From<Wire> for PitLog {
    fn from(w: Wire) -> Self {
        let mut log = PitLog { exact_from: w.exact_from, ..PitLog::default() };
        log.roles = w.roles.into_iter().map(|r| (r.package, r.changes)).collect();
        for d in w.direct {
            log.direct_by_user.entry(d.user).or_default().insert((d.resource, d.role));
            log.direct.insert((d.resource, d.user, d.role), d.spans);
        }
        log.ends = w.ends.into_iter().map(|e| (e.assignment, e.ends)).collect();
        log.kept = w.kept.into_iter().map(|k| (k.package, k.roles)).collect();
        log
    }
}

impl From<PitLog> for Wire {
    fn from(log: PitLog) -> Self {
        Wire {
            exact_from: log.exact_from,
            roles: log.roles.into_iter().map(|(package, changes)| PackageRoles { package, changes }).collect(),
            direct: log
                .direct
                .into_iter()
                .map(|((resource, user, role), spans)| DirectRow { user, resource, role, spans })
                .collect(),
            ends: log.ends.into_iter().map(|(assignment, ends)| EndRow { assignment, ends }).collect(),
            kept: log.kept.into_iter().map(|(package, roles)| KeptRow { package, roles }).collect(),
        }
    }
}

impl Tenant {
    /// Records begin with the first one made (data of an older version): what they cannot tell
    /// later is noted first, the roles current assignments hold that their package dropped.
    fn pin(&mut self) {
        if self.pit.exact_from.is_some() {
            return;
        }
        self.pit.exact_from = Some(self.clock.now);
        let mut kept: BTreeMap<PackageId, BTreeSet<ResourceRole>> = BTreeMap::new();
        for a in self.assignments.values().filter(|a| a.is_active()) {
            let grants = self.packages.get(&a.package).map_or(&[][..], |p| p.resource_roles.as_slice());
            for rr in a.granted.iter().filter(|rr| !grants.contains(rr)) {
                kept.entry(a.package).or_default().insert(rr.clone());
            }
        }
        self.pit.kept = kept;
    }

    /// A package's resource role was added or removed (the command has changed it).
    pub(crate) fn note_role_change(&mut self, package: PackageId, rr: &ResourceRole, kind: RoleChangeKind) {
        let (at, next_id) = (self.clock.now, self.next_id);
        self.pin();
        let change = RoleChange { at, next_id, resource: rr.resource, role: rr.role, kind };
        self.pit.roles.entry(package).or_default().push(change);
    }

    /// A direct membership was added (`true`) or removed.
    pub(crate) fn note_direct(&mut self, user: UserId, resource: ResourceId, role: Role, added: bool) {
        let now = self.clock.now;
        self.pin();
        let exact_from = self.pit.exact_from.unwrap_or(now);
        let spans = self.pit.direct.entry((resource, user, role)).or_default();
        let open = spans.last_mut().filter(|s| s.until.is_none());
        match (open, added) {
            (Some(_), true) => {}
            (Some(s), false) => s.until = Some(now),
            (None, true) => spans.push(Span { since: now, until: None }),
            // Held since before the records began (data of an older version).
            (None, false) => spans.push(Span { since: exact_from, until: Some(now) }),
        }
        self.pit.direct_by_user.entry(user).or_default().insert((resource, role));
    }

    /// A user left the directory: every direct membership they still had ends.
    pub(crate) fn note_user_left(&mut self, user: UserId) {
        let direct: Vec<(ResourceId, Role)> = self
            .grants_of_user(user)
            .filter(|(_, s)| s.contains(&super::flow::GrantSource::Direct))
            .map(|(k, _)| (k.resource, k.role))
            .collect();
        for (resource, role) in direct {
            self.note_direct(user, resource, role, false);
        }
    }

    /// An assignment's end is about to move from `before`.
    pub(crate) fn note_end_moved(&mut self, assignment: AssignmentId, before: Option<Time>) {
        let at = self.clock.now;
        self.pin();
        self.pit.ends.entry(assignment).or_default().push(EndMoved { at, before });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::clock::first_moment;

    #[test]
    fn the_records_read_back_as_written_with_the_index_by_user() {
        let t = |d: i64| crate::domain::clock::plus_days(first_moment(), 738_000 + d).unwrap_or_else(first_moment);
        let mut log = PitLog::begun(t(0));
        let change = RoleChange {
            at: t(1),
            next_id: 12,
            resource: ResourceId(3),
            role: Role::new("Member"),
            kind: RoleChangeKind::Revoked,
        };
        log.roles.insert(PackageId(5), vec![change]);
        log.direct
            .insert((ResourceId(3), UserId(7), Role::new("Owner")), vec![Span { since: t(2), until: Some(t(3)) }]);
        log.direct_by_user.entry(UserId(7)).or_default().insert((ResourceId(3), Role::new("Owner")));
        log.ends.insert(AssignmentId(9), vec![EndMoved { at: t(4), before: None }]);
        let rr = ResourceRole { resource: ResourceId(4), role: Role::new("Reader") };
        log.kept.entry(PackageId(5)).or_default().insert(rr);
        let text = serde_json::to_string(&log).unwrap_or_default();
        let back: PitLog = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(back, log, "{text}");
        // Older data has none: nothing recorded, no beginning.
        let none: PitLog = serde_json::from_str("{}").unwrap_or_else(|_| PitLog::begun(t(0)));
        assert_eq!(none, PitLog::default());
    }
}
