//! A signed-in session over a store: the glue every face (CLI and TUI) uses. It reads the wall
//! clock (the only place that does), turns it into tenant time, journals a `Tick` when time has
//! moved, and commits each command as the signed-in actor.

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};

use crate::domain::{Actor, Clock, Command, DomainError, Entry, Fired, Outcome, Tenant, Time};
use crate::store::{CommitError, Persist, Store, StoreError};

impl Persist for Tenant {
    type Entry = Entry;
    type Output = Outcome;
    type Error = DomainError;
    const KIND: &'static str = "entitle-tenant";
    const SCHEMA_VERSION: u32 = 1;

    fn apply(&mut self, entry: &Entry) -> Result<Outcome, DomainError> {
        Tenant::apply(self, entry)
    }

    fn replay(&mut self, entry: &Entry) -> Result<Outcome, DomainError> {
        Tenant::replay(self, entry)
    }

    fn after_load(&mut self) {
        self.rebuild_indexes();
    }
}

/// The wall clock. Nothing below this crate's faces reads it.
/// Whole seconds: nothing in the tenant needs finer, and it keeps every timestamp in the files short.
pub fn wall() -> Time {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(0)
}

/// Where the data lives: `--data`, else `ENTITLE_DATA`, else the user's data directory.
pub fn data_dir(arg: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(p) = arg {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("ENTITLE_DATA").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    directories::ProjectDirs::from("", "", "entitle")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| anyhow!("No home directory to keep data in: pass --data DIR or set ENTITLE_DATA"))
}

/// Why a command did not happen.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The domain refused: the rule's message.
    #[error("{0}")]
    Refused(DomainError),
    /// The files could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<CommitError<DomainError>> for RunError {
    fn from(e: CommitError<DomainError>) -> Self {
        match e {
            CommitError::Refused(d) => RunError::Refused(d),
            CommitError::Store(s) => RunError::Store(s),
        }
    }
}

pub struct Session {
    pub store: Store<Tenant>,
    pub actor: Actor,
}

/// How the data was found when opening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    Existing,
    /// No data was there: the demo tenant was installed.
    InstalledDemo,
}

impl Session {
    /// Open the store in `dir`; with no data there, install the demo tenant.
    pub fn open(dir: &Path) -> anyhow::Result<(Store<Tenant>, Opened)> {
        match Store::<Tenant>::open(dir)? {
            Some(s) => Ok((s, Opened::Existing)),
            None => {
                let tenant = crate::store::demo::demo_tenant().context("building the demo tenant")?;
                let s = Store::create(dir, tenant)?;
                Ok((s, Opened::InstalledDemo))
            }
        }
    }

    /// A fresh tenant: the demo, or an empty one with one administrator and a live clock.
    /// Returns the store and the backups made of the data it replaced.
    pub fn init(dir: &Path, demo: bool, admin_email: &str) -> anyhow::Result<(Store<Tenant>, Vec<PathBuf>)> {
        let tenant = if demo { crate::store::demo::demo_tenant()? } else { empty_tenant(admin_email)? };
        Ok(Store::create_replacing(dir, tenant)?)
    }

    pub fn new(store: Store<Tenant>, actor: Actor) -> Self {
        Session { store, actor }
    }

    pub fn tenant(&self) -> &Tenant {
        self.store.state()
    }

    /// The tenant's time now (for display; the clock only moves through the journal).
    pub fn now(&self) -> Time {
        self.tenant().clock.time_at(wall())
    }

    /// Journal a `Tick` when time has moved (live clock), firing what fell due.
    pub fn tick(&mut self) -> Result<Fired, RunError> {
        let w = wall();
        if self.tenant().clock.time_at(w) <= self.tenant().clock.now {
            return Ok(Fired::default());
        }
        let out =
            self.store.commit(|t| Entry { at: t.clock.time_at(w), actor: Actor::System, command: Command::Tick })?;
        Ok(out.fired)
    }

    /// Whether a timer is due by the wall clock (the TUI ticks only then).
    pub fn timer_due(&self) -> bool {
        let t = self.tenant();
        t.next_timer().is_some_and(|n| n <= t.clock.time_at(wall()))
    }

    /// Run one command as the signed-in actor.
    pub fn run(&mut self, command: Command) -> Result<Outcome, RunError> {
        self.run_as(self.actor.clone(), command)
    }

    pub fn run_as(&mut self, actor: Actor, command: Command) -> Result<Outcome, RunError> {
        let fired = self.tick()?;
        let mut out = self.store.commit(|t| Entry { at: t.clock.now, actor, command })?;
        let mut all = fired;
        all.merge(std::mem::take(&mut out.fired));
        out.fired = all;
        Ok(out)
    }

    /// Catch up with other processes. Returns whether anything changed.
    pub fn refresh(&mut self) -> Result<bool, StoreError> {
        self.store.refresh()
    }
}

/// Who `--as KEY` means: a user by id, email or name; or an external person by email.
pub fn resolve_actor(tenant: &Tenant, key: Option<&str>) -> anyhow::Result<Actor> {
    match key {
        None => tenant
            .users
            .values()
            .find(|u| u.global_admin && u.is_active())
            .map(|u| Actor::user(u.id))
            .ok_or_else(|| anyhow!("The tenant has no global administrator: pass --as USER")),
        Some(k) => match tenant.find_user(k) {
            // A guest removed from the directory who signs in by email is a new external person
            // again (seed 001: "he will need to go through the process again").
            Ok(u) if u.is_guest() && !u.is_active() && u.email.eq_ignore_ascii_case(k.trim()) => {
                Ok(Actor::External { email: k.trim().to_string(), display_name: u.display_name.clone() })
            }
            Ok(u) => Ok(Actor::user(u.id)),
            Err(e) if k.contains('@') => {
                let domain = crate::domain::email_domain(k);
                let ours = tenant.users.values().any(|u| !u.is_guest() && u.domain() == domain);
                if ours {
                    return Err(anyhow!(
                        "{e}: {domain} is this directory's own domain, so that person would have to be a user; `entitle user list` shows them"
                    ));
                }
                let local = k.split('@').next().unwrap_or(k);
                let name = local
                    .split(['.', '_', '-'])
                    .filter(|s| !s.is_empty())
                    .map(|s| {
                        let mut c = s.chars();
                        c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
                Ok(Actor::External { email: k.to_string(), display_name: name })
            }
            Err(e) => Err(anyhow!("{e}: use a name, an email or an id (u12); `entitle user list` shows them")),
        },
    }
}

fn empty_tenant(admin_email: &str) -> anyhow::Result<Tenant> {
    let now = wall();
    let mut t = Tenant::new("My organization", Clock::live(now));
    t.install_general_catalog();
    let spec = crate::domain::UserSpec {
        display_name: "Administrator".into(),
        email: admin_email.to_string(),
        user_type: Default::default(),
        manager: None,
        department: String::new(),
        job_title: "Global administrator".into(),
        home_org: None,
        global_admin: true,
    };
    t.apply(&Entry { at: now, actor: Actor::System, command: Command::CreateUser { spec } })
        .map_err(|e| anyhow!("creating the administrator: {e}"))?;
    Ok(t)
}
