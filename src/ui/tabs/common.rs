//! Small pieces every tab uses: a detail pane of labelled lines, time formats, state cells,
//! and the split between a list and its details.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::domain::Time;
use crate::tabular::Cell;
use crate::ui::theme::Theme;
pub use crate::ui::tone::{Mark, Toned};
use crate::ui::widgets::detail::{DetailScroll, LABEL};
use crate::ui::widgets::table::CellText;

/// The answer to a verb pressed on an empty list.
pub const NOTHING_SELECTED: &str = "Nothing is selected: pick a row first";

/// "2026-11-16 09:00".
pub fn fmt_time(t: Time) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// "2026-11-16", or a dash.
pub fn fmt_day(t: Option<Time>) -> String {
    t.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "—".into())
}

/// A day's cell ("2026-11-16", or a dash), written in full ISO 8601 (or empty) by a CSV export.
pub fn day_cell(t: Option<Time>) -> CellText {
    let data = match t {
        Some(at) => Cell::Time { at, shown: fmt_day(t) },
        None => Cell::Blank("—"),
    };
    CellText { text: data.shown().to_string(), style: Style::new(), data: Some(data) }
}

/// A time's cell ("2026-11-16 09:00"), written in ISO 8601 by a CSV export.
pub fn time_cell(at: Time) -> CellText {
    let data = Cell::time(at);
    CellText { text: data.shown().to_string(), style: Style::new(), data: Some(data) }
}

/// A dash for nothing: an empty field in a CSV export.
pub fn blank_cell() -> CellText {
    CellText { text: "—".into(), style: Style::new(), data: Some(Cell::Blank("—")) }
}

/// [`blank_cell`], muted.
pub fn muted_blank(theme: &Theme) -> CellText {
    restyled(blank_cell(), theme.muted)
}

/// A cell in a style, keeping what an export writes for it.
pub fn restyled(mut c: CellText, style: Style) -> CellText {
    c.style = style;
    c
}

/// A state name in its colour (delivered green, pending yellow, denied red...).
/// A state's word in its tone's style.
pub fn state_cell(theme: &Theme, state: impl Toned) -> CellText {
    CellText::styled(state.word(), theme.tone(state.tone()))
}

pub fn cell(text: impl Into<String>) -> CellText {
    CellText::from(text.into())
}

pub fn muted_cell(theme: &Theme, text: impl Into<String>) -> CellText {
    CellText::styled(text.into(), theme.muted)
}

/// A labelled line for a detail pane: "Package   Project Alpha".
pub fn kv<'a>(theme: &Theme, label: &str, value: impl Into<String>) -> Line<'a> {
    Line::from(vec![Span::styled(format!("{label:<LABEL$}"), theme.muted), Span::raw(value.into())])
}

pub fn kv_styled<'a>(theme: &Theme, label: &str, value: impl Into<String>, style: Style) -> Line<'a> {
    Line::from(vec![Span::styled(format!("{label:<LABEL$}"), theme.muted), Span::styled(value.into(), style)])
}

pub fn heading<'a>(theme: &Theme, text: impl Into<String>) -> Line<'a> {
    Line::styled(text.into(), theme.header)
}

/// The detail pane beside or under a list: wrapped under its labels, scrolled by `scroll`.
pub fn detail_pane(
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
    title: &str,
    lines: Vec<Line<'_>>,
    scroll: &DetailScroll,
) {
    scroll.render(area, buf, theme, title, &lines);
}

/// List on the left and details on the right when wide; list above details when narrow, the
/// list no taller than its `rows` need (borders, header, a spare line), so a short list leaves
/// the room to its details.
pub fn split_list_detail(area: Rect, rows: usize) -> (Rect, Rect) {
    if area.width >= 110 {
        let [l, r] = Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(area);
        (l, r)
    } else {
        let most = area.height.saturating_mul(55) / 100;
        let need = u16::try_from(rows).unwrap_or(u16::MAX).saturating_add(4);
        let [t, b] =
            Layout::vertical([Constraint::Length(need.clamp(6.min(most), most)), Constraint::Fill(1)]).areas(area);
        (t, b)
    }
}
