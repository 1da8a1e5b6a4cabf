//! Approvals: the requests waiting for my decision (my inbox) and the decisions I made.
//!
//! `a` approves and `x` denies the selected pending request through a prompt for the reason; the
//! prompt's title says whether the policy requires one at this stage, and the domain decides (a
//! refusal stays in the prompt).

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Line;

use crate::domain::overview::{AGE_BUCKETS, age_bucket, waiting_since};
use crate::domain::views::time_left;
use crate::domain::{
    Command, Intent, OrgId, Request, RequestId, RequestState, RequestType, StageDecision, Target, Tenant, UserId,
};
use crate::ui::action::Action;
use crate::ui::app::{Effect, TabView};
use crate::ui::app::{Jump, WaitingPart};
use crate::ui::ask::Ask;
use crate::ui::ctx::{Ctx, outcome_text};
use crate::ui::keymap::Mode;
use crate::ui::layers::{Layer, LayerResult};
use crate::ui::tabs::common::*;
use crate::ui::tabs::lists::Scope;
use crate::ui::tabs::lists::{AnyList, IdList, Switched};
use crate::ui::tabs::panes::Focus;
use crate::ui::theme::Theme;
use crate::ui::widgets::prompt::PromptState;
use crate::ui::widgets::table::{CellText, Column};

/// The lists: requests waiting for me, and my decisions.
const PENDING: usize = 0;
const HISTORY: usize = 1;

/// A request and my decision on it: one row of History.
type Decided = (RequestId, StageDecision);

pub struct Approvals {
    focus: Focus,
    pending: IdList<RequestId>,
    history: IdList<Decided>,
    /// Whether `history` holds my decisions since the last change of the data.
    history_read: bool,
}

impl Default for Approvals {
    fn default() -> Self {
        Self::new()
    }
}

impl Approvals {
    pub fn new() -> Self {
        let c = |t: &str, w| Column::new(t, w);
        Approvals {
            focus: Focus::default(),
            pending: IdList::new(
                "Waiting for my decision",
                vec![
                    c("Request", Constraint::Length(8)),
                    c("Requestor", Constraint::Fill(2)),
                    c("Access package", Constraint::Fill(3)),
                    c("Stage", Constraint::Length(6)),
                    c("Approvals", Constraint::Length(9)),
                    c("Left", Constraint::Length(7)),
                    c("Submitted", Constraint::Length(10)),
                ],
                "Nothing waits for your approval.",
                pending_row,
            ),
            history: IdList::new(
                "My decisions",
                vec![
                    c("Decided", Constraint::Length(10)),
                    c("Request", Constraint::Length(8)),
                    c("Access package", Constraint::Fill(3)),
                    c("Decision", Constraint::Length(8)),
                    c("Reason", Constraint::Fill(3)),
                    c("Now", Constraint::Length(15)),
                ],
                "You have not decided any request yet.",
                history_row,
            ),
            history_read: false,
        }
    }

    fn selected_pending(&self) -> Option<RequestId> {
        self.pending.selected()
    }

    fn selected_history(&self) -> Option<Decided> {
        self.history.selected()
    }

    /// The reason prompt for approving or denying a request; its title says whether a reason is
    /// required at this stage.
    fn decide_prompt(ctx: &Ctx, id: RequestId, approve: bool) -> Option<PromptState> {
        let t = ctx.tenant();
        let r = t.requests.get(&id)?;
        let need = if t.reason_required_now(r) { "reason required" } else { "reason optional" };
        let verb = if approve { "Approve" } else { "Deny" };
        let title = format!("{verb} {id} · {} · {need}", stage_text(t, r));
        let label = format!("Reason: {} → {}", short_target(t, &r.target), package_name(t, r));
        Some(PromptState::new(Ask::Decide { request: id, approve }, title, label))
    }

    fn decide(&self, ctx: &Ctx, approve: bool) -> Effect {
        if self.shown() != PENDING {
            return Effect::info("Decide from the Pending list");
        }
        match self.selected_pending() {
            Some(id) => match Self::decide_prompt(ctx, id, approve) {
                Some(p) => Effect::Open(Layer::Prompt(p)),
                None => Effect::error(format!("Request {id} is gone")),
            },
            None => Effect::info("Nothing waits for your decision"),
        }
    }

