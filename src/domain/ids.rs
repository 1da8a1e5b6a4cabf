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
/// source. As JSON it is an object keyed by the kind, `{"request": 14}`, the id a number as
/// everywhere else; as text, the id with its prefix (`req14`).
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
}

macro_rules! object_ref {
    ($($variant:ident($id:ident) $getter:ident),* $(,)?) => {
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
            $(
                /// The id, when the reference is to this kind of object.
                pub fn $getter(self) -> Option<$id> {
                    $id::try_from(self).ok()
                }
            )*
        }
        impl fmt::Display for ObjectRef {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    $(ObjectRef::$variant(id) => id.fmt(f),)*
                }
            }
        }
    };
}

object_ref!(
    User(UserId) user,
    Resource(ResourceId) resource,
    Org(OrgId) org,
    Catalog(CatalogId) catalog,
    Package(PackageId) package,
    Policy(PolicyId) policy,
    Request(RequestId) request,
    Assignment(AssignmentId) assignment,
    Review(ReviewId) review,
    Extension(ExtensionId) extension,
);

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
}
