use serde::Deserialize;

use super::*;

fn rec(stream: &str, seq: u64) -> HistoryRecord {
    HistoryRecord {
        stream: stream.into(),
        seq,
        line: format!("{{\"seq\":{seq},\"text\":\"event {seq}\"}}").into_bytes().into(),
    }
}

#[derive(Debug, Deserialize, PartialEq)]
struct Rec {
    seq: u64,
    text: String,
}

fn seqs(dir: &Path, stream: &str) -> Vec<u64> {
    read::<Rec>(dir, stream).expect("reads").into_iter().map(|r| r.seq).collect()
}

#[test]
fn appends_each_record_once_whatever_is_appended_again() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("history");
    append(&dir, &[rec("audit", 1), rec("audit", 2), rec("notices-01", 1)], false).expect("appends");
    // What a replay after a crash makes again, plus what is new.
    append(&dir, &[rec("audit", 1), rec("audit", 2), rec("audit", 3)], true).expect("appends");
    assert_eq!(seqs(&dir, "audit"), [1, 2, 3]);
    assert_eq!(seqs(&dir, "notices-01"), [1]);
    assert_eq!(seqs(&dir, "notices-02"), Vec::<u64>::new(), "a stream never written is empty");
}

#[test]
fn a_write_cut_short_is_ignored_by_readers_and_cut_by_the_next_append() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("history");
    append(&dir, &[rec("audit", 1), rec("audit", 2)], true).expect("appends");
    let segment = segment_name(&dir.join("audit"), 1);
    let mut f = OpenOptions::new().append(true).open(&segment).expect("opens");
    f.write_all(b"{\"seq\":3,\"te").expect("writes");
    drop(f);
    assert_eq!(seqs(&dir, "audit"), [1, 2]);
    append(&dir, &[rec("audit", 3), rec("audit", 4)], true).expect("appends");
    assert_eq!(seqs(&dir, "audit"), [1, 2, 3, 4]);
    let text = fs::read_to_string(&segment).expect("reads");
    assert_eq!(text.lines().count(), 4, "{text}");
}

#[test]
fn segments_close_at_their_size_and_read_back_in_order() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("history");
    let all: Vec<HistoryRecord> = (1..=50).map(|i| rec("audit", i)).collect();
    for chunk in all.chunks(7) {
        append_in(&dir, &StreamBatch::gather(chunk), false, 200).expect("appends");
    }
    let segs = segments(&dir.join("audit")).expect("lists");
    assert!(segs.len() >= 6, "{} segments", segs.len());
    for (_, path) in &segs {
        let len = fs::metadata(path).expect("stat").len();
        assert!(len < 200 + 40, "{} holds {len} bytes", path.display());
    }
    assert_eq!(seqs(&dir, "audit"), (1..=50).collect::<Vec<_>>());
}

#[test]
fn a_cursor_reads_only_what_was_added_and_starts_over_in_another_directory() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("history");
    let mut cursor = HistoryCursor::default();
    append_in(&dir, &StreamBatch::gather(&[rec("audit", 1), rec("audit", 2)]), false, 100).expect("appends");
    let (first, restarted) = read_since::<Rec>(&dir, "audit", &mut cursor).expect("reads");
    assert!(restarted);
    assert_eq!(first.iter().map(|r| r.seq).collect::<Vec<_>>(), [1, 2]);
    let (none, restarted) = read_since::<Rec>(&dir, "audit", &mut cursor).expect("reads");
    assert!(none.is_empty() && !restarted);
    append_in(&dir, &StreamBatch::gather(&(3..=9).map(|i| rec("audit", i)).collect::<Vec<_>>()), false, 100)
        .expect("appends");
    let (more, _) = read_since::<Rec>(&dir, "audit", &mut cursor).expect("reads");
    assert_eq!(more.iter().map(|r| r.seq).collect::<Vec<_>>(), (3..=9).collect::<Vec<_>>());

    let other = tmp.path().join("history-2");
    append(&other, &[rec("audit", 1)], false).expect("appends");
    let (fresh, restarted) = read_since::<Rec>(&other, "audit", &mut cursor).expect("reads");
    assert!(restarted);
    assert_eq!(fresh.len(), 1);
}

#[test]
fn a_bad_record_or_stream_name_is_refused_with_its_place() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("history");
    assert!(append(&dir, &[rec("../x", 1)], false).is_err());
    assert!(read::<Rec>(&dir, "a/b").is_err());
    append(&dir, &[rec("audit", 1)], false).expect("appends");
    let segment = segment_name(&dir.join("audit"), 1);
    let mut f = OpenOptions::new().append(true).open(&segment).expect("opens");
    f.write_all(b"not json\n").expect("writes");
    drop(f);
    let err = read::<Rec>(&dir, "audit").expect_err("refused").to_string();
    assert!(err.contains("000000000001.jsonl") && err.contains("not a history record"), "{err}");
    // An append refuses too rather than guess where the stream stands.
    assert!(append(&dir, &[rec("audit", 2)], false).is_err());
}

#[test]
fn a_record_longer_than_the_tail_that_is_read_is_found_whole() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("history");
    let long = |seq: u64| HistoryRecord {
        stream: "audit".into(),
        seq,
        line: format!("{{\"seq\":{seq},\"text\":\"{}\"}}", "x".repeat(300 << 10)).into_bytes().into(),
    };
    append(&dir, &[long(1), long(2)], false).expect("appends");
    // The tail read does not reach back to the start of record 2: nothing is cut, and 2 is last.
    append(&dir, &[long(2), rec("audit", 3)], false).expect("appends");
    assert_eq!(seqs(&dir, "audit"), [1, 2, 3]);
}

