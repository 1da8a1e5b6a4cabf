//! Reports, lint, the audit log and the mailbox.

use anyhow::Result;

use super::Ctx;
use super::args_flow::{AuditArgs, NotificationsArgs, ReportCmd};
use super::format::{self, Cell, Table, cells};
use crate::domain::reads::Read;
use crate::domain::report::AccessRow;
use crate::domain::{AuditEvent, Command, ObjectRef, Tenant};
use crate::session::AuditLog;

pub(crate) fn access_table(rows: &[AccessRow], with_user: bool) -> Table {
    let mut tab = if with_user {
        Table::new(&["USER", "RESOURCE", "ROLE", "VIA"])
    } else {
        Table::new(&["RESOURCE", "ROLE", "VIA"])
    };
    for r in rows {
        let mut cells = vec![r.resource_name.clone(), r.role.clone(), crate::domain::report::via_text(&r.via, ", ")];
        if with_user {
            cells.insert(0, r.user_name.clone());
        }
        tab.row(cells);
    }
    tab
}

pub(crate) fn report(ctx: &Ctx, c: ReportCmd) -> Result<()> {
    let t = ctx.t();
    let actor = ctx.actor()?;
    match c {
        ReportCmd::Packages { user } => {
            let u = t.find_user(&user)?;
            let rows = t.user_packages_visible(actor, u.id)?;
            let table = || {
                let mut tab = Table::new(&["ID", "PACKAGE", "CATALOG", "CAN REQUEST", "ASSIGNMENT", "STATE", "END"]);
                for r in &rows {
                    tab.row(cells![
                        r.package.to_string(),
                        r.package_name.clone(),
                        r.catalog_name.clone(),
                        format::yes_no(r.can_request),
                        r.assignment.map(|a| a.to_string()).unwrap_or_default(),
                        r.state.map(|s| s.to_string()).unwrap_or_default(),
                        Cell::opt_time(r.end, ""),
                    ]);
                }
                tab
            };
            ctx.show_table(&rows, table, |tab| {
                tab.render_or(&format!("{} can request no package and has none\n", u.display_name))
            })
        }
        ReportCmd::Access { user, at: Some(at) } => super::point_in_time::access(ctx, &user, at),
        ReportCmd::Holders { resource, at: Some(at) } => super::point_in_time::holders(ctx, &resource, at),
        ReportCmd::Access { user, at: None } => {
            let u = t.find_user(&user)?;
            let rows = t.access_visible(actor, u.id)?;
            ctx.show_table(
                &rows,
                || access_table(&rows, false),
                |tab| tab.render_or(&format!("{} holds no resource\n", u.display_name)),
            )
        }
        ReportCmd::Holders { resource, at: None } => {
            let r = t.find_resource(&resource)?;
            let rows = t.holders_visible(actor, r.id)?;
            ctx.show_table(
                &rows,
                || access_table(&rows, true),
                |tab| tab.render_or(&format!("Nobody holds {}\n", r.display_name)),
            )
        }
        ReportCmd::Package { package } => {
            let p = t.find_package(&package)?;
            let groups = t.package_assignments_visible(actor, p.id)?;
            let value: serde_json::Map<String, serde_json::Value> =
                groups.iter().map(|(s, v)| (s.to_string(), serde_json::to_value(v).unwrap_or_default())).collect();
            // In CSV, one table: every assignment of every state (a column says which).
            let all = || {
                let every: Vec<_> = groups.iter().flat_map(|(_, v)| v.iter().copied()).collect();
                super::lifecycle::assignment_table(t, &every)
            };
            ctx.show_table(&value, all, |_| {
                if groups.is_empty() {
                    return format!("'{}' has no assignments\n", p.display_name);
                }
                let mut text = String::new();
                for (s, v) in &groups {
                    text.push_str(&format!("{s} ({})\n", v.len()));
                    text.push_str(&super::lifecycle::assignment_table(t, v).render());
                    text.push('\n');
                }
                text
            })
        }
        ReportCmd::Expiring { days } => {
            let list = t.expiring_visible(actor, days as i64)?;
            let now = ctx.now();
            let table = || {
                let mut tab = Table::new(&["ID", "PACKAGE", "USER", "END", "LEFT", "EXTENSION"]);
                for a in &list {
                    tab.row(cells![
                        a.id.to_string(),
                        t.packages.get(&a.package).map(|p| p.display_name.clone()).unwrap_or_default(),
                        t.user_name(a.target),
                        Cell::opt_time(a.end, ""),
                        a.end.map(|e| format::left(now, e)).unwrap_or_default(),
                        format::yes_no(t.lifecycle_of(a).allow_extension),
                    ]);
                }
                tab
            };
            ctx.show_table(&list, table, |tab| tab.render_or(&format!("Nothing expires within {days} days\n")))
        }
        ReportCmd::Requests { package } => {
            let pkg = package.as_deref().map(|p| t.find_package(p).map(|p| p.id)).transpose()?;
            let list = ctx.session.requests_report(pkg, false)?;
            ctx.show_table(
                &super::json_out::requests(t, &list),
                || super::requests::request_table(t, &list),
                |tab| tab.render_or("No requests\n"),
            )
        }
        ReportCmd::Incompatible => {
            let rows = t.incompatible_visible(actor)?;
            let table = || {
                let mut tab = Table::new(&["USER", "PACKAGE", "INCOMPATIBLE WITH"]);
                for c in &rows {
                    tab.row(vec![c.user_name.clone(), c.package_name.clone(), c.with_name.clone()]);
                }
                tab
            };
            ctx.show_table(&rows, table, |tab| tab.render_or("Nobody holds two incompatible things\n"))
        }
        ReportCmd::Drift => {
            let rows = t.drift_visible(actor)?;
            let value: Vec<_> = rows
                .iter()
                .map(|(r, governed)| {
                    let mut v = serde_json::to_value(r).unwrap_or_default();
                    if let Some(o) = v.as_object_mut() {
                        o.insert("governed".into(), (*governed).into());
                    }
                    v
                })
                .collect();
            let table = || {
                let mut tab = Table::new(&["USER", "RESOURCE", "ROLE", "VIA", "ALSO IN A PACKAGE"]);
                for (r, governed) in &rows {
                    tab.row(vec![
                        r.user_name.clone(),
                        r.resource_name.clone(),
                        r.role.clone(),
                        crate::domain::report::via_text(&r.via, ", "),
                        format::yes_no(*governed),
                    ]);
                }
                tab
            };
            ctx.show_table(&value, table, |tab| tab.render_or("No memberships outside access packages\n"))
        }
    }
}

