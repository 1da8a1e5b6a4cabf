//! Drawing the shell: tab bar, the current tab, status bar, footer hints, then the layers. Layout
//! is computed (and its rectangles kept for the mouse) in `draw`; `render` itself only paints.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::Widget;

use crate::ui::action::Action;
use crate::ui::app::{App, Shell};
use crate::ui::keymap::Mode;
use crate::ui::widgets::help::HelpScope;
use crate::ui::widgets::popup::{TooSmall, too_small};
use crate::ui::widgets::status::{Footer, Hint, MessageLines, StatusBar};
use crate::ui::widgets::tabs::{TabBar, TabItem};

/// The areas of one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShellLayout {
    pub tabs: Rect,
    pub content: Rect,
    /// The last message in full, above the status line, when the status line cuts it.
    pub notice: Rect,
    pub status: Rect,
    pub footer: Rect,
}

impl ShellLayout {
    pub fn new(area: Rect) -> Self {
        Self::with_notice(area, 0)
    }

    /// The layout with `notice` lines kept above the status line.
    pub fn with_notice(area: Rect, notice: u16) -> Self {
        let [tabs, content, notice, status, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(notice),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        ShellLayout { tabs, content, notice, status, footer }
    }
}

impl<C: Shell> App<C> {
    /// Lays out the frame, keeps the rectangles for the mouse, and renders.
    pub fn draw(&mut self, frame: &mut Frame) {
        let area = frame.area();
        self.layout(area);
        self.render(area, frame.buffer_mut());
    }

    /// Computes and remembers this frame's rectangles (tab titles, content).
    pub fn layout(&mut self, area: Rect) {
        self.last_size = area;
        if too_small(area) {
            self.last_tab_rects.clear();
            self.last_content = Rect::default();
            return;
        }
        let l = ShellLayout::with_notice(area, self.notice_lines(area.width));
        let items = self.tab_items();
        let bar = TabBar { items: &items, selected: self.selected_index() };
        let rects = bar.layout(l.tabs);
        self.last_tab_rects = self.visible.iter().zip(rects).filter_map(|(t, r)| r.map(|r| (*t, r))).collect();
        self.last_content = l.content;
    }

    /// Lines for the last message above the status line: none when the status line shows it
    /// whole or the tab shows it itself; else enough to read it (a refusal says what to do).
    fn notice_lines(&self, width: u16) -> u16 {
        let Some(m) = self.message.as_ref() else { return 0 };
        let info = self.ctx.status();
        if (StatusBar { info: &info, message: Some(m), theme: &self.theme }).message_fits(width)
            || self.views.get(&self.tab).is_some_and(|v| v.shows_message(m))
        {
            return 0;
        }
        (Span::raw(&m.text).width() as u16 + 2).div_ceil(width.max(1)).clamp(1, 3)
    }

    fn selected_index(&self) -> usize {
        self.visible.iter().position(|t| *t == self.tab).unwrap_or(0)
    }

    /// What the help shows here: the visible tabs by name, the verbs this tab offers, and the
    /// shell's actions this person may not use.
    pub fn help_scope(&self) -> HelpScope {
        HelpScope {
            tabs: self.visible.iter().map(|t| t.to_string()).collect(),
            verbs: self.offered(),
            withheld: self.ctx.withheld(),
            meanings: self.views.get(&self.tab).map_or_else(Vec::new, |v| {
                self.keymap
                    .bindings(Mode::List)
                    .into_iter()
                    .filter_map(|(a, _)| v.hint_label(a).map(|m| (a, m)))
                    .collect()
            }),
        }
    }

    /// The current tab's hints that may act now: a verb the domain refuses is not offered.
    fn offered(&self) -> Vec<Action> {
        let Some(view) = self.views.get(&self.tab) else { return Vec::new() };
        let list = view.mode() == Mode::List;
        view.hints().into_iter().filter(|a| !list || view.refusal(&self.ctx, *a).is_none()).collect()
    }

