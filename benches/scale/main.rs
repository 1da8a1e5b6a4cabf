//! The scale benchmark: `cargo bench --bench scale [-- SIZE [SEED]]`, SIZE being `smoke`
//! (the default), `full` (1,000,000 assignments) or a number of assignments. A third argument
//! `ui` measures only the terminal app's rows (on the cached tenant of that size), `first` only its
//! open to first frame (three times each, as the administrator and as a plain user), `requests`
//! only My Access > Requests opened as the administrator (three times; on the data directory
//! given as a fourth argument, if any), `export` only what the app's ctrl-e costs on each admin
//! tab with 100,000 users (`export.rs`).
//!
//! It generates the scale tenant with `entitle gen` into `target/scale-bench/cache/` (reused by
//! later runs of the same size and seed until the `entitle` binary is rebuilt), sets up the demo
//! tenant, measures both on fresh copies under `target/scale-bench/work/`, and prints issue 7's
//! table. See `measure.rs` for how each figure is taken. Then a second table, the terminal app's
//! (`ui.rs`): key press to frame with 100,000 users in the Directory, and open to first frame as a
//! plain user and as the administrator. At full size it needs about 10 GB of memory and a few
//! minutes; CI runs the smoke size through `cargo test --test scale_bench --test ui_scale_bench`.

mod export;
mod measure;
mod table;
mod ui;
mod waits;

use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};
use entitle::scale::{DEFAULT_SEED, SMOKE, Scale, ScaleParams};

fn main() -> Result<()> {
    entitle::store::use_huge_pages();
    entitle::store::keep_freed_memory();
    if measure::decode_role()? || waits::role()? {
        return Ok(());
    }
    // cargo passes `--bench`; anything else starting with `-` is ignored too.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let size = match args.first() {
        Some(s) => s.parse::<Scale>().map_err(|e| anyhow!(e))?.0,
        None => SMOKE,
    };
    let seed = match args.get(1) {
        Some(s) => s.parse::<u64>().map_err(|e| anyhow!("seed '{s}': {e}"))?,
        None => DEFAULT_SEED,
    };
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    let root = target.join("scale-bench");
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_entitle"));
    let params = ScaleParams::for_assignments(size).with_seed(seed);
    let ui_only = args.get(2).is_some_and(|a| a == "ui" || a == "first" || a == "requests");
    if args.get(2).is_some_and(|a| a == "export") {
        let data = ui::generated(&root, ui::key_params(params))?;
        print!("{}", export::export_costs(&data, &root.join("work").join("export"))?);
        return Ok(());
    }
    if args.get(2).is_some_and(|a| a == "waits") {
        // Only the commit waits, on the work copy the last whole run left.
        let work = root.join("work").join("scale");
        let w = waits::commit_waits(&work)?;
        let (c, o) = (w.during_compaction, w.during_open);
        println!("longest commit of a process while another compacts: {:?} ({} commits)", c.0, c.1);
        println!(
            "the compacting process's own commit (it forks): {:?} at {} MiB resident, {} MiB in huge pages",
            w.compacting_commit,
            w.compacting_rss_kib / 1024,
            w.compacting_huge_kib / 1024
        );
        println!("longest commit of a process while another opens: {:?} ({} commits)", o.0, o.1);
        return Ok(());
    }
    if !ui_only {
        let t = measure::table(&bin, &root, params)?;
        print!("{}", table::render(&t));
    }
    // After every whole process (a child's peak memory starts from this process's at the fork).
    let data = measure::data_dir(&root, params);
    if args.get(2).is_some_and(|a| a == "requests") {
        // On the cached tenant, or on the data directory named next.
        let at = args.get(3).map_or(data, PathBuf::from);
        if !at.join("tenant.json").exists() {
            bail!("no tenant in {}", at.display());
        }
        print!("{}", ui::requests_first_open(&at, 3)?);
        return Ok(());
    }
    if ui_only && !data.join("tenant.json").exists() {
        bail!("no cached tenant of that size in {}: run the whole benchmark first", data.display());
    }
    if args.get(2).is_some_and(|a| a == "first") {
        print!("{}", ui::first_frames(&data, params, 3)?);
        return Ok(());
    }
    let figures = ui::measure(&data, &root, params)?;
    println!();
    println!("| terminal app (TestBackend {}x{}) | measured | target |", ui::SIZE.0, ui::SIZE.1);
    println!("|---|---|---|");
    print!("{}", ui::rows(&figures));
    Ok(())
}
