//! File-system primitives: paths, change stamps, locks, durable writes, backups.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::error::StoreError;

pub(crate) const SNAPSHOT: &str = "tenant.json";
#[cfg(test)]
pub(crate) const SNAPSHOT_TMP: &str = "tenant.json.tmp";
pub(crate) const JOURNAL: &str = "journal.jsonl";
pub(crate) const CACHE: &str = "tenant.cache";
pub(crate) const LOCK: &str = "entitle.lock";

/// The paths of the files in one store directory.
#[derive(Debug, Clone)]
pub(crate) struct Paths {
    pub dir: PathBuf,
    pub snapshot: PathBuf,
    pub journal: PathBuf,
    pub lock: PathBuf,
    /// The derived binary copy of the state (see `cache.rs`).
    pub cache: PathBuf,
}

impl Paths {
    pub fn new(dir: &Path) -> Self {
        Paths {
            dir: dir.to_owned(),
            snapshot: dir.join(SNAPSHOT),
            journal: dir.join(JOURNAL),
            lock: dir.join(LOCK),
            cache: dir.join(CACHE),
        }
    }
}

/// What `stat` says about a file: enough to notice, without reading it, that it changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    pub len: u64,
    modified: Option<SystemTime>,
    /// (device, inode) on Unix: tells a replaced file from one changed in place.
    id: (u64, u64),
}

impl Stamp {
    pub fn of(meta: &fs::Metadata) -> Self {
        Stamp { len: meta.len(), modified: meta.modified().ok(), id: file_id(meta) }
    }

    /// Whether `self` and `other` are the same file (same inode), as far as the platform tells.
    pub fn same_file(&self, other: &Stamp) -> bool {
        self.id == other.id
    }
}

#[cfg(unix)]
fn file_id(meta: &fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn file_id(_meta: &fs::Metadata) -> (u64, u64) {
    (0, 0)
}

/// The stamp of `path`, or `None` if there is no such file. Refuses with
/// [`StoreError::NotAFile`] anything that is not a regular file (or a symbolic link to one),
/// including a dangling symbolic link, which must not pass for "no data".
pub(crate) fn stat(path: &Path) -> Result<Option<Stamp>, StoreError> {
    // Another process may remove and recreate the file between two looks (a compaction empties
    // the journal): a path that is gone, then there and no link, is looked at again.
    for _ in 0..8 {
        match fs::metadata(path) {
            Ok(meta) => {
                check_regular(path, &meta)?;
                return Ok(Some(Stamp::of(&meta)));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => match fs::symlink_metadata(path) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    let what = match fs::read_link(path) {
                        Ok(target) => format!("a symbolic link to {}, which does not exist", target.display()),
                        Err(_) => "a symbolic link to nothing".to_owned(),
                    };
                    return Err(StoreError::NotAFile { path: path.to_owned(), what });
                }
                Ok(_) => continue,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(StoreError::io(path, "look at the file", e)),
            },
            Err(e) => return Err(StoreError::io(path, "look at the file", e)),
        }
    }
    Err(StoreError::io(path, "look at the file", io::Error::other("it keeps appearing and disappearing")))
}

pub(crate) fn exists(path: &Path) -> Result<bool, StoreError> {
    Ok(stat(path)?.is_some())
}

/// Refuses `meta` (of `path`, links followed) unless it is a regular file, naming what it is.
pub(crate) fn check_regular(path: &Path, meta: &fs::Metadata) -> Result<(), StoreError> {
    if meta.is_file() {
        return Ok(());
    }
    let mut what = kind_of(&meta.file_type()).to_owned();
    if let Ok(target) = fs::read_link(path) {
        what = format!("a symbolic link to {} ({what})", target.display());
    }
    Err(StoreError::NotAFile { path: path.to_owned(), what })
}

fn kind_of(t: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() { "a directory" } else { "not a regular file" }
}

/// Reads `path` from byte `offset` to its end, with the stamp of the file read.
/// `None` if there is no such file.
pub(crate) fn read_from(path: &Path, offset: u64) -> Result<Option<(Vec<u8>, Stamp)>, StoreError> {
    // Looked at before opening: opening a FIFO for reading would wait for a writer.
    if stat(path)?.is_none() {
        return Ok(None);
    }
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::io(path, "open the file", e)),
    };
    let meta = file.metadata().map_err(|e| StoreError::io(path, "look at the file", e))?;
    check_regular(path, &meta)?;
    let mut bytes = Vec::with_capacity(meta.len().saturating_sub(offset) as usize);
    if offset > 0 {
        file.seek(SeekFrom::Start(offset)).map_err(|e| StoreError::io(path, "seek in the file", e))?;
    }
    file.read_to_end(&mut bytes).map_err(|e| StoreError::io(path, "read the file", e))?;
    Ok(Some((bytes, Stamp::of(&meta))))
}

