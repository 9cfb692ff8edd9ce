//! Exact item counters, kept in the items table in a partition of their own
//! (`projectId` = `<project>#counters`, `_id` = `project` or `callLog#<id>`, `itemCount`), and
//! changed in the same transaction as every create and delete they count.
//!
//! The counter partition never mixes with a project's items (its key is not a UUID) and has no
//! `projectCallLogId`, so it is in no index. Each counter is one item: its write ceiling is
//! DynamoDB's per-item limit (about 1,000 writes per second), shared by all creates and deletes
//! of a project (the project counter) or of one call (the call-log counter).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, Update};
use aws_sdk_dynamodb::Client;

use super::sdk_errors::from_sdk;
use crate::model::{Field, ObjectId};
use crate::store::StoreError;

/// The attribute holding a counter's value.
pub const ITEM_COUNT: &str = "itemCount";

/// What a counter counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Project,
    CallLog(ObjectId),
}

pub fn counter_key(project: ObjectId, scope: Scope) -> HashMap<String, AttributeValue> {
    let sort_key = match scope {
        Scope::Project => "project".to_string(),
        Scope::CallLog(call_log) => format!("callLog#{call_log}"),
    };
    HashMap::from([
        (
            Field::ProjectId.name().to_string(),
            AttributeValue::S(format!("{project}#counters")),
        ),
        (Field::Id.name().to_string(), AttributeValue::S(sort_key)),
    ])
}

/// The transaction step that adds `delta` to a counter (creating it at `delta` if missing).
pub fn add(table: &str, project: ObjectId, scope: Scope, delta: i64) -> Update {
    Update::builder()
        .table_name(table)
        .set_key(Some(counter_key(project, scope)))
        .update_expression("ADD #count :delta")
        .expression_attribute_names("#count", ITEM_COUNT)
        .expression_attribute_values(":delta", AttributeValue::N(delta.to_string()))
        .build()
        .expect("table, key and expression are set")
}

/// A counter's value, read consistently; a counter never written is 0.
pub async fn read(
    client: &Client,
    table: &str,
    project: ObjectId,
    scope: Scope,
) -> Result<u64, StoreError> {
    let output = client
        .get_item()
        .table_name(table)
        .set_key(Some(counter_key(project, scope)))
        .consistent_read(true)
        .send()
        .await
        .map_err(|error| from_sdk("GetItem", error))?;
    match output.item().and_then(|item| item.get(ITEM_COUNT)) {
        None => Ok(0),
        Some(AttributeValue::N(number)) => number
            .parse::<i64>()
            .map(|n| n.max(0) as u64)
            .map_err(|_| StoreError::Corrupt(format!("counter is not a number: {number}"))),
        Some(other) => Err(StoreError::Corrupt(format!(
            "counter is not a number: {other:?}"
        ))),
    }
}
