//! Reviews: the access reviews I must decide (one row per person under review) and the decisions I
//! made. `a` approve, `x` deny, `i` don't know: each asks for a justification, then the domain
//! records it (`DecideReview`); a refusal (a deny without a reason, an ended review) stays in the
//! prompt.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;

use crate::domain::views::time_left;
use crate::domain::{AssignmentId, Command, ReviewDecision, ReviewId, ReviewItem, ReviewState, Target, Tenant, UserId};
use crate::domain::{NoResponse, Review};
use crate::ui::action::Action;
use crate::ui::app::{Effect, TabView};
use crate::ui::ctx::{Ctx, PerData, outcome_text};
use crate::ui::keymap::Mode;
use crate::ui::layers::{Layer, LayerResult};
use crate::ui::tabs::approvals::{Detail, person_lines};
use crate::ui::tabs::common::*;
use crate::ui::theme::Theme;
use crate::ui::widgets::list_pane::ListPane;
use crate::ui::widgets::prompt::PromptState;
use crate::ui::widgets::table::{CellText, Column};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pane {
    Open,
    Decided,
}

/// One person's access in one review.
type ItemKey = (ReviewId, AssignmentId);

pub struct Reviews {
    pane: Pane,
    open: ListPane,
    decided: ListPane,
    open_keys: Vec<ItemKey>,
    decided_keys: Vec<ItemKey>,
    open_rows: Vec<Vec<CellText>>,
    decided_rows: Vec<Vec<CellText>>,
    /// Open items nobody has decided yet (the badge), counted once per change of the data.
    undecided: PerData<usize>,
}

impl Default for Reviews {
    fn default() -> Self {
        Self::new()
    }
}

/// "approve", "deny", "don't know".
fn decision_label(d: ReviewDecision) -> &'static str {
    match d {
        ReviewDecision::Approve => "approve",
        ReviewDecision::Deny => "deny",
        ReviewDecision::DontKnow => "don't know",
    }
}

fn decision_cell(theme: &Theme, d: ReviewDecision, suffix: String) -> CellText {
    CellText::styled(format!("{}{suffix}", decision_label(d)), theme.state(&d.to_string()))
}

fn package_name(t: &Tenant, r: &Review) -> String {
    t.packages.get(&r.package).map(|p| p.display_name.clone()).unwrap_or_else(|| r.package.to_string())
}

impl Reviews {
    pub fn new() -> Self {
        let c = |t: &str, w| Column::new(t, w);
        Reviews {
            pane: Pane::Open,
            open: ListPane::new(
                "To review",
                vec![
                    c("User", Constraint::Fill(3)),
                    c("Access package", Constraint::Fill(3)),
                    c("Review", Constraint::Fill(2)),
                    c("Access ends", Constraint::Length(11)),
                    c("Review ends", Constraint::Length(11)),
                    c("Left", Constraint::Length(6)),
                    c("Decision", Constraint::Length(10)),
                ],
            )
            .empty("No access review needs you."),
            decided: ListPane::new(
                "Decided by me",
                vec![
                    c("Decided", Constraint::Length(10)),
                    c("User", Constraint::Fill(2)),
                    c("Review", Constraint::Fill(3)),
                    c("Decision", Constraint::Length(10)),
                    c("Justification", Constraint::Fill(2)),
                    c("Result", Constraint::Length(13)),
                ],
            )
            .empty("You have not decided any review yet."),
            open_keys: vec![],
            decided_keys: vec![],
            open_rows: vec![],
            decided_rows: vec![],
            undecided: PerData::default(),
        }
    }

    fn current(&mut self) -> (&mut ListPane, &Vec<Vec<CellText>>) {
        match self.pane {
            Pane::Open => (&mut self.open, &self.open_rows),
            Pane::Decided => (&mut self.decided, &self.decided_rows),
        }
    }

