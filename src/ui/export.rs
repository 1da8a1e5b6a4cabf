//! `ctrl-e`: the list or report on screen written to a CSV file. The rows are the whole list as
//! filtered now (not only those on screen), with the screen's columns; times in ISO 8601, blanks
//! empty, formulas guarded (see [`crate::tabular`]). The file goes to the export directory (the
//! current directory at launch, or `--export-dir`), named for the list and the in-app date
//! (`entitle-assignments-2026-09-01.csv`); an existing file is never overwritten: the name gets
//! `-2`, `-3`, ... instead.
//!
//! A list is written row by row as it is read ([`Writing`]), never held whole: a short one at
//! once, on the key press; a long one (the audit log of a big tenant: millions of events read
//! back from its files) a slice at a time while nobody types, its progress on the status line,
//! `esc` stopping it (the part written is removed).

use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::domain::Time;
use crate::ui::widgets::list_pane::ListPane;
use crate::ui::widgets::table::Rows;

/// What a tab hands its list to for a CSV file: the pane (columns, view as filtered) and its rows.
pub type Visit<'a> = dyn FnMut(&ListPane, &dyn Rows) + 'a;

/// Rows written on the key press whatever the time they take: a list this long is written
/// before the next frame (every list of a small tenant is).
pub const AT_ONCE: usize = 2_000;

/// How many rows are written between two looks at the clock.
const ROWS_PER_LOOK: usize = 64;

/// How often the progress on the status line is told anew (each telling redraws the screen,
/// which would cost the writing a third of its time at every slice).
const TELL_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// A list being written to its CSV file, from its first row on. The list is the pane's view
/// (its filter as it is): the rows are asked of the pane again at each slice, so the pane must
/// not change meanwhile (the app holds keys and reloads until the file is written).
pub struct Writing {
    path: PathBuf,
    out: csv::Writer<BufWriter<std::fs::File>>,
    /// The next row of the view to write.
    next: usize,
    /// When the progress was last told.
    told: Option<Instant>,
}

impl Writing {
    /// Creates the file for `pane`'s list in `dir` (named for it and `today`) and writes its
    /// header; the error names the path.
    pub fn start(dir: &Path, pane: &ListPane, today: Time) -> Result<Writing, String> {
        let name = match &pane.scope {
            Some(part) => format!("{} {part}", pane.title),
            None => pane.title.clone(),
        };
        let (path, file) = create_new(dir, &file_stem(&name, today))?;
        let out = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(BufWriter::new(file));
        let mut w = Writing { path, out, next: 0, told: None };
        let header = w.out.write_record(pane.columns.iter().map(|c| c.title.as_bytes()));
        match header {
            Ok(()) => Ok(w),
            Err(e) => Err(w.failed(&e.to_string())),
        }
    }

    /// Writes `pane`'s rows from where the last call stopped: at least `at_least` of them, then
    /// until `until`. Whether every row of the view is written; the error (the file then
    /// removed) names the path.
    pub fn write_some(
        &mut self,
        pane: &ListPane,
        rows: &dyn Rows,
        at_least: usize,
        until: Instant,
    ) -> Result<bool, String> {
        let total = pane.state.view_len();
        let mut done = 0usize;
        while self.next < total {
            if done >= at_least && done.is_multiple_of(ROWS_PER_LOOK) && Instant::now() >= until {
                return Ok(false);
            }
            if let Some(source) = pane.state.source_of(self.next) {
                for cell in rows.cells(source) {
                    if let Err(e) = self.out.write_field(cell.to_cell().field().as_bytes()) {
                        return Err(self.failed(&e.to_string()));
                    }
                }
                if let Err(e) = self.out.write_record(None::<&[u8]>) {
                    return Err(self.failed(&e.to_string()));
                }
            }
            self.next = self.next.saturating_add(1);
            done = done.saturating_add(1);
        }
        Ok(true)
    }

    /// Flushes the file; the message for the status line.
    pub fn finish(mut self) -> Result<String, String> {
        if let Err(e) = self.out.flush() {
            return Err(self.failed(&e.to_string()));
        }
        let n = self.next;
        let rows = if n == 1 { "1 row".to_string() } else { format!("{n} rows") };
        Ok(format!("Wrote {rows} to {}", self.path.display()))
    }

    /// Stops before the end: the part written is removed (the file was new, nothing is lost).
    pub fn stop(mut self) -> String {
        self.remove();
        format!("Stopped writing {}: the part written was removed", self.path.display())
    }

    /// How far it is, for the status line, of a list of `total` rows so far (`complete`: all of
    /// them): `None` when it was told less than [`TELL_EVERY`] ago.
    pub fn progress_due(&mut self, total: usize, complete: bool) -> Option<String> {
        let now = Instant::now();
        if self.told.is_some_and(|t| now.saturating_duration_since(t) < TELL_EVERY) {
            return None;
        }
        self.told = Some(now);
        Some(self.progress(total, complete))
    }

    /// How far it is, for the status line, of a list of `total` rows so far: a share only of a
    /// `complete` list (of one still read or searched, the rows found so far).
    fn progress(&self, total: usize, complete: bool) -> String {
        let name = self.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if !complete {
            return format!("Writing {} of {total} rows found so far · esc stops · {name}", self.next);
        }
        let percent =
            u128::try_from(self.next).unwrap_or(0).saturating_mul(100) / u128::try_from(total.max(1)).unwrap_or(1);
        // What matters first, for a narrow terminal: the file's name, last, is what is cut.
        format!("Writing {percent}% ({} of {total} rows) · esc stops · {name}", self.next)
    }

    /// A failed write: the half-written file is taken away; the message names the path.
    fn failed(&mut self, why: &str) -> String {
        self.remove();
        format!("Could not write {}: {why}", self.path.display())
    }

    /// Takes the file away (it was new: nothing is lost). What is still buffered goes, when the
    /// writing is dropped, to the file no longer named.
    fn remove(&mut self) {
        let _ = std::fs::remove_file(&self.path);
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