/// A record of about `n` bytes (its text made of its number).
fn long_rec(stream: &str, seq: u64, n: usize) -> HistoryRecord {
    let text = seq.to_string().repeat(n / 4 + 1);
    HistoryRecord {
        stream: stream.into(),
        seq,
        line: format!("{{\"seq\":{seq},\"text\":\"{text}\"}}").into_bytes().into(),
    }
}

#[test]
fn a_long_append_past_the_page_cache_holds_every_record_after_those_there() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("history");
    // A few short records first, so the long append starts off a block's start; then one far
    // past the direct threshold that closes segments on the way; then short ones again.
    append_in(&dir, &StreamBatch::gather(&[long_rec("requests-01", 1, 100)]), true, 1 << 20).expect("appends");
    let long: Vec<HistoryRecord> = (2..=3000).map(|i| long_rec("requests-01", i, 1500)).collect();
    let bytes: usize = long.iter().map(|r| r.line.len() + 1).sum();
    assert!(bytes > 2 * DIRECT_FROM, "the append is long: {bytes} bytes");
    append_in(&dir, &StreamBatch::gather(&long), false, 1 << 20).expect("appends");
    // Cut short by a crash, then appended to again.
    let segs = segments(&dir.join("requests-01")).expect("lists");
    assert!(segs.len() >= 2, "the long append closed a segment: {} segments", segs.len());
    let (_, last) = segs.last().expect("a segment");
    let mut f = OpenOptions::new().append(true).open(last).expect("opens");
    f.write_all(b"{\"seq\":3001,\"te").expect("writes");
    drop(f);
    let more: Vec<HistoryRecord> = (3001..=3400).map(|i| long_rec("requests-01", i, 900)).collect();
    append_in(&dir, &StreamBatch::gather(&more), true, 1 << 20).expect("appends");
    let read: Vec<Rec> = read(&dir, "requests-01").expect("reads");
    assert_eq!(read.iter().map(|r| r.seq).collect::<Vec<_>>(), (1..=3400).collect::<Vec<_>>());
    for r in &read {
        let n = if r.seq == 1 {
            100
        } else if r.seq <= 3000 {
            1500
        } else {
            900
        };
        assert_eq!(r.text, r.seq.to_string().repeat(n / 4 + 1), "record {}", r.seq);
    }
}

#[test]
fn a_long_append_over_many_streams_shares_them_among_threads_and_keeps_each_stream_whole() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (shared, alone) = (tmp.path().join("shared"), tmp.path().join("alone"));
    // Twelve streams, about 10 MB in all (past APPENDERS_FROM), segments closed at 256 KiB.
    let streams: Vec<String> = (0..12).map(|i| format!("requests-{i:02}")).collect();
    let mut records = vec![];
    for (i, s) in streams.iter().enumerate() {
        let n = 300 + 40 * i as u64;
        records.extend((1..=n).map(|seq| long_rec(s, seq, 2000)));
    }
    let batches = StreamBatch::gather(&records);
    let total: usize = batches.iter().map(|b| b.bytes.len()).sum();
    assert!(total >= APPENDERS_FROM, "long enough to be shared: {total} bytes");
    let closed = append_in(&shared, &batches, true, 256 << 10).expect("appends");
    // The same append one stream at a time: the segments closed, in the same order.
    let mut one_by_one = vec![];
    for b in &batches {
        let closed = append_in(&alone, std::slice::from_ref(b), true, 256 << 10).expect("appends");
        one_by_one.extend(closed.into_iter().map(|(s, p)| (s, p.strip_prefix(&alone).map(Path::to_path_buf))));
    }
    let closed: Vec<_> = closed.into_iter().map(|(s, p)| (s, p.strip_prefix(&shared).map(Path::to_path_buf))).collect();
    assert!(closed.len() > streams.len(), "segments were closed: {}", closed.len());
    assert_eq!(closed, one_by_one);
    for (i, s) in streams.iter().enumerate() {
        let n = 300 + 40 * i as u64;
        assert_eq!(seqs(&shared, s), (1..=n).collect::<Vec<_>>(), "{s}");
    }
    // Appended to again (the first records already there are skipped), still whole.
    let again: Vec<HistoryRecord> =
        streams.iter().flat_map(|s| (250..=700).map(move |seq| long_rec(s, seq, 2000))).collect();
    append_in(&shared, &StreamBatch::gather(&again), true, 256 << 10).expect("appends");
    for (i, s) in streams.iter().enumerate() {
        let n = (300 + 40 * i as u64).max(700);
        assert_eq!(seqs(&shared, s), (1..=n).collect::<Vec<_>>(), "{s}");
    }
}

#[test]
fn a_shared_append_that_fails_on_one_stream_reports_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("history");
    let streams: Vec<String> = (0..6).map(|i| format!("requests-{i:02}")).collect();
    let records: Vec<HistoryRecord> =
        streams.iter().flat_map(|s| (1..=1000).map(move |seq| long_rec(s, seq, 2000))).collect();
    // One stream's directory is a file: that stream cannot be appended to.
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("requests-03"), b"not a directory").expect("writes");
    let err = append_in(&dir, &StreamBatch::gather(&records), true, 1 << 20).expect_err("refused");
    assert!(err.to_string().contains("requests-03"), "{err}");
}
