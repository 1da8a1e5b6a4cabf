//! The reports about a past instant (`--at`): `report access`, `report holders` and
//! `assignments`, as the domain reconstructs them (`domain::point_in_time`).

use anyhow::Result;

use super::Ctx;
use super::format::{Cell, Table, cells};
use super::parse::When;
use crate::domain::point_in_time::{AsOf, AsOfReport, AssignmentAt, HeldRow};
use crate::domain::{AssignmentState, PackageId, UserId};

/// The line above the table: the instant, and the caveat of an answer that is not exact.
fn heading(as_of: &AsOf) -> String {
    let mut text = format!("{}\n", as_of.heading());
    if let Some(c) = as_of.caveat() {
        text.push_str(&c);
        text.push('\n');
    }
    text.push('\n');
    text
}

fn held_table(report: &AsOfReport<HeldRow>, with_user: bool) -> Table {
    let mut tab = if with_user {
        Table::new(&["USER", "RESOURCE", "ROLE", "VIA", "SINCE", "UNTIL"])
    } else {
        Table::new(&["RESOURCE", "ROLE", "VIA", "SINCE", "UNTIL"])
    };
    for h in &report.rows {
        let r = &h.row;
        let mut cells = cells![
            r.resource_name.clone(),
            r.role.clone(),
            crate::domain::report::via_text(&r.via, ", "),
            Cell::time(h.since),
            Cell::opt_time(h.until, "still held"),
        ];
        if with_user {
            cells.insert(0, r.user_name.clone().into());
        }
        tab.row(cells);
    }
    tab
}

pub(crate) fn access(ctx: &Ctx, user: &str, at: When) -> Result<()> {
    let t = ctx.t();
    let u = t.find_user(user)?;
    let report = t.access_at_visible(ctx.actor()?, u.id, at.resolve(ctx.now()))?;
    let empty = format!("{} held no resource then\n", u.display_name);
    ctx.show_table(&report, || held_table(&report, false), |tab| heading(&report.as_of) + &tab.render_or(&empty))
}

pub(crate) fn holders(ctx: &Ctx, resource: &str, at: When) -> Result<()> {
    let t = ctx.t();
    let r = t.find_resource(resource)?;
    let report = t.holders_at_visible(ctx.actor()?, r.id, at.resolve(ctx.now()))?;
    let empty = format!("Nobody held {} then\n", r.display_name);
    ctx.show_table(&report, || held_table(&report, true), |tab| heading(&report.as_of) + &tab.render_or(&empty))
}

pub(crate) fn assignments(
    ctx: &Ctx,
    at: When,
    user: Option<UserId>,
    package: Option<PackageId>,
    keep: impl Fn(AssignmentState) -> bool,
) -> Result<()> {
    let t = ctx.t();
    let mut report = t.assignments_at_visible(ctx.actor()?, at.resolve(ctx.now()), user, package)?;
    report.rows.retain(|a| keep(a.state));
    report.rows.sort_by_key(|x| (x.package, t.user_name(x.target), x.id));
    let table = || {
        let mut tab = Table::new(&["ID", "PACKAGE", "USER", "STATE", "START", "END", "POLICY", "UNTIL"]);
        for a in &report.rows {
            tab.row(assignment_cells(ctx, a));
        }
        tab
    };
    ctx.show_table(&report, table, |tab| heading(&report.as_of) + &tab.render_or("No assignments then\n"))
}

fn assignment_cells(ctx: &Ctx, a: &AssignmentAt) -> Vec<Cell> {
    let mut cells =
        super::lifecycle::assignment_cells(ctx.t(), a.id, a.package, a.target, a.state, a.start, a.end, a.policy);
    cells.push(Cell::opt_time(a.until, "still held"));
    cells
}
