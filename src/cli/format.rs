//! Output: aligned tables, key-value blocks, times as `YYYY-MM-DD HH:MM`, and JSON.

use std::io::Write;

use serde::Serialize;

use crate::domain::text::printable;
use crate::domain::{Approver, Fired, Reviewer, Tenant, Time};

/// A table with a header row; columns are as wide as their widest cell.
#[derive(Debug, Default)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&str]) -> Self {
        Table { headers: headers.iter().map(|h| h.to_string()).collect(), rows: vec![] }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn render(&self) -> String {
        let cols = self.headers.len();
        let mut width = vec![0usize; cols];
        for row in std::iter::once(&self.headers).chain(&self.rows) {
            for (i, cell) in row.iter().take(cols).enumerate() {
                width[i] = width[i].max(cell.chars().count());
            }
        }
        let mut out = String::new();
        for row in std::iter::once(&self.headers).chain(&self.rows) {
            let mut line = String::new();
            for (i, cell) in row.iter().take(cols).enumerate() {
                if i > 0 {
                    line.push_str("  ");
                }
                line.push_str(cell);
                if i + 1 < cols {
                    let pad = width[i].saturating_sub(cell.chars().count());
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    /// The table, or `empty` when it has no rows.
    pub fn render_or(&self, empty: &str) -> String {
        if self.is_empty() { empty.to_string() } else { self.render() }
    }
}

/// Aligned `key  value` lines; empty values are left out.
pub fn kv(pairs: &[(&str, String)]) -> String {
    let pairs: Vec<_> = pairs.iter().filter(|(_, v)| !v.trim().is_empty()).collect();
    let w = pairs.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    for (k, v) in pairs {
        let pad = w - k.chars().count();
        out.push_str(&format!("  {k}{}  {v}\n", " ".repeat(pad)));
    }
    out
}

/// Write text to stdout, control characters made visible (a justification's escape codes must not
/// reach the reader's terminal); a closed pipe (`entitle ... | head`) is not an error.
pub fn emit(text: &str) {
    write_raw(&printable(text));
}

/// Write a message to stderr, control characters made visible.
pub fn warn(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{}", printable(text));
}

fn write_raw(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
}

/// JSON keeps the raw text: serde_json escapes every control character in a string.
pub fn emit_json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    write_raw(&format!("{text}\n"));
    Ok(())
}

pub fn time(t: Time) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

pub fn opt_time(t: Option<Time>, none: &str) -> String {
    t.map(time).unwrap_or_else(|| none.to_string())
}

/// What is left until `deadline`: `13d 4h`, `5h 20m`, or `overdue`.
pub fn left(now: Time, deadline: Time) -> String {
    let d = deadline - now;
    if d <= chrono::Duration::zero() {
        return "overdue".into();
    }
    let (days, hours, mins) = (d.num_days(), d.num_hours() % 24, d.num_minutes() % 60);
    if days > 0 { format!("{days}d {hours}h") } else { format!("{hours}h {mins}m") }
}

pub fn yes_no(b: bool) -> String {
    if b { "yes".into() } else { "no".into() }
}

/// What the clock fired, as JSON.
pub fn fired_json(f: &Fired) -> serde_json::Value {
    serde_json::json!({
        "expired": f.expired,
        "timedOut": f.timed_out,
        "escalated": f.escalated,
        "notices": f.notices,
        "started": f.started,
        "reviewsOpened": f.reviews_opened,
        "reviewsCompleted": f.reviews_completed,
        "removedByReview": f.removed_by_review,
        "guestsRemoved": f.guests_removed,
        "autoRemoved": f.auto_removed,
    })
}

pub fn approver(t: &Tenant, a: &Approver) -> String {
    match a {
        Approver::Manager => "manager".into(),
        Approver::InternalSponsors => "sponsors".into(),
        Approver::ExternalSponsors => "external sponsors".into(),
        Approver::User { user } => t.user_name(*user),
        Approver::GroupMembers { group } => format!("members of {}", t.resource_name(*group)),
    }
}

pub fn approvers(t: &Tenant, list: &[Approver]) -> String {
    list.iter().map(|a| approver(t, a)).collect::<Vec<_>>().join(", ")
}

pub fn reviewer(t: &Tenant, r: &Reviewer) -> String {
    match r {
        Reviewer::SelfReview => "self".into(),
        Reviewer::Manager => "manager".into(),
        Reviewer::User { user } => t.user_name(*user),
    }
}

pub fn names(t: &Tenant, users: impl IntoIterator<Item = crate::domain::UserId>) -> String {
    let v: Vec<String> = users.into_iter().map(|u| t.user_name(u)).collect();
    if v.is_empty() { "-".into() } else { v.join(", ") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns() {
        let mut t = Table::new(&["ID", "NAME"]);
        t.row(vec!["u1".into(), "Adele".into()]);
        t.row(vec!["u12".into(), "Al".into()]);
        assert_eq!(t.render(), "ID   NAME\nu1   Adele\nu12  Al\n");
    }
}
