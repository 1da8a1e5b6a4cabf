//! A tiny state for the store's unit tests: a sum that refuses negative numbers.

use serde::{Deserialize, Serialize};

use super::Persist;

#[derive(Debug, Serialize, Deserialize, Default, PartialEq, Eq)]
pub(crate) struct Sum(pub u64);

#[derive(Debug, thiserror::Error)]
#[error("negative")]
pub(crate) struct Negative;

impl Persist for Sum {
    type Entry = i64;
    type Output = u64;
    type Error = Negative;
    const KIND: &'static str = "sum";
    const SCHEMA_VERSION: u32 = 1;
    fn apply(&mut self, entry: &i64) -> Result<u64, Negative> {
        let add = u64::try_from(*entry).map_err(|_| Negative)?;
        self.0 += add;
        Ok(self.0)
    }
}
