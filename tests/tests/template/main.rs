//! Checks of `template.yaml`, `samconfig.toml` and the other deployment files against the code:
//! no database, no network. (What needs the local engine is in `tests/api/`.)

mod cors;
mod docs_numbers;
mod linking;
mod operability;
mod route_table;
mod samconfig;
mod spec_refs;
// The reader the API tests use too (`tests/api/least_privilege.rs`).
#[path = "reader.rs"]
mod template;
