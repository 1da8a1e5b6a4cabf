//! Notifications: the signed-in user's in-app mailbox (what the real system emails), newest first,
//! unread in bold with a dot. Enter or `m` marks the selected one read; `assign` (`A`, shown as
//! "mark all read" in the footer) marks them all read. The tab's badge is the unread count.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;

use crate::domain::{Command, Notification, RequestId, ReviewId};
use crate::ui::action::Action;
use crate::ui::app::{Effect, TabView};
use crate::ui::ctx::{Ctx, PerData};
use crate::ui::keymap::Mode;
use crate::ui::tabs::approvals::Detail;
use crate::ui::tabs::common::*;
use crate::ui::theme::Theme;
use crate::ui::widgets::list_pane::ListPane;
use crate::ui::widgets::table::{CellText, Column};

/// The action that marks every notification read (no action of its own: `A` in the default keymap).
pub const MARK_ALL_READ: Action = Action::Assign;

pub struct Notifications {
    list: ListPane,
    /// Sequence number and read flag of each row.
    items: Vec<(u64, bool)>,
    unread: PerData<usize>,
    rows: Vec<Vec<CellText>>,
    /// The signed-in person's mailbox, newest first, as last read.
    mail: Vec<Notification>,
}

impl Default for Notifications {
    fn default() -> Self {
        Self::new()
    }
}

