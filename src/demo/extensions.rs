//! The demo's custom extensions: registered on their catalogs and attached to the policies that
//! name them once the story is told, so that building the demo makes no call; the first request
//! after it does.

use anyhow::{Result, anyhow};

use super::Loader;
use super::names::Script;
use crate::domain::extensions::StageSetting;
use crate::domain::{Command, PolicyId};

impl Loader {
    pub(super) fn custom_extensions(&mut self, s: &Script) -> Result<()> {
        for c in &s.catalogs {
            let actor = self.actor(&c.by)?;
            let catalog = self.t.find_catalog(&c.name)?.id;
            for spec in &c.custom_extensions {
                self.run(&actor, Command::AddExtension { catalog, spec: spec.clone() })
                    .map_err(|e| anyhow!("custom extension '{}': {e:#}", spec.display_name))?;
            }
        }
        for p in s.packages.iter() {
            let actor = self.actor(&p.by)?;
            let pkg = self.t.find_package(&p.name)?;
            let (catalog, ids) = (pkg.catalog, pkg.policies.clone());
            for named in p.policies.iter().filter(|x| !x.custom_extensions.is_empty()) {
                let id: PolicyId = ids
                    .iter()
                    .copied()
                    .find(|i| self.t.policies.get(i).is_some_and(|x| x.spec.display_name == named.display_name))
                    .ok_or_else(|| anyhow!("policy '{}' not found", named.display_name))?;
                let mut spec = self.t.policy(id)?.spec.clone();
                for (stage, name) in &named.custom_extensions {
                    let ext = self.t.find_extension(catalog, name)?.id;
                    spec.custom_extension_stage_settings.push(StageSetting { stage: *stage, custom_extension: ext });
                }
                self.run(&actor, Command::UpdatePolicy { policy: id, spec })
                    .map_err(|e| anyhow!("policy '{}': {e:#}", named.display_name))?;
            }
        }
        Ok(())
    }
}
