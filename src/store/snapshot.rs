//! The snapshot file: `{"kind", "schema_version", "seq", "state"}`, pretty-printed.

use std::path::Path;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use super::Persist;
use super::error::{Position, StoreError, json_problem};
use super::journal::MAX_SEQ;

#[derive(Serialize)]
struct Out<'a, S> {
    kind: &'static str,
    schema_version: u32,
    seq: u64,
    state: &'a S,
}

/// The header, read first: checked before the state is interpreted at all.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    kind: String,
    schema_version: u32,
    seq: u64,
    #[allow(dead_code)]
    state: IgnoredAny,
}

/// Only the state; the header was checked already.
#[derive(Deserialize)]
struct Body<S> {
    state: S,
}

/// A snapshot as loaded: the state (after `after_load`), its seq, and the schema version it
/// was migrated from, if it was older than ours.
pub(crate) struct Decoded<S> {
    pub state: S,
    pub seq: u64,
    pub migrated_from: Option<u32>,
}

pub(crate) fn encode<S: Persist>(path: &Path, state: &S, seq: u64) -> Result<Vec<u8>, StoreError> {
    let out = Out { kind: S::KIND, schema_version: S::SCHEMA_VERSION, seq, state };
    let mut bytes = Vec::with_capacity(1 << 16);
    let mut ser = serde_json::Serializer::with_formatter(&mut bytes, RecordsFormatter::default());
    serde::Serialize::serialize(&out, &mut ser).map_err(|source| StoreError::Encode {
        path: path.to_owned(),
        what: "the state",
        source,
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

pub(crate) fn decode<S: Persist>(path: &Path, bytes: &[u8]) -> Result<Decoded<S>, StoreError> {
    let corrupt = |e: serde_json::Error, what: &str| {
        StoreError::corrupt(path, Position::of_json(&e, 0), format!("{what}: {}", json_problem(&e)))
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(StoreError::corrupt(
            path,
            Position::NONE,
            format!("the snapshot is empty ({} bytes)", bytes.len()),
        ));
    }
    let header: Header = serde_json::from_slice(bytes).map_err(|e| corrupt(e, "not a valid snapshot"))?;
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
    let (mut state, migrated_from) = if version == S::SCHEMA_VERSION {
        let body: Body<S> = serde_json::from_slice(bytes).map_err(|e| corrupt(e, "the state does not fit"))?;
        (body.state, None)
    } else {
        let migrate_err = |message: String| StoreError::Migrate {
            path: path.to_owned(),
            from: version,
            to: S::SCHEMA_VERSION,
            message,
        };
        let body: Body<serde_json::Value> =
            serde_json::from_slice(bytes).map_err(|e| corrupt(e, "not a valid snapshot"))?;
        let upgraded = S::migrate(version, body.state).map_err(migrate_err)?;
        let state = serde_json::from_value(upgraded)
            .map_err(|e| migrate_err(format!("the upgraded state does not fit: {}", json_problem(&e))))?;
        (state, Some(version))
    };
    state.after_load();
    Ok(Decoded { state, seq: header.seq, migrated_from })
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
const PRETTY_LEVELS: usize = 3;

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
        let v = serde_json::json!({"kind": "k", "state": {"users": [{"id": 1, "roles": ["a", "b"]}, {"id": 2, "roles": []}], "empty": []}});
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut out, RecordsFormatter::default());
        serde::Serialize::serialize(&v, &mut ser).expect("serializes");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(text.contains("\n      {\"id\":1,\"roles\":[\"a\",\"b\"]},\n"), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).expect("parses back");
        assert_eq!(back, v);
    }
}
