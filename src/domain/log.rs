//! Writing the audit log and the in-app mailbox.

use serde::Serialize;

use super::ids::UserId;
use super::records::{AuditEvent, Notification};
use super::rights::Actor;
use super::tenant::Tenant;

impl Tenant {
    pub(crate) fn audit(&mut self, actor: &Actor, activity: &str, object: impl ToString, summary: impl Into<String>) {
        self.audit_change::<()>(actor, activity, object, summary, None, None);
    }

    pub(crate) fn audit_change<T: Serialize>(
        &mut self,
        actor: &Actor,
        activity: &str,
        object: impl ToString,
        summary: impl Into<String>,
        before: Option<&T>,
        after: Option<&T>,
    ) {
        self.audit_seq = self.audit_seq.saturating_add(1);
        let event = AuditEvent {
            seq: self.audit_seq,
            at: self.clock.now,
            actor: self.actor_label(actor),
            // What the clock fires on the way is the system's doing, not the administrator's.
            by: self.idx.acting_by.filter(|_| *actor != Actor::System).map(|u| self.actor_label(&Actor::user(u))),
            activity: activity.to_string(),
            object: object.to_string(),
            summary: summary.into(),
            // A value that serializes to null (an absent login) is no value: the files leave it
            // out, so the event reads back the same.
            before: before.and_then(|b| serde_json::to_value(b).ok()).filter(|v| !v.is_null()),
            after: after.and_then(|a| serde_json::to_value(a).ok()).filter(|v| !v.is_null()),
        };
        self.audit.push(event);
    }

    pub(crate) fn notify(&mut self, to: UserId, kind: &str, subject: impl Into<String>, body: impl Into<String>) {
        self.notice_seq = self.notice_seq.saturating_add(1);
        let seq = self.notice_seq;
        self.unread.entry(to).or_default().insert(seq);
        let n = Notification {
            seq,
            to,
            at: self.clock.now,
            kind: kind.to_string(),
            subject: subject.into(),
            body: body.into(),
            read: false,
        };
        self.idx.notifications_by_user.entry(to).or_default().push(self.notifications.len());
        self.notifications.push(n);
    }
}
