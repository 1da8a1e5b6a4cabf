//! The terminal app at scale: key press to frame drawn, and open to first frame.
//!
//! The app is driven as `tests/ui_*.rs` drive it: [`build_app`] over a [`Session`], keys through
//! [`App::handle_key`] (so the keymap routes them), each frame drawn on a ratatui `TestBackend` of
//! 120x35. One press is timed from the key handed to the app to the frame drawn.
//!
//! Keys are measured on a tenant with [`UI_USERS`] users in the Directory: the run's scale tenant
//! when it has that many (`full`), else one generated beside it with as many users (but never more
//! users than assignments, so the smoke size stays small for CI). Open to first frame is measured
//! on the run's scale tenant, as a plain user and as the administrator.

use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use entitle::domain::{Actor, Tenant, UserId};
use entitle::scale::ScaleParams;
use entitle::session::Session;
use entitle::store::Store;
use entitle::ui::ctx::Ctx;
use entitle::ui::keymap::KeyBinding;
use entitle::ui::run::build_app;
use entitle::ui::terminal::IDLE_SLICE;
use entitle::ui::{App, Keymap, Tab, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyEvent;

/// Users wanted in the Directory for the key figures.
pub const UI_USERS: usize = 100_000;
/// Presses timed for each key figure (at least).
pub const PRESSES: usize = 200;
/// Characters of each filter typed.
pub const FILTER_LEN: usize = 5;
/// The terminal size the frames are drawn at.
pub const SIZE: (u16, u16) = (120, 35);

/// Percentiles of the times of many presses of one key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Latency {
    pub presses: usize,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl Latency {
    pub fn of(times: &mut [Duration]) -> Latency {
        times.sort_unstable();
        let at = |q: usize| {
            let i = (times.len().saturating_mul(q) / 100).min(times.len().saturating_sub(1));
            times.get(i).copied().unwrap_or_default()
        };
        Latency { presses: times.len(), p50: at(50), p99: at(99), max: times.last().copied().unwrap_or_default() }
    }
}

/// From `Store::open` to the first frame drawn, and its parts: the store's open, then the app
/// built (its tabs read the tenant), then the frame drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FirstFrame {
    pub total: Duration,
    pub store_open: Duration,
    pub app_built: Duration,
}

/// What was pressed (e.g. "Directory: move (j)") and how long each press took to a frame.
pub type Presses = Vec<(String, Latency)>;

#[derive(Debug, Clone, PartialEq)]
pub struct UiFigures {
    /// Users in the Directory of the tenant the keys were measured on, and its assignments.
    pub users: usize,
    pub assignments: usize,
    pub keys: Presses,
    /// Per person and list tab: the data changed (the tab re-reads it) to the frame drawn.
    pub changes: Presses,
    /// Per tab (and person, for the list tabs): the tab chosen to its first frame drawn, once.
    pub switches: Vec<(String, Duration)>,
    pub first_filter: FirstFilter,
    pub first_frame_user: FirstFrame,
    pub first_frame_admin: FirstFrame,
}

/// The Directory's first `/` after a change of the data (its rows re-read): with nothing
/// indexed, and once the app had the time between key presses to index its rows (`App::idle`
/// in slices of `IDLE_SLICE`, as the terminal's loop gives it).
#[derive(Debug, Clone, PartialEq)]
pub struct FirstFilter {
    pub cold: Duration,
    pub slices: Latency,
    pub warm: Duration,
}

/// The sizes of the tenant the keys are measured on.
pub fn key_params(params: ScaleParams) -> ScaleParams {
    ScaleParams { users: params.users.max(UI_USERS.min(params.assignments)), ..params }
}

