//! Drawing the Overview's panels: each chart or list with the chosen item marked (`›` before a
//! row, a highlighted bar with its figure written under the chart), so the choice reads without
//! colour too.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, LineGauge, Paragraph, Sparkline, SparklineBar, Widget, Wrap};

use super::{At, Overview, Panel};
use crate::domain::overview::{AGE_BUCKETS, Finish, ReviewProgress, day_words};
use crate::domain::{RequestState, Time};
use crate::ui::theme::Theme;
use crate::ui::widgets::table::put_text;

/// A gauge's filled and unfilled parts: told apart by shape, so without colour too.
const FILLED: &str = "█";
const UNFILLED: &str = "░";
/// The mark before the chosen row, and the room kept for it before every row.
const MARK: &str = "›";
const MARK_WIDTH: u16 = 2;
const ENTER: &str = " · enter lists them";

impl Overview {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn draw_panel(
        &self,
        panel: Panel,
        now: Time,
        area: Rect,
        buf: &mut Buffer,
        theme: &Theme,
        focused: bool,
        chosen: Option<At>,
        more: Option<(usize, usize)>,
    ) {
        let title = match panel {
            Panel::MyAccess => format!("My access ({})", self.requester.access.len()),
            Panel::MyRequests => format!("My open requests ({})", self.requester.open.len()),
            Panel::Waiting => {
                let n: u64 = self.approver.as_ref().map_or(0, |a| a.by_age.iter().sum());
                format!("Waiting for my decision ({n}) by age")
            }
            Panel::MyReviews => "My review tasks".to_string(),
            Panel::Expiring => "Assignments expiring per week".to_string(),
            Panel::Requests => "Requests, last 30 days".to_string(),
            Panel::OpenReviews => "Open access reviews".to_string(),
            Panel::Busiest => "Requests waiting, and lint".to_string(),
        };
        let border = if focused { theme.border_focus } else { theme.border };
        let mut block = Block::bordered().border_style(border).title(Span::styled(format!(" {title} "), theme.title));
        if let Some((page, pages)) = more {
            block =
                block.title_bottom(Line::styled(format!(" {page}/{pages} · pgdn: more "), theme.muted).right_aligned());
        }
        let inner = block.inner(area);
        block.render(area, buf);
        let row = chosen.map(|a| a.row);
        match panel {
            Panel::MyAccess => self.my_access(now, inner, buf, theme, row),
            Panel::MyRequests => {
                let lines: Vec<Line> = self
                    .requester
                    .open
                    .iter()
                    .map(|o| {
                        let at = match o.state {
                            RequestState::PendingApproval => format!("waits for {}", o.waits_for.join(" or ")),
                            s => s.phrase().to_string(),
                        };
                        Line::from(vec![Span::styled(format!("{} ", o.package), theme.header), Span::raw(at)])
                    })
                    .collect();
                rows_or(lines, "Nothing open.", inner, buf, theme, row);
            }
            Panel::Waiting => self.waiting(now, inner, buf, theme, chosen),
            Panel::MyReviews => {
                let reviews = self.approver.as_ref().map(|a| a.reviews.as_slice()).unwrap_or_default();
                progress(reviews, now, inner, buf, theme, row);
            }
            Panel::OpenReviews => {
                let reviews = self.admin.as_ref().map(|a| a.open_reviews.as_slice()).unwrap_or_default();
                progress(reviews, now, inner, buf, theme, row);
            }
            Panel::Expiring => self.expiring(inner, buf, theme, chosen),
            Panel::Requests => self.requests(inner, buf, theme, chosen),
            Panel::Busiest => self.busiest(inner, buf, theme, row),
        }
    }

    fn my_access(&self, now: Time, area: Rect, buf: &mut Buffer, theme: &Theme, chosen: Option<usize>) {
        if self.requester.access.is_empty() {
            Paragraph::new(Line::styled("No access yet: request a package on My access.", theme.muted))
                .wrap(Wrap { trim: true })
                .render(area, buf);
            return;
        }
        let rows = window(self.requester.access.len(), usize::from(area.height), chosen);
        for (y, i) in rows.enumerate() {
            let Some(a) = self.requester.access.get(i) else { continue };
            let row = marked_row(area, y, chosen == Some(i), buf, theme);
            let label = match a.end {
                Some(end) => format!("{} · {} days left", a.package, (end - now).num_days().max(0)),
                None => format!("{} · no end", a.package),
            };
            gauge(a.left(now), label, row, buf, theme);
        }
    }

