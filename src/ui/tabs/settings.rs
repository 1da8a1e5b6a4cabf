//! Settings [entitlementManagementSettings]: the external-user lifecycle, catalog creators and limits
//! (edited with `e`), and, read-only, the clock mode and the lint findings of the whole tenant.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

use super::lookups::{parse_ids, user_items};
use crate::domain::identity::Mode as SignInMode;
use crate::domain::{Command, ExternalLifecycle, Intent, Limits, Settings, Tenant};
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
use crate::ui::widgets::form::{Field, Form, FormValues};
use crate::ui::widgets::table::{CellText, Column};

pub struct SettingsTab {
    focus: Focus,
    /// The lint findings, by their place in [`Ctx::lint`] (worked out once per change of the data).
    findings: IdList<usize>,
}

/// A finding: its code, what it is about and what it says.
fn finding_row(ctx: &Ctx, i: &usize) -> Vec<CellText> {
    let lint = ctx.lint();
    let Some(f) = lint.get(*i) else { return vec![] };
    vec![CellText::styled(f.code, ctx.theme.warning), cell(f.object.to_string()), cell(f.message.clone())]
}

/// The whole of a finding (the table cuts it).
fn finding_text(ctx: &Ctx, i: usize) -> Option<String> {
    ctx.lint().get(i).map(|f| format!("{} ({}): {}", f.code, f.object, f.message))
}

impl Switched for SettingsTab {
    const NAMES: &'static [&'static str] = &["Findings"];
    fn list(&self, i: usize) -> Option<&dyn AnyList> {
        (i == 0).then_some(&self.findings as &dyn AnyList)
    }
    fn list_mut(&mut self, i: usize) -> Option<&mut dyn AnyList> {
        (i == 0).then_some(&mut self.findings as &mut dyn AnyList)
    }
    fn focus(&self) -> &Focus {
        &self.focus
    }
    fn focus_mut(&mut self) -> &mut Focus {
        &mut self.focus
    }
}

impl Default for SettingsTab {
    fn default() -> Self {
        Self::new()
    }
}

/// The lifecycle in words.
pub fn lifecycle_text(l: ExternalLifecycle) -> String {
    match l {
        ExternalLifecycle::None => "Nothing happens".into(),
        ExternalLifecycle::Block => "Block sign-in".into(),
        ExternalLifecycle::BlockThenRemove(0) => "Block sign-in and remove at once".into(),
        ExternalLifecycle::BlockThenRemove(1) => "Block sign-in, remove after 1 day".into(),
        ExternalLifecycle::BlockThenRemove(d) => format!("Block sign-in, remove after {d} days"),
    }
}

/// The edit form ("settings"), filled with the current settings.
pub fn settings_form(t: &Tenant) -> Form {
    let s = &t.settings;
    let (kind, days) = match s.external_lifecycle {
        ExternalLifecycle::None => ("none", 30),
        ExternalLifecycle::Block => ("block", 30),
        ExternalLifecycle::BlockThenRemove(d) => ("block_remove", d),
    };
    let limit = |id: &str, label: &str, n: u64| {
        Field::number(id, label, 0, 100_000_000).required().value(i64::try_from(n).unwrap_or(i64::MAX))
    };
    Form::new(Ask::Settings, "Entitlement management settings")
        .step("External users")
        .field(
            Field::choice(
                "external_lifecycle",
                "When a guest loses its last assignment",
                [("none", "Nothing"), ("block", "Block sign-in"), ("block_remove", "Block sign-in, then remove")],
            )
            .value(kind)
            .help("Applies to guests that entitlement management brought in"),
        )
        .field(
            Field::number("remove_after_days", "Remove after (days)", 0, i64::from(u32::MAX))
                .value(i64::from(days))
                .help("0 = remove at once")
                .visible_if(|v| v.choice("external_lifecycle") == Some("block_remove")),
        )
        .field(
            Field::lookup("catalog_creators", "Catalog creators", user_items(t), true)
                .value(s.catalog_creators.iter().map(|u| u.to_string()).collect::<Vec<_>>())
                .help("Besides global administrators; each becomes owner of the catalogs it creates"),
        )
        .step("Limits")
        .field(limit("limit_packages", "Access packages per catalog", s.limits.packages_per_catalog as u64))
        .field(limit("limit_roles", "Resource roles per package", s.limits.resource_roles_per_package as u64))
        .field(limit("limit_policies", "Policies per package", s.limits.policies_per_package as u64))
        .field(limit("limit_orgs", "Connected organizations", s.limits.connected_organizations as u64))
        .field(limit("limit_timers", "Timers per clock move", s.limits.timers_per_clock_move))
        .step("Sign-in")
        .field(
            Field::choice(
                "mode",
                "How people sign in",
                [
                    ("lab", "Lab: anyone may act as anyone"),
                    ("team", "Team: by login; only administrators act as others"),
                ],
            )
            .value(match t.mode {
                SignInMode::Lab => "lab",
                SignInMode::Team => "team",
            })
            .help("Team mode needs a global administrator with a login (Directory: edit the user)"),
        )
}

