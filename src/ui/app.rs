//! The shell: tabs, the layer stack, the keymap, the theme and the status line. Domain-agnostic:
//! the application context `C` (domain, store, current user, clock) is owned here and lent to the
//! tab views, which do the domain work.
//!
//! Plugging a tab in: implement [`TabView<C>`] and call [`App::set_view`]. Global actions that no
//! tab uses (clock, switch user, refresh) go to the context through [`Shell::global`].

use std::collections::{BTreeMap, BTreeSet};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use serde::{Deserialize, Serialize};
use strum::{Display, EnumIter, IntoEnumIterator};

use crate::domain::overview::Finish;
use crate::domain::{AssignmentId, RequestId, ReviewId, Time};
use crate::ui::action::Action;
use crate::ui::export::Writing;
use crate::ui::keymap::Keymap;
use crate::ui::keymap::Mode;
use crate::ui::layers::{Layer, LayerResult};
use crate::ui::tabs::placeholder::Placeholder;
use crate::ui::theme::Theme;
use crate::ui::widgets::detail::DetailScroll;
use crate::ui::widgets::status::{MessageKind, StatusInfo, StatusMessage};

/// The tabs of the application, in tab-bar order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Display, EnumIter, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tab {
    Overview,
    #[strum(to_string = "My access")]
    MyAccess,
    Approvals,
    Reviews,
    Catalogs,
    #[strum(to_string = "Access packages")]
    Packages,
    Organizations,
    Directory,
    Audit,
    Reports,
    Notifications,
    Settings,
}

impl Tab {
    /// The title used when the full titles do not fit.
    pub fn short(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::MyAccess => "Access",
            Tab::Approvals => "Approve",
            Tab::Reviews => "Reviews",
            Tab::Catalogs => "Catalogs",
            Tab::Packages => "Packages",
            Tab::Organizations => "Orgs",
            Tab::Directory => "Users",
            Tab::Audit => "Audit",
            Tab::Reports => "Reports",
            Tab::Notifications => "Inbox",
            Tab::Settings => "Settings",
        }
    }

    /// Three letters, when even the short titles do not fit (80 columns).
    pub fn tiny(self) -> &'static str {
        match self {
            Tab::Overview => "Ovw",
            Tab::MyAccess => "Acc",
            Tab::Approvals => "Apv",
            Tab::Reviews => "Rev",
            Tab::Catalogs => "Cat",
            Tab::Packages => "Pkg",
            Tab::Organizations => "Org",
            Tab::Directory => "Usr",
            Tab::Audit => "Aud",
            Tab::Reports => "Rep",
            Tab::Notifications => "Inb",
            Tab::Settings => "Set",
        }
    }

    pub fn all() -> Vec<Tab> {
        Tab::iter().collect()
    }
}

/// What a handler asks the shell to do.
#[derive(Debug)]
pub enum Effect {
    /// Handled; nothing else to do.
    None,
    /// Not used here: the next handler may take it.
    Unhandled,
    Quit,
    /// Open a popup layer; its result comes back to whoever returned this.
    Open(Layer),
    /// Close the top layer.
    Close,
    /// The answer to a [`LayerResult`]: keep the layer open and show this error in it.
    Reject(String),
    /// Show a message on the status line.
    Message(StatusMessage),
    SwitchTab(Tab),
    /// Switch to a tab and show one of its lists there (the Overview's Enter).
    Jump(Tab, Jump),
    /// The tabs the current user may see changed (e.g. after switching user).
    VisibleTabs(Vec<Tab>),
    /// The data changed: every tab re-reads the context ([`TabView::refresh`]).
    Refresh,
    Batch(Vec<Effect>),
}

