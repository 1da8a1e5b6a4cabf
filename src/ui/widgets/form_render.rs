//! Drawing a [`Form`]: a popup with the step bar, one line per field (label, value), the field's
//! error (or help) under it, and the form error at the bottom.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::form::Form;
use super::form_field::{Field, FieldKind};
use super::popup::{centered_fixed, popup_frame};
use super::table::put_text;
use super::wrap::{wrapped_height, wrapped_lines};
use crate::ui::theme::Theme;

impl Form {
    /// Draws the form as a popup over `area`.
    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let popup = centered_fixed(area, area.width.saturating_sub(4).min(100), area.height.saturating_sub(2));
        let title = if self.is_dirty() { format!("{} *", self.title) } else { self.title.clone() };
        let inner = popup_frame(popup, buf, &title, theme);
        let inner = Rect { x: inner.x + 1, width: inner.width.saturating_sub(2), ..inner };
        let wizard = self.steps.len() > 1;
        let note = self.step_note(self.step);
        let note_h = note.map_or(0, |n| wrapped_height(n, inner.width) + 1);
        // The form's own error (each field's is wrapped whole under it).
        let message = self.error.clone();
        let message_h = message.as_deref().map_or(1, |m| wrapped_height(m, inner.width).min(3));
        let [steps, note_area, fields, error] = Layout::vertical([
            Constraint::Length(if wizard { 2 } else { 0 }),
            Constraint::Length(note_h),
            Constraint::Fill(1),
            Constraint::Length(message_h),
        ])
        .areas(inner);
        if wizard {
            self.render_steps(steps, buf, theme);
        }
        if let Some(n) = note {
            Paragraph::new(wrapped_lines(n, note_area.width, theme.muted)).render(note_area, buf);
        }
        self.render_fields(fields, buf, theme);
        if let Some(m) = message {
            Paragraph::new(wrapped_lines(&m, error.width, theme.error)).render(error, buf);
        }
    }

    /// The label column of the current step: the longest label plus room, at most half the width.
    fn label_width(&self, width: u16) -> u16 {
        self.fields
            .iter()
            .filter(|f| f.step == self.step && f.visible)
            .map(|f| Span::raw(&f.label).width() as u16 + 6)
            .max()
            .unwrap_or(0)
            .min(width / 2)
    }

    fn step_has_error(&self, step: usize) -> bool {
        self.fields.iter().any(|f| f.step == step && self.field_error(&f.id).is_some())
    }

    fn render_steps(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        // Every step named if that fits, else only the current one named and the others numbered.
        let line = |compact: bool| {
            let mut spans = Vec::new();
            for (i, name) in self.steps.iter().enumerate() {
                let style = if i == self.step { theme.tab_active } else { theme.tab };
                let text =
                    if compact && i != self.step { format!(" {} ", i + 1) } else { format!(" {} {name} ", i + 1) };
                spans.push(Span::styled(text, style));
                if self.step_has_error(i) {
                    spans.push(Span::styled("!", theme.error));
                }
                spans.push(Span::raw(" "));
            }
            Line::from(spans)
        };
        let counter = format!("step {} of {}", self.step + 1, self.steps.len());
        let width = usize::from(area.width);
        let full = line(false);
        let line = if full.width() <= width { full } else { line(true) };
        let row = Rect { height: 1, ..area };
        if line.width() + counter.len() < width {
            Line::styled(counter, theme.muted).right_aligned().render(row, buf);
        }
        line.render(row, buf);
    }

    /// The field's line, and under it its error (or its help) wrapped whole to the value column.
    fn field_height(&self, f: &Field, value_w: u16) -> u16 {
        match (self.field_error(&f.id), &f.help) {
            (Some(e), _) => wrapped_height(&error_text(e), value_w).saturating_add(1),
            (None, Some(h)) => wrapped_height(h, value_w).saturating_add(1),
            (None, None) => 1,
        }
    }

    fn render_fields(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let shown: Vec<usize> =
            (0..self.fields.len()).filter(|&i| self.fields[i].step == self.step && self.fields[i].visible).collect();
        if shown.is_empty() {
            Line::styled("Nothing to fill in on this step.", theme.muted).render(area, buf);
            return;
        }
        let label_w = self.label_width(area.width);
        let value_w = area.width.saturating_sub(label_w);
        // Scroll so that the focused field is fully visible.
        let mut top = 0u16;
        let mut focus_end = 0u16;
        for &i in &shown {
            let h = self.field_height(&self.fields[i], value_w);
            if i == self.focus {
                focus_end = top.saturating_add(h);
            }
            top = top.saturating_add(h);
        }
        let skip = focus_end.saturating_sub(area.height);
        let mut y: i32 = -i32::from(skip);
        for &i in &shown {
            let f = &self.fields[i];
            let h = self.field_height(f, value_w);
            if y >= 0 && y + i32::from(h) <= i32::from(area.height) {
                let row = Rect { y: area.y + y as u16, height: h, ..area };
                self.render_field(f, i == self.focus, row, label_w, buf, theme);
            }
            y += i32::from(h);
        }
    }

    fn render_field(&self, f: &Field, focused: bool, row: Rect, label_w: u16, buf: &mut Buffer, theme: &Theme) {
        let marker = if focused { "› " } else { "  " };
        let req = if f.required { " *" } else { "" };
        let label_style = if focused { theme.title } else { theme.base };
        let label_area = Rect { width: label_w, height: 1, ..row };
        put_text(buf, label_area, &format!("{marker}{}{req}", f.label), label_style);
        let value = Rect { x: row.x + label_w, width: row.width.saturating_sub(label_w), height: 1, ..row };
        match &f.kind {
            FieldKind::Text | FieldKind::Number { .. } | FieldKind::Date { .. } => {
                let w = value.width.min(48);
                let placeholder = match f.kind {
                    FieldKind::Date { time: true } => "YYYY-MM-DD [HH:MM]",
                    FieldKind::Date { time: false } => "YYYY-MM-DD",
                    _ => "",
                };
                let boxed = Rect { width: w, ..value };
                f.input.render(boxed, buf, theme.input, theme.cursor, focused);
                // Where typed text starts, the cursor over its first column.
                if f.input.is_empty() && !placeholder.is_empty() {
                    put_text(buf, boxed, placeholder, theme.input.patch(theme.muted));
                    if focused && let Some(cell) = buf.cell_mut((boxed.x, boxed.y)) {
                        cell.set_style(theme.cursor);
                    }
                }
            }
            FieldKind::Toggle => {
                let text = if f.on { "[x] yes" } else { "[ ] no" };
                let style = if focused { theme.selected } else { theme.base };
                Span::styled(text, style).render(value, buf);
            }
            FieldKind::Choice(opts) => {
                let label = opts.get(f.choice).map_or("(no options)", |o| o.label.as_str());
                let style = if focused { theme.selected } else { theme.base };
                let text = format!("‹ {label} ›  ({} of {})", f.choice + 1, opts.len());
                put_text(buf, value, &text, style);
            }
            FieldKind::MultiChoice(opts) => {
                let mut spans = Vec::new();
                for (i, (o, on)) in opts.iter().zip(&f.flags).enumerate() {
                    let mark = if *on { "[x]" } else { "[ ]" };
                    let style = if focused && i == f.item_cursor { theme.selected } else { theme.base };
                    spans.push(Span::styled(format!("{mark} {}", o.label), style));
                    spans.push(Span::raw("  "));
                }
                Line::from(spans).render(value, buf);
            }
            FieldKind::Lookup { .. } => {
                let labels = f.picked_labels();
                let (text, style) = if labels.is_empty() {
                    ("(none: enter to choose)".to_string(), theme.muted)
                } else {
                    (labels, theme.base)
                };
                let style = if focused { style.patch(theme.selected) } else { style };
                put_text(buf, value, &text, style);
            }
        }
        if row.height > 1 {
            let below = Rect { y: row.y + 1, height: row.height - 1, ..value };
            match (self.field_error(&f.id), &f.help) {
                (Some(e), _) => {
                    Paragraph::new(wrapped_lines(&error_text(e), below.width, theme.error)).render(below, buf)
                }
                (None, Some(h)) => Paragraph::new(wrapped_lines(h, below.width, theme.muted)).render(below, buf),
                (None, None) => {}
            }
        }
    }
}

/// A field's error as shown under it.
fn error_text(e: &str) -> String {
    format!("✗ {e}")
}