    /// The tab-bar items: the key of each visible tab's `goto_tab_N`, badges from the views.
    pub fn tab_items(&self) -> Vec<TabItem> {
        self.visible
            .iter()
            .enumerate()
            .map(|(i, t)| TabItem {
                title: t.to_string(),
                short: t.short().to_string(),
                tiny: t.tiny().to_string(),
                badge: self.views.get(t).and_then(|v| v.badge(&self.ctx)),
                key: Action::goto_tab(i).and_then(|a| self.keymap.hint_key(Mode::Global, a)),
            })
            .collect()
    }

    /// The footer hints for the current mode: `(key, label)` pairs, only for bound actions.
    pub fn hints(&self) -> Vec<(String, String)> {
        self.footer_hints().into_iter().map(|h| (h.key, h.label)).collect()
    }

    /// The footer hints, each marked whether it must stay when the footer is too narrow for all
    /// (help, quit and back: the ways to learn more and to get out).
    pub fn footer_hints(&self) -> Vec<Hint> {
        let mode = self.mode();
        let view = self.views.get(&self.tab).filter(|_| self.top_layer().is_none());
        let in_detail = view.and_then(|v| v.detail()).is_some_and(|d| d.focused());
        let actions: Vec<Action> = match self.top_layer() {
            Some(layer) => layer.hints(),
            None => {
                let mut a = if in_detail { vec![Action::Down, Action::PrevPane] } else { vec![] };
                a.extend(self.offered());
                if mode == Mode::List {
                    a.extend([Action::Help, Action::Quit]);
                } else {
                    a.extend([Action::Open, Action::Back]);
                }
                a
            }
        };
        let mut seen = Vec::new();
        actions
            .into_iter()
            .filter(|a| {
                let new = !seen.contains(a);
                seen.push(*a);
                new
            })
            .filter_map(|a| {
                let label = match a {
                    Action::Down if in_detail => Some("scroll".to_string()),
                    Action::PrevPane if in_detail => Some("back to the list".to_string()),
                    _ => None,
                };
                let label = label
                    .or_else(|| view.and_then(|v| v.hint_label(a)))
                    .or_else(|| self.top_layer().and_then(|l| l.hint_label(a)))
                    .unwrap_or_else(|| a.label());
                let keep = matches!(a, Action::Help | Action::Quit | Action::Back);
                self.keymap.hint_key(mode, a).map(|key| Hint { key, label, keep })
            })
            .collect()
    }

    /// Paints the whole screen from the state (no mutation).
    pub fn render(&self, area: Rect, buf: &mut Buffer) {
        if too_small(area) {
            let quit = self.keymap.hint_key(Mode::Global, Action::ForceQuit);
            TooSmall { theme: &self.theme, quit_key: quit.as_deref() }.render(area, buf);
            return;
        }
        let notice = self.notice_lines(area.width);
        let l = ShellLayout::with_notice(area, notice);
        let items = self.tab_items();
        TabBar { items: &items, selected: self.selected_index() }.render(l.tabs, buf, &self.theme);
        if let Some(view) = self.views.get(&self.tab) {
            view.render(&self.ctx, l.content, buf, &self.theme);
        }
        let info = self.ctx.status();
        // A message shown whole above the status line is not repeated, cut, on it.
        let message = self.message.as_ref().filter(|_| notice == 0);
        if let Some(m) = self.message.as_ref().filter(|_| notice > 0) {
            MessageLines { message: m, theme: &self.theme }.render(l.notice, buf);
        }
        let status = StatusBar { info: &info, message, theme: &self.theme };
        status.render(l.status, buf);
        let hints = self.footer_hints();
        Footer { hints: &hints, theme: &self.theme }.render(l.footer, buf);
        for entry in &self.layers {
            entry.layer.render(area, buf, &self.theme);
        }
    }
}
