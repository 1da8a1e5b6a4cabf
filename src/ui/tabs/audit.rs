//! Audit: every request, decision, grant, removal, expiry, review result and configuration change,
//! newest first, filterable on any column. The details show the before/after of a change; Enter
//! shows them full screen. Only the rows on screen are read: the log can hold a million events.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use crate::domain::read_views::AuditView;
use crate::domain::{Actor, AuditEvent};
use crate::store::HistoryCursor;
use crate::ui::action::Action;
use crate::ui::app::{Effect, TabView};
use crate::ui::ctx::Ctx;
use crate::ui::keymap::Mode;
use crate::ui::tabs::common::*;
use crate::ui::theme::Theme;
use crate::ui::widgets::detail::DetailScroll;
use crate::ui::widgets::list_pane::ListPane;
use crate::ui::widgets::table::{CellText, Column, Rows};

/// From this width the details go beside the list, else under it.
const WIDE: u16 = 160;

/// The log as table rows, newest first, made on demand.
struct AuditRows<'a> {
    events: &'a AuditView,
    theme: &'a Theme,
}

impl<'a> AuditRows<'a> {
    fn new(events: &'a AuditView, theme: &'a Theme) -> Self {
        AuditRows { events, theme }
    }

    /// The event shown at row `index` (0 = newest).
    fn event(&self, index: usize) -> Option<&'a AuditEvent> {
        self.events.len().checked_sub(index + 1).and_then(|j| self.events.get(j))
    }

    /// The row showing the event numbered `seq`.
    fn index_of(&self, seq: u64) -> Option<usize> {
        let j = self.events.position(seq)?;
        Some(self.events.len() - 1 - j)
    }
}

impl Rows for AuditRows<'_> {
    fn len(&self) -> usize {
        self.events.len()
    }

    fn cells(&self, index: usize) -> Vec<CellText> {
        let Some(e) = self.event(index) else { return Vec::new() };
        vec![
            restyled(time_cell(e.at), self.theme.muted),
            cell(e.actor.to_string()),
            cell(e.activity.clone()),
            cell(e.object.to_string()),
            cell(e.summary.clone()),
        ]
    }
}

pub struct Audit {
    pane: ListPane,
    /// The details fill the tab (Enter); Esc goes back to the list.
    zoom: bool,
    scroll: u16,
    /// The log's length at the last refresh: rows count from the newest, so new events shift them.
    synced_len: usize,
    /// The log as the signed-in person may read it (the domain's read rule, as in the command
    /// line: all of it for administrators, their catalogs' events for catalog roles), read from
    /// the history files as far as `cursor`, then only what was added since.
    log: AuditView,
    cursor: HistoryCursor,
    /// Whom `log` was read for: another person starts over.
    read_for: Option<Actor>,
    /// The details pane beside the list (`]` focuses it when it has more than it shows).
    detail: DetailScroll,
}

impl Default for Audit {
    fn default() -> Self {
        Self::new()
    }
}

impl Audit {
    pub fn new() -> Self {
        let c = |t: &str, w| Column::new(t, w);
        Audit {
            pane: ListPane::new(
                "Audit log",
                vec![
                    c("Time", Constraint::Length(16)),
                    c("Actor", Constraint::Fill(2)),
                    c("Activity", Constraint::Fill(4)),
                    c("Object", Constraint::Length(7)),
                    c("Summary", Constraint::Fill(6)),
                ],
            )
            .empty("Nothing has happened yet."),
            zoom: false,
            scroll: 0,
            synced_len: 0,
            log: AuditView::default(),
            cursor: HistoryCursor::default(),
            read_for: None,
            detail: DetailScroll::default(),
        }
    }

