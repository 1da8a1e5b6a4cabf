//! Overview: the first tab, for whoever is signed in, drawn with ratatui's charts. An approver
//! sees their waiting decisions by age (bar chart), the oldest with the time left, and their
//! review tasks (gauges); an administrator the assignments expiring per week over the next twelve
//! weeks (bar chart), the requests of the last thirty days by outcome (sparklines), the open
//! reviews' progress (gauges), the lint findings by severity and the packages with most requests
//! waiting; everyone their own access with the time it has left (gauges) and their open requests.
//!
//! Everything follows the in-app clock (it is read again on every change of the data or the
//! clock). At 80x24 fewer, smaller panels show. Every figure is also written as text, so it reads
//! in NO_COLOR. The sections are a list: j/k move between them and Enter opens the tab with
//! the matching list.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, LineGauge, Paragraph, Sparkline, Widget, Wrap};

use crate::domain::lint::Severity;
use crate::domain::overview::{AGE_BUCKETS, AdminOverview, ApproverOverview, RequesterOverview};
use crate::domain::{RequestState, Time};
use crate::ui::action::Action;
use crate::ui::app::{Effect, Jump, Tab, TabView};
use crate::ui::ctx::Ctx;
use crate::ui::theme::Theme;

/// One panel of the overview, and the tab Enter opens from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Panel {
    MyAccess,
    MyRequests,
    Waiting,
    MyReviews,
    Expiring,
    Requests,
    OpenReviews,
    Busiest,
}

impl Panel {
    /// The tab and the list there that holds what the panel counts.
    fn opens(self, admin: Option<&AdminOverview>) -> (Tab, Jump) {
        match self {
            Panel::MyAccess => (Tab::MyAccess, Jump::MyAssignments),
            Panel::MyRequests => (Tab::MyAccess, Jump::MyRequests),
            Panel::Waiting => (Tab::Approvals, Jump::Waiting),
            Panel::MyReviews | Panel::OpenReviews => (Tab::Reviews, Jump::ToReview),
            Panel::Expiring => (Tab::Reports, Jump::Expiring),
            Panel::Requests => (Tab::Reports, Jump::Requests),
            // The package with most requests waiting, found in the list.
            Panel::Busiest => {
                let top = admin.and_then(|a| a.busiest.first()).map(|(_, name, _)| name.clone());
                (Tab::Packages, Jump::Filter(top.unwrap_or_default()))
            }
        }
    }
}

#[derive(Default)]
pub struct Overview {
    now: Option<Time>,
    requester: RequesterOverview,
    approver: Option<ApproverOverview>,
    admin: Option<AdminOverview>,
    lint: (usize, usize),
    panels: Vec<Panel>,
    selected: usize,
}

impl Overview {
    pub fn new() -> Self {
        Self::default()
    }

    /// The panels shown in an area of this size, most useful first.
    fn shown(&self, area: Rect) -> Vec<Panel> {
        let room = if area.height >= 30 && area.width >= 120 { 6 } else { 4 };
        self.panels.iter().copied().take(room).collect()
    }
}

impl TabView<Ctx> for Overview {
    fn refresh(&mut self, ctx: &Ctx) {
        let t = ctx.tenant();
        // Someone who may read nothing (a blocked sign-in) is shown nothing here either.
        if t.reader(ctx.actor()).is_err() {
            *self = Self::new();
            return;
        }
        self.now = Some(ctx.now);
        self.requester = ctx.me().map(|me| t.requester_overview(me)).unwrap_or_default();
        self.approver = ctx.me().map(|me| t.approver_overview(me));
        // The tenant-wide figures as the domain allows them (global administrators).
        self.admin = t.admin_overview(ctx.actor()).ok();
        let admin = self.admin.is_some();
        let lint = ctx.lint();
        self.lint = (
            lint.iter().filter(|f| f.severity == Severity::Error).count(),
            lint.iter().filter(|f| f.severity == Severity::Warning).count(),
        );
        let approving =
            self.approver.as_ref().is_some_and(|a| a.by_age.iter().sum::<u64>() > 0 || !a.reviews.is_empty());
        let mut panels = Vec::new();
        if approving {
            panels.extend([Panel::Waiting, Panel::MyReviews]);
        }
        if admin {
            panels.extend([Panel::Expiring, Panel::OpenReviews, Panel::Requests, Panel::Busiest]);
        }
        panels.extend([Panel::MyAccess, Panel::MyRequests]);
        self.panels = panels;
        self.selected = self.selected.min(self.panels.len().saturating_sub(1));
    }

