//! One item at a time: consistent reads, creates and deletes. Both writes are transactions
//! that also move the counters (`counters.rs`) and the item's entries by value
//! (`entries.rs`); updates are in `updates.rs`.
//!
//! Keys: `projectId` (partition) + `_id` (sort, UUIDv7, so key order is creation order).
//! Index `byIncomingCallLog`: `projectCallLogId` + `_id`, for one call log's items.

use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
};

use super::attributes::{from_attributes, to_attributes, Attributes};
use super::counters::{self, tallies, Scope};
use super::entries::{delete_entry, put_entry, TALLIED};
use super::sdk_errors::from_sdk;
use super::transactions::Transaction;
use super::DynamoStore;
use crate::model::{Field, Item, ObjectId};
use crate::store::{ItemReads, ItemWrites, StoreError};

/// The name of the call-log index.
pub const CALL_LOG_INDEX: &str = "byIncomingCallLog";

/// How often a write that depends on what it read is tried again when the item changed
/// between the read and the write.
pub const MAX_READ_WRITE_ATTEMPTS: usize = 5;

/// The table key of the item `id` in `project`.
pub fn item_key(project: ObjectId, id: ObjectId) -> Attributes {
    Attributes::from([
        (
            Field::ProjectId.name().to_string(),
            AttributeValue::S(project.to_string()),
        ),
        (
            Field::Id.name().to_string(),
            AttributeValue::S(id.to_string()),
        ),
    ])
}

/// What a failed conditional write means: the item was missing, or its version differed.
pub fn condition_failure(old: Option<&Attributes>, expected_version: Option<i64>) -> StoreError {
    match (old, expected_version) {
        (Some(old), Some(expected)) => match old.get(Field::Version.name()) {
            Some(AttributeValue::N(n)) => match n.parse() {
                Ok(stored) => StoreError::VersionMismatch { stored, expected },
                Err(_) => StoreError::Corrupt(format!("stored version is not a number: {n}")),
            },
            _ => StoreError::Corrupt("stored item without a version".into()),
        },
        (Some(_), None) => StoreError::Conflict,
        (None, _) => StoreError::NotFound,
    }
}

/// `attribute_exists(#id)`, and with `expected_version` also `#version = :expected`.
pub fn existence_condition(expected_version: Option<i64>) -> String {
    match expected_version {
        Some(_) => "attribute_exists(#id) AND #version = :expected".into(),
        None => "attribute_exists(#id)".into(),
    }
}

/// The condition that the item is still tallied, or still not, as it was read.
pub fn tallied_condition(tallied: bool) -> &'static str {
    if tallied {
        "attribute_exists(#tallied)"
    } else {
        "attribute_not_exists(#tallied)"
    }
}

impl ItemReads for DynamoStore {
    async fn get(&self, project: ObjectId, id: ObjectId) -> Result<Option<Item>, StoreError> {
        self.read(project, id)
            .await?
            .map(|stored| from_attributes(&stored))
            .transpose()
    }
}

impl ItemWrites for DynamoStore {
    async fn create(&self, item: &Item) -> Result<(), StoreError> {
        match self.transact(self.create_steps(item)).await {
            Ok(()) => Ok(()),
            Err(Transaction::ConditionFailed { .. }) => Err(StoreError::IdTaken),
            Err(Transaction::Failed(error)) => Err(error),
        }
    }

    async fn delete(
        &self,
        project: ObjectId,
        id: ObjectId,
        expected_version: Option<i64>,
    ) -> Result<(), StoreError> {
        for _ in 0..MAX_READ_WRITE_ATTEMPTS {
            // What to uncount: read first. The delete is conditional on the item still being
            // at the version read (and as tallied), so the counts it moves are the values it
            // removes: an update between the read and the delete makes it read again.
            let stored = self.read(project, id).await?.ok_or(StoreError::NotFound)?;
            let current = from_attributes(&stored)?;
            if let Some(expected) = expected_version.filter(|v| *v != current.version) {
                return Err(StoreError::VersionMismatch {
                    stored: current.version,
                    expected,
                });
            }
            let tallied = stored.contains_key(TALLIED);
            match self.transact(self.delete_steps(&current, tallied)).await {
                Ok(()) => return Ok(()),
                // Changed since it was read (an update, or the backfill): read again.
                Err(Transaction::ConditionFailed { old: Some(_), .. }) => continue,
                Err(Transaction::ConditionFailed { old: None, .. }) => {
                    return Err(StoreError::NotFound)
                }
                Err(Transaction::Failed(error)) => return Err(error),
            }
        }
        Err(StoreError::Conflict)
    }

