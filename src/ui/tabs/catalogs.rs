//! Catalogs: the containers of resources and access packages, with their role holders. The list
//! shows the catalogs I may read; the detail shows one catalog's resources, packages and roles.
//! Every change is a domain command; a reader sees all of it but the domain refuses each edit.

use crate::ui::tabs::panes::SubPanes;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;

use crate::domain::{CatalogId, CatalogRole, ExtensionId, Intent, PackageId, ResourceId, UserId};
use crate::ui::action::Action;
use crate::ui::app::{Effect, TabView};
use crate::ui::ask::Ask;
use crate::ui::ctx::Ctx;
use crate::ui::keymap::Mode;
use crate::ui::layers::{Layer, LayerResult};
use crate::ui::tabs::catalog_config as config;
use crate::ui::tabs::catalog_extensions as exts;
use crate::ui::tabs::catalogs_forms as forms;
use crate::ui::tabs::common::{
    NOTHING_SELECTED, blank_cell, cell, detail_pane, fmt_time, heading, kv, muted_blank, muted_cell, state_cell,
};
use crate::ui::tabs::lists::{AnyList, IdList};
use crate::ui::tabs::panes::{Focus, Notice, areas, bar_names, pane_bar, yes_no};
use crate::ui::theme::Theme;
use crate::ui::widgets::confirm::ConfirmState;
use crate::ui::widgets::table::{CellText, Column};

const RESOURCES: usize = 0;
const PACKAGES: usize = 1;
const ROLES: usize = 2;
const EXTENSIONS: usize = 3;
const SUBS: usize = 4;

/// Whether the signed-in person owns the selected catalog (what its detail says; the verbs ask
/// the domain).
#[derive(Debug, Clone, Copy, Default)]
struct Rights {
    own: bool,
}

pub struct Catalogs {
    focus: Focus,
    list: IdList<CatalogId>,
    resources: IdList<(CatalogId, ResourceId)>,
    packages: IdList<PackageId>,
    roles: IdList<(CatalogId, UserId, CatalogRole)>,
    extensions: IdList<ExtensionId>,
    rights: Rights,
    pub(super) notice: Notice,
    /// A catalog just created: selected once the list has it.
    pub(super) select_after_refresh: Option<CatalogId>,
}

impl Default for Catalogs {
    fn default() -> Self {
        Self::new()
    }
}

fn c(title: &str, w: Constraint) -> Column {
    Column::new(title, w)
}

impl Catalogs {
    pub fn new() -> Self {
        Catalogs {
            focus: Focus::default(),
            list: IdList::new(
                "Catalogs",
                vec![
                    c("Catalog", Constraint::Fill(2)),
                    c("Enabled", Constraint::Length(7)),
                    c("External", Constraint::Length(8)),
                    c("Resources", Constraint::Length(9)),
                    c("Packages", Constraint::Length(8)),
                    c("My role", Constraint::Fill(3)),
                ],
                "You hold no role in any catalog. A catalog creator or administrator can add you.",
                catalog_row,
            ),
            resources: IdList::new(
                "Resources",
                vec![
                    c("Resource", Constraint::Fill(3)),
                    c("Type", Constraint::Length(19)),
                    c("Roles", Constraint::Fill(2)),
                    c("Used by", Constraint::Length(7)),
                ],
                "No resources yet: a package can only use resources of its catalog.",
                resource_row,
            ),
            packages: IdList::new(
                "Access packages",
                vec![
                    c("Access package", Constraint::Fill(3)),
                    c("State", Constraint::Length(7)),
                    c("Hidden", Constraint::Length(6)),
                    c("Policies", Constraint::Length(8)),
                ],
                "No access packages in this catalog yet: n makes one here, as in the Access packages tab.",
                package_row,
            ),
            roles: IdList::new(
                "Roles and administrators",
                vec![c("User", Constraint::Fill(2)), c("Role", Constraint::Fill(2))],
                "Nobody holds a role here; global administrators manage it.",
                role_row,
            ),
            extensions: IdList::new(
                "Custom extensions",
                vec![
                    c("Extension", Constraint::Fill(2)),
                    c("Command", Constraint::Fill(3)),
                    c("Timeout", Constraint::Length(7)),
                    c("Waits", Constraint::Length(5)),
                    c("Used by", Constraint::Length(7)),
                ],
                "No custom extensions: n registers a program that policies call at the stages of a request.",
                exts::row,
            ),
            rights: Rights::default(),
            notice: Notice::default(),
            select_after_refresh: None,
        }
    }

