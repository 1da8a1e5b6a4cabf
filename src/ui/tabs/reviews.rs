//! Reviews: the access reviews I must decide (one row per person under review) and the decisions I
//! made. `a` approve, `x` deny, `i` don't know: each asks for a justification, then the domain
//! records it (`DecideReview`); a refusal (a deny without a reason, an ended review) stays in the
//! prompt.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;

use crate::domain::views::time_left;
use crate::domain::{
    AssignmentId, Command, ReviewDecision, ReviewId, ReviewItem, ReviewState, Target, Tenant, Time, UserId,
};
use crate::domain::{Intent, NoResponse, Review};
use crate::ui::action::Action;
use crate::ui::app::Jump;
use crate::ui::app::{Effect, TabView};
use crate::ui::ask::Ask;
use crate::ui::ctx::{Ctx, PerData, outcome_text};
use crate::ui::keymap::Mode;
use crate::ui::layers::{Layer, LayerResult};
use crate::ui::tabs::approvals::{Detail, person_lines};
use crate::ui::tabs::common::*;
use crate::ui::tabs::lists::Scope;
use crate::ui::tabs::lists::{AnyList, IdList, Switched};
use crate::ui::tabs::panes::Focus;
use crate::ui::theme::Theme;
use crate::ui::widgets::prompt::PromptState;
use crate::ui::widgets::table::{CellText, Column};

mod all;

/// The lists: the people I must review, my decisions, and every review I may see.
const OPEN: usize = 0;
const DECIDED: usize = 1;
const ALL: usize = 2;

/// One person's access in one review: the review, the item's place in it, and the assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ItemKey {
    review: ReviewId,
    index: usize,
    assignment: AssignmentId,
}

impl ItemKey {
    fn of(r: &Review, index: usize, i: &ReviewItem) -> Self {
        ItemKey { review: r.id, index, assignment: i.assignment }
    }
}

pub struct Reviews {
    focus: Focus,
    open: IdList<ItemKey>,
    decided: IdList<ItemKey>,
    all: IdList<ReviewId>,
    /// Open items nobody has decided yet (the badge), counted once per change of the data.
    undecided: PerData<usize>,
    /// The item just decided: once the data is read again, the selection moves on from it to
    /// the next person nobody has decided.
    decided_now: Option<ItemKey>,
}

impl Default for Reviews {
    fn default() -> Self {
        Self::new()
    }
}

fn decision_cell(theme: &Theme, d: ReviewDecision, suffix: String) -> CellText {
    CellText::styled(format!("{}{suffix}", d.word()), theme.tone(d.tone()))
}

fn package_name(t: &Tenant, r: &Review) -> String {
    t.packages.get(&r.package).map(|p| p.display_name.clone()).unwrap_or_else(|| r.package.to_string())
}

impl Reviews {
    pub fn new() -> Self {
        let c = |t: &str, w| Column::new(t, w);
        Reviews {
            focus: Focus::default(),
            open: IdList::new(
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
                "No access review needs you.",
                open_row,
            ),
            decided: IdList::new(
                "Decided by me",
                vec![
                    c("Decided", Constraint::Length(10)),
                    c("User", Constraint::Fill(2)),
                    c("Review", Constraint::Fill(3)),
                    c("Decision", Constraint::Length(10)),
                    c("Justification", Constraint::Fill(2)),
                    c("Result", Constraint::Length(13)),
                ],
                "You have not decided any review yet.",
                decided_row,
            ),
            all: all::list(),
            undecided: PerData::default(),
            decided_now: None,
        }
    }

    /// Selects the first undecided item after `from` (going round), if there is one.
    fn select_next_undecided(&mut self, ctx: &Ctx, from: ItemKey) {
        let t = ctx.tenant();
        let ids = &self.open.ids;
        let at = ids.iter().position(|k| *k == from).unwrap_or(0);
        let undecided = |k: &&ItemKey| find_item(t, **k).is_some_and(|(_, i)| i.decision.is_none());
        let next = ids.iter().skip(at + 1).chain(ids.iter().take(at)).find(undecided).copied();
        if let Some(k) = next {
            self.open.select(&k);
        }
    }

    fn selected(&self) -> Option<ItemKey> {
        match self.shown() {
            OPEN => self.open.selected(),
            _ => self.decided.selected(),
        }
    }

