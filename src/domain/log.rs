//! Writing the audit log and the in-app mailbox: each event and notification goes straight to
//! its stream's lines (see `tail`), in the shape `AuditEvent` and `Notification` read back.

use serde::Serialize;

use super::Time;
use super::audit_refs::{AuditActor, write_object};
use std::collections::BTreeMap;

use super::ids::{ObjectRef, UserId};
use super::idset::IdSet;
use super::json_line::Obj;
use super::rights::Actor;
use super::tenant::Tenant;

/// An audit event as written: the fields of `AuditEvent`, in its order and with its names,
/// borrowed; `before` and `after` are any serializable values (see `Tenant::audit_typed`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AuditLine<'a, B: Serialize, A: Serialize> {
    pub seq: u64,
    #[serde(with = "super::serde_util::secs")]
    pub at: Time,
    pub actor: AuditActor<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<AuditActor<&'a str>>,
    pub activity: &'a str,
    pub object: ObjectRef,
    pub summary: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<B>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<A>,
}

/// A notification as written: the fields of `Notification`, in its order and with its names.
#[derive(Serialize)]
pub(crate) struct NoticeLine<'a> {
    pub seq: u64,
    pub to: UserId,
    #[serde(with = "super::serde_util::secs")]
    pub at: Time,
    pub kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub about: Option<ObjectRef>,
    pub subject: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub body: &'a str,
    pub read: bool,
}

impl<B: Serialize, A: Serialize> AuditLine<'_, B, A> {
    /// The line's JSON, as `serde_json` writes it, written by hand (see `json_line`): the actor
    /// and the object too, with nothing allocated for them.
    pub(super) fn write(&self, out: &mut Vec<u8>) {
        let mut o = Obj::new(out);
        o.int("seq", self.seq).int("at", self.at.timestamp()).obj("actor", |o| self.actor.write_fields(o));
        if let Some(by) = &self.by {
            o.obj("by", |o| by.write_fields(o));
        }
        o.str("activity", self.activity);
        write_object(&mut o, "object", self.object);
        o.str("summary", self.summary);
        if let Some(b) = &self.before {
            o.value("before", b);
        }
        if let Some(a) = &self.after {
            o.value("after", a);
        }
        o.end();
    }
}

impl NoticeLine<'_> {
    /// The line's JSON, as `serde_json` writes it, written by hand (see `json_line`): what it
    /// is about too, with nothing allocated for it.
    pub(super) fn write(&self, out: &mut Vec<u8>) {
        let mut o = Obj::new(out);
        o.int("seq", self.seq).int("to", self.to.0).int("at", self.at.timestamp());
        o.str("kind", self.kind);
        if let Some(about) = self.about {
            write_object(&mut o, "about", about);
        }
        o.str("subject", self.subject);
        if !self.body.is_empty() {
            o.str("body", self.body);
        }
        o.bool("read", self.read).end();
    }
}

impl Tenant {
    pub(crate) fn audit(
        &mut self,
        actor: &Actor,
        activity: &str,
        object: impl Into<ObjectRef>,
        summary: impl AsRef<str>,
    ) {
        self.audit_typed::<(), ()>(actor, activity, object, summary.as_ref(), None, None);
    }

    /// An event with the object before and after the change, written as their JSON values are
    /// (an object's keys in alphabetical order: what the files have always held).
    pub(crate) fn audit_change<T: Serialize>(
        &mut self,
        actor: &Actor,
        activity: &str,
        object: impl Into<ObjectRef>,
        summary: impl AsRef<str>,
        before: Option<&T>,
        after: Option<&T>,
    ) {
        // A value that serializes to null (an absent login) is no value: the files leave it
        // out, so the event reads back the same.
        let value = |v: Option<&T>| v.and_then(|v| serde_json::to_value(v).ok()).filter(|v| !v.is_null());
        let (before, after) = (value(before), value(after));
        self.audit_typed(actor, activity, object, summary.as_ref(), before, after);
    }

