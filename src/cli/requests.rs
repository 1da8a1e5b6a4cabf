//! My Access and approvals: available packages, requests, the approval inbox, decisions.

use std::collections::BTreeMap;

use anyhow::{Result, anyhow};

use super::args_flow::{DecideArgs, HistoryArgs, NewRequest, RequestsArgs};
use super::format::{self, Cell, Table, cells, kv};
use super::{Ctx, parse, usage};
use crate::domain::reads::Read;
use crate::domain::{Actor, Command, QuestionId, Request, RequestId, Tenant};

fn package_name(t: &Tenant, r: &Request) -> String {
    t.packages.get(&r.package).map(|p| p.display_name.clone()).unwrap_or_else(|| r.package.to_string())
}

pub(crate) fn available(ctx: &Ctx) -> Result<()> {
    let t = ctx.t();
    let actor = ctx.actor()?;
    t.may_read(actor, Read::Available)?;
    let list = t.available_packages(actor);
    let value: Vec<_> = list.iter().map(|(p, pols)| serde_json::json!({"package": p, "policies": pols})).collect();
    let table = || {
        let mut tab = Table::new(&["ID", "PACKAGE", "CATALOG", "POLICIES", "STATUS", "DESCRIPTION"]);
        for (p, pols) in &list {
            let policies: Vec<String> = pols
                .iter()
                .map(|x| {
                    let approval = if x.spec.stages.is_empty() { "" } else { ", approval" };
                    format!("{} {}{approval}", x.id, x.spec.display_name)
                })
                .collect();
            tab.row(vec![
                p.id.to_string(),
                p.display_name.clone(),
                t.catalogs.get(&p.catalog).map(|c| c.display_name.clone()).unwrap_or_default(),
                policies.join("; "),
                status(t, actor, p.id),
                p.description.clone(),
            ]);
        }
        tab
    };
    ctx.show_table(&value, table, |tab| tab.render_or("No access packages you can request\n"))
}

fn status(t: &Tenant, actor: &Actor, pkg: crate::domain::PackageId) -> String {
    let Some(me) = actor.user_id() else { return String::new() };
    if let Some(a) = t.active_assignment(me, pkg) {
        return match a.end {
            Some(e) => format!("assigned until {}", format::time(e)),
            None => "assigned".into(),
        };
    }
    t.requests_of_user(me)
        .find(|r| r.package == pkg && r.state.is_open())
        .map(|r| format!("{} ({})", r.state, r.id))
        .unwrap_or_default()
}

pub(crate) fn submit(ctx: &mut Ctx, a: NewRequest) -> Result<()> {
    let t = ctx.t();
    let actor = ctx.actor()?;
    let key = a.package.ok_or_else(|| usage("Name the access package to request"))?;
    let pkg = t.find_package(&key)?;
    let policy = a.policy.as_deref().map(|p| t.find_policy(Some(pkg.id), p)).transpose()?;
    let target = a.for_user.as_deref().map(|u| t.find_user(u).map(|u| u.id)).transpose()?;
    // The questions are those of the policies that admit the person the request is for.
    let subject = target.map_or_else(|| actor.clone(), Actor::user);
    let mut answers: BTreeMap<QuestionId, String> = BTreeMap::new();
    if !a.answers.is_empty() {
        let matching = t.matching_policies(&subject, pkg);
        let questions = match (policy, matching.as_slice()) {
            (Some(p), _) => p.spec.questions.clone(),
            (None, [one]) => one.spec.questions.clone(),
            _ => vec![],
        };
        for item in &a.answers {
            let Some((q, answer)) = item.split_once('=') else {
                return Err(usage(format!("--answer '{item}': use QUESTION=ANSWER, e.g. q1=Finance")));
            };
            let id = if questions.is_empty() {
                q.trim().parse::<QuestionId>().map_err(|e| anyhow!("{e}"))?
            } else {
                parse::question(&questions, q)?
            };
            answers.insert(id, answer.trim().to_string());
        }
    }
    let (package, policy) = (pkg.id, policy.map(|p| p.id));
    let justification = a.justification.unwrap_or_default();
    let start = a.start.map(|w| w.resolve(ctx.now()));
    let command = match target {
        Some(target) => Command::RequestFor { target, package, policy, justification, answers, start },
        None => Command::SubmitRequest { package, policy, justification, answers, start },
    };
    ctx.exec(command).map(|_| ())
}

