//! What the tests and the benchmarks share: API Gateway events made from real fixtures, a
//! fault injector that makes the local engine behave like the real service on demand, and a
//! proxy that gives the local engine the latency of a call in a region.

pub mod events;
pub mod faults;
pub mod latency;

pub use events::{event_json, EventSpec, Payload};
