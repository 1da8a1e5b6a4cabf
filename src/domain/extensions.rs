//! Custom extensions [accessPackageAssignmentRequestWorkflowExtension]: a catalog's registry of
//! programs to call at the stages of a request's life, and the policies' stage settings
//! [customExtensionStageSettings] that attach them. The calls themselves are queued state (see
//! `extension_calls`); a runner outside the domain makes them after the commit.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use strum::{Display, EnumIter, EnumString};

use super::Time;
use super::access::PolicySpec;
use super::bounds::{self, Field, Span};
use super::command::{Outcome, created, done};
use super::error::{DomainError, DomainResult, not_found};
use super::ids::{CatalogId, ExtensionId, PolicyId};
use super::rights::Actor;
use super::serde_util::secs;
use super::tenant::Tenant;

/// How long a call may run before it is killed (Graph's timeoutInMilliseconds is bounded too).
pub const TIMEOUT_SECONDS: Span = Span::new(1, 300, "seconds");
/// The timeout a new extension gets when none is given.
pub const DEFAULT_TIMEOUT_SECONDS: u32 = 30;
/// Arguments after the program.
pub const ARGUMENTS: Span = Span::new(0, 32, "arguments");
/// Extensions one catalog may hold.
pub const PER_CATALOG: usize = 50;

/// The stages a policy can call an extension at [accessPackageCustomExtensionStage].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Display, EnumIter, EnumString,
)]
#[serde(rename_all = "camelCase")]
#[strum(serialize_all = "camelCase", ascii_case_insensitive)]
pub enum ExtensionStage {
    AssignmentRequestCreated,
    AssignmentRequestApproved,
    AssignmentRequestGranted,
    AssignmentRequestRemoved,
    AssignmentFourteenDaysBeforeExpiration,
    AssignmentOneDayBeforeExpiration,
}

impl ExtensionStage {
    pub fn label(self) -> &'static str {
        match self {
            ExtensionStage::AssignmentRequestCreated => "Request is created",
            ExtensionStage::AssignmentRequestApproved => "Request is approved",
            ExtensionStage::AssignmentRequestGranted => "Assignment is granted",
            ExtensionStage::AssignmentRequestRemoved => "Assignment is removed",
            ExtensionStage::AssignmentFourteenDaysBeforeExpiration => "14 days before the assignment expires",
            ExtensionStage::AssignmentOneDayBeforeExpiration => "1 day before the assignment expires",
        }
    }
    /// The stage of the expiry notice `days` before the end, if the service has one.
    pub fn before_expiry(days: u32) -> Option<Self> {
        match days {
            14 => Some(ExtensionStage::AssignmentFourteenDaysBeforeExpiration),
            1 => Some(ExtensionStage::AssignmentOneDayBeforeExpiration),
            _ => None,
        }
    }
}

/// What an administrator sets on an extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtensionSpec {
    pub display_name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The program to run (no shell: found on the PATH or given by path).
    pub program: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arguments: Vec<String>,
    /// Killed after this long [clientConfiguration.timeoutInMilliseconds, in seconds].
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u32,
    /// "Launch and wait" [callbackConfiguration]: a request waits for its answer (only at
    /// "request created").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub wait_for_callback: bool,
}

fn default_timeout() -> u32 {
    DEFAULT_TIMEOUT_SECONDS
}

impl ExtensionSpec {
    pub fn new(name: &str, program: &str, arguments: Vec<String>) -> Self {
        ExtensionSpec {
            display_name: name.to_string(),
            description: String::new(),
            program: program.to_string(),
            arguments,
            timeout_seconds: DEFAULT_TIMEOUT_SECONDS,
            wait_for_callback: false,
        }
    }
    /// The command line as shown: program and arguments, each quoted when it holds a space.
    pub fn command_line(&self) -> String {
        std::iter::once(&self.program)
            .chain(&self.arguments)
            .map(|a| if a.is_empty() || a.contains(char::is_whitespace) { format!("'{a}'") } else { a.clone() })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomExtension {
    pub id: ExtensionId,
    pub catalog: CatalogId,
    #[serde(flatten)]
    pub spec: ExtensionSpec,
    #[serde(with = "secs")]
    pub created_at: Time,
}

/// One stage setting of a policy [customExtensionStageSetting]: call this extension then.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageSetting {
    pub stage: ExtensionStage,
    pub custom_extension: ExtensionId,
}

/// Why an extension command or a stage setting was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "reason")]
pub enum ExtensionRefusal {
    /// Another extension of the catalog has the name.
    NameTaken { extension: ExtensionId },
    /// Policies call it: detach it from them first.
    InUse { policies: Vec<PolicyId> },
    /// A policy may call only its own catalog's extensions.
    OtherCatalog { extension: ExtensionId, catalog: CatalogId },
    /// A request can wait only for an extension at "request created".
    WaitingAtLaterStage { extension: ExtensionId, stage: ExtensionStage },
    /// One extension per stage of a policy, as in the service.
    StageTaken { stage: ExtensionStage },
    /// The call was made already, or is no longer queued.
    CallGone,
    /// Another runner took the call and may still be running it.
    CallRunning,
}

pub(crate) fn refused(refusal: ExtensionRefusal, message: String) -> DomainError {
    DomainError::Extension { refusal, message }
}

fn check_spec(spec: &ExtensionSpec) -> DomainResult<()> {
    bounds::check_name(Field::Name, &spec.display_name, "An extension")?;
    bounds::check_text(Field::Description, &spec.description, bounds::DESCRIPTION_CHARS)?;
    bounds::check_name(Field::ExtensionProgram, &spec.program, "An extension's program")?;
    ARGUMENTS.check(Field::ExtensionArguments, i128::try_from(spec.arguments.len()).unwrap_or(i128::MAX))?;
    for a in &spec.arguments {
        bounds::check_line(Field::ExtensionArguments, a)?;
    }
    TIMEOUT_SECONDS.check(Field::ExtensionTimeout, spec.timeout_seconds)
}

impl Tenant {
    pub fn extension(&self, id: ExtensionId) -> DomainResult<&CustomExtension> {
        self.extensions
            .get(&id)
            .ok_or_else(|| not_found(format!("No custom extension {id}: `extension list` shows them")))
    }

