//! What-if: a command run on a copy of the tenant, to see what it would do before it is done.
//! The copy runs the real command (the clock jump's own engine, the policy editor's own save), so
//! the preview cannot differ from what the command then does; the tenant is not touched, and the
//! copy holds no spill (`SpillSlot` clones empty), so nothing of it reaches the history files.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Time;
use super::audit_refs::{AuditActor, AuditObject};
use super::command::{Command, Entry, Outcome};
use super::error::DomainResult;
use super::ids::ObjectRef;
use super::rights::Actor;
use super::tenant::Tenant;

/// One thing a previewed command would do, in the order it would happen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "type")]
pub enum Happening {
    /// An audit event: an expiry, a timeout, a review opening or closing, a guest blocked...
    Event {
        seq: u64,
        #[serde(with = "super::serde_util::secs")]
        at: Time,
        actor: AuditActor,
        activity: String,
        object: AuditObject,
        summary: String,
    },
    /// A notification (what the real service emails).
    Notice {
        seq: u64,
        #[serde(with = "super::serde_util::secs")]
        at: Time,
        to: String,
        kind: String,
        subject: String,
    },
    /// A custom extension's call the command would queue: a preview never runs it, and the
    /// call's outcome is recorded by a command of its own after the real one.
    Call {
        #[serde(with = "super::serde_util::secs")]
        at: Time,
        extension: String,
        stage: String,
        /// What the call is about: the assignment, else the request, else the policy.
        object: ObjectRef,
    },
}

impl Happening {
    pub fn at(&self) -> Time {
        match self {
            Happening::Event { at, .. } | Happening::Notice { at, .. } | Happening::Call { at, .. } => *at,
        }
    }

    /// The kind it is counted under: the event's activity, or `notice.KIND`.
    pub fn kind(&self) -> String {
        match self {
            Happening::Event { activity, .. } => activity.clone(),
            Happening::Notice { kind, .. } => format!("notice.{kind}"),
            Happening::Call { .. } => "customExtension.call".into(),
        }
    }
}

/// What a command would do, had it been run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    /// The command's own message ("Clock now ...: 3 expired, ...").
    pub message: String,
    /// Everything it would do, in order: events, and the notices sent at the same instant after them.
    pub happenings: Vec<Happening>,
    /// How many of each kind.
    pub counts: BTreeMap<String, usize>,
}

impl Tenant {
    /// Run `command` as `actor` on a copy, after a tick to `tick_to` (a live clock's time now, as
    /// a session ticks before each command), and tell what it did. The tenant is unchanged.
    pub fn preview(&self, tick_to: Option<Time>, actor: &Actor, command: Command) -> DomainResult<(Preview, Tenant)> {
        let mut copy = self.clone();
        let queued: std::collections::BTreeSet<_> = self.callouts.keys().copied().collect();
        // Only what the command makes is listed: the copy starts with empty tails.
        copy.audit.clear();
        copy.notifications.clear();
        let mut fired = super::timers::Fired::default();
        if let Some(at) = tick_to.filter(|at| *at > copy.clock.now) {
            fired = copy.apply(&Entry { at, actor: Actor::System, command: Command::Tick })?.fired;
        }
        let at = copy.clock.now;
        let Outcome { message, .. } = copy.apply(&Entry { at, actor: actor.clone(), command })?;
        let message = if fired.is_empty() { message } else { format!("{message} (and, first, {fired})") };
        let happenings = copy.happenings(&queued);
        let mut counts = BTreeMap::new();
        for h in &happenings {
            *counts.entry(h.kind()).or_insert(0) += 1;
        }
        Ok((Preview { message, happenings, counts }, copy))
    }

    /// The events and notices in memory, in time order (an event before the notices of its
    /// instant), then the extension calls queued since (those not in `queued`).
    fn happenings(&self, queued: &std::collections::BTreeSet<super::ids::CalloutId>) -> Vec<Happening> {
        let mut all: Vec<(Time, u8, u64, Happening)> = self
            .audit
            .iter()
            .map(|e| {
                let h = Happening::Event {
                    seq: e.seq,
                    at: e.at,
                    actor: e.actor,
                    activity: e.activity,
                    object: e.object,
                    summary: e.summary,
                };
                (e.at, 0, e.seq, h)
            })
            .collect();
        all.extend(self.notifications.to_vec().into_iter().map(|n| {
            let h =
                Happening::Notice { seq: n.seq, at: n.at, to: self.user_name(n.to), kind: n.kind, subject: n.subject };
            (n.at, 1, n.seq, h)
        }));
        all.extend(self.callouts.values().filter(|c| !queued.contains(&c.id)).map(|c| {
            let extension = self
                .extensions
                .get(&c.extension)
                .map_or_else(|| c.extension.to_string(), |x| x.spec.display_name.clone());
            let object = match (c.assignment, c.request) {
                (Some(a), _) => a.into(),
                (None, Some(r)) => r.into(),
                (None, None) => c.policy.into(),
            };
            let h = Happening::Call { at: c.queued_at, extension, stage: c.stage.to_string(), object };
            (c.queued_at, 2, c.id.0, h)
        }));
        all.sort_by_key(|a| (a.0, a.1, a.2));
        all.into_iter().map(|(_, _, _, h)| h).collect()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A preview spills nothing, even when the tenant runs in a store that spills every line: the
    /// control, the real jump on the same tenant, spills.
    #[test]
    fn a_preview_spills_nothing_where_the_real_jump_spills() {
        let mut t = crate::demo::demo_tenant().expect("the demo loads");
        let spilled = Arc::new(AtomicUsize::new(0));
        let count = spilled.clone();
        let spill: super::super::tail::Spill =
            Box::new(move |_: &str, _: super::super::tail::Batch, _: u64, _: u64| {
                count.fetch_add(1, Ordering::SeqCst);
                Vec::new()
            });
        t.spill_into(Some(spill));
        t.idx.spill.at = 1;
        let jump = Command::AdvanceClock { seconds: 90 * 86_400 };
        let (p, _) = t.preview(None, &Actor::System, jump.clone()).expect("the jump is allowed");
        assert!(!p.happenings.is_empty());
        assert_eq!(spilled.load(Ordering::SeqCst), 0, "the preview spilled");
        let at = t.clock.now;
        t.apply(&Entry { at, actor: Actor::System, command: jump }).expect("the jump is allowed");
        assert!(spilled.load(Ordering::SeqCst) > 0, "the control did not spill: the test proves nothing");
        t.spill_into(None);
    }
}
