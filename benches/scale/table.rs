//! The benchmark's table, in markdown, in the shape of issue 7's.

use std::fmt::Write;
use std::time::Duration;

use super::measure::{COMMITS, Figures, Run, Table};

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
    format!("{}, peak {}", secs(r.time), mib(r.peak_kib))
}

fn size(f: &Figures) -> String {
    let top: Vec<String> = f.parts.iter().take(6).map(|(k, n)| format!("{k} {}", bytes(*n))).collect();
    format!("{} ({})", bytes(f.snapshot_bytes), top.join(", "))
}

/// The markdown table: each figure for the scale tenant beside the demo's, references included.
pub fn render(t: &Table) -> String {
    let (s, d) = (&t.scale, &t.demo);
    let rows: Vec<(String, String, String)> = vec![
        ("snapshot on disk (largest parts)".into(), size(s), size(d)),
        (
            "reference: bare typed parse of the snapshot bytes (in process)".into(),
            secs(s.bare_parse),
            secs(d.bare_parse),
        ),
        ("any CLI read (`clock show`), whole process".into(), run(&s.read), run(&d.read)),
        ("clock advance 365d, whole process".into(), run(&s.year), run(&d.year)),
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
    ];
    let mut out = String::new();
    let _ = writeln!(out, "scale tenant: {}", t.generated.trim());
    match t.generate_time {
        Some(g) => {
            let _ = writeln!(out, "generated in {} (build through Tenant::apply + Store::create)", secs(g));
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