/// Measures everything: first frames on `data` (the run's scale tenant, made with `params`),
/// keys on a tenant with enough users (generated under `root/cache` when `data` has too few).
pub fn measure(data: &Path, root: &Path, params: ScaleParams) -> Result<UiFigures> {
    let admin = admin_key();
    let user = user_key(params.users);
    let first_frame_admin = first_frame(data, &admin)?;
    let first_frame_user = first_frame(data, &user)?;
    let kp = key_params(params);
    let key_data = if kp == params { data.to_path_buf() } else { generated(root, kp)? };
    let (mut keys, mut switches, first_filter, users, assignments) = keys(&key_data)?;
    let (after_idle, mut slices) = directory_after_idle(&key_data)?;
    switches.push((format!("{}, as the administrator, once the app was idle", Tab::Directory), after_idle));
    keys.push((
        "the app's idle work after its first frame (a key press waits for one slice at most), each slice".to_string(),
        Latency::of(&mut slices),
    ));
    let (tab_keys, changes, tab_switches) = list_tabs(&key_data)?;
    keys.extend(tab_keys);
    switches.extend(tab_switches);
    Ok(UiFigures { users, assignments, keys, changes, switches, first_filter, first_frame_user, first_frame_admin })
}

/// The scale tenant's administrator (the generator's first user) and a plain user (its last).
fn admin_key() -> String {
    "user0@scale.example".into()
}

fn user_key(users: usize) -> String {
    format!("user{users}@scale.example")
}

/// A data directory of a scale tenant with `params`, generated in this process unless a
/// generation newer than this benchmark's binary is cached.
pub fn generated(root: &Path, params: ScaleParams) -> Result<PathBuf> {
    let dir = root.join("cache").join(format!("ui-{}u-{}a-seed{}", params.users, params.assignments, params.seed));
    let data = dir.join("data");
    let exe = std::env::current_exe()?;
    let stale = |p: &Path| {
        let modified = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
        match (modified(p), modified(&exe)) {
            (Some(f), Some(t)) => f < t,
            _ => true,
        }
    };
    if stale(&data.join("tenant.json")) {
        if dir.exists() {
            fs::remove_dir_all(&dir).with_context(|| format!("clearing {}", dir.display()))?;
        }
        fs::create_dir_all(&dir)?;
        entitle::scale::generate(&data, params)?;
    }
    Ok(data)
}

/// The app signed in as `who`, and how long the store's open and the app's build took.
pub fn open_app(data: &Path, who: &str) -> Result<(App<Ctx>, Duration, Duration)> {
    let t0 = Instant::now();
    let store = Store::<Tenant>::open(data)?.ok_or_else(|| anyhow!("no tenant in {}", data.display()))?;
    let store_open = t0.elapsed();
    let t1 = Instant::now();
    let actor = store.state().resolve_actor_key(who).map_err(|e| anyhow!("{who}: {e}"))?;
    if matches!(actor, Actor::External { .. }) {
        return Err(anyhow!("{who} is not in the directory of {}", data.display()));
    }
    let session = Session::new(store, actor);
    let app = build_app(session, data, Keymap::defaults(), Theme::monochrome());
    Ok((app, store_open, t1.elapsed()))
}

pub fn terminal() -> Result<Terminal<TestBackend>> {
    Ok(Terminal::new(TestBackend::new(SIZE.0, SIZE.1))?)
}

pub fn draw(term: &mut Terminal<TestBackend>, app: &mut App<Ctx>) -> Result<()> {
    term.draw(|f| app.draw(f))?;
    Ok(())
}

/// From opening the store to the first frame drawn, signed in as `who`.
pub fn first_frame(data: &Path, who: &str) -> Result<FirstFrame> {
    let t0 = Instant::now();
    let (mut app, store_open, app_built) = open_app(data, who)?;
    let mut term = terminal()?;
    draw(&mut term, &mut app)?;
    let total = t0.elapsed();
    drop(app);
    Ok(FirstFrame { total, store_open, app_built })
}

