//! The rows of the Access packages tab, built from ids when drawn, and the lint per package.

use std::collections::BTreeMap;

use crate::domain::{AssignmentId, PackageId, PolicyId, RequestId, ResourceRole, Target};
use crate::ui::ctx::Ctx;
use crate::ui::tabs::common::{cell, day_cell, muted_blank, muted_cell, state_cell};
use crate::ui::tone::Toned;
use crate::ui::widgets::table::CellText;

/// A row of the package list: the package and its number of lint findings. Rows are the same
/// row when the package is (the selection follows the package when its findings change).
#[derive(Debug, Clone, Copy)]
pub struct PkgRow {
    pub id: PackageId,
    pub lint: usize,
}

impl PartialEq for PkgRow {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

/// The lint messages of every package (findings about a policy count for its package).
pub(super) fn lint_of(ctx: &Ctx) -> BTreeMap<PackageId, Vec<String>> {
    let t = ctx.tenant();
    let mut out: BTreeMap<PackageId, Vec<String>> = BTreeMap::new();
    for f in ctx.lint().iter() {
        let pkg = match (f.object.package(), f.object.policy()) {
            (Some(p), _) => Some(p),
            (_, Some(pol)) => t.policies.get(&pol).map(|p| p.package),
            _ => None,
        };
        if let Some(p) = pkg {
            out.entry(p).or_default().push(f.message.clone());
        }
    }
    out
}

pub(super) fn package_row(ctx: &Ctx, row: &PkgRow) -> Vec<CellText> {
    let t = ctx.tenant();
    let theme = &ctx.theme;
    let Some(p) = t.packages.get(&row.id) else { return vec![] };
    let active = t.assignments_of_package(p.id).filter(|a| a.is_active()).count();
    vec![
        cell(p.display_name.clone()),
        muted_cell(theme, t.catalogs.get(&p.catalog).map(|c| c.display_name.clone()).unwrap_or_default()),
        if p.hidden { cell("hidden") } else { muted_blank(theme) },
        if p.is_deleted() { muted_cell(theme, "deleted") } else { state_cell(theme, crate::ui::tone::Mark::Active) },
        cell(p.policies.len().to_string()),
        cell(active.to_string()),
        if row.lint > 0 { lint_cell(theme, row.lint) } else { muted_blank(theme) },
    ]
}

pub(super) fn role_row(ctx: &Ctx, (_, rr): &(PackageId, ResourceRole)) -> Vec<CellText> {
    let t = ctx.tenant();
    let kind = t.resources.get(&rr.resource).map(|r| r.kind.label()).unwrap_or_default();
    vec![cell(t.resource_name(rr.resource)), muted_cell(&ctx.theme, kind), cell(rr.role.to_string())]
}

pub(super) fn policy_row(ctx: &Ctx, id: &PolicyId) -> Vec<CellText> {
    let t = ctx.tenant();
    let Some(p) = t.policies.get(id) else { return vec![] };
    vec![cell(p.spec.display_name.clone()), muted_cell(&ctx.theme, t.policy_summary(p))]
}

pub(super) fn assignment_row(ctx: &Ctx, id: &AssignmentId) -> Vec<CellText> {
    let t = ctx.tenant();
    let Some(a) = t.assignments.get(id) else { return vec![] };
    let pol = t.policies.get(&a.policy).map(|p| p.spec.display_name.clone()).unwrap_or_else(|| a.policy.to_string());
    vec![
        cell(t.user_name(a.target)),
        state_cell(&ctx.theme, a.state),
        day_cell(Some(a.start)),
        day_cell(a.end),
        muted_cell(&ctx.theme, pol),
    ]
}

/// Who a request is for, in words.
pub fn target_name(ctx: &Ctx, target: &Target) -> String {
    match target {
        Target::User { user } => ctx.tenant().user_name(*user),
        Target::External { email, .. } => email.clone(),
    }
}

pub(super) fn request_row(ctx: &Ctx, id: &RequestId) -> Vec<CellText> {
    let t = ctx.tenant();
    let Some(r) = ctx.request(*id) else { return vec![] };
    let r = &r;
    vec![
        cell(r.id.to_string()),
        cell(target_name(ctx, &r.target)),
        muted_cell(&ctx.theme, r.request_type.word()),
        state_cell(&ctx.theme, r.state),
        if r.state.is_open() { cell(t.waiting_on(r)) } else { day_cell(r.completed_at) },
    ]
}

/// "⚠ 2" in the warning style; the count alone in a CSV export.
fn lint_cell(theme: &crate::ui::theme::Theme, n: usize) -> CellText {
    let mut c = CellText::styled(format!("⚠ {n}"), theme.warning);
    c.data = Some(crate::tabular::Cell::Text(n.to_string()));
    c
}
