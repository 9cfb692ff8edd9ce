//! Counts and index entries by value kept from the items table's stream (the `tally`
//! function): `changes.rs` works out what a batch of records changes, `apply.rs` writes it,
//! exactly once per record however Lambda retries the batch.

mod apply;
mod changes;

pub use apply::{Applied, TALLY_MARK};
pub use changes::StreamRecord;
#[cfg(feature = "test-support")]
pub use changes::{Changes, CounterChange, EntryChange, Sequence};
