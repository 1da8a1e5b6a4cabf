//! The warnings a [`Store`](super::Store) keeps until its caller takes them.

use std::path::Path;

use super::error::{StoreError, StoreWarning};
use super::files;
use super::journal::Cursor;

/// Warnings not yet taken by the caller.
#[derive(Default)]
pub(crate) struct Notices {
    pub list: Vec<StoreWarning>,
    /// The torn tail (its length) last warned about, so a warning is given once.
    warned_torn: u64,
}

impl Notices {
    /// Warns once about a torn tail the last read found.
    pub fn note_torn(&mut self, journal: &Path, c: &Cursor) {
        if c.torn > 0 && c.torn != self.warned_torn {
            self.list.push(StoreWarning::TornTail { path: journal.to_owned(), line: c.lines + 1, bytes: c.torn });
        }
        self.warned_torn = c.torn;
    }

    /// Under the exclusive lock, after catching up: moves a torn tail out of the journal
    /// before a write cuts it.
    pub fn keep_torn(&mut self, journal: &Path, c: &Cursor) -> Result<(), StoreError> {
        if c.torn == 0 {
            return Ok(());
        }
        if let Some((kept, bytes)) = files::keep_tail(journal, c.pos)? {
            self.list.push(StoreWarning::TornKept { path: journal.to_owned(), kept, bytes });
        }
        self.warned_torn = 0;
        Ok(())
    }
}
