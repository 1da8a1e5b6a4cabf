//! Errors of the store. Every variant names the file it is about.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::lock::LockHolder;

/// Where in a file a problem is: a 1-based line and, when known, a 1-based column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Position {
    pub line: Option<u64>,
    pub column: Option<u64>,
}

impl Position {
    /// No position: the problem is about the file as a whole.
    pub const NONE: Position = Position { line: None, column: None };

    pub(crate) fn line(line: u64) -> Self {
        Position { line: Some(line), column: None }
    }

    /// The position serde_json reports; `line_offset` is added to its line (for one journal
    /// line parsed alone, serde's line is 1 and the offset is the journal line number minus 1).
    pub(crate) fn of_json(err: &serde_json::Error, line_offset: u64) -> Self {
        if err.line() == 0 {
            return Position::NONE;
        }
        Position {
            line: Some(err.line() as u64 + line_offset),
            // serde_json counts the column of the last byte read, 0 before the first one.
            column: Some(err.column().max(1) as u64),
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, " line {line}, column {column}"),
            (Some(line), None) => write!(f, " line {line}"),
            _ => Ok(()),
        }
    }
}

/// What serde_json says is wrong, without the " at line L column C" it appends.
pub(crate) fn json_problem(err: &serde_json::Error) -> String {
    let text = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    match text.strip_suffix(&suffix) {
        Some(problem) => problem.to_owned(),
        None => text,
    }
}

/// A failure of the store: I/O, or files it refuses to read or to overwrite.
///
/// Whenever the store refuses data, it has not changed any file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("{}: could not {action}: {source}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "{}{at}: {problem}; fix or move the file aside (entitle has not changed it)",
        path.display()
    )]
    Corrupt { path: PathBuf, at: Position, problem: String },

    #[error(
        "{}: written by a newer entitle (schema version {found}, this entitle reads up to \
         {supported}); upgrade entitle (the file has not been changed)",
        path.display()
    )]
    TooNew { path: PathBuf, found: u32, supported: u32 },

    #[error(
        "{}: holds {found:?} data, not {expected:?}; point entitle at its own data directory, \
         or move the file aside (entitle has not changed it)",
        path.display()
    )]
    WrongKind { path: PathBuf, found: String, expected: &'static str },

    #[error(
        "{}: cannot upgrade schema version {from} to {to}: {message}; use the entitle that \
         wrote it, or fix or move the file aside (entitle has not changed it)",
        path.display()
    )]
    Migrate { path: PathBuf, from: u32, to: u32, message: String },

    #[error(
        "{}{at}: entry seq {seq} cannot be replayed: {message}; the journal does not fit the \
         snapshot. Fix or move the file aside (entitle has not changed it)",
        path.display()
    )]
    Replay { path: PathBuf, at: Position, seq: u64, message: String },

    #[error(
        "{}: already holds data; entitle will not overwrite it. Open it, or reset on purpose \
         (the old files are then kept as backups)",
        path.display()
    )]
    Exists { path: PathBuf },

    #[error(
        "{}: is {what}, not a regular file; entitle reads and writes only regular files. Put the \
         data there, or move it aside (entitle has not changed it)",
        path.display()
    )]
    NotAFile { path: PathBuf, what: String },

    #[error(
        "{}: {}; nothing was done. Try again later, raise the wait with --lock-timeout SECONDS or \
         ENTITLE_LOCK_TIMEOUT, or stop that process if it is stuck",
        path.display(),
        locked_by(holder.as_ref(), Some(*waited))
    )]
    Locked { path: PathBuf, holder: Option<LockHolder>, waited: Duration },

    #[error(
        "{}: gave up waiting; {}. Nothing was done",
        path.display(),
        locked_by(holder.as_ref(), None)
    )]
    GaveUp { path: PathBuf, holder: Option<LockHolder> },

    #[error(
        "{}: this user may not write to the data directory, so changes are refused (reading \
         works). Ask for write access, or copy the directory and use --data on the copy",
        path.display()
    )]
    ReadOnly { path: PathBuf },

    #[error(
        "{}: another process committed first (the data is at entry {found}, this change was made \
         for entry {expected}); nothing was written. Refresh and make the change again",
        path.display()
    )]
    Conflict { path: PathBuf, expected: u64, found: u64 },

    #[error(
        "{}: the entries up to {snapshot} are compacted into the snapshot; entries since {since} \
         cannot be listed. Start from the snapshot (open the store again)",
        path.display()
    )]
    Compacted { path: PathBuf, since: u64, snapshot: u64 },

    #[error(
        "{}: the compaction process {pid} was writing in the background did not finish ({how}); \
         nothing committed is lost (the journal keeps it), and a later commit compacts again",
        path.display()
    )]
    Unfinished { path: PathBuf, pid: u32, how: String },

    #[error("{}: could not encode {what} as JSON: {source}", path.display())]
    Encode {
        path: PathBuf,
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
}