/// A list to show on arriving at a tab, named by what it holds, with the item chosen on the
/// Overview: a row to select, or a part of the list to keep (a bar of a chart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Jump {
    /// My Access: my open and finished requests, this one selected.
    MyRequests(Option<RequestId>),
    /// My Access: my assignments, this one selected.
    MyAssignments(Option<AssignmentId>),
    /// Approvals: what waits for my decision, all of it or a part.
    Waiting(WaitingPart),
    /// Reviews: the people I am to review, in one review or in all.
    ToReview(Option<ReviewId>),
    /// Reports: the assignments expiring over the weeks ahead, or in one of them (0 = the
    /// seven days from now, as [`crate::domain::overview::week_slot`] counts).
    Expiring(Option<usize>),
    /// Reports: the requests, or those of one outcome finished on one day of the last days
    /// (the day as [`crate::domain::overview::day_slot`] counts).
    Requests(Option<(usize, Finish)>),
    /// Reports: the configuration pitfalls.
    Lint,
    /// A tab's main list filtered to this text (e.g. a package's name).
    Filter(String),
}

/// The part of my inbox the Overview's Enter opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitingPart {
    All,
    /// The decisions in one of [`crate::domain::overview::AGE_BUCKETS`].
    Aged(usize),
    /// This request, selected.
    Request(RequestId),
}

impl Effect {
    pub fn info(text: impl Into<String>) -> Effect {
        Effect::Message(StatusMessage { kind: MessageKind::Info, text: text.into() })
    }
    pub fn ok(text: impl Into<String>) -> Effect {
        Effect::Message(StatusMessage { kind: MessageKind::Ok, text: text.into() })
    }
    pub fn warning(text: impl Into<String>) -> Effect {
        Effect::Message(StatusMessage { kind: MessageKind::Warning, text: text.into() })
    }
    pub fn error(text: impl Into<String>) -> Effect {
        Effect::Message(StatusMessage { kind: MessageKind::Error, text: text.into() })
    }
}