pub(crate) fn lint(ctx: &Ctx) -> Result<()> {
    let findings = ctx.t().lint_visible(ctx.actor()?)?;
    let table = || {
        let mut tab = Table::new(&["LEVEL", "CODE", "OBJECT", "MESSAGE"]);
        for f in &findings {
            tab.row(vec![f.severity.label().to_string(), f.code.to_string(), f.object.to_string(), f.message.clone()]);
        }
        tab
    };
    ctx.show_table(&findings, table, |tab| tab.render_or("No findings\n"))
}

pub(crate) fn audit(ctx: &Ctx, a: AuditArgs) -> Result<()> {
    let t = ctx.t();
    let object = a.object.as_deref().map(|o| (o.trim(), object_refs(t, o.trim())));
    // A user found by the key matches by id, whatever name the event recorded (a user renamed
    // since is still found); the text shown matches too (the system, an external's email).
    let actor = a.actor.as_deref().map(|x| (x.to_lowercase(), t.find_user(x).ok().map(|u| u.id)));
    let activity = a.activity.as_deref().map(str::to_lowercase);
    let want = |e: &AuditEvent| {
        actor.as_ref().is_none_or(|(text, user)| {
            user.is_some_and(|u| e.made_by(u)) || e.who().to_lowercase().contains(text.as_str())
        }) && activity.as_deref().is_none_or(|x| e.activity.to_lowercase().contains(x))
            && object.as_ref().is_none_or(|(key, refs)| {
                refs.iter().any(|r| e.object.is(*r)) || e.object.to_string().eq_ignore_ascii_case(key)
            })
    };
    // The objects' events only, picked by the keys beside the log, unless the key names none
    // (an older version's text is then matched as it was written).
    let mut log = match &object {
        Some((_, refs)) if !refs.is_empty() => AuditLog::about(refs.clone()),
        _ => AuditLog::default(),
    };
    let list = ctx.session.audit_last(&mut log, a.limit, want)?;
    let list = list.as_slice();
    let table = || {
        let mut tab = Table::new(&["SEQ", "TIME", "ACTOR", "ACTIVITY", "OBJECT", "SUMMARY"]);
        for e in list {
            tab.row(cells![
                e.seq.to_string(),
                Cell::time(e.at),
                e.who(),
                e.activity.clone(),
                e.object.to_string(),
                e.summary.clone(),
            ]);
        }
        tab
    };
    ctx.show_table(list, table, |tab| tab.render_or("No audit events\n"))
}

/// The objects an `--object` may mean: the object of that id or name, of any kind. (What has no
/// id, `clock` or `settings`, matches by the text the log shows.)
fn object_refs(t: &Tenant, key: &str) -> Vec<ObjectRef> {
    let mut refs: Vec<ObjectRef> = Vec::new();
    refs.extend(t.find_user(key).ok().map(|x| ObjectRef::from(x.id)));
    refs.extend(t.find_resource(key).ok().map(|x| ObjectRef::from(x.id)));
    refs.extend(t.find_org(key).ok().map(|x| ObjectRef::from(x.id)));
    refs.extend(t.find_catalog(key).ok().map(|x| ObjectRef::from(x.id)));
    refs.extend(t.find_package(key).ok().map(|x| ObjectRef::from(x.id)));
    refs.extend(t.find_policy(None, key).ok().map(|x| ObjectRef::from(x.id)));
    refs.extend(ObjectRef::from_shown(key));
    refs
}

pub(crate) fn notifications(ctx: &mut Ctx, a: NotificationsArgs) -> Result<()> {
    let me = ctx.me()?;
    ctx.t().may_read(ctx.actor()?, Read::Own)?;
    if let Some(which) = a.mark_read {
        return ctx.exec(Command::MarkRead { notification: which }).map(|_| ());
    }
    let mail = ctx.session.mailbox(me)?;
    let list: Vec<_> = mail.iter().filter(|n| !a.unread || !n.read).collect();
    let table = || {
        let mut tab = Table::new(&["SEQ", "NEW", "TIME", "KIND", "SUBJECT", "DETAILS"]);
        for n in list.iter().rev() {
            tab.row(cells![
                n.seq.to_string(),
                if n.read { "" } else { "*" },
                Cell::time(n.at),
                n.kind.clone(),
                n.subject.clone(),
                n.body.clone(),
            ]);
        }
        tab
    };
    ctx.show_table(&list, table, |tab| tab.render_or("No notifications\n"))
}
