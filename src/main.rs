//! `entitle`: parse arguments, open the store, run the terminal app or a command.
//! (The full command line lands with the CLI; this opens the terminal app.)

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;

use entitle::session::{Opened, Session, data_dir, resolve_actor};

#[derive(Parser)]
#[command(name = "entitle", version, about = "Entitlement management with access packages, in a terminal")]
struct Args {
    /// Where the data lives (default: ENTITLE_DATA, else the user's data directory).
    #[arg(long, global = true)]
    data: Option<PathBuf>,
    /// Act as this user: a name, an email or an id; an email outside the directory acts as an external user.
    #[arg(long = "as", global = true)]
    as_user: Option<String>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = data_dir(args.data.as_deref())?;
    let (store, opened) = Session::open(&dir).with_context(|| format!("opening {}", dir.display()))?;
    let actor = resolve_actor(store.state(), args.as_user.as_deref())?;
    let notice = (opened == Opened::InstalledDemo)
        .then(|| format!("No data in {}: installed the demo tenant '{}'", dir.display(), store.state().display_name));
    entitle::ui::run::run_tui(Session::new(store, actor), &dir, notice)
}
