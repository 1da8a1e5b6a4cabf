//! Connected organizations: the partner organizations whose users may request packages, with their
//! sponsors, the policies that target them and the lint about them. Global administrators add
//! (`n`), edit (`e`) and delete (`d`) them; every refusal is the engine's.

use std::collections::{BTreeMap, BTreeSet};

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;

use super::lookups::{parse_ids, user_items};
use crate::domain::{Command, ConnectedOrg, Intent, OrgId, OrgSpec, OrgState, RequestScope, Tenant, UserId};
use crate::ui::action::Action;
use crate::ui::app::{Effect, TabView};
use crate::ui::ask::Ask;
use crate::ui::ctx::{Ctx, outcome_text};
use crate::ui::keymap::Mode;
use crate::ui::layers::{Layer, LayerResult};
use crate::ui::tabs::common::*;
use crate::ui::tabs::lists::{AnyList, IdList, Switched};
use crate::ui::tabs::panes::Focus;
use crate::ui::theme::Theme;
use crate::ui::widgets::confirm::ConfirmState;
use crate::ui::widgets::form::{Field, Form, FormValues};
use crate::ui::widgets::table::{CellText, Column};

pub struct Organizations {
    focus: Focus,
    list: IdList<OrgRow>,
    /// Lint findings by organization (read on refresh, not while drawing).
    warnings: BTreeMap<OrgId, Vec<String>>,
}

/// An organization and its guests (counted once per change of the data, over the directory).
#[derive(Debug, Clone, Copy)]
struct OrgRow {
    id: OrgId,
    guests: usize,
}

/// The same organization is the same row, whatever its count.
impl PartialEq for OrgRow {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

/// An organization: name, domains, state, sponsors on each side (marked when there are none at
/// all: a lint finding) and guests.
fn org_row(ctx: &Ctx, row: &OrgRow) -> Vec<CellText> {
    let theme = &ctx.theme;
    let Some(o) = ctx.tenant().orgs.get(&row.id) else { return vec![] };
    let state = match o.state {
        OrgState::Configured => cell("configured"),
        OrgState::Proposed => CellText::styled("proposed", theme.warning),
    };
    let none = o.internal_sponsors.is_empty() && o.external_sponsors.is_empty();
    let count = |n: usize| if none { CellText::styled("0", theme.warning) } else { cell(n.to_string()) };
    vec![
        cell(o.display_name.clone()),
        muted_cell(theme, o.domains.join(", ")),
        state,
        count(o.internal_sponsors.len()),
        count(o.external_sponsors.len()),
        cell(row.guests.to_string()),
    ]
}

impl Switched for Organizations {
    const NAMES: &'static [&'static str] = &["Connected organizations"];
    fn list(&self, i: usize) -> Option<&dyn AnyList> {
        (i == 0).then_some(&self.list as &dyn AnyList)
    }
    fn list_mut(&mut self, i: usize) -> Option<&mut dyn AnyList> {
        (i == 0).then_some(&mut self.list as &mut dyn AnyList)
    }
    fn focus(&self) -> &Focus {
        &self.focus
    }
    fn focus_mut(&mut self) -> &mut Focus {
        &mut self.focus
    }
}

impl Default for Organizations {
    fn default() -> Self {
        Self::new()
    }
}

pub fn state_name(s: OrgState) -> &'static str {
    match s {
        OrgState::Configured => "configured",
        OrgState::Proposed => "proposed",
    }
}

impl Organizations {
    pub fn new() -> Self {
        let c = |t: &str, w| Column::new(t, w);
        Organizations {
            focus: Focus::default(),
            list: IdList::new(
                "Connected organizations",
                vec![
                    c("Name", Constraint::Fill(3)),
                    c("Domains", Constraint::Fill(3)),
                    c("State", Constraint::Length(10)),
                    c("Int.", Constraint::Length(4)),
                    c("Ext.", Constraint::Length(4)),
                    c("Guests", Constraint::Length(6)),
                ],
                "No connected organizations yet. Press n to add one (name and a domain or tenant id).",
                org_row,
            ),
            warnings: BTreeMap::new(),
        }
    }

    fn selected(&self) -> Option<OrgId> {
        self.list.selected().map(|r| r.id)
    }

