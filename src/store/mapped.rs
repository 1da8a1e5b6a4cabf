//! A file's bytes mapped into memory read-only, for the cache's decode: the decoder reads the
//! page cache's own pages instead of a copy made through `read()` (a copy of 160 MB costs a
//! tenth of an open at a million assignments, and as much memory again). The map is unmapped
//! when dropped.
//!
//! A map of a file that shrinks under it faults when the missing pages are read. The files
//! mapped here never shrink: the cache is only ever replaced whole by a rename (the map keeps
//! the old file), and written in place only for the 24 bytes of its second tie, which are
//! checked like any other byte.

use std::fs::File;
use std::os::fd::AsRawFd;

/// The page size the releases round to (a multiple of every page size Linux uses for files).
const PAGE: usize = 4096;

/// A file's bytes as they were when mapped (see the module's note on shrinking).
pub(crate) struct Mapped {
    at: *mut libc::c_void,
    len: usize,
}

// The map is read-only and owned: sharing its bytes between threads is sharing a `&[u8]`.
unsafe impl Send for Mapped {}
unsafe impl Sync for Mapped {}

impl Mapped {
    /// The whole of `file`, `len` bytes long (its length when the caller looked). An empty file
    /// is refused (a map cannot be empty).
    pub fn of(file: &File, len: u64) -> std::io::Result<Mapped> {
        let len = usize::try_from(len).map_err(|_| std::io::Error::other("a file too large to map"))?;
        if len == 0 {
            return Err(std::io::Error::other("an empty file"));
        }
        // SAFETY: a fresh read-only private map of an open file; the kernel picks the address,
        // and `MAP_FAILED` is checked before the pointer is used.
        let at = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_PRIVATE | libc::MAP_POPULATE,
                file.as_raw_fd(),
                0,
            )
        };
        if at == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Mapped { at, len })
    }

    /// Gives back the memory of the whole pages of `part` (bytes of this map, decoded and no
    /// longer needed), so that they count no more to the process's memory. Were they read
    /// again, they would be read again from the file, unchanged. A part outside the map, or
    /// holding no whole page, is left alone.
    pub fn release(&self, part: &[u8]) {
        let page = PAGE;
        let base = self.at as usize;
        let start = part.as_ptr() as usize;
        let Some(end) = start.checked_add(part.len()) else { return };
        if start < base || end > base.saturating_add(self.len) {
            return;
        }
        let from = start.div_ceil(page).saturating_mul(page);
        let to = end / page * page;
        if to <= from {
            return;
        }
        // SAFETY: whole pages inside this read-only private map of a file never written through
        // it: dropping them only makes a later read fault them in again from the file.
        unsafe {
            libc::madvise(from as *mut libc::c_void, to - from, libc::MADV_DONTNEED);
        }
    }

    pub fn bytes(&self) -> &[u8] {
        // SAFETY: `at` is a live map of `len` readable bytes until `drop`, which needs `&mut self`.
        unsafe { std::slice::from_raw_parts(self.at.cast::<u8>(), self.len) }
    }
}

impl Drop for Mapped {
    fn drop(&mut self) {
        // SAFETY: the map made in `of`, unmapped once; no borrow of its bytes outlives `self`.
        unsafe {
            libc::munmap(self.at, self.len);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_map_holds_the_file_bytes_and_an_empty_file_is_refused() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("f");
        let mut f = File::create(&path).expect("create");
        f.write_all(b"hello, map").expect("write");
        drop(f);
        let f = File::open(&path).expect("open");
        let m = Mapped::of(&f, 10).expect("mapped");
        assert_eq!(m.bytes(), b"hello, map");
        // Less than a page: nothing to give back, and the bytes stay.
        m.release(m.bytes());
        assert_eq!(m.bytes(), b"hello, map");
        let empty = File::create(dir.path().join("e")).expect("create");
        assert!(Mapped::of(&empty, 0).is_err());
    }
}
