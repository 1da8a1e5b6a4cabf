//! Audit: every request, decision, grant, removal, expiry, review result and configuration change,
//! newest first, filterable on any column. The details show the before/after of a change; Enter
//! shows them full screen. Only the rows on screen are read: the log can hold a million events.

use std::time::{Duration, Instant};

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use super::audit_rows::{Pages, Search, event_cells};
use crate::domain::AuditEvent;
use crate::session::{AuditChange, AuditLog};
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

/// What the first read of the log may take before the tab is drawn: the newest rows are there
/// at once, the rest come while nobody types.
const FIRST_READ: Duration = Duration::from_millis(4);

/// How often at most the work done while idle redraws the tab (its counts and the rows found).
const REDRAW_EVERY: Duration = Duration::from_millis(100);

/// The log as table rows, newest first, each read when shown.
struct AuditRows<'a> {
    tab: &'a Audit,
    ctx: &'a Ctx,
}

impl<'a> AuditRows<'a> {
    fn new(tab: &'a Audit, ctx: &'a Ctx) -> Self {
        AuditRows { tab, ctx }
    }

    /// The event shown at row `index` (0 = newest).
    fn event(&self, index: usize) -> Option<AuditEvent> {
        self.tab.pages.event(&self.ctx.session, &self.tab.log, index)
    }
}

impl Rows for AuditRows<'_> {
    fn len(&self) -> usize {
        self.tab.log.len()
    }

    fn cells(&self, index: usize) -> Vec<CellText> {
        match self.event(index) {
            Some(e) => event_cells(&e, &self.ctx.theme),
            None => vec![cell(String::new()), cell(String::new()), cell("(not read)".to_string())],
        }
    }
}

