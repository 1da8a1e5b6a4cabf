//! `entitle`: parse the command line, then run the terminal app (no command) or the command.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use entitle::cli::Cli;

fn main() -> ExitCode {
    // Before anything is allocated: with ENTITLE_HUGE_PAGES, a compaction's `fork` stays cheap.
    entitle::store::use_huge_pages();
    entitle::store::keep_freed_memory();
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    match cli.command {
        None => entitle::ui::run::main(
            cli.data.as_deref(),
            cli.lock_timeout.as_deref(),
            cli.as_user.as_deref(),
            cli.tenant.as_deref(),
            cli.export_dir.as_deref(),
        ),
        Some(_) => entitle::cli::run(cli, &matches),
    }
}
