//! The Incoming Call Log Item API: everything but the six thin `main.rs` files.
//!
//! Layers, each importing only those before it:
//! [`model`] (the item, its rules, operations and permissions) → [`query`] (what list and
//! count ask for) → [`store`] (the store traits, DynamoDB and the in-memory twin) → [`auth`]
//! (API keys and permissions) → [`api`] (HTTP: routes, JSON, the error mapping, one
//! request's way, and the gateway's authorizer) → [`entry`] (the Lambda runtime; the authorizer's
//! and the tally's in [`authorizer_entry`] and [`tally_entry`]). [`config`] reads the environment;
//! [`logging`] writes the JSON log lines.
//!
//! "SPEC §n" in comments is section n of `docs/SPEC.md`, the contract the code implements.

pub mod api;
pub mod auth;
pub mod authorizer_entry;
pub mod config;
pub mod entry;
#[cfg(feature = "local-stream")]
pub mod local_stream;
pub mod logging;
pub mod model;
pub mod query;
pub mod store;
pub mod tally_entry;
#[cfg(any(test, feature = "test-support"))]
pub mod testing;

pub use api::{ApiError, App};
pub use model::Operation;
