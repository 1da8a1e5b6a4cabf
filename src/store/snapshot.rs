//! The snapshot file: a header line `{"kind", "schema_version", "seq", "history"}`, then the
//! state, laid out one record a line. The header is read without touching the state, so a look
//! at the header costs the same for any size of tenant. Files written before the header had
//! its own line (`{"kind", "schema_version", "seq", "state"}`) are still read.

use std::path::Path;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use super::Persist;
use super::error::{Position, StoreError, json_problem};
use super::journal::MAX_SEQ;

/// The history directory of snapshots that name none.
pub(crate) const DEFAULT_HISTORY: &str = "history";

#[derive(Serialize)]
struct HeaderOut<'a> {
    kind: &'static str,
    schema_version: u32,
    seq: u64,
    history: &'a str,
}

/// The header, read first: checked before the state is interpreted at all. An older file has
/// the state inside it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Header {
    pub kind: String,
    pub schema_version: u32,
    pub seq: u64,
    #[serde(default)]
    pub history: Option<String>,
    #[serde(default)]
    state: Option<IgnoredAny>,
}

impl Header {
    /// Whether the state is inside the header (an older layout).
    pub fn has_state(&self) -> bool {
        self.state.is_some()
    }
}

/// Only the state of an older file; the header was checked already.
#[derive(Deserialize)]
struct Body<S> {
    state: S,
}

/// A snapshot as loaded: the state (before `after_load`: the caller first lets go of the file's
/// bytes, so they and the indexes are never in memory together), its seq, its history directory's name,
/// and the schema version it was migrated from, if it was older than ours.
pub(crate) struct Decoded<S> {
    pub state: S,
    pub seq: u64,
    pub history: String,
    pub migrated_from: Option<u32>,
}

pub(crate) fn encode<S: Persist>(path: &Path, state: &S, seq: u64, history: &str) -> Result<Vec<u8>, StoreError> {
    let mut bytes = Vec::new();
    encode_into(path, state, seq, history, &mut bytes, path)?;
    Ok(bytes)
}

/// [`encode`], written to `out` as it is made (the file at `written`, for errors).
pub(crate) fn encode_into<S: Persist>(
    path: &Path,
    state: &S,
    seq: u64,
    history: &str,
    out: &mut dyn std::io::Write,
    written: &Path,
) -> Result<(), StoreError> {
    let fail = |source: serde_json::Error| {
        if source.is_io() {
            StoreError::io(written, "write the file", source.into())
        } else {
            StoreError::Encode { path: path.to_owned(), what: "the state", source }
        }
    };
    let header = HeaderOut { kind: S::KIND, schema_version: S::SCHEMA_VERSION, seq, history };
    serde_json::to_writer(&mut *out, &header).map_err(fail)?;
    out.write_all(b"\n").map_err(|e| StoreError::io(written, "write the file", e))?;
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, RecordsFormatter::default());
    serde::Serialize::serialize(state, &mut ser).map_err(fail)?;
    out.write_all(b"\n").map_err(|e| StoreError::io(written, "write the file", e))
}

/// The header and where the state starts (None: the state is inside the header, an older file).
pub(crate) fn header(path: &Path, bytes: &[u8]) -> Result<(Header, Option<usize>), StoreError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(StoreError::corrupt(
            path,
            Position::NONE,
            format!("the snapshot is empty ({} bytes)", bytes.len()),
        ));
    }
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<Header>();
    let header = match stream.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            let problem = format!("not a valid snapshot: {}", json_problem(&e));
            return Err(StoreError::corrupt(path, Position::of_json(&e, 0), problem));
        }
        None => return Err(StoreError::corrupt(path, Position::NONE, "the snapshot is empty".to_string())),
    };
    let body = if header.state.is_some() { None } else { Some(stream.byte_offset()) };
    Ok((header, body))
}

/// The header of the snapshot at `path` and the file's stamp, reading only its first line.
/// `None` when there is no file, or its first line is not a header of its own (an older layout).
pub(crate) fn read_header(path: &Path) -> Result<Option<(Header, super::files::Stamp)>, StoreError> {
    if super::files::stat(path)?.is_none() {
        return Ok(None);
    }
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::io(path, "open the file", e)),
    };
    let meta = file.metadata().map_err(|e| StoreError::io(path, "look at the file", e))?;
    super::files::check_regular(path, &meta)?;
    // A header is a few dozen bytes: a longer first line is no header.
    let line = super::files::first_line(file, 4096).map_err(|e| StoreError::io(path, "read the file", e))?;
    let Ok(head) = serde_json::from_slice::<Header>(&line) else { return Ok(None) };
    Ok(head.state.is_none().then(|| (head, super::files::Stamp::of(&meta))))
}

