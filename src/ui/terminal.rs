//! Running the app in a real terminal: `ratatui::init`/`restore` (whose panic hook restores the
//! terminal), mouse capture and bracketed paste behind a guard, and an event loop that polls with a
//! timeout, drains every pending event, ticks, and redraws once per batch only when needed.
//!
//! While a command waits for another process's lock, the [`lock_waiter`] keeps the screen alive:
//! it writes "waiting for another process… (Esc gives up)" on the bottom line, updated as time
//! passes, and reads the keyboard: Esc gives the command up (it is then not done, and the status
//! bar says so), Ctrl-C gives it up and quits. Those two keys are fixed here, as the wait is
//! outside any mode of the keymap. The loop redraws the whole screen afterwards.
//!
//! SIGTERM, SIGHUP, SIGINT and SIGQUIT end the app the way `q` does (on Unix): the loop sees the
//! signal within [`SIGNAL_CHECK`], leaves, and the terminal is restored (alternate screen left,
//! cursor shown, mouse reporting off). A loop that cannot leave (reading a terminal that hung up)
//! is ended by a watchdog after [`SIGNAL_GRACE`]. Nothing is lost: every commit is durable when it returns,
//! and signals are only looked at between two events. A second signal while the first is being
//! handled ends the process at once (the default action).

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ratatui::DefaultTerminal;
use ratatui::crossterm::cursor::{MoveTo, RestorePosition, SavePosition};
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event, KeyCode,
    KeyEventKind, KeyModifiers,
};
use ratatui::crossterm::style::{Attribute, Print, SetAttribute};
use ratatui::crossterm::terminal::{Clear, ClearType};
use ratatui::crossterm::{execute, queue};

use crate::store::{Wait, Waiter, Waiting};
use crate::ui::app::{App, Shell};

/// The longest slice of work done while nobody types (see `App::idle`): a key pressed meanwhile
/// waits at most about this long before it is read.
pub const IDLE_SLICE: Duration = Duration::from_millis(8);

/// How often the context is ticked (reload from disk, live clock).
pub const TICK: Duration = Duration::from_millis(500);

/// The longest the loop waits before it looks at the signals again.
pub const SIGNAL_CHECK: Duration = Duration::from_millis(100);

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

/// What a [`lock_waiter`] tells the event loop (it drew over the screen, or Ctrl-C was pressed),
/// and the signal that asked the app to end, if one did.
#[derive(Debug, Default)]
pub struct WaitSignals {
    drew: AtomicBool,
    quit: AtomicBool,
    /// The number of the signal received (0: none).
    signal: Arc<AtomicUsize>,
    /// Whether a signal came already (a second one then takes its default action).
    seen: Arc<AtomicBool>,
}

impl WaitSignals {
    /// The signal that asked the app to end, if any.
    pub fn signal(&self) -> Option<i32> {
        i32::try_from(self.signal.load(Ordering::Relaxed)).ok().filter(|s| *s != 0)
    }

    /// Records `signal` as received (what the signal handler does).
    pub fn raise(&self, signal: i32) {
        self.signal.store(usize::try_from(signal).unwrap_or(usize::MAX), Ordering::Relaxed);
    }
}

/// How the app ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The user quit.
    Quit,
    /// A signal asked it to end (its number).
    Signal(i32),
}

/// The signals that end the app, watched while it runs; dropped, their default action returns.
struct SignalWatch {
    #[cfg(unix)]
    ids: Vec<signal_hook::SigId>,
    #[cfg(unix)]
    watchdog: Option<signal_hook::iterator::Handle>,
}

/// How long the loop has to leave after a signal before the process ends without it: a terminal
/// that hung up leaves the loop stuck reading it (crossterm reads its end of file again and again).
const SIGNAL_GRACE: Duration = Duration::from_secs(2);

impl SignalWatch {
    #[cfg(unix)]
    fn start(signals: &WaitSignals) -> io::Result<SignalWatch> {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
        const ENDING: [i32; 4] = [SIGTERM, SIGHUP, SIGINT, SIGQUIT];
        let mut ids = Vec::new();
        for sig in ENDING {
            let value = usize::try_from(sig).unwrap_or(usize::MAX);
            // A second signal while the first is handled takes its default action at once.
            ids.push(signal_hook::flag::register_conditional_default(sig, signals.seen.clone())?);
            ids.push(signal_hook::flag::register(sig, signals.seen.clone())?);
            ids.push(signal_hook::flag::register_usize(sig, signals.signal.clone(), value)?);
        }
        // The watchdog: if the loop has not left within the grace period (it is stuck reading a
        // terminal that is gone), the terminal is restored as far as it still can be and the
        // process ends with the signal's code. Every commit is durable when it returns.
        let mut waiting = signal_hook::iterator::Signals::new(ENDING)?;
        let watchdog = Some(waiting.handle());
        std::thread::spawn(move || {
            if let Some(sig) = waiting.forever().next() {
                std::thread::sleep(SIGNAL_GRACE);
                ratatui::restore();
                let _ = execute!(io::stdout(), DisableBracketedPaste, DisableMouseCapture);
                std::process::exit(sig.saturating_add(128));
            }
        });
        Ok(SignalWatch { ids, watchdog })
    }

