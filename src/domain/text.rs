//! Text that is safe to put on a terminal. Names, justifications and answers come from users and
//! files; a terminal escape code in one of them must not reach the screen of whoever reads it.
//! The terminal app draws through ratatui, which drops control characters; the command line prints
//! through [`printable`].

use std::borrow::Cow;

/// What a control character is shown as.
pub const REPLACEMENT: char = '\u{FFFD}';

/// Whether a character must not reach a terminal raw: C0/C1 controls and DEL, and the
/// bidirectional overrides that make text read differently from how it is stored.
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n') || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character replaced by U+FFFD; newlines are kept (fields may be
/// multi-line). Borrows when there is nothing to replace.
pub fn printable(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_unsafe) {
        Cow::Owned(text.chars().map(|c| if is_unsafe(c) { REPLACEMENT } else { c }).collect())
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_codes_are_replaced_and_newlines_kept() {
        assert_eq!(
            printable("a\x1b[2Jb\nc\td\u{7f}\u{9b}e\u{202E}f"),
            "a\u{FFFD}[2Jb\nc\u{FFFD}d\u{FFFD}\u{FFFD}e\u{FFFD}f"
        );
        assert!(matches!(printable("plain ü text\n"), Cow::Borrowed(_)));
    }
}
