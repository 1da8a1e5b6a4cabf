//! My Access: the packages I may request, my requests and my assignments, as in myaccess.microsoft.com.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;

use crate::domain::views::time_left;
use crate::domain::{Assignment, AssignmentId, Command, Intent, PackageId, Request, RequestId, RequestState};
use crate::ui::action::Action;
use crate::ui::app::Jump;
use crate::ui::app::{Effect, TabView};
use crate::ui::ask::Ask;
use crate::ui::ctx::{Ctx, PerData};
use crate::ui::keymap::Mode;
use crate::ui::layers::{Layer, LayerResult};
use crate::ui::tabs::common::*;
use crate::ui::tabs::lists::{AnyList, IdList, Switched};
use crate::ui::tabs::panes::Focus;
use crate::ui::theme::Theme;
use crate::ui::widgets::confirm::ConfirmState;
use crate::ui::widgets::prompt::PromptState;
use crate::ui::widgets::table::Column;

mod mine;
mod request;
mod rows;

use rows::{Offer, assignment_row, offer_row, request_row};

/// The lists: packages I may request, my requests, my assignments.
const AVAILABLE: usize = 0;
const REQUESTS: usize = 1;
const ASSIGNMENTS: usize = 2;

pub struct MyAccess {
    focus: Focus,
    available: IdList<Offer>,
    requests: IdList<RequestId>,
    assignments: IdList<AssignmentId>,
    /// How many requests are mine, open and finished (the pane's title), known without reading
    /// the finished ones (history): those are read only while the Requests pane is shown.
    request_count: usize,
    /// My requests waiting for approval (the badge), counted once per change of the data.
    pending_requests: PerData<usize>,
    /// The question fields of the request form open now: which policy's question each answers.
    questions: Vec<request::QuestionField>,
    /// Who the lists were built for: another sign-in starts again at Available.
    shown_for: Option<crate::domain::Actor>,
    /// The request just submitted: selected when the lists are next read.
    submitted: Option<RequestId>,
}

const NOTHING_OPEN: &str = "Nothing is open to you here; ask an administrator.";
const NO_REQUESTS: &str = "You have not requested anything yet. Pick a package under Available and press r.";
const NO_ASSIGNMENTS: &str = "No assignments yet.";

impl Default for MyAccess {
    fn default() -> Self {
        Self::new()
    }
}

impl MyAccess {
    pub fn new() -> Self {
        let c = |t: &str, w| Column::new(t, w);
        MyAccess {
            focus: Focus::default(),
            available: IdList::new(
                "Available to request",
                vec![
                    c("Access package", Constraint::Fill(4)),
                    c("Catalog", Constraint::Fill(2)),
                    c("Grants", Constraint::Fill(4)),
                    c("Mine", Constraint::Length(16)),
                ],
                NOTHING_OPEN,
                offer_row,
            ),
            requests: IdList::new(
                "My requests",
                vec![
                    c("Request", Constraint::Length(8)),
                    c("Access package", Constraint::Fill(3)),
                    c("Type", Constraint::Length(10)),
                    c("State", Constraint::Length(16)),
                    c("Waiting on / ended", Constraint::Fill(3)),
                ],
                NO_REQUESTS,
                request_row,
            ),
            assignments: IdList::new(
                "My access",
                vec![
                    c("Access package", Constraint::Fill(3)),
                    c("State", Constraint::Length(10)),
                    c("Ends", Constraint::Length(11)),
                    c("Left", Constraint::Length(8)),
                ],
                NO_ASSIGNMENTS,
                assignment_row,
            ),
            request_count: 0,
            pending_requests: PerData::default(),
            questions: Vec::new(),
            shown_for: None,
            submitted: None,
        }
    }

