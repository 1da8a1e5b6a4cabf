//! A toy state for the store tests: a counter and a map, with commands that can be refused.
//! Used by the other `store*` test modules as `toy`; its own tests check the toy.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use entitle::store::Persist;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Toy {
    pub counter: i64,
    pub items: BTreeMap<String, i64>,
    /// An in-memory index, rebuilt by `after_load`: the sum of the items.
    #[serde(skip)]
    pub total: i64,
    /// How many times `after_load` ran on this value.
    #[serde(skip)]
    pub loads: u32,
}

impl Toy {
    /// What is persisted, for comparisons.
    pub fn data(&self) -> (i64, BTreeMap<String, i64>) {
        (self.counter, self.items.clone())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Cmd {
    Add(i64),
    Put { key: String, value: i64 },
    Take { key: String },
}

/// A command with its time and actor, as the domain's entries will be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub at: u64,
    pub actor: String,
    pub cmd: Cmd,
}

#[derive(Debug, PartialEq, thiserror::Error)]
pub enum ToyError {
    #[error("no item {0:?}")]
    Missing(String),
    #[error("the counter would overflow")]
    Overflow,
}

impl Persist for Toy {
    type Entry = Entry;
    type Output = i64;
    type Error = ToyError;
    const KIND: &'static str = "toy-tenant";
    const SCHEMA_VERSION: u32 = 2;

    fn apply(&mut self, entry: &Entry) -> Result<i64, ToyError> {
        match &entry.cmd {
            Cmd::Add(n) => {
                self.counter = self.counter.checked_add(*n).ok_or(ToyError::Overflow)?;
                Ok(self.counter)
            }
            Cmd::Put { key, value } => {
                let old = self.items.insert(key.clone(), *value).unwrap_or(0);
                self.total += value - old;
                Ok(*value)
            }
            Cmd::Take { key } => {
                let value = self.items.remove(key).ok_or_else(|| ToyError::Missing(key.clone()))?;
                self.total -= value;
                Ok(value)
            }
        }
    }

    fn after_load(&mut self) {
        self.total = self.items.values().sum();
        self.loads += 1;
    }

    /// Version 1 was `{"count": N}`.
    fn migrate(from_version: u32, state: serde_json::Value) -> Result<serde_json::Value, String> {
        match from_version {
            1 => {
                let count = state
                    .get("count")
                    .and_then(serde_json::Value::as_i64)
                    .ok_or("version 1 state has no integer `count`")?;
                Ok(serde_json::json!({ "counter": count, "items": {} }))
            }
            v => Err(format!("no upgrade from version {v}")),
        }
    }
}

fn entry(cmd: Cmd) -> Entry {
    Entry { at: 1_700_000_000, actor: "tester".to_owned(), cmd }
}

pub fn add(n: i64) -> impl FnOnce(&Toy) -> Entry {
    move |_| entry(Cmd::Add(n))
}

pub fn put(key: &str, value: i64) -> impl FnOnce(&Toy) -> Entry {
    let key = key.to_owned();
    move |_| entry(Cmd::Put { key, value })
}

pub fn take(key: &str) -> impl FnOnce(&Toy) -> Entry {
    let key = key.to_owned();
    move |_| entry(Cmd::Take { key })
}

/// Every file in `dir` (and below, as `sub/name`) but the lock file, with its bytes, sorted by
/// name; a directory counts too, as its name with a trailing `/`.
pub fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![];
    walk(dir, "", &mut files);
    files.sort();
    files
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, Vec<u8>)>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = format!("{prefix}{}", path.file_name().unwrap().to_string_lossy());
        if name == "entitle.lock" {
            continue;
        }
        if path.is_dir() {
            out.push((format!("{name}/"), vec![]));
            walk(&path, &format!("{name}/"), out);
        } else {
            out.push((name, fs::read(&path).unwrap()));
        }
    }
}

/// The journal's lines (without their '\n').
pub fn journal_lines(dir: &Path) -> Vec<String> {
    let text = fs::read_to_string(dir.join("journal.jsonl")).unwrap_or_default();
    text.lines().map(str::to_owned).collect()
}

#[test]
fn toy_refuses_without_changing() {
    let mut toy = Toy::default();
    assert_eq!(toy.apply(&put("a", 5)(&Toy::default())), Ok(5));
    assert_eq!(toy.apply(&take("b")(&Toy::default())), Err(ToyError::Missing("b".into())));
    toy.counter = i64::MAX;
    assert_eq!(toy.apply(&add(1)(&Toy::default())), Err(ToyError::Overflow));
    assert_eq!(toy.data(), (i64::MAX, [("a".to_owned(), 5)].into()));
    assert_eq!(toy.total, 5);
}
