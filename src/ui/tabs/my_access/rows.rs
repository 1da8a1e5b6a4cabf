//! The rows of My Access's lists, each built from its key when drawn or indexed for a filter:
//! an administrator who assigns by hand may have hundreds of thousands of requests.

use super::mine::Held;
use crate::domain::views::time_left;
use crate::domain::{AssignmentId, PackageId, RequestId};
use crate::ui::ctx::Ctx;
use crate::ui::tabs::common::*;
use crate::ui::widgets::table::CellText;

/// A package I may request, with what I already have of it (worked out when the keys are
/// gathered: one pass over my assignments and requests, not one per row).
#[derive(Debug, Clone, Copy)]
pub(super) struct Offer {
    pub package: PackageId,
    pub held: Held,
}

/// The same package is the same row, whatever I have of it now.
impl PartialEq for Offer {
    fn eq(&self, other: &Self) -> bool {
        self.package == other.package
    }
}

/// A package I may request: name, catalog, what it grants and what I have of it.
pub(super) fn offer_row(ctx: &Ctx, o: &Offer) -> Vec<CellText> {
    let t = ctx.tenant();
    let Some(p) = t.packages.get(&o.package) else { return vec![] };
    vec![
        cell(p.display_name.clone()),
        cell(t.catalogs.get(&p.catalog).map(|c| c.display_name.clone()).unwrap_or_default()),
        muted_cell(&ctx.theme, t.grants_summary(p)),
        o.held.cell(&ctx.theme),
    ]
}

/// One of my requests: id, package, type, state, and whom it waits on or when it ended.
pub(super) fn request_row(ctx: &Ctx, id: &RequestId) -> Vec<CellText> {
    let t = ctx.tenant();
    // It may have finished: read through the context, which keeps what it read.
    let Some(r) = ctx.request(*id) else { return vec![] };
    let r = &r;
    vec![
        cell(r.id.to_string()),
        cell(t.packages.get(&r.package).map(|p| p.display_name.clone()).unwrap_or_default()),
        muted_cell(&ctx.theme, r.request_type.word()),
        state_cell(&ctx.theme, r.state),
        if r.state.is_open() { cell(t.waiting_on(r)) } else { day_cell(r.completed_at) },
    ]
}

/// One of my assignments: package, state, end and time left.
pub(super) fn assignment_row(ctx: &Ctx, id: &AssignmentId) -> Vec<CellText> {
    let t = ctx.tenant();
    let Some(a) = t.assignments.get(id) else { return vec![] };
    let left = match (a.is_active(), a.end) {
        (true, Some(e)) => time_left(ctx.now, e),
        (true, None) => "∞".into(),
        _ => String::new(),
    };
    vec![
        cell(t.packages.get(&a.package).map(|p| p.display_name.clone()).unwrap_or_default()),
        state_cell(&ctx.theme, a.state),
        day_cell(a.end),
        cell(left),
    ]
}
