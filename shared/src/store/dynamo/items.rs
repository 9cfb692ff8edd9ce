//! One item at a time: consistent reads and conditional writes. Create and delete are
//! transactions that also move the counters (`counters.rs`); update is one `UpdateItem`.
//!
//! Keys: `projectId` (partition) + `_id` (sort, UUIDv7, so key order is creation order).
//! Index `byIncomingCallLog`: `projectCallLogId` + `_id`, for one call log's items.

use std::time::Duration;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
};

use super::attributes::{field_attribute, from_attributes, to_attributes, Attributes};
use super::counters::{self, Scope};
use super::sdk_errors::from_sdk;
use super::DynamoStore;
use crate::model::{Field, Item, ItemPatch, ObjectId, Timestamp};
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
fn condition_failure(old: Option<&Attributes>, expected_version: Option<i64>) -> StoreError {
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
fn existence_condition(expected_version: Option<i64>) -> String {
    match expected_version {
        Some(_) => "attribute_exists(#id) AND #version = :expected".into(),
        None => "attribute_exists(#id)".into(),
    }
}

/// The attribute holding the token of the last update applied to an item. An update that
/// finds its own token there has already been applied: its answer was lost and the SDK sent
/// it again (SPEC §5).
pub const WRITE_TOKEN: &str = "writeToken";

/// The stored write token of `old`, if any.
fn write_token(old: Option<&Attributes>) -> Option<&str> {
    match old?.get(WRITE_TOKEN) {
        Some(AttributeValue::S(token)) => Some(token),
        _ => None,
    }
}

impl ItemReads for DynamoStore {
    async fn get(&self, project: ObjectId, id: ObjectId) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.items_table)
            .set_key(Some(item_key(project, id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|error| from_sdk("GetItem", error))?;
        output.item().map(from_attributes).transpose()
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

    async fn update(
        &self,
        project: ObjectId,
        id: ObjectId,
        patch: &ItemPatch,
        expected_version: Option<i64>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let token = uuid::Uuid::new_v4().to_string();
        let mut sets: Vec<String> = Vec::new();
        let mut removes: Vec<String> = Vec::new();
        let mut request = self
            .client
            .update_item()
            .table_name(&self.items_table)
            .set_key(Some(item_key(project, id)))
            .expression_attribute_names("#id", Field::Id.name())
            .expression_attribute_names("#version", Field::Version.name())
            .expression_attribute_names("#updatedAt", Field::UpdatedAt.name())
            .expression_attribute_names("#token", WRITE_TOKEN)
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":now", AttributeValue::S(now.to_iso()))
            .expression_attribute_values(":token", AttributeValue::S(token.clone()))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        for (field, value) in patch.changes() {
            let name = format!("#f{}", field as usize);
            request = request.expression_attribute_names(&name, field.name());
            match field_attribute(value) {
                Some(attribute) => {
                    let placeholder = format!(":f{}", field as usize);
                    sets.push(format!("{name} = {placeholder}"));
                    request = request.expression_attribute_values(placeholder, attribute);
                }
                None => removes.push(name),
            }
        }
        sets.push("#updatedAt = :now".into());
        sets.push("#version = #version + :one".into());
        sets.push("#token = :token".into());
        let mut expression = format!("SET {}", sets.join(", "));
        if !removes.is_empty() {
            expression.push_str(&format!(" REMOVE {}", removes.join(", ")));
        }
        if let Some(version) = expected_version {
            request = request
                .expression_attribute_values(":expected", AttributeValue::N(version.to_string()));
        }
        // Never applied twice: a retry of an update already applied fails this condition,
        // and finds its own token below.
        let condition = format!(
            "{} AND (attribute_not_exists(#token) OR #token <> :token)",
            existence_condition(expected_version)
        );
        let result = request
            .update_expression(expression)
            .condition_expression(condition)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error) => match error.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(failed)) => {
                    if write_token(failed.item()) == Some(token.as_str()) {
                        return Ok(());
                    }
                    Err(condition_failure(failed.item(), expected_version))
                }
                _ => Err(from_sdk("UpdateItem", error)),
            },
        }
    }

    async fn delete(
        &self,
        project: ObjectId,
        id: ObjectId,
        expected_version: Option<i64>,
    ) -> Result<(), StoreError> {
        // The call log to uncount: read first; it never changes, so the read cannot go stale.
        let current = self.get(project, id).await?.ok_or(StoreError::NotFound)?;
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
        let steps = vec![
            TransactWriteItem::builder().delete(delete).build(),
            self.count_step(project, Scope::Project, -1),
            self.count_step(project, Scope::CallLog(current.incoming_call_log_id), -1),
        ];
        match self.transact(steps).await {
            Ok(()) => Ok(()),
            Err(Transaction::ConditionFailed { old, .. }) => {
                Err(condition_failure(old.as_ref(), expected_version))
            }
            Err(Transaction::Failed(error)) => Err(error),
        }
    }
}

