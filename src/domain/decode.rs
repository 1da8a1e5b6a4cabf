//! Reading a tenant's snapshot on both cores. The store lays the state out one record a line
//! (each top-level key on a line of its own, indented two spaces; each record of a list on a
//! line of its own), so the big lists can be cut at line ends and parsed in halves side by
//! side, without a first pass over the bytes. Anything laid out otherwise (a file edited by
//! hand) is parsed the ordinary way, which also gives the errors their line and column.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;

use super::directory::User;
use super::finished::index_as_list;
use super::flow::{Assignment, Request};
use super::ids::{RequestId, UserId};
use super::tenant::{GrantKey, GrantRow, Tenant};

/// The lists worth parsing apart: the rest is small.
const BIG: [&str; 5] = ["requests", "assignments", "grants", "users", "finished"];

/// The snapshot's state, parsed on two threads when it is laid out as entitle writes it.
pub fn decode(bytes: &[u8]) -> Result<Tenant, serde_json::Error> {
    match decode_split(bytes) {
        Some(Ok(t)) => Ok(t),
        // Laid out otherwise, or a record does not read: the ordinary parse says where.
        _ => serde_json::from_slice(bytes),
    }
}

/// One top-level key and its value's bytes.
struct Part<'a> {
    key: &'a [u8],
    value: &'a [u8],
}

/// The top-level parts, or None if the bytes are not laid out as entitle writes them.
fn parts(bytes: &[u8]) -> Option<Vec<Part<'_>>> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let end = bytes.iter().rposition(|b| !b.is_ascii_whitespace())?;
    let body = bytes.get(start..=end)?;
    let inner = body.strip_prefix(b"{")?.strip_suffix(b"}")?;
    let inner = inner.strip_suffix(b"\n")?;
    let mut out = vec![];
    for chunk in split_on(inner, b"\n  \"").into_iter().skip(1) {
        let close = chunk.iter().position(|b| *b == b'"')?;
        let key = chunk.get(..close)?;
        let value = chunk.get(close..)?.strip_prefix(b"\": ")?;
        let value = value.strip_suffix(b",").unwrap_or(value);
        out.push(Part { key, value });
    }
    (!out.is_empty()).then_some(out)
}

/// `bytes` cut before every `sep` (the first piece is what comes before the first `sep`), each
/// piece after the first starting just after its `sep`.
fn split_on<'a>(bytes: &'a [u8], sep: &[u8]) -> Vec<&'a [u8]> {
    let mut out = vec![];
    let mut from = 0usize;
    let mut i = 0usize;
    while let Some(window) = bytes.get(i..i.saturating_add(sep.len())) {
        if window.len() < sep.len() {
            break;
        }
        if window == sep {
            out.push(bytes.get(from..i).unwrap_or_default());
            i = i.saturating_add(sep.len());
            from = i;
        } else {
            // Parts begin at line starts only.
            i = match bytes.get(i.saturating_add(1)..).and_then(|r| r.iter().position(|b| *b == b'\n')) {
                Some(n) => i.saturating_add(1).saturating_add(n),
                None => bytes.len(),
            };
        }
    }
    out.push(bytes.get(from..).unwrap_or_default());
    out
}

/// The record lines of a list laid out one record a line, without indentation or comma.
fn record_lines(value: &[u8]) -> Option<Vec<&[u8]>> {
    if value == b"[]" {
        return Some(vec![]);
    }
    let inner = value.strip_prefix(b"[\n")?.strip_suffix(b"\n  ]")?;
    inner
        .split(|b| *b == b'\n')
        .map(|line| {
            let line = line.strip_prefix(b"    ")?;
            Some(line.strip_suffix(b",").unwrap_or(line))
        })
        .collect()
}

fn parse_lines<T: DeserializeOwned>(lines: &[&[u8]]) -> Result<Vec<T>, serde_json::Error> {
    lines.iter().map(|l| serde_json::from_slice(l)).collect()
}

/// The big lists, each parsed in two halves, one half on another thread.
#[derive(Default)]
struct Lists {
    requests: Vec<Request>,
    assignments: Vec<Assignment>,
    grants: Vec<GrantRow>,
    users: Vec<User>,
    finished: Vec<index_as_list::Row>,
}