    async fn update(
        &self,
        project: ObjectId,
        id: ObjectId,
        patch: &crate::model::ItemPatch,
        expected_version: Option<i64>,
        now: crate::model::Timestamp,
    ) -> Result<(), StoreError> {
        self.apply_patch(project, id, patch, expected_version, now)
            .await
    }
}

impl DynamoStore {
    /// The item's stored attributes, read consistently.
    pub(super) async fn read(
        &self,
        project: ObjectId,
        id: ObjectId,
    ) -> Result<Option<Attributes>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.items_table)
            .set_key(Some(item_key(project, id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|error| from_sdk("GetItem", error))?;
        Ok(output.item().cloned())
    }

    /// The steps of a create: the conditional `Put` of the item (tallied), every counter it
    /// counts in, and its entries by value. (Public for the benchmark, which sends the same
    /// transaction as its bare baseline.)
    pub fn create_steps(&self, item: &Item) -> Vec<TransactWriteItem> {
        let mut attributes = to_attributes(item);
        attributes.insert(TALLIED.to_string(), AttributeValue::N("1".into()));
        let put = Put::builder()
            .table_name(&self.items_table)
            .set_item(Some(attributes))
            .condition_expression("attribute_not_exists(#id)")
            .expression_attribute_names("#id", Field::Id.name())
            .build()
            .expect("table and item are set");
        let mut steps = vec![TransactWriteItem::builder().put(put).build()];
        for scope in Scope::all_of(item) {
            steps.push(self.count_step(item.project_id, &scope, 1));
        }
        for tally in tallies(item) {
            steps.push(put_entry(
                &self.items_table,
                item.project_id,
                &tally,
                item.id,
            ));
        }
        steps
    }

    /// The steps of a delete: the conditional `Delete`, and the counts and entries the item
    /// has (an item not yet tallied only has the project's and its call log's counts).
    pub fn delete_steps(&self, item: &Item, tallied: bool) -> Vec<TransactWriteItem> {
        let delete = Delete::builder()
            .table_name(&self.items_table)
            .set_key(Some(item_key(item.project_id, item.id)))
            .expression_attribute_names("#id", Field::Id.name())
            .expression_attribute_names("#tallied", TALLIED)
            .expression_attribute_names("#version", Field::Version.name())
            .expression_attribute_values(":read", AttributeValue::N(item.version.to_string()))
            .condition_expression(format!(
                "attribute_exists(#id) AND #version = :read AND {}",
                tallied_condition(tallied)
            ))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        let delete = delete.build().expect("table, key and condition are set");
        let mut steps = vec![TransactWriteItem::builder().delete(delete).build()];
        let scopes = if tallied {
            Scope::all_of(item)
        } else {
            vec![Scope::Project, Scope::CallLog(item.incoming_call_log_id)]
        };
        for scope in scopes {
            steps.push(self.count_step(item.project_id, &scope, -1));
        }
        if tallied {
            for tally in tallies(item) {
                steps.push(delete_entry(
                    &self.items_table,
                    item.project_id,
                    &tally,
                    item.id,
                ));
            }
        }
        steps
    }

    pub(super) fn count_step(
        &self,
        project: ObjectId,
        scope: &Scope,
        delta: i64,
    ) -> TransactWriteItem {
        TransactWriteItem::builder()
            .update(counters::add(&self.items_table, project, scope, delta))
            .build()
    }
}
