//! Reports: a menu of the reports the domain makes (what a user can request and has, who holds a
//! resource and why, a package's assignments by state, what expires soon, requests with their
//! history, drift outside any package, configuration pitfalls) and the chosen one as a table.
//! `[` `]` switch report, Enter chooses its subject (a user, resource, package, or days).

use std::cell::RefCell;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use crate::domain::overview::{Finish, WEEKS_AHEAD, day_words, week_slot};
use crate::domain::{PackageId, ResourceId, UserId};
use crate::ui::action::Action;
use crate::ui::app::Jump;
use crate::ui::app::{Effect, TabView};
use crate::ui::ask::Ask;
use crate::ui::ctx::Ctx;
use crate::ui::keymap::Mode;
use crate::ui::layers::{Layer, LayerResult};
use crate::ui::tabs::common::*;
use crate::ui::tabs::directory::forms::resource_items;
use crate::ui::tabs::lists::{IdList, Scope};
use crate::ui::tabs::lookups::user_items;
use crate::ui::widgets::detail::DetailScroll;

use crate::ui::theme::Theme;
use crate::ui::widgets::picker::{PickItem, PickerState};
use crate::ui::widgets::prompt::PromptState;
use crate::ui::widgets::table::put_text;

mod data;
mod rows;

use data::{REPORTS, Report, Subjects, build, package_items};
use rows::{Keyed, Row};

const PICK_USER: Ask = Ask::ReportUser;
const PICK_RESOURCE: Ask = Ask::ReportResource;
const PICK_PACKAGE: Ask = Ask::ReportPackage;
const PICK_REQUESTS: Ask = Ask::ReportRequests;
const ASK_DAYS: Ask = Ask::ReportDays;
const ASK_AT: Ask = Ask::ReportAt;
/// The menu is a column on the left from this width; a line on top below it.
const WIDE: u16 = 110;
const MENU_WIDTH: u16 = 42;

pub struct Reports {
    current: usize,
    /// One table per report (each keeps its own filter and selection); rows are read for the
    /// current one only.
    tables: Vec<IdList<Keyed>>,
    /// The domain's refusal of the current report, if it refused.
    refusal: Option<String>,
    subjects: Subjects,
    /// Where each report's menu entry was drawn, for clicks.
    menu_hits: RefCell<Vec<(Rect, usize)>>,
    /// The details pane beside the list (`]` focuses it when it has more than it shows).
    detail: DetailScroll,
}

impl Default for Reports {
    fn default() -> Self {
        Self::new()
    }
}

/// The expiring report's rows that end in one week ahead, as the Overview's chart counts them.
fn expiring_in_week(week: usize) -> Scope<Keyed> {
    let first = week.saturating_mul(7).saturating_add(1);
    let label = format!("ending in week {} (days {first}-{})", week.saturating_add(1), first.saturating_add(6));
    Scope::new(label, move |ctx: &Ctx, k: &Keyed| match k.1 {
        Row::Expiring(id) => ctx
            .tenant()
            .assignments
            .get(&id)
            .and_then(|a| a.end)
            .is_some_and(|end| week_slot(ctx.now, end) == Some(week)),
        _ => false,
    })
}

/// The requests report's rows finished one way on one day, as the Overview's chart counts them.
fn finished_on(day: usize, finish: Finish) -> Scope<Keyed> {
    Scope::new(format!("{} {}", finish.label(), day_words(day)), move |ctx: &Ctx, k: &Keyed| match k.1 {
        Row::Request(id) => ctx.tenant().finished_on(id) == Some((day, finish)),
        _ => false,
    })
}

/// The instant typed for a report: empty (or `now`) is now; a date is read as the command line
/// reads `--at` (the tenant then says whether it can answer for it).
fn parse_at(s: &str) -> Result<Option<crate::domain::when::When>, String> {
    let text = s.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("now") {
        return Ok(None);
    }
    crate::domain::when::when(text).map(Some).map_err(|e| e.to_string())
}

