//! The tab bar: numbered titles with optional badges (e.g. unread counts). When the full titles do
//! not fit, short titles are used, then a window around the current tab with ‹ › markers.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::Widget;

use crate::ui::theme::Theme;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TabItem {
    pub title: String,
    pub short: String,
    /// Shown after the title in the badge style (e.g. `"3"`).
    pub badge: Option<String>,
    /// The number key shown before the title (1-9), if any.
    pub number: Option<usize>,
}

pub struct TabBar<'a> {
    pub items: &'a [TabItem],
    pub selected: usize,
}

fn width(s: &str) -> u16 {
    Span::raw(s).width() as u16
}

impl TabBar<'_> {
    fn label(item: &TabItem, short: bool) -> (String, Option<String>) {
        let title = if short { &item.short } else { &item.title };
        let text = match item.number {
            Some(n) => format!(" {n} {title}"),
            None => format!(" {title}"),
        };
        (text, item.badge.as_ref().map(|b| format!(" {b}")))
    }

    fn item_width(item: &TabItem, short: bool) -> u16 {
        let (text, badge) = Self::label(item, short);
        width(&text) + badge.as_deref().map_or(0, width) + 1
    }

    /// The rectangle of each item on screen (`None` when it is scrolled out), and whether short
    /// titles are used.
    pub fn layout(&self, area: Rect) -> (Vec<Option<Rect>>, bool) {
        let mut short = false;
        let total = |short: bool| -> u16 {
            self.items.iter().map(|i| Self::item_width(i, short)).fold(0u16, u16::saturating_add)
        };
        if total(false) > area.width {
            short = true;
        }
        let widths: Vec<u16> = self.items.iter().map(|i| Self::item_width(i, short)).collect();
        let (mut start, mut end) = (0, self.items.len());
        if total(short) > area.width && !self.items.is_empty() {
            // Grow a window around the selected tab, leaving one column each side for markers.
            let budget = area.width.saturating_sub(2);
            let sel = self.selected.min(self.items.len() - 1);
            let (mut s, mut e, mut used) = (sel, sel + 1, widths[sel]);
            loop {
                let mut grew = false;
                if e < widths.len() && used + widths[e] <= budget {
                    used += widths[e];
                    e += 1;
                    grew = true;
                }
                if s > 0 && used + widths[s - 1] <= budget {
                    s -= 1;
                    used += widths[s];
                    grew = true;
                }
                if !grew {
                    break;
                }
            }
            (start, end) = (s, e);
        }
        let mut x = area.x + u16::from(start > 0);
        let right = area.x + area.width;
        let rects = widths
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i < start || i >= end || x >= right {
                    return None;
                }
                let r = Rect { x, y: area.y, width: (*w).min(right - x), height: 1 };
                x += w;
                Some(r)
            })
            .collect();
        (rects, short)
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        if area.height == 0 {
            return;
        }
        let area = Rect { height: 1, ..area };
        buf.set_style(area, theme.tab);
        let (rects, short) = self.layout(area);
        for (i, (item, rect)) in self.items.iter().zip(&rects).enumerate() {
            let Some(rect) = rect else { continue };
            let style = if i == self.selected { theme.tab_active } else { theme.tab };
            buf.set_style(*rect, style);
            let (text, badge) = Self::label(item, short);
            let (x, _) = buf.set_stringn(rect.x, rect.y, &text, usize::from(rect.width), style);
            if let Some(b) = badge {
                let w = (rect.x + rect.width).saturating_sub(x);
                buf.set_stringn(x, rect.y, &b, usize::from(w), style.patch(theme.badge));
            }
        }
        let first_shown = rects.iter().position(Option::is_some);
        let last_shown = rects.iter().rposition(Option::is_some);
        if first_shown.is_some_and(|f| f > 0) {
            Span::styled("‹", theme.muted).render(Rect { width: 1, ..area }, buf);
        }
        if last_shown.is_some_and(|l| l + 1 < rects.len()) && area.width > 0 {
            let r = Rect { x: area.x + area.width - 1, width: 1, ..area };
            Span::styled("›", theme.muted).render(r, buf);
        }
    }
}
