//! The JSON shapes of the tagged enums that a big tenant holds by the million, read field by
//! field: serde's derive for `#[serde(tag = "type")]` first buffers each object whole, which
//! doubles the cost of reading requests and grants. The shapes are those the derive writes.

use serde::Deserialize;

use super::flow::{GrantSource, Target};
use super::ids::{AssignmentId, OrgId, UserId};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
enum TargetKind {
    User,
    External,
}

/// The derive names the variants in camelCase and their fields as in Rust (`display_name`).
#[derive(Deserialize)]
pub(crate) struct TargetWire {
    #[serde(rename = "type")]
    kind: TargetKind,
    user: Option<UserId>,
    email: Option<String>,
    /// `display_name` in files written before the JSON was made camelCase throughout.
    #[serde(alias = "displayName")]
    display_name: Option<String>,
    org: Option<OrgId>,
}

impl TryFrom<TargetWire> for Target {
    type Error = String;
    fn try_from(w: TargetWire) -> Result<Self, String> {
        match w.kind {
            TargetKind::User => w.user.map(|user| Target::User { user }).ok_or_else(|| "missing field `user`".into()),
            TargetKind::External => match (w.email, w.display_name) {
                (Some(email), Some(display_name)) => Ok(Target::External { email, display_name, org: w.org }),
                (None, _) => Err("missing field `email`".into()),
                (_, None) => Err("missing field `displayName`".into()),
            },
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
enum SourceKind {
    Direct,
    Assignment,
}

#[derive(Deserialize)]
pub(crate) struct GrantSourceWire {
    #[serde(rename = "type")]
    kind: SourceKind,
    assignment: Option<AssignmentId>,
}

impl TryFrom<GrantSourceWire> for GrantSource {
    type Error = String;
    fn try_from(w: GrantSourceWire) -> Result<Self, String> {
        match w.kind {
            SourceKind::Direct => Ok(GrantSource::Direct),
            SourceKind::Assignment => w
                .assignment
                .map(|assignment| GrantSource::Assignment { assignment })
                .ok_or_else(|| "missing field `assignment`".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shapes_the_derive_writes_read_back_and_bad_ones_are_refused() {
        let targets = [
            Target::User { user: UserId(4) },
            Target::External { email: "a@b.c".into(), display_name: "A".into(), org: Some(OrgId(9)) },
            Target::External { email: "a@b.c".into(), display_name: "A".into(), org: None },
        ];
        for t in targets {
            let json = serde_json::to_string(&t).expect("writes");
            assert_eq!(serde_json::from_str::<Target>(&json).expect("reads"), t, "{json}");
        }
        for g in [GrantSource::Direct, GrantSource::Assignment { assignment: AssignmentId(3) }] {
            let json = serde_json::to_string(&g).expect("writes");
            assert_eq!(serde_json::from_str::<GrantSource>(&json).expect("reads"), g, "{json}");
        }
        assert!(serde_json::from_str::<Target>(r#"{"type":"user"}"#).is_err());
        assert!(serde_json::from_str::<Target>(r#"{"type":"group","user":1}"#).is_err());
        assert!(serde_json::from_str::<GrantSource>(r#"{"type":"assignment"}"#).is_err());
    }
}
