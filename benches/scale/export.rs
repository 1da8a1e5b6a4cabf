//! What the app's `ctrl-e` costs at scale: `cargo bench --bench scale -- SIZE SEED export` opens
//! the app as the administrator on a tenant with 100,000 users (generated once, as the key
//! figures' is) and writes the main list of each admin tab to a CSV file, timing the key from
//! press to the status line's answer (the rows built from the data, the file written), with the
//! rows and the file's size. The files are removed afterwards.

use std::fs;
use std::path::Path;
use std::time::Instant;

use anyhow::{Result, anyhow};
use entitle::ui::Tab;

use super::ui::{draw, key, open_app, terminal};

/// The tabs timed, each on the list it opens on.
const TABS: [Tab; 6] = [Tab::Directory, Tab::Packages, Tab::Catalogs, Tab::Audit, Tab::Reports, Tab::MyAccess];

pub fn export_costs(data: &Path, out: &Path) -> Result<String> {
    let (mut app, _, _) = open_app(data, "user0@scale.example")?;
    fs::create_dir_all(out)?;
    app.ctx.export_dir = out.to_path_buf();
    let mut term = terminal()?;
    let mut text = String::from("| ctrl-e, as the administrator | rows | file | key to answer |\n|---|---|---|---|\n");
    for tab in TABS {
        app.switch_tab(tab);
        if app.current_tab() != tab {
            continue;
        }
        draw(&mut term, &mut app)?;
        let t0 = Instant::now();
        app.handle_key(key("ctrl-e")?);
        let took = t0.elapsed();
        let said = app.message().map(|m| m.text.clone()).ok_or_else(|| anyhow!("{tab}: no answer"))?;
        let path = said.rsplit(" to ").next().map(Path::new).filter(|p| p.exists());
        let bytes = path.and_then(|p| fs::metadata(p).ok()).map_or(0, |m| m.len());
        let rows = said.split_whitespace().nth(1).unwrap_or("?");
        text.push_str(&format!(
            "| {tab} | {rows} | {:.1} MB | {:.0} ms |\n",
            bytes as f64 / 1e6,
            took.as_secs_f64() * 1e3
        ));
        if let Some(p) = path {
            fs::remove_file(p)?;
        }
    }
    Ok(text)
}