pub(crate) fn show(ctx: &Ctx, id: RequestId) -> Result<()> {
    let t = ctx.t();
    ctx.actor()?;
    let found = ctx.session.request(id)?;
    let r = &found;
    ctx.show(&super::json_out::request(t, r), || {
        let pol = t.policies.get(&r.policy);
        let mut rows = vec![
            ("Package", format!("{} ({})", package_name(t, r), r.package)),
            ("Policy", pol.map(|p| format!("{} ({})", p.spec.display_name, p.id)).unwrap_or_default()),
            ("Type", r.request_type.to_string()),
            ("For", t.target_label(&r.target)),
            ("Requested by", r.requestor.map(|u| t.user_name(u)).unwrap_or_else(|| t.target_label(&r.target))),
            ("State", r.state.to_string()),
            ("Created", format::time(r.created_at)),
        ];
        if r.state == crate::domain::RequestState::PendingApproval {
            let stages = t.request_stages(r);
            rows.push((
                "Stage",
                format!("{} of {stages}, waiting for {}", r.stage + 1, format::names(t, r.awaiting())),
            ));
            if r.needed > 1 {
                let mut text = format!("{} of {}", r.approvals(), r.needed);
                if r.approvals() > 0 {
                    let decided = format::names(t, r.approvers.iter().copied().filter(|u| r.has_decided(*u)));
                    text.push_str(&format!(" (approved by {decided})"));
                }
                rows.push(("Approvals", text));
            }
            if let Some(d) = t.request_deadline(r) {
                rows.push(("Times out", format!("{} ({} left)", format::time(d), format::left(ctx.now(), d))));
            }
        }
        if !r.justification.is_empty() {
            rows.push(("Justification", r.justification.clone()));
        }
        for (q, a) in &r.answers {
            let text = pol.and_then(|p| p.spec.questions.iter().find(|x| x.id == *q)).map(|x| x.text.clone());
            rows.push(("Answer", format!("{}: {a}", text.unwrap_or_else(|| q.to_string()))));
        }
        if let Some(s) = r.start {
            rows.push(("Starts", format::time(s)));
        }
        if let Some(e) = r.end {
            rows.push(("Ends", format::time(e)));
        }
        if let Some(a) = r.assignment {
            rows.push(("Assignment", a.to_string()));
        }
        if let Some(c) = r.completed_at {
            rows.push(("Completed", format::time(c)));
        }
        let mut text = format!("Request {}\n{}\nHistory\n", r.id, kv(&rows));
        for h in &r.history {
            text.push_str(&format!("  {}  {}\n", format::time(h.at), h.text));
        }
        text
    })
}

pub(crate) fn cancel(ctx: &mut Ctx, id: RequestId) -> Result<()> {
    ctx.exec(Command::CancelRequest { request: id }).map(|_| ())
}

pub(crate) fn list(ctx: &Ctx, a: RequestsArgs) -> Result<()> {
    let t = ctx.t();
    let actor = ctx.actor()?;
    t.may_read(actor, Read::Requests)?;
    let (mut list, more) = if let Some(p) = &a.package {
        (ctx.session.requests_report(Some(t.find_package(p)?.id), false)?, 0)
    } else if a.all {
        (ctx.session.requests_report(None, true)?, 0)
    } else if a.open {
        // Open requests are all in memory: no history is read.
        (t.open_requests_for(actor).into_iter().cloned().collect(), 0)
    } else {
        // My requests, a page of them: only the records shown are read from the history.
        let listing = ctx.session.my_requests_listing()?;
        let shown = shown_rows(ctx, a.limit, false, listing.len());
        (ctx.session.requests_page(&listing, 0..shown)?, listing.len().saturating_sub(shown))
    };
    list.retain(|r| !a.open || r.state.is_open());
    list.sort_by(|x, y| y.created_at.cmp(&x.created_at).then(y.id.cmp(&x.id)));
    ctx.show_table(
        &super::json_out::requests(t, &list),
        || request_table(t, &list),
        |tab| tab.render_or("No requests\n") + &more_line(more, "--limit 0"),
    )
}

