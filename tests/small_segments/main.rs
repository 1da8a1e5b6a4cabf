//! The tests whose stores close history segments at 2 KB (`store::history::close_segments_at`,
//! a setting of the whole process): a test binary of their own, so that no other test's files
//! change with it (`tests/it` holds every other integration test).

mod audit_pages;
mod finished_pages;