pub(crate) fn decode<S: Persist>(path: &Path, bytes: &[u8]) -> Result<Decoded<S>, StoreError> {
    let corrupt = |e: serde_json::Error, what: &str| {
        StoreError::corrupt(path, Position::of_json(&e, 0), format!("{what}: {}", json_problem(&e)))
    };
    let (header, body_at) = header(path, bytes)?;
    if header.seq > MAX_SEQ {
        let problem = format!("seq {} is too large", header.seq);
        return Err(StoreError::corrupt(path, Position::NONE, problem));
    }
    if header.kind != S::KIND {
        return Err(StoreError::WrongKind { path: path.to_owned(), found: header.kind, expected: S::KIND });
    }
    let version = header.schema_version;
    if version > S::SCHEMA_VERSION {
        return Err(StoreError::TooNew { path: path.to_owned(), found: version, supported: S::SCHEMA_VERSION });
    }
    if body_at.is_none() && header.history.is_some() {
        let problem = "the header names a history directory but holds the state too".to_string();
        return Err(StoreError::corrupt(path, Position::NONE, problem));
    }
    let history = header.history.unwrap_or_else(|| DEFAULT_HISTORY.to_string());
    if !valid_history_name(&history) {
        let problem = format!("'{history}' is not a history directory's name (history or history-N)");
        return Err(StoreError::corrupt(path, Position::NONE, problem));
    }
    let (state, migrated_from) = if version == S::SCHEMA_VERSION {
        let state: S = match body_at {
            Some(at) => {
                let rest = bytes.get(at..).unwrap_or_default();
                S::decode_state(rest).map_err(|e| {
                    let what = if e.is_data() { "the state does not fit" } else { "not a valid snapshot" };
                    corrupt(e, what)
                })?
            }
            None => {
                let body: Body<S> = serde_json::from_slice(bytes).map_err(|e| corrupt(e, "the state does not fit"))?;
                body.state
            }
        };
        (state, None)
    } else {
        let migrate_err = |message: String| StoreError::Migrate {
            path: path.to_owned(),
            from: version,
            to: S::SCHEMA_VERSION,
            message,
        };
        let value: serde_json::Value = match body_at {
            Some(at) => serde_json::from_slice(bytes.get(at..).unwrap_or_default())
                .map_err(|e| corrupt(e, "not a valid snapshot"))?,
            None => {
                let body: Body<serde_json::Value> =
                    serde_json::from_slice(bytes).map_err(|e| corrupt(e, "not a valid snapshot"))?;
                body.state
            }
        };
        let upgraded = S::migrate(version, value).map_err(migrate_err)?;
        let state = serde_json::from_value(upgraded)
            .map_err(|e| migrate_err(format!("the upgraded state does not fit: {}", json_problem(&e))))?;
        (state, Some(version))
    };
    Ok(Decoded { state, seq: header.seq, history, migrated_from })
}

/// `history`, or `history-N` for the directory of a tenant installed over another.
pub(crate) fn valid_history_name(name: &str) -> bool {
    name == DEFAULT_HISTORY
        || name.strip_prefix("history-").is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Pretty down to the lists of records, one compact record per line below that: a person can read
/// and grep the file (one user, request or assignment a line), and it stays a third smaller than
/// fully pretty JSON at a million assignments.
#[derive(Default)]
struct RecordsFormatter {
    level: usize,
    has_value: bool,
}

/// Containers at this nesting level or above are laid out over lines; deeper ones are compact.
const PRETTY_LEVELS: usize = 2;

impl RecordsFormatter {
    fn pretty(&self) -> bool {
        self.level <= PRETTY_LEVELS
    }
    fn newline<W: ?Sized + std::io::Write>(w: &mut W, level: usize) -> std::io::Result<()> {
        w.write_all(b"\n")?;
        for _ in 0..level {
            w.write_all(b"  ")?;
        }
        Ok(())
    }
    fn open<W: ?Sized + std::io::Write>(&mut self, w: &mut W, c: &[u8]) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(c)
    }
    fn close<W: ?Sized + std::io::Write>(&mut self, w: &mut W, c: &[u8]) -> std::io::Result<()> {
        let pretty = self.pretty();
        self.level -= 1;
        if pretty && self.has_value {
            Self::newline(w, self.level)?;
        }
        w.write_all(c)
    }
    fn item<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        if self.pretty() { Self::newline(w, self.level) } else { Ok(()) }
    }
}

impl serde_json::ser::Formatter for RecordsFormatter {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"[")
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        self.item(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"{")
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        self.item(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(if self.pretty() { b": " } else { b":" })
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod records_tests {
    use super::*;

    #[test]
    fn records_are_one_compact_line_each_below_the_pretty_levels() {
        let v = serde_json::json!({"users": [{"id": 1, "roles": ["a", "b"]}, {"id": 2, "roles": []}], "empty": []});
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut out, RecordsFormatter::default());
        serde::Serialize::serialize(&v, &mut ser).expect("serializes");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(text.contains("\n    {\"id\":1,\"roles\":[\"a\",\"b\"]},\n"), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).expect("parses back");
        assert_eq!(back, v);
    }
}
