//! A finished record's key ([`FinishedKey`]) in the compact binary form the history's key files
//! keep (see `store::history_keys`): what a list of a person's requests reads for each record
//! of a long stream instead of parsing the record. Integers as varints, as the tenant's cache.

use super::binary::codec::{Got, In, Out, bad};
use super::finished_pages::{FinishedKey, KeyTarget};
use super::flow::StageDecision;
use super::ids::{RequestId, UserId};

/// The version of the layout below: bump it whenever it changes.
pub const KEY_FORMAT: u32 = 1;

impl FinishedKey {
    /// The key of a finished record's line (`{"seq":…,"request":{…}}`).
    pub fn from_line(line: &[u8]) -> Result<FinishedKey, String> {
        serde_json::from_slice(line).map_err(|e| e.to_string())
    }

    /// Appends the key's compact form: id, requestor (0: none), creation, target (0 and a
    /// user, or 1 and an email), then the decisions.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let mut o = Out { buf: std::mem::take(out) };
        o.u64(self.id.0);
        o.opt_id(self.requestor.map(|u| u.0));
        o.time(self.created_at);
        match &self.target {
            KeyTarget::User(user) => {
                o.u8(0);
                o.u64(user.0);
            }
            KeyTarget::Outside(email) => {
                o.u8(1);
                o.str(email);
            }
        }
        o.len(self.decisions.len());
        for d in &self.decisions {
            o.u64(d.stage as u64);
            o.u64(d.by.0);
            o.bool(d.approved);
            o.str(&d.reason);
            o.time(d.at);
        }
        *out = o.buf;
    }

    /// The key back from exactly the bytes [`FinishedKey::encode`] wrote; None if they do not read.
    pub fn decode(bytes: &[u8]) -> Option<FinishedKey> {
        let mut i = In::new(bytes);
        let key = read_key(&mut i).ok()?;
        i.is_empty().then_some(key)
    }
}

fn read_key(i: &mut In<'_>) -> Got<FinishedKey> {
    let id = RequestId(i.u64()?);
    let requestor = i.opt_id()?.map(UserId);
    let created_at = i.time()?;
    let target = match i.u8()? {
        0 => KeyTarget::User(UserId(i.u64()?)),
        1 => KeyTarget::Outside(i.str()?.into()),
        t => return bad(format!("{t} is not a target")),
    };
    let n = i.len(5)?;
    let mut decisions = Vec::with_capacity(n);
    for _ in 0..n {
        let stage = usize::try_from(i.u64()?).map_err(|_| super::binary::codec::Bad("a stage too large".into()))?;
        let (by, approved, reason, at) = (UserId(i.u64()?), i.bool()?, i.string()?, i.time()?);
        decisions.push(StageDecision { stage, by, approved, reason, at });
    }
    Ok(FinishedKey { id, requestor, target, created_at, decisions })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_reads_back_as_written_and_any_cut_of_it_does_not_read() {
        let at = chrono::DateTime::from_timestamp(1_767_603_600, 0).unwrap_or_default();
        let key = FinishedKey {
            id: RequestId(163_203),
            requestor: None,
            target: KeyTarget::Outside("Alex@Azureblog.net".into()),
            created_at: at,
            decisions: vec![StageDecision { stage: 1, by: UserId(300), approved: false, reason: "Not now".into(), at }],
        };
        let mut bytes = vec![];
        key.encode(&mut bytes);
        assert_eq!(FinishedKey::decode(&bytes), Some(key.clone()));
        for cut in 0..bytes.len() {
            assert_eq!(FinishedKey::decode(bytes.get(..cut).unwrap_or_default()), None, "cut at {cut}");
        }
        let user = FinishedKey { target: KeyTarget::User(UserId(2)), requestor: Some(UserId(2)), ..key };
        let mut bytes = vec![];
        user.encode(&mut bytes);
        assert_eq!(FinishedKey::decode(&bytes), Some(user));
    }
}
