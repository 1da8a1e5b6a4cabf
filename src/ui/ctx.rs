//! The application context: the signed-in session, the tenant time for this frame, and the
//! shell's global verbs (clock, switch user, refresh). Tabs read the tenant through it and run
//! every change through [`Ctx::run`], so every rule is the domain's.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;

use crate::domain::identity::Mode;
use crate::domain::lint::Finding;
use crate::domain::problems::Problem;
use crate::domain::when::when;
use crate::domain::{Actor, CatalogRole, Command, Intent, Outcome, Request, RequestId, Tenant, Time, UserId};
use crate::session::{RunError, Session};
use crate::store::StoreError;
use crate::ui::action::Action;
use crate::ui::app::{Effect, Followed, Shell, Tab};
use crate::ui::ask::Ask;
use crate::ui::layers::{Layer, LayerResult};
use crate::ui::theme::Theme;
use crate::ui::widgets::picker::{PickItem, PickerState};
use crate::ui::widgets::prompt::PromptState;
use crate::ui::widgets::status::{SaveState, StatusInfo};

pub struct Ctx {
    pub session: Session,
    /// The lint findings: several tabs show them, worked out once per change of the data.
    lint: PerData<Rc<Vec<Finding>>>,
    /// What the tenant holds that cannot be evaluated (the lint's errors, and the status line
    /// on start): a million assignments checked, once per change of the data.
    problems: PerData<Rc<Vec<Problem>>>,
    /// The domain's answers to "may I", asked for the footer on every frame: kept until the data
    /// or the reader changes.
    refusals: PerData<Refusals>,
    /// Who may request which package (the Directory's detail asks it for the selected user on
    /// every key press, My Access for its list), by what is offered ([`Tenant::offers_key`]):
    /// kept across the changes that leave the catalogs, packages and policies (16 ms to make
    /// at 1M).
    requestable: RefCell<Option<KeptIndex>>,
    /// That index being made while nobody types, and the offers it is made from.
    requestable_making: RefCell<Option<((u64, u64), crate::domain::requestable::RequestableMaking)>>,
    pub location: PathBuf,
    /// The tenant time shown in this frame (read once per tick, never while drawing).
    pub now: Time,
    pub saved: SaveState,
    /// The theme, for tabs that colour cells when they rebuild their rows.
    pub theme: Theme,
    /// Finished requests read from the history for a list or a detail (a finished request never
    /// changes), and those the reader may not see (None), so a frame reads no file again.
    finished: RefCell<HashMap<RequestId, Option<Request>>>,
    /// The catalog this session created last, until a package is made: where a new package
    /// goes by default (a new catalog's first package is the likely next step).
    pub recent_catalog: Option<crate::domain::CatalogId>,
    /// Custom extensions' calls running in the background.
    callouts: crate::session::CalloutJobs,
    /// Where `ctrl-e` writes CSV files: the current directory at launch, or `--export-dir`.
    pub export_dir: PathBuf,
}

/// The domain's answers to "may I" for the intents asked so far: None where it may.
type Refusals = Rc<RefCell<HashMap<Intent, Option<String>>>>;

/// The requestable index and the offers it was made from.
type KeptIndex = ((u64, u64), Rc<crate::domain::requestable::Requestable>);

/// A value worked out from the data as one reader sees it (a badge's count, the lint), kept
/// until the data or the reader changes, so a frame does not work it out again.
#[derive(Debug)]
pub struct PerData<T>(RefCell<Option<((u64, Actor), T)>>);

impl<T> Default for PerData<T> {
    fn default() -> Self {
        PerData(RefCell::new(None))
    }
}

impl<T: Clone> PerData<T> {
    /// The value for the context's data and reader: kept, or made now with `make`.
    pub fn get(&self, ctx: &Ctx, make: impl FnOnce(&Ctx) -> T) -> T {
        let key = ctx.data_key();
        if let Some((k, v)) = &*self.0.borrow()
            && *k == key
        {
            return v.clone();
        }
        let v = make(ctx);
        *self.0.borrow_mut() = Some((key, v.clone()));
        v
    }

