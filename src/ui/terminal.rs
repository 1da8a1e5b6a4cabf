//! Running the app in a real terminal: `ratatui::init`/`restore` (whose panic hook restores the
//! terminal), mouse capture and bracketed paste behind a guard, and an event loop that polls with a
//! timeout, drains every pending event, ticks, and redraws once per batch only when needed.

use std::io::{self, Write};
use std::time::{Duration, Instant};

use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use ratatui::crossterm::execute;

use crate::ui::app::{App, Shell};

/// How often the context is ticked (reload from disk, live clock).
pub const TICK: Duration = Duration::from_millis(500);

/// At most this many events are handled before a frame is drawn, so a flood cannot starve drawing.
const MAX_BATCH: usize = 512;

/// Mouse capture and bracketed paste, switched off again when dropped. Dropping never panics.
pub struct MouseGuard {
    _private: (),
}

impl MouseGuard {
    pub fn enable() -> io::Result<Self> {
        execute!(io::stdout(), EnableMouseCapture, EnableBracketedPaste)?;
        Ok(MouseGuard { _private: () })
    }
}

impl Drop for MouseGuard {
    fn drop(&mut self) {
        let mut out = io::stdout();
        let _ = execute!(out, DisableBracketedPaste, DisableMouseCapture);
        let _ = out.flush();
    }
}

/// Runs `app` until it quits. The terminal is restored on return, on error and on panic.
pub fn run<C: Shell>(app: &mut App<C>) -> io::Result<()> {
    run_with_tick(app, TICK)
}

pub fn run_with_tick<C: Shell>(app: &mut App<C>, tick: Duration) -> io::Result<()> {
    let mut terminal = ratatui::try_init()?;
    let result = MouseGuard::enable().and_then(|guard| {
        let r = event_loop(&mut terminal, app, tick);
        drop(guard);
        r
    });
    ratatui::restore();
    result
}

/// The loop itself, on any ratatui terminal.
pub fn event_loop<C: Shell>(terminal: &mut DefaultTerminal, app: &mut App<C>, tick: Duration) -> io::Result<()> {
    let mut last_tick = Instant::now();
    let mut dirty = true;
    while !app.should_quit() {
        if dirty || app.take_redraw() {
            terminal.draw(|frame| app.draw(frame))?;
            app.take_redraw();
            dirty = false;
        }
        let timeout = tick.saturating_sub(last_tick.elapsed());
        if event::poll(timeout)? {
            let mut handled = 0;
            loop {
                let ev = event::read()?;
                dirty |= app.handle_event(ev);
                handled += 1;
                if app.should_quit() || handled >= MAX_BATCH || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        }
        if last_tick.elapsed() >= tick {
            dirty |= app.tick();
            last_tick = Instant::now();
        }
    }
    Ok(())
}
