//! Access packages: the bundles of resource roles people request, with their policies,
//! assignments and requests. The list shows the packages of the catalogs I may read; lint
//! findings show in the list (a count) and in the package's overview (each, in warning style).

use std::collections::BTreeMap;

use crate::ui::app::Jump;
use crate::ui::tabs::panes::SubPanes;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;

use crate::domain::{AssignmentId, Intent, PackageId, PolicyId, RequestId, ResourceRole};
use crate::ui::action::Action;
use crate::ui::app::{Effect, TabView};
use crate::ui::ctx::Ctx;
use crate::ui::keymap::Mode;
use crate::ui::layers::{Layer, LayerResult};
use crate::ui::tabs::common::{NOTHING_SELECTED, detail_pane, fmt_time, heading, kv, kv_styled};
use crate::ui::tabs::lists::{AnyList, IdList};
use crate::ui::tabs::packages_forms as forms;
use crate::ui::tabs::packages_rows::{PkgRow, assignment_row, lint_of, package_row, policy_row, request_row, role_row};
use crate::ui::tabs::panes::{Focus, Notice, areas, bar_names, pane_bar};
use crate::ui::theme::Theme;
use crate::ui::widgets::table::Column;

pub(super) const ROLES: usize = 0;
pub(super) const POLICIES: usize = 1;
pub(super) const ASSIGNMENTS: usize = 2;
pub(super) const REQUESTS: usize = 3;
const SUBS: usize = 4;

/// What the signed-in person may do with the selected package (for the hints only: the domain
/// decides).
#[derive(Debug, Clone, Copy, Default)]
struct Rights {
    manage: bool,
    assign: bool,
    live: bool,
    hidden: bool,
}

pub struct Packages {
    focus: Focus,
    list: IdList<PkgRow>,
    pub(super) roles: IdList<(PackageId, ResourceRole)>,
    pub(super) policies: IdList<PolicyId>,
    pub(super) assignments: IdList<AssignmentId>,
    pub(super) requests: IdList<RequestId>,
    /// Lint messages of the selected package.
    lint: Vec<String>,
    /// Lint messages of every package, read once per refresh (not on each move).
    lint_by_package: BTreeMap<PackageId, Vec<String>>,
    /// "3 delivered, 1 expired" and the open requests of the selected package.
    asg_summary: String,
    open_requests: usize,
    /// The package whose finished requests are read into `requests` (from the history, once the
    /// Requests list has the focus): a move down the packages reads no file.
    history_of: Option<PackageId>,
    rights: Rights,
    pub(super) notice: Notice,
    /// A package just created: selected once the list has it.
    pub(super) select_after_refresh: Option<PackageId>,
    /// The automatic policy whose preview the editor showed: a second submit of the same saves it.
    pub(super) previewed: Option<(crate::ui::ask::Ask, crate::domain::PolicySpec)>,
}

impl Default for Packages {
    fn default() -> Self {
        Self::new()
    }
}

fn c(title: &str, w: Constraint) -> Column {
    Column::new(title, w)
}

impl Packages {
    pub fn new() -> Self {
        Packages {
            focus: Focus::default(),
            list: IdList::new(
                "Access packages",
                vec![
                    c("Access package", Constraint::Fill(3)),
                    c("Catalog", Constraint::Fill(2)),
                    c("Hidden", Constraint::Length(6)),
                    c("State", Constraint::Length(7)),
                    c("Policies", Constraint::Length(8)),
                    c("Assigned", Constraint::Length(8)),
                    c("Lint", Constraint::Length(4)),
                ],
                "No access packages you can see. A catalog owner or package manager creates them (n).",
                package_row,
            ),
            roles: IdList::new(
                "Resource roles",
                vec![
                    c("Resource", Constraint::Fill(3)),
                    c("Type", Constraint::Length(19)),
                    c("Role", Constraint::Fill(1)),
                ],
                "Grants nothing yet: add a resource role from its catalog.",
                role_row,
            ),
            policies: IdList::new(
                "Policies",
                vec![c("Policy", Constraint::Fill(1)), c("Summary", Constraint::Fill(3))],
                "No policy: nobody can request it or be assigned it.",
                policy_row,
            ),
            assignments: IdList::new(
                "Assignments",
                vec![
                    c("User", Constraint::Fill(2)),
                    c("State", Constraint::Length(10)),
                    c("Start", Constraint::Length(10)),
                    c("End", Constraint::Length(10)),
                    c("Policy", Constraint::Fill(1)),
                ],
                "Nobody is assigned.",
                assignment_row,
            ),
            requests: IdList::new(
                "Requests",
                vec![
                    c("Request", Constraint::Length(8)),
                    c("User", Constraint::Fill(2)),
                    c("Type", Constraint::Length(10)),
                    c("State", Constraint::Length(15)),
                    c("Waiting on", Constraint::Fill(2)),
                ],
                "No requests.",
                request_row,
            ),
            lint: vec![],
            lint_by_package: BTreeMap::new(),
            asg_summary: String::new(),
            open_requests: 0,
            history_of: None,
            rights: Rights::default(),
            notice: Notice::default(),
            select_after_refresh: None,
            previewed: None,
        }
    }