    /// Reads what was added to the log since the last read; an error is told in the pane.
    fn read_on(&mut self, ctx: &Ctx) -> Result<(), String> {
        if self.read_for.as_ref() != Some(ctx.actor()) {
            self.log = AuditView::default();
            self.cursor = HistoryCursor::default();
            self.read_for = Some(ctx.actor().clone());
        }
        let after = self.log.iter().next_back().map_or(0, |e| e.seq);
        let (events, restarted) = ctx.session.audit_since(&mut self.cursor, after).map_err(|e| e.to_string())?;
        if restarted {
            self.log = AuditView::default();
        }
        self.log.extend(events);
        Ok(())
    }

    fn selected<'a>(&self, rows: &AuditRows<'a>) -> Option<&'a AuditEvent> {
        self.pane.selected().and_then(|i| rows.event(i))
    }

    /// Scrolling the full-screen details; other actions leave it (Esc and Enter only that).
    fn handle_zoomed(&mut self, ctx: &Ctx, action: Action) -> Option<Effect> {
        if !self.zoom {
            return None;
        }
        let rows = AuditRows::new(&self.log, &ctx.theme);
        let max = self.selected(&rows).map_or(0, |e| detail_lines(e, &ctx.theme, false).len().saturating_sub(1));
        let max = u16::try_from(max).unwrap_or(u16::MAX);
        self.scroll = match action {
            Action::Up => self.scroll.saturating_sub(1),
            Action::Down => self.scroll.saturating_add(1).min(max),
            Action::PageUp => self.scroll.saturating_sub(10),
            Action::PageDown => self.scroll.saturating_add(10).min(max),
            Action::Home => 0,
            Action::End => max,
            other => {
                self.zoom = false;
                self.scroll = 0;
                return matches!(other, Action::Back | Action::Open).then_some(Effect::None);
            }
        };
        Some(Effect::None)
    }
}

/// The event's fields, what changed, and the before/after JSON.
fn detail_lines(e: &AuditEvent, theme: &Theme, hint: bool) -> Vec<Line<'static>> {
    let mut lines = vec![heading(theme, format!("{} · {}", e.activity, e.object))];
    lines.push(kv(theme, "Time", fmt_time(e.at)));
    lines.push(kv(theme, "Actor", e.actor.to_string()));
    lines.push(kv(theme, "Event", format!("#{}", e.seq)));
    lines.push(kv(theme, "Summary", e.summary.clone()));
    if let (Some(serde_json::Value::Object(b)), Some(serde_json::Value::Object(a))) = (&e.before, &e.after) {
        let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
        keys.sort();
        keys.dedup();
        let changed: Vec<Line> = keys
            .into_iter()
            .filter(|k| b.get(*k) != a.get(*k))
            .map(|k| {
                let show = |v: Option<&serde_json::Value>| v.map_or("—".to_string(), |v| v.to_string());
                kv(theme, &format!("  {k} "), format!("{} → {}", show(b.get(k)), show(a.get(k))))
            })
            .collect();
        lines.push(Line::raw(""));
        lines.push(heading(theme, format!("Changes ({})", changed.len())));
        lines.extend(changed);
    }
    for (title, value) in [("Before", &e.before), ("After", &e.after)] {
        if let Some(v) = value {
            lines.push(Line::raw(""));
            lines.push(heading(theme, title));
            let text = serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string());
            lines.extend(text.lines().map(|l| Line::raw(l.to_string())));
        }
    }
    if e.before.is_none() && e.after.is_none() {
        lines.push(Line::raw(""));
        lines.push(Line::styled("No before/after is recorded for this event.", theme.muted));
    } else if hint {
        lines.push(Line::raw(""));
        lines.push(Line::styled("Enter: details full screen", theme.muted));
    }
    lines
}