    /// A catalog's extensions, by name.
    pub fn catalog_extensions(&self, cat: CatalogId) -> Vec<&CustomExtension> {
        let mut all: Vec<&CustomExtension> = self.extensions.values().filter(|e| e.catalog == cat).collect();
        all.sort_by(|a, b| a.spec.display_name.cmp(&b.spec.display_name));
        all
    }

    /// An extension of `cat` by name (case-insensitive) or id.
    pub fn find_extension(&self, cat: CatalogId, key: &str) -> DomainResult<&CustomExtension> {
        if let Ok(id) = key.parse::<ExtensionId>()
            && let Some(e) = self.extensions.get(&id).filter(|e| e.catalog == cat)
        {
            return Ok(e);
        }
        self.extensions
            .values()
            .find(|e| e.catalog == cat && e.spec.display_name.eq_ignore_ascii_case(key.trim()))
            .ok_or_else(|| {
                not_found(format!("The catalog has no custom extension '{key}': `extension list` shows them"))
            })
    }

    /// A policy's stage settings in words: "Assignment is granted: 'Log to file' (ext12)".
    pub fn stage_setting_lines(&self, spec: &PolicySpec) -> Vec<String> {
        spec.custom_extension_stage_settings
            .iter()
            .map(|s| {
                let name = self.extensions.get(&s.custom_extension).map_or("?", |e| e.spec.display_name.as_str());
                let waits = self.extensions.get(&s.custom_extension).is_some_and(|e| e.spec.wait_for_callback);
                let waits = if waits { ", waits for its answer" } else { "" };
                format!("{}: '{name}' ({}{waits})", s.stage.label(), s.custom_extension)
            })
            .collect()
    }

    /// The policies that call an extension, at any stage.
    pub fn policies_calling(&self, ext: ExtensionId) -> Vec<PolicyId> {
        self.policies
            .values()
            .filter(|p| p.spec.custom_extension_stage_settings.iter().any(|s| s.custom_extension == ext))
            .map(|p| p.id)
            .collect()
    }

    /// Whoever owns the catalog (or an administrator) manages its extensions: they run programs.
    pub(crate) fn check_extension_spec(
        &self,
        actor: &Actor,
        cat: CatalogId,
        spec: &ExtensionSpec,
        editing: Option<ExtensionId>,
    ) -> DomainResult<()> {
        self.check_manage_extensions(actor, cat)?;
        self.within(check_spec(spec))?;
        let name = spec.display_name.trim();
        if let Some(other) = self.extensions.values().find(|e| {
            e.catalog == cat && Some(e.id) != editing && e.spec.display_name.trim().eq_ignore_ascii_case(name)
        }) {
            return Err(refused(
                ExtensionRefusal::NameTaken { extension: other.id },
                format!("The catalog already has an extension named '{name}' ({}): choose another name", other.id),
            ));
        }
        if editing.is_none() && self.extensions.values().filter(|e| e.catalog == cat).count() >= PER_CATALOG {
            return Err(DomainError::Limit(format!(
                "The catalog already has {PER_CATALOG} custom extensions, the limit; edit or remove one instead"
            )));
        }
        if let Some(id) = editing.filter(|_| spec.wait_for_callback) {
            self.check_wait_only_when_created(id, &self.stages_calling(id))?;
        }
        Ok(())
    }

    /// Whoever owns the catalog (or an administrator) manages its extensions.
    pub fn check_manage_extensions(&self, actor: &Actor, cat: CatalogId) -> DomainResult<()> {
        self.catalog(cat)?;
        self.require_catalog_owner(actor, cat, "manage the catalog's custom extensions")
    }