pub struct Audit {
    pane: ListPane,
    /// The details fill the tab (Enter); Esc goes back to the list.
    zoom: bool,
    scroll: u16,
    /// Where the events the signed-in person may read are (the domain's read rule, as in the
    /// command line: all of them for administrators, their catalogs' for catalog roles),
    /// newest first, read back while nobody types.
    log: AuditLog,
    /// The events of the rows shown lately.
    pages: Pages,
    /// The filter's search, a piece at a time while nobody types.
    search: Search,
    /// Why the log could not be read (told in the pane).
    problem: Option<String>,
    /// The details pane beside the list (`]` focuses it when it has more than it shows).
    detail: DetailScroll,
    /// Work done while idle changed what is shown, and when it last asked for a frame.
    changed: bool,
    drawn: Option<Instant>,
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
            .search_outside()
            .empty("Nothing has happened yet."),
            zoom: false,
            scroll: 0,
            log: AuditLog::default(),
            pages: Pages::default(),
            search: Search::default(),
            problem: None,
            detail: DetailScroll::default(),
            changed: false,
            drawn: None,
        }
    }

    /// Catches the log up with the files; an error is told in the pane.
    fn catch_up(&mut self, ctx: &Ctx) {
        let keep = self.pane.selected();
        let at_top = self.pane.state.selected_view().is_none_or(|v| v == 0);
        match ctx.session.audit_catch_up(&mut self.log) {
            Err(e) => {
                self.log = AuditLog::default();
                self.pages.clear();
                self.problem = Some(e.to_string());
                self.search.restart();
                self.restart_matches();
            }
            Ok(AuditChange::Same) => self.problem = None,
            Ok(AuditChange::Grew(n)) => {
                self.problem = None;
                if let Some(m) = self.pane.state.outside_matches() {
                    m.iter_mut().for_each(|row| *row = row.saturating_add(n));
                }
                self.search.shift(n);
                self.sync(ctx);
                if !at_top && let Some(row) = keep {
                    self.pane.state.select_source(row.saturating_add(n));
                }
            }
            Ok(AuditChange::Restarted) => {
                self.problem = None;
                self.pages.clear();
                // The newest rows for the first frame; the rest while nobody types.
                let until = Instant::now().checked_add(FIRST_READ);
                if let Err(e) = ctx.session.audit_read_back(&mut self.log, until) {
                    self.problem = Some(e.to_string());
                }
                self.search.restart();
                self.restart_matches();
                self.pane.state.select_view(0);
            }
        }
        self.sync(ctx);
    }

    /// The filter's matches found so far are dropped (its search starts over).
    fn restart_matches(&mut self) {
        if let Some(m) = self.pane.state.outside_matches() {
            m.clear();
        }
    }

    /// The pane's rows, counts and notes as the log and the search are now.
    fn sync(&mut self, ctx: &Ctx) {
        let note = if self.search.is_done(&self.log) {
            None
        } else {
            Some(format!("searching {}%", self.search.percent(&self.log)))
        };
        let progress = (!self.log.is_complete() && self.problem.is_none())
            .then(|| format!("reading {}%", self.log.percent_read()));
        let empty = match (&self.problem, self.log.is_complete()) {
            (Some(p), _) => p.clone(),
            (None, true) => "Nothing has happened yet.".to_string(),
            (None, false) => "Reading the audit log…".to_string(),
        };
        let mut state = std::mem::take(&mut self.pane.state);
        state.sync(&AuditRows { tab: self, ctx });
        state.set_note(note);
        self.pane.state = state;
        self.pane.progress = progress;
        self.pane.set_empty(empty);
    }

    /// A change of the filter's text starts its search over.
    fn follow_filter(&mut self, ctx: &Ctx) {
        let text = self.pane.state.filter_text().to_lowercase();
        if text != self.search.needle() {
            self.search.start(&text);
            self.sync(ctx);
        }
    }

    fn selected(&self, ctx: &Ctx) -> Option<AuditEvent> {
        self.pane.selected().and_then(|i| AuditRows::new(self, ctx).event(i))
    }

    /// Scrolling the full-screen details; other actions leave it (Esc and Enter only that).
    fn handle_zoomed(&mut self, ctx: &Ctx, action: Action) -> Option<Effect> {
        if !self.zoom {
            return None;
        }
        let max = self.selected(ctx).map_or(0, |e| detail_lines(&e, &ctx.theme, false).len().saturating_sub(1));
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

    /// Reads the log back and searches it until `until`. Whether work is left.
    fn work(&mut self, ctx: &Ctx, until: Instant) -> bool {
        let mut did = false;
        if !self.log.is_complete() && self.problem.is_none() {
            match ctx.session.audit_read_back(&mut self.log, Some(until)) {
                Ok(_) => did = true,
                Err(e) => self.problem = Some(e.to_string()),
            }
        }
        while !self.search.is_done(&self.log) && Instant::now() < until {
            let Some(matches) = self.pane.state.outside_matches() else { break };
            match self.search.step(&ctx.session, &self.log, &ctx.theme, matches) {
                Ok(true) => did = true,
                Ok(false) => break,
                Err(e) => {
                    self.problem = Some(e.to_string());
                    break;
                }
            }
        }
        if did {
            self.sync(ctx);
            self.changed = true;
        }
        self.problem.is_none() && (!self.log.is_complete() || !self.search.is_done(&self.log))
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
    fn idle(&mut self, ctx: &Ctx, until: Instant) -> bool {
        self.work(ctx, until)
    }
    fn take_redraw(&mut self) -> bool {
        let due = self.drawn.is_none_or(|at| at.elapsed() >= REDRAW_EVERY);
        let quiet = self.list_complete();
        if self.changed && (due || quiet) {
            self.changed = false;
            self.drawn = Some(Instant::now());
            return true;
        }
        false
    }
    fn export(&self, ctx: &Ctx, visit: &mut crate::ui::export::Visit<'_>) -> bool {
        visit(&self.pane, &AuditRows::new(self, ctx));
        true
    }
    fn list_complete(&self) -> bool {
        self.log.is_complete() && self.search.is_done(&self.log)
    }
    fn detail(&self) -> Option<&DetailScroll> {
        Some(&self.detail)
    }
    fn detail_mut(&mut self) -> Option<&mut DetailScroll> {
        Some(&mut self.detail)
    }
    fn render(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let event = self.selected(ctx);
        if self.zoom {
            let lines = event.map(|e| detail_lines(&e, theme, false)).unwrap_or_default();
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
        self.pane.render(list, buf, theme, &AuditRows::new(self, ctx), true);
        let lines = event.map(|e| detail_lines(&e, theme, true)).unwrap_or_default();
        detail_pane(detail, buf, theme, "Event", lines, &self.detail);
    }

    fn handle(&mut self, ctx: &mut Ctx, action: Action) -> Effect {
        if let Some(e) = self.handle_zoomed(ctx, action) {
            return e;
        }
        let mut state = std::mem::take(&mut self.pane.state);
        let used = state.handle(action, &AuditRows::new(self, ctx));
        self.pane.state = state;
        if used {
            self.follow_filter(ctx);
            return Effect::None;
        }
        match action {
            Action::Open if self.selected(ctx).is_some() => {
                self.zoom = true;
                self.scroll = 0;
                Effect::None
            }
            _ => Effect::Unhandled,
        }
    }

    fn text(&mut self, ctx: &mut Ctx, c: char) -> Effect {
        let mut state = std::mem::take(&mut self.pane.state);
        let used = state.text(c, &AuditRows::new(self, ctx));
        self.pane.state = state;
        if !used {
            return Effect::Unhandled;
        }
        self.follow_filter(ctx);
        Effect::None
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
        self.catch_up(ctx);
        if let Err(e) = ctx.tenant().require_admin_role(ctx.actor(), "the audit log") {
            // The refusal as the domain words it for this list.
            self.problem = Some(e.to_string());
            self.sync(ctx);
        }
    }
}
