//! Custom extensions: the registry of a catalog, and a policy's stage settings from flags.

use anyhow::{Result, anyhow};

use super::args_ext::{CustomExtensionFlags, ExtensionCmd};
use super::format::{self, Table};
use super::{Ctx, usage};
use crate::domain::extensions::{CustomExtension, ExtensionSpec, ExtensionStage, StageSetting};
use crate::domain::reads::Read;
use crate::domain::{CatalogId, Command, PolicySpec, Tenant};

pub(crate) fn extension(ctx: &mut Ctx, c: ExtensionCmd) -> Result<()> {
    let t = ctx.t();
    let cmd = match c {
        ExtensionCmd::List { catalog } => return list(ctx, catalog.as_deref()),
        ExtensionCmd::Add { catalog, name, description, timeout, wait, command } => {
            let catalog = t.find_catalog(&catalog)?.id;
            let (program, arguments) = split(command)?;
            let mut spec = ExtensionSpec::new(&name, &program, arguments);
            spec.description = description;
            spec.wait_for_callback = wait;
            if let Some(s) = timeout {
                spec.timeout_seconds = s;
            }
            Command::AddExtension { catalog, spec }
        }
        ExtensionCmd::Update { extension, catalog, name, description, timeout, wait, command } => {
            let ext = find(t, &extension, catalog.as_deref())?;
            let mut spec = ext.spec.clone();
            if let Some(n) = name {
                spec.display_name = n;
            }
            if let Some(d) = description {
                spec.description = d;
            }
            if let Some(s) = timeout {
                spec.timeout_seconds = s;
            }
            if let Some(w) = wait {
                spec.wait_for_callback = w;
            }
            if !command.is_empty() {
                (spec.program, spec.arguments) = split(command)?;
            }
            Command::UpdateExtension { extension: ext.id, spec }
        }
        ExtensionCmd::Remove { extension, catalog } => {
            Command::RemoveExtension { extension: find(t, &extension, catalog.as_deref())?.id }
        }
    };
    ctx.exec(cmd).map(|_| ())
}

fn split(mut command: Vec<String>) -> Result<(String, Vec<String>)> {
    if command.is_empty() {
        return Err(usage("give the program to run after `--`, e.g. `-- tee -a /tmp/events.jsonl`"));
    }
    let program = command.remove(0);
    Ok((program, command))
}

/// An extension by id, or by name within a catalog (or the only one of that name).
fn find<'t>(t: &'t Tenant, key: &str, catalog: Option<&str>) -> Result<&'t CustomExtension> {
    if let Some(c) = catalog {
        return Ok(t.find_extension(t.find_catalog(c)?.id, key)?);
    }
    if let Ok(id) = key.parse() {
        return Ok(t.extension(id)?);
    }
    let named: Vec<&CustomExtension> =
        t.extensions.values().filter(|e| e.spec.display_name.eq_ignore_ascii_case(key.trim())).collect();
    match named.as_slice() {
        [one] => Ok(one),
        [] => Err(anyhow!("No custom extension '{key}': `entitle extension list` shows them")),
        _ => Err(anyhow!("Several catalogs have a custom extension '{key}': say which with --catalog")),
    }
}

fn list(ctx: &Ctx, catalog: Option<&str>) -> Result<()> {
    let t = ctx.t();
    let actor = ctx.actor()?;
    let cats: Vec<CatalogId> = match catalog {
        Some(c) => {
            let id = t.find_catalog(c)?.id;
            t.may_read(actor, Read::Catalog(id))?;
            vec![id]
        }
        None => t.catalogs.keys().copied().filter(|c| t.may_read(actor, Read::Catalog(*c)).is_ok()).collect(),
    };
    let list: Vec<&CustomExtension> = cats.iter().flat_map(|c| t.catalog_extensions(*c)).collect();
    let table = || {
        let mut tab = Table::new(&["ID", "NAME", "CATALOG", "COMMAND", "TIMEOUT", "WAITS", "POLICIES"]);
        for e in &list {
            let policies: Vec<String> = t.policies_calling(e.id).iter().map(ToString::to_string).collect();
            tab.row(vec![
                e.id.to_string(),
                e.spec.display_name.clone(),
                t.catalogs.get(&e.catalog).map(|c| c.display_name.clone()).unwrap_or_default(),
                e.spec.command_line(),
                format!("{} s", e.spec.timeout_seconds),
                format::yes_no(e.spec.wait_for_callback),
                policies.join(", "),
            ]);
        }
        tab
    };
    ctx.show_table(&list, table, |tab| {
        tab.render_or("No custom extensions: register one with `entitle extension add`\n")
    })
}

/// `--custom-extension STAGE=NAME` (replacing the stage settings) and `--no-custom-extensions`.
pub(crate) fn apply_stage_flags(
    t: &Tenant,
    catalog: CatalogId,
    spec: &mut PolicySpec,
    f: &CustomExtensionFlags,
) -> Result<()> {
    if f.no_custom_extensions {
        spec.custom_extension_stage_settings.clear();
    }
    if f.custom_extension.is_empty() {
        return Ok(());
    }
    let mut settings = vec![];
    for given in &f.custom_extension {
        let Some((stage, name)) = given.split_once('=') else {
            return Err(usage(format!(
                "--custom-extension takes STAGE=NAME, e.g. assignmentRequestGranted='Log to file'; got '{given}'"
            )));
        };
        let stage: ExtensionStage = stage.trim().parse().map_err(|_| {
            usage(format!(
                "'{stage}' is not a stage: assignmentRequestCreated, assignmentRequestApproved, assignmentRequestGranted, \
                 assignmentRequestRemoved, assignmentFourteenDaysBeforeExpiration or assignmentOneDayBeforeExpiration"
            ))
        })?;
        let ext = t.find_extension(catalog, name)?;
        settings.push(StageSetting { stage, custom_extension: ext.id });
    }
    spec.custom_extension_stage_settings = settings;
    Ok(())
}