    fn render_detail(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let t = ctx.tenant();
        let mut d = Detail::new(theme);
        match self.shown() {
            PENDING => {
                if let Some(r) = self.selected_pending().and_then(|id| t.requests.get(&id)) {
                    d.heading(format!("{} · {} · {}", r.id, package_name(t, r), stage_text(t, r)));
                    request_lines(ctx, r, &mut d);
                }
            }
            _ => {
                if let Some((id, mine)) = self.selected_history()
                    && let Some(r) = ctx.request(id)
                {
                    let r = &r;
                    d.heading(format!("{} · {}", r.id, package_name(t, r)));
                    let verb = if mine.approved { Mark::Approved } else { Mark::Denied };
                    let text = format!(
                        "{} stage {} on {}{}",
                        verb.word(),
                        mine.stage + 1,
                        fmt_time(mine.at),
                        reason_suffix(&mine.reason)
                    );
                    d.kv_styled("My decision", text, theme.tone(verb.tone()));
                    d.kv_styled("Now", t.waiting_on(r), theme.tone(r.state.tone()));
                    request_lines(ctx, r, &mut d);
                }
            }
        }
        if d.lines.is_empty() {
            d.line(Line::styled("Select a request to see it here.", theme.muted));
        }
        detail_pane(area, buf, theme, "Request", d.lines, &self.focus.detail);
    }
}

/// Detail lines: headings, labelled values (the pane wraps a long value under its value column,
/// not under the label) and plain lines.
pub(crate) struct Detail<'t> {
    pub theme: &'t Theme,
    pub lines: Vec<Line<'static>>,
}

impl<'t> Detail<'t> {
    pub fn new(theme: &'t Theme) -> Self {
        Detail { theme, lines: vec![] }
    }

    pub fn heading(&mut self, text: impl Into<String>) {
        self.lines.push(heading(self.theme, text));
    }

    pub fn line(&mut self, line: Line<'static>) {
        self.lines.push(line);
    }

    pub fn kv(&mut self, label: &str, value: impl Into<String>) {
        self.kv_styled(label, value, self.theme.base);
    }

    pub fn kv_styled(&mut self, label: &str, value: impl Into<String>, style: Style) {
        self.lines.push(kv_styled(self.theme, label, value, style));
    }
}

fn package_name(t: &Tenant, r: &Request) -> String {
    t.packages.get(&r.package).map(|p| p.display_name.clone()).unwrap_or_else(|| r.package.to_string())
}

fn reason_suffix(reason: &str) -> String {
    if reason.is_empty() { String::new() } else { format!(": {reason}") }
}

/// "Lee Gu", "Rob Young (guest)", "Ana Bell (external)": who a request is for, in a table cell.
pub(crate) fn short_target(t: &Tenant, target: &Target) -> String {
    match target {
        Target::User { user } => match t.users.get(user) {
            Some(u) if u.is_guest() => format!("{} (guest)", u.display_name),
            Some(u) => u.display_name.clone(),
            None => user.to_string(),
        },
        Target::External { display_name, .. } => format!("{display_name} (external)"),
    }
}

/// "Lee Gu · leeg@contoso.com · member · Sales, Account manager" and, for guests and externals,
/// their connected organization.
pub(crate) fn person_lines(t: &Tenant, d: &mut Detail, label: &str, target: &Target) {
    let org_name =
        |o: Option<OrgId>| o.map(|o| t.orgs.get(&o).map(|o| o.display_name.clone()).unwrap_or_else(|| o.to_string()));
    let (main, org) = match target {
        Target::User { user } => match t.users.get(user) {
            Some(u) => {
                let mut parts = vec![u.display_name.clone(), u.email.clone()];
                parts.push(if u.is_guest() { "guest".into() } else { "member".into() });
                let job: Vec<&str> =
                    [u.department.as_str(), u.job_title.as_str()].into_iter().filter(|s| !s.is_empty()).collect();
                if !job.is_empty() {
                    parts.push(job.join(", "));
                }
                if !u.enabled {
                    parts.push("sign-in blocked".into());
                }
                (parts.join(" · "), org_name(u.home_org))
            }
            None => (user.to_string(), None),
        },
        Target::External { email, display_name, org } => {
            (format!("{display_name} · {email} · external, not yet in the directory"), org_name(*org))
        }
    };
    d.kv(label, main);
    if let Some(o) = org {
        d.kv("Organization", format!("{o} (connected organization)"));
    }
}

/// "1 of 2 approvals", for a stage that needs more than one.
fn approvals_text(r: &Request) -> Option<String> {
    (r.needed > 1).then(|| format!("{} of {} approvals", r.approvals(), r.needed))
}

/// "stage 1 of 2".
fn stage_text(t: &Tenant, r: &Request) -> String {
    let stages = t.request_stages(r);
    format!("stage {} of {stages}", r.stage + 1)
}

