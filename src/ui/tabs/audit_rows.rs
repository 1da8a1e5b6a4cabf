//! The Audit tab's rows: the events of the rows shown, read from the files a page at a time
//! (a log of millions of events is never read whole), and the filter's search over every
//! event, a piece at a time while nobody types, newest first.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;

use crate::domain::AuditEvent;
use crate::session::{AuditLog, RunError, Session};
use crate::store::RecordAt;
use crate::ui::tabs::common::*;
use crate::ui::theme::Theme;
use crate::ui::widgets::table::{CellText, contains_ci};

/// Rows read from the files at once when a row not held is shown.
pub(super) const PAGE: usize = 64;

/// Events held at most; past it the held ones are dropped (the rows on screen are read again).
const HELD_AT_MOST: usize = 4096;

/// Rows the search reads and looks through at once (between two looks at the clock).
const SEARCH_STEP: usize = 512;

/// A row's cells: time, actor, activity, object, summary (what is shown, and what the filter
/// searches).
pub(super) fn event_cells(e: &AuditEvent, theme: &Theme) -> Vec<CellText> {
    vec![
        restyled(time_cell(e.at), theme.muted),
        cell(e.actor.to_string()),
        cell(e.activity.clone()),
        cell(e.object.to_string()),
        cell(e.summary.clone()),
    ]
}

/// The events of rows shown lately, by their place in the files.
#[derive(Debug, Default)]
pub(super) struct Pages {
    held: RefCell<HashMap<RecordAt, AuditEvent>>,
    /// The last error reading a page (told in the pane).
    pub(super) error: RefCell<Option<String>>,
}

impl Pages {
    pub(super) fn clear(&self) {
        self.held.borrow_mut().clear();
    }

    /// The event of row `row` of `log`, its page read from the files if it is not held.
    pub(super) fn event(&self, session: &Session, log: &AuditLog, row: usize) -> Option<AuditEvent> {
        let Some(at) = log.record_of(row) else {
            // Not in the files yet: the log holds it.
            return session.audit_rows(log, row..row.saturating_add(1)).ok()?.pop();
        };
        if let Some(e) = self.held.borrow().get(&at) {
            return Some(e.clone());
        }
        let first = row.saturating_sub(row % PAGE);
        match session.audit_rows(log, first..first.saturating_add(PAGE)) {
            Ok(events) => {
                let mut held = self.held.borrow_mut();
                if held.len().saturating_add(PAGE) > HELD_AT_MOST {
                    held.clear();
                }
                for (r, e) in (first..).zip(events) {
                    if let Some(place) = log.record_of(r) {
                        held.insert(place, e);
                    }
                }
            }
            Err(e) => {
                *self.error.borrow_mut() = Some(e.to_string());
                return None;
            }
        }
        self.held.borrow().get(&at).cloned()
    }
}

/// The filter's search of the log: which rows were looked through. Rows count from the newest,
/// so rows that come in at the top move the others down.
#[derive(Debug, Default)]
pub(super) struct Search {
    /// What is searched for, lower case; empty when no filter is set.
    needle: String,
    /// Rows `0..top` came in since the search began, and are not looked through yet.
    top: usize,
    /// Rows `top..next` are looked through.
    next: usize,
    /// The rows that came in at the top found to match so far: they join the matches once
    /// every row that came in is looked through.
    top_found: Vec<usize>,
}

impl Search {
    pub(super) fn needle(&self) -> &str {
        &self.needle
    }

    /// Starts over, for `needle` (lower case; empty: no search).
    pub(super) fn start(&mut self, needle: &str) {
        *self = Search { needle: needle.to_owned(), ..Search::default() };
    }

    /// Starts over for the same text (the rows were read afresh).
    pub(super) fn restart(&mut self) {
        let needle = std::mem::take(&mut self.needle);
        self.start(&needle);
    }

    /// `n` rows came in at the top.
    pub(super) fn shift(&mut self, n: usize) {
        if !self.needle.is_empty() {
            self.top = self.top.saturating_add(n);
            self.next = self.next.saturating_add(n);
            self.top_found.iter_mut().for_each(|row| *row = row.saturating_add(n));
        }
    }

    /// Whether every row of `log` is looked through (or nothing is searched for).
    pub(super) fn is_done(&self, log: &AuditLog) -> bool {
        self.needle.is_empty() || (self.top == 0 && self.next >= log.len() && log.is_complete())
    }

    /// How far the search is, in percent of the rows known.
    pub(super) fn percent(&self, log: &AuditLog) -> usize {
        let len = log.len().max(1);
        self.next.saturating_sub(self.top).saturating_mul(100) / len
    }

    /// Looks through one more piece of rows, adding the rows that match to `matches` (ascending
    /// rows). Whether there was a piece to look through.
    pub(super) fn step(
        &mut self,
        session: &Session,
        log: &AuditLog,
        theme: &Theme,
        matches: &mut Vec<usize>,
    ) -> Result<bool, RunError> {
        if self.needle.is_empty() {
            return Ok(false);
        }
        if self.top > 0 {
            let from = self.top.saturating_sub(SEARCH_STEP);
            let found = self.search(session, log, theme, from..self.top)?;
            self.top_found.splice(0..0, found);
            self.top = from;
            if from == 0 {
                // Every match is below the rows that came in: these go first.
                matches.splice(0..0, std::mem::take(&mut self.top_found));
            }
            return Ok(true);
        }
        if self.next < log.len() {
            let to = self.next.saturating_add(SEARCH_STEP).min(log.len());
            matches.extend(self.search(session, log, theme, self.next..to)?);
            self.next = to;
            return Ok(true);
        }
        Ok(false)
    }

    fn search(
        &self,
        session: &Session,
        log: &AuditLog,
        theme: &Theme,
        rows: Range<usize>,
    ) -> Result<Vec<usize>, RunError> {
        let events = session.audit_heads(log, rows.clone())?;
        Ok(rows
            .zip(events)
            .filter(|(_, e)| event_cells(e, theme).iter().any(|c| contains_ci(&c.text, &self.needle)))
            .map(|(row, _)| row)
            .collect())
    }
}
