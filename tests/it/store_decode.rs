//! The snapshot's state read on two threads is the state the ordinary parse reads.

use entitle::domain::decode::{decode, decode_split};
use entitle::domain::{AssignmentId, Tenant};
use entitle::scale::{self, ScaleParams};

/// The state of a generated tenant's snapshot (after its header line), and its ordinary parse.
fn generated() -> (Vec<u8>, Tenant) {
    let dir = tempfile::tempdir().expect("tmp");
    scale::generate(dir.path(), ScaleParams::for_assignments(300)).expect("generates");
    let bytes = std::fs::read(dir.path().join("tenant.json")).expect("the snapshot");
    let at = bytes.iter().position(|b| *b == b'\n').expect("a header line");
    let state = bytes[at + 1..].to_vec();
    let ordinary: Tenant = serde_json::from_slice(&state).expect("parses");
    (state, ordinary)
}

fn json(t: &Tenant) -> serde_json::Value {
    serde_json::to_value(t).expect("serializes")
}

#[test]
fn the_split_parse_reads_what_the_ordinary_parse_reads() {
    let (bytes, ordinary) = generated();
    let split = decode_split(&bytes).expect("laid out as entitle writes it").expect("parses");
    assert!(ordinary.assignments.len() >= 300 && !ordinary.requests.is_empty() && !ordinary.grants.is_empty());
    assert!(!ordinary.finished.is_empty(), "the index of finished requests is one of the lists parsed apart");
    assert_eq!(json(&split), json(&ordinary));
}

#[test]
fn a_file_laid_out_otherwise_or_broken_is_read_the_ordinary_way() {
    let (bytes, ordinary) = generated();
    // Compact, as a script might write it back: not split, same tenant.
    let compact =
        serde_json::to_vec(&serde_json::from_slice::<serde_json::Value>(&bytes).expect("json")).expect("json");
    assert!(decode_split(&compact).is_none());
    assert_eq!(json(&decode(&compact).expect("parses")), json(&ordinary));
    // A broken record: the error is the ordinary parse's, with its line.
    let text = String::from_utf8(bytes).expect("utf-8");
    let broken = text.replacen("\"state\":\"delivered\"", "\"state\":\"nonsense\"", 1);
    let err = decode(broken.as_bytes()).expect_err("refused").to_string();
    assert!(err.contains("line") && err.contains("nonsense"), "{err}");
}

#[test]
fn the_binary_cache_reads_back_what_the_json_holds() {
    let (bytes, mut ordinary) = generated();
    ordinary.rebuild_indexes();
    let cache = entitle::domain::binary::encode(&ordinary).expect("encodes");
    let cached = entitle::domain::binary::decode(slices(&cache)).expect("decodes");
    assert_eq!(json(&cached), json(&ordinary));
    assert_eq!(cached.next_timer(), ordinary.next_timer());
    let some_user = *ordinary.assignments.values().next().map(|a| &a.target).expect("an assignment");
    let ids = |t: &Tenant| t.assignments_of_user(some_user).map(|a| a.id).collect::<Vec<_>>();
    assert_eq!(ids(&cached), ids(&ordinary));
    let by_package = |t: &Tenant| -> Vec<Vec<AssignmentId>> {
        t.packages.keys().map(|p| t.assignments_of_package(*p).map(|a| a.id).collect()).collect()
    };
    assert_eq!(by_package(&cached), by_package(&ordinary));
    // A section a byte short, or a byte longer, or one missing, is refused (the store then
    // reads the JSON).
    for i in 0..cache.len() {
        let mut shorter = cache.clone();
        shorter[i].pop();
        assert!(entitle::domain::binary::decode(slices(&shorter)).is_err(), "section {i} cut");
        let mut longer = cache.clone();
        longer[i].push(0);
        assert!(entitle::domain::binary::decode(slices(&longer)).is_err(), "section {i} longer");
    }
    assert!(entitle::domain::binary::decode(slices(&cache[1..])).is_err());
    drop(bytes);
}

/// The sections as the store hands them to the decoder: borrowed.
fn slices(sections: &[Vec<u8>]) -> Vec<&[u8]> {
    sections.iter().map(Vec::as_slice).collect()
}

#[test]
fn the_demo_tenant_s_open_requests_read_back_from_the_binary_cache() {
    let mut demo = entitle::demo::demo_tenant().unwrap_or_else(|e| panic!("the demo does not load: {e:#}"));
    demo.rebuild_indexes();
    assert!(demo.requests.values().any(|r| !r.history.is_empty()), "the demo has open requests with a history");
    let cache = entitle::domain::binary::encode(&demo).expect("encodes");
    let cached = entitle::domain::binary::decode(slices(&cache)).expect("decodes");
    assert_eq!(json(&cached), json(&demo));
    // The requests are in a section of their own, not in the JSON one.
    let rest: serde_json::Value = serde_json::from_slice(&cache[0]).expect("the first section is JSON");
    assert_eq!(rest.get("requests").and_then(|r| r.as_array()).map(Vec::len).unwrap_or(0), 0);
    // Every request-based index is rebuilt the same.
    for r in demo.requests.values() {
        let user = r.target_user().or(r.requestor);
        if let Some(u) = user {
            let ids = |t: &Tenant| t.requests_of_user(u).map(|q| q.id).collect::<Vec<_>>();
            assert_eq!(ids(&cached), ids(&demo));
        }
    }
}
