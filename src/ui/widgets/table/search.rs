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
