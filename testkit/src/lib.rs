//! What the tests and the benchmarks share: API Gateway events made from real fixtures, and a
//! fault injector that makes DynamoDB Local behave like the real service on demand.

pub mod events;
pub mod faults;

pub use events::{event_json, request, EventSpec, Payload};
