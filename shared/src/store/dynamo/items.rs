//! One item at a time: consistent reads, creates and deletes; updates are in `updates.rs`.
//! Each write touches the item alone: its counts and entries by value follow from the table's
//! stream (`tally/`), so no two writes of a project wait for each other.
//!
//! Keys: `projectId` (partition) + `_id` (sort, UUIDv7, so key order is creation order).
//! Index `byIncomingCallLog`: `projectCallLogId` + `_id`, for one call log's items.

use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
};

use super::attributes::{from_attributes, to_attributes, Attributes};
use super::entries::TALLIED;
use super::sdk_errors::from_sdk;
use super::transactions::Transaction;
use super::updates::{holds_write_token, new_write_token, WRITE_TOKENS};
use super::DynamoStore;
use crate::model::{Field, Item, ObjectId};
use crate::store::{ItemReads, ItemWrites, StoreError};

/// The name of the call-log index.
pub const CALL_LOG_INDEX: &str = "byIncomingCallLog";

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
        let token = new_write_token();
        let result = self
            .client
            .put_item()
            .table_name(&self.items_table)
            .set_item(Some(self.created(item, &token)))
            .condition_expression("attribute_not_exists(#id)")
            .expression_attribute_names("#id", Field::Id.name())
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error) => match error.as_service_error() {
                // A retry of this very create, whose first answer was lost, finds its token.
                Some(PutItemError::ConditionalCheckFailedException(failed))
                    if holds_write_token(failed.item(), &token) =>
                {
                    Ok(())
                }
                Some(PutItemError::ConditionalCheckFailedException(_)) => Err(StoreError::IdTaken),
                _ => Err(from_sdk("PutItem", error)),
            },
        }
    }

    async fn delete(
        &self,
        project: ObjectId,
        id: ObjectId,
        expected_version: Option<i64>,
    ) -> Result<(), StoreError> {
        // A transaction of one step for its `ClientRequestToken`: a retry of a delete whose
        // answer was lost is answered as the first send was (200), where a plain `DeleteItem`
        // would find the item gone and answer 404.
        match self
            .transact(vec![self.delete_step(project, id, expected_version)])
            .await
        {
            Ok(()) => Ok(()),
            Err(Transaction::ConditionFailed { old, .. }) => {
                Err(condition_failure(old.as_ref(), expected_version))
            }
            Err(Transaction::Failed(error)) => Err(error),
        }
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

    /// The item as a create stores it: marked `tallied` (the `tally` function counts it by
    /// value and gives it its entries) and carrying the create's write token.
    /// (Public for the benchmark, which sends the same write as its bare baseline.)
    pub fn created(&self, item: &Item, token: &str) -> Attributes {
        let mut attributes = to_attributes(item);
        attributes.insert(TALLIED.to_string(), AttributeValue::N("1".into()));
        attributes.insert(WRITE_TOKENS[0].to_string(), AttributeValue::S(token.into()));
        attributes
    }

    /// The transaction step of a delete: conditional on the item, and on its version when
    /// one is expected.
    pub fn delete_step(
        &self,
        project: ObjectId,
        id: ObjectId,
        expected_version: Option<i64>,
    ) -> TransactWriteItem {
        let mut delete = Delete::builder()
            .table_name(&self.items_table)
            .set_key(Some(item_key(project, id)))
            .expression_attribute_names("#id", Field::Id.name())
            .condition_expression(existence_condition(expected_version))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        if let Some(version) = expected_version {
            delete = delete
                .expression_attribute_names("#version", Field::Version.name())
                .expression_attribute_values(":expected", AttributeValue::N(version.to_string()));
        }
        let delete = delete.build().expect("table, key and condition are set");
        TransactWriteItem::builder().delete(delete).build()
    }
}