/// One tab's screen. `render` is pure: everything it shows comes from `self` and `ctx`.
pub trait TabView<C> {
    fn render(&self, ctx: &C, area: Rect, buf: &mut Buffer, theme: &Theme);
    /// An action for this tab (its mode's keys, and global verbs).
    fn handle(&mut self, ctx: &mut C, action: Action) -> Effect;
    /// Typed text, while [`TabView::mode`] is a text mode (e.g. a table filter being typed).
    fn text(&mut self, _ctx: &mut C, _c: char) -> Effect {
        Effect::Unhandled
    }
    /// `Mode::List` normally; `Mode::Prompt` while a filter line is typed.
    fn mode(&self) -> Mode {
        Mode::List
    }
    /// Actions worth a footer hint right now (keys come from the keymap).
    fn hints(&self) -> Vec<Action> {
        Vec::new()
    }
    /// Why `action` cannot act on this tab's selection now, in the words of the rule the command
    /// would check (`None`: it may, or it is not a verb here). The shell leaves a refused verb out
    /// of the footer and the help, and answers its key with this at once, before any form or
    /// confirmation opens.
    fn refusal(&self, _ctx: &C, _action: Action) -> Option<String> {
        None
    }
    /// The footer word for an action when this tab gives it another meaning than its name
    /// (e.g. `assign` meaning "mark all read" in a mailbox). `None`: the action's own label.
    fn hint_label(&self, _action: Action) -> Option<String> {
        None
    }
    /// Whether this tab already shows this message in full (its own notice under its panes), so
    /// the shell need not repeat it when the status line is too narrow for it.
    fn shows_message(&self, _message: &StatusMessage) -> bool {
        false
    }
    /// A short badge after the tab title (e.g. an unread count). Drawn with every frame while the
    /// tab may be hidden and stale: read it from the context (cached per data, see `PerData`).
    fn badge(&self, _ctx: &C) -> Option<String> {
        None
    }
    /// The answer of a layer this tab opened.
    fn on_result(&mut self, _ctx: &mut C, _result: LayerResult) -> Effect {
        Effect::None
    }
    /// A left click at a screen position inside the tab.
    fn click(&mut self, _ctx: &mut C, _column: u16, _row: u16) -> Effect {
        Effect::Unhandled
    }
    /// The mouse wheel over the tab (negative is up).
    fn scroll(&mut self, _ctx: &mut C, _lines: isize) -> Effect {
        Effect::Unhandled
    }
    /// The context changed (new data, other user, clock moved): re-read what is shown. The shell
    /// refreshes the tab on screen at once and the others when they are next shown, so a change
    /// costs one tab's refresh, not every tab's.
    fn refresh(&mut self, _ctx: &C) {}
    /// Work done while nobody types, until `until`: the list shown indexes its rows for its
    /// filter, so that the first `/` after a change of the data does not visit every row.
    /// Whether work is left (the shell calls again while the keyboard stays quiet).
    fn idle(&mut self, _ctx: &C, _until: std::time::Instant) -> bool {
        false
    }
    /// Whether the work done while idle changed what the tab shows (asked after each
    /// [`TabView::idle`]; the answer is taken: the next is about what was done since).
    fn take_redraw(&mut self) -> bool {
        false
    }
    /// Whether leaving now would lose typed input.
    fn is_dirty(&self) -> bool {
        false
    }
    /// The tab's detail pane, which the shell scrolls (see [`DetailScroll`]).
    fn detail(&self) -> Option<&DetailScroll> {
        None
    }
    fn detail_mut(&mut self) -> Option<&mut DetailScroll> {
        None
    }
    /// Show the list `to` names (the tab was just switched to).
    fn jump(&mut self, _ctx: &C, _to: &Jump) {}
    /// The list or report on screen, as filtered now, for a CSV file (`ctrl-e`): handed to
    /// `visit` with its rows; `false` where the tab shows no list. Asked again for each slice of
    /// a long list's writing, which holds keys and reloads meanwhile: the same list each time.
    fn export(&self, _ctx: &C, _visit: &mut crate::ui::export::Visit<'_>) -> bool {
        false
    }
    /// Whether the list [`TabView::export`] hands over holds all its rows (else the tab reads
    /// the rest while idle, and a CSV file of it waits for them).
    fn list_complete(&self) -> bool {
        true
    }
    /// Whether the detail pane shows the focused list's row: then `]` visits it before the
    /// tab's next list (a sub-list without details of its own goes straight on).
    fn details_follow_focus(&self) -> bool {
        true
    }
}

/// What the shell asks of the application context.
pub trait Shell {
    /// Who, when, where, saved: for the status bar.
    fn status(&self) -> StatusInfo {
        StatusInfo::default()
    }
    /// Actions no tab used (clock, switch user, refresh, ...).
    fn global(&mut self, _action: Action) -> Effect {
        Effect::Unhandled
    }
    /// The answer of a layer the context opened.
    fn on_result(&mut self, _result: LayerResult) -> Effect {
        Effect::None
    }
    /// Called about every 500 ms: reload from disk, move a live clock. `true` if anything changed.
    fn tick(&mut self) -> bool {
        false
    }
    /// After the data changed: who is signed in now that the directory may have changed (an
    /// outsider made a guest on delivery, a user given or stripped of a role), and the tabs
    /// they have (`shown`: the tabs on screen). `None`: nothing changed for them.
    fn follow_directory(&mut self, _shown: &[Tab]) -> Option<Followed> {
        None
    }
    /// The shell's own actions this person may not use (the help leaves them out).
    fn withheld(&self) -> Vec<Action> {
        Vec::new()
    }
    /// A warning for the status bar that arose outside any command's result (e.g. the store
    /// kept a torn write aside), taken once.
    fn take_notice(&mut self) -> Option<String> {
        None
    }
    /// Where a list's CSV file goes (`ctrl-e`), and the day it is named for; `None`: this
    /// screen writes no files.
    fn export_to(&self) -> Option<(std::path::PathBuf, Time)> {
        None
    }
    /// Work of the shell's own done while nobody types, once the tab shown has none left
    /// (what the next tab chosen will need), until `until`. Whether some is left.
    fn idle(&mut self, _until: std::time::Instant) -> bool {
        false
    }
}

