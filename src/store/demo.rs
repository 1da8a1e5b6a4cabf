//! Placeholder until the demo tenant lands.
use crate::domain::{Clock, Tenant};

pub fn demo_tenant() -> anyhow::Result<Tenant> {
    let t = Tenant::new("Contoso", Clock::frozen_at(chrono::Utc::now()));
    Ok(t)
}