/// Everything an approver needs to decide: who, what, why, the answers, earlier stages, the clock.
fn request_lines(ctx: &Ctx, r: &Request, d: &mut Detail) {
    let t = ctx.tenant();
    let theme = d.theme;
    let pol = t.policies.get(&r.policy);
    person_lines(t, d, "Requestor", &r.target);
    if let Some(by) = r.requestor.filter(|u| Some(*u) != r.target_user()) {
        d.kv("Requested by", t.user_name(by));
    }
    if !r.justification.is_empty() {
        d.kv("Justification", r.justification.clone());
    }
    for (qid, answer) in &r.answers {
        let q = pol
            .and_then(|p| p.spec.questions.iter().find(|q| q.id == *qid))
            .map(|q| q.text.clone())
            .unwrap_or_else(|| qid.to_string());
        d.kv("Answer", format!("{q} → {answer}"));
    }
    if let Some(deadline) = t.request_deadline(r) {
        let left = time_left(ctx.now, deadline);
        let style = if deadline - ctx.now < chrono::Duration::days(2) { theme.warning } else { theme.base };
        d.kv_styled("Times out", format!("{left} left, at {}", fmt_time(deadline)), style);
    }
    for x in &r.decisions {
        let verb = if x.approved { "approved" } else { "denied" };
        let text = format!("{verb} by {} on {}{}", t.user_name(x.by), fmt_time(x.at), reason_suffix(&x.reason));
        d.kv(&format!("Stage {}", x.stage + 1), text);
    }
    if let Some(p) = t.packages.get(&r.package) {
        d.kv("Grants", t.grants_summary(p));
        if !p.description.is_empty() {
            d.kv("About", p.description.clone());
        }
    }
    if let Some(p) = pol {
        let need = if t.reason_required_now(r) { "reason required" } else { "reason optional" };
        let text = match r.state {
            RequestState::PendingApproval => format!("{} · {need} at this stage", p.spec.display_name),
            _ => p.spec.display_name.clone(),
        };
        d.kv("Policy", text);
    }
    if r.request_type == RequestType::UserExtend {
        let ends = r.assignment.and_then(|a| t.assignments.get(&a)).map(|a| fmt_day(a.end)).unwrap_or_default();
        d.kv("Type", format!("extension of an assignment that ends {ends}"));
    }
    let me: Option<UserId> = ctx.me();
    if r.state == RequestState::PendingApproval {
        let names: Vec<String> =
            r.approvers.iter().map(|u| if Some(*u) == me { "you".into() } else { t.user_name(*u) }).collect();
        d.kv("Approvers", names.join(", "));
        if let Some(a) = approvals_text(r) {
            let waiting: Vec<String> =
                r.awaiting().map(|u| if Some(u) == me { "you".into() } else { t.user_name(u) }).collect();
            d.kv("Approvals", format!("{a}; waiting for {}", waiting.join(", ")));
        }
    }
    d.kv("Submitted", fmt_time(r.created_at));
}

/// A request waiting for me: who, what, which stage, time left to decide, when it came.
fn pending_row(ctx: &Ctx, id: &RequestId) -> Vec<CellText> {
    let (t, theme, now) = (ctx.tenant(), &ctx.theme, ctx.now);
    let Some(r) = t.requests.get(id) else { return vec![] };
    let stages = t.request_stages(r);
    let left = match t.request_deadline(r) {
        Some(d) if d - now < chrono::Duration::days(2) => CellText::styled(time_left(now, d), theme.warning),
        Some(d) => cell(time_left(now, d)),
        None => blank_cell(),
    };
    vec![
        cell(r.id.to_string()),
        cell(short_target(t, &r.target)),
        cell(package_name(t, r)),
        cell(format!("{} of {stages}", r.stage + 1)),
        // Only a stage that needs more than one approval counts them.
        cell(if r.needed > 1 { format!("{} of {}", r.approvals(), r.needed) } else { String::new() }),
        left,
        restyled(day_cell(Some(r.created_at)), theme.muted),
    ]
}

/// One of my decisions: when, which request, what I said and where the request is now.
fn history_row(ctx: &Ctx, (id, d): &Decided) -> Vec<CellText> {
    let (t, theme) = (ctx.tenant(), &ctx.theme);
    // The request may have finished: read through the context, which keeps what it read.
    let Some(r) = ctx.request(*id) else { return vec![] };
    let r = &r;
    let verb = if d.approved { Mark::Approved } else { Mark::Denied };
    vec![
        restyled(day_cell(Some(d.at)), theme.muted),
        cell(r.id.to_string()),
        cell(package_name(t, r)),
        state_cell(theme, verb),
        cell(d.reason.clone()),
        state_cell(theme, r.state),
    ]
}

/// The requests waiting for `me` (from the inbox index), the first to time out first.
fn waiting_for(t: &Tenant, me: UserId) -> Vec<RequestId> {
    let mut inbox: Vec<(Option<crate::domain::Time>, RequestId)> =
        t.inbox(me).map(|r| (t.request_deadline(r), r.id)).collect();
    inbox.sort_unstable();
    inbox.into_iter().map(|(_, id)| id).collect()
}

