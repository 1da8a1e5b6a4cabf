//! The Directory's list of users, which may hold a hundred thousand: it keeps only the ids the
//! reader may see (read once per change of the data) and builds a row when it is drawn, through
//! the domain's per-user reads ([`Tenant::scoped_user`], [`Tenant::scoped_active_assignments`]).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use crate::domain::directory_reads::DirectoryScope;
use crate::domain::{Tenant, UserId, UserType};
use crate::ui::action::Action;
use crate::ui::ctx::Ctx;
use crate::ui::tabs::common::*;
use crate::ui::tabs::lists::AnyList;
use crate::ui::theme::Theme;
use crate::ui::widgets::list_pane::ListPane;
use crate::ui::widgets::table::{CellText, Column, Rows};

pub struct UserList {
    pub pane: ListPane,
    /// The users the reader may see, ascending.
    ids: Vec<UserId>,
    /// What the reader may see of each (None: the read was refused, no rows).
    scope: Option<DirectoryScope>,
}

/// The rows of the list over the tenant of this moment.
struct UserRows<'a> {
    t: &'a Tenant,
    scope: Option<&'a DirectoryScope>,
    ids: &'a [UserId],
    theme: &'a Theme,
}

impl Rows for UserRows<'_> {
    fn len(&self) -> usize {
        self.ids.len()
    }

    fn cells(&self, index: usize) -> Vec<CellText> {
        let mut cells = Vec::with_capacity(7);
        self.each_cell(index, &mut |text, style| cells.push(CellText::styled(text, style)));
        cells
    }

    /// Straight into `out`: the filter's index of a hundred thousand users is built from this on
    /// the first `/`, where making each row's cells (their strings, then a copy) was most of it.
    fn search_text(&self, index: usize, out: &mut String) {
        self.each_cell(index, &mut |text, _| {
            out.push_str(text);
            out.push('\n');
        });
    }
}

impl<'a> UserRows<'a> {
    fn over(ctx: &'a Ctx, scope: Option<&'a DirectoryScope>, ids: &'a [UserId]) -> Self {
        UserRows { t: ctx.tenant(), scope, ids, theme: &ctx.theme }
    }

    /// Row `index`'s cells, text and style, in order: sign-in state only with the whole record,
    /// and the count of active assignments the reader may see. No cell when the reader may not
    /// see the user.
    fn each_cell(&self, index: usize, each: &mut dyn FnMut(&str, Style)) {
        let (Some(scope), Some(id)) = (self.scope, self.ids.get(index)) else { return };
        let (t, theme) = (self.t, self.theme);
        let Some(view) = t.scoped_user(scope, *id) else { return };
        let p = view.profile();
        let plain = Style::new();
        each(p.display_name, plain);
        each(p.email, theme.muted);
        each(if p.user_type == UserType::Guest { "guest" } else { "member" }, plain);
        match view.full() {
            Some(u) if !u.is_active() => each(Mark::Removed.word(), theme.tone(Mark::Removed.tone())),
            Some(u) if u.enabled => each(Mark::Enabled.word(), theme.tone(Mark::Enabled.tone())),
            Some(_) => each("blocked", theme.warning),
            None => each("", plain),
        }
        each(&p.manager.map(|m| t.user_name(m)).unwrap_or_default(), plain);
        each(p.department, plain);
        each(itoa::Buffer::new().format(t.scoped_active_assignments(scope, *id)), plain);
    }
}

impl UserList {
    pub fn new(title: &str, columns: Vec<Column>, empty: &str) -> Self {
        UserList { pane: ListPane::new(title, columns).empty(empty), ids: vec![], scope: None }
    }

    fn rows<'a>(&'a self, ctx: &'a Ctx) -> UserRows<'a> {
        UserRows::over(ctx, self.scope.as_ref(), &self.ids)
    }

    /// The pane, to change, beside the rows it shows.
    fn pane_and_rows<'a>(&'a mut self, ctx: &'a Ctx) -> (&'a mut ListPane, UserRows<'a>) {
        (&mut self.pane, UserRows::over(ctx, self.scope.as_ref(), &self.ids))
    }

    /// Re-reads who the reader may see; the selected user stays selected while still listed.
    pub fn set(&mut self, ctx: &Ctx) {
        let keep = self.selected();
        (self.scope, self.ids) = match ctx.tenant().directory_scope(ctx.actor()) {
            Ok((scope, ids)) => (Some(scope), ids),
            Err(_) => (None, vec![]),
        };
        let (pane, rows) = self.pane_and_rows(ctx);
        pane.sync(&rows);
        if let Some(id) = keep {
            self.select(id);
        }
    }

    pub fn selected(&self) -> Option<UserId> {
        self.pane.selected().and_then(|i| self.ids.get(i).copied())
    }

    /// Selects the row of `id` if the filter shows it.
    pub fn select(&mut self, id: UserId) -> bool {
        match self.ids.binary_search(&id) {
            Ok(i) => self.pane.state.select_source(i),
            Err(_) => false,
        }
    }

    /// Number of rows (before the filter).
    pub fn row_count(&self) -> usize {
        self.ids.len()
    }

    pub fn handle(&mut self, ctx: &Ctx, action: Action) -> bool {
        let (pane, rows) = self.pane_and_rows(ctx);
        pane.handle(action, &rows)
    }

    pub fn text(&mut self, ctx: &Ctx, c: char) -> bool {
        let (pane, rows) = self.pane_and_rows(ctx);
        pane.text(c, &rows)
    }
}

