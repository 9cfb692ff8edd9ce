//! The API's behaviour without a database: real API Gateway events (from `testkit`) through
//! [`App::handle`](super::App::handle) on the in-memory twin, with the one test harness
//! ([`TestApp`], `crate::testing`). Routing, parsing, authentication, permissions, every
//! operation, listing and every error mapping; the black-box tests on the local engine
//! (`tests/`) prove the real store behaves the same.
//!
//! One file per concern; every test builds its own app, so they run in parallel.

mod auth;
mod document;
mod errors;
mod idempotency;
mod items;
mod listing;
mod metrics;
mod routing;
mod sample_events;

pub use crate::testing::{newest_first, request, unit_config as config, Answer, TestApp};