    fn selected(&self) -> Option<ItemKey> {
        match self.pane {
            Pane::Open => self.open.selected().and_then(|i| self.open_keys.get(i).copied()),
            Pane::Decided => self.decided.selected().and_then(|i| self.decided_keys.get(i).copied()),
        }
    }

    fn decide(&self, ctx: &Ctx, decision: ReviewDecision) -> Effect {
        if self.pane != Pane::Open {
            return Effect::info("Decide from the To review list");
        }
        let Some((rid, aid)) = self.selected() else { return Effect::info("No access review needs you") };
        let t = ctx.tenant();
        let Some((review, item)) = find_item(t, rid, aid) else {
            return Effect::error(format!("Review {rid} is gone"));
        };
        let who = t.user_name(item.user);
        let (verb, need) = match decision {
            ReviewDecision::Approve => ("Approve", "reason optional"),
            ReviewDecision::Deny => ("Deny", "reason required"),
            ReviewDecision::DontKnow => ("Don't know", "reason optional"),
        };
        let title = format!("{verb}: {who}'s access · {need}");
        let label = format!("Justification: {who} → {}", package_name(t, review));
        let id = format!("review:{decision}:{rid}:{aid}");
        Effect::Open(Layer::Prompt(PromptState::new(id, title, label)))
    }

    fn render_detail(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let t = ctx.tenant();
        let mut d = Detail::new(theme, area.width);
        match self.selected().and_then(|(r, a)| find_item(t, r, a)) {
            Some((review, item)) => item_lines(ctx, review, item, &mut d),
            None => d.line(Line::styled("Select a row to see the assignment under review.", theme.muted)),
        }
        detail_pane(area, buf, theme, "Access under review", d.lines);
    }
}

fn find_item(t: &Tenant, rid: ReviewId, aid: AssignmentId) -> Option<(&Review, &ReviewItem)> {
    let r = t.reviews.get(&rid)?;
    Some((r, r.items.iter().find(|i| i.assignment == aid)?))
}

/// The assignment under review, how the user got it, the review's clock and who else reviews.
fn item_lines(ctx: &Ctx, review: &Review, item: &ReviewItem, d: &mut Detail) {
    let t = ctx.tenant();
    let theme = d.theme;
    let me: Option<UserId> = ctx.me();
    let name = |u: UserId| if Some(u) == me { "you".to_string() } else { t.user_name(u) };
    d.heading(review.display_name.clone());
    person_lines(t, d, "User", &Target::User { user: item.user });
    if let Some(a) = t.assignments.get(&item.assignment) {
        let ends = a.end.map(|e| format!("ends {}", fmt_day(Some(e)))).unwrap_or_else(|| "never ends".into());
        let text = format!("{} · {} · since {} · {ends}", a.id, a.state, fmt_day(Some(a.start)));
        d.kv_styled("Assignment", text, theme.state(&a.state.to_string()));
        if let Some(r) = ctx.request(a.request) {
            let r = &r;
            let how = match r.requestor {
                Some(by) if Some(by) != r.target_user() => {
                    format!("{} by {} ({})", r.request_type, t.user_name(by), r.id)
                }
                _ => format!("{} ({})", r.request_type, r.id),
            };
            d.kv("Got it by", how);
            if !r.justification.is_empty() {
                d.kv("Justification", r.justification.clone());
            }
        }
    }
    // Me first, then the others.
    let mut reviewers: Vec<UserId> = item.reviewers.clone();
    reviewers.sort_by_key(|u| (Some(*u) != me, t.user_name(*u)));
    d.kv("Reviewers", reviewers.into_iter().map(name).collect::<Vec<_>>().join(", "));
    match (item.decision, item.decided_by) {
        (Some(x), by) => {
            let by = by.map(name).unwrap_or_default();
            let at = item.decided_at.map(fmt_time).unwrap_or_default();
            let why = if item.justification.is_empty() { String::new() } else { format!(": {}", item.justification) };
            d.kv_styled("Decision", format!("{} by {by} on {at}{why}", decision_label(x)), theme.state(&x.to_string()));
        }
        (None, _) => d.kv_styled("Decision", "not decided yet", theme.warning),
    }
    let period = format!("{} → {}", fmt_day(Some(review.start)), fmt_time(review.end));
    let status = match review.state {
        ReviewState::InProgress => format!("{period} · {} left", time_left(ctx.now, review.end)),
        ReviewState::Completed => format!("{period} · completed: {}", item.outcome.clone().unwrap_or_default()),
    };
    d.kv("Review", status);
    let grants = t.packages.get(&review.package).map(|p| t.grants_summary(p)).unwrap_or_default();
    d.kv("Access", format!("{} · {grants}", package_name(t, review)));
    if let Some(r) = t.assignments.get(&item.assignment).and_then(|a| ctx.request(a.request)) {
        let r = &r;
        let approvals: Vec<String> = r
            .decisions
            .iter()
            .map(|x| {
                let verb = if x.approved { "approved" } else { "denied" };
                format!("stage {} {verb} by {}", x.stage + 1, name(x.by))
            })
            .collect();
        d.kv("Approvals", if approvals.is_empty() { "none needed".to_string() } else { approvals.join(", ") });
    }
    let fallback = match review.settings.no_response {
        NoResponse::Keep => "access is kept",
        NoResponse::Remove => "access is removed",
    };
    d.kv("No answer", format!("{fallback} (don't know counts as no answer)"));
}

