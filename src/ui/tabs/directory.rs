//! Directory: users, groups and Teams, applications and sites, and who holds what and why (through
//! which access package, or directly). Global administrators add users and resources, edit users
//! (block or allow sign-in), and add or remove memberships made outside access packages; the domain
//! refuses everyone else, with its reason.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use crate::domain::{Command, Intent, ResourceId, ResourceKind, UserId};
use crate::ui::action::Action;
use crate::ui::app::{Effect, TabView};
use crate::ui::ask::Ask;
use crate::ui::ctx::{Ctx, outcome_text};
use crate::ui::keymap::Mode;
use crate::ui::layers::{Layer, LayerResult};
use crate::ui::tabs::common::*;
use crate::ui::tabs::lists::{AnyList, IdList};
use crate::ui::tabs::panes::pane_bar;
use crate::ui::theme::Theme;
use crate::ui::widgets::detail::DetailScroll;
use crate::ui::widgets::form::FormValues;
use crate::ui::widgets::table::Column;

mod detail;
pub(super) mod forms;
mod users;

use detail::{ResourceCard, resource_cards, resource_detail, resource_row, user_detail};
use users::UserList;

/// The object whose details are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    User(UserId),
    Resource(ResourceId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pane {
    Users,
    Groups,
    Apps,
    Sites,
}

const PANES: [Pane; 4] = [Pane::Users, Pane::Groups, Pane::Apps, Pane::Sites];

impl Pane {
    fn short(self) -> &'static str {
        match self {
            Pane::Users => "Users",
            Pane::Groups => "Groups",
            Pane::Apps => "Apps",
            Pane::Sites => "Sites",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Pane::Users => "Users",
            Pane::Groups => "Groups & Teams",
            Pane::Apps => "Applications",
            Pane::Sites => "Sites",
        }
    }

    /// The index into `Directory::resources`, for the resource panes.
    fn resource_index(self) -> Option<usize> {
        match self {
            Pane::Users => None,
            Pane::Groups => Some(0),
            Pane::Apps => Some(1),
            Pane::Sites => Some(2),
        }
    }

    fn of_kind(kind: &ResourceKind) -> Pane {
        match kind {
            ResourceKind::Group { .. } => Pane::Groups,
            ResourceKind::Application => Pane::Apps,
            ResourceKind::Site { .. } => Pane::Sites,
        }
    }

    /// The kind a new resource form starts with.
    fn default_kind(self) -> &'static str {
        match self {
            Pane::Users | Pane::Groups => "security",
            Pane::Apps => "application",
            Pane::Sites => "site",
        }
    }
}

pub struct Directory {
    pane: Pane,
    users: UserList,
    /// Groups & Teams, Applications, Sites.
    resources: [IdList<ResourceCard>; 3],
    /// The details of the selected row, rebuilt when the selection or the data changes.
    detail: Vec<Line<'static>>,
    /// Whose details `detail` holds: rebuilt when the selection moves to another, or the data
    /// changes, not on every key.
    detail_of: Option<Shown>,
    /// Select this object (an id like `u12`) after the next refresh: the one just created.
    select_after: Option<crate::domain::ObjectRef>,
    /// The details fill the tab (Enter), scrolled by this many lines.
    zoom: Option<u16>,
    /// The details pane beside the list (`]` focuses it when it has more than it shows).
    detail_scroll: DetailScroll,
    /// The memberships the remove picker offered, by its item ids.
    revoke_offered: std::collections::HashMap<String, crate::domain::tenant::GrantKey>,
}

impl Default for Directory {
    fn default() -> Self {
        Self::new()
    }
}

impl Directory {
    pub fn new() -> Self {
        let c = |t: &str, w| Column::new(t, w);
        let resource_list = |title: &str, empty: &str| {
            IdList::new(
                title,
                vec![
                    c("Name", Constraint::Fill(3)),
                    c("Type", Constraint::Fill(2)),
                    c("Roles", Constraint::Fill(3)),
                    c("Owners", Constraint::Fill(3)),
                    c("Holders", Constraint::Length(7)),
                ],
                empty,
                resource_row,
            )
        };
        Directory {
            pane: Pane::Users,
            users: UserList::new(
                "Users",
                vec![
                    c("Name", Constraint::Fill(4)),
                    c("Email", Constraint::Fill(4)),
                    c("Type", Constraint::Length(6)),
                    c("Sign-in", Constraint::Length(7)),
                    c("Manager", Constraint::Fill(3)),
                    c("Department", Constraint::Fill(2)),
                    c("Asg", Constraint::Length(3)),
                ],
                "No users yet. Press n to add one.",
            ),
            resources: [
                resource_list("Groups & Teams", "No groups or Teams yet. Press n to add one."),
                resource_list("Applications", "No applications yet. Press n to add one."),
                resource_list("Sites", "No SharePoint sites yet. Press n to add one."),
            ],
            detail: Vec::new(),
            detail_of: None,
            select_after: None,
            zoom: None,
            detail_scroll: DetailScroll::default(),
            revoke_offered: Default::default(),
        }
    }