    fn waiting(&self, now: Time, area: Rect, buf: &mut Buffer, theme: &Theme, chosen: Option<At>) {
        let Some(a) = self.approver.as_ref() else { return };
        let oldest = a.oldest.len().min(super::OLDEST_SHOWN);
        let [chart, caption, list] = Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length(1),
            Constraint::Length(u16::try_from(oldest).unwrap_or(0)),
        ])
        .areas(area);
        let bar = chosen.filter(|c| c.row == 0).map(|c| c.col);
        let bars: Vec<(String, u64)> = AGE_BUCKETS.iter().zip(a.by_age).map(|((l, _), n)| (l.to_string(), n)).collect();
        bar_chart(&bars, bar, chart, buf, theme);
        let text = match bar.and_then(|b| bars.get(b)) {
            Some((label, n)) => format!("{MARK} {label}: {n} waiting{ENTER}"),
            None if oldest > 0 => "The oldest:".to_string(),
            None => String::new(),
        };
        put_text(buf, caption, &text, if bar.is_some() { theme.key } else { theme.muted });
        let lines: Vec<Line> = a
            .oldest
            .iter()
            .take(oldest)
            .map(|w| {
                let left = match w.deadline {
                    Some(d) if d > now => format!("{} days left", (d - now).num_days()),
                    Some(_) => "times out now".to_string(),
                    None => String::new(),
                };
                Line::from(vec![
                    Span::styled(format!("{} ", w.package), theme.header),
                    Span::raw(format!("for {} · ", w.target)),
                    Span::styled(left, theme.warning),
                ])
            })
            .collect();
        let row = chosen.and_then(|c| c.row.checked_sub(1));
        rows_or(lines, "", list, buf, theme, row);
    }

    fn expiring(&self, area: Rect, buf: &mut Buffer, theme: &Theme, chosen: Option<At>) {
        let weeks = self.admin.as_ref().map(|a| a.expiring.as_slice()).unwrap_or_default();
        let [chart, caption] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        // Week 1 is the seven days from now.
        let bars: Vec<(String, u64)> = weeks.iter().enumerate().map(|(i, n)| ((i + 1).to_string(), *n)).collect();
        let bar = chosen.map(|c| c.col);
        bar_chart(&bars, bar, chart, buf, theme);
        let text = match bar.and_then(|w| weeks.get(w).map(|n| (w, n))) {
            Some((w, n)) => {
                let first = w * 7 + 1;
                format!("{MARK} week {} (days {first}-{}): {n} ending{ENTER}", w + 1, first + 6)
            }
            None => "Weeks from now: 1 is the next seven days.".to_string(),
        };
        put_text(buf, caption, &text, if bar.is_some() { theme.key } else { theme.muted });
    }

    fn requests(&self, area: Rect, buf: &mut Buffer, theme: &Theme, chosen: Option<At>) {
        let Some(a) = self.admin.as_ref() else { return };
        let [series_area, caption] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
        let rows = Layout::vertical(vec![Constraint::Fill(1); Finish::ALL.len()]).split(series_area);
        for (i, (finish, row)) in Finish::ALL.iter().zip(rows.iter()).enumerate() {
            let style = match finish {
                Finish::Delivered => theme.ok,
                Finish::Refused => theme.error,
                Finish::Canceled => theme.muted,
            };
            let total: u64 = a.requests.iter().map(|d| d.count(*finish)).sum();
            let here = chosen.filter(|c| c.row == i);
            let row = marked_row(*row, 0, here.is_some(), buf, theme);
            let [text, line] = Layout::horizontal([Constraint::Length(22), Constraint::Fill(1)]).areas(row);
            put_text(buf, text, &format!("{} {total}", finish.label()), Style::default());
            let data: Vec<SparklineBar> = a
                .requests
                .iter()
                .enumerate()
                .map(|(day, d)| {
                    let bar = SparklineBar::from(d.count(*finish));
                    if here.is_some_and(|c| c.col == day) { bar.style(Some(theme.warning)) } else { bar }
                })
                .collect();
            Sparkline::default().data(data).style(style).render(line, buf);
        }
        let figure = chosen.and_then(|c| {
            let finish = Finish::ALL.get(c.row)?;
            let n = a.requests.get(c.col)?.count(*finish);
            Some(format!("{MARK} {} {}: {n}{ENTER}", finish.label(), day_words(c.col)))
        });
        match figure {
            Some(text) => put_text(buf, caption, &text, theme.key),
            None => put_text(buf, caption, "Each day of the last 30, oldest first.", theme.muted),
        }
    }

    fn busiest(&self, area: Rect, buf: &mut Buffer, theme: &Theme, chosen: Option<usize>) {
        let busiest = self.admin.as_ref().map(|a| a.busiest.as_slice()).unwrap_or_default();
        let (errors, warnings) = self.lint;
        let lint_style = if errors > 0 {
            theme.error
        } else if warnings > 0 {
            theme.warning
        } else {
            theme.ok
        };
        let mut lines = vec![Line::styled(format!("Lint: {errors} errors, {warnings} warnings"), lint_style)];
        lines.extend(busiest.iter().map(|(_, name, n)| {
            Line::from(vec![Span::styled(format!("{n:>4} "), theme.key), Span::raw(name.clone())])
        }));
        if busiest.is_empty() {
            lines.push(Line::styled("No request waits.", theme.muted));
        }
        rows_or(lines, "", area, buf, theme, chosen);
    }
}