impl Shell for () {}

/// What [`Shell::follow_directory`] found: the tabs the person has now, and what to tell them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Followed {
    pub tabs: Vec<Tab>,
    pub message: Option<String>,
}

/// Who gets the result of a layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    Tab(Tab),
    Shell,
    /// The shell's own questions.
    App(AppQuestion),
    /// A picker serving a lookup field of the form below it.
    FormField(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppQuestion {
    Quit,
    DiscardForm,
}

#[derive(Debug)]
pub struct LayerEntry {
    pub layer: Layer,
    pub owner: Owner,
}

pub struct App<C> {
    pub ctx: C,
    pub keymap: Keymap,
    pub theme: Theme,
    pub(super) tab: Tab,
    pub(super) visible: Vec<Tab>,
    pub(super) views: BTreeMap<Tab, Box<dyn TabView<C>>>,
    /// Tabs whose view has not re-read the context since it changed (refreshed when shown).
    pub(super) stale: BTreeSet<Tab>,
    pub(super) layers: Vec<LayerEntry>,
    pub(super) message: Option<StatusMessage>,
    pub(super) quit: bool,
    pub(super) redraw: bool,
    /// Rectangles of the last frame, for mouse hit-testing.
    pub(super) last_tab_rects: Vec<(Tab, Rect)>,
    pub(super) last_content: Rect,
    pub(super) last_size: Rect,
    /// A list being written to a CSV file (`ctrl-e`), and the tab whose it is.
    pub(super) writing: Option<(Tab, Writing)>,
}

impl<C: Shell> App<C> {
    /// A shell over `ctx` showing every tab with a placeholder view.
    pub fn new(ctx: C, keymap: Keymap, theme: Theme) -> Self {
        let views = Tab::iter().map(|t| (t, Box::new(Placeholder::new(t)) as Box<dyn TabView<C>>)).collect();
        App {
            ctx,
            keymap,
            theme,
            tab: Tab::MyAccess,
            visible: Tab::all(),
            views,
            stale: BTreeSet::new(),
            layers: Vec::new(),
            message: None,
            quit: false,
            redraw: true,
            last_tab_rects: Vec::new(),
            last_content: Rect::default(),
            last_size: Rect::default(),
            writing: None,
        }
    }

    /// Plugs a view in for `tab` (replacing the placeholder).
    pub fn set_view(&mut self, tab: Tab, view: Box<dyn TabView<C>>) {
        self.views.insert(tab, view);
        self.redraw = true;
    }

    /// The tabs this user sees, in this order. Keeps the current tab if it is still visible.
    pub fn set_visible_tabs(&mut self, tabs: Vec<Tab>) {
        self.visible = tabs;
        if !self.visible.contains(&self.tab)
            && let Some(first) = self.visible.first()
        {
            self.tab = *first;
        }
        self.freshen();
        self.redraw = true;
    }

    pub fn visible_tabs(&self) -> &[Tab] {
        &self.visible
    }

    pub fn current_tab(&self) -> Tab {
        self.tab
    }

    pub fn switch_tab(&mut self, tab: Tab) {
        if self.visible.contains(&tab) {
            self.tab = tab;
            self.freshen();
            self.redraw = true;
        }
    }

    pub fn layers(&self) -> impl Iterator<Item = &Layer> {
        self.layers.iter().map(|e| &e.layer)
    }

    pub fn top_layer(&self) -> Option<&Layer> {
        self.layers.last().map(|e| &e.layer)
    }

    pub fn top_layer_mut(&mut self) -> Option<&mut Layer> {
        self.layers.last_mut().map(|e| &mut e.layer)
    }

    /// Opens a layer owned by the context (its result goes to [`Shell::on_result`]).
    pub fn open(&mut self, layer: Layer) {
        self.push_layer(layer, Owner::Shell);
    }

    pub(super) fn push_layer(&mut self, layer: Layer, owner: Owner) {
        self.layers.push(LayerEntry { layer, owner });
        self.redraw = true;
    }

    pub fn message(&self) -> Option<&StatusMessage> {
        self.message.as_ref()
    }

    pub fn set_message(&mut self, message: StatusMessage) {
        self.message = Some(message);
        self.redraw = true;
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// Whether something changed since the last frame; clears the flag.
    pub fn take_redraw(&mut self) -> bool {
        std::mem::take(&mut self.redraw)
    }

    /// Whether quitting now would lose typed input (a dirty form or tab).
    pub fn is_dirty(&self) -> bool {
        self.layers.iter().any(|e| e.layer.is_dirty()) || self.views.values().any(|v| v.is_dirty())
    }

    /// The keymap mode: the top layer's, else the current tab's.
    pub fn mode(&self) -> Mode {
        match self.top_layer() {
            Some(l) => l.mode(),
            None => self.views.get(&self.tab).map_or(Mode::List, |v| v.mode()),
        }
    }

    /// The view of a tab, for tests and wiring.
    pub fn view(&self, tab: Tab) -> Option<&dyn TabView<C>> {
        self.views.get(&tab).map(|v| v.as_ref())
    }

    /// The context changed: the tab on screen re-reads it now, the others when they are next
    /// shown (their badges read the context themselves).
    pub fn refresh_views(&mut self) {
        if let Some(f) = self.ctx.follow_directory(&self.visible) {
            self.visible = f.tabs;
            if !self.visible.contains(&self.tab)
                && let Some(first) = self.visible.first()
            {
                self.tab = *first;
            }
            if let Some(m) = f.message {
                self.message = Some(StatusMessage::info(m));
            }
        }
        for (tab, v) in self.views.iter_mut() {
            if *tab == self.tab {
                v.refresh(&self.ctx);
                self.stale.remove(tab);
            } else {
                self.stale.insert(*tab);
            }
        }
        self.redraw = true;
    }

    /// Refreshes the current tab's view if the context changed since it last read it.
    pub(super) fn freshen(&mut self) {
        if self.stale.remove(&self.tab)
            && let Some(v) = self.views.get_mut(&self.tab)
        {
            v.refresh(&self.ctx);
        }
    }

    /// Work for the time nobody types, until `until` (see [`TabView::idle`]), on the tab shown
    /// (refreshed first if the data changed). Whether work is left.
    pub fn idle(&mut self, until: std::time::Instant) -> bool {
        if self.writing.is_some() {
            return self.export_a_while(until);
        }
        self.freshen();
        let shown = match self.views.get_mut(&self.tab) {
            Some(v) => {
                let more = v.idle(&self.ctx, until);
                self.redraw |= v.take_redraw();
                more
            }
            None => false,
        };
        // The tab shown first; once it has nothing left, what the next one will need (at
        // least a little, as a tab's idle work does, whatever is left of the slice).
        shown || self.ctx.idle(until)
    }

    /// The periodic tick: asks the context, refreshes the tabs if anything changed.
    pub fn tick(&mut self) -> bool {
        // A list being written is read as it was: the reload waits for the file.
        if self.writing.is_some() {
            return self.show_notice();
        }
        let changed = self.ctx.tick();
        if changed {
            self.refresh_views();
        }
        self.show_notice() || changed
    }

    /// Puts the context's pending warning, if any, in the status bar. `true` if there was one.
    pub fn show_notice(&mut self) -> bool {
        match self.ctx.take_notice() {
            Some(text) => {
                self.set_message(StatusMessage::new(MessageKind::Warning, text));
                true
            }
            None => false,
        }
    }
}
