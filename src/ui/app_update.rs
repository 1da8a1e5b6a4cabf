//! Events to actions, and actions to state: `update` routes top-down (the top layer, else the shell's
//! own actions, the current tab, then the context) and applies the resulting [`Effect`]s.

use ratatui::crossterm::event::{Event, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

use crate::ui::action::Action;
use crate::ui::app::{App, AppQuestion, Effect, LayerEntry, Owner, Shell, TabView};
use crate::ui::ask::Ask;
use crate::ui::keymap::Mode;
use crate::ui::layers::{Layer, LayerResult};
use crate::ui::widgets::Outcome;
use crate::ui::widgets::confirm::ConfirmState;
use crate::ui::widgets::form::FormOutcome;
use crate::ui::widgets::help::HelpState;
use crate::ui::widgets::popup::too_small;

/// Lines the mouse wheel moves.
const WHEEL_LINES: isize = 3;

/// Applies one action. Returns `Effect::Quit` when the app should end, `Effect::Unhandled` when
/// nothing used the action, else `Effect::None`.
pub fn update<C: Shell>(app: &mut App<C>, action: Action) -> Effect {
    if app.is_writing() {
        return app.action_while_writing(action);
    }
    let top_is_quit_question = app.layers.last().is_some_and(|e| e.owner == Owner::App(AppQuestion::Quit));
    if action == Action::ForceQuit {
        if top_is_quit_question {
            return app.apply(Effect::Quit, Owner::Shell);
        }
        return app.request_quit();
    }
    if !app.layers.is_empty() {
        return app.update_layer(action);
    }
    // The last message answered the last key: the next one, whatever it does, clears it (a
    // reload, a move, a tab), unless it leaves a message of its own.
    if app.message.take().is_some() {
        app.redraw = true;
    }
    match action {
        Action::Quit => return app.request_quit(),
        Action::Help => {
            let help = HelpState::new(&app.keymap, &app.help_scope());
            app.push_layer(Layer::Help(help), Owner::Shell);
            return Effect::None;
        }
        Action::NextTab | Action::PrevTab => {
            app.cycle_tab(action == Action::NextTab);
            return Effect::None;
        }
        Action::Export => {
            let effect = app.start_export();
            return app.apply(effect, Owner::Shell);
        }
        _ => {}
    }
    if let Some(i) = action.tab_index() {
        if let Some(t) = app.visible.get(i).copied() {
            app.switch_tab(t);
            return Effect::None;
        }
        return Effect::Unhandled;
    }
    let tab = app.tab;
    // A verb the domain refuses here says why at once, instead of opening what it would refuse.
    let refused = app.views.get(&tab).filter(|v| v.mode() == Mode::List).and_then(|v| v.refusal(&app.ctx, action));
    if let Some(why) = refused {
        return app.apply(Effect::error(why), Owner::Tab(tab));
    }
    let effect = match app.views.get_mut(&tab) {
        Some(view) => {
            if detail_keys(view.as_mut(), action) {
                Effect::None
            } else {
                view.handle(&mut app.ctx, action)
            }
        }
        None => Effect::Unhandled,
    };
    let effect = match effect {
        Effect::Unhandled => {
            let e = app.ctx.global(action);
            return app.apply(e, Owner::Shell);
        }
        e => e,
    };
    app.apply(effect, Owner::Tab(tab))
}

impl<C: Shell> App<C> {
    /// A key from the terminal: keymap lookup in the current mode, or typed text in text modes.
    pub fn handle_key(&mut self, key: KeyEvent) -> Effect {
        if key.kind == KeyEventKind::Release {
            return Effect::Unhandled;
        }
        let mode = self.mode();
        if let Some(action) = self.keymap.lookup(mode, key) {
            return update(self, action);
        }
        let plain = !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        match key.code {
            ratatui::crossterm::event::KeyCode::Char(c) if plain && mode.accepts_text() => self.type_char(c),
            _ => Effect::Unhandled,
        }
    }

    /// Typed text, to the top layer or the tab (when their mode takes text).
    pub fn type_char(&mut self, c: char) -> Effect {
        if self.is_writing() {
            return Effect::None;
        }
        self.redraw = true;
        let Some(entry) = self.layers.last_mut() else {
            let tab = self.tab;
            let e = match self.views.get_mut(&tab) {
                Some(v) => v.text(&mut self.ctx, c),
                None => Effect::Unhandled,
            };
            return self.apply(e, Owner::Tab(tab));
        };
        match &mut entry.layer {
            Layer::Prompt(p) => p.text(c),
            Layer::Picker(p) => p.text(c),
            Layer::Form(f) => {
                f.text(c);
            }
            _ => return Effect::Unhandled,
        }
        Effect::None
    }

    /// Any terminal event. Returns whether the screen should be redrawn.
    pub fn handle_event(&mut self, event: Event) -> bool {
        let handled = self.handle_event_inner(event);
        // A command may have left a warning (a torn write kept aside): it outranks its message.
        self.show_notice() || handled
    }

    fn handle_event_inner(&mut self, event: Event) -> bool {
        if self.shown_too_small() {
            return self.handle_while_too_small(event);
        }
        match event {
            Event::Key(k) => {
                let e = self.handle_key(k);
                !matches!(e, Effect::Unhandled)
            }
            Event::Mouse(m) => self.handle_mouse(m),
            Event::Paste(text) => {
                let mut any = false;
                if self.mode().accepts_text() {
                    for c in text.chars().filter(|c| !c.is_control()) {
                        any |= !matches!(self.type_char(c), Effect::Unhandled);
                    }
                }
                any
            }
            Event::Resize(..) => true,
            _ => false,
        }
    }

    /// Whether the last frame was the "terminal too small" notice (nothing else is on screen).
    fn shown_too_small(&self) -> bool {
        self.last_size != Rect::default() && too_small(self.last_size)
    }

    /// Below the minimum size the app is hidden: only a resize and the keys that quit act (the
    /// notice names the force-quit key); everything else would change a screen nobody sees.
    fn handle_while_too_small(&mut self, event: Event) -> bool {
        match event {
            Event::Resize(..) => true,
            Event::Key(k) if k.kind != KeyEventKind::Release => match self.keymap.lookup(self.mode(), k) {
                Some(Action::ForceQuit) => !matches!(update(self, Action::ForceQuit), Effect::Unhandled),
                Some(Action::Quit) if self.layers.is_empty() => {
                    !matches!(update(self, Action::Quit), Effect::Unhandled)
                }
                _ => false,
            },
            _ => false,
        }
    }

    /// Clicks on tab titles switch tabs; clicks and the wheel in the content go to the tab (or the
    /// wheel to the top layer as up/down).
    pub fn handle_mouse(&mut self, m: MouseEvent) -> bool {
        if self.is_writing() {
            return false;
        }
        let (col, row) = (m.column, m.row);
        let wheel = match m.kind {
            MouseEventKind::ScrollDown => Some(WHEEL_LINES),
            MouseEventKind::ScrollUp => Some(-WHEEL_LINES),
            _ => None,
        };
        if !self.layers.is_empty() {
            let Some(lines) = wheel else { return false };
            let action = if lines > 0 { Action::Down } else { Action::Up };
            for _ in 0..lines.unsigned_abs() {
                update(self, action);
            }
            return true;
        }
        let tab = self.tab;
        let effect = match (m.kind, wheel) {
            (MouseEventKind::Down(MouseButton::Left), _) => {
                let hit = self.last_tab_rects.iter().find(|(_, r)| r.contains((col, row).into()));
                if let Some((t, _)) = hit {
                    let t = *t;
                    self.switch_tab(t);
                    return true;
                }
                if !self.last_content.contains((col, row).into()) {
                    return false;
                }
                match self.views.get_mut(&tab) {
                    Some(v) => v.click(&mut self.ctx, col, row),
                    None => Effect::Unhandled,
                }
            }
            (_, Some(lines)) => match self.views.get_mut(&tab) {
                Some(v) if v.detail().is_some_and(|d| d.contains(col, row)) => {
                    if let Some(d) = v.detail_mut() {
                        d.scroll(lines);
                    }
                    Effect::None
                }
                Some(v) => v.scroll(&mut self.ctx, lines),
                None => Effect::Unhandled,
            },
            _ => Effect::Unhandled,
        };
        let used = !matches!(effect, Effect::Unhandled);
        self.apply(effect, Owner::Tab(tab));
        used
    }

    fn cycle_tab(&mut self, forward: bool) {
        let n = self.visible.len();
        if n == 0 {
            return;
        }
        let i = self.visible.iter().position(|t| *t == self.tab).unwrap_or(0);
        let next = if forward { (i + 1) % n } else { (i + n - 1) % n };
        self.tab = self.visible[next];
        self.freshen();
        self.redraw = true;
    }

    /// Quit now, or ask first when input would be lost.
    pub fn request_quit(&mut self) -> Effect {
        if self.is_dirty() {
            let ask = ConfirmState::new(Ask::Quit, "Quit", "Discard unsaved changes and quit?")
                .labels("Quit", "Stay")
                .default_no();
            self.push_layer(Layer::Confirm(ask), Owner::App(AppQuestion::Quit));
            return Effect::None;
        }
        self.apply(Effect::Quit, Owner::Shell)
    }

    fn update_layer(&mut self, action: Action) -> Effect {
        self.redraw = true;
        let Some(entry) = self.layers.last_mut() else {
            return Effect::Unhandled;
        };
        let finished: Option<LayerResult> = match &mut entry.layer {
            Layer::Help(h) => match h.handle(action) {
                Outcome::Cancel => return self.close_top(),
                o => return consumed(&o),
            },
            Layer::Text(v) => match v.handle(action) {
                Outcome::Cancel => return self.close_top(),
                o => return consumed(&o),
            },
            Layer::Message(_) => match action {
                Action::Back | Action::Open => return self.close_top(),
                _ => return Effect::Unhandled,
            },
            Layer::Confirm(c) => {
                let id = c.id.clone();
                match c.handle(action) {
                    Outcome::Done(()) => Some(LayerResult::Confirmed { id }),
                    Outcome::Cancel => Some(LayerResult::Declined { id }),
                    o => return consumed(&o),
                }
            }
            Layer::Prompt(p) => match p.handle(action) {
                Outcome::Done(text) => Some(LayerResult::Prompted { id: p.id.clone(), text }),
                Outcome::Cancel => return self.close_top(),
                o => return consumed(&o),
            },
            Layer::Picker(p) => match p.handle(action) {
                Outcome::Done(ids) => Some(match p.entered() {
                    Some(text) => LayerResult::Entered { id: p.id.clone(), text },
                    None => LayerResult::Picked { id: p.id.clone(), ids },
                }),
                Outcome::Cancel => return self.close_top(),
                o => return consumed(&o),
            },
            Layer::Form(f) => match f.handle(action) {
                FormOutcome::Submit(values) => Some(LayerResult::Submitted { id: f.id.clone(), values }),
                FormOutcome::Preview(values) => {
                    let result = LayerResult::Previewed { id: f.id.clone(), values };
                    return self.preview_layer(result);
                }
                FormOutcome::Cancel if f.is_dirty() => {
                    let ask = ConfirmState::new(Ask::DiscardForm, "Discard changes", "Discard your changes?")
                        .labels("Discard", "Keep editing")
                        .default_no();
                    self.push_layer(Layer::Confirm(ask), Owner::App(AppQuestion::DiscardForm));
                    return Effect::None;
                }
                FormOutcome::Cancel => return self.close_top(),
                FormOutcome::Pick { field, picker } => {
                    self.push_layer(Layer::Picker(*picker), Owner::FormField(field));
                    return Effect::None;
                }
                FormOutcome::Consumed => return Effect::None,
                FormOutcome::Ignored => return Effect::Unhandled,
            },
        };
        match finished {
            Some(result) => self.finish_layer(result),
            None => Effect::None,
        }
    }

    /// Hands a finished layer's result to its owner; closes the layer unless the owner rejects.
    fn finish_layer(&mut self, result: LayerResult) -> Effect {
        let Some(owner) = self.layers.last().map(|e| e.owner.clone()) else {
            return Effect::Unhandled;
        };
        let effect = match (&owner, result) {
            (Owner::App(q), LayerResult::Confirmed { .. }) => {
                self.layers.pop();
                return match q {
                    AppQuestion::Quit => self.apply(Effect::Quit, Owner::Shell),
                    AppQuestion::DiscardForm => self.close_top(),
                };
            }
            (Owner::App(_), _) => return self.close_top(),
            (Owner::FormField(field), LayerResult::Picked { ids, .. }) => {
                self.layers.pop();
                if let Some(LayerEntry { layer: Layer::Form(f), .. }) = self.layers.last_mut() {
                    f.set_picked(field, ids);
                }
                return Effect::None;
            }
            (Owner::FormField(_), _) => return self.close_top(),
            (Owner::Tab(t), result) => match self.views.get_mut(t) {
                Some(v) => v.on_result(&mut self.ctx, result),
                None => Effect::None,
            },
            (Owner::Shell, result) => self.ctx.on_result(result),
        };
        if let Effect::Reject(msg) = effect {
            if let Some(top) = self.layers.last_mut() {
                top.layer.reject(msg);
            }
            return Effect::None;
        }
        self.layers.pop();
        self.apply(effect, owner)
    }

    /// Hands a form's values to preview to its owner, keeping the form open under what it opens.
    fn preview_layer(&mut self, result: LayerResult) -> Effect {
        let Some(owner) = self.layers.last().map(|e| e.owner.clone()) else {
            return Effect::Unhandled;
        };
        let effect = match &owner {
            Owner::Tab(t) => match self.views.get_mut(t) {
                Some(v) => v.on_result(&mut self.ctx, result),
                None => Effect::None,
            },
            Owner::Shell => self.ctx.on_result(result),
            Owner::App(_) | Owner::FormField(_) => Effect::None,
        };
        if let Effect::Reject(msg) = effect {
            if let Some(top) = self.layers.last_mut() {
                top.layer.reject(msg);
            }
            return Effect::None;
        }
        self.apply(effect, owner)
    }

    fn close_top(&mut self) -> Effect {
        self.layers.pop();
        self.redraw = true;
        Effect::None
    }

    /// Carries out an effect returned by `owner`. Returns `Quit`, `Unhandled` or `None`.
    pub(super) fn apply(&mut self, effect: Effect, owner: Owner) -> Effect {
        if let Effect::Unhandled = effect {
            return Effect::Unhandled;
        }
        self.redraw = true;
        match effect {
            Effect::None | Effect::Reject(_) | Effect::Unhandled => {}
            Effect::Quit => {
                self.quit = true;
                return Effect::Quit;
            }
            Effect::Open(layer) => self.push_layer(layer, owner),
            Effect::Close => {
                self.layers.pop();
            }
            Effect::Message(m) => self.message = Some(m),
            Effect::SwitchTab(t) => self.switch_tab(t),
            Effect::Jump(t, to) => {
                self.switch_tab(t);
                if let Some(v) = self.views.get_mut(&t) {
                    v.jump(&self.ctx, &to);
                }
            }
            Effect::VisibleTabs(tabs) => self.set_visible_tabs(tabs),
            Effect::Refresh => self.refresh_views(),
            Effect::Batch(effects) => {
                let mut out = Effect::None;
                for e in effects {
                    if let Effect::Quit = self.apply(e, owner.clone()) {
                        out = Effect::Quit;
                    }
                }
                return out;
            }
        }
        Effect::None
    }
}

fn consumed<T>(o: &Outcome<T>) -> Effect {
    match o {
        Outcome::Ignored => Effect::Unhandled,
        _ => Effect::None,
    }
}

/// The keys of a tab's detail pane: while it has the focus, scrolling and leaving it; else `]`
/// on a list focuses the list's details when they have more than they show, and `]` there goes
/// on to the tab's next list. Whether it used `action`.
fn detail_keys<C>(view: &mut dyn TabView<C>, action: Action) -> bool {
    let follows = view.details_follow_focus();
    let Some(d) = view.detail_mut() else { return false };
    if d.focused() {
        return d.handle(action);
    }
    if action == Action::NextPane && follows && d.overflows() {
        d.focus(true);
        return true;
    }
    false
}
