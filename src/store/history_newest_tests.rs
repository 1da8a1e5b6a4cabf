use std::path::Path;

use super::*;
use crate::store::history::{HistoryRecord, StreamBatch, append_in};
use crate::store::history_keys::{KeyCodec, KeyRows, key_path, make_all, read_rows, segment_print};
use crate::store::history_pages::read_at;

const STREAM: &str = "audit";

use crate::store::seq_key::SeqKey as Key;
use crate::store::seq_key::SeqKey as Rec;

fn keying(stream: &str) -> Option<KeyCodec> {
    (stream == STREAM).then(KeyCodec::of::<Key>)
}

/// Records `from..=to` of about a hundred bytes each.
fn records(from: u64, to: u64) -> Vec<HistoryRecord> {
    (from..=to)
        .map(|seq| HistoryRecord {
            stream: STREAM.into(),
            seq,
            line: format!("{{\"seq\":{seq},\"text\":\"record {seq:06} {}\"}}", "x".repeat(70)).into_bytes().into(),
        })
        .collect()
}

/// Appends records `from..=to` in segments of about 20,000 bytes (some 200 records each);
/// the closed segments keyed if `keyed`.
fn append(dir: &Path, from: u64, to: u64, keyed: bool) {
    let closed = append_in(dir, &StreamBatch::gather(&records(from, to)), false, 20_000).expect("appends");
    if keyed {
        make_all(&closed, keying);
    }
}

fn all(_: &Key) -> bool {
    true
}

/// The seqs of every row, newest first, read from the files by their places.
fn seqs(dir: &Path, index: &NewestFirst<Key>) -> Vec<u64> {
    let at: Vec<RecordAt> = (0..index.len()).filter_map(|i| index.at(i)).collect();
    assert_eq!(at.len(), index.len(), "every row has a place");
    read_at::<Rec>(dir, STREAM, &at).expect("reads").into_iter().map(|r| r.seq).collect()
}

fn read_all(dir: &Path, index: &mut NewestFirst<Key>, keep: &dyn Fn(&Key) -> bool) {
    assert_eq!(index.catch_up(dir, STREAM, keep).expect("catches up"), Caught::Restarted);
    assert!(!index.read_back(keep, None).expect("reads back"), "nothing left");
    assert!(index.is_complete());
}

#[test]
fn rows_are_the_stream_newest_first_whether_read_from_key_files_or_in_chunks() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("history");
    append(&dir, 1, 1000, true);
    let want: Vec<u64> = (1..=1000).rev().collect();
    let mut keyed = NewestFirst::<Key>::default();
    read_all(&dir, &mut keyed, &all);
    assert_eq!(seqs(&dir, &keyed), want);

    // Without key files, in chunks shorter than a segment: the same rows, and the key files
    // of the closed segments made on the way.
    let other = tmp.path().join("plain");
    append(&other, 1, 1000, false);
    let segs = segments(&other.join(STREAM)).expect("lists");
    assert!(segs.len() >= 4, "{} segments", segs.len());
    let mut chunked = NewestFirst::<Key>::with_chunk(3000);
    read_all(&other, &mut chunked, &all);
    assert_eq!(seqs(&other, &chunked), want);
    for (i, (_, path)) in segs.iter().enumerate() {
        let closed = i + 1 < segs.len();
        assert_eq!(read_rows::<Key>(path).is_some(), closed, "segment {i}: a key file for a closed one");
    }
    let (len, rows) = read_rows::<Key>(&segs[0].1).expect("made");
    assert_eq!(len, std::fs::metadata(&segs[0].1).expect("stat").len());
    assert_eq!(rows.first().map(|r| r.1.seq), Some(1));
    assert_eq!(rows.last().map(|r| r.1.seq), Some(segs[1].0 - 1));
}