    fn stages_calling(&self, ext: ExtensionId) -> BTreeSet<ExtensionStage> {
        self.policies
            .values()
            .flat_map(|p| p.spec.custom_extension_stage_settings.iter())
            .filter(|s| s.custom_extension == ext)
            .map(|s| s.stage)
            .collect()
    }

    fn check_wait_only_when_created(&self, ext: ExtensionId, stages: &BTreeSet<ExtensionStage>) -> DomainResult<()> {
        match stages.iter().find(|s| **s != ExtensionStage::AssignmentRequestCreated) {
            Some(stage) => Err(refused(
                ExtensionRefusal::WaitingAtLaterStage { extension: ext, stage: *stage },
                format!(
                    "A request can wait only for an extension called when it is created, and {ext} is called at \
                     '{}': call it at assignmentRequestCreated, or do not wait for its answer",
                    stage.label()
                ),
            )),
            None => Ok(()),
        }
    }

    pub(crate) fn cmd_add_extension(
        &mut self,
        actor: &Actor,
        cat: CatalogId,
        spec: &ExtensionSpec,
    ) -> DomainResult<Outcome> {
        self.check_extension_spec(actor, cat, spec, None)?;
        let id = ExtensionId(self.alloc());
        let ext = CustomExtension { id, catalog: cat, spec: spec.clone(), created_at: self.clock.now };
        let msg = format!("Registered custom extension '{}' ({id}): runs {}", spec.display_name, spec.command_line());
        self.audit_change(actor, "customExtension.created", id, msg.clone(), None, Some(&ext));
        self.extensions.insert(id, ext);
        created(id, msg)
    }

    pub(crate) fn cmd_update_extension(
        &mut self,
        actor: &Actor,
        id: ExtensionId,
        spec: &ExtensionSpec,
    ) -> DomainResult<Outcome> {
        let before = self.extension(id)?.clone();
        self.check_extension_spec(actor, before.catalog, spec, Some(id))?;
        let after = CustomExtension { spec: spec.clone(), ..before.clone() };
        let msg = format!("Updated custom extension '{}' ({id})", spec.display_name);
        self.audit_change(actor, "customExtension.updated", id, msg.clone(), Some(&before), Some(&after));
        self.extensions.insert(id, after);
        done(msg)
    }

    /// Refused while a policy calls it (the refusal names them); calls already queued still run.
    pub(crate) fn check_remove_extension(&self, actor: &Actor, id: ExtensionId) -> DomainResult<CustomExtension> {
        let ext = self.extension(id)?.clone();
        self.require_catalog_owner(actor, ext.catalog, "manage the catalog's custom extensions")?;
        let policies = self.policies_calling(id);
        if !policies.is_empty() {
            let names: Vec<String> = policies
                .iter()
                .filter_map(|p| self.policies.get(p))
                .map(|p| format!("'{}' ({})", p.spec.display_name, p.id))
                .collect();
            return Err(refused(
                ExtensionRefusal::InUse { policies },
                format!(
                    "Custom extension '{}' is called by {}: remove it from their stages first",
                    ext.spec.display_name,
                    names.join(", ")
                ),
            ));
        }
        Ok(ext)
    }

    pub(crate) fn cmd_remove_extension(&mut self, actor: &Actor, id: ExtensionId) -> DomainResult<Outcome> {
        let ext = self.check_remove_extension(actor, id)?;
        let msg = format!("Removed custom extension '{}' ({id})", ext.spec.display_name);
        self.audit_change(actor, "customExtension.deleted", id, msg.clone(), Some(&ext), None);
        self.extensions.remove(&id);
        done(msg)
    }

    /// A policy's stage settings: each names an extension of the package's catalog, one per
    /// stage, and one to wait for only at "request created".
    pub(crate) fn check_stage_settings(&self, cat: CatalogId, spec: &PolicySpec) -> DomainResult<()> {
        let mut seen = BTreeSet::new();
        for s in &spec.custom_extension_stage_settings {
            let ext = self.extension(s.custom_extension)?;
            if ext.catalog != cat {
                return Err(refused(
                    ExtensionRefusal::OtherCatalog { extension: ext.id, catalog: ext.catalog },
                    format!(
                        "Custom extension '{}' belongs to another catalog: a policy calls only its own catalog's \
                         extensions; register it in this catalog",
                        ext.spec.display_name
                    ),
                ));
            }
            if !seen.insert(s.stage) {
                return Err(refused(
                    ExtensionRefusal::StageTaken { stage: s.stage },
                    format!("A policy calls one extension at '{}': keep one of them", s.stage.label()),
                ));
            }
            if ext.spec.wait_for_callback {
                self.check_wait_only_when_created(ext.id, &BTreeSet::from([s.stage]))?;
            }
        }
        Ok(())
    }
}