    /// Keeps `value` as what the context's data and reader give (worked out anyway elsewhere).
    pub fn set(&self, ctx: &Ctx, value: T) {
        *self.0.borrow_mut() = Some((ctx.data_key(), value));
    }
}

impl Ctx {
    pub fn new(session: Session, location: PathBuf, theme: Theme) -> Self {
        let now = session.now();
        let finished = RefCell::default();
        Ctx {
            session,
            lint: PerData::default(),
            problems: PerData::default(),
            refusals: PerData::default(),
            requestable: RefCell::new(None),
            requestable_making: RefCell::new(None),
            location,
            now,
            saved: SaveState::Saved,
            theme,
            finished,
            recent_catalog: None,
            callouts: Default::default(),
            export_dir: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        }
    }

    /// A request by id, open or finished: from memory, else from what was read before, else
    /// with the page of a list that shows it, else from its shard of the history (the screens show it only where they may, as before).
    pub fn request(&self, id: RequestId) -> Option<Request> {
        if let Some(r) = self.tenant().request_in_memory(id) {
            return Some(r.clone());
        }
        if let Some(known) = self.finished.borrow().get(&id) {
            return known.clone();
        }
        // A row of a long list not read yet: its page is read (see `Session::page_holding`).
        if let Ok(Some(page)) = self.session.page_holding(id) {
            self.remember(page.iter());
            if let Some(known) = self.finished.borrow().get(&id) {
                return known.clone();
            }
        }
        let read = self.session.request_record(id).ok().flatten();
        self.finished.borrow_mut().insert(id, read.clone());
        read
    }

