//! Role names in the binary cache layout: a section whose records name roles (the assignments'
//! and the memberships') starts with the names it uses, each once, and its records refer to
//! them by number.

use std::collections::HashMap;

use super::codec::{Got, In, Out};
use crate::domain::role::Role;

/// The role names the records of a section refer to by number (a million memberships name a
/// few dozen roles), in the order first met.
#[derive(Default)]
pub struct RoleNames {
    numbers: HashMap<Role, u32>,
    names: Vec<Role>,
}

impl RoleNames {
    fn number(&mut self, role: Role) -> u32 {
        let next = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        *self.numbers.entry(role).or_insert_with(|| {
            self.names.push(role);
            next
        })
    }

    pub fn write(&mut self, out: &mut Out, role: Role) {
        let n = self.number(role);
        out.u32(n);
    }
}

/// A section whose records name roles: the names first, then what `write` writes (numbering
/// the roles as it goes).
pub fn with_role_names(out: &mut Out, write: impl FnOnce(&mut Out, &mut RoleNames)) {
    let mut body = Out::default();
    let mut names = RoleNames::default();
    write(&mut body, &mut names);
    out.len(names.names.len());
    for n in &names.names {
        out.str(n);
    }
    out.buf.extend_from_slice(&body.buf);
}

/// The role names [`with_role_names`] wrote, each once.
pub fn read_role_names(r: &mut In) -> Got<Vec<Role>> {
    let n = r.len(1)?;
    let mut names = Vec::with_capacity(n);
    for _ in 0..n {
        names.push(Role::new(r.str()?));
    }
    Ok(names)
}

pub fn read_role(r: &mut In, names: &[Role]) -> Got<Role> {
    let n = r.u32()?;
    usize::try_from(n).ok().and_then(|i| names.get(i)).copied().ok_or_else(|| super::codec::Bad(format!("role {n}")))
}
