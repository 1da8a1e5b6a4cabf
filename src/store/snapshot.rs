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
    let mut bytes = serde_json::to_vec_pretty(&out).map_err(|source| StoreError::Encode {
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
