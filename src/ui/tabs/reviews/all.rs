//! The Reviews tab's third list: every access review the reader may see (a catalog's owners and
//! readers, the administrators: all of a review's people; anyone else: the people they review or
//! that are about them), in progress first, with how far each has got, and its people with their
//! decisions in the details.

use ratatui::layout::Constraint;
use ratatui::text::Line;

use crate::domain::views::time_left;
use crate::domain::{Review, ReviewId, ReviewState, Tenant};
use crate::ui::ctx::Ctx;
use crate::ui::tabs::approvals::Detail;
use crate::ui::tabs::common::*;
use crate::ui::tabs::lists::IdList;
use crate::ui::widgets::table::{CellText, Column};

use super::package_name;

/// The list of reviews, empty of rows until read.
pub(super) fn list() -> IdList<ReviewId> {
    let c = Column::new;
    IdList::new(
        "Access reviews",
        vec![
            c("Review", Constraint::Fill(3)),
            c("Access package", Constraint::Fill(2)),
            c("State", Constraint::Length(11)),
            c("Decided", Constraint::Length(9)),
            c("Ends", Constraint::Length(10)),
            c("Left", Constraint::Length(6)),
        ],
        "No access review you may see.",
        row,
    )
}

/// The reviews the reader may see: in progress first, the first to end first.
pub(super) fn visible(ctx: &Ctx) -> Vec<ReviewId> {
    let mut v: Vec<&Review> = ctx.tenant().reviews_visible(ctx.actor()).unwrap_or_default();
    v.sort_by_key(|r| (r.state != ReviewState::InProgress, r.end, r.id));
    v.into_iter().map(|r| r.id).collect()
}

/// Decided of the items the reader may see.
fn progress(t: &Tenant, ctx: &Ctx, r: &Review) -> (usize, usize) {
    let items = t.review_visible(ctx.actor(), r.id).map(|(_, items)| items).unwrap_or_default();
    (items.iter().filter(|i| i.decision.is_some()).count(), items.len())
}

fn row(ctx: &Ctx, id: &ReviewId) -> Vec<CellText> {
    let (t, theme, now) = (ctx.tenant(), &ctx.theme, ctx.now);
    let Some(r) = t.reviews.get(id) else { return vec![] };
    let (decided, total) = progress(t, ctx, r);
    let open = r.state == ReviewState::InProgress;
    vec![
        cell(r.display_name.clone()),
        cell(package_name(t, r)),
        state_cell(theme, r.state),
        cell(format!("{decided}/{total}")),
        day_cell(Some(r.end)),
        if open { cell(time_left(now, r.end)) } else { muted_blank(theme) },
    ]
}

/// A review's dates, progress and rule for no answer, then each person under review with the
/// decision so far.
pub(super) fn lines(ctx: &Ctx, id: ReviewId, d: &mut Detail) {
    let t = ctx.tenant();
    let Ok((r, items)) = t.review_visible(ctx.actor(), id) else {
        d.line(Line::styled("This review is not yours to see.", d.theme.muted));
        return;
    };
    d.heading(format!("{} · {}", r.display_name, r.id));
    d.kv("Package", package_name(t, r));
    d.kv_styled("State", r.state.word(), d.theme.tone(r.state.tone()));
    d.kv("Runs", format!("{} to {}", fmt_day(Some(r.start)), fmt_day(Some(r.end))));
    let decided = items.iter().filter(|i| i.decision.is_some()).count();
    d.kv("Decided", format!("{decided} of {}", items.len()));
    super::no_answer_line(r, d);
    d.heading("People under review");
    for i in items {
        let (text, style) = match i.decision {
            Some(x) => {
                let by = i.decided_by.map(|u| format!(" by {}", t.user_name(u))).unwrap_or_default();
                (format!("{}{by}", x.word()), d.theme.tone(x.tone()))
            }
            None => ("not decided yet".to_string(), d.theme.warning),
        };
        d.kv_styled(&format!("  {}", t.user_name(i.user)), text, style);
    }
}
