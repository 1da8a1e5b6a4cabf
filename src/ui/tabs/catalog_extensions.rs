//! The Catalogs tab's custom extensions: their rows, the extension form, and the answers to it
//! and to the removal's confirm. Each answer is one domain command; the domain checks the rest.

use crate::domain::extensions::{ExtensionSpec, TIMEOUT_SECONDS};
use crate::domain::{CatalogId, Command, ExtensionId};
use crate::ui::app::Effect;
use crate::ui::ask::Ask;
use crate::ui::ctx::Ctx;
use crate::ui::layers::Layer;
use crate::ui::tabs::common::{blank_cell, cell, muted_cell};
use crate::ui::widgets::confirm::ConfirmState;
use crate::ui::widgets::form::{Field, Form, FormValues};
use crate::ui::widgets::table::CellText;

/// A catalog's extensions, by name.
pub fn ids(ctx: &Ctx, cat: CatalogId) -> Vec<ExtensionId> {
    ctx.tenant().catalog_extensions(cat).iter().map(|e| e.id).collect()
}

pub fn row(ctx: &Ctx, id: &ExtensionId) -> Vec<CellText> {
    let t = ctx.tenant();
    let Some(e) = t.extensions.get(id) else { return vec![cell(id.to_string())] };
    let used = t.policies_calling(*id).len();
    vec![
        cell(e.spec.display_name.clone()),
        muted_cell(&ctx.theme, e.spec.command_line()),
        cell(format!("{} s", e.spec.timeout_seconds)),
        if e.spec.wait_for_callback { cell("waits") } else { blank_cell() },
        if used == 0 { blank_cell() } else { cell(format!("{used} pol")) },
    ]
}

/// The words of a command line: split at spaces, a word in single quotes kept whole.
fn words(line: &str) -> Vec<String> {
    let mut out = vec![];
    let mut quoted = false;
    let mut word: Option<String> = None;
    for ch in line.chars() {
        match ch {
            '\'' => {
                quoted = !quoted;
                word.get_or_insert_with(String::new);
            }
            c if c.is_whitespace() && !quoted => out.extend(word.take()),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    out.extend(word);
    out
}

/// The form for a new extension of `cat`, or for editing `editing`.
pub fn form(ctx: &Ctx, cat: CatalogId, editing: Option<ExtensionId>) -> Effect {
    let t = ctx.tenant();
    let Some(c) = t.catalogs.get(&cat) else { return Effect::None };
    let (spec, title) = match editing.and_then(|id| t.extensions.get(&id)) {
        Some(e) => (e.spec.clone(), format!("Edit custom extension '{}'", e.spec.display_name)),
        None => (ExtensionSpec::new("", "", vec![]), format!("New custom extension of '{}'", c.display_name)),
    };
    let max = i64::try_from(TIMEOUT_SECONDS.max).unwrap_or(i64::MAX);
    let min = i64::try_from(TIMEOUT_SECONDS.min).unwrap_or(1);
    let command = if spec.program.is_empty() { String::new() } else { spec.command_line() };
    let form = Form::new(Ask::Extension { catalog: cat, editing }, title)
        .field(Field::text("name", "Name").required().value(spec.display_name.clone()))
        .field(Field::text("description", "Description").value(spec.description.clone()))
        .field(
            Field::text("command", "Command")
                .required()
                .value(command)
                .help("A program and its arguments, run without a shell; the event arrives on its stdin"),
        )
        .field(
            Field::number("timeout", "Timeout (seconds)", min, max)
                .value(i64::from(spec.timeout_seconds))
                .help("The program is stopped after this long"),
        )
        .field(
            Field::toggle("wait", "Wait for its answer")
                .value(spec.wait_for_callback)
                .help("Launch and wait: a request waits for its answer (only when a request is created)"),
        );
    Effect::Open(Layer::form(form))
}

/// The command a submitted extension form makes.
pub fn command(catalog: CatalogId, editing: Option<ExtensionId>, values: &FormValues) -> Result<Command, String> {
    let mut line = words(values.text("command"));
    if line.is_empty() {
        return Err("Give the program to run, e.g. tee -a /tmp/events.jsonl".into());
    }
    let program = line.remove(0);
    let mut spec = ExtensionSpec::new(values.text("name"), &program, line);
    spec.description = values.text("description").to_string();
    spec.timeout_seconds = values.number("timeout").and_then(|n| u32::try_from(n).ok()).unwrap_or(spec.timeout_seconds);
    spec.wait_for_callback = values.bool("wait");
    Ok(match editing {
        Some(extension) => Command::UpdateExtension { extension, spec },
        None => Command::AddExtension { catalog, spec },
    })
}

pub fn confirm_remove(ctx: &Ctx, id: ExtensionId) -> Effect {
    let name = ctx.tenant().extensions.get(&id).map(|e| e.spec.display_name.clone()).unwrap_or_default();
    let msg = format!("Remove custom extension '{name}'? Calls already queued still run.");
    Effect::Open(Layer::Confirm(ConfirmState::new(Ask::RemoveExtension(id), "Remove extension", msg).default_no()))
}

#[cfg(test)]
mod tests {
    use super::words;

    #[test]
    fn a_command_line_splits_at_spaces_and_keeps_quoted_words_whole() {
        assert_eq!(words("tee -a '/tmp/my events.jsonl'"), vec!["tee", "-a", "/tmp/my events.jsonl"]);
        assert_eq!(words("  sh  -c ''  "), vec!["sh", "-c", ""]);
    }
}
