//! Ended grant sources leave the grants in the order a comparison sort gives.

use proptest::prelude::*;

use super::*;
use crate::domain::ids::{AssignmentId, ResourceId, UserId};
use crate::domain::role::Role;

fn gone(rows: &[(u64, u64, usize, u64)]) -> Vec<(GrantKey, GrantSource)> {
    let roles = [Role::new("Member"), Role::new("Owner"), Role::new("Reader")];
    rows.iter()
        .map(|&(user, resource, role, source)| {
            let role = roles.get(role % roles.len()).copied().unwrap_or(roles[0]);
            let key = GrantKey { user: UserId(user), resource: ResourceId(resource), role };
            let src = if source == 0 {
                GrantSource::Direct
            } else {
                GrantSource::Assignment { assignment: AssignmentId(source) }
            };
            (key, src)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { rng_seed: proptest::test_runner::RngSeed::Fixed(11), cases: 24, ..ProptestConfig::default() })]
    /// Long enough for the radix sort, with users and resources repeated (several roles and
    /// sources of one membership), and ids past 32 bits (the comparison sort then).
    #[test]
    fn ended_sources_come_in_the_order_a_comparison_sort_gives(
        rows in proptest::collection::vec((0u64..300, 0u64..40, 0usize..3, 0u64..5), RADIX_FROM..RADIX_FROM * 2),
        wide in any::<bool>(),
    ) {
        let mut rows = rows;
        if let (true, Some(first)) = (wide, rows.first_mut()) {
            first.1 = 1 << 40;
        }
        let mut ours = gone(&rows);
        let mut expected = ours.clone();
        expected.sort_unstable();
        in_key_order(&mut ours);
        prop_assert_eq!(ours, expected);
    }
}
