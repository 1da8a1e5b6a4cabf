//! One file per tab, plus the pieces they share.

pub mod approvals;
pub mod common;
pub mod lookups;
pub mod my_access;
pub mod notifications;
pub mod organizations;
pub mod placeholder;
pub mod policy_form;
pub mod policy_spec;
pub mod reviews;
pub mod settings;
