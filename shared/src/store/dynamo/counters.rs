//! Exact item counters, kept in the items table in a partition of their own
//! (`projectId` = `<project>#counters`, attribute `itemCount`), moved by the `tally` function
//! from the table's stream (`tally/`), never by a request. `_id` says what is counted:
//! `project` and `value#<field>#<value>` (the project's items with that value of a dashboard
//! field: `status`, `isAnswered`, `userId`, `incomingCallPolicyEscalationRuleId`; null is
//! empty). Earlier versions also kept `callLog#…` counters; nothing reads them any more.
//!
//! The counter partition never mixes with a project's items (its key is not a UUID) and has no
//! `projectCallLogId`, so it is in no index. Each counter is one item, written once per stream
//! batch that moves it, whatever the batch holds.
//!
//! A counter below zero cannot come from the writes of this version; if one is ever read
//! (drift from an older version's race, or a hand edit), it counts as 0, is logged at warn
//! level (`counter below zero`, with the counter and its value) and counted in the request's
//! metrics (`store/drift.rs`): never hidden.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, Update};
use aws_sdk_dynamodb::Client;

use super::sdk_errors::from_sdk;
use crate::model::{Field, Item, ObjectId};
use crate::query::{CountKey, Tally, DASHBOARD_FIELDS};
use crate::store::StoreError;

/// The attribute holding a counter's value.
pub const ITEM_COUNT: &str = "itemCount";

/// What a counter counts. A call log's counts are not kept: they are read from the call-log
/// index (`Select = COUNT` over the call's items, which do not grow with the project).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    Project,
    /// The project's items with one value of a dashboard field.
    Value(Tally),
}

impl Scope {
    /// The counter that answers a count, if one does (not for a call log's).
    pub fn of(key: &CountKey) -> Option<Scope> {
        match (key.call_log, &key.tally) {
            (None, None) => Some(Scope::Project),
            (None, Some(tally)) => Some(Scope::Value(tally.clone())),
            (Some(_), _) => None,
        }
    }

    /// Every counter an item is counted in: the project's, and those of its value of each
    /// dashboard field.
    pub fn all_of(item: &Item) -> Vec<Scope> {
        let mut scopes = vec![Scope::Project];
        scopes.extend(tallies(item).into_iter().map(Scope::Value));
        scopes
    }
}

/// An item's value of each dashboard field.
pub fn tallies(item: &Item) -> Vec<Tally> {
    DASHBOARD_FIELDS
        .into_iter()
        .map(|field| Tally::of(field, item.get(field)))
        .collect()
}

/// How a tally reads in a key: `<field>#<value>` (null is empty; no value of these fields is).
pub fn tally_key(tally: &Tally) -> String {
    format!(
        "{}#{}",
        tally.field.name(),
        tally.value.as_deref().unwrap_or_default()
    )
}

pub fn counter_key(project: ObjectId, scope: &Scope) -> HashMap<String, AttributeValue> {
    let sort_key = match scope {
        Scope::Project => "project".to_string(),
        Scope::Value(tally) => format!("value#{}", tally_key(tally)),
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
pub fn add(table: &str, project: ObjectId, scope: &Scope, delta: i64) -> Update {
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
    scope: &Scope,
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
        Some(AttributeValue::N(number)) => {
            let value = number
                .parse::<i64>()
                .map_err(|_| StoreError::Corrupt(format!("counter is not a number: {number}")))?;
            if value < 0 {
                crate::store::drift::counter_below_zero();
                tracing::warn!(
                    project = %project,
                    counter = ?scope,
                    value,
                    "counter below zero"
                );
            }
            Ok(value.max(0) as u64)
        }
        Some(other) => Err(StoreError::Corrupt(format!(
            "counter is not a number: {other:?}"
        ))),
    }
}
