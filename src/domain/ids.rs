//! Typed identifiers. Every object gets a number from one tenant-wide counter, shown with a short
//! prefix (`u12`, `pk3`) so that a person reading the JSON or typing a command can tell kinds apart.
//! Numbers keep the files small and the indexes cheap at a million assignments.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl $name {
            pub const PREFIX: &'static str = $prefix;
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}{}", $prefix, self.0)
            }
        }

        impl FromStr for $name {
            type Err = String;
            /// Accepts `pk12` or `12`.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let digits = s.strip_prefix($prefix).unwrap_or(s);
                digits
                    .parse::<u64>()
                    .map($name)
                    .map_err(|_| format!("'{s}' is not a {} id (expected {}<number>)", stringify!($name), $prefix))
            }
        }
    };
}

id_type!(/// A user (member or guest).
    UserId, "u");
id_type!(/// A directory resource: group or Team, application, or site.
    ResourceId, "res");
id_type!(/// A connected organization.
    OrgId, "org");
id_type!(/// A catalog.
    CatalogId, "cat");
id_type!(/// An access package.
    PackageId, "pk");
id_type!(/// An assignment policy.
    PolicyId, "pol");
id_type!(/// An assignment request.
    RequestId, "req");
id_type!(/// An assignment.
    AssignmentId, "asg");
id_type!(/// An access review instance.
    ReviewId, "rev");
id_type!(/// A custom question of a policy.
    QuestionId, "q");
id_type!(/// A custom extension of a catalog [accessPackageAssignmentRequestWorkflowExtension].
    ExtensionId, "ext");
id_type!(/// One call of a custom extension at a stage [customExtensionStageInstanceId].
    CalloutId, "call");

/// A hasher for small keys made of ids (the memo of a jump's revisions): a multiply and a
/// rotate per word, where the standard hasher's SipHash rounds cost more than the lookup they
/// serve. Its keys come from the tenant's own counter, not from a person.
#[derive(Debug, Clone, Copy, Default)]
pub struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
}

/// Builds [`IdHasher`]s.
pub type IdHash = std::hash::BuildHasherDefault<IdHasher>;

/// A reference to one object of the tenant, typed: what a command created, a report row's
/// source, what an audit event or a lint finding is about. As JSON it is an object keyed by the
/// kind, `{"request": 14}`, the id a number as everywhere else; what has no id (the clock, the
/// settings) is keyed alone, `{"clock": {}}`. As text, the id with its prefix (`req14`), or the
/// kind (`clock`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ObjectRef {
    User(UserId),
    Resource(ResourceId),
    Org(OrgId),
    Catalog(CatalogId),
    Package(PackageId),
    Policy(PolicyId),
    Request(RequestId),
    Assignment(AssignmentId),
    Review(ReviewId),
    Extension(ExtensionId),
    /// The tenant's clock (moved, set, frozen or let run).
    Clock {},
    /// A configuration file applied as one batch (`entitle apply`).
    Configuration {},
    /// The entitlement management settings (external users' lifecycle, catalog creators, limits).
    Settings {},
    /// The tenant itself (its sign-in mode).
    Tenant {},
}

