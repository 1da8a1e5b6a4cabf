//! One file per tab, plus the pieces they share.

pub mod catalogs;
mod catalogs_forms;
pub mod common;
pub mod my_access;
pub mod packages;
mod packages_forms;
mod packages_rows;
pub mod panes;
pub mod placeholder;
pub mod policy_form;
