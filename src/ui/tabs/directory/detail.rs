//! What the Directory tab shows: the rows of its lists, and the details of a user (what they hold
//! and why, their packages) or of a resource (who holds it and why, where it is offered).

use ratatui::text::{Line, Span};

use super::Pane;
use crate::domain::{Actor, ResourceId, ResourceKind, Tenant, UserId};
use crate::ui::ctx::Ctx;
use crate::ui::tabs::common::*;
use crate::ui::theme::Theme;
use crate::ui::widgets::table::CellText;

/// At most this many holders (of a resource) or packages (of a user) are listed in the details
/// (the reports list them all).
const MAX_DETAIL_ROWS: usize = 200;

/// "  Marketing (Member)" and under it "    via direct + Marketing Campaign (asg9)".
pub fn why(theme: &Theme, what: String, via: &[crate::domain::report::Via]) -> [Line<'static>; 2] {
    [
        Line::raw(format!("  {what}")),
        Line::from(vec![Span::styled("    via ", theme.muted), Span::raw(crate::domain::report::via_text(via, " + "))]),
    ]
}

/// A user: roles, what they hold and why, their packages, then who they are. Roles, access and
/// sign-in state only as far as the domain lets the reader see them.
pub fn user_detail(t: &Tenant, ctx: &Ctx, id: UserId, theme: &Theme, admin: bool) -> Vec<Line<'static>> {
    let actor = ctx.actor();
    let (Some(u), Ok(card)) = (t.users.get(&id), t.user_card(actor, id)) else { return vec![] };
    let full = card.user.full();
    let mut lines = vec![heading(theme, format!("{} ({})", u.display_name, u.id))];
    let mut roles = vec![];
    if full.is_some_and(|f| f.global_admin) {
        roles.push("Global administrator".to_string());
    }
    if full.is_some() && t.settings.catalog_creators.contains(&u.id) {
        roles.push("Catalog creator".to_string());
    }
    for c in card.details.iter().flat_map(|d| &d.catalog_roles) {
        for r in c.roles {
            roles.push(format!("{} of {}", r.label(), c.catalog_name));
        }
    }
    if !roles.is_empty() {
        lines.push(kv(theme, "Roles", roles.join("; ")));
    }
    let sign_in = full.and_then(|u| match (u.deleted_at, u.enabled, u.remove_at) {
        (Some(at), _, _) => Some(format!("removed from the directory {}", fmt_time(at))),
        (None, true, _) => None,
        (None, false, Some(at)) => Some(format!("blocked; to be removed {}", fmt_time(at))),
        (None, false, None) => Some("blocked".into()),
    });
    if let Some(s) = sign_in {
        lines.push(kv_styled(theme, "Sign-in", s, theme.warning));
    }
    if let Some(login) = full.and_then(|u| u.login.clone()) {
        lines.push(kv(theme, "Login", login));
    }
    let access = t.access_visible(actor, u.id).unwrap_or_default();
    lines.push(heading(theme, format!("Access and why ({})", access.len())));
    if access.is_empty() {
        lines.push(Line::styled("  holds nothing", theme.muted));
    }
    for a in &access {
        lines.extend(why(theme, format!("{} ({})", a.resource_name, a.role), &a.via));
    }
    let (count, packages) =
        t.user_packages_page_by(&ctx.requestable(), actor, u.id, MAX_DETAIL_ROWS).unwrap_or_default();
    lines.push(heading(theme, format!("Access packages ({count})")));
    if packages.is_empty() {
        lines.push(Line::styled("  none to request, none assigned", theme.muted));
    }
    for p in &packages {
        let mut text = match (p.state, p.assignment) {
            (Some(st), Some(a)) => format!("{st} ({a})"),
            _ => "not assigned".to_string(),
        };
        if let Some(end) = p.end {
            text.push_str(&format!(" until {}", fmt_day(Some(end))));
        }
        if p.can_request {
            text.push_str(" · can request");
        }
        lines.push(Line::from(vec![
            Span::raw(format!("  {}", p.package_name)),
            Span::styled(format!(" · {}", p.catalog_name), theme.muted),
        ]));
        lines.push(Line::raw(format!("    {text}")));
    }
    if let Some(more) = count.checked_sub(packages.len()).filter(|n| *n > 0) {
        lines.push(Line::styled(
            format!("  … and {more} more (Reports: packages a user can request and has)"),
            theme.muted,
        ));
    }
    lines.push(heading(theme, "Profile"));
    lines.push(kv(theme, "Email", u.email.clone()));
    let mut kind = if u.is_guest() { "guest".to_string() } else { "member".to_string() };
    if let Some(org) = u.home_org.and_then(|o| t.orgs.get(&o)) {
        kind.push_str(&format!(" from {}", org.display_name));
    }
    if u.created_by_em {
        kind.push_str(" · created by entitlement management");
    }
    lines.push(kv(theme, "Type", kind));
    lines.push(kv(theme, "Manager", u.manager.map(|m| t.user_name(m)).unwrap_or_else(|| "—".into())));
    if !u.department.is_empty() {
        lines.push(kv(theme, "Department", u.department.clone()));
    }
    if !u.job_title.is_empty() {
        lines.push(kv(theme, "Job title", u.job_title.clone()));
    }
    if admin {
        for (label, value) in
            [("Company", &u.company_name), ("Country", &u.country), ("Employee type", &u.employee_type)]
        {
            if !value.is_empty() {
                lines.push(kv(theme, label, value.clone()));
            }
        }
    }
    lines.push(Line::raw(""));
    let keys = if admin {
        "enter full screen · e edit, block sign-in · A add a direct membership · R remove one"
    } else {
        "enter full screen"
    };
    lines.push(Line::styled(keys, theme.muted));
    lines
}

