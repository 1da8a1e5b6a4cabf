//! One file per tab, plus the pieces they share.

pub mod common;
pub mod my_access;
pub mod placeholder;
pub mod policy_form;