/// My Access > Requests opened as the administrator (who assigned every direct assignment by
/// hand: hundreds of thousands of finished requests): the app opened and its first frame drawn,
/// then the time from the key that shows the Requests list to its frame drawn, `runs` times.
pub fn requests_first_open(data: &Path, runs: usize) -> Result<String> {
    let mut out = String::new();
    for run in 1..=runs {
        let (mut app, store_open, _) = open_app(data, &admin_key())?;
        let mut term = terminal()?;
        app.switch_tab(Tab::MyAccess);
        draw(&mut term, &mut app)?;
        let shown = press(&mut term, &mut app, "]")?;
        let read = app.ctx.session.pages.records_read();
        out.push_str(&format!(
            "My Access > Requests, first open, as the administrator (run {run}): {} (store open {}; {read} records read)\n",
            ms(shown),
            ms(store_open)
        ));
    }
    Ok(out)
}

pub fn key(name: &str) -> Result<KeyEvent> {
    let b = KeyBinding::from_str(name).map_err(|e| anyhow!("{name}: {e}"))?;
    Ok(KeyEvent::new(b.code, b.mods))
}

/// Presses `name` and draws the frame; the time it took.
fn press(term: &mut Terminal<TestBackend>, app: &mut App<Ctx>, name: &str) -> Result<Duration> {
    let k = key(name)?;
    let t0 = Instant::now();
    app.handle_key(k);
    draw(term, app)?;
    Ok(t0.elapsed())
}

/// The key figures, as the administrator: the Directory's move, open, filter and Esc, then a move
/// on every other list tab. Returns them with the tenant's users and assignments.
/// The tab chosen (as its key chooses it: the tab reads what it shows) to its frame drawn.
fn switch(term: &mut Terminal<TestBackend>, app: &mut App<Ctx>, tab: Tab) -> Result<Option<Duration>> {
    let t0 = Instant::now();
    app.switch_tab(tab);
    if app.current_tab() != tab {
        return Ok(None);
    }
    draw(term, app)?;
    Ok(Some(t0.elapsed()))
}

type Switches = Vec<(String, Duration)>;

fn keys(data: &Path) -> Result<(Presses, Switches, FirstFilter, usize, usize)> {
    let (mut app, _, _) = open_app(data, &admin_key())?;
    let (users, assignments) = {
        let t = app.ctx.tenant();
        (t.users.len(), t.assignments.len())
    };
    let mut term = terminal()?;
    let Some(first) = switch(&mut term, &mut app, Tab::Directory)? else {
        return Err(anyhow!("the administrator does not see the Directory"));
    };
    let mut switches = vec![(format!("{}, as the administrator", Tab::Directory), first)];
    let mut out = vec![];
    let mut moves = vec![];
    for _ in 0..PRESSES {
        moves.push(press(&mut term, &mut app, "j")?);
    }
    out.push(("Directory: move (j)".to_string(), Latency::of(&mut moves)));
    let (mut opens, mut closes) = (vec![], vec![]);
    for _ in 0..PRESSES {
        opens.push(press(&mut term, &mut app, "enter")?);
        closes.push(press(&mut term, &mut app, "esc")?);
        press(&mut term, &mut app, "j")?;
    }
    out.push(("Directory: open the details (Enter)".to_string(), Latency::of(&mut opens)));
    out.push(("Directory: close the details (Esc)".to_string(), Latency::of(&mut closes)));
    // The first `/` after a change of the data: with no time between key presses the filter
    // indexes every row itself; with the idle time the app has, sliced as the terminal's loop
    // slices it, the index is made before it.
    app.refresh_views();
    let cold = press(&mut term, &mut app, "/")?;
    press(&mut term, &mut app, "esc")?;
    app.refresh_views();
    let mut slices = idle_slices(&mut app);
    let warm = press(&mut term, &mut app, "/")?;
    press(&mut term, &mut app, "esc")?;
    let first_filter = FirstFilter { cold, slices: Latency::of(&mut slices), warm };
    let (mut starts, mut typed, mut cleared) = (vec![], vec![], vec![]);
    for i in 0..PRESSES {
        starts.push(press(&mut term, &mut app, "/")?);
        // Digits of the users' names ("User 012345") and emails: the first matches most rows.
        let text = format!("{:0width$}", i.wrapping_mul(7919) % 100_000, width = FILTER_LEN);
        for c in text.chars() {
            typed.push(press(&mut term, &mut app, &c.to_string())?);
        }
        cleared.push(press(&mut term, &mut app, "esc")?);
    }
    out.push(("Directory: start a filter (/)".to_string(), Latency::of(&mut starts)));
    out.push((format!("Directory: filter, each of {FILTER_LEN} characters typed"), Latency::of(&mut typed)));
    out.push(("Directory: clear the filter (Esc)".to_string(), Latency::of(&mut cleared)));
    for tab in [Tab::Catalogs, Tab::Packages, Tab::Audit] {
        let Some(first) = switch(&mut term, &mut app, tab)? else { continue };
        switches.push((format!("{tab}, as the administrator"), first));
        out.push((format!("{tab}: move (j)"), j_presses(&mut term, &mut app)?));
    }
    if app.current_tab() == Tab::Audit {
        out.extend(audit_log(&mut term, &mut app)?);
    }
    Ok((out, switches, first_filter, users, assignments))
}