/// The days of the expiring report, in the domain's range (`bounds::REPORT_DAYS`).
fn parse_days(s: &str) -> Result<i64, String> {
    let range = crate::domain::bounds::REPORT_DAYS;
    match s.trim().parse::<i64>() {
        Ok(n) if range.contains(n.into()) => Ok(n),
        _ => Err(format!("A whole number of days, {range}")),
    }
}

impl Reports {
    pub fn new() -> Self {
        Reports {
            current: 0,
            tables: REPORTS.iter().map(|r| IdList::new(r.title(), r.columns(), "", rows::cells)).collect(),
            refusal: None,
            subjects: Subjects::default(),
            menu_hits: RefCell::new(Vec::new()),
            detail: DetailScroll::default(),
        }
    }

    fn report(&self) -> Report {
        REPORTS.get(self.current).copied().unwrap_or(Report::UserPackages)
    }

    fn table(&mut self) -> Option<&mut IdList<Keyed>> {
        self.tables.get_mut(self.current)
    }

    /// Re-reads the current report.
    fn rebuild(&mut self, ctx: &Ctx) {
        let requests = match self.report() {
            Report::Requests => {
                let read = ctx.session.requests_report(self.subjects.requests_of, false);
                read.inspect(|l| ctx.remember(l.iter())).map_err(|e| e.to_string())
            }
            _ => Ok(vec![]),
        };
        let built = build(ctx.tenant(), ctx.actor(), self.report(), &self.subjects, requests);
        self.refusal = built.refusal;
        if let Some(table) = self.tables.get_mut(self.current) {
            table.pane.title = built.title;
            table.pane.empty = built.empty;
            table.set(ctx, built.rows.into_iter().enumerate().map(|(i, r)| Keyed(i, r)).collect());
        }
    }

    fn switch(&mut self, ctx: &Ctx, to: usize) {
        self.current = to.min(REPORTS.len() - 1);
        self.rebuild(ctx);
    }

    /// The picker or prompt that chooses what the current report is about.
    fn choose_subject(&self, ctx: &Ctx) -> Effect {
        let t = ctx.tenant();
        let s = &self.subjects;
        let pick = |id: Ask, title: &str, items: Vec<PickItem>, current: Option<String>| {
            let p = PickerState::new(id, title, items);
            Effect::Open(Layer::Picker(match current {
                Some(c) => p.highlight(&c),
                None => p,
            }))
        };
        match self.report() {
            Report::UserPackages | Report::UserAccess => {
                pick(PICK_USER, "Report on which user?", user_items(t), s.user.map(|u| u.to_string()))
            }
            Report::ResourceHolders => {
                pick(PICK_RESOURCE, "Report on which resource?", resource_items(t), s.resource.map(|r| r.to_string()))
            }
            Report::PackageAssignments => pick(
                PICK_PACKAGE,
                "Report on which access package?",
                package_items(t),
                s.package.map(|p| p.to_string()),
            ),
            Report::Requests => {
                let mut items = vec![PickItem::new("all", "All access packages", "")];
                items.extend(package_items(t));
                let current = s.requests_of.map_or("all".to_string(), |p| p.to_string());
                pick(PICK_REQUESTS, "Requests of which access package?", items, Some(current))
            }
            Report::Expiring => Effect::Open(Layer::Prompt(
                PromptState::new(ASK_DAYS, "Expiring assignments", "Ending within how many days?")
                    .value(s.days.to_string())
                    .validate(|s| parse_days(s).err()),
            )),
            Report::Drift | Report::Incompatible | Report::Lint => {
                Effect::info("This report covers the whole tenant: nothing to choose")
            }
        }
    }

