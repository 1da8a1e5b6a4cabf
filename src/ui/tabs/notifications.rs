//! Notifications: the signed-in user's in-app mailbox (what the real system emails), newest first,
//! unread in bold with a dot. Enter or `m` marks the selected one read; `assign` (`A`, shown as
//! "mark all read" in the footer) marks them all read. The tab's badge is the unread count.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;

use crate::domain::{Command, Notification, ObjectRef, RequestId};
use crate::session::MailboxRead;
use crate::ui::action::Action;
use crate::ui::app::{Effect, TabView};
use crate::ui::ctx::{Ctx, PerData};
use crate::ui::keymap::Mode;
use crate::ui::tabs::approvals::Detail;
use crate::ui::tabs::common::*;
use crate::ui::tabs::lists::{AnyList, IdList, Switched};
use crate::ui::tabs::panes::Focus;
use crate::ui::theme::Theme;
use crate::ui::widgets::table::{CellText, Column};

/// The action that marks every notification read (no action of its own: `A` in the default keymap).
pub const MARK_ALL_READ: Action = Action::Assign;

pub struct Notifications {
    focus: Focus,
    list: IdList<Mail>,
    unread: PerData<usize>,
    /// What was read of the mailbox's files: a change of the data reads only what came since.
    read: MailboxRead,
}

/// One message of the mailbox as read (once per change of the data, from what the files gave
/// so far and what they added since): the same message is the same row, read or not.
#[derive(Debug, Clone)]
struct Mail(Notification);

impl PartialEq for Mail {
    fn eq(&self, other: &Self) -> bool {
        self.0.seq == other.0.seq
    }
}

/// A message: unread in bold with a dot, when it came, its kind and subject.
fn mail_row(ctx: &Ctx, Mail(n): &Mail) -> Vec<CellText> {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let style = if n.read { ctx.theme.base } else { bold };
    vec![
        CellText::styled(if n.read { " " } else { "•" }, style),
        restyled(time_cell(n.at), if n.read { ctx.theme.muted } else { bold }),
        CellText::styled(kind_label(&n.kind), style),
        CellText::styled(n.subject.clone(), style),
    ]
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
            focus: Focus::default(),
            list: IdList::new(
                "Notifications",
                vec![
                    c("", Constraint::Length(1)),
                    c("Received", Constraint::Length(16)),
                    c("Kind", Constraint::Length(15)),
                    c("Subject", Constraint::Fill(1)),
                ],
                "No notifications yet.",
                mail_row,
            ),
            unread: PerData::default(),
            read: MailboxRead::default(),
        }
    }

    fn selected(&self) -> Option<(u64, bool)> {
        self.list.selected().map(|Mail(n)| (n.seq, n.read))
    }

    fn mark_selected(&self, ctx: &mut Ctx) -> Effect {
        match self.selected() {
            Some((_, true)) => Effect::info("Already read"),
            Some((seq, false)) => ctx.run_effect(Command::MarkRead { notification: Some(seq) }),
            None => Effect::info("No notifications"),
        }
    }

    fn mark_all(&self, ctx: &mut Ctx) -> Effect {
        if self.list.ids.iter().all(|Mail(n)| n.read) {
            return Effect::info("Nothing unread");
        }
        ctx.run_effect(Command::MarkRead { notification: None })
    }
}

/// Where what the message is about (`n.about`) stands now: a request, a review or an
/// assignment, from memory. A message an older version wrote names nothing typed: no line (its
/// text is not read for ids).
fn mentions(ctx: &Ctx, n: &Notification, d: &mut Detail) {
    let t = ctx.tenant();
    let theme = d.theme;
    let Some(about) = n.about else { return };
    let label = format!("{about} now");
    match about {
        ObjectRef::Request(id) => {
            if let Some((now, state)) = request_now(t, id) {
                d.kv_styled(&label, now, theme.tone(state.tone()));
            }
        }
        ObjectRef::Review(id) => {
            if let Some(r) = t.reviews.get(&id) {
                d.kv_styled(&label, r.state.word(), theme.tone(r.state.tone()));
            }
        }
        ObjectRef::Assignment(id) => {
            if let Some(a) = t.assignments.get(&id) {
                let when = match a.ended_at {
                    Some(ended) => format!(" on {}", fmt_day(Some(ended))),
                    None => a.end.map(|e| format!(" until {}", fmt_day(Some(e)))).unwrap_or_default(),
                };
                d.kv_styled(&label, format!("{}{when}", a.state.word()), theme.tone(a.state.tone()));
            }
        }
        _ => {}
    }
}