impl TabView<Ctx> for Audit {
    fn idle(&mut self, ctx: &Ctx, until: std::time::Instant) -> bool {
        self.pane.index_a_while(&AuditRows::new(&self.log, &ctx.theme), until)
    }
    fn export(&self, ctx: &Ctx) -> Option<crate::ui::export::Listing> {
        Some(crate::ui::export::Listing::of_pane(&self.pane, &AuditRows::new(&self.log, &ctx.theme)))
    }
    fn detail(&self) -> Option<&DetailScroll> {
        Some(&self.detail)
    }
    fn detail_mut(&mut self) -> Option<&mut DetailScroll> {
        Some(&mut self.detail)
    }
    fn render(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let rows = AuditRows::new(&self.log, &ctx.theme);
        let event = self.selected(&rows);
        if self.zoom {
            let lines = event.map(|e| detail_lines(e, theme, false)).unwrap_or_default();
            let title = Span::styled(" Audit event  (esc back · ↑↓ scroll) ", theme.title);
            let block = Block::bordered().border_style(theme.border_focus).title(title);
            Paragraph::new(lines).wrap(Wrap { trim: false }).scroll((self.scroll, 0)).block(block).render(area, buf);
            return;
        }
        // Side by side only when very wide: the columns need the width more than the JSON does.
        let (list, detail) = if area.width >= WIDE {
            split_list_detail(area, usize::MAX)
        } else {
            let [l, d] = Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(area);
            (l, d)
        };
        self.pane.render(list, buf, theme, &rows, true);
        let lines = event.map(|e| detail_lines(e, theme, true)).unwrap_or_default();
        detail_pane(detail, buf, theme, "Event", lines, &self.detail);
    }

    fn handle(&mut self, ctx: &mut Ctx, action: Action) -> Effect {
        if let Some(e) = self.handle_zoomed(ctx, action) {
            return e;
        }
        let rows = AuditRows::new(&self.log, &ctx.theme);
        if self.pane.handle(action, &rows) {
            return Effect::None;
        }
        match action {
            Action::Open if self.selected(&rows).is_some() => {
                self.zoom = true;
                self.scroll = 0;
                Effect::None
            }
            _ => Effect::Unhandled,
        }
    }

    fn text(&mut self, ctx: &mut Ctx, c: char) -> Effect {
        if self.pane.text(c, &AuditRows::new(&self.log, &ctx.theme)) { Effect::None } else { Effect::Unhandled }
    }

    fn mode(&self) -> Mode {
        if self.zoom { Mode::List } else { self.pane.mode() }
    }

    fn hints(&self) -> Vec<Action> {
        if self.zoom {
            vec![Action::Back, Action::Down, Action::Up, Action::PageDown]
        } else {
            vec![Action::Open, Action::Filter]
        }
    }

    fn click(&mut self, _ctx: &mut Ctx, column: u16, row: u16) -> Effect {
        if !self.zoom && self.pane.contains(column, row) {
            self.pane.click(column, row);
            return Effect::None;
        }
        Effect::Unhandled
    }

    fn scroll(&mut self, _ctx: &mut Ctx, lines: isize) -> Effect {
        if self.zoom {
            self.scroll = self.scroll.saturating_add_signed(i16::try_from(lines).unwrap_or(0));
        } else {
            self.pane.scroll(lines);
        }
        Effect::None
    }

    fn refresh(&mut self, ctx: &Ctx) {
        let read = self.read_on(ctx);
        let rows = AuditRows::new(&self.log, &ctx.theme);
        // The selected row as it was numbered before the log grew.
        let keep = self
            .pane
            .selected()
            .and_then(|i| self.synced_len.checked_sub(i + 1))
            .and_then(|j| rows.events.get(j))
            .map(|e| e.seq);
        // On the newest row, stay there as new events come in (like a log's tail).
        let at_top = self.pane.state.selected_view() == Some(0);
        self.synced_len = rows.len();
        self.pane.empty = match (ctx.tenant().require_admin_role(ctx.actor(), "the audit log"), read) {
            (Err(e), _) => e.to_string(),
            (Ok(()), Err(e)) => e,
            (Ok(()), Ok(())) => "Nothing has happened yet.".into(),
        };
        self.pane.sync(&rows);
        if at_top {
            self.pane.state.select_view(0);
        } else if let Some(i) = keep.and_then(|seq| rows.index_of(seq)) {
            self.pane.state.select_source(i);
        }
    }
}
