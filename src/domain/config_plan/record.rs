//! Recording a plan as it is made: what happens to each object, the commands tried on the copy,
//! and what they refused.

use super::super::command::{Command, Entry, Outcome};
use super::super::error::{DomainError, not_found};
use super::*;

impl Run<'_> {
    /// Note what happens to an object (merged with what an earlier phase said of it).
    pub(super) fn describe(&mut self, kind: ObjectKind, object: &str, action: Action, properties: Vec<PropertyChange>) {
        match self.plan.changes.iter_mut().find(|c| c.kind == kind && c.object == object) {
            Some(c) => c.properties.extend(properties),
            None => self.plan.changes.push(ObjectChange {
                action,
                kind,
                object: object.to_string(),
                properties,
                note: None,
            }),
        }
    }

    pub(super) fn error(&mut self, kind: ObjectKind, object: &str, error: DomainError) {
        let message = error.to_string();
        self.plan.errors.push(PlanError { kind, object: object.to_string(), message, error });
    }

    pub(super) fn unresolved(&mut self, kind: ObjectKind, object: &str, what: String) {
        self.error(kind, object, not_found(what));
    }

    /// Try the command on the copy; keep it for the apply, or record the refusal.
    pub(super) fn exec(&mut self, kind: ObjectKind, object: &str, command: Command) -> Option<Outcome> {
        let entry = Entry { at: self.t.clock.now, actor: self.actor.clone(), command };
        match self.t.apply(&entry) {
            Ok(out) => {
                self.plan.commands.push(entry.command);
                Some(out)
            }
            Err(e) => {
                self.error(kind, object, e);
                None
            }
        }
    }

    /// A deletion is an entry of its own (another object of the same name may be kept).
    pub(super) fn delete(&mut self, kind: ObjectKind, object: &str, command: Command) {
        let note = self.exec(kind, object, command).map(|out| out.message);
        let change =
            ObjectChange { action: Action::Delete, kind, object: object.to_string(), properties: vec![], note };
        self.plan.changes.push(change);
    }

    /// Create (`old` is `None`: nothing of the name yet) or change an object whose rendering is
    /// `old`. The outcome of a create that the copy accepted.
    pub(super) fn upsert<T: Serialize>(
        &mut self,
        kind: ObjectKind,
        object: &str,
        old: Option<&T>,
        new: &T,
        create: Command,
        update: impl FnOnce() -> Command,
    ) -> Option<Outcome> {
        match old {
            None => {
                self.describe(kind, object, Action::Create, created(new));
                self.exec(kind, object, create)
            }
            Some(old) => {
                let props = changed(old, new);
                if !props.is_empty() {
                    self.describe(kind, object, Action::Change, props);
                    self.exec(kind, object, update());
                }
                None
            }
        }
    }
}
