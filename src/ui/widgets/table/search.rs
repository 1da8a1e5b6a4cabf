//! What the table's filter searches, and the count of rows the tables materialize.

use std::cell::Cell;

use super::Rows;

thread_local! {
    static MATERIALIZED: Cell<u64> = const { Cell::new(0) };
}

/// How many rows the tables of this thread have asked their [`Rows`] for so far (to draw them or
/// to index them for the filter). Tests take the difference around a frame to check that a
/// frame builds only the rows it shows.
pub fn rows_materialized() -> u64 {
    MATERIALIZED.with(Cell::get)
}

pub(super) fn count_materialized(n: usize) {
    MATERIALIZED.with(|m| m.set(m.get().saturating_add(u64::try_from(n).unwrap_or(u64::MAX))));
}

/// What the filter searches, built once per data (on the first filter after [`super::TableState::sync`]):
/// each row's cells in lower case, and the set of ASCII characters in them, so that a typed
/// character skips the rows without it at the cost of a bit test. The rows' texts are kept one
/// after the other in one string (a hundred thousand rows are not a hundred thousand strings).
#[derive(Debug, Default, PartialEq)]
pub(super) struct SearchIndex {
    text: String,
    rows: Vec<SearchRow>,
}

#[derive(Debug, PartialEq)]
struct SearchRow {
    chars: u128,
    /// Where the row's text ends in `SearchIndex::text` (it starts where the row before ends).
    end: usize,
}

/// The set of ASCII characters of `text` as bits (the other characters are not in it).
pub(super) fn ascii_set(text: &str) -> u128 {
    text.bytes().filter(u8::is_ascii).fold(0, |set, b| set | 1u128 << b)
}

/// Rows indexed between two looks at the clock while the index is built in pieces.
pub const ROWS_PER_LOOK: usize = 256;

impl SearchIndex {
    /// The index of every row at once.
    #[cfg(test)]
    pub(super) fn build(rows: &dyn Rows) -> Self {
        let mut index = SearchIndex::default();
        index.extend(rows, None);
        index
    }

    /// Whether every row of `rows` is indexed.
    pub(super) fn is_complete(&self, rows: &dyn Rows) -> bool {
        self.rows.len() >= rows.len()
    }

    /// Indexes the rows not indexed yet, in order: all of them, or (given `until`) at least
    /// one piece of [`ROWS_PER_LOOK`] and no more once `until` is past, so that it can be
    /// built between key presses. Whether every row is indexed.
    pub(super) fn extend(&mut self, rows: &dyn Rows, until: Option<std::time::Instant>) -> bool {
        let n = rows.len();
        let from = self.rows.len();
        self.rows.reserve(n.saturating_sub(from));
        let mut buf = String::new();
        for i in from..n {
            if let Some(until) = until
                && i > from
                && i.saturating_sub(from).is_multiple_of(ROWS_PER_LOOK)
                && std::time::Instant::now() >= until
            {
                count_materialized(i.saturating_sub(from));
                return false;
            }
            buf.clear();
            rows.search_text(i, &mut buf);
            let start = self.text.len();
            if buf.is_ascii() {
                self.text.push_str(&buf);
                if let Some(row) = self.text.get_mut(start..) {
                    row.make_ascii_lowercase();
                }
            } else {
                self.text.push_str(&buf.to_lowercase());
            }
            let chars = self.text.get(start..).map_or(0, ascii_set);
            self.rows.push(SearchRow { chars, end: self.text.len() });
        }
        count_materialized(n.saturating_sub(from));
        true
    }