/// The first line of `file` with its `\n`, reading at most `max` bytes (a longer line comes
/// back cut, without one).
pub(crate) fn first_line(file: File, max: u64) -> io::Result<Vec<u8>> {
    use std::io::{BufRead, BufReader};
    let mut line = Vec::new();
    BufReader::new(file.take(max)).read_until(b'\n', &mut line)?;
    Ok(line)
}

/// Writes `bytes` beside `target`, syncs it, renames it over `target` and syncs the directory,
/// so the new file is durable when this returns. Returns the stamp of the new file.
///
/// When `target` is a symbolic link, the link stays: the file it points to is replaced, by a
/// rename in that file's own directory.
pub(crate) fn replace_file(target: &Path, bytes: &[u8]) -> Result<Stamp, StoreError> {
    write_beside(target, bytes)?.rename_into_place(target)
}

/// A new version of a file, written and synced beside it (`<real file>.tmp-<pid>-<n>`), not
/// yet in place: [`Written::rename_into_place`] or [`Written::discard`].
#[must_use]
pub(crate) struct Written {
    tmp: PathBuf,
    real: PathBuf,
    stamp: Stamp,
}

/// Tells apart the temporary files of one process's writes.
static TEMPORARIES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The first half of [`replace_file`]: needs no lock, as each write has a file of its own.
pub(crate) fn write_beside(target: &Path, bytes: &[u8]) -> Result<Written, StoreError> {
    write_beside_with(target, |out, tmp| out.write_all(bytes).map_err(|e| StoreError::io(tmp, "write the file", e)))
}

