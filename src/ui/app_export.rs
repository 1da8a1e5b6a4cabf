//! `ctrl-e` in the shell: the list on screen written to a CSV file (see [`crate::ui::export`]),
//! at once when it is short, else a slice at a time while nobody types. While a list is being
//! written, keys other than `esc` (which stops it) and force-quit do nothing, nor do the mouse
//! and typed text, and reloads wait: the rows asked for at each slice are those of the list as
//! it was when `ctrl-e` was pressed.

use std::time::{Duration, Instant};

use crate::ui::action::Action;
use crate::ui::app::{App, Effect, Owner, Shell};
use crate::ui::app_update::update;
use crate::ui::export::{AT_ONCE, Writing};

/// The time the key press itself gives the writing (beyond its [`AT_ONCE`] rows).
const ON_THE_PRESS: Duration = Duration::from_millis(8);

impl<C: Shell> App<C> {
    /// `ctrl-e`: starts writing the list on screen; writes it whole when it is short.
    pub(super) fn start_export(&mut self) -> Effect {
        let Some((dir, today)) = self.ctx.export_to() else {
            return Effect::error("This screen cannot write files");
        };
        let tab = self.tab;
        let Some(view) = self.views.get(&tab) else { return no_list() };
        let mut started = None;
        view.export(&self.ctx, &mut |pane, _| started = Some(Writing::start(&dir, pane, today)));
        match started {
            None => no_list(),
            Some(Err(e)) => Effect::error(e),
            Some(Ok(w)) => {
                self.writing = Some((tab, w));
                let until = Instant::now().checked_add(ON_THE_PRESS).unwrap_or_else(Instant::now);
                self.write_export(until, AT_ONCE)
            }
        }
    }

    /// Whether a list is being written.
    pub fn is_writing(&self) -> bool {
        self.writing.is_some()
    }

    /// Writes the list on until `until` (at least `at_least` rows): the tab first reads what its
    /// list still lacks, for half the time. The message: how far it is, or how it ended.
    pub(super) fn write_export(&mut self, until: Instant, at_least: usize) -> Effect {
        let Some((tab, mut w)) = self.writing.take() else { return Effect::None };
        let Some(view) = self.views.get_mut(&tab) else { return Effect::error(w.stop()) };
        if !view.list_complete() {
            let now = Instant::now();
            let half = until.saturating_duration_since(now) / 2;
            view.idle(&self.ctx, now.checked_add(half).unwrap_or(now));
        }
        let complete = view.list_complete();
        let (mut written, mut total) = (None, 0usize);
        view.export(&self.ctx, &mut |pane, rows| {
            total = pane.state.view_len();
            written = Some(w.write_some(pane, rows, at_least, until));
        });
        match written {
            None => Effect::error(w.stop()),
            Some(Err(e)) => Effect::error(e),
            Some(Ok(true)) if complete => match w.finish() {
                Ok(said) => Effect::ok(said),
                Err(e) => Effect::error(e),
            },
            Some(Ok(_)) => {
                let said = w.progress_due(total, complete);
                self.writing = Some((tab, w));
                said.map_or(Effect::None, Effect::info)
            }
        }
    }

    /// Stops the writing, removing the part written.
    fn stop_export(&mut self) {
        if let Some((_, w)) = self.writing.take() {
            let said = w.stop();
            self.apply(Effect::info(said), Owner::Shell);
        }
    }

    /// An action while a list is being written: `esc` stops it, force-quit stops it and quits;
    /// anything else waits (nothing else may change the list being written).
    pub(super) fn action_while_writing(&mut self, action: Action) -> Effect {
        match action {
            Action::Back => {
                self.stop_export();
                Effect::None
            }
            Action::ForceQuit => {
                self.stop_export();
                update(self, Action::ForceQuit)
            }
            _ => Effect::None,
        }
    }

    /// A slice of the writing while nobody types; whether more is left.
    pub(super) fn export_a_while(&mut self, until: Instant) -> bool {
        let effect = self.write_export(until, 0);
        self.apply(effect, Owner::Shell);
        self.writing.is_some()
    }
}

fn no_list() -> Effect {
    Effect::info("This screen shows no list to write to a CSV file")
}
