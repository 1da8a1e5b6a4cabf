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

/// A styled line wrapped to `width` columns with the same routine as [`wrap`], each piece keeping
/// its style. `hang` columns at the start of the line (a detail line's label) stay a column of
/// their own: the rest wraps beside them, and the continuation rows start with that many blanks.
pub fn wrap_line(line: &Line<'_>, width: usize, hang: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let hang = if hang < width { hang } else { 0 };
    let chars: Vec<(char, Style)> =
        line.spans.iter().flat_map(|s| s.content.chars().map(move |c| (c, line.style.patch(s.style)))).collect();
    let split = chars.iter().scan(0, |w, (c, _)| {
        *w += Span::raw(c.encode_utf8(&mut [0; 4]).to_string()).width();
        Some(*w)
    });
    let label_len = if hang == 0 { 0 } else { split.take_while(|w| *w <= hang).count() };
    // Blanks that start the text indent it: its continuation rows keep the indent.
    let indent = chars.iter().skip(label_len).take_while(|(c, _)| *c == ' ').count();
    let hang = if hang + indent < width { hang + indent } else { hang };
    let head_len = if hang == 0 { 0 } else { label_len + indent };
    let (head, body) = chars.split_at(head_len.min(chars.len()));
    let text: String = body.iter().map(|(c, _)| *c).collect();
    let mut at = 0;
    let mut out = Vec::new();
    for (i, row) in wrap(&text, width - hang).into_iter().enumerate() {
        // A row holds the next characters in order; the blanks and breaks between rows are dropped.
        while body.get(at).is_some_and(|(c, _)| *c == ' ' || *c == '\n') && !row.starts_with(' ') {
            at += 1;
        }
        let mut spans: Vec<Span<'static>> = if i == 0 {
            head.iter().map(|(c, s)| Span::styled(c.to_string(), *s)).collect()
        } else {
            vec![Span::raw(" ".repeat(hang))]
        };
        for c in row.chars() {
            let style = body.get(at).map(|(_, s)| *s).unwrap_or_default();
            at += 1;
            spans.push(Span::styled(c.to_string(), style));
        }
        out.push(merged(spans));
    }
    out
}

/// Neighbouring pieces of one style joined into one span.
fn merged(spans: Vec<Span<'static>>) -> Line<'static> {
    let mut out: Vec<Span<'static>> = Vec::new();
    for s in spans {
        match out.last_mut() {
            Some(last) if last.style == s.style => last.content.to_mut().push_str(&s.content),
            _ => out.push(s),
        }
    }
    Line::from(out)
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

    #[test]
    fn a_styled_line_wraps_under_its_label_and_keeps_its_styles() {
        let label = Style::new().fg(ratatui::style::Color::Gray);
        let value = Style::new().fg(ratatui::style::Color::Green);
        let line = Line::from(vec![Span::styled("Policy    ", label), Span::styled("approved by Adele Vance", value)]);
        let rows = wrap_line(&line, 22, 10);
        let text: Vec<String> = rows.iter().map(|l| l.to_string()).collect();
        assert_eq!(text, vec!["Policy    approved by", "          Adele Vance"]);
        assert_eq!(rows[0].spans[1].style, value, "the value keeps its style");
        assert_eq!(rows[1].spans[1].style, value, "and so does its continuation");
        assert!(rows.iter().all(|l| l.width() <= 22));
    }

    #[test]
    fn a_line_without_a_label_wraps_from_the_left_and_an_empty_one_stays() {
        let rows = wrap_line(&Line::raw("one two three"), 7, 0);
        assert_eq!(rows.iter().map(|l| l.to_string()).collect::<Vec<_>>(), vec!["one two", "three"]);
        assert_eq!(wrap_line(&Line::raw(""), 7, 0).len(), 1);
        // A label wider than the pane is no label.
        assert_eq!(wrap_line(&Line::raw("abc def"), 3, 5).len(), 2);
        // Leading blanks indent the line and its continuation.
        let rows: Vec<String> =
            wrap_line(&Line::raw("  via direct + Marketing"), 16, 0).iter().map(|l| l.to_string()).collect();
        assert_eq!(rows, vec!["  via direct +", "  Marketing"]);
    }
}