    fn render_detail(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let t = ctx.tenant();
        let mut lines: Vec<Line> = vec![];
        if let Some(o) = self.selected().and_then(|id| t.orgs.get(&id)) {
            lines.push(heading(theme, format!("{} · {} · {}", o.display_name, o.id, state_name(o.state))));
            if !o.description.is_empty() {
                lines.push(Line::raw(o.description.clone()));
            }
            let mut ident = if o.domains.is_empty() { "no domain".to_string() } else { o.domains.join(", ") };
            if let Some(tid) = &o.tenant_id {
                ident.push_str(&format!(" · tenant {tid}"));
            }
            lines.push(kv(theme, "Domains", ident));
            lines.push(kv(theme, "Int. sponsors", names(t, &o.internal_sponsors)));
            lines.push(kv(theme, "Ext. sponsors", names(t, &o.external_sponsors)));
            let guests = self.list.selected().map_or(0, |r| r.guests);
            lines.push(kv(theme, "Guests", format!("{guests} · added {}", fmt_day(Some(o.created_at)))));
            let (named, general) = targeting(t, o);
            lines.push(Line::raw(""));
            lines.push(heading(theme, format!("Policies that target it ({})", named.len())));
            lines.extend(named.into_iter().map(Line::raw));
            if !general.is_empty() {
                lines.push(kv(theme, "Also open via", general.join("; ")));
            }
            for w in self.warnings.get(&o.id).into_iter().flatten() {
                lines.push(Line::styled(format!("⚠ {w}"), theme.warning));
            }
        }
        detail_pane(area, buf, theme, "Organization", lines, &self.focus.detail);
    }
}

fn names(t: &Tenant, users: &BTreeSet<UserId>) -> String {
    if users.is_empty() {
        return "none".into();
    }
    users.iter().map(|u| t.user_name(*u)).collect::<Vec<_>>().join(", ")
}

/// Policies naming the organization ("'Policy' of 'Package'"), and those that reach it generally
/// (all configured organizations, all external users).
fn targeting(t: &Tenant, o: &ConnectedOrg) -> (Vec<String>, Vec<String>) {
    let (mut named, mut general) = (vec![], vec![]);
    for p in t.policies.values() {
        let Some(pkg) = t.packages.get(&p.package).filter(|k| !k.is_deleted()) else { continue };
        let label = format!("'{}' of '{}'", p.spec.display_name, pkg.display_name);
        match &p.spec.scope {
            RequestScope::SpecificOrgs { orgs } if orgs.contains(&o.id) => named.push(label),
            RequestScope::AllConfiguredOrgs if o.state == OrgState::Configured => general.push(label),
            RequestScope::AllExternal => general.push(label),
            _ => {}
        }
    }
    (named, general)
}

/// The add/edit form; its id (`Ask::Org`) names the organization edited.
pub fn org_form(t: &Tenant, existing: Option<&ConnectedOrg>) -> Form {
    let title = existing.map_or("New connected organization".to_string(), |o| format!("Edit '{}'", o.display_name));
    let ids = |s: &BTreeSet<UserId>| s.iter().map(|u| u.to_string()).collect::<Vec<_>>();
    let mut form = Form::new(Ask::Org(existing.map(|o| o.id)), title)
        .field(Field::text("name", "Name"))
        .field(Field::text("description", "Description"))
        .field(Field::text("domains", "Domains").help("Comma-separated, e.g. fabrikam.com, fabrikam.co.uk"))
        .field(Field::text("tenant_id", "Tenant id").help("Optional when a domain is given"))
        .field(Field::choice("state", "State", [("configured", "Configured"), ("proposed", "Proposed")]))
        .field(
            Field::lookup("internal_sponsors", "Internal sponsors", user_items(t), true)
                .help("Your users who approve for this organization"),
        )
        .field(
            Field::lookup("external_sponsors", "External sponsors", user_items(t), true)
                .help("Guests from the organization who approve for it"),
        );
    if let Some(o) = existing {
        form.set_value("name", o.display_name.as_str());
        form.set_value("description", o.description.as_str());
        form.set_value("domains", o.domains.join(", "));
        form.set_value("tenant_id", o.tenant_id.clone().unwrap_or_default());
        form.set_value("state", state_name(o.state));
        form.set_value("internal_sponsors", ids(&o.internal_sponsors));
        form.set_value("external_sponsors", ids(&o.external_sponsors));
    }
    form
}

/// The spec of the submitted form; the engine checks the rest.
pub fn org_spec(v: &FormValues) -> Result<OrgSpec, String> {
    let tenant_id = v.text("tenant_id").trim();
    Ok(OrgSpec {
        display_name: v.text("name").trim().to_string(),
        description: v.text("description").to_string(),
        domains: v
            .text("domains")
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|d| !d.is_empty())
            .map(|d| d.to_ascii_lowercase())
            .collect(),
        tenant_id: (!tenant_id.is_empty()).then(|| tenant_id.to_string()),
        state: if v.choice("state") == Some("proposed") { OrgState::Proposed } else { OrgState::Configured },
        internal_sponsors: parse_ids(v.multi("internal_sponsors"), "Internal sponsors")?,
        external_sponsors: parse_ids(v.multi("external_sponsors"), "External sponsors")?,
    })
}