    pub(super) fn selected(&self) -> Option<CatalogId> {
        self.list.selected()
    }

    /// Re-reads the detail of the selected catalog.
    fn load_detail(&mut self, ctx: &Ctx) {
        let t = ctx.tenant();
        let actor = ctx.actor();
        self.rights = Rights { own: false };
        let Some(cat) = self.selected().and_then(|id| t.catalogs.get(&id)) else {
            self.resources.set(ctx, vec![]);
            self.packages.set(ctx, vec![]);
            self.roles.set(ctx, vec![]);
            self.extensions.set(ctx, vec![]);
            return;
        };
        self.rights.own = t.can_own_catalog(actor, cat.id);
        let mut res: Vec<(CatalogId, ResourceId)> = cat.resources.iter().map(|r| (cat.id, *r)).collect();
        res.sort_by_cached_key(|(_, r)| t.resource_name(*r).to_lowercase());
        let mut pkgs: Vec<&crate::domain::Package> = t.packages_of_catalog(cat.id).collect();
        pkgs.sort_by_cached_key(|p| (p.is_deleted(), p.display_name.to_lowercase()));
        let mut roles: Vec<(CatalogId, UserId, CatalogRole)> =
            cat.roles.iter().flat_map(|(u, rs)| rs.iter().map(move |r| (cat.id, *u, *r))).collect();
        roles.sort_by_cached_key(|(_, u, r)| (*r, t.user_name(*u).to_lowercase()));
        let pkg_ids = pkgs.iter().map(|p| p.id).collect();
        self.resources.set(ctx, res);
        self.packages.set(ctx, pkg_ids);
        self.roles.set(ctx, roles);
        self.extensions.set(ctx, exts::ids(ctx, cat.id));
    }

    fn sub(&self, i: usize) -> (&'static str, &'static str, usize) {
        match i {
            RESOURCES => ("Resources", "Resources", self.resources.len()),
            PACKAGES => ("Packages", "Packages", self.packages.len()),
            EXTENSIONS => ("Extensions", "Ext", self.extensions.len()),
            _ => ("Roles", "Roles", self.roles.len()),
        }
    }

    fn render_overview(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let t = ctx.tenant();
        let mut lines: Vec<Line> = vec![];
        if let Some(cat) = self.selected().and_then(|id| t.catalogs.get(&id)) {
            lines.push(heading(theme, format!("{} ({})", cat.display_name, cat.id)));
            if !cat.description.is_empty() {
                lines.push(Line::raw(cat.description.clone()));
            }
            let onoff = |b: bool| if b { "yes" } else { "no" };
            lines.push(kv(theme, "Enabled", onoff(cat.enabled)));
            lines.push(kv(theme, "External", onoff(cat.external)));
            if cat.builtin {
                lines.push(kv(theme, "Built-in", "yes (cannot be deleted)"));
            }
            lines.push(kv(theme, "Created", fmt_time(cat.created_at)));
            let live = t.packages_of_catalog(cat.id).filter(|p| !p.is_deleted()).count();
            lines.push(kv(theme, "Holds", format!("{} resource(s), {live} access package(s)", cat.resources.len())));
            let owners: Vec<String> = cat
                .roles
                .iter()
                .filter(|(_, rs)| rs.contains(&CatalogRole::Owner))
                .map(|(u, _)| t.user_name(*u))
                .collect();
            lines.push(kv(
                theme,
                "Owners",
                if owners.is_empty() { "none: global administrators manage it".to_string() } else { owners.join(", ") },
            ));
            lines.push(kv(theme, "My role", my_role(ctx, cat.id)));
            if !self.rights.own {
                lines.push(Line::raw(""));
                lines.push(Line::styled(
                    "Read only for you: only a catalog owner changes it, its resources and its roles.",
                    theme.muted,
                ));
            }
        }
        detail_pane(area, buf, theme, "Catalog", lines, &self.focus.detail);
    }