/// The sign-in mode the submitted form chose.
fn mode_from_values(v: &FormValues) -> SignInMode {
    if v.choice("mode") == Some("team") { SignInMode::Team } else { SignInMode::Lab }
}

/// The settings the submitted form describes; the engine checks them.
pub fn settings_from_values(v: &FormValues) -> Result<Settings, String> {
    let limit = |id: &str, label: &str| {
        v.number(id).and_then(|n| usize::try_from(n).ok()).ok_or_else(|| format!("{label}: give a number"))
    };
    let external_lifecycle = match v.choice("external_lifecycle") {
        Some("none") => ExternalLifecycle::None,
        Some("block_remove") => {
            let days = v.number("remove_after_days").and_then(|n| u32::try_from(n).ok());
            ExternalLifecycle::BlockThenRemove(days.ok_or("Remove after how many days? (0 = at once)")?)
        }
        _ => ExternalLifecycle::Block,
    };
    Ok(Settings {
        external_lifecycle,
        catalog_creators: parse_ids(v.multi("catalog_creators"), "Catalog creators")?,
        limits: Limits {
            packages_per_catalog: limit("limit_packages", "Access packages per catalog")?,
            resource_roles_per_package: limit("limit_roles", "Resource roles per package")?,
            policies_per_package: limit("limit_policies", "Policies per package")?,
            connected_organizations: limit("limit_orgs", "Connected organizations")?,
            timers_per_clock_move: v
                .number("limit_timers")
                .and_then(|n| u64::try_from(n).ok())
                .ok_or_else(|| "Timers per clock move: give a number".to_string())?,
        },
    })
}

impl SettingsTab {
    pub fn new() -> Self {
        SettingsTab {
            focus: Focus::default(),
            findings: IdList::new(
                "Lint findings",
                vec![
                    Column::new("Finding", Constraint::Length(25)),
                    Column::new("Object", Constraint::Length(7)),
                    Column::new("What to do", Constraint::Fill(1)),
                ],
                "No findings: none of the pitfalls the seeds warn about is present.",
                finding_row,
            ),
        }
    }

    /// The settings in words; `wide` gives each limit its own line under headings.
    fn summary(&self, ctx: &Ctx, theme: &Theme, wide: bool) -> Vec<Line<'static>> {
        let t = ctx.tenant();
        let s = &t.settings;
        let row = |label: &str, value: String| {
            Line::from(vec![Span::styled(format!("{label:<17}"), theme.muted), Span::raw(value)])
        };
        let creators = if s.catalog_creators.is_empty() {
            "global administrators only".to_string()
        } else {
            s.catalog_creators.iter().map(|u| t.user_name(*u)).collect::<Vec<_>>().join(", ")
        };
        let clock = match t.clock.frozen {
            Some(at) => format!("frozen at {}", fmt_time(at)),
            None if t.clock.offset_secs == 0 => format!("live (wall time), now {}", fmt_time(ctx.now)),
            None => format!("live, {} ahead, now {}", duration_text(t.clock.offset_secs), fmt_time(ctx.now)),
        };
        let l = &s.limits;
        if !wide {
            return vec![
                row("External users", lifecycle_text(s.external_lifecycle)),
                row("Catalog creators", creators),
                row(
                    "Package limits",
                    format!(
                        "{} packages/catalog · {} roles/package · {} policies/package",
                        l.packages_per_catalog, l.resource_roles_per_package, l.policies_per_package
                    ),
                ),
                row(
                    "Org limit",
                    format!("{} connected organizations ({} in use)", l.connected_organizations, t.orgs.len()),
                ),
                row("Clock", format!("{clock} · at most {} timers a move", l.timers_per_clock_move)),
            ];
        }
        vec![
            heading(theme, "External users"),
            row("Lose last access", lifecycle_text(s.external_lifecycle)),
            row("Catalog creators", creators),
            Line::raw(""),
            heading(theme, "Limits"),
            row("Packages", format!("{} per catalog", l.packages_per_catalog)),
            row("Resource roles", format!("{} per package", l.resource_roles_per_package)),
            row("Policies", format!("{} per package", l.policies_per_package)),
            row("Connected orgs", format!("{} ({} in use)", l.connected_organizations, t.orgs.len())),
            Line::raw(""),
            heading(theme, "Clock (read-only)"),
            row("Mode", clock),
            row("One move fires", format!("at most {} timers", l.timers_per_clock_move)),
        ]
    }

    fn render_findings(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let selected = self.findings.selected().and_then(|i| finding_text(ctx, i));
        let box_h = if area.height >= 12 { 5 } else { 4 };
        let show = selected.is_some() && area.height >= 10;
        let [list, detail] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(if show { box_h } else { 0 })]).areas(area);
        self.findings.render(ctx, list, buf, theme, true);
        if let (true, Some(m)) = (show, selected) {
            detail_pane(detail, buf, theme, "Finding", vec![Line::raw(m)], &self.focus.detail);
        }
    }
}

