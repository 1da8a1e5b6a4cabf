//! Dry runs: `clock advance/set --dry-run` lists what the jump would fire, `policy update
//! --dry-run` what the save would change; nothing is written (the session runs the command on a
//! copy, see `session::what_if`).

use anyhow::Result;

use super::Ctx;
use super::format::{self, Table, kv};
use crate::domain::what_if::{Happening, Preview};
use crate::domain::what_if_policy::{FirstOf, PolicyPreview};
use crate::domain::{Command, PolicyId, PolicySpec, Tenant, UserId};

/// How many people a policy preview names (the counts are whole).
pub(crate) const NAMED: usize = 20;

/// `clock advance ... --dry-run`: what the move would fire, in order, and how many of each kind.
pub(crate) fn clock(ctx: &mut Ctx, command: Command) -> Result<()> {
    ctx.actor()?;
    let p = ctx.session.preview(command)?;
    ctx.show(&p, || clock_text(&p))
}

pub(crate) fn clock_text(p: &Preview) -> String {
    let mut out = format!("Dry run, nothing changed. {}\n\n", p.message);
    let mut tab = Table::new(&["WHEN", "WHAT", "OBJECT", "DETAIL"]);
    for h in &p.happenings {
        let row = match h {
            Happening::Event { at, activity, object, summary, .. } => {
                vec![format::time(*at), activity.clone(), object.clone(), summary.clone()]
            }
            Happening::Notice { at, kind, to, subject, .. } => {
                vec![format::time(*at), format!("notice.{kind}"), to.clone(), subject.clone()]
            }
        };
        tab.row(row);
    }
    out.push_str(&tab.render_or("Nothing would fire\n"));
    if !p.counts.is_empty() {
        out.push_str("\nCounts:\n");
        let mut counts = Table::new(&["KIND", "COUNT"]);
        for (k, n) in &p.counts {
            counts.row(vec![k.clone(), n.to_string()]);
        }
        out.push_str(&counts.render());
    }
    out
}

/// `policy update ... --dry-run`: who and what the save would change.
pub(crate) fn policy(ctx: &mut Ctx, policy: PolicyId, spec: &PolicySpec) -> Result<()> {
    ctx.actor()?;
    let p = ctx.session.preview_policy(policy, spec, NAMED)?;
    let t = ctx.t();
    ctx.show(&p, || policy_text(t, &p))
}

pub(crate) fn policy_text(t: &Tenant, p: &PolicyPreview) -> String {
    let users = |l: &FirstOf<UserId>| named(l, |u| t.user_name(*u));
    let kept = |l: &FirstOf<crate::domain::what_if_policy::Kept>| {
        named(l, |k| format!("{} {} (revision {})", k.id, k.user, k.revision))
    };
    let orgs = |l: &[crate::domain::OrgId]| {
        let names: Vec<String> =
            l.iter().map(|o| t.orgs.get(o).map(|o| o.display_name.clone()).unwrap_or_default()).collect();
        if names.is_empty() { "-".to_string() } else { names.join(", ") }
    };
    let revision = if p.new_revision == p.revision {
        format!("{} (the terms do not change)", p.revision)
    } else {
        format!("{} -> {} (new requests only)", p.revision, p.new_revision)
    };
    let mut out = "Dry run, nothing saved.\n".to_string();
    out.push_str(&kv(&[
        ("Revision", revision),
        ("Assignments keep their terms", kept(&p.assignments_keep_terms)),
        ("Waiting requests keep theirs", kept(&p.requests_keep_terms)),
        ("Could request it after", users(&p.gain)),
        ("Could no longer request it", users(&p.lose)),
        ("Organizations gaining it", orgs(&p.orgs_gain)),
        ("Organizations losing it", orgs(&p.orgs_lose)),
    ]));
    if let Some(gains) = p.any_external {
        out.push_str(if gains {
            "People of no connected organization could request it after\n"
        } else {
            "People of no connected organization could no longer request it\n"
        });
    }
    out
}

/// "COUNT: first, second, ... and N more", or "0".
fn named<T>(l: &FirstOf<T>, name: impl Fn(&T) -> String) -> String {
    if l.count == 0 {
        return "0".into();
    }
    let mut shown: Vec<String> = l.first.iter().map(name).collect();
    if l.count > l.first.len() {
        shown.push(format!("and {} more", l.count - l.first.len()));
    }
    format!("{}: {}", l.count, shown.join(", "))
}