    /// The prompt for the instant the holders and access reports are about.
    fn choose_when(&self) -> Effect {
        let current = self.subjects.at.map(fmt_time).unwrap_or_default();
        Effect::Open(Layer::Prompt(
            PromptState::new(ASK_AT, "As of when?", "Date (YYYY-MM-DD or YYYY-MM-DD HH:MM); empty: now")
                .value(current)
                .validate(|s| parse_at(s).err()),
        ))
    }

    fn render_menu(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let block = Block::bordered().border_style(theme.border).title(Span::styled(" Reports ", theme.title));
        let inner = block.inner(area);
        block.render(area, buf);
        let mut hits = Vec::new();
        let mut y = inner.y;
        let bottom = inner.y + inner.height;
        for (i, r) in REPORTS.iter().enumerate() {
            if y >= bottom {
                break;
            }
            let top = y;
            let selected = i == self.current;
            let style = if selected { theme.selected } else { theme.base };
            let row = Rect { y, height: 1, ..inner };
            buf.set_style(row, style);
            put_text(buf, row, &format!("{} {}", if selected { "›" } else { " " }, r.title()), style);
            y += 1;
            let labels = self.subjects.label(ctx.tenant(), *r).into_iter().chain(self.subjects.when_label(*r));
            for label in labels {
                if y < bottom {
                    put_text(buf, Rect { y, height: 1, ..inner }, &format!("    {label}"), theme.muted);
                    y += 1;
                }
            }
            hits.push((Rect { y: top, height: y - top, ..inner }, i));
        }
        let help = ["", "[ ] switch report", "enter choose its subject", "e as of a past date", "/ filter the table"];
        for h in help {
            if y >= bottom {
                break;
            }
            put_text(buf, Rect { y, height: 1, ..inner }, h, theme.muted);
            y += 1;
        }
        *self.menu_hits.borrow_mut() = hits;
    }

    fn render_bar(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        const TAIL: &str = " [ ]";
        let tail = TAIL.chars().count() as u16;
        let width = |r: &Report| r.short().chars().count() as u16 + 3;
        // From the first report on, unless the current one would not fit: then the fewest left
        // out in front for it to.
        let fits = |from: usize| {
            let used: u16 = REPORTS.iter().take(self.current + 1).skip(from).map(width).sum();
            used.saturating_add(tail) <= area.width
        };
        let first = (0..self.current).find(|f| fits(*f)).unwrap_or(self.current);
        let mut spans = vec![];
        let mut hits = Vec::new();
        let mut x = area.x;
        for (i, r) in REPORTS.iter().enumerate().skip(first) {
            let text = format!(" {} ", r.short());
            let w = text.chars().count() as u16;
            if x.saturating_add(w + 1).saturating_add(tail) > area.right() {
                break;
            }
            let style = if i == self.current { theme.tab_active } else { theme.tab };
            hits.push((Rect { x, width: w, ..area }, i));
            x += w + 1;
            spans.push(Span::styled(text, style));
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(TAIL, theme.muted));
        Paragraph::new(Line::from(spans)).render(area, buf);
        *self.menu_hits.borrow_mut() = hits;
    }