    fn handle(&mut self, _ctx: &mut Ctx, action: Action) -> Effect {
        let last = self.panels.len().saturating_sub(1);
        match action {
            Action::Down | Action::NextPane => self.selected = (self.selected + 1).min(last),
            Action::Up | Action::PrevPane => self.selected = self.selected.saturating_sub(1),
            Action::Home => self.selected = 0,
            Action::End => self.selected = last,
            Action::Open => {
                return match self.panels.get(self.selected) {
                    Some(p) => {
                        let (tab, jump) = p.opens(self.admin.as_ref());
                        Effect::Jump(tab, jump)
                    }
                    None => Effect::None,
                };
            }
            _ => return Effect::Unhandled,
        }
        Effect::None
    }

    fn hints(&self) -> Vec<Action> {
        vec![Action::Open]
    }

    fn hint_label(&self, action: Action) -> Option<String> {
        (action == Action::Open).then(|| "open the list".to_string())
    }

    fn render(&self, _ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let Some(now) = self.now else { return };
        let panels = self.shown(area);
        let cols = if area.width >= 120 { 3 } else { 2 };
        let rows = panels.len().div_ceil(cols).max(1);
        let row_areas = Layout::vertical(vec![Constraint::Fill(1); rows]).split(area);
        for (r, row_area) in row_areas.iter().enumerate() {
            let cells = Layout::horizontal(vec![Constraint::Fill(1); cols]).split(*row_area);
            for (c, cell) in cells.iter().enumerate() {
                let i = r * cols + c;
                let Some(panel) = panels.get(i) else { continue };
                let focused = i == self.selected;
                self.panel(*panel, now, *cell, buf, theme, focused);
            }
        }
    }
}

impl Overview {
    fn panel(&self, panel: Panel, now: Time, area: Rect, buf: &mut Buffer, theme: &Theme, focused: bool) {
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
        let block = Block::bordered().border_style(border).title(Span::styled(format!(" {title} "), theme.title));
        let inner = block.inner(area);
        block.render(area, buf);
        match panel {
            Panel::MyAccess => self.my_access(now, inner, buf, theme),
            Panel::MyRequests => {
                let lines = self.requester.open.iter().map(|o| {
                    let at = match o.state {
                        RequestState::PendingApproval => format!("waits for {}", o.waits_for.join(" or ")),
                        s => s.phrase().to_string(),
                    };
                    Line::from(vec![Span::styled(format!("{} ", o.package), theme.header), Span::raw(at)])
                });
                text_or(lines.collect(), "Nothing open.", inner, buf, theme);
            }
            Panel::Waiting => self.waiting(now, inner, buf, theme),
            Panel::MyReviews => {
                let reviews = self.approver.as_ref().map(|a| a.reviews.as_slice()).unwrap_or_default();
                progress(reviews.iter().map(|r| (r.name.as_str(), r.decided, r.total, r.end)), now, inner, buf, theme);
            }
            Panel::OpenReviews => {
                let reviews = self.admin.as_ref().map(|a| a.open_reviews.as_slice()).unwrap_or_default();
                progress(reviews.iter().map(|r| (r.name.as_str(), r.decided, r.total, r.end)), now, inner, buf, theme);
            }
            Panel::Expiring => {
                let weeks = self.admin.as_ref().map(|a| a.expiring.as_slice()).unwrap_or_default();
                // Week 1 is the seven days from now.
                let bars: Vec<(String, u64)> =
                    weeks.iter().enumerate().map(|(i, n)| ((i + 1).to_string(), *n)).collect();
                bar_chart(&bars, inner, buf, theme);
            }
            Panel::Requests => self.requests(inner, buf, theme),
            Panel::Busiest => {
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
                if busiest.is_empty() {
                    lines.push(Line::styled("No request waits.", theme.muted));
                }
                lines.extend(busiest.iter().map(|(_, name, n)| {
                    Line::from(vec![Span::styled(format!("{n:>4} "), theme.key), Span::raw(name.clone())])
                }));
                Paragraph::new(lines).render(inner, buf);
            }
        }
    }

    fn my_access(&self, now: Time, area: Rect, buf: &mut Buffer, theme: &Theme) {
        if self.requester.access.is_empty() {
            Paragraph::new(Line::styled("No access yet: request a package on My access.", theme.muted))
                .wrap(Wrap { trim: true })
                .render(area, buf);
            return;
        }
        for (i, a) in self.requester.access.iter().take(usize::from(area.height)).enumerate() {
            let row = Rect { y: area.y + i as u16, height: 1, ..area };
            let label = match a.end {
                Some(end) => format!("{} · {} days left", a.package, (end - now).num_days().max(0)),
                None => format!("{} · no end", a.package),
            };
            LineGauge::default()
                .ratio(a.left(now))
                .label(label)
                .filled_symbol(FILLED)
                .unfilled_symbol(UNFILLED)
                .filled_style(theme.ok)
                .unfilled_style(theme.muted)
                .render(row, buf);
        }
    }