impl Lists {
    fn parse(lines: &[Vec<&[u8]>; 5]) -> Result<Lists, serde_json::Error> {
        let [r, a, g, u, f] = lines;
        Ok(Lists {
            requests: parse_lines(r)?,
            assignments: parse_lines(a)?,
            grants: parse_lines(g)?,
            users: parse_lines(u)?,
            finished: parse_lines(f)?,
        })
    }
    fn append(&mut self, mut other: Lists) {
        self.requests.append(&mut other.requests);
        self.assignments.append(&mut other.assignments);
        self.grants.append(&mut other.grants);
        self.users.append(&mut other.users);
        self.finished.append(&mut other.finished);
    }
}

/// The split parse: None if the bytes are not laid out as entitle writes them.
pub fn decode_split(bytes: &[u8]) -> Option<Result<Tenant, serde_json::Error>> {
    let parts = parts(bytes)?;
    let mut big: [Vec<&[u8]>; 5] = Default::default();
    let mut rest: Vec<u8> = Vec::with_capacity(1 << 20);
    rest.push(b'{');
    for part in &parts {
        match BIG.iter().position(|k| k.as_bytes() == part.key) {
            Some(i) => *big.get_mut(i)? = record_lines(part.value)?,
            None => {
                if rest.len() > 1 {
                    rest.push(b',');
                }
                rest.push(b'"');
                rest.extend_from_slice(part.key);
                rest.extend_from_slice(b"\":");
                rest.extend_from_slice(part.value);
            }
        }
    }
    rest.push(b'}');
    // Each list cut in two at a line end: the first halves here, the second on another thread.
    let halves = big.each_ref().map(|lines| lines.split_at(lines.len() / 2));
    let first: [Vec<&[u8]>; 5] = halves.each_ref().map(|(a, _)| a.to_vec());
    let second: [Vec<&[u8]>; 5] = halves.each_ref().map(|(_, b)| b.to_vec());
    let (lists, tenant) = std::thread::scope(|s| {
        let other = s.spawn(|| Lists::parse(&second));
        let tenant = serde_json::from_slice::<Tenant>(&rest);
        let lists = Lists::parse(&first);
        let other = other.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        (lists.and_then(|mut l| other.map(|o| (l.append(o), l).1)), tenant)
    });
    Some(lists.and_then(|lists| tenant.and_then(|mut t| assemble(&mut t, lists).map(|()| t))))
}

/// The lists into the tenant's maps, two on each core (each is sorted and built at once).
fn assemble(t: &mut Tenant, lists: Lists) -> Result<(), serde_json::Error> {
    let Lists { requests, assignments, grants, users, finished } = lists;
    let finished = finished.into_iter().map(index_as_list::entry).collect::<Result<BTreeMap<_, _>, String>>();
    t.finished = finished.map_err(<serde_json::Error as serde::de::Error>::custom)?;
    let (requests, grants) = std::thread::scope(|s| {
        let other = s.spawn(move || {
            let requests = requests.into_iter().map(|r| (r.id, r)).collect::<BTreeMap<RequestId, Request>>();
            let grants =
                grants.into_iter().map(GrantRow::into_entry).collect::<BTreeMap<GrantKey, super::tenant::Sources>>();
            (requests, grants)
        });
        t.assignments = super::table::Table::from_rows(assignments);
        t.users = users.into_iter().map(|u| (u.id, u)).collect::<BTreeMap<UserId, User>>();
        other.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
    });
    t.requests = requests;
    t.grants = grants;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_and_lines_follow_the_layout_and_nothing_else() {
        let text =
            b"{\n  \"a\": 1,\n  \"users\": [\n    {\"x\":1},\n    {\"x\":2}\n  ],\n  \"b\": {\n    \"c\": []\n  }\n}\n";
        let found = parts(text).expect("laid out");
        let keys: Vec<&[u8]> = found.iter().map(|p| p.key).collect();
        assert_eq!(keys, [b"a".as_slice(), b"users", b"b"]);
        let lines = record_lines(found[1].value).expect("one record a line");
        assert_eq!(lines, [b"{\"x\":1}".as_slice(), b"{\"x\":2}"]);
        assert!(parts(b"{\"a\":1}").is_none(), "compact JSON is parsed the ordinary way");
        assert!(record_lines(b"[1, 2]").is_none());
    }
}
