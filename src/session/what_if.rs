//! Previews: a command run on a copy of the state, outside the store. The state is brought up
//! to date first (a shared lock held only while the journal is read), then the copy runs with no
//! lock held and nothing written: no journal entry, no history file, no snapshot.

use super::{RunError, Session, wall};
use crate::domain::what_if::Preview;
use crate::domain::what_if_policy::PolicyPreview;
use crate::domain::{Actor, Command, PolicyId, PolicySpec};

impl Session {
    /// What `command` would do, run now by the signed-in actor (after the tick a live clock
    /// would make first, as [`Session::run`] does).
    pub fn preview(&mut self, command: Command) -> Result<Preview, RunError> {
        self.refresh()?;
        let t = self.tenant();
        let tick_to = Some(t.clock.time_at(wall())).filter(|at| *at > t.clock.now);
        let (actor, command) = self.as_run(command);
        let (preview, _) = t.preview(tick_to, &actor, command).map_err(RunError::Refused)?;
        Ok(preview)
    }

    /// What saving `spec` over the policy would change (see `Tenant::preview_policy_update`).
    pub fn preview_policy(
        &mut self,
        policy: PolicyId,
        spec: &PolicySpec,
        limit: usize,
    ) -> Result<PolicyPreview, RunError> {
        self.refresh()?;
        let actor = self.actor.clone();
        self.tenant().preview_policy_update(&actor, policy, spec, limit).map_err(RunError::Refused)
    }

    /// The actor and command [`Session::run`] would journal (an administrator acting as
    /// someone else wraps the command).
    pub(super) fn as_run(&self, command: Command) -> (Actor, Command) {
        let command = match self.by {
            Some(by) => Command::ActingAs { by, command: Box::new(command) },
            None => command,
        };
        (self.actor.clone(), command)
    }
}
