//! Config as code, the plan and the apply. A file is compared with the tenant object by object
//! (catalogs by name, packages by name in their catalog, policies by name in their package,
//! extensions by name in their catalog, connected organizations by name), and every difference
//! becomes the command the CLI or the app would run for it. The commands are tried, in order, on a
//! copy of the tenant: what one of them refuses is an error of the plan, naming the object and
//! the rule, as is a reference the directory cannot answer. What the file's scope holds and the
//! file does not is deleted, where the domain allows it.
//!
//! `apply` commits the plan's commands as one journal entry ([`Command::ApplyConfig`]): the
//! tenant applies them to a copy of itself and keeps the copy only if every one succeeds, so a
//! refusal, or a crash before the entry is written, leaves nothing of it.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

use super::command::{Command, Entry, Outcome, done};
use super::config_export::{
    catalog_spec, org_spec, package_spec, render_catalog_head, render_extension, render_package_head, render_resource,
};
use super::config_graph::*;
use super::config_import::{import_catalog, import_extension, import_package};
use super::error::{DomainError, DomainResult, invalid};
use super::ids::*;
use super::rights::Actor;
use super::tenant::Tenant;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    Create,
    Change,
    Delete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ObjectKind {
    ConnectedOrganization,
    Catalog,
    CustomExtension,
    AccessPackage,
    AssignmentPolicy,
}

impl ObjectKind {
    pub fn label(self) -> &'static str {
        match self {
            ObjectKind::ConnectedOrganization => "connected organization",
            ObjectKind::Catalog => "catalog",
            ObjectKind::CustomExtension => "custom extension",
            ObjectKind::AccessPackage => "access package",
            ObjectKind::AssignmentPolicy => "assignment policy",
        }
    }
}

/// One property of an object, as the file writes it: `old` and `new` in compact JSON, `None`
/// where the object has no such value (created, deleted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertyChange {
    pub property: String,
    /// The value as the file writes it (any JSON value), not its text.
    pub old: Option<Value>,
    pub new: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectChange {
    pub action: Action,
    pub kind: ObjectKind,
    /// The object's path of names: `Catalog / Package / Policy`.
    pub object: String,
    pub properties: Vec<PropertyChange>,
    /// What the domain says the command does (a deleted package's assignments run to their end).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A part of the file that cannot be applied: the object, and the rule or the unknown reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanError {
    pub kind: ObjectKind,
    pub object: String,
    pub message: String,
    #[serde(skip)]
    pub error: DomainError,
}

impl PlanError {
    /// The refusal as the domain's typed error, naming the object.
    pub fn to_error(&self) -> DomainError {
        DomainError::Config {
            object: format!("{} '{}'", self.kind.label(), self.object),
            refusal: Box::new(self.error.clone()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub scope: FileScope,
    pub changes: Vec<ObjectChange>,
    pub errors: Vec<PlanError>,
    /// The commands that make the changes, in order, with the ids they would create.
    #[serde(skip)]
    pub commands: Vec<Command>,
}

impl Plan {
    /// Nothing to do and nothing wrong: the tenant is as the file says.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.errors.is_empty()
    }

    /// The command that applies the plan, or its first error.
    pub fn to_command(&self) -> DomainResult<Command> {
        match self.errors.first() {
            Some(e) => Err(e.to_error()),
            None => Ok(Command::ApplyConfig { commands: self.commands.clone() }),
        }
    }

    /// The plan as lines: `+` create, `~` change, `-` delete, `!` error; properties indented.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![];
        for c in &self.changes {
            let (sign, verb) = match c.action {
                Action::Create => ('+', "create"),
                Action::Change => ('~', "change"),
                Action::Delete => ('-', "delete"),
            };
            let note = c.note.as_ref().map(|n| format!(": {n}")).unwrap_or_default();
            out.push(format!("{sign} {verb} {} '{}'{note}", c.kind.label(), c.object));
            for p in &c.properties {
                out.push(match (&p.old, &p.new) {
                    (Some(o), Some(n)) => format!("    {}: {o} -> {n}", p.property),
                    (None, Some(n)) => format!("    {}: {n}", p.property),
                    (Some(o), None) => format!("    {}: {o} -> (none)", p.property),
                    (None, None) => format!("    {}", p.property),
                });
            }
        }
        for e in &self.errors {
            out.push(format!("! {} '{}': {}", e.kind.label(), e.object, e.message));
        }
        if out.is_empty() {
            out.push("No changes: the tenant is as the file says.".into());
        }
        out
    }
}

impl Tenant {
    /// What applying `file` would create, change and delete, object by object, and what would
    /// refuse. Global administrators only; the tenant is not changed.
    pub fn plan_config(&self, actor: &Actor, file: &ConfigFile) -> DomainResult<Plan> {
        self.require_admin(actor, "plan a configuration")?;
        check_file(file)?;
        let mut run = Run {
            t: self.clone(),
            dir: super::config_import::DirectoryNames::of(self),
            actor,
            plan: Plan { scope: file.entitle.scope, changes: vec![], errors: vec![], commands: vec![] },
        };
        run.all(file);
        Ok(run.plan)
    }

