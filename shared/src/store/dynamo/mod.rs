//! The DynamoDB store: the items table (items and their exact counters) and the API-keys
//! table. Every write is conditional; every read of the functions is a `GetItem` or a `Query`,
//! never a `Scan` (only the operator's backfill and verify-counts scan).
//!
//! [`DynamoStore`] is defined here and each file implements the part it is named for:
//! `items.rs` (one item: reads, writes, transactions), `queries.rs` (counts and pages),
//! `updates.rs` (updates), `idempotency.rs` (idempotency keys of creates), `keys.rs` (API
//! keys), `backfill.rs` and `verify.rs` (the operator's backfill and verify-counts), with the table layout in `attributes.rs`, `counters.rs`,
//! `entries.rs`, `expression.rs` and `tables.rs`, transactions run in `transactions.rs`, and SDK
//! failures read in `sdk_errors.rs`.

mod attributes;
mod backfill;
mod batches;
mod counters;
mod entries;
mod expression;
mod idempotency;
mod items;
mod keys;
mod merge;
#[cfg(feature = "local-stream")]
mod poller;
mod queries;
mod read_plan;
mod repair;
mod sdk_errors;
mod tables;
mod tally;
mod transactions;
mod updates;
mod verify;
mod walk;

use aws_sdk_dynamodb::Client;

// What the operator's tool (`admin`) and the local runner use.
pub use backfill::{key_from_text, key_to_text, BackfillPage};
#[cfg(feature = "local-stream")]
pub use poller::{Positions, StreamPoller};
pub use repair::Repaired;
pub use tables::{create_items_table, create_keys_table, stream_arn, TableOutcome};
pub use tally::{Applied, StreamRecord};
pub use verify::{Drift, Place, Verification};

/// The table's layout (keys, attribute names, index names, the tally's parts), for the tests
/// and the benchmark that write or inspect the table directly. The functions never see it.
#[cfg(feature = "test-support")]
pub mod layout {
    pub use super::attributes::{from_attributes, to_attributes, Attributes, PROJECT_CALL_LOG};
    pub use super::counters::{counter_key, tallies, Scope, ITEM_COUNT};
    pub use super::entries::{entry_key, entry_partition, TALLIED};
    pub use super::expression::{pushdown, Expression, Pushdown};
    pub use super::idempotency::TTL_ATTRIBUTE;
    pub use super::items::{item_key, CALL_LOG_INDEX};
    pub use super::keys::PROJECT_INDEX;
    pub use super::tally::{Changes, CounterChange, EntryChange, Sequence, TALLY_MARK};
}

/// Both tables through one SDK client (built once per cold start).
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    items_table: String,
    keys_table: String,
    /// Items one read may examine ([`crate::store::MAX_ITEMS_EXAMINED`] unless set).
    read_cap: u64,
}

impl DynamoStore {
    pub fn new(
        client: Client,
        items_table: impl Into<String>,
        keys_table: impl Into<String>,
    ) -> Self {
        DynamoStore {
            client,
            items_table: items_table.into(),
            keys_table: keys_table.into(),
            read_cap: crate::store::MAX_ITEMS_EXAMINED,
        }
    }

    /// The same store, letting one read examine at most `cap` items.
    pub fn with_read_cap(mut self, cap: u64) -> Self {
        self.read_cap = cap;
        self
    }

    /// The items table's name.
    pub fn items_table(&self) -> &str {
        &self.items_table
    }

    /// The client, for tests that check below the store.
    #[cfg(feature = "test-support")]
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The same tables through another client.
    pub fn with_client(&self, client: Client) -> DynamoStore {
        DynamoStore::new(client, &self.items_table, &self.keys_table)
    }
}