    fn delete_catalog(&mut self, ctx: &Ctx) -> Effect {
        let Some(cat) = self.selected().and_then(|id| ctx.tenant().catalogs.get(&id)) else {
            return Effect::None;
        };
        let n = ctx.tenant().packages_of_catalog(cat.id).filter(|p| !p.is_deleted()).count();
        let msg = if n > 0 {
            format!("Delete catalog '{}'? It still holds {n} access package(s).", cat.display_name)
        } else {
            format!("Delete catalog '{}' and its resource list?", cat.display_name)
        };
        Effect::Open(Layer::Confirm(ConfirmState::new(Ask::DeleteCatalog(cat.id), "Delete catalog", msg).default_no()))
    }

    /// The verbs of the focused list.
    fn verb(&mut self, ctx: &Ctx, action: Action) -> Effect {
        if self.focus.main() && action == Action::New {
            return forms::new_catalog();
        }
        let Some(cat) = self.selected() else { return Effect::None };
        // Whether the verb may act is the domain's: the shell asked `refusal` before this.
        let t = ctx.tenant();
        if (self.focus.sub(), action) == (None, Action::Open) {
            self.focus.to_sub(self.focus.shown);
            return Effect::None;
        }
        let confirm = |id: Ask, title: &str, msg: String| {
            Effect::Open(Layer::Confirm(ConfirmState::new(id, title, msg).default_no()))
        };
        let remove = matches!(action, Action::Delete | Action::Remove);
        match (self.focus.sub(), action) {
            (None, Action::Edit) => forms::edit_catalog(ctx, cat),
            (None, Action::Delete) => self.delete_catalog(ctx),
            (None, _) => Effect::Unhandled,
            (Some(RESOURCES), Action::New) => forms::resource_picker(ctx, cat),
            (Some(RESOURCES), _) if remove => match self.resources.selected() {
                Some((catalog, resource)) => confirm(
                    Ask::RemoveCatalogResource { catalog, resource },
                    "Remove resource",
                    format!("Remove '{}' from this catalog? Packages can no longer use it.", t.resource_name(resource)),
                ),
                None => Effect::None,
            },
            (Some(ROLES), Action::New) => forms::grant_role(ctx, cat),
            (Some(PACKAGES), Action::New) => crate::ui::tabs::packages_forms::new_package(ctx, Some(cat)),
            (Some(EXTENSIONS), Action::New) => exts::form(ctx, cat, None),
            (Some(EXTENSIONS), Action::Edit | Action::Open) => match self.extensions.selected() {
                Some(id) => exts::form(ctx, cat, Some(id)),
                None => Effect::None,
            },
            (Some(EXTENSIONS), _) if remove => match self.extensions.selected() {
                Some(id) => exts::confirm_remove(ctx, id),
                None => Effect::None,
            },
            (Some(ROLES), _) if remove => match self.roles.selected() {
                Some((catalog, user, role)) => confirm(
                    Ask::RevokeRole { catalog, user, role },
                    "Revoke role",
                    format!("Revoke {} from {}?", role.label(), t.user_name(user)),
                ),
                None => Effect::None,
            },
            _ => Effect::Unhandled,
        }
    }
}

