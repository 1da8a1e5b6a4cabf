//! Config as code in the app, from the Catalogs tab (global administrators): export the
//! configuration to a file (the status line says where), and apply a file: its plan shown
//! object by object, applied only on confirmation, its errors shown instead when it has any.

use std::path::{Path, PathBuf};

use crate::domain::config_graph::ConfigFile;
use crate::ui::action::Action;
use crate::ui::app::Effect;
use crate::ui::ask::Ask;
use crate::ui::ctx::Ctx;
use crate::ui::layers::{Layer, LayerResult};
use crate::ui::widgets::confirm::ConfirmState;
use crate::ui::widgets::prompt::PromptState;
use crate::ui::widgets::text_view::TextView;

/// The file offered by default, in the directory the app runs in.
const DEFAULT_FILE: &str = "entitle-config.json";

/// Whether the action is one of this module's.
pub fn is_config_action(action: Action) -> bool {
    matches!(action, Action::ExportConfig | Action::ApplyConfig)
}

/// Why the person signed in may not export or apply (the domain's rule), if they may not.
pub fn refusal(ctx: &Ctx, action: Action) -> Option<String> {
    let what = match action {
        Action::ExportConfig => "export the configuration",
        _ => "apply a configuration",
    };
    ctx.tenant().require_admin(ctx.actor(), what).err().map(|e| e.to_string())
}

/// The prompt for the file to write or to apply.
pub fn start(ctx: &Ctx, action: Action) -> Effect {
    if let Some(why) = refusal(ctx, action) {
        return Effect::error(why);
    }
    let (ask, title, label) = match action {
        Action::ExportConfig => {
            (Ask::ConfigExport, "Export the configuration", "Write the whole tenant's configuration to")
        }
        _ => (Ask::ConfigApply, "Apply a configuration file", "Plan the file (nothing changes before you confirm)"),
    };
    let prompt = PromptState::new(ask, title, label)
        .value(DEFAULT_FILE)
        .validate(|s| s.is_empty().then(|| "Give a file name".to_string()));
    Effect::Open(Layer::Prompt(prompt))
}

/// Whether the result answers one of this module's questions.
pub fn owns(result: &LayerResult) -> bool {
    matches!(result.id(), Ask::ConfigExport | Ask::ConfigApply | Ask::ApplyConfigFile { .. })
}

pub fn answer(ctx: &mut Ctx, result: LayerResult) -> Effect {
    match result {
        LayerResult::Prompted { id: Ask::ConfigExport, text } => export_to(ctx, &absolute(&text)),
        LayerResult::Prompted { id: Ask::ConfigApply, text } => plan_file(ctx, absolute(&text)),
        LayerResult::Confirmed { id: Ask::ApplyConfigFile { path, shown } } => apply_file(ctx, &path, &shown),
        // The plan's text under the confirm goes too.
        LayerResult::Declined { id: Ask::ApplyConfigFile { .. } } => {
            Effect::Batch(vec![Effect::Close, Effect::info("Nothing applied")])
        }
        _ => Effect::None,
    }
}

/// The path typed, from the directory the app runs in.
fn absolute(text: &str) -> PathBuf {
    let p = PathBuf::from(text.trim());
    if p.is_absolute() { p } else { std::env::current_dir().map(|d| d.join(&p)).unwrap_or(p) }
}

fn export_to(ctx: &Ctx, path: &Path) -> Effect {
    let file = match ctx.tenant().export_config(ctx.actor(), None) {
        Ok(f) => f,
        Err(e) => return Effect::Reject(e.to_string()),
    };
    match std::fs::write(path, file.to_text()) {
        Ok(()) => Effect::ok(format!(
            "Wrote the configuration ({} catalog(s), {} connected organization(s)) to {}",
            file.catalogs.len(),
            file.connected_organizations.len(),
            path.display()
        )),
        Err(e) => Effect::Reject(format!("Cannot write {}: {e}", path.display())),
    }
}

fn read(path: &Path) -> Result<ConfigFile, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("Cannot read {}: {e}", path.display()))?;
    ConfigFile::parse(&text).map_err(|e| format!("{} is not a configuration file: {e}", path.display()))
}

fn plan_file(ctx: &mut Ctx, path: PathBuf) -> Effect {
    let file = match read(&path) {
        Ok(f) => f,
        Err(e) => return Effect::Reject(e),
    };
    let plan = match ctx.session.plan_config(&file) {
        Ok(p) => p,
        Err(e) => return Effect::Reject(e.to_string()),
    };
    if plan.is_empty() {
        return Effect::info(format!("No changes: the tenant is as {} says", path.display()));
    }
    if !plan.errors.is_empty() {
        let title = format!("Plan of {}: {} error(s), nothing can be applied", path.display(), plan.errors.len());
        return Effect::Open(Layer::text(TextView::from_lines(title, plan.lines())));
    }
    let n = plan.changes.len();
    let question = format!("Apply these {n} change(s) from {}? All of them are saved, or none.", path.display());
    let title = format!("Plan of {}", path.display());
    let shown = plan.lines();
    Effect::Batch(vec![
        Effect::Open(Layer::text(TextView::from_lines(title, shown.clone()))),
        Effect::Open(Layer::Confirm(
            ConfirmState::new(Ask::ApplyConfigFile { path, shown }, "Apply the configuration", question).default_no(),
        )),
    ])
}

/// The file read again and applied, if planning it again against the data as it is now gives the
/// plan that was confirmed (the file or the data may have changed meanwhile).
fn apply_file(ctx: &mut Ctx, path: &Path, shown: &[String]) -> Effect {
    let result = read(path).and_then(|f| {
        let again = ctx.session.plan_config(&f).map_err(|e| e.to_string())?;
        if again.lines() != shown {
            return Err("The file or the data changed since the plan was shown: nothing applied; plan it again".into());
        }
        ctx.session.apply_config(&f).map_err(|e| e.to_string())
    });
    let said = match result {
        Ok((_, Some(out))) => Effect::ok(out.message),
        Ok((_, None)) => Effect::info("No changes"),
        Err(e) => Effect::error(e),
    };
    Effect::Batch(vec![Effect::Close, said, Effect::Refresh])
}
