//! Index entries by value (SPEC §10): for each item, one entry per dashboard field, in the
//! partition `<project>#<field>#<value>` (null is empty) with the item's `_id` as sort key, so
//! the items with one value of `status`, `isAnswered`, `userId` or
//! `incomingCallPolicyEscalationRuleId` are read from where they start, in key order, at the
//! cost of a page. Entries carry keys only; the items are then read by `BatchGetItem`.
//!
//! Entries are written and removed by the `tally` function from the table's stream (`tally/`),
//! moments after their item; a read by value reads them consistently and checks each item it
//! names against the query, so an entry a moment behind its item never gives a wrong answer.
//! (A global secondary index would cost the same write units, but an existing table can gain
//! only one at a time, one per CloudFormation update.) An item written by this version carries
//! `tallied`: the stream counts it by value and gives it its entries. Items written before
//! carry neither until `call-log-admin backfill` sets the mark.

use aws_sdk_dynamodb::types::AttributeValue;

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
