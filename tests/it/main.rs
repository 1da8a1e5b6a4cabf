//! Every integration test of `entitle`, in one test binary: one link instead of one per file,
//! so a clean build stays small on disk and `cargo test` runs all tests from one pool of threads.
//! A new test file joins by a `mod` line below, in its group. Helpers shared by several files
//! are the first three modules; `store_toy` is both a test module and the store tests' toy state.
//!
//! Run one file's tests with `cargo test --test it <module>::`, e.g. `cargo test --test it rules_may::`.

mod cli_support;
mod common;
mod fuzz_support;

// cli
mod cli_audit_typed;
mod cli_automatic;
mod cli_bounds;
mod cli_config;
mod cli_csv;
mod cli_errors;
mod cli_extensions;
mod cli_history_pages;
mod cli_outsider_history;
mod cli_point_in_time;
mod cli_policy;
mod cli_seed000_partner;
mod cli_seed000_project;
mod cli_seed000_sox;
mod cli_seed001;
mod cli_seed003_drift;
mod cli_separation;
mod cli_what_if;

// rules
mod rules_automatic;
mod rules_bounds;
mod rules_config;
mod rules_delivery;
mod rules_extensions;
mod rules_external_time;
mod rules_followups;
mod rules_lifecycle;
mod rules_may;
mod rules_on_behalf;
mod rules_quorum;
mod rules_requests;
mod rules_reviews;
mod rules_roles;
mod rules_separation;
mod rules_timers;

// store
mod store;
mod store_cli;
mod store_concurrency;
mod store_crash;
mod store_decode;
mod store_files;
mod store_finished;
mod store_history;
mod store_refusals;
mod store_toy;
mod store_ui;

// ui
mod ui_admin;
mod ui_app;
mod ui_catalogs;
mod ui_config;
mod ui_contrast;
mod ui_detail;
mod ui_explain;
mod ui_export;
mod ui_extensions;
mod ui_history_pages;
mod ui_idle_ahead;
mod ui_inbox;
mod ui_keymap;
mod ui_new_package;
mod ui_offered;
mod ui_on_behalf;
mod ui_overview;
mod ui_point_in_time;
mod ui_policy;
mod ui_policy_auto;
mod ui_policy_errors;
mod ui_props;
mod ui_quorum;
mod ui_render;
mod ui_scale;
mod ui_scale_bench;
mod ui_update;

// rights
mod rights_changes;
mod rights_cli;
mod rights_identity;
mod rights_reads;

// the rest
mod config_code;
mod demo;
mod directory_resources;
mod explain;
mod finished_requests;
mod format_times;
mod fuzz_commands;
mod invariants;
mod json_outputs;
mod mailbox_reads;
mod offers_cache;
mod point_in_time;
mod policy_revisions;
mod previous_version;
mod problems_fast;
mod report_expiring;
mod scale_bench;
mod scale_gen;
mod seed_stories;
mod terminal;
mod timers_stored;
mod what_if;
mod year_bytes;

/// The name the test harness knows `test` by, given its module's `module_path!()`: the path
/// without this crate's name. For tests that start this binary again to run one test alone.
pub fn harness_name(module_path: &str, test: &str) -> String {
    match module_path.split_once("::") {
        Some((_, inside)) => format!("{inside}::{test}"),
        None => test.to_owned(),
    }
}