impl AnyList for UserList {
    fn pane(&self) -> &ListPane {
        &self.pane
    }
    fn pane_mut(&mut self) -> &mut ListPane {
        &mut self.pane
    }
    fn handle_action(&mut self, ctx: &Ctx, action: Action) -> bool {
        self.handle(ctx, action)
    }
    fn type_char(&mut self, ctx: &Ctx, c: char) -> bool {
        self.text(ctx, c)
    }
    fn draw(&self, ctx: &Ctx, area: Rect, buf: &mut Buffer, theme: &Theme, focused: bool) {
        self.pane.render(area, buf, theme, &self.rows(ctx), focused);
    }
    fn rows_len(&self) -> usize {
        self.row_count()
    }
    fn set_filter(&mut self, ctx: &Ctx, text: &str) {
        let (pane, rows) = self.pane_and_rows(ctx);
        pane.state.set_filter(text, &rows);
    }
    fn export(&self, ctx: &Ctx, visit: &mut crate::ui::export::Visit<'_>) {
        visit(&self.pane, &self.rows(ctx));
    }
    fn index_a_while(&mut self, ctx: &Ctx, until: std::time::Instant) -> bool {
        let (pane, rows) = self.pane_and_rows(ctx);
        pane.index_a_while(&rows, until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Actor;
    use crate::ui::widgets::table::push_cells_text;

    /// A user's row as the Directory made it before it was read cell by cell.
    fn by_definition(t: &Tenant, scope: &DirectoryScope, id: UserId, theme: &Theme) -> Vec<CellText> {
        let Some(view) = t.scoped_user(scope, id) else { return vec![] };
        let p = view.profile();
        let sign_in = match view.full() {
            Some(u) if !u.is_active() => state_cell(theme, Mark::Removed),
            Some(u) if u.enabled => state_cell(theme, Mark::Enabled),
            Some(_) => CellText::styled("blocked", theme.warning),
            None => cell(""),
        };
        vec![
            cell(p.display_name.to_string()),
            muted_cell(theme, p.email.to_string()),
            cell(if p.user_type == UserType::Guest { "guest" } else { "member" }),
            sign_in,
            cell(p.manager.map(|m| t.user_name(m)).unwrap_or_default()),
            cell(p.department.to_string()),
            cell(t.scoped_active_assignments(scope, id).to_string()),
        ]
    }

    /// Every row of the demo tenant's Directory, a year on (guests blocked and removed), as each
    /// of its people reads it: the cells as defined, and what the filter searches their text.
    #[test]
    fn a_row_s_cells_and_search_text_are_its_definition_for_every_reader() {
        let mut t = crate::demo::demo_tenant().expect("the demo tenant");
        let later = crate::domain::clock::plus_days(t.clock.now, 400).expect("a date");
        t.advance_to(later);
        let theme = Theme::default();
        let (mut rows_seen, mut blocked_or_removed) = (0, 0);
        let readers: Vec<UserId> = t.users.keys().copied().collect();
        for reader in readers {
            let Ok((scope, ids)) = t.directory_scope(&Actor::user(reader)) else { continue };
            let rows = UserRows { t: &t, scope: Some(&scope), ids: &ids, theme: &theme };
            for (i, id) in ids.iter().enumerate() {
                let expected = by_definition(&t, &scope, *id, &theme);
                assert_eq!(rows.cells(i), expected, "{id} as read by {reader}");
                let (mut searched, mut shown) = (String::new(), String::new());
                rows.search_text(i, &mut searched);
                push_cells_text(&expected, &mut shown);
                assert_eq!(searched, shown, "{id} as read by {reader}");
                rows_seen += 1;
                blocked_or_removed += usize::from(expected.get(3).is_some_and(|c| c.text != Mark::Enabled.word()));
            }
        }
        assert!(rows_seen > 100 && blocked_or_removed > 0, "{rows_seen} rows, {blocked_or_removed} not enabled");
    }
}
