//! What the tests and the benchmarks share: API Gateway events made from real fixtures.

pub mod events;

pub use events::{event_json, request, EventSpec, Payload};
