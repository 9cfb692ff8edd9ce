//! Index entries by value (SPEC §10): for each item, one entry per dashboard field, in the
//! partition `<project>#<field>#<value>` (null is empty) with the item's `_id` as sort key, so
//! the items with one value of `status`, `isAnswered`, `userId` or
//! `incomingCallPolicyEscalationRuleId` are read from where they start, in key order, at the
//! cost of a page. Entries carry keys only; the items are then read by `BatchGetItem`.
//!
//! Entries are written and removed in the same transaction as their item (and moved with it
//! when an update changes the value), so a read by value is consistent and exact — unlike a
//! global secondary index, which is read eventually consistently, and which an existing table
//! could gain only one at a time (one per CloudFormation update). An item written by this
//! version carries `tallied`: it is counted by value and has its entries. Items written
//! before carry neither until `call-log-admin backfill` gives them both.

use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem};

use super::attributes::Attributes;
use super::counters::tally_key;
use crate::model::{Field, ObjectId};
use crate::query::Tally;

/// The attribute marking an item counted by value and indexed by its entries.
pub const TALLIED: &str = "tallied";

/// The partition of the entries of one value.
pub fn entry_partition(project: ObjectId, tally: &Tally) -> String {
    format!("{project}#{}", tally_key(tally))
}

/// The key of the entry of item `id` under one value.
pub fn entry_key(project: ObjectId, tally: &Tally, id: ObjectId) -> Attributes {
    Attributes::from([
        (
            Field::ProjectId.name().to_string(),
            AttributeValue::S(entry_partition(project, tally)),
        ),
        (
            Field::Id.name().to_string(),
            AttributeValue::S(id.to_string()),
        ),
    ])
}

/// The transaction step that writes an entry.
pub fn put_entry(table: &str, project: ObjectId, tally: &Tally, id: ObjectId) -> TransactWriteItem {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(entry_key(project, tally, id)))
        .build()
        .expect("table and item are set");
    TransactWriteItem::builder().put(put).build()
}

/// The transaction step that removes an entry.
pub fn delete_entry(
    table: &str,
    project: ObjectId,
    tally: &Tally,
    id: ObjectId,
) -> TransactWriteItem {
    let delete = Delete::builder()
        .table_name(table)
        .set_key(Some(entry_key(project, tally, id)))
        .build()
        .expect("table and key are set");
    TransactWriteItem::builder().delete(delete).build()
}