/// A page of a long list in text, unless `--limit N` says how many (0: all) or `all`; every
/// row in JSON (as before paging) and CSV, unless `--limit N`.
const CLI_PAGE: usize = 50;

/// How many of a list's `total` rows to show.
fn shown_rows(ctx: &Ctx, limit: Option<usize>, all: bool, total: usize) -> usize {
    match limit {
        Some(0) => total,
        Some(n) => n.min(total),
        None if all || ctx.json || ctx.csv => total,
        None => CLI_PAGE.min(total),
    }
}

/// What a page of a list says under it when rows were left out: how many, and how to see them.
fn more_line(more: usize, how: &str) -> String {
    if more == 0 { String::new() } else { format!("{more} more: {how}\n") }
}

pub(crate) fn request_table(t: &Tenant, list: &[Request]) -> Table {
    let mut tab = Table::new(&["ID", "TYPE", "PACKAGE", "FOR", "STATE", "CREATED", "COMPLETED"]);
    for r in list {
        tab.row(cells![
            r.id.to_string(),
            r.request_type.to_string(),
            package_name(t, r),
            t.target_label(&r.target),
            r.state.to_string(),
            Cell::time(r.created_at),
            Cell::opt_time(r.completed_at, ""),
        ]);
    }
    tab
}

pub(crate) fn inbox(ctx: &Ctx) -> Result<()> {
    let t = ctx.t();
    let me = ctx.me()?;
    t.may_read(ctx.actor()?, Read::Own)?;
    let now = ctx.now();
    let mut list: Vec<&Request> = t.inbox(me).collect();
    list.sort_by_key(|r| (t.request_deadline(r), r.id));
    let value = super::json_out::requests(t, list.iter().copied());
    let table = || {
        let mut tab = Table::new(&["ID", "PACKAGE", "FOR", "STAGE", "SUBMITTED", "TIME LEFT", "JUSTIFICATION"]);
        for r in &list {
            let stages = t.request_stages(r);
            tab.row(cells![
                r.id.to_string(),
                package_name(t, r),
                t.target_label(&r.target),
                format!("{}/{stages}", r.stage + 1),
                Cell::time(r.created_at),
                t.request_deadline(r).map(|d| format::left(now, d)).unwrap_or_default(),
                r.justification.clone(),
            ]);
        }
        tab
    };
    ctx.show_table(&value, table, |tab| tab.render_or("Nothing waits for your approval\n"))
}

pub(crate) fn decided(ctx: &Ctx, a: HistoryArgs) -> Result<()> {
    let t = ctx.t();
    ctx.me()?;
    t.may_read(ctx.actor()?, Read::Own)?;
    let listing = ctx.session.my_decisions_listing()?;
    let shown = shown_rows(ctx, a.limit, a.all, listing.len());
    let more = listing.len().saturating_sub(shown);
    let rows = ctx.session.decisions_page(&listing, 0..shown)?;
    let value: Vec<_> = rows
        .iter()
        .map(|(r, d)| {
            serde_json::json!({"request": r.id, "package": r.package, "state": r.state, "decision": super::json_out::decision(d)})
        })
        .collect();
    let table = || {
        let mut tab = Table::new(&["REQUEST", "PACKAGE", "FOR", "STAGE", "DECISION", "AT", "REASON", "NOW"]);
        for (r, d) in &rows {
            tab.row(cells![
                r.id.to_string(),
                package_name(t, r),
                t.target_label(&r.target),
                (d.stage + 1).to_string(),
                if d.approved { "approved" } else { "denied" },
                Cell::time(d.at),
                d.reason.clone(),
                r.state.to_string(),
            ]);
        }
        tab
    };
    ctx.show_table(&value, table, |tab| tab.render_or("You have decided no requests\n") + &more_line(more, "--all"))
}

pub(crate) fn decide(ctx: &mut Ctx, a: DecideArgs, approve: bool) -> Result<()> {
    ctx.exec(Command::Decide { request: a.id, approve, reason: a.reason }).map(|_| ())
}
