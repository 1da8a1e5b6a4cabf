//! My Access: the packages I may request, my requests and my assignments, as in myaccess.microsoft.com.

use std::collections::BTreeMap;

use chrono::TimeZone;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;

use crate::domain::views::time_left;
use crate::domain::{AssignmentId, Command, PackageId, PolicyId, QuestionId, QuestionKind, RequestId, RequestState};
use crate::ui::action::Action;
use crate::ui::app::{Effect, TabView};
use crate::ui::ctx::{Ctx, PerData};
use crate::ui::keymap::Mode;
use crate::ui::layers::{Layer, LayerResult};
use crate::ui::tabs::common::*;
use crate::ui::theme::Theme;
use crate::ui::widgets::confirm::ConfirmState;
use crate::ui::widgets::form::{Field, Form};
use crate::ui::widgets::list_pane::ListPane;
use crate::ui::widgets::prompt::PromptState;
use crate::ui::widgets::table::{CellText, Column};

mod mine;
mod rows;

use rows::PaneRows;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pane {
    Available,
    Requests,
    Assignments,
}

const PANES: [Pane; 3] = [Pane::Available, Pane::Requests, Pane::Assignments];

pub struct MyAccess {
    pane: Pane,
    available: ListPane,
    requests: ListPane,
    assignments: ListPane,
    available_ids: Vec<PackageId>,
    request_ids: Vec<RequestId>,
    /// How many requests are mine, open and finished (the pane's title), known without reading
    /// the finished ones (history): those are read only while the Requests pane is shown.
    request_count: usize,
    assignment_ids: Vec<AssignmentId>,
    available_rows: Vec<Vec<CellText>>,
    /// My requests waiting for approval (the badge), counted once per change of the data.
    pending_requests: PerData<usize>,
    assignment_rows: Vec<Vec<CellText>>,
    /// The package a request form is open for.
    requesting: Option<PackageId>,
    /// Who the lists were built for: another sign-in starts again at Available.
    shown_for: Option<crate::domain::Actor>,
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
            pane: Pane::Available,
            available: ListPane::new(
                "Available to request",
                vec![
                    c("Access package", Constraint::Fill(4)),
                    c("Catalog", Constraint::Fill(2)),
                    c("Grants", Constraint::Fill(4)),
                    c("Mine", Constraint::Length(16)),
                ],
            )
            .empty(NOTHING_OPEN),
            requests: ListPane::new(
                "My requests",
                vec![
                    c("Request", Constraint::Length(8)),
                    c("Access package", Constraint::Fill(3)),
                    c("Type", Constraint::Length(10)),
                    c("State", Constraint::Length(16)),
                    c("Waiting on / ended", Constraint::Fill(3)),
                ],
            )
            .empty(NO_REQUESTS),
            assignments: ListPane::new(
                "My access",
                vec![
                    c("Access package", Constraint::Fill(3)),
                    c("State", Constraint::Length(10)),
                    c("Ends", Constraint::Length(11)),
                    c("Left", Constraint::Length(8)),
                ],
            )
            .empty(NO_ASSIGNMENTS),
            available_ids: vec![],
            request_ids: vec![],
            request_count: 0,
            assignment_ids: vec![],
            available_rows: vec![],
            pending_requests: PerData::default(),
            assignment_rows: vec![],
            requesting: None,
            shown_for: None,
        }
    }

    fn pane_mut<'a>(&'a mut self, ctx: &'a Ctx) -> (&'a mut ListPane, PaneRows<'a>) {
        match self.pane {
            Pane::Available => (&mut self.available, PaneRows::Built(&self.available_rows)),
            Pane::Requests => (&mut self.requests, PaneRows::Requests { ctx, ids: &self.request_ids }),
            Pane::Assignments => (&mut self.assignments, PaneRows::Built(&self.assignment_rows)),
        }
    }

    fn selected_package(&self) -> Option<PackageId> {
        self.available.selected().and_then(|i| self.available_ids.get(i).copied())
    }
    /// My requests, finished ones included: read from my shard of the history when the
    /// Requests pane is shown (not for the first frame: an administrator who assigns by hand
    /// has hundreds of thousands).
    fn load_requests(&mut self, ctx: &Ctx) {
        let all = ctx.session.my_requests().unwrap_or_default();
        ctx.remember(all.iter());
        self.request_ids = all.iter().map(|r| r.id).collect();
        self.requests.sync(&PaneRows::Requests { ctx, ids: &self.request_ids });
    }

    fn selected_request(&self) -> Option<RequestId> {
        self.requests.selected().and_then(|i| self.request_ids.get(i).copied())
    }
    fn selected_assignment(&self) -> Option<AssignmentId> {
        self.assignments.selected().and_then(|i| self.assignment_ids.get(i).copied())
    }

    fn request_form(&self, ctx: &Ctx, pkg: PackageId) -> Option<Form> {
        let t = ctx.tenant();
        let p = t.packages.get(&pkg)?;
        let pols = t.matching_policies(ctx.actor(), p);
        let mut form = Form::new("request", format!("Request '{}'", p.display_name)).step("Request");
        if pols.len() > 1 {
            let opts: Vec<(String, String)> =
                pols.iter().map(|p| (p.id.to_string(), p.spec.display_name.clone())).collect();
            form = form.field(
                Field::choice("policy", "Policy", opts)
                    .help("Several policies let you ask; pick the one that fits you"),
            );
        }
        let justification_required = pols.iter().any(|p| p.spec.justification_required);
        let mut just = Field::text("justification", "Business justification")
            .help("Why you need it: the approver and the audit log read this");
        if justification_required {
            just = just.required();
        }
        form = form.field(just);
        // Questions of every matching policy, each shown only when its policy is chosen.
        for pol in &pols {
            let pid = pol.id.to_string();
            let single = pols.len() == 1;
            for q in &pol.spec.questions {
                let id = format!("q:{}:{}", pol.id, q.id);
                let mut f = match &q.kind {
                    QuestionKind::Text => Field::text(id, q.text.clone()),
                    QuestionKind::Choice { options } => {
                        let mut opts: Vec<String> = vec![];
                        if !q.required {
                            opts.push(String::new());
                        }
                        opts.extend(options.iter().cloned());
                        Field::choice(id, q.text.clone(), opts)
                    }
                };
                if q.required {
                    f = f.required();
                }
                if !single {
                    let pid = pid.clone();
                    f = f.visible_if(move |v| v.choice("policy") == Some(pid.as_str()));
                }
                form = form.field(f);
            }
        }
        form = form.field(
            Field::date("start", "Start (optional)", true).help("Leave empty to start as soon as it is approved"),
        );
        Some(form)
    }

    /// A package by its direct link (the id at its end): hidden packages can be requested this way.
    fn open_link(&mut self, ctx: &Ctx, text: &str) -> Effect {
        let t = ctx.tenant();
        let key = text.trim().rsplit(['/', '=']).next().unwrap_or_default();
        let Some(pkg) = key.parse::<PackageId>().ok().and_then(|p| t.packages.get(&p)).filter(|p| !p.is_deleted())
        else {
            return Effect::Reject(format!(
                "No access package '{}': a link ends with the package id, like pk12",
                text.trim()
            ));
        };
        if t.matching_policies(ctx.actor(), pkg).is_empty() {
            return Effect::Reject(format!("No policy of '{}' lets you request it", pkg.display_name));
        }
        match self.request_form(ctx, pkg.id) {
            Some(f) => {
                self.requesting = Some(pkg.id);
                Effect::Open(Layer::form(f))
            }
            None => Effect::Reject("That package is gone".into()),
        }
    }

    fn submit_request(&mut self, ctx: &mut Ctx, values: &crate::ui::widgets::form::FormValues) -> Effect {
        let Some(pkg) = self.requesting else { return Effect::None };
        let policy = match values.choice("policy") {
            Some(s) => match s.parse::<PolicyId>() {
                Ok(p) => Some(p),
                Err(e) => return Effect::Reject(e),
            },
            None => None,
        };
        let mut answers = BTreeMap::new();
        let prefix = policy.map(|p| format!("q:{p}:"));
        for (id, value) in values.iter() {
            let Some(rest) = id.strip_prefix("q:") else { continue };
            if let Some(pre) = &prefix
                && !id.starts_with(pre.as_str())
            {
                continue;
            }
            let Some((_, q)) = rest.split_once(':') else { continue };
            let text = value.as_text();
            if let (Ok(qid), false) = (q.parse::<QuestionId>(), text.trim().is_empty()) {
                answers.insert(qid, text);
            }
        }
        let start = values.datetime("start").map(|d| chrono::Utc.from_utc_datetime(&d));
        let cmd = Command::SubmitRequest {
            package: pkg,
            policy,
            justification: values.text("justification").to_string(),
            answers,
            start,
        };
        match ctx.run(cmd) {
            Ok(out) => {
                self.requesting = None;
                self.pane = Pane::Requests;
                Effect::Batch(vec![Effect::ok(crate::ui::ctx::outcome_text(&out)), Effect::Refresh])
            }
            Err(e) => Effect::Reject(e),
        }
    }

    fn render_detail(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let t = ctx.tenant();
        let mut lines: Vec<Line> = vec![];
        let title;
        match self.pane {
            Pane::Available => {
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
                    lines.push(Line::styled("r or Enter: request it", theme.muted));
                }
            }
            Pane::Requests => {
                title = "Request";
                if let Some(r) = self.selected_request().and_then(|id| ctx.request(id)) {
                    let r = &r;
                    let pname = t.packages.get(&r.package).map(|p| p.display_name.clone()).unwrap_or_default();
                    lines.push(heading(theme, format!("{} · {pname}", r.id)));
                    lines.push(kv_styled(theme, "State", r.state.to_string(), theme.state(&r.state.to_string())));
                    lines.push(kv(theme, "Type", r.request_type.to_string()));
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
                    if r.state.is_open() {
                        lines.push(Line::raw(""));
                        lines.push(Line::styled("c: cancel this request", theme.muted));
                    }
                }
            }
            Pane::Assignments => {
                title = "Assignment";
                if let Some(a) = self.selected_assignment().and_then(|id| t.assignments.get(&id)) {
                    let p = t.packages.get(&a.package);
                    lines.push(heading(
                        theme,
                        format!("{} · {}", a.id, p.map(|p| p.display_name.clone()).unwrap_or_default()),
                    ));
                    lines.push(kv_styled(theme, "State", a.state.to_string(), theme.state(&a.state.to_string())));
                    lines.push(kv(theme, "Since", fmt_time(a.start)));
                    lines.push(kv(theme, "Ends", a.end.map(fmt_time).unwrap_or_else(|| "never".into())));
                    lines.push(kv(theme, "Terms", t.lifecycle_of(a).expiration.label()));
                    let grants: Vec<String> =
                        a.granted.iter().map(|g| format!("{} ({})", t.resource_name(g.resource), g.role)).collect();
                    lines.push(kv(theme, "Grants", grants.join(", ")));
                    if a.is_active() {
                        lines.push(Line::raw(""));
                        if t.lifecycle_of(a).allow_extension {
                            lines.push(Line::styled("E: ask to extend", theme.muted));
                        }
                        if t.lifecycle_of(a).allow_self_removal {
                            lines.push(Line::styled("R: remove my access", theme.muted));
                        }
                    }
                }
            }
        }
        detail_pane(area, buf, theme, title, lines);
    }
}