impl TabView<Ctx> for Catalogs {
    fn idle(&mut self, ctx: &Ctx, until: std::time::Instant) -> bool {
        self.index_focused_a_while(ctx, until)
    }
    fn export(&self, ctx: &Ctx, visit: &mut crate::ui::export::Visit<'_>) -> bool {
        self.focused_list().export(ctx, visit);
        true
    }
    crate::details_in_focus!();
    fn details_follow_focus(&self) -> bool {
        self.focus.main()
    }
    fn render(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let a = areas(area, &self.focus, SUBS, self.list.len(), self.notice.lines(ctx, area.width));
        let subs: Vec<_> = (0..SUBS).map(|i| self.sub(i)).collect();
        pane_bar(a.bar, buf, theme, &bar_names(("Catalogs", self.list.len()), &subs), self.focus.at);
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
                Effect::None
            }
            Action::Back if !self.focus.main() => {
                self.focus.at = 0;
                Effect::None
            }
            Action::New | Action::Edit | Action::Delete | Action::Remove | Action::Open => self.verb(ctx, action),
            a if config::is_config_action(a) => config::start(ctx, a),
            _ => Effect::Unhandled,
        }
    }

    fn text(&mut self, ctx: &mut Ctx, ch: char) -> Effect {
        self.text_focused(ctx, ch)
    }

    fn mode(&self) -> Mode {
        self.mode_focused()
    }

    /// Each verb of the focused list, asked of the domain for the selected catalog and row.
    fn refusal(&self, ctx: &Ctx, action: Action) -> Option<String> {
        if config::is_config_action(action) {
            return config::refusal(ctx, action);
        }
        let remove = matches!(action, Action::Delete | Action::Remove);
        let cat = self.selected();
        let intent = match (self.focus.sub(), action) {
            (None, Action::New) => Some(Intent::CreateCatalog),
            (None, Action::Edit) => cat.map(|catalog| Intent::EditCatalog { catalog }),
            (None, Action::Delete) => cat.map(|catalog| Intent::DeleteCatalog { catalog }),
            (Some(RESOURCES), Action::New) => cat.map(|catalog| Intent::AddCatalogResource { catalog }),
            (Some(RESOURCES), _) if remove => {
                self.resources.selected().map(|(catalog, resource)| Intent::RemoveCatalogResource { catalog, resource })
            }
            (Some(ROLES), Action::New) => cat.map(|catalog| Intent::GrantCatalogRole { catalog }),
            (Some(PACKAGES), Action::New) => cat.map(|catalog| Intent::CreatePackage { catalog }),
            (Some(EXTENSIONS), Action::New | Action::Edit | Action::Open) => {
                cat.map(|catalog| Intent::ManageExtensions { catalog })
            }
            (Some(EXTENSIONS), _) if remove => {
                self.extensions.selected().map(|extension| Intent::RemoveExtension { extension })
            }
            (Some(ROLES), _) if remove => {
                self.roles.selected().map(|(catalog, user, role)| Intent::RevokeCatalogRole { catalog, user, role })
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
            None => vec![Action::New, Action::Edit, Action::Delete],
            Some(RESOURCES | ROLES) => vec![Action::New, Action::Delete],
            Some(PACKAGES) => vec![Action::New],
            Some(EXTENSIONS) => vec![Action::New, Action::Edit, Action::Delete],
            _ => vec![],
        };
        h.extend([Action::NextPane, Action::Filter]);
        if self.focus.main() {
            h.extend([Action::ExportConfig, Action::ApplyConfig]);
        }
        h
    }

    fn shows_message(&self, message: &crate::ui::widgets::status::StatusMessage) -> bool {
        self.notice.0.as_ref() == Some(message)
    }

    fn hint_label(&self, action: Action) -> Option<String> {
        let word = match (self.focus.sub(), action) {
            (None, Action::New) => "new catalog",
            (None, Action::ExportConfig) => "export config",
            (None, Action::ApplyConfig) => "apply config",
            (Some(RESOURCES), Action::New) => "add resource",
            (Some(RESOURCES), Action::Delete) => "remove resource",
            (Some(ROLES), Action::New) => "grant role",
            (Some(ROLES), Action::Delete) => "revoke role",
            (Some(PACKAGES), Action::New) => "new package",
            (Some(EXTENSIONS), Action::New) => "new extension",
            (Some(EXTENSIONS), Action::Edit) => "edit extension",
            (Some(EXTENSIONS), Action::Delete) => "remove extension",
            (_, Action::NextPane) => "next pane",
            _ => return None,
        };
        Some(word.into())
    }

    fn on_result(&mut self, ctx: &mut Ctx, result: LayerResult) -> Effect {
        match result {
            r if config::owns(&r) => config::answer(ctx, r),
            r => forms::answer(self, ctx, r),
        }
    }

    fn click(&mut self, ctx: &mut Ctx, column: u16, row: u16) -> Effect {
        self.click_panes(ctx, column, row)
    }

    fn scroll(&mut self, ctx: &mut Ctx, lines: isize) -> Effect {
        self.scroll_panes(ctx, lines)
    }

    fn refresh(&mut self, ctx: &Ctx) {
        let t = ctx.tenant();
        let actor = ctx.actor();
        let mut ids: Vec<&crate::domain::Catalog> = t.catalogs_visible(actor).unwrap_or_default();
        ids.sort_by_cached_key(|c| (!c.builtin, c.display_name.to_lowercase()));
        let ids = ids.iter().map(|c| c.id).collect();
        self.list.set(ctx, ids);
        if let Some(id) = self.select_after_refresh.take() {
            self.list.select(&id);
        }
        self.load_detail(ctx);
    }
}

