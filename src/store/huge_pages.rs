//! How the heap is set up as the program starts: freed memory kept for the next allocation
//! ([`keep_freed_memory`]), and on request in transparent huge pages ([`use_huge_pages`]: a
//! compaction in the background forks, see `background`, and a `fork` copies a page table
//! entry per page of the process).

/// The malloc setting that backs the heap with transparent huge pages where the system gives
/// them only on request (`madvise` mode).
#[cfg(target_os = "linux")]
const HUGE_HEAP: &str = "glibc.malloc.hugetlb=1";

/// Makes this process's heap use transparent huge pages when `ENTITLE_HUGE_PAGES` is set, so
/// that a `fork` (a compaction in the background, see the module docs) stays cheap however big
/// the state: `fork` copies the page tables of every private page, and with 4 KiB pages a heap
/// of a million-assignment tenant (about 1 GB) is a quarter of a million entries (55 to 105 ms
/// measured on the 2-core machine, during which the committing process is stalled), with 2 MiB
/// pages five hundred (about 1 ms). Not the default: on the loaded 2-core machine it doubled the
/// system time of an open at 1M (the kernel compacts memory to find each huge page as it is
/// first touched), 1 s more for every process against tens of milliseconds for the one commit
/// in two thousand that compacts. glibc reads the setting only as the process starts
/// (`GLIBC_TUNABLES`), so this re-runs the program once with it, with the same arguments; call
/// it first in `main`. Nothing when the setting is there already, when the system gives huge
/// pages to everyone or to no one (`/sys/kernel/mm/transparent_hugepage/enabled`), or on other
/// systems. If the program cannot be re-run, it goes on as it is.
pub fn use_huge_pages() {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        let tunables = std::env::var("GLIBC_TUNABLES").unwrap_or_default();
        if tunables.contains("glibc.malloc.hugetlb") || std::env::var_os("ENTITLE_HUGE_PAGES").is_none() {
            return;
        }
        let mode = std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled").unwrap_or_default();
        if !mode.contains("[madvise]") {
            return;
        }
        let value = if tunables.is_empty() { HUGE_HEAP.to_owned() } else { format!("{tunables}:{HUGE_HEAP}") };
        let mut args = std::env::args_os();
        let mut again = std::process::Command::new("/proc/self/exe");
        if let Some(zero) = args.next() {
            again.arg0(zero);
        }
        // Only returns if the program could not be started again.
        let _ = again.args(args).env("GLIBC_TUNABLES", value).exec();
    }
}

/// Below this size an allocation comes from the heap, above it from a mapping of its own that
/// is handed back to the system when it is freed (glibc's default starts at 128 KiB and grows
/// to at most 32 MiB as large blocks are freed).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const OWN_MAPPING_FROM: libc::c_int = 64 << 20;

/// How much free memory the top of the heap keeps before it is handed back (glibc's default:
/// 128 KiB, moved up with the threshold above).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const KEEP_FREE: libc::c_int = 256 << 20;

/// Keeps freed memory in the heap for the next allocation instead of handing it back to the
/// system at once: an open and a clock jump allocate and free hundreds of megabytes of
/// buffers, and every page handed back and asked for again costs a page fault (on the 2-core
/// machine, a virtual machine where a fresh page is slow, a year's jump at 1M assignments made
/// 335,000 to 343,000 faults with glibc's defaults and 291,000 to 295,000 with these; its wall
/// time 4.9 to 5.3 s against 3.9 s). The memory kept is at most [`KEEP_FREE`] more than what
/// is in use. Call it first in `main`; nothing on other systems or other C libraries.
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets two of the allocator's numbers; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, OWN_MAPPING_FROM);
        libc::mallopt(libc::M_TRIM_THRESHOLD, KEEP_FREE);
    }
}
