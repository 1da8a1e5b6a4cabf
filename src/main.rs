//! `entitle`: parse the command line and hand it to the CLI (or, with no command, the terminal app).

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use entitle::cli::Cli;

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    entitle::cli::run(cli, &matches)
}
