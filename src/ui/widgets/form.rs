//! Forms made of typed fields, optionally in named steps (a wizard). Fields validate as you type,
//! can be shown only when other fields allow it, and submit as a map of typed [`Value`]s. Input is
//! never lost: a refused submit or an error from the caller keeps the form open as it was.
//! A step can open with a note ([`Form::note`]); values no field shows (the id of the item being
//! edited, say) ride along with [`Form::carry`] and come back with the submit.
//!
//! ```ignore
//! let form = Form::new("new_policy", "New policy")
//!     .step("Basics")
//!     .field(Field::text("name", "Name").required())
//!     .field(Field::number("timeout", "Decision timeout (days)", 1, 30).value(14))
//!     .step("Approval")
//!     .field(Field::toggle("approval", "Require approval").value(true))
//!     .field(Field::choice("stage1", "First approver", ["Manager", "Sponsors"])
//!         .visible_if(|v| v.bool("approval")));
//! // later, on FormOutcome::Submit(values): values.number("timeout"), values.bool("approval") ...
//! ```

use std::collections::BTreeMap;
use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};

pub use super::form_field::{Field, FieldKind, Opt, Validator, VisibleIf, parse_date};
use super::picker::PickerState;
use crate::ui::action::Action;
use crate::ui::ask::Ask;

/// A field's typed value. Empty optional fields give `None`s.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(Option<i64>),
    Bool(bool),
    /// The chosen option's id.
    Choice(Option<String>),
    /// The chosen ids of a multi-choice or lookup field.
    Multi(Vec<String>),
    /// A date; the time is midnight when none was typed.
    Date(Option<NaiveDateTime>),
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}
impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Number(Some(n))
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<Vec<String>> for Value {
    fn from(v: Vec<String>) -> Self {
        Value::Multi(v)
    }
}
impl From<NaiveDate> for Value {
    fn from(d: NaiveDate) -> Self {
        Value::Date(Some(d.and_time(chrono::NaiveTime::MIN)))
    }
}
impl From<NaiveDateTime> for Value {
    fn from(d: NaiveDateTime) -> Self {
        Value::Date(Some(d))
    }
}

/// Field id → value. The accessors give neutral defaults for absent ids (hidden fields are
/// absent from submitted values).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormValues(pub BTreeMap<String, Value>);

impl Value {
    /// The value as plain text: text as typed, a choice's id, several ids joined by ", ".
    pub fn as_text(&self) -> String {
        match self {
            Value::Text(s) => s.clone(),
            Value::Number(n) => n.map(|n| n.to_string()).unwrap_or_default(),
            Value::Bool(b) => b.to_string(),
            Value::Choice(c) => c.clone().unwrap_or_default(),
            Value::Multi(v) => v.join(", "),
            Value::Date(d) => d.map(|d| d.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default(),
        }
    }
}

impl FormValues {
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter()
    }
    pub fn get(&self, id: &str) -> Option<&Value> {
        self.0.get(id)
    }
    pub fn contains(&self, id: &str) -> bool {
        self.0.contains_key(id)
    }
    pub fn text(&self, id: &str) -> &str {
        match self.0.get(id) {
            Some(Value::Text(s)) => s,
            _ => "",
        }
    }
    pub fn number(&self, id: &str) -> Option<i64> {
        match self.0.get(id) {
            Some(Value::Number(n)) => *n,
            _ => None,
        }
    }
    pub fn bool(&self, id: &str) -> bool {
        matches!(self.0.get(id), Some(Value::Bool(true)))
    }
    pub fn choice(&self, id: &str) -> Option<&str> {
        match self.0.get(id) {
            Some(Value::Choice(c)) => c.as_deref(),
            _ => None,
        }
    }
    pub fn multi(&self, id: &str) -> &[String] {
        match self.0.get(id) {
            Some(Value::Multi(v)) => v,
            _ => &[],
        }
    }
    pub fn datetime(&self, id: &str) -> Option<NaiveDateTime> {
        match self.0.get(id) {
            Some(Value::Date(d)) => *d,
            _ => None,
        }
    }
    pub fn date(&self, id: &str) -> Option<NaiveDate> {
        self.datetime(id).map(|d| d.date())
    }
}

/// What the form did with an action.
#[derive(Debug)]
pub enum FormOutcome {
    Ignored,
    Consumed,
    /// Esc: the owner closes the form (after asking, when [`Form::is_dirty`]).
    Cancel,
    /// All visible fields are valid: the values of the visible fields.
    Submit(FormValues),
    /// The same values, to preview what saving them would do; the form stays open.
    Preview(FormValues),
    /// A lookup field wants a picker; give its ids back with [`Form::set_picked`].
    Pick {
        field: String,
        picker: Box<PickerState>,
    },
}