impl TabView<Ctx> for Reviews {
    fn render(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let [bar, body] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
        let names = [format!("To review ({})", self.open_rows.len()), format!("Decided ({})", self.decided_rows.len())];
        pane_bar(bar, buf, theme, &names, usize::from(self.pane == Pane::Decided));
        let (list, detail) = split_list_detail(body);
        match self.pane {
            Pane::Open => self.open.render(list, buf, theme, &self.open_rows, true),
            Pane::Decided => self.decided.render(list, buf, theme, &self.decided_rows, true),
        }
        self.render_detail(ctx, detail, buf, theme);
    }

    fn handle(&mut self, ctx: &mut Ctx, action: Action) -> Effect {
        {
            let (pane, rows) = self.current();
            if pane.handle(action, rows) {
                return Effect::None;
            }
        }
        match action {
            Action::NextPane | Action::PrevPane => {
                self.pane = if self.pane == Pane::Open { Pane::Decided } else { Pane::Open };
                Effect::None
            }
            Action::Approve => self.decide(ctx, ReviewDecision::Approve),
            Action::Deny => self.decide(ctx, ReviewDecision::Deny),
            Action::DontKnow => self.decide(ctx, ReviewDecision::DontKnow),
            _ => Effect::Unhandled,
        }
    }

    fn text(&mut self, _ctx: &mut Ctx, c: char) -> Effect {
        let (pane, rows) = self.current();
        if pane.text(c, rows) { Effect::None } else { Effect::Unhandled }
    }

    fn mode(&self) -> Mode {
        match self.pane {
            Pane::Open => self.open.mode(),
            Pane::Decided => self.decided.mode(),
        }
    }

    fn hints(&self) -> Vec<Action> {
        match self.pane {
            Pane::Open => vec![Action::Approve, Action::Deny, Action::DontKnow, Action::NextPane, Action::Filter],
            Pane::Decided => vec![Action::NextPane, Action::Filter],
        }
    }

    /// People in my open reviews that nobody has decided yet.
    fn badge(&self, ctx: &Ctx) -> Option<String> {
        let undecided = self.undecided.get(ctx, |ctx| {
            let t = ctx.tenant();
            ctx.me().map_or(0, |me| t.review_tasks(me).iter().filter(|(_, i)| i.decision.is_none()).count())
        });
        (undecided > 0).then(|| undecided.to_string())
    }

