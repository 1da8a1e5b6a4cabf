//! One file per tab. Until the domain is wired, every tab shows a [`placeholder::Placeholder`].

pub mod placeholder;
