//! Assignments (list, assign, remove, extend, leave) and access reviews.

use anyhow::{Result, anyhow};

use super::args_flow::{
    AssignArgs, AssignmentsArgs, DecisionArg, ExtendArgs, LeaveArgs, RemoveArgs, ReviewCmd, StateArg,
};
use super::format::{self, Cell, Table, cells, kv};
use super::{Ctx, parse, usage};
use crate::domain::reads::Read;
use crate::domain::{
    Assignment, AssignmentId, AssignmentState, Command, PackageId, PolicyId, Review, ReviewDecision, ReviewId, Tenant,
    Time, UserId,
};

pub(crate) fn assignment_table(t: &Tenant, list: &[&Assignment]) -> Table {
    let mut tab = Table::new(&["ID", "PACKAGE", "USER", "STATE", "START", "END", "POLICY"]);
    for a in list {
        tab.row(assignment_cells(t, a.id, a.package, a.target, a.state, a.start, a.end, a.policy));
    }
    tab
}

/// An assignment's cells in the columns of [`assignment_table`] (also those of an assignment as
/// it stood at a past instant, which has them all and one more).
#[allow(clippy::too_many_arguments)]
pub(crate) fn assignment_cells(
    t: &Tenant,
    id: AssignmentId,
    package: PackageId,
    target: UserId,
    state: AssignmentState,
    start: Time,
    end: Option<Time>,
    policy: PolicyId,
) -> Vec<Cell> {
    cells![
        id.to_string(),
        t.packages.get(&package).map(|p| p.display_name.clone()).unwrap_or_default(),
        t.user_name(target),
        state.to_string(),
        Cell::time(start),
        Cell::opt_time(end, "never"),
        t.policies.get(&policy).map(|p| p.spec.display_name.clone()).unwrap_or_default(),
    ]
}

pub(crate) fn assignments(ctx: &Ctx, a: AssignmentsArgs) -> Result<()> {
    let t = ctx.t();
    let actor = ctx.actor()?;
    let pkg = a.package.as_deref().map(|p| t.find_package(p).map(|p| p.id)).transpose()?;
    let user = a.user.as_deref().map(|u| t.find_user(u).map(|u| u.id)).transpose()?;
    if let Some(at) = a.at {
        return super::point_in_time::assignments(ctx, at, user, pkg, |s| state_matches(a.state, s));
    }
    let mut list: Vec<&Assignment> = t.assignments_visible(actor)?;
    list.retain(|x| {
        pkg.is_none_or(|p| x.package == p) && user.is_none_or(|u| x.target == u) && state_matches(a.state, x.state)
    });
    list.sort_by_key(|x| (x.package, t.user_name(x.target), x.id));
    ctx.show_table(&list, || assignment_table(t, &list), |tab| tab.render_or("No assignments\n"))
}

fn state_matches(want: Option<StateArg>, s: AssignmentState) -> bool {
    match want {
        None => true,
        Some(StateArg::Active) => matches!(s, AssignmentState::Delivering | AssignmentState::Delivered),
        Some(StateArg::Delivering) => s == AssignmentState::Delivering,
        Some(StateArg::Delivered) => s == AssignmentState::Delivered,
        Some(StateArg::Expired) => s == AssignmentState::Expired,
        Some(StateArg::Removed) => s == AssignmentState::Removed,
    }
}

pub(crate) fn assign(ctx: &mut Ctx, a: AssignArgs) -> Result<()> {
    let t = ctx.t();
    let now = ctx.now();
    let pkg = t.find_package(&a.package)?;
    let user = t.find_user(&a.user)?.id;
    let policy = match &a.policy {
        Some(p) => t.find_policy(Some(pkg.id), p)?.id,
        None => match pkg.policies.as_slice() {
            [one] => *one,
            [] => {
                return Err(anyhow!(
                    "'{}' has no policy to assign under: create one (a policy with --scope none serves direct assignments only)",
                    pkg.display_name
                ));
            }
            many => {
                let names: Vec<String> = many
                    .iter()
                    .filter_map(|id| t.policies.get(id))
                    .map(|p| format!("{} '{}'", p.id, p.spec.display_name))
                    .collect();
                return Err(usage(format!(
                    "'{}' has {} policies: pick one with --policy ({})",
                    pkg.display_name,
                    many.len(),
                    names.join(", ")
                )));
            }
        },
    };
    let command = Command::AdminAssign {
        package: pkg.id,
        policy,
        user,
        start: a.start.map(|w| w.resolve(now)),
        end: a.end.map(|w| w.resolve(now)),
        justification: a.justification,
    };
    ctx.exec(command).map(|_| ())
}

pub(crate) fn remove(ctx: &mut Ctx, a: RemoveArgs) -> Result<()> {
    let assignment: AssignmentId = parse::id(&a.assignment).map_err(usage)?;
    ctx.exec(Command::AdminRemove { assignment, reason: a.reason }).map(|_| ())
}

pub(crate) fn extend(ctx: &mut Ctx, a: ExtendArgs) -> Result<()> {
    let me = ctx.actor()?.user_id();
    let assignment = parse::my_assignment(ctx.t(), me, &a.assignment)?;
    ctx.exec(Command::RequestExtension { assignment, justification: a.justification }).map(|_| ())
}