impl TabView<Ctx> for MyAccess {
    fn render(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let [bar, body] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
        let names: Vec<String> = vec![
            format!("Available ({})", self.available_rows.len()),
            format!("Requests ({})", self.request_count.max(self.request_ids.len())),
            format!("Access ({})", self.assignment_rows.len()),
        ];
        let current = PANES.iter().position(|p| *p == self.pane).unwrap_or(0);
        pane_bar(bar, buf, theme, &names, current);
        let (list, detail) = split_list_detail(body);
        match self.pane {
            Pane::Available => self.available.render(list, buf, theme, &self.available_rows, true),
            Pane::Requests => {
                let rows = PaneRows::Requests { ctx, ids: &self.request_ids };
                self.requests.render(list, buf, theme, &rows, true)
            }
            Pane::Assignments => self.assignments.render(list, buf, theme, &self.assignment_rows, true),
        }
        self.render_detail(ctx, detail, buf, theme);
    }

    fn handle(&mut self, ctx: &mut Ctx, action: Action) -> Effect {
        {
            let (pane, rows) = self.pane_mut(ctx);
            if pane.handle(action, &rows) {
                return Effect::None;
            }
        }
        match action {
            Action::NextPane | Action::PrevPane => {
                let i = PANES.iter().position(|p| *p == self.pane).unwrap_or(0);
                let n = PANES.len();
                let j = if action == Action::NextPane { (i + 1) % n } else { (i + n - 1) % n };
                self.pane = PANES[j];
                if self.pane == Pane::Requests {
                    self.load_requests(ctx);
                }
                Effect::None
            }
            Action::Request | Action::Open if self.pane == Pane::Available => match self.selected_package() {
                Some(pkg) => match self.request_form(ctx, pkg) {
                    Some(f) => {
                        self.requesting = Some(pkg);
                        Effect::Open(Layer::form(f))
                    }
                    None => Effect::error("That package is gone"),
                },
                None => Effect::info("Nothing to request here"),
            },
            Action::New => Effect::Open(Layer::Prompt(PromptState::new(
                "link",
                "Request by link",
                "Package id from its link (e.g. pk12)",
            ))),
            Action::CancelRequest if self.pane == Pane::Requests => match self.selected_request() {
                Some(id) => Effect::Open(Layer::Confirm(
                    ConfirmState::new(format!("cancel:{id}"), "Cancel request", format!("Cancel request {id}?"))
                        .default_no(),
                )),
                None => Effect::None,
            },
            Action::Extend if self.pane == Pane::Assignments => match self.selected_assignment() {
                Some(id) => Effect::Open(Layer::Prompt(PromptState::new(
                    format!("extend:{id}"),
                    "Extend access",
                    "Why do you still need it?",
                ))),
                None => Effect::None,
            },
            Action::Remove if self.pane == Pane::Assignments => match self.selected_assignment() {
                Some(id) => Effect::Open(Layer::Confirm(
                    ConfirmState::new(
                        format!("leave:{id}"),
                        "Remove my access",
                        format!("Give up assignment {id} now?"),
                    )
                    .default_no(),
                )),
                None => Effect::None,
            },
            _ => Effect::Unhandled,
        }
    }

