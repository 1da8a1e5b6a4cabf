//! One file per tab, plus the pieces they share.

pub mod approvals;
pub mod audit;
mod audit_rows;
mod catalog_config;
mod catalog_extensions;
pub mod catalogs;
mod catalogs_forms;
pub mod common;
pub mod directory;
pub mod lists;
pub mod lookups;
pub mod my_access;
pub mod notifications;
pub mod organizations;
pub mod overview;
pub mod packages;
mod packages_forms;
mod packages_rows;
pub mod panes;
pub mod placeholder;
pub mod policy_auto;
pub mod policy_form;
pub mod policy_spec;
pub mod reports;
pub mod reviews;
pub mod settings;
