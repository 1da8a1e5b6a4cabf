//! A file written past the page cache, for history that is written in bulk and not read back
//! soon: a year's clock jump stages hundreds of megabytes of it (see `staged`), and appends a
//! hundred more of finished requests to their streams (see `history`).
//!
//! Why: a buffered write copies every byte into a page of the page cache, and a page the
//! system has not used lately is slow to get on a virtual machine that hands free memory back
//! to its host (the 2-core machine the benchmark runs on: writing 800 MB took 0.21 to 2.97 s
//! buffered, depending on how long ago the memory was last used, and 0.63 to 0.68 s with
//! `O_DIRECT`, with 0.09 s of CPU). With `O_DIRECT` the bytes go from one reused buffer straight
//! to the disk. It also leaves the page cache to what is read.
//!
//! `O_DIRECT` wants the buffer's address, its length and the file's offset aligned to the
//! disk's block: the bytes go through an aligned buffer, whole blocks at a time, and the last
//! partial block waits for the next write or for [`DirectFile::finish`], which writes it the
//! ordinary way. Where the system or the file system does not take `O_DIRECT` (or refuses a
//! write with it), the file is written the ordinary way from then on: same bytes, same file.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::path::Path;

/// The alignment `O_DIRECT` asks for: a page, which covers every block size in use.
const ALIGN: usize = 4096;

/// How much goes to the disk in one write.
const CHUNK: usize = 1 << 20;

/// The aligned buffer the bytes go through, one per writing thread (kept between files).
pub(super) struct Scratch {
    bytes: Vec<u8>,
    start: usize,
}

impl Scratch {
    pub fn new() -> Self {
        Scratch { bytes: Vec::new(), start: 0 }
    }

    /// A buffer one byte off the alignment, which `O_DIRECT` refuses: for the tests of the
    /// way back to ordinary writes.
    #[cfg(test)]
    fn misaligned() -> Self {
        let mut s = Scratch::new();
        s.chunk();
        s.start = s.start.saturating_add(1) % ALIGN;
        s
    }

    /// The aligned part, [`CHUNK`] bytes, allocated on first use.
    fn chunk(&mut self) -> &mut [u8] {
        if self.bytes.is_empty() {
            self.bytes = vec![0; CHUNK.saturating_add(ALIGN)];
            self.start = self.bytes.as_ptr().align_offset(ALIGN).min(ALIGN);
        }
        let end = self.start.saturating_add(CHUNK);
        self.bytes.get_mut(self.start..end).unwrap_or_default()
    }
}

/// A file written whole blocks at a time past the page cache.
pub(super) struct DirectFile {
    file: File,
    /// Bytes after the last whole block written, not yet written.
    carry: Vec<u8>,
    /// Whether the file is open with `O_DIRECT` (false once a write was refused with it).
    direct: bool,
}

impl DirectFile {
    /// Creates (or empties) the file at `path`.
    pub fn create(path: &Path) -> io::Result<Self> {
        let mut options = OpenOptions::new();
        options.write(true).create(true).truncate(true);
        match open_direct(&options, path) {
            Ok(file) => Ok(DirectFile { file, carry: Vec::with_capacity(ALIGN), direct: true }),
            Err(_) => Ok(DirectFile { file: options.open(path)?, carry: Vec::new(), direct: false }),
        }
    }

    /// Opens the file at `path`, `len` bytes long, to append to it. Its last partial block is
    /// read back and written again, whole, with the first bytes appended (the same bytes where
    /// they were: a reader sees them unchanged). Where `O_DIRECT` is not taken, the file is
    /// appended to the ordinary way.
    pub fn append(path: &Path, len: u64) -> io::Result<Self> {
        let mut options = OpenOptions::new();
        options.write(true);
        let partial = len % ALIGN as u64;
        let block_start = len - partial;
        let direct = open_direct(&options, path).and_then(|mut file| {
            let mut carry = vec![0; usize::try_from(partial).unwrap_or(0)];
            if !carry.is_empty() {
                let mut read = File::open(path)?;
                read.seek(io::SeekFrom::Start(block_start))?;
                read.read_exact(&mut carry)?;
            }
            carry.reserve(ALIGN);
            file.seek(io::SeekFrom::Start(block_start))?;
            Ok(DirectFile { file, carry, direct: true })
        });
        match direct {
            Ok(f) => Ok(f),
            Err(_) => {
                let mut file = options.open(path)?;
                file.seek(io::SeekFrom::Start(len))?;
                Ok(DirectFile { file, carry: Vec::new(), direct: false })
            }
        }
    }