    /// Keeps the finished requests of a list just read, so its rows and details find them.
    pub fn remember<'a>(&self, list: impl IntoIterator<Item = &'a Request>) {
        let mut known = self.finished.borrow_mut();
        for r in list.into_iter().filter(|r| !r.state.is_open()) {
            known.insert(r.id, Some(r.clone()));
        }
    }

    pub fn tenant(&self) -> &Tenant {
        self.session.tenant()
    }

    /// [`Tenant::lint`] of the data as it is now, computed once per change of the data.
    pub fn lint(&self) -> Rc<Vec<Finding>> {
        self.lint.get(self, |ctx| Rc::new(ctx.tenant().lint_with(&ctx.problems())))
    }

    /// [`Tenant::problems`], kept until the data changes.
    pub fn problems(&self) -> Rc<Vec<Problem>> {
        self.problems.get(self, |ctx| Rc::new(ctx.tenant().problems()))
    }

    /// [`Tenant::requestable`] of the data as it is now, made again only when what is offered
    /// may have changed.
    pub fn requestable(&self) -> Rc<crate::domain::requestable::Requestable> {
        let t = self.tenant();
        let key = t.offers_key();
        if let Some((k, index)) = &*self.requestable.borrow()
            && *k == key
        {
            return index.clone();
        }
        // Begun while nobody typed: finished here.
        let begun = self.requestable_making.borrow_mut().take().filter(|(k, _)| *k == key).and_then(|(_, mut m)| {
            t.requestable_a_while(&mut m, None);
            m.made()
        });
        let index = Rc::new(begun.unwrap_or_else(|| t.requestable()));
        *self.requestable.borrow_mut() = Some((key, index.clone()));
        index
    }

    /// Whether the requestable index of the offers as they are now is made.
    pub fn requestable_is_made(&self) -> bool {
        let key = self.tenant().offers_key();
        self.requestable.borrow().as_ref().is_some_and(|(k, _)| *k == key)
    }

    /// Makes the requestable index of the offers as they are now until `until`, if it is not
    /// made (see [`Tenant::requestable_a_while`]). Whether some is left.
    pub fn make_requestable_a_while(&self, until: std::time::Instant) -> bool {
        if self.requestable_is_made() {
            return false;
        }
        let t = self.tenant();
        let key = t.offers_key();
        let mut slot = self.requestable_making.borrow_mut();
        let (_, making) = match slot.take() {
            Some((k, m)) if k == key => slot.insert((k, m)),
            _ => slot.insert((key, Default::default())),
        };
        if !t.requestable_a_while(making, Some(until)) {
            return true;
        }
        if let Some(index) = slot.take().and_then(|(_, m)| m.made()) {
            *self.requestable.borrow_mut() = Some((key, Rc::new(index)));
        }
        false
    }

    /// What a value read from the data depends on: the store's seq (every change of the data is
    /// an entry) and who reads it.
    pub fn data_key(&self) -> (u64, Actor) {
        (self.session.store.seq(), self.session.actor.clone())
    }

    /// Why the signed-in person may not do `intent` now (the domain's refusal), if they may not;
    /// asked once per change of the data.
    pub fn refusal(&self, intent: &Intent) -> Option<String> {
        let known = self.refusals.get(self, |_| Rc::default());
        if let Some(answer) = known.borrow().get(intent) {
            return answer.clone();
        }
        let answer = self.tenant().may(self.actor(), intent).err().map(|e| e.to_string());
        known.borrow_mut().insert(intent.clone(), answer.clone());
        answer
    }

    pub fn actor(&self) -> &Actor {
        &self.session.actor
    }

    /// The signed-in directory user, if any (an external person not yet in the directory has none).
    pub fn me(&self) -> Option<UserId> {
        match &self.session.actor {
            Actor::User { user } => Some(*user),
            Actor::External { email, .. } => self.tenant().user_by_email(email).map(|u| u.id),
            Actor::System => None,
        }
    }

    /// Run one command as the signed-in user: the domain's message, or its refusal.
    pub fn run(&mut self, command: Command) -> Result<Outcome, String> {
        let creates = match &command {
            Command::CreateCatalog { .. } => Some(true),
            Command::CreatePackage { .. } => Some(false),
            _ => None,
        };
        let r = self.session.run(command);
        self.now = self.session.now();
        match r {
            Ok(out) => {
                self.saved = SaveState::Saved;
                // Ids only grow: the catalog just made is the last one.
                match creates {
                    Some(true) => self.recent_catalog = self.tenant().catalogs.keys().next_back().copied(),
                    Some(false) => self.recent_catalog = None,
                    None => {}
                }
                Ok(out)
            }
            Err(RunError::Refused(e)) => Err(e.to_string()),
            // Waiting for another process's lock changed nothing on disk: the data is as saved.
            Err(RunError::Store(e @ (StoreError::Locked { .. } | StoreError::GaveUp { .. }))) => Err(e.to_string()),
            Err(RunError::Store(e)) => {
                self.saved = SaveState::Failed(e.to_string());
                Err(e.to_string())
            }
        }
    }

    /// Run a command and turn the result into the shell's effect (message + refresh).
    pub fn run_effect(&mut self, command: Command) -> Effect {
        match self.run(command) {
            Ok(out) => Effect::Batch(vec![Effect::ok(outcome_text(&out)), Effect::Refresh]),
            Err(e) => Effect::error(e),
        }
    }

    /// The tab a person lands on: the Overview for administrators and for whoever has decisions
    /// or review tasks waiting, My access for everyone else.
    pub fn landing_tab(&self) -> Tab {
        let t = self.tenant();
        let deciding = self.me().is_some_and(|me| t.inbox(me).next().is_some() || !t.review_tasks(me).is_empty());
        if t.has_any_admin_role(self.actor()) || deciding { Tab::Overview } else { Tab::MyAccess }
    }

    /// Which tabs the signed-in person may see.
    pub fn visible_tabs(&self) -> Vec<Tab> {
        let t = self.tenant();
        let actor = self.actor();
        // Blocked, who may read nothing: My Access alone, which says why.
        if t.reader(actor).is_err() {
            return vec![Tab::MyAccess];
        }
        // Someone outside the directory: their overview and My Access.
        if self.me().is_none() {
            return vec![Tab::Overview, Tab::MyAccess];
        }
        let mut tabs = vec![Tab::Overview, Tab::MyAccess, Tab::Approvals, Tab::Reviews];
        if t.has_any_admin_role(actor) {
            tabs.extend([Tab::Catalogs, Tab::Packages]);
        }
        if t.is_global_admin(actor) {
            tabs.push(Tab::Organizations);
        }
        if t.has_any_admin_role(actor) {
            tabs.extend([Tab::Directory, Tab::Audit, Tab::Reports]);
        }
        tabs.push(Tab::Notifications);
        if t.is_global_admin(actor) {
            tabs.push(Tab::Settings);
        }
        tabs
    }

    /// The roles of the signed-in person, for the status bar.
    pub fn roles(&self) -> Vec<String> {
        let t = self.tenant();
        let mut roles = vec![];
        let Some(me) = self.me() else {
            return vec!["external requestor".into()];
        };
        if t.is_global_admin(self.actor()) {
            roles.push("Global admin".to_string());
        } else if t.settings.catalog_creators.contains(&me) {
            roles.push("Catalog creator".to_string());
        }
        for c in t.catalogs.values() {
            if let Some(rs) = c.roles.get(&me) {
                let best = [
                    CatalogRole::Owner,
                    CatalogRole::AccessPackageManager,
                    CatalogRole::AccessPackageAssignmentManager,
                    CatalogRole::Reader,
                ]
                .into_iter()
                .find(|r| rs.contains(r));
                if let Some(r) = best {
                    let short = match r {
                        CatalogRole::Owner => "owner",
                        CatalogRole::AccessPackageManager => "pkg manager",
                        CatalogRole::AccessPackageAssignmentManager => "assignment mgr",
                        CatalogRole::Reader => "reader",
                    };
                    roles.push(format!("{short}: {}", c.display_name));
                }
            }
        }
        if t.users.get(&me).is_some_and(|u| u.is_guest()) {
            roles.push("guest".into());
        }
        roles
    }

    fn advance(&mut self, seconds: i64) -> Effect {
        self.move_clock(Command::AdvanceClock { seconds })
    }

    /// Move the clock and show what fired in a popup as well as on the status line: it is the
    /// point of moving it, and rarely fits the status line.
    fn move_clock(&mut self, command: Command) -> Effect {
        match self.run(command) {
            Ok(out) => clock_moved(&out),
            Err(e) => Effect::error(e),
        }
    }

    fn user_picker(&self) -> PickerState {
        let t = self.tenant();
        let mut items: Vec<PickItem> = t
            .users
            .values()
            .filter(|u| u.is_active())
            .map(|u| {
                let mut detail = u.email.clone();
                if u.global_admin {
                    detail.push_str(" · admin");
                }
                if u.is_guest() {
                    detail.push_str(" · guest");
                }
                if !u.enabled {
                    detail.push_str(" · blocked");
                }
                if !u.job_title.is_empty() {
                    detail.push_str(&format!(" · {}", u.job_title));
                }
                PickItem::new(u.id.to_string(), u.display_name.clone(), detail)
            })
            .collect();
        items.push(PickItem::new(
            "external",
            "Someone outside the directory…",
            "sign in by email, e.g. alex@azureblog.net",
        ));
        let current = self.me().map(|u| u.to_string()).unwrap_or_default();
        PickerState::new(Ask::SwitchUser, "Sign in as", items).highlight(&current).with_entry("Sign in by email as")
    }

    fn sign_in(&mut self, actor: Actor) -> Effect {
        let me = self.session.operator();
        if let Err(e) = self.tenant().may_act_as(&me, &actor) {
            return Effect::error(e.to_string());
        }
        // In team mode every command of an administrator acting as someone else is audited with both.
        self.session.by = match self.tenant().mode {
            Mode::Team if actor != me => me.user_id(),
            _ => None,
        };
        self.session.actor = actor;
        let who = self.tenant().actor_label(self.actor());
        Effect::Batch(vec![
            Effect::VisibleTabs(self.visible_tabs()),
            Effect::SwitchTab(self.landing_tab()),
            Effect::info(format!("Signed in as {who}")),
            Effect::Refresh,
        ])
    }
}

