//! Overview: the first tab, for whoever is signed in, drawn with ratatui's charts. An approver
//! sees their waiting decisions by age (bar chart), the oldest with the time left, and their
//! review tasks (gauges); an administrator the assignments expiring per week over the next twelve
//! weeks (bar chart), the requests of the last thirty days by outcome (sparklines), the open
//! reviews' progress (gauges), the lint findings by severity and the packages with most requests
//! waiting; everyone their own access with the time it has left (gauges) and their open requests.
//!
//! Everything follows the in-app clock (it is read again on every change of the data or the
//! clock). At 80x24 fewer, smaller panels show at a time. Every figure is also written as text,
//! so it reads in NO_COLOR.
//!
//! Each panel is a grid of items (its bars, its rows): the arrows move between them and on to the
//! next panel at an edge, PgDn and PgUp move by whole panels, and Enter opens the list that
//! holds what the item counts, kept to it (a week's expiries, a day's denied requests, one
//! review's people) or with it selected (a request, an assignment).

mod draw;

use std::cell::Cell;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};

use crate::domain::Time;
use crate::domain::lint::Severity;
use crate::domain::overview::{AdminOverview, ApproverOverview, DAYS_BACK, Finish, RequesterOverview, WEEKS_AHEAD};
use crate::ui::action::Action;
use crate::ui::app::{Effect, Jump, Tab, TabView, WaitingPart};
use crate::ui::ctx::Ctx;
use crate::ui::theme::Theme;

/// The age bars of the waiting decisions, and the oldest decisions listed under them.
const AGE_BARS: usize = crate::domain::overview::AGE_BUCKETS.len();
const OLDEST_SHOWN: usize = 3;

/// One panel of the overview.
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

/// The item chosen in a panel: its row, and its column within the row (a bar).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct At {
    row: usize,
    col: usize,
}

#[derive(Default)]
pub struct Overview {
    now: Option<Time>,
    requester: RequesterOverview,
    approver: Option<ApproverOverview>,
    admin: Option<AdminOverview>,
    lint: (usize, usize),
    panels: Vec<Panel>,
    /// The panel chosen, and the item chosen in it.
    selected: usize,
    at: At,
    /// How many panels the last frame had room for: one page of them is drawn at a time.
    room: Cell<usize>,
}

impl Overview {
    pub fn new() -> Self {
        Self::default()
    }

    fn panel(&self) -> Option<Panel> {
        self.panels.get(self.selected).copied()
    }

    /// The widths of a panel's rows of items (a bar chart is one row of bars).
    fn grid(&self, panel: Panel) -> Vec<usize> {
        let rows = |n: usize| vec![1; n];
        match panel {
            Panel::MyAccess => rows(self.requester.access.len()),
            Panel::MyRequests => rows(self.requester.open.len()),
            Panel::Waiting => {
                let oldest = self.approver.as_ref().map_or(0, |a| a.oldest.len().min(OLDEST_SHOWN));
                [vec![AGE_BARS], rows(oldest)].concat()
            }
            Panel::MyReviews => rows(self.approver.as_ref().map_or(0, |a| a.reviews.len())),
            Panel::Expiring => vec![WEEKS_AHEAD],
            Panel::Requests => vec![DAYS_BACK; Finish::ALL.len()],
            Panel::OpenReviews => rows(self.admin.as_ref().map_or(0, |a| a.open_reviews.len())),
            Panel::Busiest => rows(1 + self.admin.as_ref().map_or(0, |a| a.busiest.len())),
        }
    }

    /// The item chosen in a panel, within its grid (the column kept within the row's width).
    fn item(&self, panel: Panel) -> Option<At> {
        let grid = self.grid(panel);
        let width = *grid.get(self.at.row)?;
        Some(At { row: self.at.row, col: self.at.col.min(width.saturating_sub(1)) })
    }

    /// Chooses a panel, at its first row (or its last, coming from below) and its first bar with
    /// a figure (or its last, coming from the right); the requests' days start at the latest.
    fn enter_panel(&mut self, to: usize, from_end: bool) {
        let Some(panel) = self.panels.get(to).copied() else { return };
        self.selected = to;
        let grid = self.grid(panel);
        let row = if from_end { grid.len().saturating_sub(1) } else { 0 };
        let width = grid.get(row).copied().unwrap_or(1);
        let col = match panel {
            _ if from_end => width.saturating_sub(1),
            Panel::Requests => width.saturating_sub(1),
            Panel::Waiting => self.approver.as_ref().and_then(|a| a.by_age.iter().position(|n| *n > 0)).unwrap_or(0),
            Panel::Expiring => self.admin.as_ref().and_then(|a| a.expiring.iter().position(|n| *n > 0)).unwrap_or(0),
            _ => 0,
        };
        self.at = At { row, col };
    }

    fn step_row(&mut self, down: bool) {
        let Some(panel) = self.panel() else { return };
        let rows = self.grid(panel).len();
        if down && self.at.row + 1 < rows {
            self.at.row += 1;
        } else if !down && self.at.row > 0 {
            self.at.row -= 1;
        } else {
            self.step_panel(down);
        }
    }

    fn step_col(&mut self, right: bool) {
        let Some((panel, at)) = self.panel().and_then(|p| Some((p, self.item(p)?))) else {
            return self.step_panel(right);
        };
        let width = self.grid(panel).get(at.row).copied().unwrap_or(1);
        if right && at.col + 1 < width {
            self.at.col = at.col + 1;
        } else if !right && at.col > 0 {
            self.at.col = at.col - 1;
        } else {
            self.step_panel(right);
        }
    }