    fn on_result(&mut self, ctx: &mut Ctx, result: LayerResult) -> Effect {
        let LayerResult::Prompted { id, text } = result else { return Effect::None };
        let mut parts = id.split(':');
        let (Some("review"), Some(d), Some(r), Some(a)) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Effect::None;
        };
        let (Ok(decision), Ok(review), Ok(assignment)) =
            (d.parse::<ReviewDecision>(), r.parse::<ReviewId>(), a.parse::<AssignmentId>())
        else {
            return Effect::None;
        };
        match ctx.run(Command::DecideReview { review, assignment, decision, justification: text }) {
            Ok(out) => Effect::Batch(vec![Effect::ok(outcome_text(&out)), Effect::Refresh]),
            Err(e) => Effect::Reject(e),
        }
    }

    fn click(&mut self, _ctx: &mut Ctx, column: u16, row: u16) -> Effect {
        let pane = self.current().0;
        if pane.contains(column, row) {
            pane.click(column, row);
            return Effect::None;
        }
        Effect::Unhandled
    }

    fn scroll(&mut self, _ctx: &mut Ctx, lines: isize) -> Effect {
        self.current().0.scroll(lines);
        Effect::None
    }

    fn refresh(&mut self, ctx: &Ctx) {
        let t = ctx.tenant();
        let theme = &ctx.theme;
        let now = ctx.now;
        let Some(me) = ctx.me() else {
            *self = Self { pane: self.pane, ..Self::new() };
            return;
        };
        let mut tasks = t.review_tasks(me);
        tasks.sort_by(|(a, x), (b, y)| {
            (a.end, a.id).cmp(&(b.end, b.id)).then_with(|| t.user_name(x.user).cmp(&t.user_name(y.user)))
        });
        self.open_keys = tasks.iter().map(|(r, i)| (r.id, i.assignment)).collect();
        self.open_rows = tasks
            .iter()
            .map(|(r, i)| {
                let ends = t.assignments.get(&i.assignment).map(|a| fmt_day(a.end)).unwrap_or_default();
                let decision = match (i.decision, i.decided_by) {
                    (None, _) => muted_cell(theme, "—"),
                    (Some(d), Some(by)) if by != me => decision_cell(theme, d, format!(" · {}", t.user_name(by))),
                    (Some(d), _) => decision_cell(theme, d, String::new()),
                };
                vec![
                    cell(t.user_name(i.user)),
                    cell(package_name(t, r)),
                    cell(r.display_name.clone()),
                    cell(ends),
                    cell(fmt_day(Some(r.end))),
                    if r.end - now < chrono::Duration::days(2) {
                        CellText::styled(time_left(now, r.end), theme.warning)
                    } else {
                        cell(time_left(now, r.end))
                    },
                    decision,
                ]
            })
            .collect();
        let mut mine: Vec<(&Review, &ReviewItem)> = t
            .reviews
            .values()
            .flat_map(|r| r.items.iter().filter(|i| i.decided_by == Some(me)).map(move |i| (r, i)))
            .collect();
        mine.sort_by_key(|(r, i)| (std::cmp::Reverse(i.decided_at), r.id, i.assignment));
        self.decided_keys = mine.iter().map(|(r, i)| (r.id, i.assignment)).collect();
        self.decided_rows = mine
            .iter()
            .map(|(r, i)| {
                let result = match &i.outcome {
                    Some(o) => state_cell(theme, o),
                    None => muted_cell(theme, format!("applies {}", r.end.format("%m-%d"))),
                };
                vec![
                    muted_cell(theme, fmt_day(i.decided_at)),
                    cell(t.user_name(i.user)),
                    cell(r.display_name.clone()),
                    i.decision.map(|d| decision_cell(theme, d, String::new())).unwrap_or_default(),
                    cell(i.justification.clone()),
                    result,
                ]
            })
            .collect();
        self.open.sync(&self.open_rows);
        self.decided.sync(&self.decided_rows);
    }
}
