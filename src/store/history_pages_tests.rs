use serde::Deserialize;

use super::*;
use crate::store::history::{HistoryRecord, StreamBatch, append_in, read};

fn rec(seq: u64) -> HistoryRecord {
    HistoryRecord {
        stream: "requests-01".into(),
        seq,
        line: format!("{{\"seq\":{seq},\"text\":\"record {seq}\"}}").into_bytes().into(),
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
struct Rec {
    seq: u64,
    text: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
struct Key {
    seq: u64,
}

#[test]
fn an_index_finds_every_record_across_segments_and_grows_with_the_stream() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("history");
    let first: Vec<HistoryRecord> = (1..=30).map(rec).collect();
    for chunk in first.chunks(7) {
        append_in(&dir, &StreamBatch::gather(chunk), false, 200).expect("appends");
    }
    let mut index = StreamIndex::<Key>::default();
    index_since(&dir, "requests-01", &mut index).expect("indexes");
    let keys: Vec<u64> = index.rows().iter().map(|(_, k)| k.seq).collect();
    assert_eq!(keys, (1..=30).collect::<Vec<_>>());

    // Any choice of records, in any order, reads back as the whole read has them.
    let whole = read::<Rec>(&dir, "requests-01").expect("reads");
    let pick: Vec<RecordAt> = [29usize, 0, 13, 7, 7].iter().filter_map(|i| index.rows().get(*i).map(|r| r.0)).collect();
    let got = read_at::<Rec>(&dir, "requests-01", &pick).expect("reads at");
    let want: Vec<Rec> = [29usize, 0, 13, 7, 7].iter().filter_map(|i| whole.get(*i).cloned()).collect();
    assert_eq!(got, want);

    // Appended later: the index reads on from where it stopped, each record once.
    let more: Vec<HistoryRecord> = (31..=40).map(rec).collect();
    append_in(&dir, &StreamBatch::gather(&more), false, 200).expect("appends");
    index_since(&dir, "requests-01", &mut index).expect("indexes on");
    let keys: Vec<u64> = index.rows().iter().map(|(_, k)| k.seq).collect();
    assert_eq!(keys, (1..=40).collect::<Vec<_>>());
    let last = index.rows().last().map(|r| r.0).into_iter().collect::<Vec<_>>();
    assert_eq!(read_at::<Rec>(&dir, "requests-01", &last).expect("reads").first().map(|r| r.seq), Some(40));
}

#[test]
fn a_line_cut_short_is_left_out_until_it_is_whole() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("history");
    append_in(&dir, &StreamBatch::gather(&[rec(1), rec(2)]), false, 1 << 20).expect("appends");
    let segment = segment_name(&dir.join("requests-01"), 1);
    let mut f = std::fs::OpenOptions::new().append(true).open(&segment).expect("opens");
    std::io::Write::write_all(&mut f, b"{\"seq\":3,\"te").expect("writes");
    drop(f);
    let mut index = StreamIndex::<Key>::default();
    index_since(&dir, "requests-01", &mut index).expect("indexes");
    assert_eq!(index.rows().len(), 2);
    append_in(&dir, &StreamBatch::gather(&[rec(3)]), false, 1 << 20).expect("appends");
    index_since(&dir, "requests-01", &mut index).expect("indexes on");
    let keys: Vec<u64> = index.rows().iter().map(|(_, k)| k.seq).collect();
    assert_eq!(keys, [1, 2, 3]);
}