impl DynamoStore {
    /// The steps of a create: the conditional `Put` of the item and both counters.
    pub(super) fn create_steps(&self, item: &Item) -> Vec<TransactWriteItem> {
        let put = Put::builder()
            .table_name(&self.items_table)
            .set_item(Some(to_attributes(item)))
            .condition_expression("attribute_not_exists(#id)")
            .expression_attribute_names("#id", Field::Id.name())
            .build()
            .expect("table and item are set");
        vec![
            TransactWriteItem::builder().put(put).build(),
            self.count_step(item.project_id, Scope::Project, 1),
            self.count_step(
                item.project_id,
                Scope::CallLog(item.incoming_call_log_id),
                1,
            ),
        ]
    }

    pub(super) fn count_step(
        &self,
        project: ObjectId,
        scope: Scope,
        delta: i64,
    ) -> TransactWriteItem {
        TransactWriteItem::builder()
            .update(counters::add(&self.items_table, project, scope, delta))
            .build()
    }

    /// Runs a transaction, retrying while it only conflicts with concurrent ones (the counters
    /// are shared by every write of a project). Bounded: about a second at most.
    pub(super) async fn transact(&self, steps: Vec<TransactWriteItem>) -> Result<(), Transaction> {
        let mut attempt = 0u32;
        loop {
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(steps.clone()))
                .send()
                .await;
            let error = match result {
                Ok(_) => return Ok(()),
                Err(error) => error,
            };
            let retry = match error.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
                    let reasons = cancelled.cancellation_reasons();
                    if let Some((step, failed)) = reasons
                        .iter()
                        .enumerate()
                        .find(|(_, reason)| reason.code() == Some("ConditionalCheckFailed"))
                    {
                        return Err(Transaction::ConditionFailed {
                            step,
                            old: failed.item().cloned(),
                        });
                    }
                    reasons.iter().any(|reason| {
                        matches!(
                            reason.code(),
                            Some("TransactionConflict" | "ThrottlingError")
                        )
                    })
                }
                Some(TransactWriteItemsError::TransactionInProgressException(_)) => true,
                _ => false,
            };
            attempt += 1;
            if !retry {
                return Err(Transaction::Failed(from_sdk("TransactWriteItems", error)));
            }
            if attempt >= MAX_TRANSACTION_ATTEMPTS {
                // Conflicts or throttling outlasted the retries: not now, rather than a bug.
                return Err(Transaction::Failed(StoreError::Unavailable(format!(
                    "TransactWriteItems still cancelled after {attempt} attempts: {}",
                    aws_sdk_dynamodb::error::DisplayErrorContext(&error)
                ))));
            }
            tokio::time::sleep(backoff(attempt)).await;
        }
    }
}

/// How many times a transaction is tried while it only conflicts with concurrent ones.
const MAX_TRANSACTION_ATTEMPTS: u32 = 8;

/// 10 ms, 20 ms, 40 ms … capped at 200 ms, with jitter so that racing writers spread out.
fn backoff(attempt: u32) -> Duration {
    let base = (10u64 << attempt.min(5)).min(200);
    let jitter = u64::from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0),
    ) % base.max(1);
    Duration::from_millis(base / 2 + jitter)
}

/// Why a transaction did not happen.
pub(super) enum Transaction {
    /// The condition of step number `step` failed; the item it was on, as it was, when
    /// DynamoDB returned it.
    ConditionFailed {
        step: usize,
        old: Option<Attributes>,
    },
    Failed(StoreError),
}