    pub(super) fn selected(&self) -> Option<PackageId> {
        self.list.selected().map(|r| r.id)
    }

    /// Re-reads the detail of the selected package.
    fn load_detail(&mut self, ctx: &Ctx) {
        let t = ctx.tenant();
        let actor = ctx.actor();
        self.rights = Rights::default();
        let Some(p) = self.selected().and_then(|id| t.packages.get(&id)) else {
            self.lint.clear();
            self.roles.set(ctx, vec![]);
            self.policies.set(ctx, vec![]);
            self.assignments.set(ctx, vec![]);
            self.requests.set(ctx, vec![]);
            return;
        };
        self.rights.manage = t.can_manage_packages(actor, p.catalog);
        self.rights.assign = t.can_manage_assignments(actor, p.catalog);
        self.rights.live = !p.is_deleted();
        self.rights.hidden = p.hidden;
        self.lint = self.lint_by_package.get(&p.id).cloned().unwrap_or_default();
        let roles = p.resource_roles.iter().map(|rr| (p.id, rr.clone())).collect();
        let policies = p.policies.clone();
        let by_state = t.report_package_assignments(p.id);
        let asg: Vec<AssignmentId> = by_state.iter().flat_map(|(_, v)| v.iter().map(|a| a.id)).collect();
        let counts: Vec<String> = by_state.iter().map(|(st, v)| format!("{} {st}", v.len())).collect();
        self.asg_summary = if counts.is_empty() { "none".into() } else { counts.join(", ") };
        // The open requests from memory; the finished ones when the Requests list is focused.
        let mut open: Vec<&crate::domain::Request> = t.requests_of_package(p.id).collect();
        open.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        self.open_requests = open.len();
        let open: Vec<RequestId> = open.iter().map(|r| r.id).collect();
        self.history_of = None;
        self.requests.pane.title = "Open requests".into();
        self.requests.pane.set_empty("No open requests. Focus this list (]) to see the finished ones too.");
        self.roles.set(ctx, roles);
        self.policies.set(ctx, policies);
        self.assignments.set(ctx, asg);
        self.requests.set(ctx, open);
        self.load_history(ctx);
    }

    /// The selected package's requests, finished ones included, once the Requests list has the
    /// focus (its history shard is read once per package shown there).
    fn load_history(&mut self, ctx: &Ctx) {
        let Some(pkg) = self.selected() else { return };
        if self.focus.sub() != Some(REQUESTS) || self.history_of == Some(pkg) {
            return;
        }
        let reqs = ctx.session.package_requests(pkg).unwrap_or_default();
        ctx.remember(reqs.iter());
        self.requests.set(ctx, reqs.iter().map(|r| r.id).collect());
        self.requests.pane.title = "Requests".into();
        self.requests.pane.set_empty("No requests.");
        self.history_of = Some(pkg);
    }

    fn sub(&self, i: usize) -> (&'static str, &'static str, usize) {
        match i {
            ROLES => ("Resource roles", "Roles", self.roles.len()),
            POLICIES => ("Policies", "Policies", self.policies.len()),
            ASSIGNMENTS => ("Assignments", "Assigned", self.assignments.len()),
            _ if self.history_of.is_some() => ("Requests", "Requests", self.requests.len()),
            _ => ("Open requests", "Open", self.requests.len()),
        }
    }