/// A resource: where it is offered, who holds it and why.
pub fn resource_detail(t: &Tenant, actor: &Actor, id: ResourceId, theme: &Theme, admin: bool) -> Vec<Line<'static>> {
    let Some(r) = t.resources.get(&id) else { return vec![] };
    let mut lines = vec![heading(theme, format!("{} ({})", r.display_name, r.id))];
    lines.push(kv(theme, "Type", r.kind.label()));
    if let ResourceKind::Site { url } = &r.kind
        && !url.is_empty()
    {
        lines.push(kv(theme, "URL", url.clone()));
    }
    if !r.description.is_empty() {
        lines.push(kv(theme, "Description", r.description.clone()));
    }
    lines.push(kv(theme, "Roles", r.roles.join(", ")));
    let owners: Vec<String> = r.owners.iter().map(|o| t.user_name(*o)).collect();
    lines.push(kv(theme, "Owners", if owners.is_empty() { "—".into() } else { owners.join(", ") }));
    let catalogs: Vec<String> = t
        .catalogs_visible(actor)
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c.resources.contains(&id))
        .map(|c| c.display_name.clone())
        .collect();
    lines.push(kv(theme, "In catalogs", if catalogs.is_empty() { "none".into() } else { catalogs.join(", ") }));
    let granted: Vec<String> = t
        .packages
        .values()
        .filter(|p| !p.is_deleted())
        .flat_map(|p| {
            p.resource_roles.iter().filter(|rr| rr.resource == id).map(|rr| format!("{} ({})", p.display_name, rr.role))
        })
        .collect();
    lines.push(kv(
        theme,
        "Granted by",
        if granted.is_empty() { "no access package".into() } else { granted.join(", ") },
    ));
    let holders = t.holders_visible(actor, id).unwrap_or_default();
    lines.push(heading(theme, format!("Holders and why ({})", holders.len())));
    if holders.is_empty() {
        lines.push(Line::styled("  nobody holds it", theme.muted));
    }
    for h in holders.iter().take(MAX_DETAIL_ROWS) {
        lines.extend(why(theme, format!("{} ({})", h.user_name, h.role), &h.via));
    }
    if holders.len() > MAX_DETAIL_ROWS {
        let more = holders.len() - MAX_DETAIL_ROWS;
        lines.push(Line::styled(format!("  … and {more} more (Reports: who holds a resource)"), theme.muted));
    }
    lines.push(Line::raw(""));
    let keys =
        if admin { "enter full screen · A add a direct holder · R remove a direct one" } else { "enter full screen" };
    lines.push(Line::styled(keys, theme.muted));
    lines
}

/// A resource of a Directory pane, with how many hold it (counted when the pane's keys are
/// gathered, for those the reader may see). The same resource is the same row.
#[derive(Debug, Clone, Copy)]
pub struct ResourceCard {
    pub id: ResourceId,
    pub holders: Option<usize>,
}

impl PartialEq for ResourceCard {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

/// The resources the reader may see, by pane (groups, apps, sites: a resource pane's
/// `resource_index`), read once for the three.
pub fn resource_cards(t: &Tenant, actor: &Actor) -> [Vec<ResourceCard>; 3] {
    let mut out: [Vec<ResourceCard>; 3] = Default::default();
    for card in t.resources_visible(actor).unwrap_or_default() {
        let Some(list) = Pane::of_kind(&card.resource.kind).resource_index().and_then(|i| out.get_mut(i)) else {
            continue;
        };
        list.push(ResourceCard { id: card.resource.id, holders: card.holders });
    }
    out
}

/// A resource: name, kind, roles, owners and holders.
pub fn resource_row(ctx: &Ctx, card: &ResourceCard) -> Vec<CellText> {
    let t = ctx.tenant();
    let Some(r) = t.resources.get(&card.id) else { return vec![] };
    let owners: Vec<String> = r.owners.iter().map(|o| t.user_name(*o)).collect();
    vec![
        cell(r.display_name.clone()),
        muted_cell(&ctx.theme, r.kind.label()),
        cell(r.roles.join(", ")),
        cell(owners.join(", ")),
        card.holders.map_or_else(blank_cell, |n| cell(n.to_string())),
    ]
}