/// The status line, a refresh, and a popup of what fired: the point of moving the clock, which
/// rarely fits the status line.
fn clock_moved(out: &Outcome) -> Effect {
    Effect::Batch(vec![
        Effect::ok(outcome_text(out)),
        Effect::Refresh,
        Effect::Open(Layer::message("The clock moved", clock_summary(out))),
    ])
}

/// "Now Fri 2027-01-01 00:00." and one line per kind of thing that fired, with its count.
fn clock_summary(out: &Outcome) -> String {
    let head = out.message.split(": ").next().unwrap_or_default().trim();
    let mut lines = vec![format!("{head}.")];
    if out.fired.is_empty() {
        lines.push("Nothing was due in between.".into());
    } else {
        lines.extend(out.fired.parts().into_iter().map(|p| format!("• {p}")));
    }
    lines.push(String::new());
    lines.push("The audit log and the mailboxes have the details.".into());
    lines.join("\n")
}

/// The domain's message, with what the clock fired when it is not already said.
pub fn outcome_text(out: &Outcome) -> String {
    if out.fired.is_empty() || out.message.contains(&out.fired.to_string()) {
        out.message.clone()
    } else if out.message.is_empty() {
        format!("Clock: {}", out.fired)
    } else {
        format!("{} (clock: {})", out.message, out.fired)
    }
}

