//! The heap in transparent huge pages, on request: a compaction in the background forks (see
//! `background`), and a `fork` copies a page table entry per page of the process.

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