    fn detail_lines(&self, ctx: &Ctx, theme: &Theme) -> Vec<Line<'static>> {
        let report = self.report();
        if let Some(e) = &self.refusal {
            return vec![Line::styled(e.clone(), theme.error)];
        }
        let Some(table) = self.tables.get(self.current) else { return vec![] };
        let Some(row) = table.selected() else {
            return vec![Line::styled(report.about(), theme.muted)];
        };
        let cells = rows::cells(ctx, &row);
        let mut lines: Vec<Line<'static>> = table
            .pane
            .columns
            .iter()
            .zip(cells)
            .filter(|(_, c)| !c.text.is_empty())
            .map(|(col, c)| kv(theme, &format!("{} ", col.title), c.text.clone()))
            .collect();
        if let Row::Past(h, _) = &row.1 {
            lines.push(kv(theme, "Since ", fmt_time(h.since)));
            lines.push(kv(theme, "Until ", h.until.map_or_else(|| "still held".to_string(), fmt_time)));
        }
        if let Row::PastAssignment(a) = &row.1 {
            lines.push(kv(theme, "Ended ", a.until.map_or_else(|| "not yet".to_string(), fmt_time)));
        }
        match report {
            Report::Requests => {
                let req = match &row.1 {
                    Row::Request(id) => ctx.request(*id),
                    _ => None,
                };
                if let Some(r) = &req {
                    if !r.justification.is_empty() {
                        lines.push(kv(theme, "Justification", r.justification.clone()));
                    }
                    lines.push(heading(theme, "History"));
                    lines
                        .extend(r.history.iter().map(|h| kv(theme, &format!("  {} ", fmt_time(h.at)), h.text.clone())));
                }
            }
            Report::Drift => lines.push(Line::styled(
                "Governed: an access package grants this resource, so this membership bypasses its policy and reviews.",
                theme.muted,
            )),
            _ => {}
        }
        lines
    }
}

impl TabView<Ctx> for Reports {
    fn idle(&mut self, ctx: &Ctx, until: std::time::Instant) -> bool {
        let current = self.current;
        self.refusal.is_none()
            && self
                .tables
                .get_mut(current)
                .is_some_and(|l| crate::ui::tabs::lists::AnyList::index_a_while(l, ctx, until))
    }
    fn export(&self, ctx: &Ctx, visit: &mut crate::ui::export::Visit<'_>) -> bool {
        self.tables
            .get(self.current)
            .filter(|_| self.refusal.is_none())
            .map(|l| crate::ui::tabs::lists::AnyList::export(l, ctx, visit))
            .is_some()
    }
    fn jump(&mut self, ctx: &Ctx, to: &Jump) {
        let (report, scope) = match *to {
            Jump::Expiring(week) => {
                // Over the weeks the Overview's chart shows, or to the end of the one chosen.
                let weeks = week.map_or(WEEKS_AHEAD, |w| w.saturating_add(1));
                self.subjects.days = i64::try_from(weeks.saturating_mul(7)).unwrap_or(self.subjects.days);
                (Report::Expiring, week.map(expiring_in_week))
            }
            Jump::Requests(part) => {
                self.subjects.requests_of = None;
                (Report::Requests, part.map(|(day, finish)| finished_on(day, finish)))
            }
            Jump::Lint => (Report::Lint, None),
            _ => return,
        };
        let Some(i) = REPORTS.iter().position(|r| *r == report) else { return };
        self.current = i;
        if let Some(table) = self.tables.get_mut(i) {
            table.drop_scope();
        }
        self.rebuild(ctx);
        if let (Some(scope), Some(table)) = (scope, self.tables.get_mut(i)) {
            table.scope(ctx, scope);
        }
    }
    fn detail(&self) -> Option<&DetailScroll> {
        Some(&self.detail)
    }
    fn detail_mut(&mut self) -> Option<&mut DetailScroll> {
        Some(&mut self.detail)
    }
    fn render(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let right = if area.width >= WIDE {
            let [menu, right] = Layout::horizontal([Constraint::Length(MENU_WIDTH), Constraint::Fill(1)]).areas(area);
            self.render_menu(ctx, menu, buf, theme);
            right
        } else {
            let [bar, right] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
            self.render_bar(bar, buf, theme);
            right
        };
        let detail_h = (right.height / 3).clamp(5, 12);
        let [table, detail] = Layout::vertical([Constraint::Fill(1), Constraint::Length(detail_h)]).areas(right);
        if let Some(t) = self.tables.get(self.current) {
            t.render(ctx, table, buf, theme, true);
        }
        detail_pane(detail, buf, theme, "Details", self.detail_lines(ctx, theme), &self.detail);
    }