macro_rules! object_ref {
    ($($variant:ident($id:ident) $getter:ident $kind:literal),* ; $($unit:ident $name:literal),* $(,)?) => {
        $(
            impl From<$id> for ObjectRef {
                fn from(id: $id) -> Self {
                    ObjectRef::$variant(id)
                }
            }
            impl TryFrom<ObjectRef> for $id {
                type Error = ObjectRef;
                /// The id, when the reference is to this kind of object; else the reference.
                fn try_from(r: ObjectRef) -> Result<Self, ObjectRef> {
                    match r {
                        ObjectRef::$variant(id) => Ok(id),
                        other => Err(other),
                    }
                }
            }
        )*
        impl ObjectRef {
            /// Every kind, as [`ObjectRef::kind`] names it: a kind's place in it is its code
            /// in compact forms (the audit log's key files).
            pub const KINDS: &'static [&'static str] = &[$($kind,)* $($name,)*];

            $(
                /// The id, when the reference is to this kind of object.
                pub fn $getter(self) -> Option<$id> {
                    $id::try_from(self).ok()
                }
            )*

            /// The reference of kind `kind` (as [`ObjectRef::kind`] names it) and, for a kind
            /// with an id, the id's number `number`; None if they name none.
            pub fn from_kind(kind: &str, number: Option<u64>) -> Option<ObjectRef> {
                match (kind, number) {
                    $(($kind, Some(n)) => Some(ObjectRef::$variant($id(n))),)*
                    $(($name, None) => Some(ObjectRef::$unit {}),)*
                    _ => None,
                }
            }

            /// The kind, as the JSON's key names it (`request`, `clock`).
            pub fn kind(self) -> &'static str {
                match self {
                    $(ObjectRef::$variant(_) => $kind,)*
                    $(ObjectRef::$unit {} => $name,)*
                }
            }

            /// The id's number, for a kind of object that has an id.
            pub fn number(self) -> Option<u64> {
                match self {
                    $(ObjectRef::$variant(id) => Some(id.0),)*
                    $(ObjectRef::$unit {} => None,)*
                }
            }

            /// The reference whose text (`Display`) is exactly `s`: `req12`, `clock`.
            ///
            /// Used only to read what older versions wrote as text (the audit log's objects,
            /// see `audit_refs`): the migration path, not a way to pass references around.
            pub(crate) fn from_shown(s: &str) -> Option<ObjectRef> {
                $(
                    if let Some(digits) = s.strip_prefix($id::PREFIX)
                        && !digits.is_empty()
                        && digits.bytes().all(|b| b.is_ascii_digit())
                    {
                        return digits.parse().ok().map(|n| ObjectRef::$variant($id(n)));
                    }
                )*
                match s {
                    $($name => Some(ObjectRef::$unit {}),)*
                    _ => None,
                }
            }
        }
        impl fmt::Display for ObjectRef {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    $(ObjectRef::$variant(id) => id.fmt(f),)*
                    $(ObjectRef::$unit {} => f.write_str($name),)*
                }
            }
        }
    };
}

object_ref!(
    User(UserId) user "user",
    Resource(ResourceId) resource "resource",
    Org(OrgId) org "org",
    Catalog(CatalogId) catalog "catalog",
    Package(PackageId) package "package",
    Policy(PolicyId) policy "policy",
    Request(RequestId) request "request",
    Assignment(AssignmentId) assignment "assignment",
    Review(ReviewId) review "review",
    Extension(ExtensionId) extension "extension";
    Clock "clock",
    Configuration "configuration",
    Settings "settings",
    Tenant "tenant",
);

impl ObjectRef {
    /// One reference of each kind, for tests of the shapes written.
    #[cfg(test)]
    pub(crate) fn one_of_each() -> [ObjectRef; 14] {
        [
            UserId(5).into(),
            ResourceId(6).into(),
            OrgId(7).into(),
            CatalogId(8).into(),
            PackageId(9).into(),
            PolicyId(10).into(),
            RequestId(11).into(),
            AssignmentId(12).into(),
            ReviewId(13).into(),
            ExtensionId(14).into(),
            ObjectRef::Clock {},
            ObjectRef::Configuration {},
            ObjectRef::Settings {},
            ObjectRef::Tenant {},
        ]
    }
}

#[cfg(test)]
mod object_ref_tests {
    use super::*;

    #[test]
    fn a_reference_is_an_object_keyed_by_its_kind_with_a_numeric_id() {
        let r = ObjectRef::from(RequestId(14));
        assert_eq!(serde_json::to_string(&r).ok().as_deref(), Some(r#"{"request":14}"#));
        assert_eq!(r.to_string(), "req14");
        assert_eq!(r.request(), Some(RequestId(14)));
        assert_eq!(r.package(), None);
        let back: Option<ObjectRef> = serde_json::from_str(r#"{"assignment":3}"#).ok();
        assert_eq!(back, Some(ObjectRef::Assignment(AssignmentId(3))));
    }

    #[test]
    fn what_has_no_id_is_keyed_by_its_kind_alone_and_each_kind_is_the_json_key() {
        let clock = ObjectRef::Clock {};
        assert_eq!(serde_json::to_string(&clock).ok().as_deref(), Some(r#"{"clock":{}}"#));
        assert_eq!(clock.to_string(), "clock");
        for r in ObjectRef::one_of_each() {
            let json = serde_json::to_value(r).expect("json");
            let key = json.as_object().and_then(|m| m.keys().next().cloned());
            assert_eq!(key.as_deref(), Some(r.kind()), "{r}");
            assert_eq!(json.get(r.kind()).and_then(serde_json::Value::as_u64), r.number(), "{r}");
            assert_eq!(serde_json::from_value::<ObjectRef>(json).ok(), Some(r));
            // The text older versions wrote reads back as the reference.
            assert_eq!(ObjectRef::from_shown(&r.to_string()), Some(r));
        }
        for text in ["as12", "req", "req12x", "u-1", "Clock", "req99999999999999999999", ""] {
            assert_eq!(ObjectRef::from_shown(text), None, "{text}");
        }
    }
}
