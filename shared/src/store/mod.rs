//! DynamoDB access: item <-> attributes, the items and keys tables, table creation.
//! Every write is conditional; every read is a `GetItem` or a `Query` (never a `Scan`).

mod attributes;
mod counters;
mod filter_expression;
mod items;
mod keys;
mod queries;
mod sdk_errors;
mod tables;

pub use attributes::{from_attributes, to_attributes, PROJECT_CALL_LOG};
pub use counters::{add as add_to_counter, counter_key, Scope, ITEM_COUNT};
pub use filter_expression::{pushdown, Expression, Pushdown};
pub use items::{item_key, ItemStore, CALL_LOG_INDEX};
pub use keys::{KeyRecord, KeyStore, PROJECT_INDEX};
pub use queries::Start;
pub use sdk_errors::RETRY_AFTER_SECONDS;
pub use tables::{create_items_table, create_keys_table, TableOutcome};
