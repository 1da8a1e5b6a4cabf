//! How the files hold what the tenant keeps. Maps keyed by id are written as plain lists of objects
//! (each carries its own id), which reads better in the JSON file than an object keyed by number
//! strings. Times are written as whole seconds since the Unix epoch (`secs`, `secs_opt`).

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub trait Keyed {
    type Key: Ord + Copy;
    fn key(&self) -> Self::Key;
}

pub mod as_list {
    use super::*;

    pub fn serialize<S, V>(map: &BTreeMap<V::Key, V>, s: S) -> Result<S::Ok, S::Error>
    where
        S: Serializer,
        V: Keyed + Serialize,
    {
        s.collect_seq(map.values())
    }

    pub fn deserialize<'de, D, V>(d: D) -> Result<BTreeMap<V::Key, V>, D::Error>
    where
        D: Deserializer<'de>,
        V: Keyed + DeserializeOwned,
    {
        let list: Vec<V> = Vec::deserialize(d)?;
        let mut map = BTreeMap::new();
        for v in list {
            map.insert(v.key(), v);
        }
        Ok(map)
    }
}

/// A time as integer seconds since 1970-01-01 00:00 UTC: `#[serde(with = "secs")]`.
///
/// Reading also takes the RFC 3339 text that earlier versions wrote, so old snapshots and old
/// journals load. Either way a time outside the years 1970 to 9999 (the range commands accept,
/// see `bounds::earliest` and `bounds::latest`) is refused with a serde error naming the range.
pub mod secs {
    use std::fmt;

    use chrono::{DateTime, Utc};
    use serde::de::{self, Visitor};
    use serde::{Deserializer, Serializer};

    use crate::domain::Time;
    use crate::domain::bounds::{earliest, latest};

    pub fn serialize<S: Serializer>(t: &Time, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(t.timestamp())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Time, D::Error> {
        d.deserialize_any(SecsVisitor)
    }

    fn in_range<E: de::Error>(t: Option<Time>, shown: &dyn fmt::Display) -> Result<Time, E> {
        t.filter(|t| (earliest()..=latest()).contains(t)).ok_or_else(|| {
            E::custom(format_args!(
                "time {shown} is outside the years 1970 to 9999 (seconds since 1970 from 0 to {}), the dates the tenant keeps",
                latest().timestamp()
            ))
        })
    }

    pub(super) struct SecsVisitor;

    impl<'de> Visitor<'de> for SecsVisitor {
        type Value = Time;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a time: whole seconds since 1970-01-01 00:00 UTC, or an RFC 3339 date and time")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Time, E> {
            in_range(DateTime::<Utc>::from_timestamp(v, 0), &v)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Time, E> {
            in_range(i64::try_from(v).ok().and_then(|v| DateTime::<Utc>::from_timestamp(v, 0)), &v)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Time, E> {
            let t = DateTime::parse_from_rfc3339(v)
                .map_err(|e| E::custom(format_args!("time {v:?} is not an RFC 3339 date and time: {e}")))?;
            in_range(Some(t.with_timezone(&Utc)), &v)
        }
    }
}

/// An optional time as integer seconds (or `null`): `#[serde(default, with = "secs_opt")]`.
pub mod secs_opt {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::domain::Time;

    pub fn serialize<S: Serializer>(t: &Option<Time>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_some(&t.timestamp()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Time>, D::Error> {
        #[derive(Deserialize)]
        struct Wrapped(#[serde(with = "super::secs")] Time);
        Ok(Option::<Wrapped>::deserialize(d)?.map(|Wrapped(t)| t))
    }
}

macro_rules! keyed {
    ($($ty:ty => $key:ty),* $(,)?) => {
        $(impl Keyed for $ty {
            type Key = $key;
            fn key(&self) -> $key { self.id }
        })*
    };
}

use super::access::{Catalog, Package, Policy};
use super::directory::{ConnectedOrg, Resource, User};
use super::flow::{Assignment, Request, Review};
use super::ids::*;

keyed!(
    User => UserId,
    Resource => ResourceId,
    ConnectedOrg => OrgId,
    Catalog => CatalogId,
    Package => PackageId,
    Policy => PolicyId,
    Request => RequestId,
    Assignment => AssignmentId,
    Review => ReviewId,
    super::extensions::CustomExtension => super::ids::ExtensionId,
    super::extension_calls::Callout => super::ids::CalloutId,
);
