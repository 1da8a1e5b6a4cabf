//! entitle: entitlement management with access packages, in a terminal.
//!
//! `domain` is the engine (no terminal, no files, no system time), `demo` builds the demo tenant
//! through its commands, `store` keeps it in JSON files,
//! `cli` and `ui` are the two faces over the same domain commands; `tabular` is the table both
//! write as CSV.
pub mod cli;
pub mod demo;
pub mod domain;
pub mod launch;
pub mod scale;
pub mod session;
pub mod store;
pub mod tabular;
pub mod ui;
