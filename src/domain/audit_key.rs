//! The key of an audit event's line in the history files: the object the event is about. It
//! is what a reader's rights are decided on (a catalog's owner reads its catalog's events) and
//! what `entitle audit --object` picks by, so both are decided for millions of events from
//! the key files beside the log, without parsing an event.

use serde::{Deserialize, Deserializer};

use super::audit_refs::{self, AuditObject};
use super::ids::ObjectRef;

/// The version of [`AuditKey::encode`]'s layout: bump it whenever it changes.
pub const KEY_FORMAT: u32 = 1;

/// The code of an event about no object of the tenant (an older version's text).
const NONE: u8 = u8::MAX;

/// What an audit event's line is keyed by: its object as a kind's code (its place in
/// [`ObjectRef::KINDS`]) and the id's number (0 for a kind without one). Made into an
/// [`ObjectRef`] only when asked: a reader who reads every event never asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditKey {
    code: u8,
    number: u64,
}

/// The object of an event, as its line writes it.
struct Object(AuditObject);

impl<'de> Deserialize<'de> for Object {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        audit_refs::object(d).map(Object)
    }
}

#[derive(Deserialize)]
struct Whole {
    object: Object,
}

impl AuditKey {
    /// The key of an event about `object` (None: an older version's text that names none).
    pub fn of(object: Option<ObjectRef>) -> AuditKey {
        let code = object.and_then(|o| ObjectRef::KINDS.iter().position(|k| *k == o.kind()));
        match (object, code.and_then(|c| u8::try_from(c).ok())) {
            (Some(o), Some(code)) => AuditKey { code, number: o.number().unwrap_or(0) },
            _ => AuditKey { code: NONE, number: 0 },
        }
    }

    /// The object the event is about, if it names one of the tenant's.
    pub fn object(&self) -> Option<ObjectRef> {
        let kind = ObjectRef::KINDS.get(usize::from(self.code))?;
        ObjectRef::from_kind(kind, Some(self.number)).or_else(|| ObjectRef::from_kind(kind, None))
    }

    /// The key of an event's line (JSON). The object is found by its field's name: a `"`
    /// inside a string is written `\"`, so `,"object":` is the event's own field, the first
    /// after the actor's; a line written otherwise is parsed whole.
    pub fn from_line(line: &[u8]) -> Result<AuditKey, String> {
        const FIELD: &[u8] = b",\"object\":";
        let fast = memchr::memmem::find(line, FIELD)
            .and_then(|at| line.get(at.saturating_add(FIELD.len())..))
            .and_then(|rest| serde_json::Deserializer::from_slice(rest).into_iter::<Object>().next())
            .and_then(Result::ok);
        let object = match fast {
            Some(o) => o.0,
            None => serde_json::from_slice::<Whole>(line).map_err(|e| e.to_string())?.object.0,
        };
        Ok(AuditKey::of(object.typed()))
    }

    /// Appends the key's compact form: the code, then the number for a kind with an id.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.code);
        if self.number != 0 {
            out.extend_from_slice(&self.number.to_le_bytes());
        }
    }

    /// The key back from its compact form (exactly those bytes).
    pub fn decode(bytes: &[u8]) -> Option<AuditKey> {
        match bytes {
            [code] => Some(AuditKey { code: *code, number: 0 }),
            [code, rest @ ..] => Some(AuditKey { code: *code, number: u64::from_le_bytes(rest.try_into().ok()?) }),
            [] => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::RequestId;

    fn round_trip(k: AuditKey) -> Option<AuditKey> {
        let mut out = vec![];
        k.encode(&mut out);
        AuditKey::decode(&out)
    }

    #[test]
    fn every_kind_of_object_keys_and_comes_back() {
        for o in ObjectRef::one_of_each() {
            let line = format!(
                "{{\"seq\":3,\"at\":1,\"actor\":{{\"type\":\"system\"}},\"activity\":\"x\",\"object\":{},\"summary\":\"s\"}}",
                serde_json::to_string(&o).expect("writes")
            );
            let key = AuditKey::from_line(line.as_bytes()).expect("keys");
            assert_eq!(key.object(), Some(o), "{line}");
            assert_eq!(round_trip(key), Some(key));
        }
    }

    #[test]
    fn an_actor_named_like_the_field_and_an_older_text_object_still_key_right() {
        let tricky = br#"{"seq":1,"at":1,"actor":{"type":"user","user":4,"displayName":"a,\"object\":{\"user\":9}"},"activity":"x","object":{"request":12},"summary":"s"}"#;
        assert_eq!(AuditKey::from_line(tricky).expect("keys").object(), Some(RequestId(12).into()));
        let legacy = br#"{"seq":1,"at":1,"actor":"system","activity":"x","object":"req12","summary":"s"}"#;
        assert_eq!(AuditKey::from_line(legacy).expect("keys").object(), Some(RequestId(12).into()));
        let none = br#"{"seq":1,"at":1,"actor":"system","activity":"x","object":"somewhere","summary":"s"}"#;
        let key = AuditKey::from_line(none).expect("keys");
        assert_eq!(key.object(), None);
        assert_eq!(round_trip(key), Some(key));
        assert!(AuditKey::from_line(b"{\"seq\":1}").is_err(), "a line without an object is not an event");
    }
}
