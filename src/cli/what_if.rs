//! Dry runs: `clock advance/set --dry-run` lists what the jump would fire, `policy update
//! --dry-run` what the save would change; nothing is written (the session runs the command on a
//! copy, see `session::what_if`).

use anyhow::Result;

use super::Ctx;
use super::format::{Cell, Table, cells};
use crate::domain::what_if::{Happening, Preview};
use crate::domain::{Command, PolicyId, PolicySpec};

/// `clock advance ... --dry-run`: what the move would fire, in order, and how many of each kind.
pub(crate) fn clock(ctx: &mut Ctx, command: Command) -> Result<()> {
    ctx.actor()?;
    let p = ctx.session.preview(command)?;
    // In CSV, what would fire (the counts are a sum over it).
    ctx.show_table(&p, || happenings(&p), |tab| clock_text(&p, tab))
}

/// What the jump would fire, in order.
fn happenings(p: &Preview) -> Table {
    let mut tab = Table::new(&["WHEN", "WHAT", "OBJECT", "DETAIL"]);
    for h in &p.happenings {
        let row = match h {
            Happening::Event { at, activity, object, summary, .. } => {
                cells![Cell::time(*at), activity.clone(), object.to_string(), summary.clone()]
            }
            Happening::Notice { at, kind, to, subject, .. } => {
                cells![Cell::time(*at), format!("notice.{kind}"), to.clone(), subject.clone()]
            }
            Happening::Call { at, extension, stage, object } => {
                cells![Cell::time(*at), "customExtension.call", object.to_string(), format!("'{extension}' at {stage}")]
            }
        };
        tab.row(row);
    }
    tab
}

fn clock_text(p: &Preview, tab: &Table) -> String {
    let mut out = format!("Dry run, nothing changed. {}\n\n", p.message);
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
    let p = ctx.session.preview_policy(policy, spec, crate::domain::what_if_policy::NAMED)?;
    let t = ctx.t();
    ctx.show(&p, || p.text(t))
}
