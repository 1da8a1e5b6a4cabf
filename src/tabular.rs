//! One table, two outputs: the aligned text the CLI prints and the CSV file a spreadsheet opens
//! (RFC 4180). Cells are typed where the two differ: a time shows as `2026-09-01 09:00` (or
//! whatever the screen shows) in the text and as ISO 8601 (`2026-09-01T09:00:00Z`) in the CSV; a
//! blank cell shows a placeholder (`-`, `never`) in the text and nothing in the CSV.
//!
//! CSV is raw data: control characters are kept as they are (quoted as RFC 4180 says), not made
//! visible as on the terminal. A text cell that a spreadsheet would read as a formula (starting
//! with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, the usual guard
//! against formula injection: a user's display name cannot run in an admin's spreadsheet.

use std::io::Write;

use crate::domain::Time;

/// One cell of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// A point in time, with the text the table shows for it.
    Time {
        at: Time,
        shown: String,
    },
    /// Nothing: the table shows the placeholder, the CSV an empty field.
    Blank(&'static str),
}

impl Cell {
    /// A time, shown as `2026-09-01 09:00`.
    pub fn time(at: Time) -> Cell {
        Cell::Time { at, shown: at.format("%Y-%m-%d %H:%M").to_string() }
    }

    /// A time, or `none` shown (and an empty CSV field) when there is none.
    pub fn opt_time(at: Option<Time>, none: &'static str) -> Cell {
        at.map_or(Cell::Blank(none), Cell::time)
    }

    /// The text, or `placeholder` shown (and an empty CSV field) when it is empty.
    pub fn text_or(text: String, placeholder: &'static str) -> Cell {
        if text.is_empty() { Cell::Blank(placeholder) } else { Cell::Text(text) }
    }

    /// What the aligned table shows.
    pub fn shown(&self) -> &str {
        match self {
            Cell::Text(s) => s,
            Cell::Time { shown, .. } => shown,
            Cell::Blank(p) => p,
        }
    }

    /// The CSV field: ISO 8601 times, empty blanks, guarded formulas.
    pub fn field(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Cell::Text(s) => guard_formula(s),
            Cell::Time { at, .. } => at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true).into(),
            Cell::Blank(_) => "".into(),
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

/// A row of cells from values of mixed kinds: `cells![id.to_string(), Cell::time(at)]`.
#[macro_export]
macro_rules! cells {
    ($($c:expr),* $(,)?) => { vec![$($crate::tabular::Cell::from($c)),*] };
}

/// Text a spreadsheet would take for a formula, with a leading `'` (shown, never evaluated).
pub fn guard_formula(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}").into() } else { s.into() }
}

/// A table with a header row; in text, columns are as wide as their widest cell.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(headers: &[&str]) -> Self {
        Table { headers: headers.iter().map(|h| h.to_string()).collect(), rows: vec![] }
    }

    /// A table with these column titles.
    pub fn with_headers(headers: Vec<String>) -> Self {
        Table { headers, rows: vec![] }
    }

    pub fn row<C: Into<Cell>>(&mut self, cells: Vec<C>) {
        self.rows.push(cells.into_iter().map(Into::into).collect());
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The table as aligned text, one line per row after the header.
    pub fn render(&self) -> String {
        let cols = self.headers.len();
        let mut width = vec![0usize; cols];
        for (w, h) in width.iter_mut().zip(&self.headers) {
            *w = h.chars().count();
        }
        for row in &self.rows {
            for (w, cell) in width.iter_mut().zip(row) {
                *w = (*w).max(cell.shown().chars().count());
            }
        }
        let mut out = String::new();
        let header = self.headers.iter().map(String::as_str);
        push_line(&mut out, header, &width);
        for row in &self.rows {
            push_line(&mut out, row.iter().map(Cell::shown), &width);
        }
        out
    }

    /// The table, or `empty` when it has no rows.
    pub fn render_or(&self, empty: &str) -> String {
        if self.is_empty() { empty.to_string() } else { self.render() }
    }

    /// The table as CSV (RFC 4180): the header row, then one record per row, CRLF record ends,
    /// fields quoted when they hold a comma, a quote, CR or LF, quotes doubled.
    pub fn write_csv(&self, out: impl Write) -> std::io::Result<()> {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out);
        w.write_record(&self.headers).map_err(std::io::Error::other)?;
        for row in &self.rows {
            for cell in row {
                w.write_field(cell.field().as_bytes()).map_err(std::io::Error::other)?;
            }
            w.write_record(None::<&[u8]>).map_err(std::io::Error::other)?;
        }
        w.flush()
    }

    /// [`Table::write_csv`] into a string.
    pub fn to_csv(&self) -> String {
        let mut out = Vec::new();
        // Writing into memory fails only on a csv error, which these string fields cannot raise.
        let _ = self.write_csv(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }
}

/// One line of the aligned text: cells padded to `width`, two spaces apart, no trailing space.
fn push_line<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>, width: &[usize]) {
    let start = out.len();
    for (i, (cell, w)) in cells.zip(width).enumerate() {
        if i > 0 {
            out.push_str("  ");
        }
        out.push_str(cell);
        if i + 1 < width.len() {
            out.extend(std::iter::repeat_n(' ', w.saturating_sub(cell.chars().count())));
        }
    }
    let end = out.get(start..).map_or(0, |line| line.trim_end().len());
    out.truncate(start.saturating_add(end));
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn table_aligns_columns() {
        let mut t = Table::new(&["ID", "NAME"]);
        t.row(vec!["u1", "Adele"]);
        t.row(vec!["u12", "Al"]);
        assert_eq!(t.render(), "ID   NAME\nu1   Adele\nu12  Al\n");
    }

    #[test]
    fn csv_quotes_times_blanks_and_formulas() {
        let at = chrono::Utc.with_ymd_and_hms(2026, 9, 1, 9, 0, 0).single().unwrap_or_default();
        let mut t = Table::new(&["NAME", "AT", "END"]);
        t.row(cells!["a, \"b\"\nc", Cell::time(at), Cell::opt_time(None, "never")]);
        t.row(cells!["=1+1", Cell::time(at), Cell::Blank("-")]);
        assert_eq!(t.render().lines().nth(3), Some("=1+1      2026-09-01 09:00  -"));
        assert_eq!(
            t.to_csv(),
            "NAME,AT,END\r\n\"a, \"\"b\"\"\nc\",2026-09-01T09:00:00Z,\r\n'=1+1,2026-09-01T09:00:00Z,\r\n"
        );
    }
}
