//! `ctrl-e`: the list or report on screen written to a CSV file. The rows are the whole list as
//! filtered now (not only those on screen), with the screen's columns; times in ISO 8601, blanks
//! empty, formulas guarded (see [`crate::tabular`]). The file goes to the export directory (the
//! current directory at launch, or `--export-dir`), named for the list and the in-app date
//! (`entitle-assignments-2026-09-01.csv`); an existing file is never overwritten: the name gets
//! `-2`, `-3`, ... instead.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::domain::Time;
use crate::tabular::Table;
use crate::ui::widgets::list_pane::ListPane;
use crate::ui::widgets::table::Rows;

/// A list to write: its name (for the file) and its table.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    pub name: String,
    pub table: Table,
}

impl Listing {
    /// The rows of `pane` its filter lets through (all of them, not only those on screen), under
    /// its column titles.
    pub fn of_pane(pane: &ListPane, rows: &dyn Rows) -> Listing {
        let mut table = Table::with_headers(pane.columns.iter().map(|c| c.title.clone()).collect());
        for i in pane.state.view_sources() {
            table.row(rows.cells(i).into_iter().map(|c| c.to_cell()).collect());
        }
        let name = match &pane.scope {
            Some(part) => format!("{} {part}", pane.title),
            None => pane.title.clone(),
        };
        Listing { name, table }
    }
}

/// `entitle-<name>-<date>`: the name in lower case, its words joined by dashes.
pub fn file_stem(name: &str, today: Time) -> String {
    let mut slug = String::new();
    for word in name.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.extend(word.chars().flat_map(char::to_lowercase));
    }
    if slug.is_empty() {
        slug.push_str("list");
    }
    format!("entitle-{slug}-{}", today.format("%Y-%m-%d"))
}

/// How many numbered names are tried before giving up (a directory full of exports).
const MAX_COPIES: u32 = 10_000;

/// Writes `listing` as a new file in `dir`; the message for the status line, or the error naming
/// the path.
pub fn write(dir: &Path, listing: &Listing, today: Time) -> Result<String, String> {
    let stem = file_stem(&listing.name, today);
    let (path, file) = create_new(dir, &stem)?;
    let mut out = std::io::BufWriter::new(file);
    let written = listing.table.write_csv(&mut out).and_then(|()| out.flush());
    if let Err(e) = written {
        // A half-written file is not an export: take it away (it was new, nothing is lost).
        drop(out);
        let _ = std::fs::remove_file(&path);
        return Err(format!("Could not write {}: {e}", path.display()));
    }
    let n = listing.table.len();
    let rows = if n == 1 { "1 row".to_string() } else { format!("{n} rows") };
    Ok(format!("Wrote {rows} to {}", path.display()))
}

/// A file that did not exist: `stem.csv`, else `stem-2.csv`, `stem-3.csv`, ...
fn create_new(dir: &Path, stem: &str) -> Result<(PathBuf, std::fs::File), String> {
    for n in 1..=MAX_COPIES {
        let name = if n == 1 { format!("{stem}.csv") } else { format!("{stem}-{n}.csv") };
        let path = dir.join(name);
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("Could not write {}: {e}", path.display())),
        }
    }
    Err(format!("Could not write to {}: {MAX_COPIES} files named {stem} are there already", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn file_names_follow_the_list_and_the_day() {
        let day = chrono::Utc.with_ymd_and_hms(2026, 9, 1, 9, 0, 0).single().unwrap_or_default();
        assert_eq!(file_stem("Assignments", day), "entitle-assignments-2026-09-01");
        assert_eq!(file_stem("Holders of Project Alpha (waiting 1-3 days)", day), {
            "entitle-holders-of-project-alpha-waiting-1-3-days-2026-09-01"
        });
        assert_eq!(file_stem(" / ", day), "entitle-list-2026-09-01");
    }
}