/// Where a request is now, from memory: an open request's stage, a finished one's state and
/// day from the index of finished requests (its record in the history is not read on a move).
fn request_now(t: &crate::domain::Tenant, id: RequestId) -> Option<(String, crate::domain::RequestState)> {
    if let Some(r) = t.request_in_memory(id) {
        return Some((t.waiting_on(r), r.state));
    }
    let f = t.finished_entry(id)?;
    Some((format!("{} on {}", f.state.word(), fmt_day(Some(f.completed_at))), f.state))
}

impl Switched for Notifications {
    const NAMES: &'static [&'static str] = &["Notifications"];
    fn list(&self, i: usize) -> Option<&dyn AnyList> {
        (i == 0).then_some(&self.list as &dyn AnyList)
    }
    fn list_mut(&mut self, i: usize) -> Option<&mut dyn AnyList> {
        (i == 0).then_some(&mut self.list as &mut dyn AnyList)
    }
    fn focus(&self) -> &Focus {
        &self.focus
    }
    fn focus_mut(&mut self) -> &mut Focus {
        &mut self.focus
    }
}

impl TabView<Ctx> for Notifications {
    fn idle(&mut self, ctx: &Ctx, until: std::time::Instant) -> bool {
        self.index_shown_a_while(ctx, until)
    }
    fn export(&self, ctx: &Ctx, visit: &mut crate::ui::export::Visit<'_>) -> bool {
        self.export_shown(ctx, visit)
    }
    crate::details_in_focus!();
    fn render(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let detail = self.render_lists(ctx, area, buf, theme);
        let mut d = Detail::new(theme);
        match self.list.selected().map(|Mail(n)| n) {
            Some(n) => {
                d.heading(n.subject.clone());
                d.kv("Received", fmt_time(n.at));
                d.kv("Kind", kind_label(&n.kind));
                let (status, style) = if n.read { ("read", theme.muted) } else { ("unread", theme.key) };
                d.kv_styled("Status", status, style);
                mentions(ctx, &n, &mut d);
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
        detail_pane(detail, buf, theme, "Message", d.lines, &self.focus.detail);
    }

    fn handle(&mut self, ctx: &mut Ctx, action: Action) -> Effect {
        if let Some(e) = self.handle_lists(ctx, action) {
            return e;
        }
        match action {
            Action::Open | Action::MarkRead => self.mark_selected(ctx),
            a if a == MARK_ALL_READ => self.mark_all(ctx),
            _ => Effect::Unhandled,
        }
    }

    fn text(&mut self, ctx: &mut Ctx, c: char) -> Effect {
        self.text_lists(ctx, c)
    }

    fn mode(&self) -> Mode {
        self.mode_lists()
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
        self.click_lists(column, row)
    }

    fn scroll(&mut self, _ctx: &mut Ctx, lines: isize) -> Effect {
        self.scroll_lists(lines)
    }

    fn refresh(&mut self, ctx: &Ctx) {
        let mut mail: Vec<Notification> = match ctx.me().map(|me| ctx.session.mailbox_since(me, &mut self.read)) {
            Some(Ok(mail)) => {
                self.list.pane.set_empty("No notifications yet.");
                mail
            }
            Some(Err(e)) => {
                self.list.pane.set_empty(e.to_string());
                vec![]
            }
            None => vec![],
        };
        mail.sort_by_key(|n| std::cmp::Reverse((n.at, n.seq)));
        self.list.set(ctx, mail.into_iter().map(Mail).collect());
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
