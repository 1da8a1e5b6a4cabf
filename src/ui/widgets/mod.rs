//! Reusable, domain-agnostic widgets. Each has a state type with `handle(Action)` (and `text(char)`
//! where it takes typing) and a pure `render`.

pub mod confirm;
pub mod detail;
pub mod form;
mod form_field;
mod form_render;
pub mod help;
pub mod input;
pub mod list_pane;
pub mod picker;
pub mod popup;
pub mod prompt;
pub mod status;
pub mod table;
pub mod tabs;
pub mod text_view;
pub mod wrap;

/// What a popup widget did with an action.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<T> {
    /// Not an action this widget uses.
    Ignored,
    /// Used; the widget stays open.
    Consumed,
    /// The user backed out.
    Cancel,
    /// The user finished, with this result.
    Done(T),
}
