//! The one word-wrap routine of the app: detail panes (a value wrapped under its label), the
//! prompt's and the form's messages. What is measured for the height is what is drawn.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// `text` wrapped to `width` columns: greedy at spaces, a line break kept, a word longer than a
/// line cut where the line ends. Always at least one line.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = vec![];
    for paragraph in text.split('\n') {
        wrap_paragraph(paragraph, width, &mut out);
    }
    out
}

fn wrap_paragraph(text: &str, width: usize, out: &mut Vec<String>) {
    let w = |s: &str| Span::raw(s).width();
    let mut line = String::new();
    let mut pushed = false;
    for word in text.split(' ') {
        let sep = usize::from(!line.is_empty());
        if w(&line) + sep + w(word) <= width {
            if sep == 1 {
                line.push(' ');
            }
            line.push_str(word);
            continue;
        }
        if !line.is_empty() {
            out.push(std::mem::take(&mut line));
            pushed = true;
        }
        for c in word.chars() {
            if w(&line) + w(c.encode_utf8(&mut [0; 4])) > width && !line.is_empty() {
                out.push(std::mem::take(&mut line));
                pushed = true;
            }
            line.push(c);
        }
    }
    if !line.is_empty() || !pushed {
        out.push(line);
    }
}

/// Lines `text` takes when wrapped to `width` columns (what [`wrapped_lines`] draws).
pub fn wrapped_height(text: &str, width: u16) -> u16 {
    u16::try_from(wrap(text, usize::from(width)).len()).unwrap_or(u16::MAX)
}

/// `text` wrapped to `width` columns as lines of one style, to draw without further wrapping.
pub fn wrapped_lines(text: &str, width: u16, style: Style) -> Vec<Line<'static>> {
    wrap(text, usize::from(width)).into_iter().map(|l| Line::styled(l, style)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_words_whole_and_cuts_only_overlong_ones() {
        assert_eq!(wrap("approved by Adele Vance", 12), vec!["approved by", "Adele Vance"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 10), vec![""]);
        assert_eq!(wrap("Project code → ALPHA-7", 40), vec!["Project code → ALPHA-7"]);
        assert_eq!(wrap("one\ntwo three", 5), vec!["one", "two", "three"], "a line break is kept");
        assert_eq!(wrap("a b", 0), vec!["a", "b"], "no width is one column");
    }

    #[test]
    fn the_height_is_the_number_of_lines_drawn() {
        let text = "A long refusal that says which rule refused and what to do instead";
        for width in [1u16, 7, 20, 80] {
            assert_eq!(usize::from(wrapped_height(text, width)), wrapped_lines(text, width, Style::new()).len());
            assert!(wrapped_lines(text, width, Style::new()).iter().all(|l| l.width() <= usize::from(width)));
        }
        assert_eq!(wrapped_height("a b c", 3), 2);
    }
}