    fn step_panel(&mut self, forward: bool) {
        match forward {
            true if self.selected + 1 < self.panels.len() => self.enter_panel(self.selected + 1, false),
            false if self.selected > 0 => self.enter_panel(self.selected - 1, true),
            _ => {}
        }
    }

    /// The tab and the list there that hold what the chosen item counts.
    fn opens(&self) -> Option<(Tab, Jump)> {
        let panel = self.panel()?;
        let at = self.item(panel);
        let row = at.map(|a| a.row);
        let approver = self.approver.as_ref();
        let admin = self.admin.as_ref();
        Some(match panel {
            Panel::MyAccess => {
                let a = row.and_then(|r| self.requester.access.get(r)).map(|a| a.assignment);
                (Tab::MyAccess, Jump::MyAssignments(a))
            }
            Panel::MyRequests => {
                (Tab::MyAccess, Jump::MyRequests(row.and_then(|r| self.requester.open.get(r)).map(|o| o.request)))
            }
            Panel::Waiting => {
                let part = match at {
                    Some(At { row: 0, col }) => WaitingPart::Aged(col),
                    Some(At { row, .. }) => approver
                        .and_then(|a| a.oldest.get(row - 1))
                        .map_or(WaitingPart::All, |w| WaitingPart::Request(w.request)),
                    None => WaitingPart::All,
                };
                (Tab::Approvals, Jump::Waiting(part))
            }
            Panel::MyReviews => {
                let review = row.and_then(|r| approver.and_then(|a| a.reviews.get(r))).map(|r| r.review);
                (Tab::Reviews, Jump::ToReview(review))
            }
            Panel::OpenReviews => {
                let review = row.and_then(|r| admin.and_then(|a| a.open_reviews.get(r))).map(|r| r.review);
                (Tab::Reviews, Jump::ToReview(review))
            }
            Panel::Expiring => (Tab::Reports, Jump::Expiring(at.map(|a| a.col))),
            Panel::Requests => {
                let part = at.and_then(|a| Finish::ALL.get(a.row).map(|f| (a.col, *f)));
                (Tab::Reports, Jump::Requests(part))
            }
            Panel::Busiest => match row {
                Some(0) | None => (Tab::Reports, Jump::Lint),
                Some(r) => {
                    let name = admin.and_then(|a| a.busiest.get(r - 1)).map(|(_, name, _)| name.clone());
                    (Tab::Packages, Jump::Filter(name.unwrap_or_default()))
                }
            },
        })
    }

    /// The panels that fit in an area of this size.
    fn room_in(area: Rect) -> usize {
        if area.height >= 30 && area.width >= 120 { 6 } else { 4 }
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
        self.requester = t.requester_overview(ctx.actor());
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
        let kept = self.panel();
        self.panels = panels;
        // The same panel stays chosen when it is still shown (its item kept within its grid).
        match kept.and_then(|p| self.panels.iter().position(|q| *q == p)) {
            Some(i) => {
                self.selected = i;
                let rows = self.panel().map_or(0, |p| self.grid(p).len());
                self.at.row = self.at.row.min(rows.saturating_sub(1));
            }
            None => self.enter_panel(0, false),
        }
    }

    fn handle(&mut self, _ctx: &mut Ctx, action: Action) -> Effect {
        match action {
            Action::Down => self.step_row(true),
            Action::Up => self.step_row(false),
            // Right, l and ] (the list's next pane) move across a row of bars, then on.
            Action::Right | Action::NextPane => self.step_col(true),
            Action::Left | Action::PrevPane => self.step_col(false),
            Action::PageDown => self.step_panel(true),
            Action::PageUp => self.step_panel(false),
            Action::Home => self.enter_panel(0, false),
            Action::End => self.enter_panel(self.panels.len().saturating_sub(1), false),
            Action::Open => {
                return match self.opens() {
                    Some((tab, jump)) => Effect::Jump(tab, jump),
                    None => Effect::None,
                };
            }
            _ => return Effect::Unhandled,
        }
        Effect::None
    }

    fn hints(&self) -> Vec<Action> {
        vec![Action::Open, Action::NextPane, Action::PageDown]
    }

    fn hint_label(&self, action: Action) -> Option<String> {
        match action {
            Action::Open => Some("open the list".to_string()),
            Action::NextPane => Some("next bar".to_string()),
            Action::PrevPane => Some("previous bar".to_string()),
            Action::Down => Some("next row".to_string()),
            Action::Up => Some("previous row".to_string()),
            Action::PageDown => Some("next panel".to_string()),
            Action::PageUp => Some("previous panel".to_string()),
            _ => None,
        }
    }

    fn render(&self, _ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let Some(now) = self.now else { return };
        let room = Self::room_in(area);
        self.room.set(room);
        // The page of panels that holds the one chosen.
        let first = self.selected / room * room;
        let page: Vec<(usize, Panel)> = self.panels.iter().copied().enumerate().skip(first).take(room).collect();
        let cols = if area.width >= 120 { 3 } else { 2 };
        let rows = page.len().div_ceil(cols).max(1);
        let row_areas = Layout::vertical(vec![Constraint::Fill(1); rows]).split(area);
        for (r, row_area) in row_areas.iter().enumerate() {
            let cells = Layout::horizontal(vec![Constraint::Fill(1); cols]).split(*row_area);
            for (c, cell) in cells.iter().enumerate() {
                let Some((i, panel)) = page.get(r * cols + c) else { continue };
                let chosen = (*i == self.selected).then(|| self.item(*panel)).flatten();
                let more = (self.panels.len() > room && r * cols + c + 1 == page.len()).then(|| {
                    let pages = self.panels.len().div_ceil(room);
                    (first / room + 1, pages)
                });
                self.draw_panel(*panel, now, *cell, buf, theme, *i == self.selected, chosen, more);
            }
        }
    }
}