    /// An event whose before and after are written as they serialize, with no JSON value built
    /// on the way: for the events a clock jump makes by the million. Their fields must be
    /// declared in alphabetical order (as `audit_change` writes them) and never be null.
    pub(crate) fn audit_typed<B: Serialize, A: Serialize>(
        &mut self,
        actor: &Actor,
        activity: &str,
        object: impl Into<ObjectRef>,
        summary: &str,
        before: Option<B>,
        after: Option<A>,
    ) {
        self.audit_seq = self.audit_seq.saturating_add(1);
        let seq = self.audit_seq;
        if self.idx.on_disk.as_mut().is_some_and(|d| d.audit_holds(seq)) {
            return;
        }
        // What the clock fires on the way is the system's doing, not the administrator's.
        let by = self.idx.acting_by.filter(|_| *actor != Actor::System).map(Actor::user);
        let line = AuditLine {
            seq: self.audit_seq,
            at: self.clock.now,
            actor: AuditActor::now(&self.users, actor),
            by: by.as_ref().map(|by| AuditActor::now(&self.users, by)),
            activity,
            object: object.into(),
            summary,
            before,
            after,
        };
        self.audit.push_with(line.seq, |out| line.write(out));
        if let Some((spill, at)) = self.idx.spill.get() {
            self.audit.spill_if_full(spill, at);
        }
    }

    /// Sends `to` a notification of `kind` about `about` (what the reader would open: the
    /// request, review or assignment it tells of).
    pub(crate) fn notify(
        &mut self,
        to: UserId,
        kind: &str,
        about: impl Into<ObjectRef>,
        subject: impl AsRef<str>,
        body: impl AsRef<str>,
    ) {
        self.notice_seq = self.notice_seq.saturating_add(1);
        let seq = self.notice_seq;
        // Marked unread when the command settles (`mark_unread`).
        self.idx.unread_new.push((to, seq));
        if self.idx.on_disk.as_mut().is_some_and(|d| d.notices_hold(to, seq)) {
            return;
        }
        let line = NoticeLine {
            seq,
            to,
            at: self.clock.now,
            kind,
            about: Some(about.into()),
            subject: subject.as_ref(),
            body: body.as_ref(),
            read: false,
        };
        self.notifications.push_with(to, seq, |out| line.write(out));
        if let Some((spill, at)) = self.idx.spill.get() {
            self.notifications.spill_if_full(to, spill, at);
        }
    }
}

