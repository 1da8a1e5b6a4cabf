//! A file written past the page cache holds exactly the bytes given, in order, whatever the
//! sizes of the writes (below, at and across the block and the chunk), and the same when a
//! write is refused with `O_DIRECT` and the file goes on the ordinary way.

use super::{ALIGN, CHUNK, DirectFile, Scratch, copy_joined};

/// Bytes that differ at every position (so a block written twice or out of place shows).
fn pattern(from: usize, n: usize) -> Vec<u8> {
    (from..from.saturating_add(n)).map(|i| u8::try_from(i % 251).unwrap_or(0)).collect()
}

/// Writes pieces of the given sizes to a new file, or to one `had` bytes long opened to append
/// (`Some`), finishes, and checks the file holds what it had, then every piece. Where the file
/// opened with `O_DIRECT` (the temporary directory's file system takes it), every write went
/// that way: none was refused for its alignment.
fn written_after(had: Option<usize>, sizes: &[usize]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("segment.jsonl");
    let mut scratch = Scratch::new();
    let (mut file, mut given) = match had {
        None => (DirectFile::create(&path).expect("create"), Vec::new()),
        Some(had) => {
            let given = pattern(3, had);
            std::fs::write(&path, &given).expect("write what it had");
            let len = u64::try_from(had).expect("a length");
            (DirectFile::append(&path, len).expect("open to append"), given)
        }
    };
    let opened_direct = file.direct;
    for &n in sizes {
        let piece = pattern(given.len().saturating_add(11), n);
        file.write(&piece, &mut scratch).expect("write");
        given.extend_from_slice(&piece);
    }
    assert_eq!(file.direct, opened_direct, "a write was refused with O_DIRECT after {had:?} bytes, {sizes:?}");
    file.finish().expect("finish");
    drop(file);
    let on_disk = std::fs::read(&path).expect("read back");
    assert_eq!(on_disk.len(), given.len(), "after {had:?} bytes, sizes {sizes:?}");
    assert!(on_disk == given, "the bytes differ after {had:?} bytes, sizes {sizes:?}");
}

fn written_whole(sizes: &[usize]) {
    written_after(None, sizes);
}

#[test]
fn holds_every_byte_whatever_the_sizes_of_the_writes() {
    written_whole(&[]);
    written_whole(&[0]);
    written_whole(&[1]);
    written_whole(&[ALIGN - 1, 1]);
    written_whole(&[ALIGN]);
    written_whole(&[ALIGN + 1, ALIGN - 1, 3]);
    written_whole(&[17; 600]);
    written_whole(&[CHUNK - 5, 10, CHUNK, 2 * CHUNK + 7]);
    written_whole(&[3 * CHUNK + ALIGN / 2]);
    written_whole(&[1, 2 * CHUNK, 1]);
}

#[test]
fn files_written_one_after_another_share_the_buffer() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut scratch = Scratch::new();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let mut fa = DirectFile::create(&a).expect("create a");
    let mut fb = DirectFile::create(&b).expect("create b");
    let (pa, pb) = (pattern(0, CHUNK + 100), pattern(7, 2 * ALIGN + 9));
    let (mut ia, mut ib) = (pa.chunks(ALIGN + 3), pb.chunks(5));
    loop {
        let (x, y) = (ia.next(), ib.next());
        if x.is_none() && y.is_none() {
            break;
        }
        if let Some(x) = x {
            fa.write(x, &mut scratch).expect("write a");
        }
        if let Some(y) = y {
            fb.write(y, &mut scratch).expect("write b");
        }
    }
    fa.finish().expect("finish a");
    fb.finish().expect("finish b");
    assert!(std::fs::read(&a).expect("read a") == pa, "file a differs");
    assert!(std::fs::read(&b).expect("read b") == pb, "file b differs");
}

#[test]
fn a_write_refused_with_o_direct_goes_the_ordinary_way_with_the_same_bytes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("segment.jsonl");
    let mut aligned = Scratch::new();
    let mut off = Scratch::misaligned();
    let mut file = DirectFile::create(&path).expect("create");
    let (first, second, third) = (pattern(0, 2 * ALIGN + 5), pattern(2 * ALIGN + 5, CHUNK + 77), pattern(CHUNK, 999));
    file.write(&first, &mut aligned).expect("write");
    file.write(&second, &mut off).expect("write refused with O_DIRECT, then done the ordinary way");
    assert!(!file.direct, "the file goes on without O_DIRECT");
    file.write(&third, &mut aligned).expect("write");
    file.finish().expect("finish");
    let given: Vec<u8> = [first, second, third].concat();
    assert!(std::fs::read(&path).expect("read back") == given, "the bytes differ");
}

#[test]
fn joined_copies_take_the_range_across_both_slices() {
    let (a, b) = (b"abc".as_slice(), b"defgh".as_slice());
    let mut out = [0u8; 4];
    copy_joined(a, b, 1, &mut out);
    assert_eq!(&out, b"bcde");
    copy_joined(a, b, 3, &mut out);
    assert_eq!(&out, b"defg");
    copy_joined(a, b, 0, &mut out[..3]);
    assert_eq!(&out[..3], b"abc");
}

#[test]
fn an_append_keeps_what_the_file_held_at_every_offset_in_its_block() {
    for had in [0, 1, 17, ALIGN - 1, ALIGN, ALIGN + 1, 3 * ALIGN + 700, CHUNK + 5] {
        written_after(Some(had), &[]);
        written_after(Some(had), &[1]);
        written_after(Some(had), &[ALIGN - had % ALIGN]);
        written_after(Some(had), &[ALIGN, 3]);
        written_after(Some(had), &[CHUNK + 9, 2 * ALIGN + 1]);
    }
}