/// The Directory chosen as the administrator once the app has done its idle work after its
/// first frame (what it does before a person's first key press, which takes longer than that
/// work), and that work's slices.
fn directory_after_idle(data: &Path) -> Result<(Duration, Vec<Duration>)> {
    let (mut app, _, _) = open_app(data, &admin_key())?;
    let mut term = terminal()?;
    draw(&mut term, &mut app)?;
    let slices = idle_slices(&mut app);
    let chosen = switch(&mut term, &mut app, Tab::Directory)?;
    Ok((chosen.ok_or_else(|| anyhow!("the administrator does not see the Directory"))?, slices))
}

/// The app's idle work, sliced as the terminal's loop slices it, until none is left: each
/// slice's time, and the time of all.
fn idle_slices(app: &mut App<Ctx>) -> Vec<Duration> {
    let mut slices = vec![];
    loop {
        let t0 = Instant::now();
        let more = app.idle(t0.checked_add(IDLE_SLICE).unwrap_or(t0));
        slices.push(t0.elapsed());
        if !more {
            return slices;
        }
    }
}

/// The Audit tab (on screen, its first piece read): the rest of the log read back while idle,
/// then a filter typed and the log searched for it while idle: each slice (what a key press
/// waits for at most), with how many and their time in all in the label.
fn audit_log(term: &mut Terminal<TestBackend>, app: &mut App<Ctx>) -> Result<Presses> {
    let label = |what: &str, slices: &[Duration]| {
        let all: Duration = slices.iter().sum();
        format!("Audit: {what}, per idle slice ({} slices, {:.2} s in all)", slices.len(), all.as_secs_f64())
    };
    let mut out = vec![];
    let mut back = idle_slices(app);
    out.push((label("every event read back", &back), Latency::of(&mut back)));
    press(term, app, "/")?;
    let mut typed = vec![];
    for c in "Package 000884".chars() {
        let name = if c == ' ' { "space".to_string() } else { c.to_string() };
        typed.push(press(term, app, &name)?);
    }
    out.push(("Audit: filter, each character typed".to_string(), Latency::of(&mut typed)));
    let mut search = idle_slices(app);
    out.push((label("every event searched for the filter", &search), Latency::of(&mut search)));
    press(term, app, "esc")?;
    Ok(out)
}

/// [`PRESSES`] presses of `j`, each to its frame.
fn j_presses(term: &mut Terminal<TestBackend>, app: &mut App<Ctx>) -> Result<Latency> {
    let mut times = vec![];
    for _ in 0..PRESSES {
        times.push(press(term, app, "j")?);
    }
    Ok(Latency::of(&mut times))
}

