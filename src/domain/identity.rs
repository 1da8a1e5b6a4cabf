//! Who is signing in. In lab mode (the demo's) anyone may act as anyone, as in a classroom; in
//! team mode the actor is the person running the program, found by their login name, and only a
//! global administrator may act as someone else, each such command audited as "X acting as Y".
//! The faces read the login from the system and ask [`Tenant::sign_in`]; the rule is here.

use serde::{Deserialize, Serialize};

use super::command::{Command, Entry, Outcome, done};
use super::directory::{User, email_domain};
use super::error::{DomainResult, forbidden, invalid, not_found, rule};
use super::ids::{ObjectRef, UserId};
use super::rights::Actor;
use super::tenant::Tenant;

/// How people sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, strum::Display)]
#[serde(rename_all = "camelCase")]
#[strum(serialize_all = "camelCase")]
pub enum Mode {
    /// Anyone may act as anyone (`--as`, the `u` key): for learning and demos.
    #[default]
    Lab,
    /// Each person is the directory user their login maps to; only global administrators may
    /// act as someone else.
    Team,
}

impl Mode {
    /// What the status bar and `settings show` say.
    pub fn describe(self) -> &'static str {
        match self {
            Mode::Lab => "LAB: anyone may act as anyone",
            Mode::Team => "TEAM: you are who your login says; only administrators may act as others",
        }
    }
}

/// The outcome of signing in: who acts, and the administrator behind them when acting as someone else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignIn {
    pub actor: Actor,
    pub by: Option<UserId>,
}

/// The longest login name accepted.
pub const MAX_LOGIN_LEN: usize = 64;

impl Tenant {
    /// The active user a login name maps to.
    pub fn user_by_login(&self, login: &str) -> Option<&User> {
        self.users.values().find(|u| u.is_active() && u.login.as_deref() == Some(login))
    }

    /// Sign in: `login` is the operating-system login of the person running the program, `as_key`
    /// whom they ask to act as (`--as`, the `u` key).
    pub fn sign_in(&self, login: Option<&str>, as_key: Option<&str>) -> DomainResult<SignIn> {
        if self.mode == Mode::Lab {
            return Ok(SignIn { actor: self.lab_actor(as_key)?, by: None });
        }
        let me = self.team_user(login)?;
        let Some(key) = as_key else { return Ok(SignIn { actor: me, by: None }) };
        let target = self.resolve_actor_key(key)?;
        self.may_act_as(&me, &target)?;
        let by = if target == me { None } else { me.user_id() };
        Ok(SignIn { actor: target, by })
    }

    /// The identity rule: may the person signed in as `me` act as `target`?
    pub fn may_act_as(&self, me: &Actor, target: &Actor) -> DomainResult<()> {
        if self.mode == Mode::Lab || me == target || (self.is_global_admin(me) && me.user_id().is_some()) {
            return Ok(());
        }
        Err(forbidden(format!(
            "In team mode only a global administrator may act as someone else, and you are signed in as {} by your login; a global administrator can switch the tenant back to lab mode",
            self.actor_label(me)
        )))
    }

    /// In team mode, the directory user a login maps to.
    fn team_user(&self, login: Option<&str>) -> DomainResult<Actor> {
        let Some(login) = login.map(str::trim).filter(|l| !l.is_empty()) else {
            return Err(forbidden(
                "This tenant is in team mode and entitle could not tell who is running it: set USER (or ENTITLE_LOGIN) to your login name",
            ));
        };
        let Some(u) = self.users.values().find(|u| u.login.as_deref() == Some(login)) else {
            return Err(forbidden(format!(
                "Your login '{login}' is not linked to a directory user, and this tenant is in team mode: ask a global administrator to run `entitle user update YOUR-NAME --login {login}`"
            )));
        };
        if !u.is_active() {
            return Err(forbidden(format!(
                "Your login '{login}' belongs to {}, who was removed from the directory",
                u.display_name
            )));
        }
        Ok(Actor::user(u.id))
    }

    /// Who acts in lab mode: the one `as_key` names, else the first global administrator.
    pub fn lab_actor(&self, as_key: Option<&str>) -> DomainResult<Actor> {
        match as_key {
            Some(k) => self.resolve_actor_key(k),
            None => self
                .users
                .values()
                .find(|u| u.global_admin && u.is_active())
                .map(|u| Actor::user(u.id))
                .ok_or_else(|| not_found("The tenant has no global administrator: pass --as USER")),
        }
    }