/// "3 days 4 hours", "45 minutes".
fn duration_text(secs: i64) -> String {
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    let mut parts = vec![];
    if d > 0 {
        parts.push(format!("{d} day{}", if d == 1 { "" } else { "s" }));
    }
    if h > 0 {
        parts.push(format!("{h} hour{}", if h == 1 { "" } else { "s" }));
    }
    if parts.is_empty() {
        parts.push(format!("{m} minute{}", if m == 1 { "" } else { "s" }));
    }
    parts.join(" ")
}

impl TabView<Ctx> for SettingsTab {
    fn idle(&mut self, ctx: &Ctx, until: std::time::Instant) -> bool {
        self.index_shown_a_while(ctx, until)
    }
    fn export(&self, ctx: &Ctx, visit: &mut crate::ui::export::Visit<'_>) -> bool {
        self.export_shown(ctx, visit)
    }
    crate::details_in_focus!();
    fn render(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let wide = area.width >= 110;
        let lines = self.summary(ctx, theme, wide);
        let (left, right) = if wide {
            let [l, r] = Layout::horizontal([Constraint::Length(56), Constraint::Fill(1)]).areas(area);
            (l, r)
        } else {
            let h = (lines.len() as u16 + 2).min(area.height / 2);
            let [t, b] = Layout::vertical([Constraint::Length(h), Constraint::Fill(1)]).areas(area);
            (t, b)
        };
        detail_pane(left, buf, theme, "Settings", lines, &self.focus.detail);
        self.render_findings(ctx, right, buf, theme);
    }

    fn handle(&mut self, ctx: &mut Ctx, action: Action) -> Effect {
        if let Some(e) = self.handle_lists(ctx, action) {
            return e;
        }
        match action {
            Action::Edit => Effect::Open(Layer::form(settings_form(ctx.tenant()))),
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
        (action == Action::Edit).then(|| ctx.refusal(&Intent::EditSettings)).flatten()
    }

    fn hints(&self) -> Vec<Action> {
        vec![Action::Edit, Action::Filter]
    }

    fn badge(&self, ctx: &Ctx) -> Option<String> {
        let findings = ctx.lint().len();
        (findings > 0).then(|| findings.to_string())
    }

    fn on_result(&mut self, ctx: &mut Ctx, result: LayerResult) -> Effect {
        match result {
            LayerResult::Submitted { id: Ask::Settings, values } => {
                let settings = match settings_from_values(&values) {
                    Ok(s) => s,
                    Err(e) => return Effect::Reject(e),
                };
                // The mode first: refused (no administrator with a login), nothing has changed.
                let mode = mode_from_values(&values);
                if mode != ctx.tenant().mode
                    && let Err(e) = ctx.run(Command::SetMode { mode })
                {
                    return Effect::Reject(e);
                }
                match ctx.run(Command::UpdateSettings { settings }) {
                    Ok(out) => Effect::Batch(vec![Effect::ok(outcome_text(&out)), Effect::Refresh]),
                    Err(e) => Effect::Reject(e),
                }
            }
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
        self.findings.set(ctx, (0..ctx.lint().len()).collect());
    }
}