pub struct Form {
    /// Returned with the values so the owner knows what the form was for.
    pub id: Ask,
    pub title: String,
    pub(super) steps: Vec<String>,
    pub(super) fields: Vec<Field>,
    pub(super) focus: usize,
    pub(super) step: usize,
    dirty: bool,
    pub(super) error: Option<String>,
    pub(super) submit_attempted: bool,
    /// Values the form carries to its submit unchanged (e.g. the ids of edited items).
    carried: BTreeMap<String, Value>,
    /// A note shown at the top of a step, by step index.
    pub(super) notes: BTreeMap<usize, String>,
}

impl fmt::Debug for Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Form")
            .field("id", &self.id)
            .field("step", &self.step)
            .field("focus", &self.focus)
            .field("dirty", &self.dirty)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl Form {
    pub fn new(id: Ask, title: impl Into<String>) -> Self {
        Form {
            id,
            title: title.into(),
            steps: Vec::new(),
            fields: Vec::new(),
            focus: 0,
            step: 0,
            dirty: false,
            error: None,
            submit_attempted: false,
            carried: BTreeMap::new(),
            notes: BTreeMap::new(),
        }
    }

    /// Starts a named step; the fields added after it belong to it.
    pub fn step(mut self, name: impl Into<String>) -> Self {
        self.steps.push(name.into());
        self
    }

    /// A value the form does not show but hands back with its values (and to validators), e.g.
    /// the id of the item being edited.
    pub fn carry(mut self, id: impl Into<String>, value: impl Into<Value>) -> Self {
        self.carried.insert(id.into(), value.into());
        self.refresh(false);
        self
    }

    /// A note shown at the top of the current step (e.g. what editing will and will not change).
    pub fn note(mut self, text: impl Into<String>) -> Self {
        if self.steps.is_empty() {
            self.steps.push(String::new());
        }
        self.notes.insert(self.steps.len() - 1, text.into());
        self
    }

    /// The note of a step, if any.
    pub fn step_note(&self, step: usize) -> Option<&str> {
        self.notes.get(&step).map(String::as_str)
    }

    pub fn field(mut self, mut field: Field) -> Self {
        if self.steps.is_empty() {
            self.steps.push(String::new());
        }
        field.step = self.steps.len() - 1;
        self.fields.push(field);
        self.refresh(false);
        self.focus = self.first_visible_in(self.step).unwrap_or(0);
        self
    }

    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    pub fn steps(&self) -> &[String] {
        &self.steps
    }

    pub fn current_step(&self) -> usize {
        self.step
    }

    pub fn focused_id(&self) -> Option<&str> {
        self.fields.get(self.focus).map(|f| f.id.as_str())
    }

    /// The form-level error (a refused submit, or one set by the caller).
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Shows an error from the caller (e.g. a refused domain command) without closing the form.
    pub fn set_error(&mut self, message: impl Into<String>) {
        self.error = Some(message.into());
    }

    /// Marks one field with an error from the caller; focuses it.
    pub fn set_field_error(&mut self, id: &str, message: impl Into<String>) {
        if let Some(i) = self.fields.iter().position(|f| f.id == id) {
            self.fields[i].error = Some(message.into());
            self.fields[i].touched = true;
            self.focus_field(i);
        }
    }

    /// The error shown under a field, if any. Validation runs as you type: once anything in the
    /// form was changed (or a submit tried), every visible field shows its error, so the problems
    /// of the whole form are in view at once, not one after another.
    pub fn field_error(&self, id: &str) -> Option<&str> {
        let f = self.fields.iter().find(|f| f.id == id)?;
        if f.visible && (f.touched || self.dirty || self.submit_attempted) { f.error.as_deref() } else { None }
    }

    pub fn is_visible(&self, id: &str) -> bool {
        self.fields.iter().any(|f| f.id == id && f.visible)
    }

    /// Current values of all fields, hidden ones included, parsed leniently (for display logic).
    pub fn raw_values(&self) -> FormValues {
        let carried = self.carried.iter().map(|(k, v)| (k.clone(), v.clone()));
        FormValues(carried.chain(self.fields.iter().map(|f| (f.id.clone(), f.lenient_value()))).collect())
    }

    /// Sets a field's value from outside (e.g. prefill); does not make the form dirty.
    pub fn set_value(&mut self, id: &str, value: impl Into<Value>) {
        let value = value.into();
        if let Some(f) = self.fields.iter_mut().find(|f| f.id == id) {
            f.set_value(&value);
        }
        self.refresh(false);
    }

    /// The ids picked for a lookup field (the answer to [`FormOutcome::Pick`]).
    pub fn set_picked(&mut self, id: &str, ids: Vec<String>) {
        if let Some(i) = self.fields.iter().position(|f| f.id == id) {
            self.fields[i].picked = ids;
            self.fields[i].touched = true;
            self.dirty = true;
            self.refresh(true);
        }
    }

    fn visible_in(&self, step: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.fields.len()).filter(move |&i| self.fields[i].step == step && self.fields[i].visible)
    }

    fn first_visible_in(&self, step: usize) -> Option<usize> {
        self.visible_in(step).next()
    }

    fn focus_field(&mut self, i: usize) {
        if let Some(f) = self.fields.get(i) {
            self.step = f.step;
            self.focus = i;
        }
    }

    /// Re-evaluates visibility and errors after a change.
    fn refresh(&mut self, edited: bool) {
        let raw = self.raw_values();
        for f in &mut self.fields {
            f.visible = f.visible_if.as_ref().is_none_or(|v| v(&raw));
        }
        let raw = self.raw_values();
        for f in &mut self.fields {
            f.error = if f.visible { f.check(&raw).err() } else { None };
        }
        if edited {
            self.error = None;
        }
        if !self.fields.get(self.focus).is_some_and(|f| f.visible) {
            let next = (self.focus..self.fields.len()).chain((0..self.focus).rev()).find(|&i| self.fields[i].visible);
            if let Some(i) = next {
                self.focus_field(i);
            }
        }
    }

    fn move_field(&mut self, forward: bool) {
        let order: Vec<usize> = (0..self.fields.len()).filter(|&i| self.fields[i].visible).collect();
        let Some(pos) = order.iter().position(|&i| i == self.focus) else {
            return;
        };
        let next = if forward { order.get(pos + 1) } else { pos.checked_sub(1).and_then(|p| order.get(p)) };
        if let Some(&i) = next {
            self.focus_field(i);
        }
    }

    fn move_step(&mut self, forward: bool) {
        let mut s = self.step;
        loop {
            s = match (forward, s) {
                (true, s) if s + 1 < self.steps.len() => s + 1,
                (false, s) if s > 0 => s - 1,
                _ => return,
            };
            if let Some(i) = self.first_visible_in(s) {
                self.focus_field(i);
                return;
            }
        }
    }

    fn is_last_field(&self) -> bool {
        (0..self.fields.len()).rfind(|&i| self.fields[i].visible) == Some(self.focus)
    }

    /// Validates every visible field. On success, the values of the visible fields; otherwise
    /// focuses the first bad field and sets the form error.
    pub fn submit(&mut self) -> Option<FormValues> {
        self.submit_attempted = true;
        self.refresh(false);
        let raw = self.raw_values();
        let mut values = self.carried.clone();
        let mut first_bad = None;
        let mut bad = 0;
        for (i, f) in self.fields.iter().enumerate().filter(|(_, f)| f.visible) {
            match f.check(&raw) {
                Ok(v) => {
                    values.insert(f.id.clone(), v);
                }
                Err(_) => {
                    bad += 1;
                    first_bad.get_or_insert(i);
                }
            }
        }
        if let Some(i) = first_bad {
            self.focus_field(i);
            self.error = Some(if bad == 1 {
                "1 field needs attention".to_string()
            } else {
                format!("{bad} fields need attention")
            });
            return None;
        }
        self.error = None;
        Some(FormValues(values))
    }

    pub fn handle(&mut self, action: Action) -> FormOutcome {
        match action {
            Action::Back => return FormOutcome::Cancel,
            Action::Submit => {
                return match self.submit() {
                    Some(v) => FormOutcome::Submit(v),
                    None => FormOutcome::Consumed,
                };
            }
            Action::Preview => {
                return match self.submit() {
                    Some(v) => FormOutcome::Preview(v),
                    None => FormOutcome::Consumed,
                };
            }
            Action::NextField | Action::Down => self.move_field(true),
            Action::PrevField | Action::Up => self.move_field(false),
            Action::NextStep | Action::PageDown => self.move_step(true),
            Action::PrevStep | Action::PageUp => self.move_step(false),
            Action::Open => {
                if let Some(p) = self.fields.get(self.focus).and_then(Field::picker) {
                    let field = self.fields[self.focus].id.clone();
                    return FormOutcome::Pick { field, picker: Box::new(p) };
                }
                if self.is_last_field() {
                    return match self.submit() {
                        Some(v) => FormOutcome::Submit(v),
                        None => FormOutcome::Consumed,
                    };
                }
                self.move_field(true);
            }
            other => {
                let Some(f) = self.fields.get_mut(self.focus) else {
                    return FormOutcome::Ignored;
                };
                if other == Action::Toggle
                    && let Some(p) = f.picker()
                {
                    return FormOutcome::Pick { field: f.id.clone(), picker: Box::new(p) };
                }
                match f.edit(other) {
                    None => return FormOutcome::Ignored,
                    Some(false) => {}
                    Some(true) => self.edited(),
                }
            }
        }
        FormOutcome::Consumed
    }

    /// Typed text for the focused field.
    pub fn text(&mut self, c: char) -> FormOutcome {
        let Some(f) = self.fields.get_mut(self.focus) else {
            return FormOutcome::Ignored;
        };
        if f.type_char(c) {
            self.edited();
            FormOutcome::Consumed
        } else {
            FormOutcome::Ignored
        }
    }

    fn edited(&mut self) {
        if let Some(f) = self.fields.get_mut(self.focus) {
            f.touched = true;
        }
        self.dirty = true;
        self.refresh(true);
    }
}