    /// The commands of a plan, each as if run alone, on a copy kept only if all succeed.
    pub(crate) fn cmd_apply_config(&mut self, actor: &Actor, commands: &[Command]) -> DomainResult<Outcome> {
        self.require_admin(actor, "apply a configuration")?;
        let mut work = self.clone();
        let at = self.clock.now;
        let n = commands.len();
        for (i, c) in commands.iter().enumerate() {
            if !is_config_command(c) {
                return Err(invalid(format!("change {} of {n} is not a configuration command", i + 1)));
            }
            let entry = Entry { at, actor: actor.clone(), command: c.clone() };
            match work.apply(&entry) {
                Ok(_) => {}
                // As it is: replaying the journal retries an entry that today's ranges refuse
                // under the ranges it was written under (`Tenant::replay`).
                Err(e @ DomainError::OutOfRange { .. }) => return Err(e),
                Err(e) => {
                    let object = format!("change {} of {n}", i + 1);
                    return Err(DomainError::Config { object, refusal: Box::new(e) });
                }
            }
        }
        // The copy has no place to spill history to: it keeps its lines in memory, and this
        // tenant keeps the commit's place.
        let spill = std::mem::take(&mut self.idx.spill);
        *self = work;
        self.idx.spill = spill;
        let msg = format!("Applied the configuration: {n} change(s)");
        self.audit(actor, "configuration.applied", ObjectRef::Configuration {}, &msg);
        done(msg)
    }
}

/// Only what configures: never time, requests, decisions, nor another batch.
fn is_config_command(c: &Command) -> bool {
    use Command as C;
    matches!(
        c,
        C::CreateOrg { .. }
            | C::UpdateOrg { .. }
            | C::DeleteOrg { .. }
            | C::CreateCatalog { .. }
            | C::UpdateCatalog { .. }
            | C::DeleteCatalog { .. }
            | C::AddCatalogResource { .. }
            | C::RemoveCatalogResource { .. }
            | C::GrantCatalogRole { .. }
            | C::RevokeCatalogRole { .. }
            | C::CreatePackage { .. }
            | C::UpdatePackage { .. }
            | C::DeletePackage { .. }
            | C::AddIncompatible { .. }
            | C::RemoveIncompatible { .. }
            | C::AddResourceRole { .. }
            | C::RemoveResourceRole { .. }
            | C::AddExtension { .. }
            | C::UpdateExtension { .. }
            | C::RemoveExtension { .. }
            | C::CreatePolicy { .. }
            | C::UpdatePolicy { .. }
            | C::DeletePolicy { .. }
    )
}

fn check_file(file: &ConfigFile) -> DomainResult<()> {
    if file.entitle.format != FORMAT {
        return Err(invalid(format!(
            "The file is in format {}; this entitle reads format {FORMAT}: export it again",
            file.entitle.format
        )));
    }
    if file.entitle.scope == FileScope::Catalog
        && (file.catalogs.len() != 1 || !file.connected_organizations.is_empty())
    {
        return Err(invalid(
            "A file of scope 'catalog' holds exactly one catalog and no connected organizations: export it with --catalog",
        ));
    }
    if let Some(n) = twice(file.catalogs.iter().map(|c| c.display_name.as_str())) {
        return Err(invalid(format!("The file holds two catalogs named '{n}': a catalog's name is unique")));
    }
    if let Some(n) = twice(file.connected_organizations.iter().map(|o| o.display_name.as_str())) {
        return Err(invalid(format!("The file holds two connected organizations named '{n}': merge them")));
    }
    Ok(())
}

/// The first name given twice.
fn twice<'a>(names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut seen = BTreeSet::new();
    names.map(str::trim).find(|n| !seen.insert(*n))
}

/// The differences between two renderings, leaf by leaf (`stages[0].durationBeforeAutomaticDenial`).
/// Arrays of different lengths differ as a whole.
pub(crate) fn diff(path: &str, old: Option<&Value>, new: Option<&Value>, out: &mut Vec<PropertyChange>) {
    let join = |k: &str| if path.is_empty() { k.to_string() } else { format!("{path}.{k}") };
    match (old, new) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                diff(&join(k), a.get(k), b.get(k), out);
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                diff(&format!("{path}[{i}]"), Some(x), Some(y), out);
            }
        }
        (a, b) if a != b => out.push(PropertyChange {
            property: path.to_string(),
            old: a.filter(|v| !v.is_null()).cloned(),
            new: b.filter(|v| !v.is_null()).cloned(),
        }),
        _ => {}
    }
}

fn value<T: Serialize>(x: &T) -> Value {
    serde_json::to_value(x).unwrap_or(Value::Null)
}

/// The properties of a new object worth listing: its values that say something.
fn created<T: Serialize>(x: &T) -> Vec<PropertyChange> {
    let Value::Object(map) = value(x) else { return vec![] };
    map.into_iter()
        .filter(|(_, v)| !v.is_null() && v != &Value::Array(vec![]) && v != &Value::String(String::new()))
        .map(|(k, v)| PropertyChange { property: k, old: None, new: Some(v) })
        .collect()
}

fn changed<T: Serialize>(old: &T, new: &T) -> Vec<PropertyChange> {
    let mut out = vec![];
    diff("", Some(&value(old)), Some(&value(new)), &mut out);
    out
}

/// A plan being made: the copy of the tenant the commands are tried on.
struct Run<'a> {
    t: Tenant,
    /// The directory's names (a plan does not change the directory).
    dir: super::config_import::DirectoryNames,
    actor: &'a Actor,
    plan: Plan,
}

mod phases;
mod record;
