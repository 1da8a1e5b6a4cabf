//! The journal file: one `{"seq":N,"entry":...}` line per committed entry.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::Persist;
use super::error::{Position, StoreError, json_problem};

#[derive(Serialize)]
struct LineOut<'a, E> {
    seq: u64,
    entry: &'a E,
}

/// Just the seq of a line (of the journal or a history stream), to decide whether it is
/// already in the snapshot or the stream, without reading the rest.
#[derive(Deserialize)]
pub(crate) struct Head {
    pub seq: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line<E> {
    #[allow(dead_code)]
    seq: u64,
    entry: E,
}

/// The largest seq the store accepts in a file, so that `seq + 1` never overflows.
pub(crate) const MAX_SEQ: u64 = u64::MAX / 2;

/// How far the journal has been read and replayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cursor {
    /// Seq of the state: the snapshot's seq plus the entries replayed since.
    pub seq: u64,
    /// Seq of the snapshot the state was loaded from.
    pub snapshot_seq: u64,
    /// Byte offset just past the last complete line read.
    pub pos: u64,
    /// Complete lines read, including lines already in the snapshot.
    pub lines: u64,
    /// Seq of the last complete line read.
    pub last_seq: Option<u64>,
    /// The last line read is complete JSON but lacks its '\n' (the crash came just before it):
    /// it is a record, and the next line written must start with the missing '\n'.
    pub unterminated: bool,
    /// Bytes after `pos` that are not a whole line (a torn write), as of the last read.
    pub torn: u64,
}

impl Cursor {
    pub fn new(snapshot_seq: u64) -> Self {
        Cursor { seq: snapshot_seq, snapshot_seq, pos: 0, lines: 0, last_seq: None, unterminated: false, torn: 0 }
    }

    /// Whether the journal ends before the state's seq: all its lines are in the snapshot,
    /// and a new line appended after them would leave a gap. The next commit empties it first.
    pub fn is_stale(&self) -> bool {
        self.last_seq.is_some_and(|last| last != self.seq)
    }

    /// Records a line of `len` bytes (with its '\n') appended at `pos` for the next seq.
    pub fn appended(&mut self, len: u64) {
        self.seq += 1;
        self.pos += len;
        self.lines += 1;
        self.last_seq = Some(self.seq);
        self.unterminated = false;
        self.torn = 0;
    }

    /// Forgets the journal's lines (it is about to be emptied or was).
    pub fn restart(&mut self) {
        *self = Cursor { snapshot_seq: self.snapshot_seq, ..Cursor::new(self.seq) };
    }
}

/// The journal line for entry `seq`, with its '\n'.
pub(crate) fn encode_line<E: Serialize>(path: &Path, seq: u64, entry: &E) -> Result<Vec<u8>, StoreError> {
    let mut line = serde_json::to_vec(&LineOut { seq, entry }).map_err(|source| StoreError::Encode {
        path: path.to_owned(),
        what: "the entry",
        source,
    })?;
    line.push(b'\n');
    Ok(line)
}

/// Replays the lines of `bytes` — the journal from `cursor.pos` on — into `state`, advancing
/// `cursor` past each line as it is applied. A last line without its '\n' is a record if it is
/// complete JSON (`cursor.unterminated`), else a torn write that is left alone (`cursor.torn`).
/// On error, `cursor` and `state` stand just before the bad line.
/// Every complete line's seq and entry, in file order (a torn last line is left out).
pub(crate) fn entries<S: Persist>(path: &Path, bytes: &[u8]) -> Result<Vec<(u64, S::Entry)>, StoreError> {
    #[derive(serde::Deserialize)]
    #[serde(bound = "E: serde::de::DeserializeOwned")]
    struct Line<E> {
        seq: u64,
        entry: E,
    }
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let mut out = vec![];
    for (n, line) in bytes.get(..complete).unwrap_or_default().split(|&b| b == b'\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        let parsed: Line<S::Entry> = serde_json::from_slice(line).map_err(|e| {
            let at = Position::line(u64::try_from(n).unwrap_or(u64::MAX).saturating_add(1));
            StoreError::corrupt(path, at, format!("not a journal line: {}", super::error::json_problem(&e)))
        })?;
        out.push((parsed.seq, parsed.entry));
    }
    Ok(out)
}

pub(crate) fn replay<S: Persist>(
    path: &Path,
    bytes: &[u8],
    cursor: &mut Cursor,
    state: &mut S,
) -> Result<(), StoreError> {
    let mut rest = bytes;
    if cursor.unterminated {
        // What follows a line that lacked its '\n' starts with the '\n' the next commit added.
        match rest.split_first() {
            Some((b'\n', after)) => {
                rest = after;
                cursor.pos += 1;
                cursor.unterminated = false;
            }
            Some(_) => return Err(StoreError::corrupt(path, Position::line(cursor.lines), "the line goes on")),
            None => return Ok(()),
        }
    }
    while let Some(end) = rest.iter().position(|&b| b == b'\n') {
        let (line, after) = rest.split_at(end);
        rest = after.get(1..).unwrap_or_default();
        replay_line(path, line, cursor, state)?;
        cursor.pos += end as u64 + 1;
        cursor.lines += 1;
    }
    cursor.torn = 0;
    if rest.is_empty() {
        return Ok(());
    }
    if serde_json::from_slice::<Head>(rest).is_ok() {
        replay_line(path, rest, cursor, state)?;
        cursor.pos += rest.len() as u64;
        cursor.lines += 1;
        cursor.unterminated = true;
    } else {
        cursor.torn = rest.len() as u64;
    }
    Ok(())
}