    fn text(&mut self, ctx: &mut Ctx, c: char) -> Effect {
        let (pane, rows) = self.pane_mut(ctx);
        if pane.text(c, &rows) { Effect::None } else { Effect::Unhandled }
    }

    fn mode(&self) -> Mode {
        match self.pane {
            Pane::Available => self.available.mode(),
            Pane::Requests => self.requests.mode(),
            Pane::Assignments => self.assignments.mode(),
        }
    }

    fn hints(&self) -> Vec<Action> {
        match self.pane {
            Pane::Available => vec![Action::Request, Action::New, Action::NextPane, Action::Filter],
            Pane::Requests => vec![Action::CancelRequest, Action::NextPane, Action::Filter],
            Pane::Assignments => vec![Action::Extend, Action::Remove, Action::NextPane, Action::Filter],
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
            LayerResult::Submitted { id, values } if id == "request" => self.submit_request(ctx, &values),
            LayerResult::Confirmed { id } => {
                if let Some(r) = id.strip_prefix("cancel:").and_then(|s| s.parse::<RequestId>().ok()) {
                    return ctx.run_effect(Command::CancelRequest { request: r });
                }
                if let Some(a) = id.strip_prefix("leave:").and_then(|s| s.parse::<AssignmentId>().ok()) {
                    return ctx.run_effect(Command::RemoveOwnAssignment { assignment: a });
                }
                Effect::None
            }
            LayerResult::Prompted { id, text } if id == "link" => self.open_link(ctx, &text),
            LayerResult::Prompted { id, text } => {
                match id.strip_prefix("extend:").and_then(|s| s.parse::<AssignmentId>().ok()) {
                    Some(a) => match ctx.run(Command::RequestExtension { assignment: a, justification: text }) {
                        Ok(out) => Effect::Batch(vec![Effect::ok(crate::ui::ctx::outcome_text(&out)), Effect::Refresh]),
                        Err(e) => Effect::Reject(e),
                    },
                    None => Effect::None,
                }
            }
            _ => Effect::None,
        }
    }

