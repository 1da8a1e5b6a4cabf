//! The lines of the requests a command finished, for the history files: each finished request
//! goes to the stream of every user it names (their shard of [`REQUEST_SHARDS`]) and to its
//! package's shard (and to the stream of people outside the directory, for theirs).
//!
//! The two families of streams are written apart, on two threads when the requests are many (a
//! year's clock jump at a million assignments finishes 150,000, about 180 MB of lines): each
//! thread writes every record once, into a buffer it reuses, and copies the line to each of its
//! streams, whose buffers are made once at about their size. Nothing is merged afterwards, and
//! no stream's name is made per record.

use super::finished::{EXTERNAL_REQUESTS, FinishedRecord, REQUEST_SHARDS};
use super::flow::{Request, Target};
use super::tail::Lines;

/// One stream of finished requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RequestStream {
    /// The shard of the users the request names (whom for, who asked, approvers, deciders).
    User(u64),
    /// The shard of the request's package.
    Package(u64),
    /// The requests of people outside the directory.
    External,
}

/// The two families of streams, written apart (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    Users,
    Packages,
}

impl RequestStream {
    /// The stream's name in the history directory.
    pub fn name(self) -> String {
        match self {
            RequestStream::User(shard) => format!("requests-{shard:02}"),
            RequestStream::Package(shard) => format!("requests-pkg-{shard:02}"),
            RequestStream::External => EXTERNAL_REQUESTS.to_owned(),
        }
    }

    fn family(self) -> Family {
        match self {
            RequestStream::User(_) => Family::Users,
            RequestStream::Package(_) | RequestStream::External => Family::Packages,
        }
    }

    /// Its place among the buffers: the users' shards, then the packages' and the outsiders'.
    fn slot(self) -> usize {
        let at = match self {
            RequestStream::User(shard) => shard,
            RequestStream::Package(shard) => REQUEST_SHARDS.saturating_add(1).saturating_add(shard),
            RequestStream::External => REQUEST_SHARDS.saturating_add(1).saturating_add(REQUEST_SHARDS),
        };
        usize::try_from(at).unwrap_or(usize::MAX)
    }

    /// The streams a finished request goes to, in order, each once, written over `out`.
    pub fn of(r: &Request, out: &mut Vec<RequestStream>) {
        out.clear();
        let users = r.target_user().into_iter().chain(r.requestor);
        let users = users.chain(r.approvers.iter().copied()).chain(r.decisions.iter().map(|d| d.by));
        out.extend(users.map(|u| RequestStream::User(u.0 % REQUEST_SHARDS)));
        out.push(RequestStream::Package(r.package.0 % REQUEST_SHARDS));
        if matches!(r.target, Target::External { .. }) {
            out.push(RequestStream::External);
        }
        out.sort_unstable();
        out.dedup();
    }
}

/// About the length of a finished request's line: each stream's buffer is made at its count of
/// lines times this, and grows (by doubling) only past it. Room never written costs no memory.
const LINE_BYTES: usize = 768;