    /// Whether row `index` contains `needle` (already lower case), whose ASCII set is `chars`.
    pub(super) fn matches(&self, index: usize, needle: &str, chars: u128) -> bool {
        let Some(row) = self.rows.get(index) else { return false };
        let start = index.checked_sub(1).and_then(|before| self.rows.get(before)).map_or(0, |r| r.end);
        row.chars & chars == chars && self.text.get(start..row.end).is_some_and(|text| text.contains(needle))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::widgets::table::{CellText, rows_fn};

    fn index(rows: &[[&str; 2]]) -> SearchIndex {
        let rows: Vec<Vec<CellText>> = rows.iter().map(|r| r.iter().map(|c| CellText::from(*c)).collect()).collect();
        SearchIndex::build(&rows)
    }

    fn hits(index: &SearchIndex, needle: &str) -> Vec<usize> {
        let needle = needle.to_lowercase();
        (0..index.rows.len()).filter(|i| index.matches(*i, &needle, ascii_set(&needle))).collect()
    }

    #[test]
    fn a_needle_matches_any_cell_in_any_case_but_never_across_two_cells() {
        let idx = index(&[["Adele Vance", "adele@contoso.com"], ["Émile Zola", "EMILE@paris.fr"], ["ab", "cd"]]);
        assert_eq!(hits(&idx, "ADELE"), [0]);
        assert_eq!(hits(&idx, "émile"), [1], "a non-ASCII needle, lower-cased like the rows");
        assert_eq!(hits(&idx, "mile@"), [1]);
        assert_eq!(hits(&idx, "e"), [0, 1]);
        assert_eq!(hits(&idx, "bc"), Vec::<usize>::new(), "'b' ends one cell and 'c' starts the next");
        assert_eq!(hits(&idx, "zz"), Vec::<usize>::new());
    }

    /// The rows' texts lie one after the other: a match is always inside one row, whatever the
    /// rows around it (empty, not ASCII, or ending in what the next starts with).
    #[test]
    fn a_needle_is_matched_in_its_own_row_only() {
        let idx = index(&[["xa", "Ça"], ["", ""], ["bY", "é"], ["ab", "ÀB"], ["a", "b"]]);
        assert_eq!(hits(&idx, "ab"), [3]);
        assert_eq!(hits(&idx, "àb"), [3], "a row not ASCII, lower-cased whole");
        assert_eq!(hits(&idx, "by"), [2]);
        assert_eq!(hits(&idx, "ça"), [0]);
        assert_eq!(hits(&idx, "a"), [0, 3, 4]);
        assert_eq!(hits(&idx, "é"), [2]);
        assert!(!idx.matches(99, "a", ascii_set("a")), "past the last row");
    }

    #[test]
    fn the_character_set_holds_exactly_the_ascii_characters_of_the_text() {
        assert_eq!(ascii_set("ab"), 1u128 << b'a' | 1u128 << b'b');
        assert_eq!(ascii_set("é"), 0);
        assert_eq!(ascii_set(""), 0);
    }

    #[test]
    fn building_asks_for_every_row_once() {
        let before = rows_materialized();
        let idx = SearchIndex::build(&rows_fn(7, |i| vec![CellText::from(format!("row {i}"))]));
        assert_eq!(rows_materialized() - before, 7);
        assert_eq!(hits(&idx, "row 6"), [6]);
    }
    #[test]
    fn an_index_built_in_pieces_is_the_index_built_at_once() {
        let rows = rows_fn(1000, |i| vec![CellText::from(format!("Row {i} É{}", i % 7)), CellText::from("x")]);
        let past = std::time::Instant::now();
        let mut pieces = SearchIndex::default();
        let mut calls = 0;
        loop {
            let before = rows_materialized();
            let done = pieces.extend(&rows, Some(past));
            let made = rows_materialized() - before;
            assert!((1..=ROWS_PER_LOOK as u64).contains(&made), "a piece of {made} rows");
            calls += 1;
            if done {
                break;
            }
            assert!(!pieces.is_complete(&rows));
        }
        assert_eq!(calls, 1000usize.div_ceil(ROWS_PER_LOOK), "a piece each time the deadline is past");
        assert_eq!(pieces, SearchIndex::build(&rows));
        let before = rows_materialized();
        assert!(pieces.extend(&rows, Some(past)), "nothing left");
        assert_eq!(rows_materialized(), before);
    }
}