    fn selected_user(&self) -> Option<UserId> {
        self.users.selected()
    }

    fn selected_resource(&self) -> Option<ResourceId> {
        self.pane.resource_index().and_then(|i| self.resources[i].selected()).map(|c| c.id)
    }

    /// Scrolling the full-screen details; other actions leave it (Esc and Enter only that).
    fn handle_zoomed(&mut self, action: Action) -> Option<Effect> {
        let top = self.zoom?;
        let max = u16::try_from(self.detail.len().saturating_sub(1)).unwrap_or(u16::MAX);
        let to = match action {
            Action::Up => top.saturating_sub(1),
            Action::Down => top.saturating_add(1).min(max),
            Action::PageUp => top.saturating_sub(10),
            Action::PageDown => top.saturating_add(10).min(max),
            Action::Home => 0,
            Action::End => max,
            Action::Back | Action::Open => {
                self.zoom = None;
                return Some(Effect::None);
            }
            _ => {
                self.zoom = None;
                return None;
            }
        };
        self.zoom = Some(to);
        Some(Effect::None)
    }

    /// The list of the pane shown.
    fn list(&self) -> &dyn AnyList {
        match self.pane.resource_index().and_then(|i| self.resources.get(i)) {
            None => &self.users,
            Some(l) => l,
        }
    }

    fn list_mut(&mut self) -> &mut dyn AnyList {
        match self.pane.resource_index().and_then(|i| self.resources.get_mut(i)) {
            None => &mut self.users,
            Some(l) => l,
        }
    }

    fn handle_verb(&mut self, ctx: &Ctx, action: Action) -> Effect {
        let t = ctx.tenant();
        match (action, self.pane) {
            (Action::NextPane | Action::PrevPane, _) => {
                let i = PANES.iter().position(|p| *p == self.pane).unwrap_or(0);
                let n = PANES.len();
                let j = if action == Action::NextPane { (i + 1) % n } else { (i + n - 1) % n };
                self.pane = PANES[j];
                Effect::None
            }
            (Action::Open, _) => {
                if !self.detail.is_empty() {
                    self.zoom = Some(0);
                }
                Effect::None
            }
            (Action::New, Pane::Users) => Effect::Open(Layer::form(forms::user_form(t, None))),
            (Action::New, pane) => Effect::Open(Layer::form(forms::resource_form(t, pane.default_kind()))),
            (Action::Edit, Pane::Users) => match self.selected_user().and_then(|u| t.users.get(&u)) {
                Some(u) => Effect::Open(Layer::form(forms::user_form(t, Some(u)))),
                None => Effect::info("Select a user first"),
            },
            (Action::Edit, _) => Effect::info("Resources are not edited here; only users are"),
            (Action::Explain, Pane::Users) => match self.selected_user() {
                Some(u) => crate::ui::why::picker_for(ctx, u),
                None => Effect::info("Select a user first"),
            },
            (Action::Assign, Pane::Users) => match self.selected_user().and_then(|u| t.users.get(&u)) {
                Some(u) => Effect::Open(Layer::form(forms::grant_form_for_user(t, u))),
                None => Effect::info("Select a user first"),
            },
            (Action::Assign, _) => match self.selected_resource().and_then(|r| forms::grant_form_for_resource(t, r)) {
                Some(f) => Effect::Open(Layer::form(f)),
                None => Effect::info("Select a resource first"),
            },
            (Action::Remove, pane) => {
                let (user, res) = match pane {
                    Pane::Users => (self.selected_user(), None),
                    _ => (None, self.selected_resource()),
                };
                let who = match (user, res) {
                    (Some(u), _) => t.user_name(u),
                    (None, Some(r)) => t.resource_name(r),
                    (None, None) => return Effect::info("Select a row first"),
                };
                let (picker, offered) = forms::revoke_picker(t, user, res);
                if picker.visible_items().next().is_none() {
                    return Effect::info(format!("{who}: no membership made outside access packages"));
                }
                self.revoke_offered = offered;
                Effect::Open(Layer::Picker(picker))
            }
            _ => Effect::Unhandled,
        }
    }

