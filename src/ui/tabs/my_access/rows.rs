//! My Access's list of my requests, which for an administrator who assigns by hand may hold
//! hundreds of thousands: the tab keeps their ids, and a row is built when it is drawn.

use crate::domain::RequestId;
use crate::ui::ctx::Ctx;
use crate::ui::tabs::common::*;
use crate::ui::widgets::table::{CellText, Rows, push_cells_text};

/// The rows of the panes of My Access: built ones, or my requests built from their ids.
pub(super) enum PaneRows<'a> {
    Built(&'a [Vec<CellText>]),
    Requests { ctx: &'a Ctx, ids: &'a [RequestId] },
}

impl Rows for PaneRows<'_> {
    fn len(&self) -> usize {
        match self {
            PaneRows::Built(rows) => rows.len(),
            PaneRows::Requests { ids, .. } => ids.len(),
        }
    }

    fn cells(&self, index: usize) -> Vec<CellText> {
        match self {
            PaneRows::Built(rows) => rows.cells(index),
            PaneRows::Requests { ctx, ids } => ids.get(index).map(|id| request_cells(ctx, *id)).unwrap_or_default(),
        }
    }

    fn search_text(&self, index: usize, out: &mut String) {
        match self {
            PaneRows::Built(rows) => rows.search_text(index, out),
            PaneRows::Requests { .. } => push_cells_text(&self.cells(index), out),
        }
    }
}

/// One of my requests: id, package, type, state, and whom it waits on or when it ended.
fn request_cells(ctx: &Ctx, id: RequestId) -> Vec<CellText> {
    let t = ctx.tenant();
    let Some(r) = ctx.request(id) else { return vec![] };
    let r = &r;
    vec![
        cell(r.id.to_string()),
        cell(t.packages.get(&r.package).map(|p| p.display_name.clone()).unwrap_or_default()),
        muted_cell(&ctx.theme, r.request_type.to_string()),
        state_cell(&ctx.theme, r.state),
        cell(if r.state.is_open() { t.waiting_on(r) } else { fmt_day(r.completed_at) }),
    ]
}