/// The tabs whose lists are read from the data on every change of it (the tab on screen re-reads
/// at once): timed per person who has the most rows in them.
pub const LIST_TABS: [Tab; 7] =
    [Tab::MyAccess, Tab::Approvals, Tab::Reviews, Tab::Notifications, Tab::Organizations, Tab::Reports, Tab::Settings];
/// Data changes timed per tab and person.
pub const CHANGES: usize = 20;

/// Who the list tabs are measured as: the administrator, the user with the most assignments, and
/// the approver with the most requests waiting (their sign-in keys).
pub fn personas(t: &Tenant) -> Vec<(&'static str, String)> {
    let most = |count: &dyn Fn(UserId) -> usize| {
        t.users
            .values()
            .filter(|u| !u.global_admin)
            .max_by_key(|u| (count(u.id), std::cmp::Reverse(u.id)))
            .map(|u| (u.email.clone(), count(u.id)))
    };
    let mut out = vec![("the administrator", admin_key())];
    if let Some((email, n)) = most(&|u| t.assignments_of_user(u).count())
        && n > 0
    {
        out.push(("the user with most assignments", email));
    }
    if let Some((email, n)) = most(&|u| t.inbox(u).count())
        && n > 0
    {
        out.push(("the approver with most waiting", email));
    }
    out
}

/// For each persona and each of [`LIST_TABS`] they see: `j` to frame, and a change of the data
/// (what every commit, refresh and clock move does to the tab on screen: it re-reads the data)
/// to frame. The change is timed without the commit, and with the values kept per data version
/// (the lint, the badges' counts) kept: it is the tab's own cost.
fn list_tabs(data: &Path) -> Result<(Presses, Presses, Switches)> {
    let who = {
        let (app, _, _) = open_app(data, &admin_key())?;
        personas(app.ctx.tenant())
    };
    let (mut keys, mut changes, mut switches) = (vec![], vec![], vec![]);
    for (persona, key) in who {
        let (mut app, _, _) = open_app(data, &key)?;
        let mut term = terminal()?;
        let (rows, inbox) = {
            let t = app.ctx.tenant();
            let me = app.ctx.me();
            (me.map_or(0, |u| t.assignments_of_user(u).count()), me.map_or(0, |u| t.inbox(u).count()))
        };
        let persona = format!("{persona} ({rows} assignments, {inbox} waiting)");
        for tab in LIST_TABS {
            let Some(first) = switch(&mut term, &mut app, tab)? else { continue };
            switches.push((format!("{tab}, as {persona}"), first));
            keys.push((format!("{tab}: move (j), as {persona}"), j_presses(&mut term, &mut app)?));
            let mut times = vec![];
            for _ in 0..CHANGES {
                let t0 = Instant::now();
                app.refresh_views();
                draw(&mut term, &mut app)?;
                times.push(t0.elapsed());
            }
            changes.push((format!("{tab}: data change, as {persona}"), Latency::of(&mut times)));
        }
    }
    Ok((keys, changes, switches))
}

fn ms(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 { format!("{s:.2} s") } else { format!("{:.2} ms", s * 1e3) }
}

/// One first frame as a row of the benchmark's markdown table.
pub fn first_row(who: &str, ff: &FirstFrame) -> String {
    format!(
        "| terminal app, open to first frame, {who} | {} (store open {}, app built {}, frame drawn {}) | target <= 1 s |\n",
        ms(ff.total),
        ms(ff.store_open),
        ms(ff.app_built),
        ms(ff.total.saturating_sub(ff.store_open).saturating_sub(ff.app_built))
    )
}