    fn render_overview(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let t = ctx.tenant();
        let mut lines: Vec<Line> = vec![];
        if let Some(p) = self.selected().and_then(|id| t.packages.get(&id)) {
            lines.push(heading(theme, format!("{} ({})", p.display_name, p.id)));
            if !p.description.is_empty() {
                lines.push(Line::raw(p.description.clone()));
            }
            for l in &self.lint {
                lines.push(Line::styled(format!("⚠ {l}"), theme.warning));
            }
            let cat = t.catalogs.get(&p.catalog).map(|c| c.display_name.clone()).unwrap_or_default();
            lines.push(kv(theme, "Catalog", cat));
            lines.push(match p.deleted_at {
                Some(d) => kv_styled(theme, "State", format!("deleted {}", fmt_time(d)), theme.muted),
                None => kv_styled(theme, "State", "active", theme.ok),
            });
            if p.hidden {
                lines.push(kv(theme, "Hidden", "yes: requested only through its direct link"));
            }
            if p.sensitive {
                lines.push(kv(theme, "Sensitive", "yes"));
            }
            // Separation of duties, both ways.
            let conflicts: Vec<String> = t.incompatibilities(p).into_iter().map(|w| t.incompatible_name(w)).collect();
            if !conflicts.is_empty() {
                lines.push(kv(theme, "Incompatible with", conflicts.join(", ")));
            }
            lines.push(kv(theme, "Grants", t.grants_summary(p)));
            let enabled = t.policies_of(p.id).filter(|x| x.spec.enabled).count();
            lines.push(kv(theme, "Policies", format!("{} ({enabled} taking requests)", p.policies.len())));
            lines.push(kv(theme, "Assignments", self.asg_summary.clone()));
            lines.push(kv(theme, "Open requests", self.open_requests.to_string()));
            if !self.rights.manage {
                let what = if self.rights.assign { "you may assign and remove" } else { "read only for you" };
                lines.push(Line::styled(format!("Configuration: {what}; a package manager changes it."), theme.muted));
            }
        }
        detail_pane(area, buf, theme, "Access package", lines, &self.focus.detail);
    }

    /// The verbs of the focused list.
    fn verb(&mut self, ctx: &mut Ctx, action: Action) -> Effect {
        if self.focus.main() && action == Action::New {
            // The catalog just made, else the selected package's.
            let selected = self.selected().and_then(|p| ctx.tenant().packages.get(&p)).map(|p| p.catalog);
            return forms::new_package(ctx, ctx.recent_catalog.or(selected));
        }
        let Some(pkg) = self.selected() else { return Effect::None };
        // Whether the verb may act is the domain's: the shell asked `refusal` before this.
        if (self.focus.sub(), action) == (None, Action::Open) {
            self.focus.to_sub(self.focus.shown);
            return Effect::None;
        }
        let remove = matches!(action, Action::Delete | Action::Remove);
        match (self.focus.sub(), action) {
            (_, Action::Assign) => forms::assign(ctx, pkg),
            (None, Action::Edit) => forms::edit_package(ctx, pkg),
            (None, Action::Delete) => forms::confirm_delete(ctx, pkg),
            (None, Action::Toggle) => forms::toggle_hidden(ctx, pkg, &mut self.notice),
            (Some(ROLES), Action::New) => forms::role_resource_picker(ctx, pkg),
            (Some(ROLES), _) if remove => match self.roles.selected() {
                Some((pkg, rr)) => forms::remove_role_form(ctx, pkg, &rr),
                None => Effect::None,
            },
            (Some(POLICIES), Action::New) => self.open_policy(ctx, pkg, None),
            (Some(POLICIES), Action::Edit | Action::Open) => match self.policies.selected() {
                Some(pol) => self.open_policy(ctx, pkg, Some(pol)),
                None => Effect::None,
            },
            (Some(POLICIES), _) if remove => match self.policies.selected() {
                Some(pol) => forms::confirm_delete_policy(ctx, pol),
                None => Effect::None,
            },
            (Some(ASSIGNMENTS), _) if remove => match self.assignments.selected() {
                Some(a) => forms::remove_assignment_prompt(ctx, a),
                None => Effect::None,
            },
            (Some(REQUESTS), Action::Open) => match self.requests.selected() {
                Some(r) => forms::request_history(ctx, r),
                None => Effect::None,
            },
            _ => Effect::Unhandled,
        }
    }

