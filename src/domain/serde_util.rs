//! Maps keyed by id are written as plain lists of objects (each carries its own id), which reads
//! better in the JSON file than an object keyed by number strings.

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
);
