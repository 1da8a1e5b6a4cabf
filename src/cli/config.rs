//! Config as code: `entitle export config [--catalog NAME]`, `entitle plan FILE` and
//! `entitle apply FILE` over the domain's export and plan and the session's one-entry apply.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use clap::{Args, Subcommand};

use super::{Ctx, format};
use crate::domain::config_graph::ConfigFile;
use crate::domain::config_plan::Plan;

#[derive(Debug, Subcommand)]
pub enum ExportCmd {
    /// Catalogs with their resources, extensions, packages and policies, and the connected
    /// organizations, as Microsoft Graph v1.0 JSON (directory objects by email or name)
    Config {
        /// Only this catalog (applying the file then touches only it)
        #[arg(long, value_name = "NAME")]
        catalog: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct ConfigFileArgs {
    /// A file written by `entitle export config`
    pub file: PathBuf,
}

pub(crate) fn export(ctx: &Ctx, c: ExportCmd) -> Result<()> {
    let ExportCmd::Config { catalog } = c;
    let file = ctx.t().export_config(ctx.actor()?, catalog.as_deref())?;
    let mut out = std::io::stdout().lock();
    out.write_all(file.to_text().as_bytes()).and_then(|()| out.flush()).context("writing the configuration")?;
    Ok(())
}

/// The file, read and parsed; the error names the file and where in it.
pub(crate) fn read(path: &Path) -> Result<ConfigFile> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    ConfigFile::parse(&text).map_err(|e| anyhow!("{} is not a configuration file: {e}", path.display()))
}

fn show_plan(ctx: &Ctx, plan: &Plan) -> Result<()> {
    ctx.show(plan, || plan.lines().join("\n") + "\n")
}

pub(crate) fn plan(ctx: &mut Ctx, a: ConfigFileArgs) -> Result<()> {
    ctx.actor()?;
    let file = read(&a.file)?;
    let plan = ctx.session.plan_config(&file)?;
    show_plan(ctx, &plan)?;
    match plan.errors.len() {
        0 => Ok(()),
        n => Err(anyhow!("the plan has {n} error(s): applying this file would change nothing")),
    }
}

pub(crate) fn apply(ctx: &mut Ctx, a: ConfigFileArgs) -> Result<()> {
    ctx.actor()?;
    let file = read(&a.file)?;
    let (plan, out) = ctx.session.apply_config(&file)?;
    if ctx.json {
        return format::emit_json(&serde_json::json!({
            "plan": plan,
            "message": out.as_ref().map(|o| o.message.clone()),
        }));
    }
    let mut text = plan.lines().join("\n") + "\n";
    if let Some(o) = out {
        text.push_str(&format!("{}\n", o.message));
    }
    format::emit(&text);
    Ok(())
}
