//! The Directory's groups, applications and sites as each reader may see them: each with the
//! catalogs it is in that the reader reads, in the catalogs' order, and for administrators how
//! many people hold one of its roles (a person holding two of its roles counted once).

use crate::common::*;

use entitle::domain::read_views::ResourceCard;
use entitle::domain::*;

/// The catalogs and the holder count of resource `id` among `cards`.
fn of<'a>(cards: &[ResourceCard<'a>], id: ResourceId) -> Option<(Vec<&'a str>, Option<usize>)> {
    cards.iter().find(|c| c.resource.id == id).map(|c| (c.catalogs.clone(), c.holders))
}

#[test]
fn each_resource_names_the_catalogs_the_reader_reads_and_counts_each_holder_once() {
    let mut w = World::new();
    let (alpha, beta) = (w.catalog("Alpha"), w.catalog("Beta"));
    let (team, app) = (w.team("Gamma team"), w.app("Helix"));
    w.add_to_catalog(beta, team);
    w.add_to_catalog(alpha, team);
    w.add_to_catalog(beta, app);
    let (xena, yuri, olga) = (w.user("Xena"), w.user("Yuri"), w.user("Olga"));
    w.direct(xena, team, "Member");
    w.direct(xena, team, "Owner");
    w.direct(yuri, team, "Member");
    w.grant_role(alpha, olga, CatalogRole::Owner);

    let cards = w.t.resources_visible(&u(w.admin)).expect("the administrator reads the directory");
    assert_eq!(of(&cards, team), Some((vec!["Alpha", "Beta"], Some(2))), "two people, three roles");
    assert_eq!(of(&cards, app), Some((vec!["Beta"], Some(0))));
    let cards = w.t.resources_visible(&u(olga)).expect("a catalog owner reads the directory");
    assert_eq!(of(&cards, team), Some((vec!["Alpha"], None)), "only the catalog she has a role in");
    assert_eq!(of(&cards, app), Some((vec![], None)));
}
