//! `extension add/list/update/remove` and the policy flags that attach extensions to stages.

use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum ExtensionCmd {
    /// Custom extensions (of one catalog, or of every catalog you have a role in)
    List {
        /// The catalog: name or id
        #[arg(long)]
        catalog: Option<String>,
    },
    /// Register a custom extension on a catalog: a program run (without a shell) at the stages
    /// of a request's life that policies attach it to, the event as JSON on its stdin
    #[command(after_help = "Examples:
  entitle extension add --catalog Marketing --name 'Log to file' -- tee -a /tmp/entitle-events.jsonl
  entitle extension add --catalog Marketing --name 'SoD check' --wait --timeout 20 -- /usr/local/bin/sod-check")]
    Add {
        #[arg(long)]
        catalog: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        description: String,
        /// Kill the program after this many seconds (1 to 300; default 30)
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<u32>,
        /// Launch and wait: a request waits for the program's answer (only at request created)
        #[arg(long)]
        wait: bool,
        /// The program and its arguments, after `--`
        #[arg(last = true, required = true, value_name = "PROGRAM ARGS")]
        command: Vec<String>,
    },
    /// Change a custom extension (only the flags given)
    Update {
        /// The extension: name or id
        extension: String,
        /// Its catalog, when the name is not an id
        #[arg(long)]
        catalog: Option<String>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<u32>,
        /// Launch and wait (true) or launch and continue (false)
        #[arg(long, value_name = "BOOL")]
        wait: Option<bool>,
        /// A new program and its arguments, after `--`
        #[arg(last = true, value_name = "PROGRAM ARGS")]
        command: Vec<String>,
    },
    /// Remove a custom extension no policy calls
    Remove {
        extension: String,
        #[arg(long)]
        catalog: Option<String>,
    },
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Custom extensions")]
pub struct CustomExtensionFlags {
    /// Call a custom extension of the package's catalog at a stage: STAGE=NAME, where STAGE is
    /// assignmentRequestCreated, assignmentRequestApproved, assignmentRequestGranted,
    /// assignmentRequestRemoved, assignmentFourteenDaysBeforeExpiration or
    /// assignmentOneDayBeforeExpiration (repeat the flag; replaces the policy's stage settings)
    #[arg(long, visible_alias = "extension", value_name = "STAGE=NAME")]
    pub custom_extension: Vec<String>,
    /// Call no custom extension
    #[arg(long, conflicts_with = "custom_extension")]
    pub no_custom_extensions: bool,
}