    /// Runs a form's command: on success a message, a refresh and the new object selected; on a
    /// refusal the form stays open with the domain's message.
    fn run_form(&mut self, ctx: &mut Ctx, command: Command) -> Effect {
        match ctx.run(command) {
            Ok(out) => {
                self.select_after = out.created;
                Effect::Batch(vec![Effect::ok(outcome_text(&out)), Effect::Refresh])
            }
            Err(e) => Effect::Reject(e),
        }
    }

    fn submit(&mut self, ctx: &mut Ctx, id: &crate::ui::ask::Ask, values: &FormValues) -> Effect {
        // The attributes first, then a new login: if the domain refuses one, the form stays.
        match forms::attributes_change(ctx.tenant(), id, values) {
            Some(Ok(c)) => {
                if let Err(e) = ctx.run(c) {
                    return Effect::Reject(e);
                }
            }
            Some(Err(e)) => return Effect::Reject(e),
            None => {}
        }
        if let Some(c) = forms::login_change(ctx.tenant(), id, values)
            && let Err(e) = ctx.run(c)
        {
            return Effect::Reject(e);
        }
        match forms::command(ctx.tenant(), id, values) {
            Some(Ok(c)) => self.run_form(ctx, c),
            Some(Err(e)) => Effect::Reject(e),
            None => Effect::None,
        }
    }

    fn shown(&self) -> Option<Shown> {
        match self.pane {
            Pane::Users => self.selected_user().map(Shown::User),
            _ => self.selected_resource().map(Shown::Resource),
        }
    }

    /// The details of the selected row, re-read if it is another row than they are about.
    fn update_detail(&mut self, ctx: &Ctx) {
        if self.shown() != self.detail_of {
            self.rebuild_detail(ctx);
        }
    }

    /// Re-reads the details of the selected row.
    fn rebuild_detail(&mut self, ctx: &Ctx) {
        self.detail_of = self.shown();
        let t = ctx.tenant();
        let theme = &ctx.theme;
        let admin = t.is_global_admin(ctx.actor());
        self.detail = match self.pane {
            Pane::Users => self.selected_user().map(|u| user_detail(t, ctx, u, theme, admin)),
            _ => self.selected_resource().map(|r| resource_detail(t, ctx.actor(), r, theme, admin)),
        }
        .unwrap_or_default();
    }
}

impl TabView<Ctx> for Directory {
    fn idle(&mut self, ctx: &Ctx, until: std::time::Instant) -> bool {
        self.list_mut().index_a_while(ctx, until)
    }
    fn export(&self, ctx: &Ctx, visit: &mut crate::ui::export::Visit<'_>) -> bool {
        self.list().export(ctx, visit);
        true
    }
    fn detail(&self) -> Option<&DetailScroll> {
        Some(&self.detail_scroll)
    }
    fn detail_mut(&mut self) -> Option<&mut DetailScroll> {
        Some(&mut self.detail_scroll)
    }
    fn render(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let title = if self.pane == Pane::Users { "User" } else { "Resource" };
        if let Some(top) = self.zoom {
            let title = Span::styled(format!(" {title}  (esc back · ↑↓ scroll) "), theme.title);
            let block = Block::bordered().border_style(theme.border_focus).title(title);
            // Only the lines that can show: those above the scroll and one screen more.
            let shown = usize::from(top).saturating_add(usize::from(area.height));
            Paragraph::new(self.detail.iter().take(shown).cloned().collect::<Vec<_>>())
                .wrap(Wrap { trim: false })
                .scroll((top, 0))
                .block(block)
                .render(area, buf);
            return;
        }
        let [bar, body] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
        let mut names = vec![format!("Users ({})", self.users.row_count())];
        for (p, l) in PANES[1..].iter().zip(&self.resources) {
            names.push(format!("{} ({})", p.name(), l.len()));
        }
        if names.iter().map(|n| Span::raw(n.as_str()).width() + 4).sum::<usize>() + 13 > usize::from(area.width) {
            // Narrow: "Groups 13", "Apps 6", so every pane and the switch hint still show.
            names = std::iter::once(format!("Users {}", self.users.row_count()))
                .chain(PANES[1..].iter().zip(&self.resources).map(|(p, l)| format!("{} {}", p.short(), l.len())))
                .collect();
        }
        let current = PANES.iter().position(|p| *p == self.pane).unwrap_or(0);
        pane_bar(bar, buf, theme, &[names], current);
        let (list, detail) = split_list_detail(body, self.list().rows_len());
        self.list().draw(ctx, list, buf, theme, true);
        detail_pane(detail, buf, theme, title, self.detail.clone(), &self.detail_scroll);
    }