    /// My requests, finished ones included: listed from my shard of the history only while the
    /// Requests list is shown (not for the first frame: an administrator who assigns by hand
    /// has hundreds of thousands). The list holds every row; the requests of the rows shown
    /// are read a page at a time as they are shown (see `Ctx::request`).
    fn load_requests(&mut self, ctx: &Ctx) {
        let listing = ctx.session.my_requests_listing().unwrap_or_default();
        self.request_count = self.request_count.max(listing.len());
        self.requests.set(ctx, listing.ids().collect());
    }

    fn selected_package(&self) -> Option<PackageId> {
        self.available.selected().map(|o| o.package)
    }

    fn selected_request(&self) -> Option<RequestId> {
        self.requests.selected()
    }
    fn selected_assignment(&self) -> Option<AssignmentId> {
        self.assignments.selected()
    }

    fn render_detail(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let t = ctx.tenant();
        let mut lines: Vec<Line> = vec![];
        let title;
        match self.shown() {
            AVAILABLE => {
                title = "Package";
                if let Some(p) = self.selected_package().and_then(|id| t.packages.get(&id)) {
                    lines.push(heading(theme, p.display_name.clone()));
                    if !p.description.is_empty() && p.description != p.display_name {
                        lines.push(Line::raw(p.description.clone()));
                    }
                    lines.push(Line::raw(""));
                    lines.push(kv(
                        theme,
                        "Catalog",
                        t.catalogs.get(&p.catalog).map(|c| c.display_name.clone()).unwrap_or_default(),
                    ));
                    lines.push(kv(theme, "Grants", t.grants_summary(p)));
                    for pol in t.matching_policies(ctx.actor(), p) {
                        lines.push(kv(
                            theme,
                            "Policy",
                            format!("{}: {}", pol.spec.display_name, t.policy_summary(pol)),
                        ));
                        for q in &pol.spec.questions {
                            lines.push(kv(
                                theme,
                                "  asks",
                                format!("{}{}", q.text, if q.required { " (required)" } else { "" }),
                            ));
                        }
                    }
                    lines.push(Line::raw(""));
                    // The domain's answer, as the footer's: a way forward, or why not.
                    match ctx.refusal(&Intent::Request { package: p.id }) {
                        None => lines.push(Line::styled("r or Enter: request it", theme.muted)),
                        Some(why) => lines.push(Line::styled(why, theme.muted)),
                    }
                }
            }
            REQUESTS => {
                title = "Request";
                if let Some(r) = self.selected_request().and_then(|id| ctx.request(id)) {
                    let r = &r;
                    let pname = t.packages.get(&r.package).map(|p| p.display_name.clone()).unwrap_or_default();
                    lines.push(heading(theme, format!("{} · {pname}", r.id)));
                    lines.push(kv_styled(theme, "State", r.state.word(), theme.tone(r.state.tone())));
                    lines.push(kv(theme, "Type", r.request_type.word()));
                    // A request a manager made for a report: who made it, and for whom.
                    if let Some(m) = r.on_behalf() {
                        lines.push(kv(theme, "For", t.target_label(&r.target)));
                        lines.push(kv(theme, "Requested by", t.user_name(m)));
                    }
                    lines.push(kv(
                        theme,
                        "Policy",
                        t.policies.get(&r.policy).map(|p| p.spec.display_name.clone()).unwrap_or_default(),
                    ));
                    if r.state == RequestState::PendingApproval {
                        lines.push(kv(theme, "Waiting on", t.waiting_on(r)));
                        if let Some(d) = t.request_deadline(r) {
                            lines.push(kv(
                                theme,
                                "Times out",
                                format!("{} ({} left)", fmt_time(d), time_left(ctx.now, d)),
                            ));
                        }
                    }
                    if !r.justification.is_empty() {
                        lines.push(kv(theme, "Justification", r.justification.clone()));
                    }
                    lines.push(Line::raw(""));
                    lines.push(heading(theme, "History"));
                    for h in &r.history {
                        lines.push(Line::from(vec![
                            ratatui::text::Span::styled(format!("{}  ", fmt_time(h.at)), theme.muted),
                            ratatui::text::Span::raw(h.text.clone()),
                        ]));
                    }
                    if ctx.refusal(&Intent::CancelRequest { request: r.id }).is_none() {
                        lines.push(Line::raw(""));
                        lines.push(Line::styled("c: cancel this request", theme.muted));
                    }
                }
            }
            _ => {
                title = "Assignment";
                if let Some(a) = self.selected_assignment().and_then(|id| t.assignments.get(&id)) {
                    let p = t.packages.get(&a.package);
                    lines.push(heading(
                        theme,
                        format!("{} · {}", a.id, p.map(|p| p.display_name.clone()).unwrap_or_default()),
                    ));
                    lines.push(kv_styled(theme, "State", a.state.word(), theme.tone(a.state.tone())));
                    lines.push(kv(theme, "Since", fmt_time(a.start)));
                    // An assignment that ended says so in the past tense.
                    if a.is_active() {
                        lines.push(kv(theme, "Ends", a.end.map(fmt_time).unwrap_or_else(|| "never".into())));
                    } else {
                        lines.push(kv(theme, "Ended", a.ended_at.or(a.end).map(fmt_time).unwrap_or_default()));
                    }
                    lines.push(kv(theme, "Terms", t.lifecycle_of(a).expiration.label()));
                    let grants: Vec<String> =
                        a.granted.iter().map(|g| format!("{} ({})", t.resource_name(g.resource), g.role)).collect();
                    lines.push(kv(theme, if a.is_active() { "Grants" } else { "Granted" }, grants.join(", ")));
                    if a.is_active() {
                        lines.push(Line::raw(""));
                        if ctx.refusal(&Intent::Extend { assignment: a.id }).is_none() {
                            lines.push(Line::styled("E: ask to extend", theme.muted));
                        }
                        if ctx.refusal(&Intent::RemoveOwn { assignment: a.id }).is_none() {
                            lines.push(Line::styled("R: remove my access", theme.muted));
                        }
                    }
                }
            }
        }
        detail_pane(area, buf, theme, title, lines, &self.focus.detail);
    }
}