    /// Who `key` means: a user by id, email or name; or someone outside the directory by email.
    pub fn resolve_actor_key(&self, key: &str) -> DomainResult<Actor> {
        let k = key.trim();
        match self.find_user(k) {
            // A guest removed from the directory who signs in by email is a new external person
            // again (seed 001: "he will need to go through the process again").
            Ok(u) if u.is_guest() && !u.is_active() && u.email.eq_ignore_ascii_case(k) => {
                Ok(Actor::external(k, u.display_name.clone()))
            }
            Ok(u) => Ok(Actor::user(u.id)),
            Err(e) if k.contains('@') => {
                let domain = email_domain(k);
                if self.users.values().any(|u| !u.is_guest() && u.domain() == domain) {
                    return Err(not_found(format!(
                        "{e}: {domain} is this directory's own domain, so that person would have to be a user; `entitle user list` shows them"
                    )));
                }
                Ok(Actor::external(k, name_from_email(k)))
            }
            Err(e) => {
                Err(not_found(format!("{e}: use a name, an email or an id (u12); `entitle user list` shows them")))
            }
        }
    }

    /// Whether some enabled global administrator can sign in by login (team mode needs one).
    fn admin_can_sign_in(&self) -> bool {
        self.users.values().any(|u| u.global_admin && u.enabled && u.is_active() && u.login.is_some())
    }

    /// Refuse a change that would leave a team-mode tenant with no administrator able to sign in.
    pub(crate) fn keep_an_admin_login(&self) -> DomainResult<()> {
        if self.mode == Mode::Team && !self.admin_can_sign_in() {
            return Err(rule(
                "That would leave no global administrator with a login, and in team mode nobody could administer the tenant: give another administrator a login first",
            ));
        }
        Ok(())
    }

    pub(crate) fn cmd_set_mode(&mut self, actor: &Actor, mode: Mode) -> DomainResult<Outcome> {
        self.require_admin(actor, "change how people sign in")?;
        if mode == Mode::Team && !self.admin_can_sign_in() {
            return Err(rule(
                "Team mode needs a global administrator with a login, or nobody could administer the tenant: set one first (`entitle user update ADMIN --login NAME`)",
            ));
        }
        let before = self.mode;
        self.mode = mode;
        self.audit_change(
            actor,
            "settings.mode",
            ObjectRef::Tenant {},
            format!("Sign-in mode set to {mode}"),
            Some(&before),
            Some(&mode),
        );
        done(match mode {
            Mode::Team => {
                "Team mode: each person acts as the user their login maps to, and only global administrators may act as others (audited). A global administrator can return to lab mode with `entitle settings set --mode lab`"
            }
            Mode::Lab => "Lab mode: anyone may act as anyone",
        })
    }

    pub(crate) fn cmd_set_login(&mut self, actor: &Actor, user: UserId, login: Option<&str>) -> DomainResult<Outcome> {
        self.require_admin(actor, "set sign-in logins")?;
        let login = login.map(str::trim).filter(|l| !l.is_empty());
        if let Some(l) = login {
            if l.chars().count() > MAX_LOGIN_LEN || l.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(invalid(format!(
                    "A login is the name you sign in to the computer with: 1 to {MAX_LOGIN_LEN} characters, no spaces"
                )));
            }
            if let Some(other) = self
                .users
                .values()
                .find(|u| u.id != user && u.login.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(l)))
            {
                return Err(rule(format!(
                    "{} already signs in as '{l}': a login maps to one user",
                    other.display_name
                )));
            }
        }
        let before = self.user(user)?.clone();
        let mut after = before.clone();
        after.login = login.map(str::to_string);
        self.users.insert(user, after.clone());
        if let Err(e) = self.keep_an_admin_login() {
            self.users.insert(user, before);
            return Err(e);
        }
        let msg = match login {
            Some(l) => format!("{} now signs in as '{l}'", after.display_name),
            None => format!("{} has no login now", after.display_name),
        };
        self.audit_change(actor, "user.login", user, msg.clone(), Some(&before.login), Some(&after.login));
        done(msg)
    }

    /// Run a command that a global administrator `by` runs as `entry.actor`.
    pub(crate) fn apply_acting(&mut self, entry: &Entry, by: UserId, command: &Command) -> DomainResult<Outcome> {
        if matches!(command, Command::ActingAs { .. }) {
            return Err(invalid("Acting as someone acting as someone else is not a thing"));
        }
        if !self.is_global_admin(&Actor::user(by)) {
            return Err(forbidden(format!(
                "Only a global administrator may act as someone else, and {} is not one",
                self.user_name(by)
            )));
        }
        self.idx.acting_by = Some(by);
        let out = self.apply(&Entry { at: entry.at, actor: entry.actor.clone(), command: command.clone() });
        self.idx.acting_by = None;
        out
    }
}

/// "alex.wilber@x" -> "Alex Wilber".
fn name_from_email(email: &str) -> String {
    let local = email.split('@').next().unwrap_or(email);
    local
        .split(['.', '_', '-'])
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut c = s.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}