/// "approvalNeeded" → "approval needed".
pub fn kind_label(kind: &str) -> String {
    let mut out = String::new();
    for c in kind.chars() {
        if c.is_uppercase() {
            out.push(' ');
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

impl Notifications {
    pub fn new() -> Self {
        let c = |t: &str, w| Column::new(t, w);
        Notifications {
            list: ListPane::new(
                "Notifications",
                vec![
                    c("", Constraint::Length(1)),
                    c("Received", Constraint::Length(16)),
                    c("Kind", Constraint::Length(15)),
                    c("Subject", Constraint::Fill(1)),
                ],
            )
            .empty("No notifications yet."),
            items: vec![],
            unread: PerData::default(),
            rows: vec![],
            mail: vec![],
        }
    }

    fn selected(&self) -> Option<(u64, bool)> {
        self.list.selected().and_then(|i| self.items.get(i).copied())
    }

    fn mark_selected(&self, ctx: &mut Ctx) -> Effect {
        match self.selected() {
            Some((_, true)) => Effect::info("Already read"),
            Some((seq, false)) => ctx.run_effect(Command::MarkRead { notification: Some(seq) }),
            None => Effect::info("No notifications"),
        }
    }

    fn mark_all(&self, ctx: &mut Ctx) -> Effect {
        if self.items.iter().all(|(_, read)| *read) {
            return Effect::info("Nothing unread");
        }
        ctx.run_effect(Command::MarkRead { notification: None })
    }
}

/// What the ids a message mentions (`req12`, `rev5`) stand at now.
fn mentions(ctx: &Ctx, n: &Notification, d: &mut Detail) {
    let t = ctx.tenant();
    let theme = d.theme;
    let text = format!("{} {}", n.subject, n.body);
    let mut seen = vec![];
    for word in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        if seen.contains(&word) {
            continue;
        }
        seen.push(word);
        if word.starts_with(RequestId::PREFIX)
            && let Ok(id) = word.parse::<RequestId>()
            && let Some(r) = ctx.request(id)
        {
            let r = &r;
            d.kv_styled(&format!("{id} now"), t.waiting_on(r), theme.state(&r.state.to_string()));
        } else if word.starts_with(ReviewId::PREFIX)
            && let Ok(id) = word.parse::<ReviewId>()
            && let Some(r) = t.reviews.get(&id)
        {
            d.kv_styled(&format!("{id} now"), r.state.to_string(), theme.state(&r.state.to_string()));
        }
    }
}

impl TabView<Ctx> for Notifications {
    fn render(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let (list, detail) = split_list_detail(area);
        self.list.render(list, buf, theme, &self.rows, true);
        let mut d = Detail::new(theme, detail.width);
        match self.selected().and_then(|(seq, _)| self.mail.iter().find(|n| n.seq == seq)) {
            Some(n) => {
                d.heading(n.subject.clone());
                d.kv("Received", fmt_time(n.at));
                d.kv("Kind", kind_label(&n.kind));
                let (status, style) = if n.read { ("read", theme.muted) } else { ("unread", theme.key) };
                d.kv_styled("Status", status, style);
                mentions(ctx, n, &mut d);
                d.line(Line::raw(""));
                if n.body.is_empty() {
                    d.line(Line::styled("(no further text)", theme.muted));
                } else {
                    for l in n.body.lines() {
                        d.line(Line::raw(l.to_string()));
                    }
                }
            }
            None => d.line(Line::styled("Select a notification to read it here.", theme.muted)),
        }
        detail_pane(detail, buf, theme, "Message", d.lines);
    }

    fn handle(&mut self, ctx: &mut Ctx, action: Action) -> Effect {
        if self.list.handle(action, &self.rows) {
            return Effect::None;
        }
        match action {
            Action::Open | Action::MarkRead => self.mark_selected(ctx),
            a if a == MARK_ALL_READ => self.mark_all(ctx),
            _ => Effect::Unhandled,
        }
    }

    fn text(&mut self, _ctx: &mut Ctx, c: char) -> Effect {
        if self.list.text(c, &self.rows) { Effect::None } else { Effect::Unhandled }
    }

    fn mode(&self) -> Mode {
        self.list.mode()
    }

    fn hints(&self) -> Vec<Action> {
        vec![Action::MarkRead, MARK_ALL_READ, Action::Filter]
    }

    fn hint_label(&self, action: Action) -> Option<String> {
        (action == MARK_ALL_READ).then(|| "mark all read".to_string())
    }

    /// The unread count, read from the tenant so it is what the mailbox holds right now (counted
    /// once per change of the data: a mailbox may hold many).
    fn badge(&self, ctx: &Ctx) -> Option<String> {
        let n = self.unread.get(ctx, |ctx| ctx.me().map(|u| ctx.tenant().unread_count(u)).unwrap_or(0));
        (n > 0).then(|| n.to_string())
    }

    fn click(&mut self, _ctx: &mut Ctx, column: u16, row: u16) -> Effect {
        if self.list.contains(column, row) {
            self.list.click(column, row);
            return Effect::None;
        }
        Effect::Unhandled
    }

    fn scroll(&mut self, _ctx: &mut Ctx, lines: isize) -> Effect {
        self.list.scroll(lines);
        Effect::None
    }

    fn refresh(&mut self, ctx: &Ctx) {
        let theme = &ctx.theme;
        let mut mail: Vec<Notification> = match ctx.me().map(|me| ctx.session.mailbox(me)) {
            Some(Ok(mail)) => {
                self.list.empty = "No notifications yet.".into();
                mail
            }
            Some(Err(e)) => {
                self.list.empty = e.to_string();
                vec![]
            }
            None => vec![],
        };
        mail.sort_by_key(|n| std::cmp::Reverse((n.at, n.seq)));
        self.items = mail.iter().map(|n| (n.seq, n.read)).collect();
        let bold = Style::new().add_modifier(Modifier::BOLD);
        self.rows = mail
            .iter()
            .map(|n| {
                let style = if n.read { theme.base } else { bold };
                vec![
                    CellText::styled(if n.read { " " } else { "•" }, style),
                    CellText::styled(fmt_time(n.at), if n.read { theme.muted } else { bold }),
                    CellText::styled(kind_label(&n.kind), style),
                    CellText::styled(n.subject.clone(), style),
                ]
            })
            .collect();
        self.mail = mail;
        self.list.sync(&self.rows);
    }
}

#[cfg(test)]
mod tests {
    use super::kind_label;

    #[test]
    fn kinds_read_as_words() {
        assert_eq!(kind_label("approvalNeeded"), "approval needed");
        assert_eq!(kind_label("expiresSoon"), "expires soon");
        assert_eq!(kind_label("denied"), "denied");
    }
}