impl Switched for MyAccess {
    const NAMES: &'static [&'static str] = &["Available", "Requests", "Access"];
    fn count(&self, i: usize) -> usize {
        let rows = self.list(i).map_or(0, |l| l.rows_len());
        if i == REQUESTS { rows.max(self.request_count) } else { rows }
    }
    fn list(&self, i: usize) -> Option<&dyn AnyList> {
        match i {
            AVAILABLE => Some(&self.available),
            REQUESTS => Some(&self.requests),
            ASSIGNMENTS => Some(&self.assignments),
            _ => None,
        }
    }
    fn list_mut(&mut self, i: usize) -> Option<&mut dyn AnyList> {
        match i {
            AVAILABLE => Some(&mut self.available),
            REQUESTS => Some(&mut self.requests),
            ASSIGNMENTS => Some(&mut self.assignments),
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

/// What the actor holds and has asked for that is still open, newest request first and active
/// access first (finished requests are history: see `MyAccess::load_requests`).
fn mine_of<'t>(t: &'t crate::domain::Tenant, actor: &crate::domain::Actor) -> (Vec<&'t Request>, Vec<&'t Assignment>) {
    (t.open_requests_for(actor), t.assignments_for(actor))
}

impl TabView<Ctx> for MyAccess {
    fn idle(&mut self, ctx: &Ctx, until: std::time::Instant) -> bool {
        self.index_shown_a_while(ctx, until)
    }
    fn export(&self, ctx: &Ctx, visit: &mut crate::ui::export::Visit<'_>) -> bool {
        self.export_shown(ctx, visit)
    }
    fn jump(&mut self, ctx: &Ctx, to: &Jump) {
        match to {
            Jump::MyRequests(request) => {
                self.show(REQUESTS);
                self.load_requests(ctx);
                if let Some(r) = request {
                    self.requests.select(r);
                }
            }
            Jump::MyAssignments(assignment) => {
                self.show(ASSIGNMENTS);
                if let Some(a) = assignment {
                    self.assignments.select(a);
                }
            }
            _ => {}
        }
    }
    crate::details_in_focus!();
    fn render(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let detail = self.render_lists(ctx, area, buf, theme);
        self.render_detail(ctx, detail, buf, theme);
    }

    fn handle(&mut self, ctx: &mut Ctx, action: Action) -> Effect {
        let before = self.shown();
        if let Some(e) = self.handle_lists(ctx, action) {
            if self.shown() == REQUESTS && before != REQUESTS {
                self.load_requests(ctx);
            }
            return e;
        }
        let pane = self.shown();
        match action {
            Action::Request | Action::Open if pane == AVAILABLE => match self.selected_package() {
                Some(pkg) => self.open_request_form(ctx, pkg),
                None => Effect::info("Nothing to request here"),
            },
            Action::Explain => {
                let of_assignment = |a| ctx.tenant().assignments.get(&a).map(|a| a.package);
                let package = match pane {
                    AVAILABLE => self.selected_package(),
                    ASSIGNMENTS => self.selected_assignment().and_then(of_assignment),
                    _ => None,
                };
                match package {
                    Some(p) => crate::ui::why::explain_request(ctx, &ctx.actor().clone(), p),
                    None => crate::ui::why::package_prompt(),
                }
            }
            Action::New => Effect::Open(Layer::Prompt(PromptState::new(
                Ask::RequestLink,
                "Request by link",
                "Package id from its link (e.g. pk12)",
            ))),
            Action::CancelRequest if pane == REQUESTS => match self.selected_request() {
                Some(id) => Effect::Open(Layer::Confirm(
                    ConfirmState::new(Ask::CancelRequest(id), "Cancel request", format!("Cancel request {id}?"))
                        .default_no(),
                )),
                None => Effect::None,
            },
            Action::Extend if pane == ASSIGNMENTS => match self.selected_assignment() {
                Some(id) => Effect::Open(Layer::Prompt(PromptState::new(
                    Ask::Extend(id),
                    "Extend access",
                    "Why do you still need it?",
                ))),
                None => Effect::None,
            },
            Action::Remove if pane == ASSIGNMENTS => match self.selected_assignment() {
                Some(id) => Effect::Open(Layer::Confirm(
                    ConfirmState::new(Ask::RemoveOwn(id), "Remove my access", format!("Give up assignment {id} now?"))
                        .default_no(),
                )),
                None => Effect::None,
            },
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
        let intent = match (self.shown(), action) {
            (AVAILABLE, Action::Request | Action::Open) => {
                return match self.selected_package() {
                    Some(package) => Self::form_refusal(ctx, package),
                    None => Some(NOTHING_SELECTED.to_string()),
                };
            }
            (REQUESTS, Action::CancelRequest) => {
                self.selected_request().map(|request| Intent::CancelRequest { request })
            }
            (ASSIGNMENTS, Action::Extend) => self.selected_assignment().map(|assignment| Intent::Extend { assignment }),
            (ASSIGNMENTS, Action::Remove) => {
                self.selected_assignment().map(|assignment| Intent::RemoveOwn { assignment })
            }
            _ => return None,
        };
        match intent {
            Some(i) => ctx.refusal(&i),
            None => Some(NOTHING_SELECTED.to_string()),
        }
    }

    fn hints(&self) -> Vec<Action> {
        match self.shown() {
            AVAILABLE => vec![Action::Request, Action::New, Action::NextPane, Action::Filter, Action::Explain],
            REQUESTS => vec![Action::CancelRequest, Action::NextPane, Action::Filter, Action::Explain],
            _ => vec![Action::Extend, Action::Remove, Action::NextPane, Action::Filter, Action::Explain],
        }
    }

    fn badge(&self, ctx: &Ctx) -> Option<String> {
        let open = self.pending_requests.get(ctx, |ctx| {
            let mine = ctx.tenant().open_requests_for(ctx.actor());
            mine.into_iter().filter(|r| r.state == RequestState::PendingApproval).count()
        });
        (open > 0).then(|| open.to_string())
    }

    fn on_result(&mut self, ctx: &mut Ctx, result: LayerResult) -> Effect {
        match result {
            LayerResult::Submitted { id: Ask::Request(package), values } => self.submit_request(ctx, package, &values),
            LayerResult::Confirmed { id: Ask::CancelRequest(request) } => {
                ctx.run_effect(Command::CancelRequest { request })
            }
            LayerResult::Confirmed { id: Ask::RemoveOwn(assignment) } => {
                ctx.run_effect(Command::RemoveOwnAssignment { assignment })
            }
            LayerResult::Prompted { id: Ask::RequestLink, text } => self.open_link(ctx, &text),
            LayerResult::Prompted { id: Ask::ExplainPackage, text } => {
                crate::ui::why::explain_typed_package(ctx, &text)
            }
            LayerResult::Prompted { id: Ask::Extend(assignment), text } => {
                match ctx.run(Command::RequestExtension { assignment, justification: text }) {
                    Ok(out) => Effect::Batch(vec![Effect::ok(crate::ui::ctx::outcome_text(&out)), Effect::Refresh]),
                    Err(e) => Effect::Reject(e),
                }
            }
            _ => Effect::None,
        }
    }

    fn click(&mut self, ctx: &mut Ctx, column: u16, row: u16) -> Effect {
        let before = self.shown();
        let e = self.click_lists(column, row);
        if self.shown() == REQUESTS && before != REQUESTS {
            self.load_requests(ctx);
        }
        e
    }

    fn scroll(&mut self, _ctx: &mut Ctx, lines: isize) -> Effect {
        self.scroll_lists(lines)
    }

    fn refresh(&mut self, ctx: &Ctx) {
        if self.shown_for.as_ref() != Some(ctx.actor()) {
            self.show(AVAILABLE);
            self.shown_for = Some(ctx.actor().clone());
        }
        let t = ctx.tenant();
        // A blocked sign-in may read nothing: every pane says why, in the domain's words.
        let refused = t.reader(ctx.actor()).err().map(|e| e.to_string());
        self.available.pane.set_empty(refused.clone().unwrap_or_else(|| NOTHING_OPEN.to_string()));
        self.requests.pane.set_empty(refused.clone().unwrap_or_else(|| NO_REQUESTS.to_string()));
        self.assignments.pane.set_empty(refused.unwrap_or_else(|| NO_ASSIGNMENTS.to_string()));
        let (reqs, asg) = mine_of(t, ctx.actor());
        let mine = mine::Mine::new(&asg, &reqs);
        let offers: Vec<Offer> = t
            .available_by(&ctx.requestable(), ctx.actor())
            .into_iter()
            .map(|p| Offer { package: p, held: mine.of(p) })
            .collect();
        self.request_count = reqs.len().saturating_add(t.finished_count_for(ctx.actor()));
        let pending = reqs.iter().filter(|r| r.state == RequestState::PendingApproval).count();
        self.pending_requests.set(ctx, pending);
        let (reqs, asg) = (reqs.iter().map(|r| r.id).collect(), asg.iter().map(|a| a.id).collect());
        self.available.set(ctx, offers);
        // Shown, the list holds every request of mine (and keeps its selection); hidden, the
        // open ones, until it is shown.
        if self.shown() == REQUESTS {
            self.load_requests(ctx);
        } else {
            self.requests.set(ctx, reqs);
        }
        self.assignments.set(ctx, asg);
        if let Some(id) = self.submitted.take() {
            self.requests.select(&id);
        }
    }

    fn is_dirty(&self) -> bool {
        false
    }
}