fn replay_line<S: Persist>(path: &Path, line: &[u8], cursor: &mut Cursor, state: &mut S) -> Result<(), StoreError> {
    let number = cursor.lines + 1;
    let at = Position::line(number);
    let corrupt = |e: serde_json::Error| {
        StoreError::corrupt(
            path,
            Position::of_json(&e, number - 1),
            format!("not a valid journal line: {}", json_problem(&e)),
        )
    };
    if line.iter().all(u8::is_ascii_whitespace) {
        return Err(StoreError::corrupt(path, at, "empty line"));
    }
    let seq = serde_json::from_slice::<Head>(line).map_err(corrupt)?.seq;
    if seq > MAX_SEQ {
        return Err(StoreError::corrupt(path, at, format!("seq {seq} is too large")));
    }
    if let Some(last) = cursor.last_seq
        && seq != last + 1
    {
        let what = if seq > last + 1 { missing(last + 1, seq - 1) } else { "the lines are out of order".to_owned() };
        let problem = format!("seq {seq} follows seq {last}: {what}");
        return Err(StoreError::corrupt(path, at, problem));
    }
    if seq > cursor.snapshot_seq {
        if seq != cursor.seq + 1 {
            let problem = format!(
                "the journal goes on with seq {seq} but the snapshot ends at seq {}: {}",
                cursor.snapshot_seq,
                missing(cursor.seq + 1, seq - 1)
            );
            return Err(StoreError::corrupt(path, at, problem));
        }
        let parsed: Line<S::Entry> = serde_json::from_slice(line).map_err(corrupt)?;
        state.replay(&parsed.entry).map_err(|e| StoreError::Replay {
            path: path.to_owned(),
            at,
            seq,
            message: e.to_string(),
        })?;
        cursor.seq = seq;
    }
    cursor.last_seq = Some(seq);
    Ok(())
}

fn missing(first: u64, last: u64) -> String {
    if first == last { format!("entry {first} is missing") } else { format!("entries {first} to {last} are missing") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_sum::Sum;

    fn run(snapshot_seq: u64, text: &str) -> (Result<(), StoreError>, Cursor, u64) {
        let mut cursor = Cursor::new(snapshot_seq);
        let mut sum = Sum(0);
        let result = replay(Path::new("j"), text.as_bytes(), &mut cursor, &mut sum);
        (result, cursor, sum.0)
    }

    #[test]
    fn replays_after_snapshot_and_leaves_torn_tail() {
        let text = "{\"seq\":1,\"entry\":100}\n{\"seq\":2,\"entry\":5}\n{\"seq\":3,\"entry\":7}\n{\"seq\":4,\"en";
        let (result, cursor, sum) = run(1, text);
        result.unwrap();
        assert_eq!(sum, 12);
        assert_eq!(cursor.seq, 3);
        assert_eq!(cursor.lines, 3);
        assert_eq!(cursor.pos as usize, text.rfind('\n').unwrap() + 1);
        assert!(!cursor.is_stale());
    }

    #[test]
    fn a_complete_last_line_without_its_newline_is_a_record() {
        let text = "{\"seq\":1,\"entry\":100}\n{\"seq\":2,\"entry\":5}";
        let (result, cursor, sum) = run(0, text);
        result.unwrap();
        assert_eq!((sum, cursor.seq, cursor.lines, cursor.torn), (105, 2, 2, 0));
        assert!(cursor.unterminated);
        assert_eq!(cursor.pos as usize, text.len());

        // What another process appends after it starts with the missing newline.
        let mut cursor = cursor;
        let mut more = Sum(105);
        replay(Path::new("j"), b"\n{\"seq\":3,\"entry\":1}\n", &mut cursor, &mut more).unwrap();
        assert_eq!((more.0, cursor.seq, cursor.unterminated), (106, 3, false));

        let (_, torn, sum) = run(0, "{\"seq\":1,\"entry\":100}\n{\"seq\":2,\"entry\":5");
        assert_eq!((sum, torn.seq, torn.torn, torn.unterminated), (100, 1, 18, false));
    }

    #[test]
    fn stale_journal_is_detected() {
        let (result, cursor, sum) = run(5, "{\"seq\":1,\"entry\":1}\n{\"seq\":2,\"entry\":1}\n");
        result.unwrap();
        assert_eq!((sum, cursor.seq), (0, 5));
        assert!(cursor.is_stale());
    }

    #[test]
    fn refuses_gaps_bad_lines_and_replay_errors() {
        let cases = [
            (0, "{\"seq\":1,\"entry\":1}\n{\"seq\":3,\"entry\":1}\n", "line 2", "missing"),
            (0, "{\"seq\":2,\"entry\":1}\n", "line 1", "missing"),
            (0, "{\"seq\":1,\"entry\":1}\n\n", "line 2", "empty line"),
            (0, "{\"seq\":1,\"entry\":1}\n{\"seq\":2,\"entry\":x}\n", "line 2, column", "valid"),
            (0, "{\"seq\":1,\"entry\":-4}\n", "line 1", "negative"),
            (0, "{\"seq\":1,\"entry\":1,\"x\":0}\n", "line 1, column", "unknown field"),
            (3, "{\"seq\":2,\"entry\":1}\n{\"seq\":2,\"entry\":1}\n", "line 2", "order"),
            (0, "{\"seq\":18446744073709551615,\"entry\":1}\n", "line 1", "too large"),
        ];
        for (snapshot_seq, text, at, what) in cases {
            let (result, _, _) = run(snapshot_seq, text);
            let message = result.unwrap_err().to_string();
            assert!(message.starts_with(&format!("j {at}")), "{text:?}: {message}");
            assert!(message.contains(what), "{text:?}: {message}");
        }
    }
}