/// [`write_beside`], the bytes written by `fill` as it makes them (given the temporary's
/// path for its errors), so that a big file is never held whole in memory. The file is handed
/// to the disk as it grows (see [`super::writeback`]), and synced before this returns.
pub(crate) fn write_beside_with(
    target: &Path,
    fill: impl FnOnce(&mut dyn Write, &Path) -> Result<(), StoreError>,
) -> Result<Written, StoreError> {
    let is_link = fs::symlink_metadata(target).is_ok_and(|m| m.file_type().is_symlink());
    let real = if is_link {
        fs::canonicalize(target).map_err(|e| StoreError::io(target, "follow the symbolic link", e))?
    } else {
        target.to_owned()
    };
    let n = TEMPORARIES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = suffixed(&real, &format!(".tmp-{}-{n}", std::process::id()));
    let written = (|| {
        let file = File::create(&tmp).map_err(|e| StoreError::io(&tmp, "create the file", e))?;
        let mut out = io::BufWriter::with_capacity(1 << 20, super::writeback::Paced::new(file));
        fill(&mut out, &tmp)?;
        let file = out
            .into_inner()
            .map_err(|e| StoreError::io(&tmp, "write the file", e.into_error()))?
            .finish()
            .map_err(|e| StoreError::io(&tmp, "sync the file to disk", e))?;
        file.metadata().map_err(|e| StoreError::io(&tmp, "look at the file", e))
    })();
    match written {
        Ok(meta) => Ok(Written { tmp, real, stamp: Stamp::of(&meta) }),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

impl Written {
    /// Renames the new version over the file and syncs the directory.
    pub fn rename_into_place(self, target: &Path) -> Result<Stamp, StoreError> {
        if let Err(e) = fs::rename(&self.tmp, &self.real) {
            let _ = fs::remove_file(&self.tmp);
            return Err(StoreError::io(target, "rename the new file into place", e));
        }
        sync_dir(self.real.parent().unwrap_or(Path::new(".")))?;
        Ok(self.stamp)
    }

    /// [`Written::rename_into_place`], keeping the replaced file under another name
    /// (`<file>.old-<pid>-<n>`, returned) for the caller to remove later: removing a big file
    /// frees its blocks, which can take a good part of a second, better spent outside a lock.
    pub fn rename_keeping_old(self, target: &Path) -> Result<(Stamp, Option<PathBuf>), StoreError> {
        let n = TEMPORARIES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let old = suffixed(&self.real, &format!(".old-{}-{n}", std::process::id()));
        let kept = fs::hard_link(&self.real, &old).is_ok().then_some(old);
        match self.rename_into_place(target) {
            Ok(stamp) => Ok((stamp, kept)),
            Err(e) => {
                if let Some(old) = kept {
                    let _ = fs::remove_file(old);
                }
                Err(e)
            }
        }
    }

    /// Drops the new version.
    pub fn discard(self) {
        let _ = fs::remove_file(&self.tmp);
    }
}

/// Removes the temporary files beside `target` (new versions being written, old ones waiting
/// to be removed) left by processes that died meanwhile (on systems with `/proc`; elsewhere they stay, and are never read).
pub(crate) fn remove_stale_temporaries(target: &Path) {
    let proc_fs = Path::new("/proc/self");
    if !proc_fs.exists() {
        return;
    }
    let real = fs::canonicalize(target).unwrap_or_else(|_| target.to_owned());
    let (Some(dir), Some(name)) = (real.parent(), real.file_name().and_then(|n| n.to_str())) else { return };
    // An older entitle wrote `<name>.tmp`.
    let _ = fs::remove_file(dir.join(format!("{name}.tmp")));
    let prefixes = [format!("{name}.tmp-"), format!("{name}.old-")];
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(pid) = file
            .to_str()
            .and_then(|f| prefixes.iter().find_map(|p| f.strip_prefix(p.as_str())))
            .and_then(|rest| rest.split('-').next())
        else {
            continue;
        };
        let alive = pid.parse::<u32>().is_ok_and(|p| Path::new("/proc").join(p.to_string()).exists());
        if !alive {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// `path` with `suffix` appended to its file name.
pub(crate) fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Makes renames and creations in `dir` durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        File::open(dir).and_then(|d| d.sync_all()).map_err(|e| StoreError::io(dir, "sync the directory to disk", e))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Appends one line at byte `at` of the journal, first cutting away whatever follows `at`
/// (a torn write, or stale lines when `at` is 0), then syncs the data.
/// Returns the stamp of the journal afterwards. On failure, tries to cut the partial line away.
pub(crate) fn append_at(path: &Path, at: u64, line: &[u8]) -> Result<Stamp, StoreError> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| StoreError::io(path, "open the journal", e))?;
    let result = (|| {
        let len = file.metadata().map_err(|e| StoreError::io(path, "look at the journal", e))?.len();
        if len != at {
            file.set_len(at).map_err(|e| StoreError::io(path, "cut a torn write from the journal", e))?;
        }
        file.seek(SeekFrom::Start(at)).map_err(|e| StoreError::io(path, "seek in the journal", e))?;
        file.write_all(line).map_err(|e| StoreError::io(path, "append to the journal", e))?;
        file.sync_data().map_err(|e| StoreError::io(path, "sync the journal to disk", e))?;
        file.metadata().map_err(|e| StoreError::io(path, "look at the journal", e))
    })();
    match result {
        Ok(meta) => Ok(Stamp::of(&meta)),
        Err(e) => {
            let _ = file.set_len(at).and_then(|()| file.sync_data());
            Err(e)
        }
    }
}

/// Empties the journal, if there is one. Returns its stamp afterwards.
pub(crate) fn empty_journal(path: &Path) -> Result<Option<Stamp>, StoreError> {
    let file = match OpenOptions::new().write(true).open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::io(path, "open the journal", e)),
    };
    file.set_len(0).and_then(|()| file.sync_all()).map_err(|e| StoreError::io(path, "empty the journal", e))?;
    let meta = file.metadata().map_err(|e| StoreError::io(path, "look at the journal", e))?;
    Ok(Some(Stamp::of(&meta)))
}

/// `<file>.bak-<n>` for the smallest `n` for which none of `files` has a backup yet,
/// so that backups made together share their number.
pub(crate) fn backup_names(files: &[&Path]) -> Result<Vec<PathBuf>, StoreError> {
    free_names(files, "bak")
}

