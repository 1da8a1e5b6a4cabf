//! The benchmark's table, in markdown, in the shape of issue 7's.

use std::fmt::Write;
use std::time::Duration;

use super::measure::{COMMITS, FRESH_BYTES, Figures, PROCESS_RUNS, Run, Table};

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 0.001 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.0} µs", s * 1e6)
    }
}

fn bytes(n: u64) -> String {
    // Display only: the precision of f64 is plenty for a size in a table.
    let n = n as f64;
    if n >= 1e9 {
        format!("{:.2} GB", n / 1e9)
    } else if n >= 1e6 {
        format!("{:.1} MB", n / 1e6)
    } else {
        format!("{:.1} kB", n / 1e3)
    }
}

fn mib(kib: u64) -> String {
    if kib >= 1024 * 1024 {
        format!("{:.2} GiB", kib as f64 / (1024.0 * 1024.0))
    } else {
        format!("{:.0} MiB", kib as f64 / 1024.0)
    }
}

fn run(r: &Run) -> String {
    let spread = match r.range {
        Some((low, high)) => format!(" (median of {PROCESS_RUNS}: {} to {})", secs(low), secs(high)),
        None => String::new(),
    };
    format!("{} ({} CPU, {} system), peak {}{spread}", secs(r.time), secs(r.cpu), secs(r.sys), mib(r.peak_kib))
}

/// A median with its range.
fn touched((m, low, high): (Duration, Duration, Duration)) -> String {
    format!("{} ({} to {})", secs(m), secs(low), secs(high))
}

/// A figure's ratio to its reference, the fresh decode (target <= 1.3x).
fn ratio(took: Duration, reference: Duration) -> String {
    let r = took.as_secs_f64() / reference.as_secs_f64().max(1e-9);
    format!("{r:.2}x the fresh decode")
}

fn size(f: &Figures) -> String {
    let top: Vec<String> = f.parts.iter().take(6).map(|(k, n)| format!("{k} {}", bytes(*n))).collect();
    format!("{} ({})", bytes(f.snapshot_bytes), top.join(", "))
}

fn waits((longest, n): (std::time::Duration, usize)) -> String {
    format!("{} ({n} commits)", secs(longest))
}

fn forked((took, rss_kib, huge_kib): (std::time::Duration, u64, u64)) -> String {
    format!("{} (at {} MiB resident, {} MiB in huge pages)", secs(took), rss_kib / 1024, huge_kib / 1024)
}

/// The markdown table: each figure for the scale tenant beside the demo's, references included.
pub fn render(t: &Table) -> String {
    let (s, d) = (&t.scale, &t.demo);
    let rows: Vec<(String, String, String)> = vec![
        ("snapshot on disk (largest parts)".into(), size(s), size(d)),
        (
            "history on disk (audit log, mailboxes: read when asked for)".into(),
            bytes(s.history_bytes),
            bytes(d.history_bytes),
        ),
        (
            "reference: bare typed parse of the snapshot bytes (in process)".into(),
            secs(s.bare_parse),
            secs(d.bare_parse),
        ),
        ("derived binary cache on disk (`tenant.cache`)".into(), bytes(s.cache_bytes), bytes(d.cache_bytes)),
        (
            "reference: bare decode of the cache's bytes (in this process, after its parse; both cores, indexes included)"
                .into(),
            secs(s.bare_decode),
            secs(d.bare_decode),
        ),
        (
            format!(
                "reference: the same decode in a fresh process, as a command meets it, each run beside a read (median of {PROCESS_RUNS})"
            ),
            secs(s.bare_decode_fresh),
            secs(d.bare_decode_fresh),
        ),
        (
            "any CLI read (`clock show`), whole process, through the cache".into(),
            format!("{}; {}", run(&s.read), ratio(s.read.time, s.bare_decode_fresh)),
            format!("{}; {}", run(&d.read), ratio(d.read.time, d.bare_decode_fresh)),
        ),
        (
            format!(
                "reference: {} MiB of fresh memory touched by the benchmark before each year (median of {PROCESS_RUNS})",
                FRESH_BYTES >> 20
            ),
            touched(s.fresh_memory),
            touched(d.fresh_memory),
        ),
        ("clock advance 365d, whole process".into(), run(&s.year), run(&d.year)),
        (
            "its compaction, in the background, in place after the command returned".into(),
            secs(s.year_compacted),
            secs(d.year_compacted),
        ),
        ("any read after that advance (`clock show`)".into(), run(&s.read_after_year), run(&d.read_after_year)),
        (
            format!("one commit through the store API incl. fsync (median of {COMMITS})"),
            format!("{} ({} B line)", secs(s.commit_median), s.commit_line_bytes),
            format!("{} ({} B line)", secs(d.commit_median), d.commit_line_bytes),
        ),
        (
            format!("reference: bare append+fsync of a line of that size (median of {COMMITS})"),
            secs(s.bare_append_median),
            secs(d.bare_append_median),
        ),
        (
            "longest commit of a process while another handle compacts (target <= 50 ms)".into(),
            waits(s.commit_during_compaction),
            waits(d.commit_during_compaction),
        ),
        (
            "the compacting process's own commit, which starts it (a `fork`; target <= 50 ms)".into(),
            forked(s.compacting_commit),
            forked(d.compacting_commit),
        ),
        (
            "longest commit of a process while another handle opens the store (target <= 50 ms)".into(),
            waits(s.commit_during_open),
            waits(d.commit_during_open),
        ),
    ];
    let mut out = String::new();
    // `entitle gen` says "Generated the scale tenant in DIR: what it holds".
    let generated = t.generated.trim();
    let what = generated.split_once(": ").map_or(generated, |(_, what)| what);
    let _ = writeln!(out, "scale tenant: {what}");
    match &t.generate {
        Some(g) => {
            let _ = writeln!(
                out,
                "generated by `entitle gen` in {} (through Tenant::apply, saved with Store::create)",
                run(g)
            );
        }
        None => {
            let _ = writeln!(out, "reused the generated directory from the cache");
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "| figure | {} assignments | demo tenant |", t.params.assignments);
    let _ = writeln!(out, "|---|---|---|");
    for (name, a, b) in rows {
        let _ = writeln!(out, "| {name} | {a} | {b} |");
    }
    out
}