/// What the app's build reads from the tenant for `who`, each part timed on its own: where an
/// app built slowly spends its time.
fn build_parts(t: &Tenant, who: &str) -> Result<String> {
    let actor = t.resolve_actor_key(who).map_err(|e| anyhow!("{who}: {e}"))?;
    let me = match actor {
        Actor::User { user } => user,
        _ => return Err(anyhow!("{who} is not in the directory")),
    };
    let mut out = format!("{who}:");
    let mut part = |name: &str, f: &dyn Fn()| {
        let t0 = Instant::now();
        f();
        out.push_str(&format!(" {name} {}", ms(t0.elapsed())));
    };
    part("problems_summary", &|| drop(t.problems_summary()));
    part("lint", &|| drop(t.lint()));
    part("admin_overview", &|| drop(t.admin_overview(&actor)));
    part("approver_overview", &|| drop(t.approver_overview(me)));
    part("requester_overview", &|| drop(t.requester_overview(&actor)));
    part("available_packages", &|| drop(t.available_packages(&actor)));
    part("report_user_packages", &|| drop(t.report_user_packages(me)));
    let now = t.now();
    part("finished_scan", &|| {
        std::hint::black_box(t.finished.values().filter(|f| (now - f.completed_at).num_days() < 30).count());
    });
    part("busiest", &|| {
        std::hint::black_box(
            t.packages
                .values()
                .map(|p| t.requests_of_package(p.id).filter(|r| r.state.is_open()).count())
                .sum::<usize>(),
        );
    });
    part("assignment_scan", &|| {
        std::hint::black_box(
            t.assignments.values().filter(|a| a.is_active()).map(|a| a.revision as usize).sum::<usize>(),
        );
    });
    out.push('\n');
    Ok(out)
}

/// Only the first frames, `runs` times each, as the administrator and as a plain user; then the
/// parts of the app's build.
pub fn first_frames(data: &Path, params: ScaleParams, runs: usize) -> Result<String> {
    let mut out = String::new();
    {
        let store = Store::<Tenant>::open(data)?.ok_or_else(|| anyhow!("no tenant in {}", data.display()))?;
        out.push_str(&build_parts(store.state(), &admin_key())?);
        out.push_str(&build_parts(store.state(), &user_key(params.users))?);
    }
    for _ in 0..runs {
        out.push_str(&first_row("the administrator", &first_frame(data, &admin_key())?));
        out.push_str(&first_row("a plain user", &first_frame(data, &user_key(params.users))?));
    }
    Ok(out)
}

/// The figures as rows of the benchmark's markdown table (figure | value | target).
pub fn rows(f: &UiFigures) -> String {
    let mut out = String::new();
    out.push_str(&first_row("a plain user", &f.first_frame_user));
    out.push_str(&first_row("the administrator", &f.first_frame_admin));
    for (what, l) in &f.keys {
        out.push_str(&format!(
            "| key press to frame, {what}, {} users, {} assignments | p50 {}, p99 {}, max {} ({} presses) | target p99 <= 16 ms |\n",
            f.users,
            f.assignments,
            ms(l.p50),
            ms(l.p99),
            ms(l.max),
            l.presses
        ));
    }
    let ff = &f.first_filter;
    out.push_str(&format!(
        "| the Directory's first / after a change of the data, nothing indexed yet, {} users | {} | no stated target (the time between key presses indexes first, below) |\n",
        f.users,
        ms(ff.cold)
    ));
    out.push_str(&format!(
        "| indexing the Directory for its filter while nobody types, each slice | p50 {}, max {} ({} slices) | target p99 <= 16 ms |\n",
        ms(ff.slices.p50),
        ms(ff.slices.max),
        ff.slices.presses
    ));
    out.push_str(&format!(
        "| the Directory's first / after a change of the data, once the app was idle | {} | target p99 <= 16 ms |\n",
        ms(ff.warm)
    ));
    for (what, d) in &f.switches {
        out.push_str(&format!("| a tab chosen to its first frame, {what} | {} | target <= 16 ms |\n", ms(*d)));
    }
    for (what, l) in &f.changes {
        out.push_str(&format!(
            "| data change to frame, {what} | p50 {}, p99 {}, max {} ({} changes) | no stated target |\n",
            ms(l.p50),
            ms(l.p99),
            ms(l.max),
            l.presses
        ));
    }
    out
}
