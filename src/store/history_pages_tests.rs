use serde::Deserialize;

use super::*;
use crate::store::history::{HistoryRecord, StreamBatch, append_in, read};
use crate::store::history_keys::{KeyCodec, key_path, make_all, make_missing, read_rows};

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

use crate::store::seq_key::SeqKey as Key;

const STREAM: &str = "requests-01";

fn keying(stream: &str) -> Option<KeyCodec> {
    (stream == STREAM).then(KeyCodec::of::<Key>)
}

/// A record of about a hundred bytes: a segment of 20,000 bytes holds about 200.
fn long_rec(seq: u64) -> HistoryRecord {
    HistoryRecord {
        stream: STREAM.into(),
        seq,
        line: format!("{{\"seq\":{seq},\"text\":\"record {seq:06} {}\"}}", "x".repeat(70)).into_bytes().into(),
    }
}

/// A stream of records 1..=n in segments of about 20,000 bytes, its closed segments keyed as a
/// commit keys them; its segments.
fn keyed_stream(dir: &Path, n: u64) -> Vec<(u64, PathBuf)> {
    let all: Vec<HistoryRecord> = (1..=n).map(long_rec).collect();
    let closed = append_in(dir, &StreamBatch::gather(&all), false, 20_000).expect("appends");
    make_all(&closed, keying);
    let segs = segments(&dir.join(STREAM)).expect("lists");
    let closed: Vec<PathBuf> = closed.into_iter().map(|(_, p)| p).collect();
    let all_but_last: Vec<PathBuf> = segs.iter().take(segs.len() - 1).map(|s| s.1.clone()).collect();
    assert_eq!(closed, all_but_last, "the append closed every segment but the last");
    segs
}

fn seqs_of(dir: &Path) -> Vec<u64> {
    let mut index = StreamIndex::<Key>::default();
    index_since(dir, STREAM, &mut index).expect("indexes");
    index.rows().iter().map(|(_, k)| k.seq).collect()
}

/// `from` replaced by `to` in the file at `path`, once.
fn rewrite(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("reads");
    assert!(text.contains(from), "{from}");
    std::fs::write(path, text.replacen(from, to, 1)).expect("writes");
}

#[test]
fn a_closed_segment_is_read_from_its_key_file_until_its_length_changes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("history");
    let segs = keyed_stream(&dir, 1000);
    assert!(segs.len() >= 4, "{} segments", segs.len());
    for (i, (_, path)) in segs.iter().enumerate() {
        assert_eq!(key_path(path).exists(), i + 1 < segs.len(), "key files beside the closed segments only");
    }
    assert_eq!(seqs_of(&dir), (1..=1000).collect::<Vec<_>>());

    // Record 100's number changed in the middle of the first segment, its length kept: the
    // index still says 100, so the segment was not parsed; read by its place, it is the new one.
    let first = &segs[0].1;
    rewrite(first, "{\"seq\":100,", "{\"seq\":900,");
    let mut index = StreamIndex::<Key>::default();
    index_since(&dir, STREAM, &mut index).expect("indexes");
    assert_eq!(index.rows().iter().map(|(_, k)| k.seq).collect::<Vec<_>>(), (1..=1000).collect::<Vec<_>>());
    let at: Vec<RecordAt> = index.rows().get(99).map(|r| r.0).into_iter().collect();
    assert_eq!(read_at::<Rec>(&dir, STREAM, &at).expect("reads").first().map(|r| r.seq), Some(900));

    // Its length changes: the key file is stale, the segment is parsed, and its key file made again.
    rewrite(first, "{\"seq\":900,", "{\"seq\": 900,");
    let want: Vec<u64> = (1..=1000).map(|s| if s == 100 { 900 } else { s }).collect();
    assert_eq!(seqs_of(&dir), want);
    let (len, rows) = read_rows::<Key>(first).expect("made again");
    assert_eq!(len, std::fs::metadata(first).expect("stat").len());
    assert_eq!(rows.get(99).map(|r| r.1.seq), Some(900));
}

