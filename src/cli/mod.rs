//! The command line: headless commands over the same domain calls as the terminal app.
//!
//! Every change is one `Command` run through [`Session::run`], so the domain checks rights, rules
//! and limits and writes the audit log; reads use the tenant's lookups and reports. Exit codes:
//! 0 done, 1 refused by the domain or the files could not be read (the message says which rule or
//! which file and line), 2 bad usage.

mod args;
mod args_dir;
mod args_ext;
mod args_flow;
mod args_policy;
mod catalogs;
mod config;
mod directory;
mod dispatch;
mod explain;
mod extensions;
mod format;
mod json_out;
mod lifecycle;
mod parse;
mod point_in_time;
mod policy;
mod policy_show;
mod reports;
mod requests;
mod scale_gen;
mod setup;
mod what_if;

use std::process::ExitCode;

use anyhow::{Result, anyhow};
use clap::ArgMatches;

pub use args::{Cli, Cmd};

use crate::domain::{Actor, Command, Outcome, Tenant, Time, UserId};
use crate::launch;
use crate::session::Session;

pub(crate) use crate::launch::usage;

/// Prints a warning on stderr, control characters made visible.
pub fn warn(text: &str) {
    format::warn(text);
}

/// Run a parsed command line; `matches` are clap's, for flags whose order matters. With no
/// command there is nothing to do here: `main` runs the terminal app instead.
pub fn run(cli: Cli, matches: &ArgMatches) -> ExitCode {
    launch::exit(execute(cli, matches).map(|()| None))
}

fn execute(cli: Cli, matches: &ArgMatches) -> Result<()> {
    let (dir, wait) = launch::location(cli.data.as_deref(), cli.lock_timeout.as_deref())?;
    let Some(command) = cli.command else {
        return Err(usage("no command given: run `entitle` without one for the terminal app"));
    };
    if cli.export_dir.is_some() {
        return Err(usage("--export-dir is where the terminal app writes CSV files: with a command, use --csv > FILE"));
    }
    if cli.csv && matches!(command, Cmd::Init(_) | Cmd::Gen(_)) {
        return Err(not_a_list());
    }
    if let Cmd::Init(a) = &command {
        return setup::init(&dir, a, cli.json, wait);
    }
    if let Cmd::Gen(a) = &command {
        return scale_gen::run(&dir, a, cli.json);
    }
    let started = launch::start(dir, wait, cli.as_user.as_deref(), cli.tenant.as_deref())?;
    if let Some(n) = &started.notice {
        format::warn(n);
    }
    if let Some(p) = started.session.tenant().problems_summary() {
        format::warn(&format!("warning: {p}"));
    }
    let mut ctx = Ctx {
        session: started.session,
        json: cli.json,
        csv: cli.csv,
        matches: leaf(matches),
        actor_err: started.actor_err,
    };
    ctx.warn();
    if !command.is_dry_run() {
        ctx.catch_up()?;
    }
    let done = dispatch::dispatch(&mut ctx, command);
    ctx.run_callouts();
    // The process ends here: the system takes the memory back at once, where freeing a big
    // tenant object by object takes a second at a million assignments. Nothing is left to
    // write (every commit is durable when it returns) and no lock is held between commands.
    std::mem::forget(ctx);
    done
}

/// The deepest subcommand's matches (where a command's own flags are).
fn leaf(m: &ArgMatches) -> &ArgMatches {
    match m.subcommand() {
        Some((_, sub)) => leaf(sub),
        None => m,
    }
}

/// What a command handler works with.
pub(crate) struct Ctx<'m> {
    pub session: Session,
    pub json: bool,
    /// `--csv`: lists and reports as CSV; anything else refuses it.
    pub csv: bool,
    pub matches: &'m ArgMatches,
    actor_err: Option<String>,
}