    fn click(&mut self, _ctx: &mut Ctx, column: u16, row: u16) -> Effect {
        for p in PANES {
            let pane = match p {
                Pane::Available => &mut self.available,
                Pane::Requests => &mut self.requests,
                Pane::Assignments => &mut self.assignments,
            };
            if pane.contains(column, row) {
                pane.click(column, row);
                return Effect::None;
            }
        }
        Effect::Unhandled
    }

    fn scroll(&mut self, ctx: &mut Ctx, lines: isize) -> Effect {
        self.pane_mut(ctx).0.scroll(lines);
        Effect::None
    }

    fn refresh(&mut self, ctx: &Ctx) {
        if self.shown_for.as_ref() != Some(ctx.actor()) {
            self.pane = Pane::Available;
            self.shown_for = Some(ctx.actor().clone());
        }
        let t = ctx.tenant();
        let theme = &ctx.theme;
        // A blocked sign-in may read nothing: every pane says why, in the domain's words.
        let refused = t.reader(ctx.actor()).err().map(|e| e.to_string());
        self.available.set_empty(refused.clone().unwrap_or_else(|| NOTHING_OPEN.to_string()));
        self.requests.set_empty(refused.clone().unwrap_or_else(|| NO_REQUESTS.to_string()));
        self.assignments.set_empty(refused.unwrap_or_else(|| NO_ASSIGNMENTS.to_string()));
        let reqs = t.open_requests_for(ctx.actor());
        let asg = t.assignments_for(ctx.actor());
        let mine = mine::Mine::new(&asg, &reqs);
        let avail = t.available_packages(ctx.actor());
        self.available_ids = avail.iter().map(|(p, _)| p.id).collect();
        self.available_rows = avail
            .iter()
            .map(|(p, _)| {
                vec![
                    cell(p.display_name.clone()),
                    cell(t.catalogs.get(&p.catalog).map(|c| c.display_name.clone()).unwrap_or_default()),
                    muted_cell(theme, t.grants_summary(p)),
                    mine.cell(theme, p.id),
                ]
            })
            .collect();
        self.request_count = reqs.len().saturating_add(t.finished_count_for(ctx.actor()));
        self.request_ids = reqs.iter().map(|r| r.id).collect();
        if self.pane == Pane::Requests {
            self.load_requests(ctx);
        }
        let pending = reqs.iter().filter(|r| r.state == RequestState::PendingApproval).count();
        self.pending_requests.set(ctx, pending);
        self.assignment_ids = asg.iter().map(|a| a.id).collect();
        self.assignment_rows = asg
            .iter()
            .map(|a| {
                let left = match (a.is_active(), a.end) {
                    (true, Some(e)) => time_left(ctx.now, e),
                    (true, None) => "∞".into(),
                    _ => String::new(),
                };
                vec![
                    cell(t.packages.get(&a.package).map(|p| p.display_name.clone()).unwrap_or_default()),
                    state_cell(theme, a.state),
                    cell(fmt_day(a.end)),
                    cell(left),
                ]
            })
            .collect();
        self.available.sync(&self.available_rows);
        self.requests.sync(&PaneRows::Requests { ctx, ids: &self.request_ids });
        self.assignments.sync(&self.assignment_rows);
    }

    fn is_dirty(&self) -> bool {
        false
    }
}