    fn open_policy(&self, ctx: &Ctx, pkg: PackageId, pol: Option<PolicyId>) -> Effect {
        let existing = pol.and_then(|p| ctx.tenant().policies.get(&p));
        Effect::Open(Layer::form(crate::ui::tabs::policy_form::policy_form(ctx, pkg, existing)))
    }
}

impl TabView<Ctx> for Packages {
    fn idle(&mut self, ctx: &Ctx, until: std::time::Instant) -> bool {
        self.index_focused_a_while(ctx, until)
    }
    fn export(&self, ctx: &Ctx, visit: &mut crate::ui::export::Visit<'_>) -> bool {
        self.focused_list().export(ctx, visit);
        true
    }
    fn jump(&mut self, ctx: &Ctx, to: &Jump) {
        if let Jump::Filter(text) = to {
            self.focus.at = 0;
            self.main_list_mut().set_filter(ctx, text);
            self.selection_moved(ctx);
        }
    }
    crate::details_in_focus!();
    fn details_follow_focus(&self) -> bool {
        self.focus.main()
    }
    fn render(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let a = areas(area, &self.focus, SUBS, self.list.len(), self.notice.lines(ctx, area.width));
        let subs: Vec<_> = (0..SUBS).map(|i| self.sub(i)).collect();
        let names = bar_names(("Packages", self.list.len()), &subs);
        pane_bar(a.bar, buf, theme, &names, self.focus.at);
        if let Some(o) = a.overview {
            self.render_overview(ctx, o, buf, theme);
        }
        self.render_lists(ctx, &a, buf, theme);
        self.notice.render(a.notice, buf, theme);
    }

    fn handle(&mut self, ctx: &mut Ctx, action: Action) -> Effect {
        self.notice.clear();
        if self.handle_focused(ctx, action) {
            return Effect::None;
        }
        match action {
            Action::NextPane | Action::PrevPane => {
                self.focus.cycle(SUBS, action == Action::NextPane);
                self.load_history(ctx);
                Effect::None
            }
            Action::Back if !self.focus.main() => {
                self.focus.at = 0;
                Effect::None
            }
            Action::New
            | Action::Edit
            | Action::Delete
            | Action::Remove
            | Action::Open
            | Action::Toggle
            | Action::Assign => self.verb(ctx, action),
            _ => Effect::Unhandled,
        }
    }

    fn text(&mut self, ctx: &mut Ctx, ch: char) -> Effect {
        self.text_focused(ctx, ch)
    }

    fn mode(&self) -> Mode {
        self.mode_focused()
    }

    /// Each verb of the focused list, asked of the domain for the selected package and row.
    fn refusal(&self, ctx: &Ctx, action: Action) -> Option<String> {
        let remove = matches!(action, Action::Delete | Action::Remove);
        let pkg = self.selected();
        let intent = match (self.focus.sub(), action) {
            (None, Action::New) => return forms::new_package_refusal(ctx, pkg),
            (_, Action::Assign) => pkg.map(|package| Intent::Assign { package }),
            (None, Action::Edit | Action::Toggle) => pkg.map(|package| Intent::EditPackage { package }),
            (None, Action::Delete) => pkg.map(|package| Intent::DeletePackage { package }),
            (Some(ROLES), Action::New) => pkg.map(|package| Intent::ChangeResourceRoles { package }),
            (Some(ROLES), _) if remove => {
                self.roles.selected().map(|(package, _)| Intent::ChangeResourceRoles { package })
            }
            (Some(POLICIES), Action::New) => pkg.map(|package| Intent::CreatePolicy { package }),
            (Some(POLICIES), Action::Edit | Action::Open) => {
                self.policies.selected().map(|policy| Intent::EditPolicy { policy })
            }
            (Some(POLICIES), _) if remove => self.policies.selected().map(|policy| Intent::DeletePolicy { policy }),
            (Some(ASSIGNMENTS), _) if remove => {
                self.assignments.selected().map(|assignment| Intent::RemoveAssignment { assignment })
            }
            _ => return None,
        };
        match intent {
            Some(i) => ctx.refusal(&i),
            None => Some(NOTHING_SELECTED.to_string()),
        }
    }

