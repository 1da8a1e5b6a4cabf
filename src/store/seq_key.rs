//! The record and key of the store's tests of keyed history streams: a record's number, which
//! is also what its key files hold.

use serde::Deserialize;

use super::history_keys::LineKey;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(super) struct SeqKey {
    pub seq: u64,
}

impl LineKey for SeqKey {
    const FORMAT: u32 = 1;
    fn from_line(line: &[u8]) -> Result<Self, String> {
        serde_json::from_slice(line).map_err(|e| e.to_string())
    }
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.seq.to_le_bytes());
    }
    fn decode(bytes: &[u8]) -> Option<Self> {
        Some(SeqKey { seq: u64::from_le_bytes(bytes.try_into().ok()?) })
    }
}