/// The decisions `me` made, newest first: the one place this tab reads requests that may have
/// finished.
impl Approvals {
    /// My decisions, read from my history shard only while the History list is shown (an
    /// administrator's shard can be hundreds of megabytes: not read on every change of data).
    fn read_history(&mut self, ctx: &Ctx) {
        if self.history_read || self.shown() != HISTORY {
            return;
        }
        let decided = if ctx.me().is_some() { decided_by(ctx) } else { vec![] };
        self.history.set(ctx, decided);
        self.history_read = true;
    }
}

/// Their rows from the listing alone: the requests of the rows shown are read a page at a time
/// as they are shown (see `Ctx::request`).
fn decided_by(ctx: &Ctx) -> Vec<Decided> {
    ctx.session.my_decisions_listing().unwrap_or_default().decided().collect()
}

impl Switched for Approvals {
    const NAMES: &'static [&'static str] = &["Pending", "History"];
    fn count_text(&self, i: usize) -> String {
        if i == HISTORY && !self.history_read { "…".to_string() } else { self.count(i).to_string() }
    }
    fn list(&self, i: usize) -> Option<&dyn AnyList> {
        match i {
            PENDING => Some(&self.pending),
            HISTORY => Some(&self.history),
            _ => None,
        }
    }
    fn list_mut(&mut self, i: usize) -> Option<&mut dyn AnyList> {
        match i {
            PENDING => Some(&mut self.pending),
            HISTORY => Some(&mut self.history),
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

impl TabView<Ctx> for Approvals {
    fn idle(&mut self, ctx: &Ctx, until: std::time::Instant) -> bool {
        self.index_shown_a_while(ctx, until)
    }
    fn export(&self, ctx: &Ctx, visit: &mut crate::ui::export::Visit<'_>) -> bool {
        self.export_shown(ctx, visit)
    }
    fn jump(&mut self, ctx: &Ctx, to: &Jump) {
        let Jump::Waiting(part) = to else { return };
        self.show(PENDING);
        self.pending.unscope(ctx);
        match *part {
            WaitingPart::All => {}
            WaitingPart::Request(r) => {
                self.pending.select(&r);
            }
            WaitingPart::Aged(bucket) => {
                let label = AGE_BUCKETS.get(bucket).map_or("", |(l, _)| l);
                let keep = move |ctx: &Ctx, id: &RequestId| {
                    ctx.tenant().requests.get(id).is_some_and(|r| age_bucket(ctx.now, waiting_since(r)) == bucket)
                };
                self.pending.scope(ctx, Scope::new(format!("waiting {label}"), keep));
            }
        }
    }
    crate::details_in_focus!();
    fn render(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let detail = self.render_lists(ctx, area, buf, theme);
        self.render_detail(ctx, detail, buf, theme);
    }

    fn handle(&mut self, ctx: &mut Ctx, action: Action) -> Effect {
        if let Some(e) = self.handle_lists(ctx, action) {
            self.read_history(ctx);
            return e;
        }
        match action {
            Action::Approve => self.decide(ctx, true),
            Action::Deny => self.decide(ctx, false),
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
        if !matches!(action, Action::Approve | Action::Deny) || self.shown() != PENDING {
            return None;
        }
        match self.selected_pending() {
            Some(request) => ctx.refusal(&Intent::Decide { request }),
            None => Some("Nothing waits for your decision".to_string()),
        }
    }

    fn hints(&self) -> Vec<Action> {
        match self.shown() {
            PENDING => vec![Action::Approve, Action::Deny, Action::NextPane, Action::Filter],
            _ => vec![Action::NextPane, Action::Filter],
        }
    }

    /// How many requests wait for me (read from the tenant's inbox index, so it is never stale).
    fn badge(&self, ctx: &Ctx) -> Option<String> {
        let n = ctx.me().map(|u| ctx.tenant().inbox(u).count()).unwrap_or(0);
        (n > 0).then(|| n.to_string())
    }

    fn on_result(&mut self, ctx: &mut Ctx, result: LayerResult) -> Effect {
        let LayerResult::Prompted { id: Ask::Decide { request, approve }, text } = result else { return Effect::None };
        match ctx.run(Command::Decide { request, approve, reason: text }) {
            Ok(out) => Effect::Batch(vec![Effect::ok(outcome_text(&out)), Effect::Refresh]),
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
        let pending = ctx.me().map(|me| waiting_for(ctx.tenant(), me)).unwrap_or_default();
        self.pending.set(ctx, pending);
        self.history_read = false;
        self.read_history(ctx);
    }
}
