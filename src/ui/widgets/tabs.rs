//! The tab bar: each title with the key that opens it and a badge (e.g. "(2)" unread). When the
//! full titles do not fit, the longest give way first: short titles, then tiny ones (three
//! letters: twelve tabs fit 80 columns named), then only the key for tabs with nothing to
//! show, and only then a window around the current tab with ‹ › markers. The current tab and
//! the tabs with a badge keep their names as long as anything can.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::Widget;

use crate::ui::theme::Theme;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TabItem {
    pub title: String,
    pub short: String,
    /// Three letters, when even the short titles do not fit.
    pub tiny: String,
    /// Shown after the title in the badge style, in brackets (e.g. `"3"` shows as `(3)`).
    pub badge: Option<String>,
    /// The key that opens the tab (`"1"`, `"0"`), from the keymap.
    pub key: Option<String>,
}

/// How much of an item is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Shown {
    /// The key alone (and the badge).
    Key,
    Tiny,
    Short,
    Full,
}

pub struct TabBar<'a> {
    pub items: &'a [TabItem],
    pub selected: usize,
}

fn width(s: &str) -> u16 {
    u16::try_from(Span::raw(s).width()).unwrap_or(u16::MAX)
}

impl TabBar<'_> {
    fn label(item: &TabItem, shown: Shown) -> (String, Option<String>) {
        let title = match shown {
            Shown::Full => item.title.as_str(),
            Shown::Short => item.short.as_str(),
            Shown::Tiny => item.tiny.as_str(),
            Shown::Key if item.key.is_some() => "",
            Shown::Key => item.tiny.as_str(),
        };
        let text = match (&item.key, title.is_empty()) {
            (Some(k), true) => format!(" {k}"),
            (Some(k), false) => format!(" {k} {title}"),
            (None, _) => format!(" {title}"),
        };
        (text, item.badge.as_ref().map(|b| format!(" ({b})")))
    }

    /// An item's width, with `gap` columns after it (the label starts with a space of its own).
    fn item_width(item: &TabItem, shown: Shown, gap: u16) -> u16 {
        let (text, badge) = Self::label(item, shown);
        width(&text).saturating_add(badge.as_deref().map_or(0, width)).saturating_add(gap)
    }

    /// How each item is shown so that the bar fits `room`, and the gap between items: one more
    /// space, unless without it every tab keeps more of its title (short titles in a tight bar
    /// read better than tiny ones in a spaced bar; any title better than a bare key, whose
    /// numbers run together in a tight bar).
    fn fit(&self, room: u16) -> (Vec<Shown>, u16) {
        let all_at = |shown: &[Shown], least: Shown| shown.iter().all(|s| *s >= least);
        let spaced = self.fit_with(room, 1);
        let tight = self.fit_with(room, 0);
        for least in [Shown::Short, Shown::Tiny] {
            if all_at(&spaced, least) {
                return (spaced, 1);
            }
            if all_at(&tight, least) {
                return (tight, 0);
            }
        }
        (spaced, 1)
    }

    /// How each item is shown so that the bar fits `room` with `gap` after each, giving way in
    /// the order the module documentation says; the bar may still be too wide (then windowed).
    fn fit_with(&self, room: u16, gap: u16) -> Vec<Shown> {
        let mut shown = vec![Shown::Full; self.items.len()];
        let total = |shown: &[Shown]| -> u16 {
            self.items.iter().zip(shown).map(|(i, s)| Self::item_width(i, *s, gap)).fold(0u16, u16::saturating_add)
        };
        // Which items give way at each step: (from, to, the selected one?, ones with a badge?).
        let steps: [(Shown, Shown, bool, bool); 8] = [
            (Shown::Full, Shown::Short, false, false),
            (Shown::Full, Shown::Short, false, true),
            (Shown::Full, Shown::Short, true, true),
            (Shown::Short, Shown::Tiny, false, false),
            (Shown::Short, Shown::Tiny, false, true),
            (Shown::Short, Shown::Tiny, true, true),
            (Shown::Tiny, Shown::Key, false, false),
            (Shown::Tiny, Shown::Key, false, true),
        ];
        for (from, to, selected, badged) in steps {
            loop {
                let over = total(&shown).saturating_sub(room);
                if over == 0 {
                    return shown;
                }
                let candidates: Vec<(u16, usize)> = (0..self.items.len())
                    .filter(|&i| (i == self.selected) == selected && shown[i] >= from)
                    .filter(|&i| selected || self.items[i].badge.is_some() == badged)
                    .map(|i| {
                        let now = Self::item_width(&self.items[i], shown[i], gap);
                        (now.saturating_sub(Self::item_width(&self.items[i], to, gap)), i)
                    })
                    .filter(|(saved, _)| *saved > 0)
                    .collect();
                // The one that saves just enough, else the one that saves most.
                let enough = candidates.iter().filter(|(saved, _)| *saved >= over).min().copied();
                let Some((_, i)) = enough.or_else(|| candidates.iter().max().copied()) else { break };
                shown[i] = to;
            }
        }
        shown
    }

    /// The rectangle of each item on screen (`None` when it is scrolled out).
    pub fn layout(&self, area: Rect) -> Vec<Option<Rect>> {
        self.layout_shown(area).0
    }

    fn layout_shown(&self, area: Rect) -> (Vec<Option<Rect>>, Vec<Shown>) {
        let (shown, gap) = self.fit(area.width);
        let widths: Vec<u16> = self.items.iter().zip(&shown).map(|(i, s)| Self::item_width(i, *s, gap)).collect();
        let total = widths.iter().fold(0u16, |a, w| a.saturating_add(*w));
        let (mut start, mut end) = (0, self.items.len());
        if total > area.width && !self.items.is_empty() {
            // Grow a window around the selected tab, leaving one column each side for markers.
            let budget = area.width.saturating_sub(2);
            let sel = self.selected.min(self.items.len() - 1);
            let (mut s, mut e, mut used) = (sel, sel + 1, widths[sel]);
            loop {
                let mut grew = false;
                if e < widths.len() && used.saturating_add(widths[e]) <= budget {
                    used = used.saturating_add(widths[e]);
                    e += 1;
                    grew = true;
                }
                if s > 0 && used.saturating_add(widths[s - 1]) <= budget {
                    s -= 1;
                    used = used.saturating_add(widths[s]);
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
                x = x.saturating_add(*w);
                Some(r)
            })
            .collect();
        (rects, shown)
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        if area.height == 0 {
            return;
        }
        let area = Rect { height: 1, ..area };
        buf.set_style(area, theme.tab);
        let (rects, shown) = self.layout_shown(area);
        for (i, ((item, rect), how)) in self.items.iter().zip(&rects).zip(&shown).enumerate() {
            let Some(rect) = rect else { continue };
            let style = if i == self.selected { theme.tab_active } else { theme.tab };
            buf.set_style(*rect, style);
            let (text, badge) = Self::label(item, *how);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn admin_items(badges: &[(usize, &str)]) -> Vec<TabItem> {
        let names = [
            ("Overview", "Overview", "Ovw"),
            ("My access", "Access", "Acc"),
            ("Approvals", "Approve", "Apv"),
            ("Reviews", "Reviews", "Rev"),
            ("Catalogs", "Catalogs", "Cat"),
            ("Access packages", "Packages", "Pkg"),
            ("Organizations", "Orgs", "Org"),
            ("Directory", "Users", "Usr"),
            ("Audit", "Audit", "Aud"),
            ("Reports", "Reports", "Rep"),
            ("Notifications", "Inbox", "Inb"),
            ("Settings", "Settings", "Set"),
        ];
        let keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "-", "="];
        names
            .iter()
            .zip(keys)
            .enumerate()
            .map(|(i, ((title, short, tiny), key))| TabItem {
                title: title.to_string(),
                short: short.to_string(),
                tiny: tiny.to_string(),
                badge: badges.iter().find(|(j, _)| *j == i).map(|(_, b)| b.to_string()),
                key: Some(key.to_string()),
            })
            .collect()
    }

    fn bar_text(items: &[TabItem], selected: usize, width: u16) -> String {
        let area = Rect::new(0, 0, width, 1);
        let mut buf = Buffer::empty(area);
        TabBar { items, selected }.render(area, &mut buf, &Theme::monochrome());
        (0..width).map(|x| buf[(x, 0)].symbol().to_string()).collect()
    }

    #[test]
    fn full_titles_when_they_fit_and_the_longest_give_way_first() {
        let items = admin_items(&[(11, "5")]);
        let wide = bar_text(&items, 4, 200);
        assert!(wide.contains(" 2 My access ") && wide.contains(" - Notifications "), "{wide}");
        // Twelve tabs at 120 columns: every one named (a tighter bar before any bare key).
        let mid = bar_text(&items, 4, 120);
        for item in &items {
            let key = item.key.as_deref().unwrap_or("");
            let named = [&item.short, &item.title].iter().any(|t| mid.contains(&format!("{key} {t}")));
            assert!(named, "{} at 120 columns: {mid}", item.title);
        }
    }

    /// Every tab keeps its key on screen, the current one its name, and a badge stays visible
    /// (in brackets, so that it cannot be read as a tab's number), down to 80 columns.
    #[test]
    fn every_key_and_every_badge_stay_visible_at_80_columns() {
        for selected in [0, 4, 11] {
            let items = admin_items(&[(2, "2"), (11, "7")]);
            let bar = bar_text(&items, selected, 80);
            for key in ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "-", "="] {
                assert!(bar.contains(&format!(" {key} ")), "key {key} at 80 columns: {bar}");
            }
            assert!(bar.contains("(2)") && bar.contains("(7)"), "badges: {bar}");
            assert!(!bar.contains('›') && !bar.contains('‹'), "no tab scrolled out: {bar}");
        }
    }

    /// At 80 columns, twelve tabs are each named, at least by their tiny title: no bare key.
    #[test]
    fn twelve_tabs_keep_a_name_each_at_80_columns() {
        for selected in [0, 4, 11] {
            let items = admin_items(&[(2, "2"), (11, "7")]);
            let bar = bar_text(&items, selected, 80);
            for item in &items {
                let key = item.key.as_deref().unwrap_or("");
                let named = [&item.tiny, &item.short, &item.title].iter().any(|t| bar.contains(&format!("{key} {t}")));
                assert!(named, "{} at 80 columns: {bar}", item.title);
            }
        }
    }
}
