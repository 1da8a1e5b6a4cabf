//! What `--json` prints where the record as stored says it otherwise: stages counted as people
//! count them (from 1, as the tables and the audit log do), times as seconds since the epoch, and
//! references as objects keyed by their kind. Each change is made from the typed record, never
//! from text.

use serde_json::{Value, json};

use crate::domain::{Request, RequestState, StageDecision, Tenant, Time};

/// A time as every `--json` output gives it: seconds since the epoch.
pub fn secs(t: Time) -> Value {
    json!(t.timestamp())
}

pub fn opt_secs(t: Option<Time>) -> Value {
    t.map_or(Value::Null, secs)
}

/// A decision of a stage, its stage counted from 1.
pub fn decision(d: &StageDecision) -> Value {
    let mut v = serde_json::to_value(d).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert("stage".into(), json!(d.stage.saturating_add(1)));
    }
    v
}

/// A request: the record, with `stage` (from 1) and `stages` while it waits for a decision, each
/// decision's stage from 1, and the deadline of the stage it waits in (seconds, or null).
pub fn request(t: &Tenant, r: &Request) -> Value {
    let mut v = serde_json::to_value(r).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.remove("stage");
        if r.state == RequestState::PendingApproval {
            o.insert("stage".into(), json!(r.stage.saturating_add(1)));
            o.insert("stages".into(), json!(t.request_stages(r)));
            o.insert("deadline".into(), opt_secs(t.request_deadline(r)));
        }
        if !r.decisions.is_empty() {
            o.insert("decisions".into(), Value::Array(r.decisions.iter().map(decision).collect()));
        }
    }
    v
}

pub fn requests<'a>(t: &Tenant, list: impl IntoIterator<Item = &'a Request>) -> Value {
    Value::Array(list.into_iter().map(|r| request(t, r)).collect())
}
