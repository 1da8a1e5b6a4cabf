//! Config as code through a session: the plan of a file against the tenant as it is now, and its
//! apply as one journal entry, committed only if nobody committed since the plan was made (the
//! plan's commands carry the ids its creates are given).

use crate::domain::config_graph::ConfigFile;
use crate::domain::config_plan::Plan;
use crate::domain::{Entry, Outcome};

use super::{RunError, Session};

impl Session {
    /// What applying `file` would do, against the present (other processes' commits read, the
    /// clock's due timers fired).
    pub fn plan_config(&mut self, file: &ConfigFile) -> Result<Plan, RunError> {
        self.store.refresh()?;
        self.tick()?;
        self.tenant().plan_config(&self.actor, file).map_err(RunError::Refused)
    }

    /// Apply `file`: its plan's commands in one entry, all or none. An empty plan writes nothing
    /// (`None`); a plan with an error writes nothing and returns the error, naming the object.
    pub fn apply_config(&mut self, file: &ConfigFile) -> Result<(Plan, Option<Outcome>), RunError> {
        let plan = self.plan_config(file)?;
        if plan.is_empty() {
            return Ok((plan, None));
        }
        let command = plan.to_command().map_err(RunError::Refused)?;
        let (actor, command) = self.as_run(command);
        let at = self.tenant().clock.now;
        let seq = self.store.seq();
        let out = self.store.commit_expecting(seq, Entry { at, actor, command })?;
        Ok((plan, Some(out)))
    }
}