/// Something done to a key file's bytes.
type Damage = fn(&mut Vec<u8>);

#[test]
fn a_missing_or_damaged_key_file_is_made_again_and_the_index_is_the_same() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("history");
    let segs = keyed_stream(&dir, 600);
    let first = segs[0].1.clone();
    let keys = key_path(&first);
    let mut whole = StreamIndex::<Key>::default();
    index_since(&dir, STREAM, &mut whole).expect("indexes");
    let want: Vec<(RecordAt, u64)> = whole.rows().iter().map(|(at, k)| (*at, k.seq)).collect();
    assert_eq!(want.len(), 600);
    let damages: [(&str, Damage); 4] = [
        ("missing", |_| {}),
        ("a byte of a row changed", |b| {
            if let Some(x) = b.get_mut(60) {
                *x ^= 0x40;
            }
        }),
        ("cut short", |b| b.truncate(b.len() / 2)),
        ("another key format", |b| {
            if let Some(x) = b.get_mut(8) {
                *x ^= 1;
            }
        }),
    ];
    for (what, damage) in damages {
        let mut bytes = std::fs::read(&keys).expect("a key file");
        damage(&mut bytes);
        if what == "missing" {
            std::fs::remove_file(&keys).expect("removes");
        } else {
            std::fs::write(&keys, &bytes).expect("writes");
        }
        assert!(read_rows::<Key>(&first).is_none(), "{what}: not used");
        let mut index = StreamIndex::<Key>::default();
        index_since(&dir, STREAM, &mut index).expect("indexes");
        let got: Vec<(RecordAt, u64)> = index.rows().iter().map(|(at, k)| (*at, k.seq)).collect();
        assert_eq!(got, want, "{what}");
        assert!(read_rows::<Key>(&first).is_some(), "{what}: made again by the reader");
    }
}

#[test]
fn a_compaction_makes_the_key_files_an_old_history_lacks_and_an_index_reads_on_through_them() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("history");
    // Begun while the stream had one segment, open.
    let first: Vec<HistoryRecord> = (1..=150).map(long_rec).collect();
    append_in(&dir, &StreamBatch::gather(&first), false, 20_000).expect("appends");
    let mut index = StreamIndex::<Key>::default();
    index_since(&dir, STREAM, &mut index).expect("indexes");
    // Then written by an entitle that made no key files (and an unkeyed stream beside it).
    let more: Vec<HistoryRecord> = (151..=900).map(long_rec).collect();
    append_in(&dir, &StreamBatch::gather(&more), false, 20_000).expect("appends");
    let audit: Vec<HistoryRecord> =
        (1..=400).map(|s| HistoryRecord { stream: "audit".into(), ..long_rec(s) }).collect();
    append_in(&dir, &StreamBatch::gather(&audit), false, 20_000).expect("appends");
    make_missing(&dir, keying);
    let segs = segments(&dir.join(STREAM)).expect("lists");
    for (i, (_, path)) in segs.iter().enumerate() {
        assert_eq!(key_path(path).exists(), i + 1 < segs.len());
    }
    assert!(segments(&dir.join("audit")).expect("lists").iter().all(|(_, p)| !key_path(p).exists()));
    // The index reads on from where it stopped in what is now a closed segment, each record once.
    index_since(&dir, STREAM, &mut index).expect("indexes on");
    assert_eq!(index.rows().iter().map(|(_, k)| k.seq).collect::<Vec<_>>(), (1..=900).collect::<Vec<_>>());
    let whole = read::<Rec>(&dir, STREAM).expect("reads");
    let at: Vec<RecordAt> = index.rows().iter().map(|r| r.0).collect();
    assert_eq!(read_at::<Rec>(&dir, STREAM, &at).expect("reads"), whole);
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