    fn waiting(&self, now: Time, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let Some(a) = self.approver.as_ref() else { return };
        let oldest_rows = a.oldest.len().min(3) as u16;
        let [chart, list] = Layout::vertical([Constraint::Fill(1), Constraint::Length(oldest_rows)]).areas(area);
        let bars: Vec<(String, u64)> = AGE_BUCKETS.iter().zip(a.by_age).map(|((l, _), n)| (l.to_string(), n)).collect();
        bar_chart(&bars, chart, buf, theme);
        let lines: Vec<Line> = a
            .oldest
            .iter()
            .take(3)
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
        Paragraph::new(lines).render(list, buf);
    }

    fn requests(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let Some(a) = self.admin.as_ref() else { return };
        let series: [(&str, Vec<u64>, ratatui::style::Style); 3] = [
            ("delivered", a.requests.iter().map(|d| d.delivered).collect(), theme.ok),
            ("denied or expired", a.requests.iter().map(|d| d.refused).collect(), theme.error),
            ("canceled", a.requests.iter().map(|d| d.canceled).collect(), theme.muted),
        ];
        let rows = Layout::vertical(vec![Constraint::Fill(1); series.len()]).split(area);
        for ((label, data, style), row) in series.iter().zip(rows.iter()) {
            let total: u64 = data.iter().sum();
            let [text, line] = Layout::horizontal([Constraint::Length(24), Constraint::Fill(1)]).areas(*row);
            Paragraph::new(Line::from(format!("{label} {total}"))).render(text, buf);
            Sparkline::default().data(data).style(*style).render(line, buf);
        }
    }
}

/// A gauge's filled and unfilled parts: told apart by shape, so without colour too.
const FILLED: &str = "█";
const UNFILLED: &str = "░";

/// Bars with their labels and values written under and over them (readable without colour).
fn bar_chart(bars: &[(String, u64)], area: Rect, buf: &mut Buffer, theme: &Theme) {
    let n = u16::try_from(bars.len().max(1)).unwrap_or(u16::MAX);
    let width = (area.width.saturating_sub(n) / n).clamp(1, 6);
    let group: Vec<Bar> = bars
        .iter()
        .map(|(l, v)| Bar::default().value(*v).label(Line::from(l.clone())).text_value(v.to_string()))
        .collect();
    BarChart::default()
        .data(BarGroup::default().bars(&group))
        .bar_width(width)
        .bar_gap(1)
        .bar_style(theme.key)
        .value_style(theme.key.add_modifier(Modifier::REVERSED))
        .render(area, buf);
}

/// One gauge per review: decided of total, and the days until it ends.
fn progress<'a>(
    items: impl Iterator<Item = (&'a str, usize, usize, Time)>,
    now: Time,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
) {
    let mut any = false;
    // Two lines each: the name, then the gauge with its figures.
    for (i, (name, decided, total, end)) in items.take(usize::from(area.height / 2)).enumerate() {
        any = true;
        let y = area.y + 2 * i as u16;
        Paragraph::new(Line::styled(name.to_string(), theme.header)).render(Rect { y, height: 1, ..area }, buf);
        let ratio = if total == 0 { 1.0 } else { decided as f64 / total as f64 };
        let days = (end - now).num_days().max(0);
        LineGauge::default()
            .ratio(ratio.clamp(0.0, 1.0))
            .label(format!("{decided}/{total} decided · {days}d left "))
            .filled_symbol(FILLED)
            .unfilled_symbol(UNFILLED)
            .filled_style(theme.ok)
            .unfilled_style(theme.muted)
            .render(Rect { y: y + 1, height: 1, ..area }, buf);
    }
    if !any {
        Paragraph::new(Line::styled("No review in progress.", theme.muted)).render(area, buf);
    }
}

fn text_or(lines: Vec<Line<'_>>, empty: &str, area: Rect, buf: &mut Buffer, theme: &Theme) {
    if lines.is_empty() {
        Paragraph::new(Line::styled(empty.to_string(), theme.muted)).wrap(Wrap { trim: true }).render(area, buf);
    } else {
        Paragraph::new(lines).wrap(Wrap { trim: true }).render(area, buf);
    }
}