impl StoreError {
    /// The file (or directory) the error is about.
    pub fn path(&self) -> &Path {
        match self {
            StoreError::Io { path, .. }
            | StoreError::Corrupt { path, .. }
            | StoreError::TooNew { path, .. }
            | StoreError::WrongKind { path, .. }
            | StoreError::Migrate { path, .. }
            | StoreError::Replay { path, .. }
            | StoreError::Exists { path }
            | StoreError::NotAFile { path, .. }
            | StoreError::Locked { path, .. }
            | StoreError::GaveUp { path, .. }
            | StoreError::ReadOnly { path }
            | StoreError::Conflict { path, .. }
            | StoreError::Compacted { path, .. }
            | StoreError::Unfinished { path, .. }
            | StoreError::Encode { path, .. } => path,
        }
    }

    /// Whether the store refused data it found on disk (as opposed to failing to do I/O).
    pub fn is_refusal(&self) -> bool {
        !matches!(
            self,
            StoreError::Io { .. }
                | StoreError::Encode { .. }
                | StoreError::Locked { .. }
                | StoreError::GaveUp { .. }
                | StoreError::ReadOnly { .. }
                | StoreError::Conflict { .. }
                | StoreError::Compacted { .. }
                | StoreError::Unfinished { .. }
        )
    }

    pub(crate) fn io(path: &Path, action: &'static str, source: std::io::Error) -> Self {
        StoreError::Io { path: path.to_owned(), action, source }
    }

    pub(crate) fn corrupt(path: &Path, at: Position, problem: impl Into<String>) -> Self {
        StoreError::Corrupt { path: path.to_owned(), at, problem: problem.into() }
    }
}

/// "another process holds the lock: process 12 (...) since ..." with how long it was waited for.
fn locked_by(holder: Option<&LockHolder>, waited: Option<Duration>) -> String {
    let who = match holder {
        Some(h) => format!("another process holds the lock: {h}"),
        None => "another process holds the lock: a reader, or one that left no record".to_owned(),
    };
    match waited {
        Some(w) => format!("{who}, and did not let go within {:.1} s", w.as_secs_f64()),
        None => who,
    }
}

/// Something the store noticed and the user should be told, though nothing failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreWarning {
    /// The journal ends with bytes that are not a whole entry: a write that crashed before
    /// its commit was acknowledged. They are ignored, and kept aside by the next commit.
    #[error(
        "{} line {line}: the last {bytes} bytes are an unfinished write (a commit that crashed \
         before it was acknowledged); they are ignored, and the next change keeps them in a \
         .torn-<n> file beside the journal",
        path.display()
    )]
    TornTail { path: PathBuf, line: u64, bytes: u64 },
    /// The unfinished write was moved out of the journal into `kept`.
    #[error("{}: {bytes} bytes of an unfinished write were moved out of the journal into {}", path.display(), kept.display())]
    TornKept { path: PathBuf, kept: PathBuf, bytes: u64 },
    /// The lock file could not be opened: reads go on without the lock and may see a commit
    /// half-way; changes are refused.
    #[error(
        "{}: cannot be opened, so reads are not locked against changes by others and changes are refused",
        path.display()
    )]
    Unlocked { path: PathBuf },
}

/// Why a commit did not happen.
#[derive(Debug, thiserror::Error)]
pub enum CommitError<E> {
    /// The store could not read or write its files; nothing was committed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The state refused the entry; nothing was written.
    #[error(transparent)]
    Refused(E),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_and_problem_from_serde() {
        let err = serde_json::from_str::<serde_json::Value>("{\n  \"a\": x\n}").unwrap_err();
        let at = Position::of_json(&err, 0);
        assert_eq!(at.line, Some(2));
        assert!(at.column.is_some());
        assert!(!json_problem(&err).contains("at line"), "{}", json_problem(&err));

        let shifted = Position::of_json(&err, 10);
        assert_eq!(shifted.line, Some(12));
    }

    #[test]
    fn display_names_path_line_and_advice() {
        let err = StoreError::corrupt(
            Path::new("/d/journal.jsonl"),
            Position { line: Some(3), column: Some(7) },
            "expected value",
        );
        let text = err.to_string();
        assert!(text.starts_with("/d/journal.jsonl line 3, column 7: expected value"));
        assert!(text.contains("move the file aside"));
        assert!(err.is_refusal());
        assert_eq!(err.path(), Path::new("/d/journal.jsonl"));
    }
}
