//! A big file written so that the disk keeps up with it: every [`STEP`] bytes, the range just
//! written is handed to the disk (`sync_file_range`, which starts writing it back and returns),
//! and the range before it is waited for. So at most two steps of the file are ever waiting to
//! be written, and no sync of the file system's journal is needed on the way.
//!
//! Why: on ext4 (ordered mode) a commit's `fdatasync` of the journal commits the file system's
//! journal, which first writes out the data of every block allocated since the last one, the
//! snapshot being written included. Syncing the snapshot itself every few megabytes (as before)
//! kept that short, but each of those syncs commits the file system's journal too, and a
//! commit that arrives meanwhile waits for it; writing back without syncing does neither.
//! Elsewhere than on Linux the file is synced every step instead.

use std::fs::File;
use std::io::{self, Write};

/// How much of a new file is written between two hand-overs to the disk.
const STEP: u64 = 8 << 20;

/// A file being written, handed to the disk every [`STEP`] bytes.
pub(crate) struct Paced {
    file: File,
    /// Bytes written so far.
    pos: u64,
    /// Where the range not yet handed to the disk starts.
    handed: u64,
    /// The range handed over last, not yet waited for.
    pending: Option<(u64, u64)>,
}

impl Paced {
    pub fn new(file: File) -> Self {
        Paced { file, pos: 0, handed: 0, pending: None }
    }

    /// Syncs the whole file (data and size): durable when this returns.
    pub fn finish(self) -> io::Result<File> {
        self.file.sync_all()?;
        Ok(self.file)
    }

    #[cfg(target_os = "linux")]
    fn hand_over(&mut self) -> io::Result<()> {
        use std::os::fd::AsRawFd;
        let fd = self.file.as_raw_fd();
        let range = |from: u64, len: u64| {
            (libc::off64_t::try_from(from).unwrap_or(0), libc::off64_t::try_from(len).unwrap_or(0))
        };
        let (from, len) = range(self.handed, self.pos.saturating_sub(self.handed));
        // SAFETY: sync_file_range only reads this process's open descriptor; no memory is passed.
        if unsafe { libc::sync_file_range(fd, from, len, libc::SYNC_FILE_RANGE_WRITE) } != 0 {
            return Err(io::Error::last_os_error());
        }
        if let Some((from, len)) = self.pending.take() {
            let (from, len) = range(from, len);
            let all =
                libc::SYNC_FILE_RANGE_WAIT_BEFORE | libc::SYNC_FILE_RANGE_WRITE | libc::SYNC_FILE_RANGE_WAIT_AFTER;
            // SAFETY: as above.
            if unsafe { libc::sync_file_range(fd, from, len, all) } != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        self.pending = Some((self.handed, self.pos.saturating_sub(self.handed)));
        self.handed = self.pos;
        Ok(())
    }

    #[cfg(not(target_os = "linux"))]
    fn hand_over(&mut self) -> io::Result<()> {
        self.file.sync_data()?;
        self.handed = self.pos;
        Ok(())
    }
}

impl Write for Paced {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.pos = self.pos.saturating_add(n as u64);
        if self.pos.saturating_sub(self.handed) >= STEP {
            self.hand_over()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}