impl Ctx<'_> {
    pub fn t(&self) -> &Tenant {
        self.session.tenant()
    }

    /// The tenant's time now.
    pub fn now(&self) -> Time {
        self.session.now()
    }

    pub fn actor(&self) -> Result<&Actor> {
        match &self.actor_err {
            Some(e) => Err(anyhow!("{e}")),
            None => Ok(&self.session.actor),
        }
    }

    /// The signed-in directory user.
    pub fn me(&self) -> Result<UserId> {
        match self.actor()? {
            Actor::User { user } => Ok(*user),
            Actor::External { email, .. } => Err(anyhow!(
                "{email} is not in the directory yet: only a directory user can do this (a guest account is made on first delivery)"
            )),
            Actor::System => Err(anyhow!("Pass --as USER")),
        }
    }

    /// Fire the timers a live clock made due, so that reads show the present.
    fn catch_up(&mut self) -> Result<()> {
        if self.session.timer_due() {
            let fired = self.session.tick();
            self.warn();
            let fired = fired?;
            if !fired.is_empty() {
                format::warn(&format!("Meanwhile: {fired}"));
            }
        }
        Ok(())
    }

    /// Make the custom extensions' calls the command (or an earlier one) queued, now that its
    /// commit is done and the lock released; what each did goes to stderr.
    fn run_callouts(&mut self) {
        if !self.session.callouts_pending() || !self.session.store.is_writable() {
            return;
        }
        match self.session.run_callouts() {
            Ok(said) => said.iter().for_each(|s| format::warn(&format!("extension: {s}"))),
            Err(e) => format::warn(&format!("warning: custom extension calls wait for a later run: {e}")),
        }
        self.warn();
    }

    /// Print on stderr what the store noticed (a torn write kept aside, a failed compaction).
    fn warn(&mut self) {
        for w in self.session.warnings() {
            eprintln!("entitle: warning: {w}");
        }
    }

    /// Run a command as the signed-in actor and print what it did.
    pub fn exec(&mut self, command: Command) -> Result<Outcome> {
        self.actor()?;
        if self.csv {
            return Err(not_a_list());
        }
        // These commands' messages already say what fired.
        let says_fired = matches!(
            command,
            Command::Tick | Command::AdvanceClock { .. } | Command::SetClock { .. } | Command::EndReview { .. }
        );
        let out = self.session.run(command);
        self.warn();
        let out = out?;
        if self.json {
            format::emit_json(&serde_json::json!({
                "message": out.message,
                "created": out.created,
                "fired": format::fired_json(&out.fired),
            }))?;
        } else {
            let mut text = format!("{}\n", out.message);
            if !out.fired.is_empty() && !says_fired {
                text.push_str(&format!("Also: {}\n", out.fired));
            }
            format::emit(&text);
        }
        Ok(out)
    }

    /// Print a value as JSON when `--json`, else the text.
    pub fn show<T: serde::Serialize + ?Sized>(&self, value: &T, text: impl FnOnce() -> String) -> Result<()> {
        if self.csv {
            return Err(not_a_list());
        }
        if self.json {
            format::emit_json(value)
        } else {
            format::emit(&text());
            Ok(())
        }
    }

    /// Print a list or report: `value` as JSON when `--json`, the table as CSV when `--csv`,
    /// else the table as `text` renders it (with its empty-list sentence, a "more" line).
    pub fn show_table<T: serde::Serialize + ?Sized>(
        &self,
        value: &T,
        table: impl FnOnce() -> format::Table,
        text: impl FnOnce(&format::Table) -> String,
    ) -> Result<()> {
        if self.json {
            format::emit_json(value)
        } else if self.csv {
            format::emit_csv(&table())
        } else {
            format::emit(&text(&table()));
            Ok(())
        }
    }
}

/// `--csv` on a command that prints one object or makes a change.
fn not_a_list() -> anyhow::Error {
    usage(
        "--csv writes lists and reports (e.g. `entitle assignments --csv`); this command prints one object or makes a \
         change: drop --csv, or use --json",
    )
}