/// `<file>.<kind>-<n>` for the smallest `n` free for every one of `files`.
fn free_names(files: &[&Path], kind: &str) -> Result<Vec<PathBuf>, StoreError> {
    for n in 1..=u32::MAX {
        let names: Vec<PathBuf> = files.iter().map(|f| suffixed(f, &format!(".{kind}-{n}"))).collect();
        let mut taken = false;
        for name in &names {
            taken |= fs::symlink_metadata(name).is_ok();
        }
        if !taken {
            return Ok(names);
        }
    }
    Err(StoreError::io(
        files.first().copied().unwrap_or(Path::new(".")),
        "find a free backup name",
        io::Error::other(format!("every .{kind}-<n> name is taken")),
    ))
}

/// Keeps the bytes of `path` from `at` to its end in `<path>.torn-<n>` (synced), before they
/// are cut away. Returns that file and how many bytes it holds; `None` if nothing follows `at`.
pub(crate) fn keep_tail(path: &Path, at: u64) -> Result<Option<(PathBuf, u64)>, StoreError> {
    let Some((bytes, _)) = read_from(path, at)? else {
        return Ok(None);
    };
    if bytes.is_empty() {
        return Ok(None);
    }
    let names = free_names(&[path], "torn")?;
    let Some(name) = names.into_iter().next() else {
        return Ok(None);
    };
    let write = || -> io::Result<()> {
        let mut file = OpenOptions::new().write(true).create_new(true).open(&name)?;
        file.write_all(&bytes)?;
        file.sync_all()
    };
    write().map_err(|e| StoreError::io(&name, "keep the unfinished write aside", e))?;
    Ok(Some((name, bytes.len() as u64)))
}

/// Keeps a synced copy of `file` (its target, if it is a symbolic link) at `backup`. A copy,
/// not a hard link: the journal is emptied in place by compaction, which would empty a link too.
pub(crate) fn keep_backup(file: &Path, backup: &Path) -> Result<(), StoreError> {
    fs::copy(file, backup)
        .and_then(|_| File::open(backup)?.sync_all())
        .map_err(|e| StoreError::io(backup, "keep a copy of the old file", e))
}

/// How much of a file [`shrink_away`] frees at a time, and the pause after each slice.
const SHRINK_STEP: u64 = 16 << 20;
const SHRINK_PAUSE: std::time::Duration = std::time::Duration::from_millis(2);

/// Removes a big file that no process maps (a replaced snapshot: the snapshot is read, never
/// mapped), freeing it a slice at a time from its end before the unlink. Freed at once, the
/// blocks of a 450 MB file enter one transaction of the file system's journal, and a commit's
/// `fdatasync` that meets it waited 53 to 74 ms for it (measured with `strace` at a million
/// assignments, where the unlink itself took 104 ms); freed a slice at a time with a pause
/// between, each commit meets at most a slice. A process reading the file meanwhile (an open
/// that began before the snapshot was replaced) reads it short, fails to parse, and reads
/// again, as it does after any change under it.
pub(crate) fn shrink_away(path: &Path) {
    if let Ok(file) = OpenOptions::new().write(true).open(path)
        && let Ok(len) = file.metadata().map(|m| m.len())
    {
        let mut left = len;
        while left > SHRINK_STEP {
            left = left.saturating_sub(SHRINK_STEP);
            if file.set_len(left).is_err() {
                break;
            }
            std::thread::sleep(SHRINK_PAUSE);
        }
    }
    let _ = fs::remove_file(path);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_cuts_torn_tail_and_backups_share_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join(JOURNAL);
        fs::write(&journal, b"{\"seq\":1}\n{\"seq\":2,\"ent").unwrap();
        append_at(&journal, 10, b"{\"seq\":2}\n").unwrap();
        assert_eq!(fs::read(&journal).unwrap(), b"{\"seq\":1}\n{\"seq\":2}\n");

        let snapshot = dir.path().join(SNAPSHOT);
        fs::write(dir.path().join("journal.jsonl.bak-1"), b"").unwrap();
        let names = backup_names(&[&snapshot, &journal]).unwrap();
        assert_eq!(names[0], dir.path().join("tenant.json.bak-2"));
        assert_eq!(names[1], dir.path().join("journal.jsonl.bak-2"));
    }

    #[test]
    fn stamps_notice_replacement() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join(SNAPSHOT);
        let tmp = dir.path().join(SNAPSHOT_TMP);
        let first = replace_file(&target, b"one").unwrap();
        assert_eq!(stat(&target).unwrap(), Some(first));
        let second = replace_file(&target, b"two").unwrap();
        assert_ne!(first, second);
        assert!(!exists(&tmp).unwrap());
        assert_eq!(stat(&dir.path().join("nothing")).unwrap(), None);
    }
}