    fn handle(&mut self, ctx: &mut Ctx, action: Action) -> Effect {
        if let Some(e) = self.handle_zoomed(action) {
            return e;
        }
        let effect =
            if self.list_mut().handle_action(ctx, action) { Effect::None } else { self.handle_verb(ctx, action) };
        self.update_detail(ctx);
        effect
    }

    fn text(&mut self, ctx: &mut Ctx, c: char) -> Effect {
        let used = self.list_mut().type_char(ctx, c);
        self.update_detail(ctx);
        if used { Effect::None } else { Effect::Unhandled }
    }

    fn mode(&self) -> Mode {
        self.list().pane().mode()
    }

    fn refusal(&self, ctx: &Ctx, action: Action) -> Option<String> {
        if self.zoom.is_some() {
            return None;
        }
        let intent = match (action, self.pane) {
            (Action::New, Pane::Users) => Intent::CreateUser,
            (Action::New, _) => Intent::CreateResource,
            (Action::Edit, Pane::Users) => match self.selected_user() {
                Some(user) => Intent::EditUser { user },
                None => return Some(NOTHING_SELECTED.to_string()),
            },
            (Action::Edit, _) => return Some("Resources are not edited here; only users are".to_string()),
            (Action::Assign | Action::Remove, _) if self.shown().is_none() => {
                return Some(NOTHING_SELECTED.to_string());
            }
            (Action::Assign | Action::Remove, _) => Intent::DirectGrant,
            _ => return None,
        };
        ctx.refusal(&intent)
    }

    fn hints(&self) -> Vec<Action> {
        match self.pane {
            _ if self.zoom.is_some() => vec![Action::Back, Action::Down, Action::Up, Action::PageDown],
            Pane::Users => {
                let verbs = [Action::New, Action::Edit, Action::Assign, Action::Remove];
                [&verbs[..], &[Action::NextPane, Action::Filter, Action::Explain]].concat()
            }
            _ => vec![Action::New, Action::Assign, Action::Remove, Action::NextPane, Action::Filter],
        }
    }

    fn on_result(&mut self, ctx: &mut Ctx, result: LayerResult) -> Effect {
        match result {
            LayerResult::Submitted { id, values } => self.submit(ctx, &id, &values),
            LayerResult::Picked { id: Ask::ExplainFor { user, offered }, ids } => {
                crate::ui::why::picked(ctx, user, &offered, &ids)
            }
            LayerResult::Picked { id, ids } if id == forms::REVOKE => {
                match ids.first().and_then(|i| self.revoke_offered.remove(i)) {
                    Some(k) => ctx.run_effect(Command::RemoveDirectGrant {
                        user: k.user,
                        resource: k.resource,
                        role: k.role.to_string(),
                    }),
                    None => Effect::None,
                }
            }
            _ => Effect::None,
        }
    }

    fn click(&mut self, ctx: &mut Ctx, column: u16, row: u16) -> Effect {
        if self.zoom.is_some() {
            return Effect::Unhandled;
        }
        let pane = self.list_mut().pane_mut();
        let hit = pane.contains(column, row);
        if hit {
            pane.click(column, row);
        }
        self.update_detail(ctx);
        if hit { Effect::None } else { Effect::Unhandled }
    }

    fn scroll(&mut self, ctx: &mut Ctx, lines: isize) -> Effect {
        if let Some(top) = self.zoom {
            self.zoom = Some(top.saturating_add_signed(i16::try_from(lines).unwrap_or(0)));
            return Effect::None;
        }
        self.list_mut().pane_mut().scroll(lines);
        self.update_detail(ctx);
        Effect::None
    }

    fn refresh(&mut self, ctx: &Ctx) {
        let t = ctx.tenant();
        self.users.set(ctx);
        for (list, cards) in self.resources.iter_mut().zip(resource_cards(t, ctx.actor())) {
            list.set(ctx, cards);
        }
        if let Some(id) = self.select_after.take() {
            if let Some(u) = id.user() {
                self.pane = Pane::Users;
                self.users.select(u);
            } else if let Some(r) = id.resource().and_then(|r| t.resources.get(&r)) {
                self.pane = Pane::of_kind(&r.kind);
                if let Some(i) = self.pane.resource_index() {
                    self.resources[i].select(&ResourceCard { id: r.id, holders: None });
                }
            }
        }
        self.rebuild_detail(ctx);
    }
}