impl Shell for Ctx {
    /// The requestable index made ahead (the Directory's detail and My access need it first
    /// thing), when the offers changed since it was made.
    fn idle(&mut self, until: std::time::Instant) -> bool {
        self.make_requestable_a_while(until)
    }
    fn follow_directory(&mut self, shown: &[Tab]) -> Option<Followed> {
        let mut message = None;
        if let Actor::External { email, .. } = self.actor()
            && let Ok(a @ Actor::User { .. }) = self.tenant().resolve_actor_key(email)
        {
            let name = self.tenant().actor_label(&a);
            message = Some(format!("{email} is in the directory now, as {name}: signed in as {name}"));
            self.session.actor = a;
        }
        let tabs = self.visible_tabs();
        (message.is_some() || tabs != shown).then_some(Followed { tabs, message })
    }

    /// Asked through the rules the commands check: moving the clock, acting as someone else.
    fn withheld(&self) -> Vec<Action> {
        let t = self.tenant();
        let mut out = Vec::new();
        if t.may(self.actor(), &Intent::MoveClock).is_err() {
            out.extend([
                Action::ClockHour,
                Action::ClockDay,
                Action::ClockWeek,
                Action::ClockMonth,
                Action::ClockJump,
                Action::ClockPreview,
            ]);
        }
        if t.may_act_as(&self.session.operator(), &Actor::System).is_err() {
            out.push(Action::SwitchUser);
        }
        out
    }

    fn status(&self) -> StatusInfo {
        let t = self.tenant();
        let mut user = match self.actor() {
            Actor::External { email, .. } if self.me().is_none() => email.clone(),
            a => t.actor_label(a),
        };
        if let Some(by) = self.session.by {
            user = format!("{} acting as {user}", t.user_name(by));
        }
        StatusInfo {
            user,
            roles: self.roles(),
            // A blocked sign-in reads nothing, the clock included (empty: not shown).
            clock: match t.reader(self.actor()) {
                Ok(_) => self.now.format("%a %Y-%m-%d %H:%M").to_string(),
                Err(_) => String::new(),
            },
            clock_live: !t.clock.is_frozen(),
            location: self.location.display().to_string(),
            saved: self.saved.clone(),
            mode: t.mode.describe().to_string(),
        }
    }

    fn global(&mut self, action: Action) -> Effect {
        match action {
            Action::ClockHour => self.advance(3600),
            Action::ClockDay => self.advance(86_400),
            Action::ClockWeek => self.advance(7 * 86_400),
            Action::ClockMonth => self.advance(30 * 86_400),
            Action::ClockJump if let Some(why) = self.refusal(&Intent::MoveClock) => Effect::error(why),
            Action::ClockJump => crate::ui::why::clock_jump_prompt(),
            Action::ClockPreview if let Some(why) = self.refusal(&Intent::MoveClock) => Effect::error(why),
            Action::ClockPreview => crate::ui::why::clock_preview_prompt(),
            // In team mode only a global administrator may act as someone else: the domain says.
            Action::SwitchUser => match self.tenant().may_act_as(&self.session.operator(), &Actor::System) {
                Ok(()) => Effect::Open(Layer::Picker(self.user_picker())),
                Err(e) => Effect::error(e.to_string()),
            },
            Action::Refresh => match self.session.refresh() {
                Ok(_) => Effect::Batch(vec![Effect::info("Reloaded"), Effect::Refresh]),
                Err(e) => Effect::error(e.to_string()),
            },
            _ => Effect::Unhandled,
        }
    }

