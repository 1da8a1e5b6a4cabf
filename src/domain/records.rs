//! Audit events, notifications (the in-app mailbox) and tenant settings.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::Time;
use super::audit_refs::{self, AuditActor, AuditObject};
use super::ids::{ObjectRef, UserId};

/// One line of the audit log. Its actor and object are typed; a line an older version wrote
/// with them as text reads as described in `audit_refs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    pub seq: u64,
    #[serde(with = "crate::domain::serde_util::secs")]
    pub at: Time,
    /// Who did it: the system, a user (with their name as it was then), an external.
    #[serde(deserialize_with = "audit_refs::actor")]
    pub actor: AuditActor,
    /// The global administrator who did it acting as `actor` (team mode), if any.
    #[serde(default, deserialize_with = "audit_refs::by", skip_serializing_if = "Option::is_none")]
    pub by: Option<AuditActor>,
    /// e.g. `request.approved`, `assignment.expired`, `package.updated`.
    pub activity: String,
    /// The object, e.g. `{"request": 12}`, `{"clock": {}}`.
    #[serde(deserialize_with = "audit_refs::object")]
    pub object: AuditObject,
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<serde_json::Value>,
}

/// An audit event without its before and after (what a list shows and searches): read from
/// an event's line passing over those, the bulk of many lines.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditHead {
    seq: u64,
    #[serde(with = "crate::domain::serde_util::secs")]
    at: Time,
    #[serde(deserialize_with = "audit_refs::actor")]
    actor: AuditActor,
    #[serde(default, deserialize_with = "audit_refs::by")]
    by: Option<AuditActor>,
    activity: String,
    #[serde(deserialize_with = "audit_refs::object")]
    object: AuditObject,
    summary: String,
}

impl From<AuditHead> for AuditEvent {
    /// The event, without its before and after.
    fn from(h: AuditHead) -> Self {
        let AuditHead { seq, at, actor, by, activity, object, summary } = h;
        AuditEvent { seq, at, actor, by, activity, object, summary, before: None, after: None }
    }
}

impl AuditEvent {
    /// "Admin (u1) acting as Megan (u5)", or the actor alone.
    pub fn who(&self) -> String {
        match &self.by {
            Some(by) => format!("{by} acting as {}", self.actor),
            None => self.actor.to_string(),
        }
    }

    /// Whether the user made the event, or made it acting as someone else.
    pub fn made_by(&self, user: UserId) -> bool {
        self.actor.user() == Some(user) || self.by.as_ref().is_some_and(|b| b.user() == Some(user))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub seq: u64,
    pub to: UserId,
    #[serde(with = "crate::domain::serde_util::secs")]
    pub at: Time,
    /// approvalNeeded, forwarded, approved, denied, granted, expiresSoon, expired, reviewOpened, removed, ...
    pub kind: String,
    /// What it is about (the request, review or assignment the reader would open); none in
    /// what older versions wrote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<ObjectRef>,
    pub subject: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub body: String,
    #[serde(default)]
    pub read: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", tag = "type", content = "days")]
pub enum ExternalLifecycle {
    /// Nothing happens when a guest loses its last assignment.
    None,
    /// Block sign-in.
    #[default]
    Block,
    /// Block sign-in, then remove the guest after N days (0 = at once).
    BlockThenRemove(u32),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    pub packages_per_catalog: usize,
    pub resource_roles_per_package: usize,
    pub policies_per_package: usize,
    pub connected_organizations: usize,
    /// The most timers one move of the clock may fire (a longer jump is made in steps).
    #[serde(default = "default_timers_per_clock_move")]
    pub timers_per_clock_move: u64,
}

fn default_timers_per_clock_move() -> u64 {
    10_000
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            packages_per_catalog: 30,
            resource_roles_per_package: 30,
            policies_per_package: 30,
            connected_organizations: 200,
            timers_per_clock_move: default_timers_per_clock_move(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    #[serde(default)]
    pub external_lifecycle: ExternalLifecycle,
    /// Users allowed to create catalogs (besides global administrators).
    #[serde(default)]
    pub catalog_creators: BTreeSet<UserId>,
    #[serde(default)]
    pub limits: Limits,
}
