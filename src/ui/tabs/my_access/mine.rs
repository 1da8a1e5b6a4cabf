//! The "Mine" column of My Access's available packages: what the actor already has of each
//! package ("until 2027-11-16", "req12 pending", or nothing). Indexed by package once per
//! refresh, so a refresh costs one pass over the actor's requests and assignments, not one per
//! package row.

use std::collections::HashMap;

use crate::domain::{Assignment, PackageId, Request, RequestId, Time};
use crate::ui::theme::Theme;
use crate::ui::widgets::table::CellText;

/// Per package, the first active assignment and the first open request, in the order of the
/// lists they come from (`Tenant::assignments_for`, `Tenant::requests_for`).
pub(super) struct Mine<'a> {
    held: HashMap<PackageId, &'a Assignment>,
    waiting: HashMap<PackageId, &'a Request>,
}

impl<'a> Mine<'a> {
    pub(super) fn new(assignments: &[&'a Assignment], requests: &[&'a Request]) -> Self {
        let mut held = HashMap::new();
        for a in assignments.iter().filter(|a| a.is_active()) {
            held.entry(a.package).or_insert(*a);
        }
        let mut waiting = HashMap::new();
        for r in requests.iter().filter(|r| r.state.is_open()) {
            waiting.entry(r.package).or_insert(*r);
        }
        Mine { held, waiting }
    }

    /// What the actor has of one package: an active assignment first, else an open request.
    pub(super) fn of(&self, pkg: PackageId) -> Held {
        if let Some(a) = self.held.get(&pkg) {
            return Held::Until(a.end);
        }
        match self.waiting.get(&pkg) {
            Some(r) => Held::Pending(r.id),
            None => Held::Nothing,
        }
    }

    /// The cell for one package.
    #[cfg(test)]
    fn cell(&self, theme: &Theme, pkg: PackageId) -> CellText {
        self.of(pkg).cell(theme)
    }
}

/// What the actor has of a package, as the "Mine" column says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Held {
    Nothing,
    /// An active assignment, and its end.
    Until(Option<Time>),
    /// An open request.
    Pending(RequestId),
}

impl Held {
    pub(super) fn cell(self, theme: &Theme) -> CellText {
        match self {
            Held::Until(end) => CellText::styled(
                end.map(|e| format!("until {}", e.format("%Y-%m-%d"))).unwrap_or_else(|| "have it".into()),
                theme.ok,
            ),
            Held::Pending(id) => CellText::styled(format!("{id} pending"), theme.warning),
            Held::Nothing => CellText::from(String::new()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::demo_tenant;
    use crate::domain::{Actor, Command, Entry, Tenant};
    use crate::scale::{ScaleParams, build};

    /// The column's definition, one scan per package (what My Access did before the index).
    fn by_definition(t: &Tenant, actor: &Actor, theme: &Theme, pkg: PackageId) -> CellText {
        if let Some(a) = t.assignments_for(actor).into_iter().find(|a| a.package == pkg && a.is_active()) {
            return CellText::styled(
                a.end.map(|e| format!("until {}", e.format("%Y-%m-%d"))).unwrap_or_else(|| "have it".into()),
                theme.ok,
            );
        }
        if let Some(r) = t.open_requests_for(actor).into_iter().find(|r| r.package == pkg && r.state.is_open()) {
            return CellText::styled(format!("{} pending", r.id), theme.warning);
        }
        CellText::from(String::new())
    }

    /// Every user's column over every package, by the index and by the definition; returns how
    /// many cells said "until"/"have it" and how many "pending".
    fn same_column(t: &Tenant) -> (usize, usize) {
        let theme = Theme::default();
        let (mut held, mut pending) = (0, 0);
        for u in t.users.values() {
            let actor = Actor::user(u.id);
            let (asg, reqs) = (t.assignments_for(&actor), t.open_requests_for(&actor));
            let mine = Mine::new(&asg, &reqs);
            for pkg in t.packages.keys() {
                let cell = mine.cell(&theme, *pkg);
                assert_eq!(cell, by_definition(t, &actor, &theme, *pkg), "{} on {pkg}", u.display_name);
                held += usize::from(cell.style == theme.ok);
                pending += usize::from(cell.style == theme.warning);
            }
        }
        (held, pending)
    }

    fn after_a_year(mut t: Tenant) -> Tenant {
        let at = t.now().checked_add_signed(chrono::TimeDelta::days(365)).expect("a year on");
        let tick = Entry { at, actor: Actor::System, command: Command::Tick };
        assert!(t.apply(&tick).is_ok());
        t
    }

    /// The administrator assigns the first package to two more users from a later start: two
    /// open (scheduled) requests of one package in the administrator's own list.
    fn two_scheduled(t: &mut Tenant) {
        let admin = t.users.values().find(|u| u.global_admin).map(|u| Actor::user(u.id)).expect("an administrator");
        let (pkg, policy) = t
            .policies
            .values()
            .find(|p| p.spec.display_name == "Direct")
            .map(|p| (p.package, p.id))
            .expect("a Direct policy");
        let start = t.now().checked_add_signed(chrono::TimeDelta::days(10));
        let users: Vec<_> = t.users.values().filter(|u| !u.global_admin).map(|u| u.id).collect();
        let mut scheduled = 0;
        for user in users {
            let command =
                Command::AdminAssign { package: pkg, policy, user, start, end: None, justification: "x".into() };
            if scheduled < 2 && t.apply(&Entry { at: t.now(), actor: admin.clone(), command }).is_ok() {
                scheduled += 1;
            }
        }
        assert_eq!(scheduled, 2);
    }

    #[test]
    fn the_mine_column_by_index_is_the_column_by_definition_for_every_user_and_package() {
        let demo = demo_tenant().expect("the demo tenant builds");
        let (held, pending) = same_column(&demo);
        assert!(held > 0 && pending > 0, "the demo has both kinds of cell ({held}, {pending})");
        same_column(&after_a_year(demo));
        let (mut scale, _) = build(ScaleParams::for_assignments(400)).expect("the scale tenant builds");
        two_scheduled(&mut scale);
        let (held, pending) = same_column(&scale);
        assert!(held >= 400 && pending > 0, "the scale tenant has both kinds of cell ({held}, {pending})");
        same_column(&after_a_year(scale));
    }
}