    fn on_result(&mut self, result: LayerResult) -> Effect {
        match result {
            LayerResult::Prompted { id: Ask::ClockJump, text } if crate::ui::why::asks_preview(&text) => {
                crate::ui::why::clock_preview(self, &text)
            }
            LayerResult::Prompted { id: Ask::ClockJump, text } => match when(&text) {
                Ok(w) => {
                    let to = w.resolve(self.tenant().now());
                    // The domain refuses a jump backwards; its message stays in the prompt.
                    match self.run(Command::SetClock { to }) {
                        Ok(out) => clock_moved(&out),
                        Err(e) => Effect::Reject(e),
                    }
                }
                Err(e) => Effect::Reject(e.to_string()),
            },
            LayerResult::Prompted { id: Ask::ClockPreview, text } => crate::ui::why::clock_preview(self, &text),
            LayerResult::Picked { id: Ask::SwitchUser, ids } => match ids.first().map(String::as_str) {
                Some("external") => Effect::Open(Layer::Prompt(
                    PromptState::new(Ask::SwitchExternal, "Sign in from outside", "Email [tenant id]").validate(|s| {
                        let email = s.split_whitespace().next().unwrap_or_default();
                        (!email.contains('@') || !email.contains('.'))
                            .then(|| "An email like alex@azureblog.net, then the tenant id if known".to_string())
                    }),
                )),
                Some(uid) => match uid.parse::<UserId>() {
                    Ok(u) => self.sign_in(Actor::user(u)),
                    Err(e) => Effect::error(e),
                },
                None => Effect::None,
            },
            LayerResult::Entered { id: Ask::SwitchUser, text } => match self.tenant().resolve_actor_key(&text) {
                Ok(a) => self.sign_in(a),
                Err(e) => Effect::error(e.to_string()),
            },
            LayerResult::Prompted { id: Ask::SwitchExternal, text } => {
                // An email, then the tenant id the person signs in from, when known.
                let mut words = text.split_whitespace();
                let email = words.next().unwrap_or_default();
                let tenant = words.next().map(str::to_string);
                match self.tenant().resolve_actor_key(email) {
                    Ok(a) => self.sign_in(a.with_tenant(tenant)),
                    Err(e) => Effect::Reject(e.to_string()),
                }
            }
            _ => Effect::None,
        }
    }

    fn export_to(&self) -> Option<(PathBuf, Time)> {
        Some((self.export_dir.clone(), self.now))
    }

    fn take_notice(&mut self) -> Option<String> {
        let warnings = self.session.warnings();
        (!warnings.is_empty()).then(|| warnings.join("; "))
    }

    fn tick(&mut self) -> bool {
        // In the background, a lock held by another process is not waited for: the next tick
        // tries again, and the screen stays responsive.
        // Custom extensions' calls are started on threads of their own and recorded when done.
        let jobs = &mut self.callouts;
        let (refreshed, ticked, calls) = self.session.without_waiting(|s| {
            let refreshed = s.refresh();
            let ticked = s.timer_due().then(|| s.tick());
            let calls = jobs.finish(s).and_then(|done| Ok(jobs.start(s)? || done));
            (refreshed, ticked, calls)
        });
        let mut changed = match refreshed {
            Ok(c) => c,
            Err(StoreError::Locked { .. }) => false,
            Err(e) => {
                self.saved = SaveState::Failed(e.to_string());
                true
            }
        };
        match calls {
            Ok(c) => changed |= c,
            Err(RunError::Store(StoreError::Locked { .. })) => {}
            Err(e) => {
                self.saved = SaveState::Failed(e.to_string());
                changed = true;
            }
        }
        match ticked {
            None | Some(Err(RunError::Store(StoreError::Locked { .. }))) => {}
            Some(Ok(f)) => changed |= !f.is_empty(),
            Some(Err(e)) => {
                self.saved = SaveState::Failed(e.to_string());
                changed = true;
            }
        }
        let now = self.session.now();
        let minute = |t: Time| t.format("%Y%m%d%H%M").to_string();
        if minute(now) != minute(self.now) {
            changed = true;
        }
        self.now = now;
        changed
    }
}