/// Marks the notifications `new` (each one's user and number) unread in `unread`, user by user:
/// one lookup of the user's marks each, not one per notification (a year's jump sends millions
/// to 100,000 users). Called as the command settles (`settle_finished`).
pub(super) fn mark_unread(unread: &mut BTreeMap<UserId, IdSet<u64>>, new: Vec<(UserId, u64)>) {
    let new = super::radix::sort_by_key_stable(new.into_iter().map(|(u, seq)| (u.0, seq)).collect());
    for group in new.chunk_by(|a, b| a.0 == b.0) {
        if let Some(&(user, _)) = group.first() {
            let seqs: Vec<u64> = group.iter().map(|x| x.1).collect();
            unread.entry(UserId(user)).or_default().extend_increasing(&seqs);
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::domain::records::{AuditEvent, Notification};

    /// What a line's hand-written `write` gives.
    fn hand(write: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        write(&mut out);
        String::from_utf8(out).expect("utf-8")
    }

    fn at() -> Time {
        chrono::Utc.with_ymd_and_hms(2026, 11, 16, 9, 0, 0).single().expect("a time")
    }

    #[derive(Serialize)]
    struct Ended {
        end: Option<i64>,
        state: &'static str,
    }

    /// The actors a line may name, with names that need escaping.
    fn actors() -> Vec<AuditActor<&'static str>> {
        vec![
            AuditActor::System,
            AuditActor::User { user: UserId(1), display_name: "Admin \"A\" \\ Ops\n" },
            AuditActor::User { user: UserId(3), display_name: "" },
            AuditActor::External { email: "alex@azureblog.net", display_name: "Alex \"Ext\"" },
            AuditActor::External { email: "old@x.net", display_name: "" },
        ]
    }

    fn owned(a: &AuditActor<&str>) -> AuditActor {
        match *a {
            AuditActor::System => AuditActor::System,
            AuditActor::User { user, display_name } => AuditActor::User { user, display_name: display_name.into() },
            AuditActor::External { email, display_name } => {
                AuditActor::External { email: email.into(), display_name: display_name.into() }
            }
            AuditActor::Legacy { text } => AuditActor::Legacy { text: text.into() },
        }
    }

    #[test]
    fn an_audit_line_is_the_event_s_json_and_reads_back_as_the_event() {
        let typed = Ended { end: Some(1_800_000_000), state: "expired" };
        let by = [None, Some(AuditActor::User { user: UserId(2), display_name: "Boss \"B\"" })];
        let mut seen = 0;
        for actor in actors() {
            for by in &by {
                for object in ObjectRef::one_of_each() {
                    let line = AuditLine {
                        seq: 7,
                        at: at(),
                        actor: actor.clone(),
                        by: by.clone(),
                        activity: "assignment.expired",
                        object,
                        summary: "Megan: 'Sales' ended",
                        before: Some(&typed),
                        after: None::<()>,
                    };
                    let event = AuditEvent {
                        seq: 7,
                        at: at(),
                        actor: owned(&actor),
                        by: by.as_ref().map(owned),
                        activity: "assignment.expired".into(),
                        object: object.into(),
                        summary: "Megan: 'Sales' ended".into(),
                        before: serde_json::to_value(&typed).ok(),
                        after: None,
                    };
                    let written = serde_json::to_string(&line).expect("written");
                    assert_eq!(written, serde_json::to_string(&event).expect("written"));
                    assert_eq!(hand(|o| line.write(o)), written);
                    assert_eq!(serde_json::from_str::<AuditEvent>(&written).expect("read back"), event);
                    seen += 1;
                }
            }
        }
        assert_eq!(seen, 5 * 2 * 14);
    }

    #[test]
    fn an_audit_line_names_the_actor_and_object_typed() {
        let line = AuditLine {
            seq: 1,
            at: at(),
            actor: AuditActor::User { user: UserId(5), display_name: "Adele Vance" },
            by: Some(AuditActor::User { user: UserId(1), display_name: "Admin" }),
            activity: "clock.advanced",
            object: ObjectRef::Clock {},
            summary: "s",
            before: None::<()>,
            after: None::<()>,
        };
        assert_eq!(
            hand(|o| line.write(o)),
            r#"{"seq":1,"at":1794819600,"actor":{"type":"user","user":5,"displayName":"Adele Vance"},"by":{"type":"user","user":1,"displayName":"Admin"},"activity":"clock.advanced","object":{"clock":{}},"summary":"s"}"#
        );
    }

    #[test]
    fn a_notice_line_is_the_notification_s_json_with_or_without_a_body_and_what_it_is_about() {
        let abouts: Vec<Option<ObjectRef>> = std::iter::once(None).chain(ObjectRef::one_of_each().map(Some)).collect();
        let mut seen = 0;
        for body in ["", "Ends 2027-01-01 09:00. You can \"extend\" it."] {
            for &about in &abouts {
                let line = NoticeLine {
                    seq: 3,
                    to: UserId(9),
                    at: at(),
                    kind: "expiresSoon",
                    about,
                    subject: "Soon",
                    body,
                    read: false,
                };
                let n = Notification {
                    seq: 3,
                    to: UserId(9),
                    at: at(),
                    kind: "expiresSoon".into(),
                    about,
                    subject: "Soon".into(),
                    body: body.into(),
                    read: false,
                };
                let written = serde_json::to_string(&line).expect("written");
                assert_eq!(written, serde_json::to_string(&n).expect("written"));
                assert_eq!(hand(|o| line.write(o)), written);
                assert_eq!(serde_json::from_str::<Notification>(&written).expect("read back"), n);
                seen += 1;
            }
        }
        assert_eq!(seen, 2 * 15);
    }

    #[test]
    fn a_notice_line_names_what_it_is_about_typed_and_leaves_out_none() {
        let line = |about| NoticeLine {
            seq: 3,
            to: UserId(9),
            at: at(),
            kind: "approvalNeeded",
            about,
            subject: "S",
            body: "",
            read: false,
        };
        assert_eq!(
            hand(|o| line(Some(ObjectRef::Request(crate::domain::RequestId(12)))).write(o)),
            r#"{"seq":3,"to":9,"at":1794819600,"kind":"approvalNeeded","about":{"request":12},"subject":"S","read":false}"#
        );
        assert_eq!(
            hand(|o| line(None).write(o)),
            r#"{"seq":3,"to":9,"at":1794819600,"kind":"approvalNeeded","subject":"S","read":false}"#
        );
    }

    #[test]
    fn a_notification_written_before_about_existed_reads_as_about_nothing() {
        let old = r#"{"seq":3,"to":9,"at":1794819600,"kind":"approved","subject":"Your request for 'P' was approved (req12)","read":true}"#;
        let n: Notification = serde_json::from_str(old).expect("an old line reads");
        assert_eq!(n.about, None, "its text is not parsed for a reference");
        assert_eq!(n.subject, "Your request for 'P' was approved (req12)");
    }
}