/// The rows of a list that fit `height`, moved on so that the chosen one is among them.
fn window(len: usize, height: usize, chosen: Option<usize>) -> std::ops::Range<usize> {
    let height = height.max(1);
    let first = chosen.map_or(0, |c| c.saturating_add(1).saturating_sub(height));
    first..len.min(first.saturating_add(height))
}

/// The `y`th line of `area` with the mark's room taken off its left (the mark drawn there when
/// the row is the chosen one); what is left, for the row.
fn marked_row(area: Rect, y: usize, chosen: bool, buf: &mut Buffer, theme: &Theme) -> Rect {
    let y = area.y.saturating_add(u16::try_from(y).unwrap_or(u16::MAX));
    let line = Rect { y, height: 1.min(area.height), ..area };
    if chosen {
        put_text(buf, line, MARK, theme.key.add_modifier(Modifier::BOLD));
    }
    Rect { x: line.x.saturating_add(MARK_WIDTH), width: line.width.saturating_sub(MARK_WIDTH), ..line }
}

/// One line per row, the chosen one marked; `empty` when there are none.
fn rows_or(lines: Vec<Line<'_>>, empty: &str, area: Rect, buf: &mut Buffer, theme: &Theme, chosen: Option<usize>) {
    if lines.is_empty() {
        Paragraph::new(Line::styled(empty.to_string(), theme.muted)).wrap(Wrap { trim: true }).render(area, buf);
        return;
    }
    for (y, i) in window(lines.len(), usize::from(area.height), chosen).enumerate() {
        let Some(line) = lines.get(i) else { continue };
        let row = marked_row(area, y, chosen == Some(i), buf, theme);
        line.clone().render(row, buf);
    }
}

/// Bars with their labels and values written under and over them (readable without colour),
/// the chosen one highlighted.
fn bar_chart(bars: &[(String, u64)], chosen: Option<usize>, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let n = u16::try_from(bars.len().max(1)).unwrap_or(u16::MAX);
    let width = (area.width.saturating_sub(n) / n).clamp(1, 6);
    let group: Vec<Bar> = bars
        .iter()
        .enumerate()
        .map(|(i, (l, v))| {
            let bar = Bar::default().value(*v).text_value(v.to_string());
            if chosen == Some(i) {
                bar.label(Line::styled(l.clone(), theme.selected)).style(theme.warning)
            } else {
                bar.label(Line::from(l.clone()))
            }
        })
        .collect();
    BarChart::default()
        .data(BarGroup::default().bars(&group))
        .bar_width(width)
        .bar_gap(1)
        .bar_style(theme.key)
        .value_style(theme.key.add_modifier(Modifier::REVERSED))
        .render(area, buf);
}

fn gauge(ratio: f64, label: String, area: Rect, buf: &mut Buffer, theme: &Theme) {
    LineGauge::default()
        .ratio(ratio.clamp(0.0, 1.0))
        .label(label)
        .filled_symbol(FILLED)
        .unfilled_symbol(UNFILLED)
        .filled_style(theme.ok)
        .unfilled_style(theme.muted)
        .render(area, buf);
}

/// One gauge per review: its name, then decided of total and the days until it ends; the
/// chosen one marked.
fn progress(reviews: &[ReviewProgress], now: Time, area: Rect, buf: &mut Buffer, theme: &Theme, chosen: Option<usize>) {
    if reviews.is_empty() {
        Paragraph::new(Line::styled("No review in progress.", theme.muted)).render(area, buf);
        return;
    }
    // Two lines each.
    if area.height < 2 {
        return;
    }
    for (y, i) in window(reviews.len(), usize::from(area.height / 2), chosen).enumerate() {
        let Some(r) = reviews.get(i) else { continue };
        let name = marked_row(area, 2 * y, chosen == Some(i), buf, theme);
        put_text(buf, name, &r.name, theme.header);
        let line = marked_row(area, 2 * y + 1, false, buf, theme);
        let ratio = if r.total == 0 { 1.0 } else { r.decided as f64 / r.total as f64 };
        let days = (r.end - now).num_days().max(0);
        gauge(ratio, format!("{}/{} decided · {days}d left ", r.decided, r.total), line, buf, theme);
    }
}