impl TabView<Ctx> for Organizations {
    fn idle(&mut self, ctx: &Ctx, until: std::time::Instant) -> bool {
        self.index_shown_a_while(ctx, until)
    }
    fn export(&self, ctx: &Ctx, visit: &mut crate::ui::export::Visit<'_>) -> bool {
        self.export_shown(ctx, visit)
    }
    crate::details_in_focus!();
    fn render(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let (list, detail) = split_list_detail(area, self.list.len());
        self.list.render(ctx, list, buf, theme, true);
        self.render_detail(ctx, detail, buf, theme);
    }

    fn handle(&mut self, ctx: &mut Ctx, action: Action) -> Effect {
        if let Some(e) = self.handle_lists(ctx, action) {
            return e;
        }
        match action {
            Action::New => Effect::Open(Layer::form(org_form(ctx.tenant(), None))),
            Action::Edit | Action::Open => match self.selected().and_then(|id| ctx.tenant().orgs.get(&id)) {
                Some(o) => Effect::Open(Layer::form(org_form(ctx.tenant(), Some(o)))),
                None => Effect::info("No organization selected"),
            },
            Action::Delete => match self.selected().and_then(|id| ctx.tenant().orgs.get(&id)) {
                Some(o) => Effect::Open(Layer::Confirm(
                    ConfirmState::new(
                        Ask::DeleteOrg(o.id),
                        "Delete connected organization",
                        format!("Delete '{}'? Its users can no longer request through it.", o.display_name),
                    )
                    .labels("Delete", "Keep")
                    .default_no(),
                )),
                None => Effect::info("No organization selected"),
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
        let intent = match (action, self.selected()) {
            (Action::New, _) => Intent::CreateOrg,
            (Action::Edit | Action::Open, Some(org)) => Intent::EditOrg { org },
            (Action::Delete, Some(org)) => Intent::DeleteOrg { org },
            (Action::Edit | Action::Delete, None) => return Some(NOTHING_SELECTED.to_string()),
            _ => return None,
        };
        ctx.refusal(&intent)
    }

    fn hints(&self) -> Vec<Action> {
        vec![Action::New, Action::Edit, Action::Delete, Action::Filter]
    }

    fn on_result(&mut self, ctx: &mut Ctx, result: LayerResult) -> Effect {
        match result {
            LayerResult::Submitted { id: Ask::Org(which), values } => {
                let spec = match org_spec(&values) {
                    Ok(s) => s,
                    Err(e) => return Effect::Reject(e),
                };
                let cmd = match which {
                    Some(org) => Command::UpdateOrg { org, spec },
                    None => Command::CreateOrg { spec },
                };
                match ctx.run(cmd) {
                    Ok(out) => Effect::Batch(vec![Effect::ok(outcome_text(&out)), Effect::Refresh]),
                    Err(e) => Effect::Reject(e),
                }
            }
            LayerResult::Confirmed { id: Ask::DeleteOrg(org) } => ctx.run_effect(Command::DeleteOrg { org }),
            _ => Effect::None,
        }
    }

    fn click(&mut self, _ctx: &mut Ctx, column: u16, row: u16) -> Effect {
        self.click_lists(column, row)
    }

    fn scroll(&mut self, _ctx: &mut Ctx, lines: isize) -> Effect {
        self.scroll_lists(lines)
    }

    fn refresh(&mut self, ctx: &Ctx) {
        let t = ctx.tenant();
        let mut guests: BTreeMap<OrgId, usize> = BTreeMap::new();
        for u in t.users.values().filter(|u| u.is_guest() && u.is_active()) {
            if let Some(o) = u.home_org.or_else(|| t.org_for_domain(&u.domain())) {
                *guests.entry(o).or_default() += 1;
            }
        }
        self.warnings.clear();
        for f in ctx.lint().iter().filter(|f| f.code == "org-without-sponsors") {
            if let Some(o) = f.object.org() {
                self.warnings.entry(o).or_default().push(f.message.clone());
            }
        }
        let rows = t.orgs.keys().map(|id| OrgRow { id: *id, guests: guests.get(id).copied().unwrap_or(0) }).collect();
        self.list.set(ctx, rows);
    }
}
