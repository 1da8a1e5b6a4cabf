use std::collections::BTreeMap;

use super::*;
use crate::domain::ids::AssignmentId as A;

/// A row: its id and a value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct R {
    id: A,
    x: u64,
}

impl Row for R {
    type Key = A;
    fn id(&self) -> &A {
        &self.id
    }
}

fn r(n: u64, x: u64) -> R {
    R { id: A(n), x }
}

fn table(ids: &[u64]) -> Table<A, R> {
    let mut t = Table::new();
    for &n in ids {
        t.insert(A(n), r(n, n.wrapping_mul(10)));
    }
    t
}

/// The same operations on a map, the table's model.
fn same_as_map(t: &Table<A, R>, m: &BTreeMap<A, u64>, probes: impl Iterator<Item = u64>) {
    assert_eq!(t.len(), m.len());
    assert!(t.iter().map(|(k, v)| (*k, v.x)).eq(m.iter().map(|(k, v)| (*k, *v))));
    for n in probes {
        assert_eq!(t.get(&A(n)).map(|v| v.x), m.get(&A(n)).copied(), "get {n}");
        assert_eq!(t.contains_key(&A(n)), m.contains_key(&A(n)));
        let r: Vec<_> = t.range(A(n)..).map(|(k, _)| *k).collect();
        let want: Vec<_> = m.range(A(n)..).map(|(k, _)| *k).collect();
        assert_eq!(r, want, "range from {n}");
        let r: Vec<_> =
            t.range((Bound::Excluded(A(n)), Bound::Included(A(n.saturating_add(50))))).map(|(k, _)| *k).collect();
        let want: Vec<_> =
            m.range((Bound::Excluded(A(n)), Bound::Included(A(n.saturating_add(50))))).map(|(k, _)| *k).collect();
        assert_eq!(r, want, "range after {n}");
    }
}

#[test]
fn ids_handed_out_in_order_are_found_by_their_place() {
    let ids: Vec<u64> = (1..5000).map(|n| n * 3).collect();
    let t = table(&ids);
    let m: BTreeMap<A, u64> = ids.iter().map(|n| (A(*n), n * 10)).collect();
    same_as_map(&t, &m, 0..15_100);
    assert_eq!(t.last_key_value(), Some((&A(14_997), &r(14_997, 149_970))));
    assert_eq!(t.get(&A(9)).map(|r| r.x), Some(90));
}

#[test]
fn an_id_below_the_others_is_sorted_in_and_every_row_still_found() {
    let mut t = table(&[10, 20, 30, 40]);
    let mut m: BTreeMap<A, u64> = [10, 20, 30, 40].iter().map(|n| (A(*n), n * 10)).collect();
    for n in [25, 5, 35, 1] {
        assert_eq!(t.insert(A(n), r(n, n * 10)), None);
        m.insert(A(n), n * 10);
    }
    assert_eq!(t.insert(A(20), r(20, 7)), Some(r(20, 200)), "a replaced row is given back");
    m.insert(A(20), 7);
    same_as_map(&t, &m, 0..60);
}

#[test]
fn ids_far_past_the_places_are_found_by_search_and_allocate_nothing() {
    // A hand-edited file: ids near the top of the range, and one that later falls under the
    // bound as the table grows.
    let far = [u64::MAX, u64::MAX - 1, 1 << 40, 300_000];
    let mut t = table(&[3, 7]);
    let mut m: BTreeMap<A, u64> = [3u64, 7].iter().map(|n| (A(*n), n * 10)).collect();
    for n in far {
        t.insert(A(n), r(n, n.wrapping_mul(10)));
        m.insert(A(n), n.wrapping_mul(10));
    }
    assert!(t.slots.len() <= 1 << 16, "no place for an id past the bound: {}", t.slots.len());
    // Enough rows appended that 300,000 falls under the bound: it gets its place too.
    for n in 300_001..400_000 {
        t.insert(A(n), r(n, n * 10));
        m.insert(A(n), n * 10);
    }
    assert!(t.slots.len() > 300_000);
    same_as_map(&t, &m, [0, 3, 7, 300_000, 300_001, 399_999, 400_000, 1 << 40, u64::MAX - 1, u64::MAX].into_iter());
    assert_eq!(t.get(&A(300_000)), Some(&r(300_000, 3_000_000)));
}

#[test]
fn rows_read_out_of_order_or_repeated_keep_the_last_of_each_id() {
    let rows = vec![r(5, 1), r(2, 2), r(5, 3), r(9, 4), r(2, 5)];
    let t: Table<A, R> = Table::from_rows(rows);
    assert_eq!(t.iter().map(|(k, v)| (k.0, v.x)).collect::<Vec<_>>(), vec![(2, 5), (5, 3), (9, 4)]);
    assert_eq!(t.get(&A(5)), Some(&r(5, 3)));
}

#[test]
fn a_table_is_written_and_read_as_the_list_of_its_rows() {
    let t: Table<A, R> = [r(4, 1), r(2, 2)].into_iter().collect();
    let json = serde_json::to_string(&t).expect("written");
    assert_eq!(json, r#"[{"id":2,"x":2},{"id":4,"x":1}]"#);
    let back: Table<A, R> = serde_json::from_str(&json).expect("read");
    assert_eq!(back, t);
    assert_eq!(back.get(&A(4)).map(|r| r.x), Some(1));
}