    fn decide(&self, ctx: &Ctx, decision: ReviewDecision) -> Effect {
        if self.shown() != OPEN {
            return Effect::info("Decide from the To review list");
        }
        let Some(key) = self.selected() else { return Effect::info("No access review needs you") };
        let (rid, aid) = (key.review, key.assignment);
        let t = ctx.tenant();
        let Some((review, item)) = find_item(t, key) else {
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
        let id = Ask::DecideReview { review: rid, assignment: aid, decision };
        Effect::Open(Layer::Prompt(PromptState::new(id, title, label)))
    }

    fn render_detail(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let t = ctx.tenant();
        let mut d = Detail::new(theme);
        if self.shown() == ALL {
            match self.all.selected() {
                Some(id) => all::lines(ctx, id, &mut d),
                None => d.line(Line::styled("Select a review to see its people.", theme.muted)),
            }
            return detail_pane(area, buf, theme, "Access review", d.lines, &self.focus.detail);
        }
        match self.selected().and_then(|k| find_item(t, k)) {
            Some((review, item)) => item_lines(ctx, review, item, &mut d),
            None => d.line(Line::styled("Select a row to see the assignment under review.", theme.muted)),
        }
        detail_pane(area, buf, theme, "Access under review", d.lines, &self.focus.detail);
    }
}

/// The review and item of a row: at its place, or looked for when the items moved.
fn find_item(t: &Tenant, key: ItemKey) -> Option<(&Review, &ReviewItem)> {
    let r = t.reviews.get(&key.review)?;
    let at = r.items.get(key.index).filter(|i| i.assignment == key.assignment);
    Some((r, at.or_else(|| r.items.iter().find(|i| i.assignment == key.assignment))?))
}

/// One person to review: who, which access, which review, when each ends, any decision so far.
fn open_row(ctx: &Ctx, key: &ItemKey) -> Vec<CellText> {
    let (t, theme, now) = (ctx.tenant(), &ctx.theme, ctx.now);
    let Some((r, i)) = find_item(t, *key) else { return vec![] };
    let ends = t.assignments.get(&i.assignment).map(|a| fmt_day(a.end)).unwrap_or_default();
    let decision = match (i.decision, i.decided_by) {
        (None, _) => muted_blank(theme),
        (Some(d), Some(by)) if Some(by) != ctx.me() => decision_cell(theme, d, format!(" · {}", t.user_name(by))),
        (Some(d), _) => decision_cell(theme, d, String::new()),
    };
    vec![
        cell(t.user_name(i.user)),
        cell(package_name(t, r)),
        cell(r.display_name.clone()),
        cell(ends),
        day_cell(Some(r.end)),
        if r.end - now < chrono::Duration::days(2) {
            CellText::styled(time_left(now, r.end), theme.warning)
        } else {
            cell(time_left(now, r.end))
        },
        decision,
    ]
}

/// One of my decisions: when, on whom, in which review, what I said and what came of it.
fn decided_row(ctx: &Ctx, key: &ItemKey) -> Vec<CellText> {
    let (t, theme) = (ctx.tenant(), &ctx.theme);
    let Some((r, i)) = find_item(t, *key) else { return vec![] };
    let result = match &i.outcome {
        // What the review's end did, in the domain's words (kept, removed, already ended).
        Some(o) => cell(o.clone()),
        None => muted_cell(theme, format!("applies {}", r.end.format("%m-%d"))),
    };
    vec![
        restyled(day_cell(i.decided_at), theme.muted),
        cell(t.user_name(i.user)),
        cell(r.display_name.clone()),
        i.decision.map(|d| decision_cell(theme, d, String::new())).unwrap_or_default(),
        cell(i.justification.clone()),
        result,
    ]
}

/// The people `me` must review, the review ending first first, then by name.
fn to_review(t: &Tenant, me: UserId) -> Vec<ItemKey> {
    let mut tasks: Vec<(Time, ReviewId, String, ItemKey)> = t
        .reviews
        .values()
        .filter(|r| r.state == ReviewState::InProgress)
        .flat_map(|r| {
            r.items.iter().enumerate().filter(|(_, i)| i.reviewers.contains(&me)).map(move |(n, i)| (r, n, i))
        })
        .map(|(r, n, i)| (r.end, r.id, t.user_name(i.user), ItemKey::of(r, n, i)))
        .collect();
    tasks.sort_by(|a, b| (a.0, a.1, &a.2).cmp(&(b.0, b.1, &b.2)));
    tasks.into_iter().map(|x| x.3).collect()
}

/// The items `me` decided, newest first.
fn decided_by(t: &Tenant, me: UserId) -> Vec<ItemKey> {
    let mut mine: Vec<(&Review, usize, &ReviewItem)> = t
        .reviews
        .values()
        .flat_map(|r| r.items.iter().enumerate().filter(|(_, i)| i.decided_by == Some(me)).map(move |(n, i)| (r, n, i)))
        .collect();
    mine.sort_by_key(|(r, _, i)| (std::cmp::Reverse(i.decided_at), r.id, i.assignment));
    mine.into_iter().map(|(r, n, i)| ItemKey::of(r, n, i)).collect()
}

impl Switched for Reviews {
    const NAMES: &'static [&'static str] = &["To review", "Decided", "All reviews"];
    fn list(&self, i: usize) -> Option<&dyn AnyList> {
        match i {
            OPEN => Some(&self.open),
            DECIDED => Some(&self.decided),
            ALL => Some(&self.all),
            _ => None,
        }
    }
    fn list_mut(&mut self, i: usize) -> Option<&mut dyn AnyList> {
        match i {
            OPEN => Some(&mut self.open),
            DECIDED => Some(&mut self.decided),
            ALL => Some(&mut self.all),
            _ => None,
        }
    }
    fn focus(&self) -> &Focus {
        &self.focus
    }
    fn focus_mut(&mut self) -> &mut Focus {
        &mut self.focus
    }
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
        let text = format!("{} · {} · since {} · {ends}", a.id, a.state.word(), fmt_day(Some(a.start)));
        d.kv_styled("Assignment", text, theme.tone(a.state.tone()));
        if let Some(r) = ctx.request(a.request) {
            let r = &r;
            let how = match r.requestor {
                Some(by) if Some(by) != r.target_user() => {
                    format!("{} by {} ({})", r.request_type.word(), t.user_name(by), r.id)
                }
                _ => format!("{} ({})", r.request_type.word(), r.id),
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
            d.kv_styled("Decision", format!("{} by {by} on {at}{why}", x.word()), theme.tone(x.tone()));
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
    no_answer_line(review, d);
}

/// What happens to the people nobody decides on.
fn no_answer_line(review: &Review, d: &mut Detail) {
    let fallback = match review.settings.no_response {
        NoResponse::Keep => "access is kept",
        NoResponse::Remove => "access is removed",
    };
    d.kv("No answer", format!("{fallback} (don't know counts as no answer)"));
}

impl TabView<Ctx> for Reviews {
    fn idle(&mut self, ctx: &Ctx, until: std::time::Instant) -> bool {
        self.index_shown_a_while(ctx, until)
    }
    fn export(&self, ctx: &Ctx, visit: &mut crate::ui::export::Visit<'_>) -> bool {
        self.export_shown(ctx, visit)
    }
    fn jump(&mut self, ctx: &Ctx, to: &Jump) {
        let Jump::ToReview(review) = to else { return };
        self.show(OPEN);
        self.open.unscope(ctx);
        let Some(review) = *review else { return };
        // A review of mine: its people I am to review. Anyone else's (an administrator's view
        // of the tenant's reviews): the review among all, selected.
        if !self.open.ids.iter().any(|k| k.review == review) {
            self.show(ALL);
            self.all.select(&review);
            return;
        }
        let name = ctx.tenant().reviews.get(&review).map(|r| r.display_name.clone()).unwrap_or_default();
        self.open.scope(ctx, Scope::new(format!("in {name}"), move |_: &Ctx, k: &ItemKey| k.review == review));
    }
    crate::details_in_focus!();
    fn render(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let detail = self.render_lists(ctx, area, buf, theme);
        self.render_detail(ctx, detail, buf, theme);
    }

    fn handle(&mut self, ctx: &mut Ctx, action: Action) -> Effect {
        if let Some(e) = self.handle_lists(ctx, action) {
            return e;
        }
        match action {
            Action::Approve => self.decide(ctx, ReviewDecision::Approve),
            Action::Deny => self.decide(ctx, ReviewDecision::Deny),
            Action::DontKnow => self.decide(ctx, ReviewDecision::DontKnow),
            _ => Effect::Unhandled,
        }
    }

    fn text(&mut self, ctx: &mut Ctx, c: char) -> Effect {
        self.text_lists(ctx, c)
    }

    fn mode(&self) -> Mode {
        self.mode_lists()
    }

    fn refusal(&self, ctx: &Ctx, action: Action) -> Option<String> {
        if !matches!(action, Action::Approve | Action::Deny | Action::DontKnow) || self.shown() != OPEN {
            return None;
        }
        match self.selected() {
            Some(k) => ctx.refusal(&Intent::DecideReview { review: k.review, assignment: k.assignment }),
            None => Some("No access review needs you".to_string()),
        }
    }

    fn hints(&self) -> Vec<Action> {
        match self.shown() {
            OPEN => vec![Action::Approve, Action::Deny, Action::DontKnow, Action::NextPane, Action::Filter],
            _ => vec![Action::NextPane, Action::Filter],
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
        let LayerResult::Prompted { id: Ask::DecideReview { review, assignment, decision }, text } = result else {
            return Effect::None;
        };
        match ctx.run(Command::DecideReview { review, assignment, decision, justification: text }) {
            Ok(out) => {
                self.decided_now = self.open.selected();
                Effect::Batch(vec![Effect::ok(outcome_text(&out)), Effect::Refresh])
            }
            Err(e) => Effect::Reject(e),
        }
    }

    fn click(&mut self, _ctx: &mut Ctx, column: u16, row: u16) -> Effect {
        self.click_lists(column, row)
    }

    fn scroll(&mut self, _ctx: &mut Ctx, lines: isize) -> Effect {
        self.scroll_lists(lines)
    }

    fn refresh(&mut self, ctx: &Ctx) {
        let (open, decided) = match ctx.me() {
            Some(me) => (to_review(ctx.tenant(), me), decided_by(ctx.tenant(), me)),
            None => (vec![], vec![]),
        };
        self.open.set(ctx, open);
        self.decided.set(ctx, decided);
        self.all.set(ctx, all::visible(ctx));
        if let Some(from) = self.decided_now.take() {
            self.select_next_undecided(ctx, from);
        }
    }
}
