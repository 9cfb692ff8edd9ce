//! Black-box tests of the API: real API Gateway events through the real handler, against
//! the local engine (Dynoxide). One test binary, one file per concern; every test uses its own project.

// The tests nest the handler's future in their own (spawned tasks, joins); computing the
// layout of the deepest once went past the default limit of 128 on a clean build.
#![recursion_limit = "256"]

mod cursors_and_counts;
mod errors;
mod fuzz;
mod gateway;
mod helpers;
mod idempotency;
mod isolation;
mod least_privilege;
mod list_and_count;
mod operators;
mod races;
mod read_cap;
mod reliability;
mod secrets;
mod store_contract;
mod tally;
// The reader of template.yaml, shared with the template checks (`tests/template/`).
#[path = "../template/reader.rs"]
#[allow(dead_code)] // the API tests read the functions' permissions, not all of it
mod template;
mod update_and_delete;
mod values;
