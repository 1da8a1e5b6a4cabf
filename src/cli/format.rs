//! Output: aligned tables (or their CSV, see [`crate::tabular`]), key-value blocks, times as
//! `YYYY-MM-DD HH:MM`, and JSON.

use std::io::Write;

use serde::Serialize;

pub use crate::cells;
use crate::domain::text::printable;
use crate::domain::{Approver, Fired, Reviewer, Tenant, Time};
pub use crate::tabular::{Cell, Table};

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

/// CSV keeps the raw text (quoted as RFC 4180 says): it is data for a program, not the terminal.
pub fn emit_csv(table: &Table) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match table.write_csv(&mut out) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
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

/// The names, or a blank cell (`-` in the table) when there are none.
pub fn names_cell(t: &Tenant, users: impl IntoIterator<Item = crate::domain::UserId>) -> Cell {
    let v: Vec<String> = users.into_iter().map(|u| t.user_name(u)).collect();
    Cell::text_or(v.join(", "), "-")
}

/// The names, or `-` when there are none.
pub fn names(t: &Tenant, users: impl IntoIterator<Item = crate::domain::UserId>) -> String {
    names_cell(t, users).shown().to_string()
}