/// The lines of `finished` (in the order of their numbers) for the streams of `family` (of both
/// when `None`: each record written once), stream by stream in the order of [`RequestStream`].
pub(super) fn finished_lines(
    finished: &[&FinishedRecord],
    family: Option<Family>,
) -> Result<Vec<(RequestStream, Lines)>, serde_json::Error> {
    let mine = |s: &&RequestStream| family.is_none_or(|f| s.family() == f);
    // Each family's buffers (see `slot`).
    let per_family = usize::try_from(REQUEST_SHARDS).unwrap_or(0).saturating_add(1);
    let slots = per_family.saturating_mul(2);
    let mut streams: Vec<Option<RequestStream>> = vec![None; slots];
    let mut counts = vec![0usize; slots];
    let mut of = Vec::new();
    for f in finished {
        RequestStream::of(&f.request, &mut of);
        for s in of.iter().filter(mine) {
            if let (Some(name), Some(n)) = (streams.get_mut(s.slot()), counts.get_mut(s.slot())) {
                *name = Some(*s);
                *n = n.saturating_add(1);
            }
        }
    }
    let mut out: Vec<Lines> = counts
        .iter()
        .map(|n| {
            let mut l = Lines::default();
            l.reserve(*n, LINE_BYTES);
            l
        })
        .collect();
    let mut line = Vec::with_capacity(LINE_BYTES);
    for f in finished {
        RequestStream::of(&f.request, &mut of);
        let mut streams = of.iter().filter(mine).peekable();
        if streams.peek().is_none() {
            continue;
        }
        line.clear();
        serde_json::to_writer(&mut line, f)?;
        for s in streams {
            if let Some(l) = out.get_mut(s.slot()) {
                l.push_line(f.seq, &line);
            }
        }
    }
    let named = streams.into_iter().zip(out);
    let mut lines: Vec<(RequestStream, Lines)> = named.filter_map(|(s, l)| s.map(|s| (s, l))).collect();
    lines.sort_by_key(|(s, _)| *s);
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::domain::flow::{RequestState, RequestType, StageDecision};
    use crate::domain::ids::{PackageId, PolicyId, RequestId, UserId};

    fn record(seq: u64, id: u64, package: u64, users: &[u64], external: bool) -> FinishedRecord {
        let at = chrono::DateTime::from_timestamp(1_777_971_600, 0).expect("a time");
        let target = match external {
            true => Target::External { email: "ada@fabrikam.example".into(), display_name: "Ada".into(), org: None },
            false => Target::User { user: UserId(users[0]) },
        };
        let requestor = users.get(1).map(|u| UserId(*u));
        let (kind, pkg) = (RequestType::UserAdd, PackageId(package));
        let mut r = Request::new(RequestId(id), kind, pkg, PolicyId(1), 1, requestor, target, "", at, "Submitted");
        r.state = RequestState::Denied;
        r.approvers = users.iter().skip(2).map(|u| UserId(*u)).collect();
        if let Some(by) = users.last() {
            r.decisions.push(StageDecision { stage: 0, by: UserId(*by), approved: false, reason: "no".into(), at });
        }
        FinishedRecord { seq, request: r }
    }

    /// Each record's line, as serde writes it, in each stream its request names, in order.
    fn by_names(finished: &[&FinishedRecord]) -> BTreeMap<String, Vec<(u64, Vec<u8>)>> {
        let mut out: BTreeMap<String, Vec<(u64, Vec<u8>)>> = BTreeMap::new();
        for f in finished {
            let line = serde_json::to_vec(f).expect("a line");
            for s in crate::domain::tenant::Tenant::record_streams(&f.request) {
                out.entry(s).or_default().push((f.seq, line.clone()));
            }
        }
        out
    }

    #[test]
    fn each_record_goes_once_to_every_stream_its_request_names_in_both_families() {
        let records = [
            record(1, 10, 3, &[1, 1], false),
            record(2, 11, 67, &[2, 66, 130, 5], false),
            record(3, 12, 5, &[64, 0, 128], true),
            record(4, 13, 64, &[7, 8, 9, 10, 11, 7], false),
        ];
        let finished: Vec<&FinishedRecord> = records.iter().collect();
        let mut got: BTreeMap<String, Vec<(u64, Vec<u8>)>> = BTreeMap::new();
        let both: BTreeMap<String, Vec<(u64, Vec<u8>)>> = finished_lines(&finished, None)
            .expect("lines")
            .into_iter()
            .map(|(s, l)| (s.name(), l.lines().map(|(seq, b)| (seq, b.to_vec())).collect()))
            .collect();
        for family in [Family::Users, Family::Packages] {
            let lines = finished_lines(&finished, Some(family)).expect("lines");
            let order: Vec<RequestStream> = lines.iter().map(|(s, _)| *s).collect();
            assert!(order.is_sorted(), "{order:?}");
            for (s, l) in lines {
                assert_eq!(s.family(), family);
                let lines: Vec<(u64, Vec<u8>)> = l.lines().map(|(seq, b)| (seq, b.to_vec())).collect();
                assert_eq!(both.get(&s.name()), Some(&lines), "{s:?} as both families at once write it");
                assert!(got.insert(s.name(), lines).is_none(), "{s:?} written once");
            }
        }
        assert_eq!(got, by_names(&finished));
        assert_eq!(got.len(), both.len(), "the same streams either way");
        assert!(got.contains_key(EXTERNAL_REQUESTS) && got.contains_key("requests-pkg-03"));
        // Users 2, 66 and 130 share shard 2: the record is there once.
        assert_eq!(got.get("requests-02").map(Vec::len), Some(1));
    }

    #[test]
    fn no_records_write_no_streams() {
        for family in [Some(Family::Users), Some(Family::Packages), None] {
            assert!(finished_lines(&[], family).expect("lines").is_empty());
        }
    }
}
