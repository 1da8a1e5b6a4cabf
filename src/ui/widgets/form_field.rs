//! One form field: its declaration (builder), its editing state and its validation.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};

use super::form::{FormValues, Value};
use super::input::TextInput;
use super::picker::{PickItem, PickerState};
use crate::ui::action::Action;
use crate::ui::ask::Ask;

/// Checks a parsed value against all current values; `Some(message)` is an error.
pub type Validator = Box<dyn Fn(&Value, &FormValues) -> Option<String>>;
/// Decides from the current values whether a field is shown.
pub type VisibleIf = Box<dyn Fn(&FormValues) -> bool>;

/// An option of a choice: its id (returned) and label (shown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opt {
    pub id: String,
    pub label: String,
}

impl From<&str> for Opt {
    fn from(s: &str) -> Self {
        Opt { id: s.into(), label: s.into() }
    }
}
impl From<String> for Opt {
    fn from(s: String) -> Self {
        Opt { id: s.clone(), label: s }
    }
}
impl From<(&str, &str)> for Opt {
    fn from((id, label): (&str, &str)) -> Self {
        Opt { id: id.into(), label: label.into() }
    }
}
impl From<(String, String)> for Opt {
    fn from((id, label): (String, String)) -> Self {
        Opt { id, label }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    Text,
    Number {
        min: i64,
        max: i64,
    },
    Toggle,
    Choice(Vec<Opt>),
    MultiChoice(Vec<Opt>),
    /// `YYYY-MM-DD`, or `YYYY-MM-DD HH:MM` when `time` is allowed.
    Date {
        time: bool,
    },
    /// Chosen in a picker popup over many items (Enter or space opens it).
    Lookup {
        items: Vec<PickItem>,
        multi: bool,
    },
}

pub struct Field {
    pub id: String,
    pub label: String,
    pub kind: FieldKind,
    pub help: Option<String>,
    pub required: bool,
    pub(super) step: usize,
    pub(super) input: TextInput,
    pub(super) on: bool,
    pub(super) choice: usize,
    pub(super) flags: Vec<bool>,
    pub(super) item_cursor: usize,
    pub(super) picked: Vec<String>,
    pub(super) touched: bool,
    pub(super) visible: bool,
    pub(super) error: Option<String>,
    validator: Option<Validator>,
    pub(super) visible_if: Option<VisibleIf>,
}

impl fmt::Debug for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Field")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("value", &self.lenient_value())
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl Field {
    fn new(id: impl Into<String>, label: impl Into<String>, kind: FieldKind) -> Self {
        let flags = match &kind {
            FieldKind::MultiChoice(opts) => vec![false; opts.len()],
            _ => Vec::new(),
        };
        Field {
            id: id.into(),
            label: label.into(),
            kind,
            help: None,
            required: false,
            step: 0,
            input: TextInput::default(),
            on: false,
            choice: 0,
            flags,
            item_cursor: 0,
            picked: Vec::new(),
            touched: false,
            visible: true,
            error: None,
            validator: None,
            visible_if: None,
        }
    }

    pub fn text(id: impl Into<String>, label: impl Into<String>) -> Self {
        Field::new(id, label, FieldKind::Text)
    }
    pub fn number(id: impl Into<String>, label: impl Into<String>, min: i64, max: i64) -> Self {
        Field::new(id, label, FieldKind::Number { min, max })
    }
    pub fn toggle(id: impl Into<String>, label: impl Into<String>) -> Self {
        Field::new(id, label, FieldKind::Toggle)
    }
    pub fn choice<O: Into<Opt>>(
        id: impl Into<String>,
        label: impl Into<String>,
        options: impl IntoIterator<Item = O>,
    ) -> Self {
        Field::new(id, label, FieldKind::Choice(options.into_iter().map(Into::into).collect()))
    }
    pub fn multi_choice<O: Into<Opt>>(
        id: impl Into<String>,
        label: impl Into<String>,
        options: impl IntoIterator<Item = O>,
    ) -> Self {
        let opts = options.into_iter().map(Into::into).collect();
        Field::new(id, label, FieldKind::MultiChoice(opts))
    }
    /// A date; with `time`, an optional ` HH:MM` may follow.
    pub fn date(id: impl Into<String>, label: impl Into<String>, time: bool) -> Self {
        Field::new(id, label, FieldKind::Date { time })
    }
    pub fn lookup(id: impl Into<String>, label: impl Into<String>, items: Vec<PickItem>, multi: bool) -> Self {
        Field::new(id, label, FieldKind::Lookup { items, multi })
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn help(mut self, text: impl Into<String>) -> Self {
        self.help = Some(text.into());
        self
    }
    /// The initial value (see [`Value`]'s `From` impls: `"text"`, `14`, `true`, a date...). For a
    /// choice or lookup, a text value is an option id.
    pub fn value(mut self, value: impl Into<Value>) -> Self {
        self.set_value(&value.into());
        self
    }
    /// A check run as you type, after the built-in ones (required, number range, date format).
    pub fn validate(mut self, f: impl Fn(&Value, &FormValues) -> Option<String> + 'static) -> Self {
        self.validator = Some(Box::new(f));
        self
    }
    /// Shows the field only while `f` says so (given all current values).
    pub fn visible_if(mut self, f: impl Fn(&FormValues) -> bool + 'static) -> Self {
        self.visible_if = Some(Box::new(f));
        self
    }

    pub(super) fn set_value(&mut self, value: &Value) {
        match (&self.kind, value) {
            (FieldKind::Toggle, Value::Bool(b)) => self.on = *b,
            (FieldKind::Choice(opts), Value::Text(id) | Value::Choice(Some(id))) => {
                if let Some(i) = opts.iter().position(|o| &o.id == id) {
                    self.choice = i;
                }
            }
            (FieldKind::MultiChoice(opts), Value::Multi(ids)) => {
                self.flags = opts.iter().map(|o| ids.contains(&o.id)).collect();
            }
            (FieldKind::Lookup { .. }, Value::Multi(ids)) => self.picked = ids.clone(),
            (FieldKind::Lookup { .. }, Value::Text(id) | Value::Choice(Some(id))) => {
                self.picked = vec![id.clone()];
            }
            (_, Value::Text(s)) => self.input.set(s.as_str()),
            (_, Value::Number(Some(n))) => self.input.set(n.to_string()),
            (FieldKind::Date { time }, Value::Date(Some(d))) => {
                let midnight = d.time() == chrono::NaiveTime::MIN;
                let fmt = if *time && !midnight { "%Y-%m-%d %H:%M" } else { "%Y-%m-%d" };
                self.input.set(d.format(fmt).to_string());
            }
            _ => {}
        }
    }

    fn uses_input(&self) -> bool {
        matches!(self.kind, FieldKind::Text | FieldKind::Number { .. } | FieldKind::Date { .. })
    }

    /// The value as well as it can be read, for visibility and cross-field checks.
    pub(super) fn lenient_value(&self) -> Value {
        self.parse().unwrap_or_else(|_| match self.kind {
            FieldKind::Number { .. } => Value::Number(None),
            FieldKind::Date { .. } => Value::Date(None),
            _ => Value::Text(self.input.value().to_string()),
        })
    }

    fn parse(&self) -> Result<Value, String> {
        let raw = self.input.value().trim();
        let label = &self.label;
        Ok(match &self.kind {
            FieldKind::Text => Value::Text(raw.to_string()),
            FieldKind::Toggle => Value::Bool(self.on),
            FieldKind::Choice(opts) => Value::Choice(opts.get(self.choice).map(|o| o.id.clone())),
            FieldKind::MultiChoice(opts) => {
                Value::Multi(opts.iter().zip(&self.flags).filter(|(_, on)| **on).map(|(o, _)| o.id.clone()).collect())
            }
            FieldKind::Lookup { .. } => Value::Multi(self.picked.clone()),
            FieldKind::Number { .. } if raw.is_empty() => Value::Number(None),
            FieldKind::Number { min, max } => {
                let n: i64 = raw.parse().map_err(|_| format!("{label} must be a whole number"))?;
                if n < *min || n > *max {
                    return Err(format!("{label} must be {min}-{max}"));
                }
                Value::Number(Some(n))
            }
            FieldKind::Date { .. } if raw.is_empty() => Value::Date(None),
            FieldKind::Date { time } => Value::Date(Some(parse_date(raw, *time).ok_or_else(|| {
                if *time {
                    format!("{label}: use YYYY-MM-DD or YYYY-MM-DD HH:MM")
                } else {
                    format!("{label}: use YYYY-MM-DD")
                }
            })?)),
        })
    }

    fn is_empty(value: &Value) -> bool {
        match value {
            Value::Text(s) => s.is_empty(),
            Value::Number(n) => n.is_none(),
            Value::Bool(_) => false,
            Value::Choice(c) => c.is_none(),
            Value::Multi(v) => v.is_empty(),
            Value::Date(d) => d.is_none(),
        }
    }

    /// Built-in checks, then the field's validator.
    pub(super) fn check(&self, all: &FormValues) -> Result<Value, String> {
        let value = self.parse()?;
        if self.required && Field::is_empty(&value) {
            return Err(match self.kind {
                FieldKind::MultiChoice(_) | FieldKind::Lookup { .. } => {
                    format!("{}: choose at least one", self.label)
                }
                _ => format!("{} is required", self.label),
            });
        }
        match self.validator.as_ref().and_then(|v| v(&value, all)) {
            Some(e) => Err(e),
            None => Ok(value),
        }
    }

    /// A picker for a lookup field, preset with the current picks.
    pub(super) fn picker(&self) -> Option<PickerState> {
        let FieldKind::Lookup { items, multi } = &self.kind else {
            return None;
        };
        let p = PickerState::new(Ask::Lookup(self.id.clone()), self.label.clone(), items.clone());
        let p = match self.picked.first() {
            Some(first) => p.highlight(first),
            None => p,
        };
        Some(if *multi { p.multi(self.picked.clone()) } else { p })
    }

    /// Applies an editing action. `None`: not used; `Some(changed)`.
    pub(super) fn edit(&mut self, action: Action) -> Option<bool> {
        if self.uses_input() {
            if action == Action::Toggle {
                return Some(self.type_char(' '));
            }
            return self.input.handle(action);
        }
        let flip = matches!(action, Action::Toggle | Action::Left | Action::Right);
        match &self.kind {
            FieldKind::Toggle if flip => {
                self.on = !self.on;
                Some(true)
            }
            FieldKind::Choice(opts) if flip && !opts.is_empty() => {
                let n = opts.len();
                self.choice = match action {
                    Action::Left => (self.choice + n - 1) % n,
                    _ => (self.choice + 1) % n,
                };
                Some(true)
            }
            FieldKind::MultiChoice(opts) if !opts.is_empty() => match action {
                Action::Left => {
                    self.item_cursor = self.item_cursor.saturating_sub(1);
                    Some(false)
                }
                Action::Right => {
                    self.item_cursor = (self.item_cursor + 1).min(opts.len() - 1);
                    Some(false)
                }
                Action::Toggle => {
                    let flag = self.flags.get_mut(self.item_cursor)?;
                    *flag = !*flag;
                    Some(true)
                }
                _ => None,
            },
            FieldKind::Lookup { .. } if action == Action::ClearLine => {
                let changed = !self.picked.is_empty();
                self.picked.clear();
                Some(changed)
            }
            _ => None,
        }
    }

    /// Typed text; only text-like fields take it.
    pub(super) fn type_char(&mut self, c: char) -> bool {
        if self.uses_input() {
            self.input.insert(c);
            true
        } else {
            false
        }
    }

    /// Labels of the picked items of a lookup field.
    pub(super) fn picked_labels(&self) -> String {
        let FieldKind::Lookup { items, .. } = &self.kind else {
            return String::new();
        };
        self.picked
            .iter()
            .map(|id| items.iter().find(|i| &i.id == id).map_or(id.as_str(), |i| i.label.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `YYYY-MM-DD`, or with `time` also `YYYY-MM-DD HH:MM`.
pub fn parse_date(s: &str, time: bool) -> Option<NaiveDateTime> {
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d.and_time(chrono::NaiveTime::MIN));
    }
    if time {
        return NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").ok();
    }
    None
}
