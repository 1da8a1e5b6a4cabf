//! The directory one row at a time: what a list of every user needs so that a screen builds only
//! the rows it shows. [`Tenant::directory_scope`] checks the read and works out once what the
//! reader may see; [`Tenant::scoped_user`] and [`Tenant::scoped_active_assignments`] then answer
//! for one user through the indexes. Together they say what [`Tenant::users_visible`] and
//! [`Tenant::assignments_visible`] say, without a pass over every user or assignment per row.

use std::collections::BTreeSet;

use super::error::DomainResult;
use super::ids::{AssignmentId, UserId};
use super::read_views::UserView;
use super::reads::{Read, Reader};
use super::rights::Actor;
use super::tenant::Tenant;

/// What one reader may see of the directory, worked out once per change of the data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryScope {
    reader: Reader,
    /// None when the reader may not read assignments (every count is then 0).
    reviewing: Option<BTreeSet<AssignmentId>>,
}

impl Tenant {
    /// The reader's scope of the directory and the users they may see, by id (ascending), or the
    /// refusal of [`Tenant::users_visible`].
    pub fn directory_scope(&self, actor: &Actor) -> DomainResult<(DirectoryScope, Vec<UserId>)> {
        self.may_read(actor, Read::Directory)?;
        let reader = self.reader(actor)?;
        let reviewing = self.may_read(actor, Read::Assignments).ok().map(|()| self.reviewing(reader));
        let ids = self.users.keys().copied().filter(|u| self.sees_profile(reader, *u)).collect();
        Ok((DirectoryScope { reader, reviewing }, ids))
    }

    /// One user as the scope's reader may see them (as in [`Tenant::users_visible`]).
    pub fn scoped_user(&self, scope: &DirectoryScope, id: UserId) -> Option<UserView<'_>> {
        let u = self.users.get(&id).filter(|_| self.sees_profile(scope.reader, id))?;
        Some(self.view(scope.reader, u))
    }

    /// The user's active assignments the scope's reader may see (as [`Tenant::assignments_visible`]
    /// counts them), through the assignments-by-user index.
    pub fn scoped_active_assignments(&self, scope: &DirectoryScope, id: UserId) -> usize {
        let Some(reviewing) = &scope.reviewing else { return 0 };
        self.idx
            .assignments_by_user
            .get(&id)
            .into_iter()
            .flatten()
            .filter_map(|a| self.assignments.get(a))
            .filter(|a| a.target == id && a.is_active() && self.sees_assignment_in(scope.reader, reviewing, a))
            .count()
    }
}
