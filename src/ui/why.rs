//! Explain and what-if in the terminal app: why a person can or cannot request a package, why
//! they hold a resource (from My Access and the Directory), and a clock move previewed. Each
//! answer is the domain's (the same as the command line's), shown in a popup that scrolls.

use crate::domain::role::Role;
use crate::domain::when::when;
use crate::domain::{Actor, Command, PackageId, ResourceId, UserId};
use crate::ui::app::Effect;
use crate::ui::ask::{Ask, Explainable};
use crate::ui::ctx::Ctx;
use crate::ui::layers::Layer;
use crate::ui::widgets::picker::{PickItem, PickerState};
use crate::ui::widgets::prompt::PromptState;
use crate::ui::widgets::text_view::TextView;

/// The clock popup: a date or `+7d` moves the clock; ending it with `?` previews the move.
pub fn clock_jump_prompt() -> Effect {
    Effect::Open(Layer::Prompt(
        PromptState::new(
            Ask::ClockJump,
            "Move the clock",
            "Jump to (YYYY-MM-DD [HH:MM], or +7d; end with ? to preview)",
        )
        .validate(|s| when(s.trim_end().trim_end_matches('?')).err().map(|e| e.to_string())),
    ))
}

/// Whether what was typed into the clock popup asks for a preview (ends with `?`).
pub fn asks_preview(text: &str) -> bool {
    text.trim_end().ends_with('?')
}

/// The prompt of a clock move to preview.
pub fn clock_preview_prompt() -> Effect {
    Effect::Open(Layer::Prompt(
        PromptState::new(Ask::ClockPreview, "Preview a clock move", "Preview up to (YYYY-MM-DD [HH:MM], or +90d)")
            .validate(|s| when(s.trim_end().trim_end_matches('?')).err().map(|e| e.to_string())),
    ))
}

/// The clock moved to `text` (a trailing `?` aside) on a copy: what it would fire, in order,
/// with counts per kind.
pub fn clock_preview(ctx: &mut Ctx, text: &str) -> Effect {
    let to = match when(text.trim_end().trim_end_matches('?')) {
        Ok(w) => w.resolve(ctx.tenant().now()),
        Err(e) => return Effect::Reject(e.to_string()),
    };
    match ctx.session.preview(Command::SetClock { to }) {
        Ok(p) => Effect::Open(Layer::text(TextView::from_lines("Clock preview", p.lines()))),
        Err(e) => Effect::Reject(e.to_string()),
    }
}

/// Why `subject` can or cannot request the package, for the person signed in.
pub fn explain_request(ctx: &Ctx, subject: &Actor, package: PackageId) -> Effect {
    match ctx.tenant().explain_request(ctx.actor(), subject, package) {
        Ok(e) => Effect::Open(Layer::text(TextView::new(format!("Why: {}", e.package_name), &e.text()))),
        Err(e) => Effect::error(e.to_string()),
    }
}

/// Why `user` holds a role of the resource (every role they hold of it when `role` is None).
pub fn explain_holds(ctx: &Ctx, user: UserId, resource: ResourceId, role: Option<Role>) -> Effect {
    let record = |id| ctx.session.request_record(id).ok().flatten();
    let role = role.map(|r| r.to_string());
    match ctx.tenant().explain_holds(ctx.actor(), user, resource, role.as_deref(), &record) {
        Ok(e) => {
            let title = format!("Why {} holds {}", e.user_name, e.resource_name);
            Effect::Open(Layer::text(TextView::new(title, &e.text(role.as_deref()))))
        }
        Err(e) => Effect::error(e.to_string()),
    }
}

/// A prompt for a package to explain to the person signed in (by id or name).
pub fn package_prompt() -> Effect {
    Effect::Open(Layer::Prompt(PromptState::new(
        Ask::ExplainPackage,
        "Why can't I request it?",
        "Package id (pk12) or name",
    )))
}

/// The package typed into [`package_prompt`], explained to the person signed in.
pub fn explain_typed_package(ctx: &Ctx, text: &str) -> Effect {
    match ctx.tenant().find_package(text.trim()) {
        Ok(p) => explain_request(ctx, &ctx.actor().clone(), p.id),
        Err(e) => Effect::Reject(e.to_string()),
    }
}

/// For an administrator in the Directory: what to explain about a person, each membership
/// they hold (why?) and each package (can they request it?).
pub fn picker_for(ctx: &Ctx, user: UserId) -> Effect {
    let t = ctx.tenant();
    let mut offered: Vec<Explainable> =
        t.grants_of_user(user).map(|(k, _)| Explainable::Holds(k.resource, k.role)).collect();
    offered.extend(t.packages.values().filter(|p| !p.is_deleted()).map(|p| Explainable::Request(p.id)));
    if offered.is_empty() {
        return Effect::info("Nothing to explain");
    }
    let items = offered
        .iter()
        .enumerate()
        .map(|(i, x)| match x {
            Explainable::Holds(r, role) => PickItem::new(
                i.to_string(),
                format!("Holds {} {role}", t.resource_name(*r)),
                "why, and what if a source ended",
            ),
            Explainable::Request(p) => {
                let name = t.packages.get(p).map(|p| p.display_name.clone()).unwrap_or_default();
                PickItem::new(i.to_string(), format!("Request '{name}'"), "can they? every condition")
            }
        })
        .collect();
    let title = format!("Explain for {}", t.user_name(user));
    Effect::Open(Layer::Picker(PickerState::new(Ask::ExplainFor { user, offered }, title, items)))
}

/// The picker's choice, by its place among what was offered.
pub fn picked(ctx: &Ctx, user: UserId, offered: &[Explainable], ids: &[String]) -> Effect {
    let chosen = ids.first().and_then(|i| i.parse::<usize>().ok()).and_then(|i| offered.get(i));
    match chosen {
        Some(Explainable::Request(p)) => explain_request(ctx, &Actor::user(user), *p),
        Some(Explainable::Holds(r, role)) => explain_holds(ctx, user, *r, Some(*role)),
        None => Effect::None,
    }
}