    fn hints(&self) -> Vec<Action> {
        let mut h = match self.focus.sub() {
            None => vec![Action::New, Action::Edit, Action::Delete, Action::Toggle],
            Some(ROLES) => vec![Action::New, Action::Delete],
            Some(POLICIES) => vec![Action::New, Action::Edit, Action::Delete],
            Some(ASSIGNMENTS) => vec![Action::Remove],
            Some(REQUESTS) if !self.requests.is_empty() => vec![Action::Open],
            _ => vec![],
        };
        h.extend([Action::Assign, Action::NextPane, Action::Filter]);
        h
    }

    fn shows_message(&self, message: &crate::ui::widgets::status::StatusMessage) -> bool {
        self.notice.0.as_ref() == Some(message)
    }

    fn hint_label(&self, action: Action) -> Option<String> {
        let word = match (self.focus.sub(), action) {
            (None, Action::New) => "new package",
            (None, Action::Toggle) if self.rights.hidden => "unhide",
            (None, Action::Toggle) => "hide",
            (Some(ROLES), Action::New) => "add resource role",
            (Some(ROLES), Action::Delete) => "remove role",
            (Some(POLICIES), Action::New) => "new policy",
            (Some(POLICIES), Action::Edit) => "edit policy",
            (Some(POLICIES), Action::Delete) => "delete policy",
            (Some(ASSIGNMENTS), Action::Remove) => "remove assignment",
            (Some(REQUESTS), Action::Open) => "history",
            (_, Action::Assign) => "assign",
            (_, Action::NextPane) => "next pane",
            _ => return None,
        };
        Some(word.into())
    }

    fn on_result(&mut self, ctx: &mut Ctx, result: LayerResult) -> Effect {
        forms::answer(self, ctx, result)
    }

    fn click(&mut self, ctx: &mut Ctx, column: u16, row: u16) -> Effect {
        let e = self.click_panes(ctx, column, row);
        self.load_history(ctx);
        e
    }

    fn scroll(&mut self, ctx: &mut Ctx, lines: isize) -> Effect {
        self.scroll_panes(ctx, lines)
    }

    fn refresh(&mut self, ctx: &Ctx) {
        let t = ctx.tenant();
        let actor = ctx.actor();
        self.lint_by_package = lint_of(ctx);
        let mut pkgs: Vec<&crate::domain::Package> =
            t.packages.values().filter(|p| t.can_read_catalog(actor, p.catalog)).collect();
        pkgs.sort_by_cached_key(|p| (p.is_deleted(), p.display_name.to_lowercase()));
        let rows = pkgs
            .iter()
            .map(|p| PkgRow { id: p.id, lint: self.lint_by_package.get(&p.id).map_or(0, Vec::len) })
            .collect();
        self.list.set(ctx, rows);
        if let Some(id) = self.select_after_refresh.take() {
            self.list.select(&PkgRow { id, lint: 0 });
        }
        self.load_detail(ctx);
    }
}

impl SubPanes for Packages {
    const SUBS: usize = SUBS;
    fn main_list(&self) -> &dyn AnyList {
        &self.list
    }
    fn main_list_mut(&mut self) -> &mut dyn AnyList {
        &mut self.list
    }
    fn sub_list(&self, i: usize) -> &dyn AnyList {
        match i {
            ROLES => &self.roles,
            POLICIES => &self.policies,
            ASSIGNMENTS => &self.assignments,
            _ => &self.requests,
        }
    }
    fn sub_list_mut(&mut self, i: usize) -> &mut dyn AnyList {
        match i {
            ROLES => &mut self.roles,
            POLICIES => &mut self.policies,
            ASSIGNMENTS => &mut self.assignments,
            _ => &mut self.requests,
        }
    }
    fn focus(&self) -> &Focus {
        &self.focus
    }
    fn focus_mut(&mut self) -> &mut Focus {
        &mut self.focus
    }
    fn selection_moved(&mut self, ctx: &Ctx) {
        self.load_detail(ctx);
    }
}