    fn handle(&mut self, ctx: &mut Ctx, action: Action) -> Effect {
        if self.tables.get_mut(self.current).is_some_and(|t| t.handle(ctx, action)) {
            return Effect::None;
        }
        match action {
            Action::NextPane => self.switch(ctx, (self.current + 1) % REPORTS.len()),
            Action::PrevPane => self.switch(ctx, (self.current + REPORTS.len() - 1) % REPORTS.len()),
            Action::Edit if Subjects::dated(self.report()) => return self.choose_when(),
            Action::Open | Action::Edit => return self.choose_subject(ctx),
            _ => return Effect::Unhandled,
        }
        Effect::None
    }

    fn text(&mut self, ctx: &mut Ctx, c: char) -> Effect {
        if self.table().is_some_and(|t| t.text(ctx, c)) { Effect::None } else { Effect::Unhandled }
    }

    fn mode(&self) -> Mode {
        self.tables.get(self.current).map_or(Mode::List, |t| t.mode())
    }

    fn hints(&self) -> Vec<Action> {
        match self.report() {
            Report::Drift | Report::Incompatible | Report::Lint => vec![Action::NextPane, Action::Filter],
            r if Subjects::dated(r) => vec![Action::Open, Action::Edit, Action::NextPane, Action::Filter],
            _ => vec![Action::Open, Action::NextPane, Action::Filter],
        }
    }

    fn on_result(&mut self, ctx: &mut Ctx, result: LayerResult) -> Effect {
        let s = &mut self.subjects;
        match result {
            LayerResult::Picked { id, ids } => {
                let Some(first) = ids.first() else { return Effect::None };
                let parsed = match id {
                    PICK_USER => first.parse::<UserId>().map(|u| s.user = Some(u)),
                    PICK_RESOURCE => first.parse::<ResourceId>().map(|r| s.resource = Some(r)),
                    PICK_PACKAGE => first.parse::<PackageId>().map(|p| s.package = Some(p)),
                    PICK_REQUESTS if first == "all" => {
                        s.requests_of = None;
                        Ok(())
                    }
                    PICK_REQUESTS => first.parse::<PackageId>().map(|p| s.requests_of = Some(p)),
                    _ => return Effect::None,
                };
                if let Err(e) = parsed {
                    return Effect::error(e);
                }
            }
            LayerResult::Prompted { id: ASK_DAYS, text } => match parse_days(&text) {
                Ok(n) => s.days = n,
                Err(e) => return Effect::Reject(e),
            },
            LayerResult::Prompted { id: ASK_AT, text } => {
                let t = ctx.tenant();
                let at = parse_at(&text).map(|w| w.map(|w| w.resolve(t.now())));
                // The tenant decides which instants it can answer for (not after its clock,
                // not before its beginning).
                match at.and_then(|at| at.map(|x| t.as_of(x).map(|_| x)).transpose().map_err(|e| e.to_string())) {
                    Ok(at) => s.at = at,
                    Err(e) => return Effect::Reject(e),
                }
            }
            _ => return Effect::None,
        }
        // A new subject: the part of the old one kept from the Overview goes.
        if let Some(table) = self.table() {
            table.drop_scope();
        }
        self.rebuild(ctx);
        Effect::None
    }

    fn click(&mut self, ctx: &mut Ctx, column: u16, row: u16) -> Effect {
        let hit = self.menu_hits.borrow().iter().find(|(r, _)| r.contains((column, row).into())).map(|(_, i)| *i);
        if let Some(i) = hit {
            self.switch(ctx, i);
            return Effect::None;
        }
        match self.table().map(|t| &mut t.pane) {
            Some(p) if p.contains(column, row) => {
                p.click(column, row);
                Effect::None
            }
            _ => Effect::Unhandled,
        }
    }

    fn scroll(&mut self, _ctx: &mut Ctx, lines: isize) -> Effect {
        if let Some(t) = self.table() {
            t.pane.scroll(lines);
        }
        Effect::None
    }

    fn refresh(&mut self, ctx: &Ctx) {
        self.rebuild(ctx);
    }
}
