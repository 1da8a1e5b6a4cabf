//! One row of a report: what the domain's report gave (kept as it came, or as an id to look up),
//! turned into cells only when the row is drawn or indexed for a filter.

use crate::domain::lint::Finding;
use crate::domain::point_in_time::{AssignmentAt, HeldRow};
use crate::domain::report::{AccessRow, UserPackageRow};
use crate::domain::views::time_left;
use crate::domain::{AssignmentId, AssignmentState, Conflict, RequestId, Target, Tenant};
use crate::ui::ctx::Ctx;
use crate::ui::tabs::common::*;
use crate::ui::widgets::table::CellText;

use super::data::package_name;

#[derive(Debug, Clone)]
pub enum Row {
    Package(UserPackageRow),
    Holder(AccessRow),
    /// What a user holds (the access report).
    Access(AccessRow),
    /// A membership at a past instant; `true` in the holders report (the user named), `false`
    /// in the access report (the resource named).
    Past(HeldRow, bool),
    /// An assignment of the package, under its state's heading.
    Assignment(AssignmentState, AssignmentId),
    /// An assignment of the package at a past instant: its state and end as they stood then.
    PastAssignment(AssignmentAt),
    Expiring(AssignmentId),
    Request(RequestId),
    /// A membership outside any package, and whether a package grants the resource.
    Drift(AccessRow, bool),
    /// Someone who holds a package and something it is incompatible with.
    Conflict(Conflict),
    Finding(Finding),
}

/// A row and its place in the report: the place is what the selection follows, as before the
/// report is read again.
#[derive(Debug, Clone)]
pub struct Keyed(pub usize, pub Row);

impl PartialEq for Keyed {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

fn yes_no(b: bool) -> CellText {
    if b { cell("yes") } else { blank_cell() }
}

/// The cells of a row, in the report's columns.
pub fn cells(ctx: &Ctx, Keyed(_, row): &Keyed) -> Vec<CellText> {
    let (t, theme) = (ctx.tenant(), &ctx.theme);
    match row {
        Row::Package(p) => vec![
            cell(p.package_name.clone()),
            cell(p.catalog_name.clone()),
            yes_no(p.can_request),
            cell(p.assignment.map(|a| a.to_string()).unwrap_or_default()),
            p.state.map(|st| state_cell(theme, st)).unwrap_or_default(),
            if p.assignment.is_some() { day_cell(p.end) } else { cell(String::new()) },
        ],
        Row::Holder(h) | Row::Past(HeldRow { row: h, .. }, true) => {
            vec![cell(h.user_name.clone()), cell(h.role.clone()), cell(crate::domain::report::via_text(&h.via, " + "))]
        }
        Row::Access(h) | Row::Past(HeldRow { row: h, .. }, false) => {
            vec![
                cell(h.resource_name.clone()),
                cell(h.role.clone()),
                cell(crate::domain::report::via_text(&h.via, " + ")),
            ]
        }
        Row::Assignment(state, id) => {
            let Some(a) = t.assignments.get(id) else { return vec![] };
            vec![
                state_cell(theme, *state),
                cell(a.id.to_string()),
                cell(t.user_name(a.target)),
                cell(t.policies.get(&a.policy).map(|p| p.spec.display_name.clone()).unwrap_or_default()),
                day_cell(Some(a.start)),
                day_cell(a.end),
            ]
        }
        Row::PastAssignment(a) => vec![
            state_cell(theme, a.state),
            cell(a.id.to_string()),
            cell(t.user_name(a.target)),
            cell(t.policies.get(&a.policy).map(|p| p.spec.display_name.clone()).unwrap_or_default()),
            day_cell(Some(a.start)),
            day_cell(a.end),
        ],
        Row::Expiring(id) => {
            let Some(a) = t.assignments.get(id) else { return vec![] };
            let left = a.end.map(|e| time_left(t.now(), e)).unwrap_or_default();
            vec![
                a.end.map_or_else(|| cell(String::new()), time_cell),
                CellText::styled(left, theme.warning),
                cell(t.user_name(a.target)),
                cell(package_name(t, a.package)),
                cell(a.id.to_string()),
            ]
        }
        Row::Request(id) => request_cells(t, ctx, *id),
        Row::Drift(a, governed) => vec![
            cell(a.user_name.clone()),
            cell(a.resource_name.clone()),
            cell(a.role.clone()),
            if *governed { CellText::styled("yes", theme.warning) } else { blank_cell() },
            cell(crate::domain::report::via_text(&a.via, " + ")),
        ],
        Row::Conflict(c) => vec![
            cell(c.user_name.clone()),
            cell(c.package_name.clone()),
            CellText::styled(c.with_name.clone(), theme.warning),
        ],
        Row::Finding(f) => {
            vec![CellText::styled(f.code, theme.warning), cell(f.object.to_string()), cell(f.message.clone())]
        }
    }
}

fn request_cells(t: &Tenant, ctx: &Ctx, id: RequestId) -> Vec<CellText> {
    // It may have finished: read through the context, which keeps what the report read.
    let Some(q) = ctx.request(id) else { return vec![] };
    let q = &q;
    let target = match &q.target {
        Target::User { user } => t.user_name(*user),
        Target::External { email, .. } => email.clone(),
    };
    vec![
        cell(q.id.to_string()),
        day_cell(Some(q.created_at)),
        cell(package_name(t, q.package)),
        cell(target),
        muted_cell(&ctx.theme, q.request_type.word()),
        state_cell(&ctx.theme, q.state),
        cell(q.history.last().map(|h| h.text.clone()).unwrap_or_default()),
    ]
}
