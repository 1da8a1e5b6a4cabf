//! `init`, `clock` and `settings`.

use std::path::Path;

use anyhow::Result;

use super::args::{ClockCmd, InitArgs, ModeArg, SettingsCmd, SettingsSet};
use super::format::{self, emit, kv};
use super::{Ctx, parse, usage};
use crate::domain::identity::Mode;
use crate::domain::reads::Read;
use crate::domain::records::ExternalLifecycle;
use crate::domain::{Command, Settings};
use crate::session::{self, Session};
use crate::store::LockWait;

pub(crate) fn init(dir: &Path, a: &InitArgs, json: bool, wait: LockWait) -> Result<()> {
    let demo = !a.empty;
    let (store, backups) = Session::init(dir, demo, &a.admin, wait)?;
    let name = store.state().display_name.clone();
    // A real team's tenant: the person who made it signs in as its administrator by login.
    let login = if demo { None } else { session::os_login() };
    if let Some(l) = &login {
        team_mode(store, l)?;
    }
    if json {
        return format::emit_json(&serde_json::json!({
            "dir": dir,
            "tenant": name,
            "demo": demo,
            "admin": if demo { None } else { Some(&a.admin) },
            "mode": if login.is_some() { Mode::Team } else { Mode::Lab },
            "login": login,
            "backups": backups,
        }));
    }
    let mut text = if demo {
        format!("Installed the demo tenant '{name}' in {} (lab mode: anyone may act as anyone)\n", dir.display())
    } else {
        format!("Created an empty tenant '{name}' in {} with administrator {}\n", dir.display(), a.admin)
    };
    match (&login, demo) {
        (Some(l), _) => text.push_str(&format!(
            "Team mode: your login '{l}' signs in as the administrator; give others a login with `entitle user update NAME --login LOGIN` (`entitle settings set --mode lab` lets anyone act as anyone)\n"
        )),
        (None, false) => text.push_str("Lab mode: no login name was found (the account of this user id, USER, LOGNAME), so anyone may act as anyone\n"),
        (None, true) => {}
    }
    if backups.is_empty() {
        text.push_str("There was no old data to back up\n");
    } else {
        text.push_str("The old data was backed up to:\n");
        for b in &backups {
            text.push_str(&format!("  {}\n", b.display()));
        }
    }
    emit(&text);
    Ok(())
}

/// Map `login` to the new tenant's administrator and switch to team mode.
fn team_mode(store: crate::store::Store<crate::domain::Tenant>, login: &str) -> Result<()> {
    let admin = store.state().lab_actor(None)?;
    let user = admin.user_id().ok_or_else(|| anyhow::anyhow!("The new tenant has no administrator"))?;
    let mut s = Session::new(store, admin);
    s.run(Command::SetLogin { user, login: Some(login.to_string()) })?;
    s.run(Command::SetMode { mode: Mode::Team })?;
    Ok(())
}

pub(crate) fn clock(ctx: &mut Ctx, c: ClockCmd) -> Result<()> {
    let now = ctx.now();
    let command = match c {
        ClockCmd::Show => return clock_show(ctx),
        ClockCmd::Advance { by, dry_run: true } => {
            return super::what_if::clock(ctx, Command::AdvanceClock { seconds: by.num_seconds() });
        }
        ClockCmd::Set { to, dry_run: true } => {
            return super::what_if::clock(ctx, Command::SetClock { to: to.resolve(now) });
        }
        ClockCmd::Advance { by, .. } => Command::AdvanceClock { seconds: by.num_seconds() },
        ClockCmd::Set { to, .. } => Command::SetClock { to: to.resolve(now) },
        ClockCmd::Freeze => Command::FreezeClock { frozen: true, wall: session::wall() },
        ClockCmd::Live => Command::FreezeClock { frozen: false, wall: session::wall() },
    };
    ctx.exec(command).map(|_| ())
}

fn clock_show(ctx: &Ctx) -> Result<()> {
    let t = ctx.t();
    t.may_read(ctx.actor()?, Read::Clock)?;
    let now = ctx.now();
    let next = t.next_timer();
    let value = serde_json::json!({
        "now": super::json_out::secs(now),
        "frozen": t.clock.is_frozen(),
        "offsetSeconds": t.clock.offset_secs,
        "nextTimer": super::json_out::opt_secs(next),
    });
    ctx.show(&value, || {
        let mode = if t.clock.is_frozen() {
            "frozen: moves only with `clock advance` or `clock set`".to_string()
        } else if t.clock.offset_secs == 0 {
            "live".to_string()
        } else {
            // A stored offset too large for a date (a hand edit) is shown in seconds, not a panic.
            let wall = chrono::TimeDelta::try_seconds(t.clock.offset_secs).and_then(|d| now.checked_sub_signed(d));
            match wall {
                Some(w) => format!("live, {} ahead of the wall clock", format::left(w, now)),
                None => format!("live, {} seconds ahead of the wall clock", t.clock.offset_secs),
            }
        };
        kv(&[
            ("Tenant time", format::time(now)),
            ("Clock", mode),
            ("Next timer", format::opt_time(next, "none scheduled")),
        ])
    })
}