#[test]
fn the_first_piece_holds_the_newest_rows_and_the_rest_come_piece_by_piece() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("history");
    append(&dir, 1, 1000, false);
    let mut index = NewestFirst::<Key>::with_chunk(2000);
    assert_eq!(index.catch_up(&dir, STREAM, &all).expect("catches up"), Caught::Restarted);
    assert!(index.is_empty() && !index.is_complete());
    let past = Instant::now();
    let mut pieces = 0;
    let mut lens = vec![];
    while index.read_back(&all, Some(past)).expect("reads back") {
        pieces += 1;
        lens.push(index.len());
        // Whatever has been read is the newest rows, in order.
        let got = seqs(&dir, &index);
        assert_eq!(got.first(), Some(&1000));
        assert!(got.windows(2).all(|w| w[0] == w[1] + 1), "contiguous from the newest");
    }
    assert!(pieces > 20, "{pieces} pieces: one each time");
    assert!(lens.first().is_some_and(|&n| n > 0 && n < 30), "a first piece of a chunk: {lens:?}");
    assert_eq!(index.len(), 1000);
    let (read, total) = index.progress();
    assert_eq!(read, total);
}

#[test]
fn only_the_rows_kept_are_rows() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("history");
    append(&dir, 1, 700, true);
    let even = |k: &Key| k.seq.is_multiple_of(2);
    let mut index = NewestFirst::<Key>::with_chunk(1500);
    read_all(&dir, &mut index, &even);
    assert_eq!(seqs(&dir, &index), (1..=700u64).rev().filter(|s| s.is_multiple_of(2)).collect::<Vec<_>>());
    append(&dir, 701, 705, true);
    assert_eq!(index.catch_up(&dir, STREAM, &even).expect("catches up"), Caught::Grew(2));
    assert_eq!(seqs(&dir, &index).get(..3), Some(&[704, 702, 700][..]));
}

#[test]
fn new_records_come_in_at_the_top_and_a_long_run_of_them_starts_over() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("history");
    append(&dir, 1, 500, true);
    let mut index = NewestFirst::<Key>::default();
    read_all(&dir, &mut index, &all);
    assert_eq!(index.catch_up(&dir, STREAM, &all).expect("catches up"), Caught::Same);
    // Across a segment's close: the rest of the old last one, and the new ones.
    append(&dir, 501, 800, true);
    assert_eq!(index.catch_up(&dir, STREAM, &all).expect("catches up"), Caught::Grew(300));
    assert_eq!(seqs(&dir, &index), (1..=800).rev().collect::<Vec<_>>());
    assert!(index.is_complete(), "the old rows stay read");

    // More than is caught up with at once: it starts over, from the newest.
    let mut small = NewestFirst::<Key> { gap: 10_000, ..NewestFirst::default() };
    read_all(&dir, &mut small, &all);
    append(&dir, 801, 1000, true);
    assert_eq!(small.catch_up(&dir, STREAM, &all).expect("catches up"), Caught::Restarted);
    assert!(small.is_empty());
    small.read_back(&all, None).expect("reads back");
    assert_eq!(seqs(&dir, &small), (1..=1000).rev().collect::<Vec<_>>());

    // Another history directory (the store was reset): it starts over.
    let other = tmp.path().join("other");
    append(&other, 1, 3, true);
    assert_eq!(index.catch_up(&other, STREAM, &all).expect("catches up"), Caught::Restarted);
    index.read_back(&all, None).expect("reads back");
    assert_eq!(seqs(&other, &index), vec![3, 2, 1]);
}

#[test]
fn a_last_line_cut_short_is_not_a_row_until_it_is_whole() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("history");
    append(&dir, 1, 50, true);
    let segs = segments(&dir.join(STREAM)).expect("lists");
    let last = &segs.last().expect("a segment").1;
    let whole = std::fs::read(last).expect("reads");
    let mut torn = whole.clone();
    torn.extend_from_slice(b"{\"seq\":51,\"te");
    std::fs::write(last, &torn).expect("writes");
    let mut index = NewestFirst::<Key>::with_chunk(700);
    read_all(&dir, &mut index, &all);
    assert_eq!(seqs(&dir, &index), (1..=50).rev().collect::<Vec<_>>());
    torn.extend_from_slice(b"xt\":\"x\"}\n");
    std::fs::write(last, &torn).expect("writes");
    assert_eq!(index.catch_up(&dir, STREAM, &all).expect("catches up"), Caught::Grew(1));
    assert_eq!(seqs(&dir, &index).first(), Some(&51));
}

