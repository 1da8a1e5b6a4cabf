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
    const CACHE_FORMAT: Option<u32> = Some(1);
    fn encode_cache(&self) -> Result<Vec<Vec<u8>>, serde_json::Error> {
        Ok(vec![vec![7], self.0.to_le_bytes().to_vec()])
    }
    /// The sum's section is handed back once read, the first is not: the store checks both.
    fn decode_cache(sections: Vec<&[u8]>, decoded: &(dyn Fn(&[u8]) + Sync)) -> Result<Self, String> {
        let [first, sum]: [&[u8]; 2] = sections.try_into().map_err(|_| "not 2 sections".to_owned())?;
        if first != [7] {
            return Err("not the first section".to_owned());
        }
        let bytes: [u8; 8] = sum.try_into().map_err(|_| "not 8 bytes".to_owned())?;
        decoded(sum);
        Ok(Sum(u64::from_le_bytes(bytes)))
    }
    fn apply(&mut self, entry: &i64) -> Result<u64, Negative> {
        let add = u64::try_from(*entry).map_err(|_| Negative)?;
        self.0 += add;
        Ok(self.0)
    }
}