    #[cfg(not(unix))]
    fn start(_signals: &WaitSignals) -> io::Result<SignalWatch> {
        Ok(SignalWatch {})
    }
}

impl Drop for SignalWatch {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            for id in self.ids.drain(..) {
                signal_hook::low_level::unregister(id);
            }
            if let Some(h) = self.watchdog.take() {
                h.close();
            }
        }
    }
}

/// The store's waiter for the terminal app (see the module documentation).
pub fn lock_waiter(signals: Arc<WaitSignals>) -> Waiter {
    Box::new(move |w: &Waiting| {
        if signals.signal().is_some() {
            return Wait::GiveUp;
        }
        signals.drew.store(true, Ordering::Relaxed);
        // Drawing is best effort: a failure leaves the old screen, and the wait goes on.
        let _ = draw_waiting(w);
        while event::poll(Duration::ZERO).unwrap_or(false) {
            let Ok(Event::Key(k)) = event::read() else { continue };
            if k.kind != KeyEventKind::Press {
                continue;
            }
            if k.code == KeyCode::Esc {
                return Wait::GiveUp;
            }
            if k.modifiers.contains(KeyModifiers::CONTROL) && matches!(k.code, KeyCode::Char('c' | 'C')) {
                signals.quit.store(true, Ordering::Relaxed);
                return Wait::GiveUp;
            }
        }
        Wait::KeepWaiting
    })
}

/// The waiting line, in reverse video on the bottom row, cut to the width of the terminal.
fn draw_waiting(w: &Waiting) -> io::Result<()> {
    let (cols, rows) = ratatui::crossterm::terminal::size()?;
    let who = match &w.holder {
        Some(h) => format!(": {h}"),
        None => String::new(),
    };
    let text = format!(
        " waiting for another process… {:.0} of {:.0} s (Esc gives up){who}",
        w.waited.as_secs_f64(),
        w.timeout.as_secs_f64()
    );
    let line: String = text.chars().filter(|c| !c.is_control()).take(usize::from(cols)).collect();
    let mut out = io::stdout();
    queue!(out, SavePosition, MoveTo(0, rows.saturating_sub(1)), Clear(ClearType::CurrentLine))?;
    queue!(out, SetAttribute(Attribute::Reverse), Print(line), SetAttribute(Attribute::Reset), RestorePosition)?;
    out.flush()
}

/// Runs `app` until it quits or a signal ends it. The terminal is restored on return, on error,
/// on a signal and on panic.
pub fn run<C: Shell>(app: &mut App<C>) -> io::Result<Ended> {
    run_with_tick(app, TICK, Arc::default())
}

/// [`run`] with another tick, and the signals of the [`lock_waiter`] the app's store uses.
pub fn run_with_tick<C: Shell>(app: &mut App<C>, tick: Duration, signals: Arc<WaitSignals>) -> io::Result<Ended> {
    let watch = SignalWatch::start(&signals)?;
    let mut terminal = ratatui::try_init()?;
    let result = MouseGuard::enable().and_then(|guard| {
        let r = event_loop(&mut terminal, app, tick, &signals);
        drop(guard);
        r
    });
    ratatui::restore();
    drop(watch);
    result.map(|()| signals.signal().map_or(Ended::Quit, Ended::Signal))
}

/// The loop itself, on any ratatui terminal.
pub fn event_loop<C: Shell>(
    terminal: &mut DefaultTerminal,
    app: &mut App<C>,
    tick: Duration,
    signals: &WaitSignals,
) -> io::Result<()> {
    let mut last_tick = Instant::now();
    let mut dirty = true;
    // Whether the app has work for the time nobody types (see `App::idle`): done a slice at a
    // time between looks at the keyboard, and looked for again after anything happened.
    let mut idle_work = true;
    while !app.should_quit() {
        if signals.signal().is_some() {
            break;
        }
        if signals.quit.swap(false, Ordering::Relaxed) {
            app.quit = true;
            break;
        }
        if signals.drew.swap(false, Ordering::Relaxed) {
            // The waiting line was written past ratatui's buffers: blank the screen and forget
            // the last frame, so the next draw paints everything (`Terminal::clear` would
            // also ask the terminal where its cursor is, which not every terminal answers).
            execute!(io::stdout(), Clear(ClearType::All))?;
            terminal.swap_buffers();
            dirty = true;
        }
        if dirty || app.take_redraw() {
            terminal.draw(|frame| app.draw(frame))?;
            app.take_redraw();
            dirty = false;
        }
        let timeout =
            if idle_work { Duration::ZERO } else { tick.saturating_sub(last_tick.elapsed()).min(SIGNAL_CHECK) };
        if event::poll(timeout)? {
            idle_work = true;
            let mut handled = 0;
            loop {
                let ev = event::read()?;
                dirty |= app.handle_event(ev);
                handled += 1;
                if app.should_quit() || handled >= MAX_BATCH || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        } else if idle_work {
            idle_work = app.idle(Instant::now().checked_add(IDLE_SLICE).unwrap_or_else(Instant::now));
        }
        if last_tick.elapsed() >= tick {
            let changed = app.tick();
            idle_work |= changed;
            dirty |= changed;
            last_tick = Instant::now();
        }
    }
    Ok(())
}