#[test]
fn a_line_longer_than_a_chunk_is_read_whole() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("history");
    let mut recs = records(1, 20);
    recs[10].line = format!("{{\"seq\":11,\"text\":\"{}\"}}", "y".repeat(5000)).into_bytes().into();
    append_in(&dir, &StreamBatch::gather(&recs), false, 1 << 20).expect("appends");
    let mut index = NewestFirst::<Key>::with_chunk(300);
    read_all(&dir, &mut index, &all);
    assert_eq!(seqs(&dir, &index), (1..=20).rev().collect::<Vec<_>>());
}

#[test]
fn a_stale_key_file_is_not_trusted() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("history");
    append(&dir, 1, 600, true);
    let segs = segments(&dir.join(STREAM)).expect("lists");
    let first = &segs[0].1;
    // The segment's record 5 made longer: its key file no longer names it.
    let text = std::fs::read_to_string(first).expect("reads");
    std::fs::write(first, text.replacen("{\"seq\":5,", "{\"seq\": 5,", 1)).expect("writes");
    assert!(read_rows::<Key>(first).is_none());
    let mut index = NewestFirst::<Key>::default();
    read_all(&dir, &mut index, &all);
    assert_eq!(seqs(&dir, &index), (1..=600).rev().collect::<Vec<_>>());
    assert!(key_path(first).exists() && read_rows::<Key>(first).is_some(), "made again");
}

#[test]
fn a_log_read_in_one_piece_is_complete_after_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("history");
    append(&dir, 1, 50, true);
    let mut index = NewestFirst::<Key>::default();
    index.catch_up(&dir, STREAM, &all).expect("catches up");
    let more = index.read_back(&all, Some(Instant::now())).expect("reads back");
    assert!(!more && index.is_complete(), "one piece, and nothing left: a screen shows no progress");
    assert_eq!(index.len(), 50);
}

#[test]
fn a_key_file_is_read_a_few_rows_at_a_time_and_its_segment_joins_the_rows_whole() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("history");
    append(&dir, 1, 1000, true);
    let segs = segments(&dir.join(STREAM)).expect("lists");
    let mut index = NewestFirst::<Key>::with_keyed_rows(50);
    index.catch_up(&dir, STREAM, &all).expect("catches up");
    let past = Instant::now();
    let mut lens = vec![];
    while index.read_back(&all, Some(past)).expect("reads back") {
        lens.push(index.len());
        let got = seqs(&dir, &index);
        assert!(got.windows(2).all(|w| w[0] == w[1] + 1), "contiguous from the newest");
        // A segment's rows come all at once, when its key file is read to its end.
        assert!(got.last().is_none_or(|s| segs.iter().any(|(first, _)| first == s)), "{:?}", got.last());
    }
    assert_eq!(seqs(&dir, &index), (1..=1000).rev().collect::<Vec<_>>());
    // About 200 rows a segment, 50 a step: four steps or more for each closed one.
    assert!(lens.len() >= 4 * (segs.len() - 1), "{} steps for {} segments", lens.len(), segs.len());
    assert!(lens.windows(4).any(|w| w[0] == w[3]), "steps that add no row yet: {lens:?}");
}

#[test]
fn a_key_file_whose_rows_stop_reading_half_way_gives_way_to_the_segment_s_lines() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("history");
    append(&dir, 1, 600, true);
    let segs = segments(&dir.join(STREAM)).expect("lists");
    let first = &segs[0].1;
    // A key file whose checks pass but whose 60th key does not read.
    let (len, rows) = read_rows::<Key>(first).expect("made");
    let mut bad = KeyRows::default();
    for (i, (line, key)) in rows.iter().enumerate() {
        let k = if i == 60 { vec![1, 2, 3] } else { key.seq.to_le_bytes().to_vec() };
        bad.push(*line, |out| {
            out.extend_from_slice(&k);
            Ok(())
        })
        .expect("pushed");
    }
    let (_, print) = segment_print(first).expect("a print");
    bad.write(first, <Key as LineKey>::FORMAT, len, print).expect("written");
    assert!(read_rows::<Key>(first).is_none(), "it does not read whole");
    let mut index = NewestFirst::<Key>::with_keyed_rows(40);
    read_all(&dir, &mut index, &all);
    assert_eq!(seqs(&dir, &index), (1..=600).rev().collect::<Vec<_>>());
    assert!(read_rows::<Key>(first).is_some(), "made again from its lines");
}
