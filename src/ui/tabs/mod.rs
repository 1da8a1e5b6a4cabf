//! One file per tab, plus the pieces they share.

pub mod approvals;
pub mod common;
pub mod my_access;
pub mod notifications;
pub mod placeholder;
pub mod policy_form;
pub mod reviews;