    /// The file, to sync once [`finish`](DirectFile::finish) wrote its last bytes.
    pub fn into_file(self) -> File {
        self.file
    }

    /// Appends `bytes`: the whole blocks now, the rest with the next write or [`finish`].
    ///
    /// [`finish`]: DirectFile::finish
    pub fn write(&mut self, bytes: &[u8], scratch: &mut Scratch) -> io::Result<()> {
        if !self.direct {
            return self.file.write_all(bytes);
        }
        let total = self.carry.len().saturating_add(bytes.len());
        let whole = total - total % ALIGN;
        if whole == 0 {
            self.carry.extend_from_slice(bytes);
            return Ok(());
        }
        let mut done = 0usize;
        while done < whole {
            let n = (whole - done).min(CHUNK);
            let chunk = scratch.chunk();
            let Some(out) = chunk.get_mut(..n) else {
                return Err(io::Error::other("the aligned buffer is smaller than a chunk"));
            };
            copy_joined(&self.carry, bytes, done, out);
            if let Err(e) = write_direct(&mut self.file, out) {
                // Refused with O_DIRECT: the rest (this chunk included) goes the ordinary way.
                self.buffered(e)?;
                let mut rest = vec![0; total - done];
                copy_joined(&self.carry, bytes, done, &mut rest);
                self.carry.clear();
                return self.file.write_all(&rest);
            }
            done = done.saturating_add(n);
        }
        // The carry (less than a block) was within the first block written: the rest is
        // all from `bytes`.
        let from = whole.saturating_sub(self.carry.len());
        self.carry.clear();
        self.carry.extend_from_slice(bytes.get(from..).unwrap_or_default());
        Ok(())
    }

    /// Writes the last partial block, the ordinary way: the file holds every byte given.
    pub fn finish(&mut self) -> io::Result<()> {
        if self.carry.is_empty() {
            return Ok(());
        }
        if self.direct {
            self.buffered(io::Error::other("the last partial block"))?;
        }
        let carry = std::mem::take(&mut self.carry);
        self.file.write_all(&carry)
    }

    /// Goes on without `O_DIRECT`; `why` is given back if that cannot be done.
    fn buffered(&mut self, why: io::Error) -> io::Result<()> {
        if self.direct {
            clear_direct(&self.file).map_err(|_| why)?;
            self.direct = false;
        }
        Ok(())
    }
}

/// Copies bytes `from..from + out.len()` of `a` followed by `b` into `out` (the range lies
/// within them).
fn copy_joined(a: &[u8], b: &[u8], from: usize, out: &mut [u8]) {
    let mut at = 0usize;
    if let Some(head) = a.get(from..) {
        let n = head.len().min(out.len());
        if let (Some(o), Some(h)) = (out.get_mut(..n), head.get(..n)) {
            o.copy_from_slice(h);
        }
        at = n;
    }
    let b_from = from.saturating_sub(a.len());
    let want = out.len().saturating_sub(at);
    if let (Some(o), Some(t)) = (out.get_mut(at..), b.get(b_from..b_from.saturating_add(want))) {
        o.copy_from_slice(t);
    }
}

/// Writes all of `block` (a whole number of aligned blocks) with `O_DIRECT`. A short write that
/// leaves the file's offset off the alignment is an error: the caller goes on without it.
fn write_direct(file: &mut File, block: &[u8]) -> io::Result<()> {
    let mut rest = block;
    while !rest.is_empty() {
        match file.write(rest) {
            Ok(0) => return Err(io::Error::from(io::ErrorKind::WriteZero)),
            Ok(n) if n % ALIGN != 0 && n < rest.len() => {
                return Err(io::Error::other("a short write off the block alignment"));
            }
            Ok(n) => rest = rest.get(n..).unwrap_or_default(),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(target_os = "linux")]
fn open_direct(options: &OpenOptions, path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    options.clone().custom_flags(libc::O_DIRECT).open(path)
}

#[cfg(not(target_os = "linux"))]
fn open_direct(_: &OpenOptions, _: &Path) -> io::Result<File> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

#[cfg(target_os = "linux")]
fn clear_direct(file: &File) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor this File owns, with integer arguments only.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above.
    if unsafe { libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_DIRECT) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn clear_direct(_: &File) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
#[path = "direct_tests.rs"]
mod tests;