pub(crate) fn leave(ctx: &mut Ctx, a: LeaveArgs) -> Result<()> {
    let me = ctx.actor()?.user_id();
    let assignment = parse::my_assignment(ctx.t(), me, &a.assignment)?;
    ctx.exec(Command::RemoveOwnAssignment { assignment }).map(|_| ())
}

pub(crate) fn reviews(ctx: &Ctx, all: bool) -> Result<()> {
    let t = ctx.t();
    let now = ctx.now();
    if all {
        let list: Vec<&Review> = t.reviews_visible(ctx.actor()?)?;
        let table = || {
            let mut tab = Table::new(&["ID", "NAME", "STATE", "START", "END", "ITEMS", "DECIDED"]);
            for r in &list {
                tab.row(cells![
                    r.id.to_string(),
                    r.display_name.clone(),
                    r.state.to_string(),
                    Cell::time(r.start),
                    Cell::time(r.end),
                    r.items.len().to_string(),
                    r.items.iter().filter(|i| i.decision.is_some()).count().to_string(),
                ]);
            }
            tab
        };
        return ctx.show_table(&list, table, |tab| tab.render_or("No access reviews\n"));
    }
    let me = ctx.me()?;
    t.may_read(ctx.actor()?, Read::Own)?;
    let tasks = t.review_tasks(me);
    let value: Vec<_> = tasks
        .iter()
        .map(|(r, i)| serde_json::json!({"review": r.id, "name": r.display_name, "end": r.end.timestamp(), "item": i}))
        .collect();
    let table = || {
        let mut tab = Table::new(&["REVIEW", "NAME", "ASSIGNMENT", "USER", "DECISION", "ENDS", "TIME LEFT"]);
        for (r, i) in &tasks {
            tab.row(cells![
                r.id.to_string(),
                r.display_name.clone(),
                i.assignment.to_string(),
                t.user_name(i.user),
                decision_cell(i.decision),
                Cell::time(r.end),
                format::left(now, r.end),
            ]);
        }
        tab
    };
    ctx.show_table(&value, table, |tab| tab.render_or("No open review tasks\n"))
}

pub(crate) fn review(ctx: &mut Ctx, c: ReviewCmd) -> Result<()> {
    match c {
        ReviewCmd::Show { id } => review_show(ctx, id),
        ReviewCmd::Decide { id, assignment, decision, justification } => {
            let t = ctx.t();
            let r = t.review(id)?;
            let assignment = match parse::id::<AssignmentId>(&assignment) {
                Ok(a) if r.items.iter().any(|i| i.assignment == a) => a,
                _ => {
                    let u = t.find_user(&assignment)?;
                    r.items.iter().find(|i| i.user == u.id).map(|i| i.assignment).ok_or_else(|| {
                        anyhow!("{}'s access is not part of review '{}'", u.display_name, r.display_name)
                    })?
                }
            };
            let decision = match decision {
                DecisionArg::Approve => ReviewDecision::Approve,
                DecisionArg::Deny => ReviewDecision::Deny,
                DecisionArg::DontKnow => ReviewDecision::DontKnow,
            };
            ctx.exec(Command::DecideReview { review: id, assignment, decision, justification }).map(|_| ())
        }
        ReviewCmd::End { id } => ctx.exec(Command::EndReview { review: id }).map(|_| ()),
    }
}

fn review_show(ctx: &Ctx, id: ReviewId) -> Result<()> {
    let t = ctx.t();
    let (r, items) = t.review_visible(ctx.actor()?, id)?;
    let mut value = serde_json::to_value(r)?;
    if let Some(o) = value.as_object_mut() {
        o.insert("items".into(), serde_json::to_value(&items)?);
    }
    let table = || {
        let mut tab = Table::new(&["ASSIGNMENT", "USER", "REVIEWERS", "DECISION", "BY", "JUSTIFICATION", "OUTCOME"]);
        for i in &items {
            tab.row(cells![
                i.assignment.to_string(),
                t.user_name(i.user),
                format::names_cell(t, i.reviewers.iter().copied()),
                decision_cell(i.decision),
                i.decided_by.map(|u| t.user_name(u)).unwrap_or_default(),
                i.justification.clone(),
                i.outcome.clone().unwrap_or_default(),
            ]);
        }
        tab
    };
    // In CSV, the items (the review's own fields are in `reviews --all`).
    ctx.show_table(&value, table, |tab| {
        let s = &r.settings;
        let mut text = format!("Access review '{}' ({})\n", r.display_name, r.id);
        text.push_str(&kv(&[
            ("Package", t.packages.get(&r.package).map(|p| p.display_name.clone()).unwrap_or_default()),
            ("Policy", t.policies.get(&r.policy).map(|p| p.spec.display_name.clone()).unwrap_or_default()),
            ("State", r.state.to_string()),
            ("Open", format!("{} to {}", format::time(r.start), format::time(r.end))),
            ("No response", s.no_response.to_string()),
        ]));
        text.push('\n');
        text.push_str(&tab.render_or("No assignments to review\n"));
        text
    })
}

/// A review decision, or a blank (`-` in the table) before there is one.
fn decision_cell(d: Option<ReviewDecision>) -> Cell {
    d.map_or(Cell::Blank("-"), |d| Cell::Text(d.to_string()))
}