/// My roles in a catalog, in words: "Catalog owner", "global administrator".
pub fn my_role(ctx: &Ctx, cat: CatalogId) -> String {
    let t = ctx.tenant();
    let mine = ctx.me().map(|u| t.catalog_roles(u, cat)).unwrap_or_default();
    if !mine.is_empty() {
        return mine.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ");
    }
    if t.is_global_admin(ctx.actor()) { "Global administrator".into() } else { "—".into() }
}

fn catalog_row(ctx: &Ctx, id: &CatalogId) -> Vec<CellText> {
    let t = ctx.tenant();
    let theme = &ctx.theme;
    let Some(cat) = t.catalogs.get(id) else { return vec![] };
    let pkgs = t.packages_of_catalog(cat.id).filter(|p| !p.is_deleted()).count();
    vec![
        cell(cat.display_name.clone()),
        yes_no(theme, cat.enabled),
        yes_no(theme, cat.external),
        cell(cat.resources.len().to_string()),
        cell(pkgs.to_string()),
        muted_cell(theme, my_role(ctx, cat.id)),
    ]
}

fn resource_row(ctx: &Ctx, (cat, id): &(CatalogId, ResourceId)) -> Vec<CellText> {
    let t = ctx.tenant();
    let Some(r) = t.resources.get(id) else { return vec![cell(id.to_string())] };
    let used = t
        .packages_of_catalog(*cat)
        .filter(|p| !p.is_deleted() && p.resource_roles.iter().any(|rr| rr.resource == *id))
        .count();
    vec![
        cell(r.display_name.clone()),
        muted_cell(&ctx.theme, r.kind.label()),
        cell(r.roles.join(", ")),
        if used == 0 { blank_cell() } else { cell(format!("{used} pkg")) },
    ]
}

fn package_row(ctx: &Ctx, id: &PackageId) -> Vec<CellText> {
    let t = ctx.tenant();
    let theme = &ctx.theme;
    let Some(p) = t.packages.get(id) else { return vec![] };
    vec![
        cell(p.display_name.clone()),
        if p.is_deleted() { muted_cell(theme, "deleted") } else { state_cell(theme, crate::ui::tone::Mark::Active) },
        if p.hidden { cell("hidden") } else { muted_blank(theme) },
        cell(p.policies.len().to_string()),
    ]
}

fn role_row(ctx: &Ctx, (_, user, role): &(CatalogId, UserId, CatalogRole)) -> Vec<CellText> {
    vec![cell(ctx.tenant().user_name(*user)), cell(role.label())]
}

impl SubPanes for Catalogs {
    const SUBS: usize = SUBS;
    fn main_list(&self) -> &dyn AnyList {
        &self.list
    }
    fn main_list_mut(&mut self) -> &mut dyn AnyList {
        &mut self.list
    }
    fn sub_list(&self, i: usize) -> &dyn AnyList {
        match i {
            RESOURCES => &self.resources,
            PACKAGES => &self.packages,
            EXTENSIONS => &self.extensions,
            _ => &self.roles,
        }
    }
    fn sub_list_mut(&mut self, i: usize) -> &mut dyn AnyList {
        match i {
            RESOURCES => &mut self.resources,
            PACKAGES => &mut self.packages,
            EXTENSIONS => &mut self.extensions,
            _ => &mut self.roles,
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
