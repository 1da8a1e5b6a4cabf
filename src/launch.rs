//! What both front ends start from: the data directory found and opened (the demo installed when
//! there is none), the user signed in, and how a failure ends the process. `main` chooses the
//! front end: the terminal app with no command, the command line otherwise; neither calls into
//! the other.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;

use crate::domain::Actor;
use crate::domain::identity::SignIn;
use crate::session::{self, Opened, Session};
use crate::store::LockWait;

/// A mistake in how a command was typed (exit 2), found after clap parsed it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Usage(pub String);

pub fn usage(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Usage(msg.into()))
}

/// Where the data is and how long to wait for its lock, from the global flags.
pub fn location(data: Option<&Path>, lock_timeout: Option<&str>) -> Result<(PathBuf, LockWait)> {
    let dir = session::data_dir(data)?;
    let timeout = session::lock_timeout(lock_timeout).map_err(|e| usage(e.to_string()))?;
    Ok((dir, LockWait::new(timeout)))
}

/// The data opened and the user signed in.
pub struct Started {
    pub dir: PathBuf,
    pub session: Session,
    /// "installed the demo tenant", when that happened.
    pub notice: Option<String>,
    /// Why `--as` was not given and nobody could be signed in (only matters to commands that
    /// act or read as someone).
    pub actor_err: Option<String>,
}

/// Opens the data in `dir` and signs in as `as_user` (or the default user of the mode).
/// An external sign-in may carry the `tenant` id it comes from.
pub fn start(dir: PathBuf, wait: LockWait, as_user: Option<&str>, tenant: Option<&str>) -> Result<Started> {
    let (store, opened) = Session::open(&dir, wait)?;
    let notice = (opened == Opened::InstalledDemo)
        .then(|| format!("No data in {}: installed the demo tenant '{}'", dir.display(), store.state().display_name));
    // An unknown or forbidden --as is an error at once.
    let (who, actor_err) = match session::sign_in(store.state(), as_user) {
        Ok(w) => (SignIn { actor: w.actor.with_tenant(tenant.map(str::to_string)), by: w.by }, None),
        Err(e) if as_user.is_none() => (SignIn { actor: Actor::System, by: None }, Some(e.to_string())),
        Err(e) => return Err(e.into()),
    };
    Ok(Started { dir, session: Session::signed_in(store, who), notice, actor_err })
}

/// The exit code for a front end's result, the error printed on stderr: 0 done, 1 refused or
/// unreadable, 2 bad usage, 128 + N ended by signal N.
pub fn exit(result: Result<Option<i32>>) -> ExitCode {
    match result {
        Ok(None) => ExitCode::SUCCESS,
        Ok(Some(signal)) => ExitCode::from(u8::try_from(signal.saturating_add(128)).unwrap_or(u8::MAX)),
        Err(e) => {
            crate::cli::warn(&format!("entitle: {}", message(&e)));
            if e.downcast_ref::<Usage>().is_some() { ExitCode::from(2) } else { ExitCode::FAILURE }
        }
    }
}

/// The error and its causes, each once (store errors already quote their cause).
fn message(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let part = cause.to_string();
        if !text.contains(&part) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&part);
        }
    }
    text
}