pub(crate) fn settings(ctx: &mut Ctx, c: SettingsCmd) -> Result<()> {
    match c {
        SettingsCmd::Show => {
            let t = ctx.t();
            t.may_read(ctx.actor()?, Read::Settings)?;
            let s = &t.settings;
            let mut value = serde_json::to_value(s)?;
            if let Some(o) = value.as_object_mut() {
                o.insert("mode".into(), serde_json::to_value(t.mode)?);
            }
            ctx.show(&value, || {
                let l = &s.limits;
                kv(&[
                    ("Sign-in", t.mode.describe().to_string()),
                    ("External users", lifecycle_label(s.external_lifecycle)),
                    ("Catalog creators", format::names(t, s.catalog_creators.iter().copied())),
                    ("Packages per catalog", l.packages_per_catalog.to_string()),
                    ("Resource roles per package", l.resource_roles_per_package.to_string()),
                    ("Policies per package", l.policies_per_package.to_string()),
                    ("Connected organizations", l.connected_organizations.to_string()),
                    ("Timers per clock move", l.timers_per_clock_move.to_string()),
                ])
            })
        }
        SettingsCmd::Set(a) => {
            let settings = apply_settings(ctx, &a)?;
            if a.mode.is_none() || settings != ctx.t().settings {
                ctx.exec(Command::UpdateSettings { settings })?;
            }
            if let Some(m) = a.mode {
                let mode = match m {
                    ModeArg::Lab => Mode::Lab,
                    ModeArg::Team => Mode::Team,
                };
                ctx.exec(Command::SetMode { mode })?;
            }
            Ok(())
        }
    }
}

fn apply_settings(ctx: &Ctx, a: &SettingsSet) -> Result<Settings> {
    let t = ctx.t();
    let mut s = t.settings.clone();
    if let Some(text) = &a.external_lifecycle {
        s.external_lifecycle = external_lifecycle(text)?;
    }
    for list in &a.add_catalog_creators {
        s.catalog_creators.extend(parse::users(t, list)?);
    }
    for list in &a.remove_catalog_creators {
        for u in parse::users(t, list)? {
            s.catalog_creators.remove(&u);
        }
    }
    let l = &mut s.limits;
    l.packages_per_catalog = a.max_packages_per_catalog.unwrap_or(l.packages_per_catalog);
    l.resource_roles_per_package = a.max_resource_roles_per_package.unwrap_or(l.resource_roles_per_package);
    l.policies_per_package = a.max_policies_per_package.unwrap_or(l.policies_per_package);
    l.connected_organizations = a.max_connected_organizations.unwrap_or(l.connected_organizations);
    l.timers_per_clock_move = a.max_timers_per_clock_move.unwrap_or(l.timers_per_clock_move);
    Ok(s)
}

fn external_lifecycle(text: &str) -> Result<ExternalLifecycle> {
    let lower = text.trim().to_ascii_lowercase();
    let bad = || usage(format!("'{text}' is not an external-user lifecycle: use none, block or remove:N (days)"));
    Ok(match lower.as_str() {
        "none" => ExternalLifecycle::None,
        "block" => ExternalLifecycle::Block,
        "remove" => ExternalLifecycle::BlockThenRemove(0),
        _ => match lower.strip_prefix("remove:") {
            Some(n) => ExternalLifecycle::BlockThenRemove(n.trim().parse().map_err(|_| bad())?),
            None => return Err(bad()),
        },
    })
}

pub(crate) fn lifecycle_label(l: ExternalLifecycle) -> String {
    match l {
        ExternalLifecycle::None => "nothing happens when a guest loses its last assignment".into(),
        ExternalLifecycle::Block => "sign-in is blocked when a guest loses its last assignment".into(),
        ExternalLifecycle::BlockThenRemove(0) => "removed at once when a guest loses its last assignment".into(),
        ExternalLifecycle::BlockThenRemove(n) => {
            format!("blocked when a guest loses its last assignment, removed {n} days later")
        }
    }
}
