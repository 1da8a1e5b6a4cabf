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
/// character skips the rows without it at the cost of a bit test.
#[derive(Debug, Default)]
pub(super) struct SearchIndex {
    rows: Vec<SearchRow>,
}

#[derive(Debug)]
struct SearchRow {
    chars: u128,
    text: Box<str>,
}

/// The set of ASCII characters of `text` as bits (the other characters are not in it).
pub(super) fn ascii_set(text: &str) -> u128 {
    text.bytes().filter(u8::is_ascii).fold(0, |set, b| set | 1u128 << b)
}

impl SearchIndex {
    pub(super) fn build(rows: &dyn Rows) -> Self {
        let n = rows.len();
        count_materialized(n);
        let mut buf = String::new();
        let rows = (0..n)
            .map(|i| {
                buf.clear();
                rows.search_text(i, &mut buf);
                let text = buf.to_lowercase();
                SearchRow { chars: ascii_set(&text), text: text.into_boxed_str() }
            })
            .collect();
        SearchIndex { rows }
    }

    /// Whether row `index` contains `needle` (already lower case), whose ASCII set is `chars`.
    pub(super) fn matches(&self, index: usize, needle: &str, chars: u128) -> bool {
        self.rows.get(index).is_some_and(|r| r.chars & chars == chars && r.text.contains(needle))
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
}
