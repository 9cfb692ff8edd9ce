//! Writes and single reads of the items table. Every write is conditional: create and delete are
//! transactions that also move the counters (`counters.rs`); update is one `UpdateItem`.
//!
//! Keys: `projectId` (partition) + `_id` (sort, UUIDv7, so key order is creation order).
//! Index `byIncomingCallLog`: `projectCallLogId` + `_id`, for one call log's items.

use std::time::Duration;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
};
use aws_sdk_dynamodb::Client;

use super::attributes::{field_attribute, from_attributes, to_attributes, Attributes};
use super::counters::{self, Scope};
use super::sdk_errors::from_sdk;
use crate::error::ApiError;
use crate::model::{Field, FieldValue, Item, ItemPatch, ObjectId, Timestamp};

/// The name of the call-log index.
pub const CALL_LOG_INDEX: &str = "byIncomingCallLog";

/// Reads and writes of the items table.
#[derive(Debug, Clone)]
pub struct ItemStore {
    client: Client,
    table: String,
}

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
fn condition_failure(old: Option<&Attributes>, expected_version: Option<i64>) -> ApiError {
    match (old, expected_version) {
        (Some(old), Some(expected)) => {
            let stored = match old.get(Field::Version.name()) {
                Some(AttributeValue::N(n)) => n.clone(),
                _ => "unknown".to_string(),
            };
            ApiError::PreconditionFailed(format!(
                "If-Match: the item is at version {stored}, not {expected}; read it again and retry"
            ))
        }
        (Some(_), None) => ApiError::Conflict(
            "The item changed while it was being written; read it again and retry".to_string(),
        ),
        (None, _) => ApiError::not_found_item(),
    }
}

impl ItemStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        ItemStore {
            client,
            table: table.into(),
        }
    }

    /// Stores a new item and counts it, in one transaction; never overwrites an item.
    pub async fn create(&self, item: &Item) -> Result<(), ApiError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(to_attributes(item)))
            .condition_expression("attribute_not_exists(#id)")
            .expression_attribute_names("#id", Field::Id.name())
            .build()
            .expect("table and item are set");
        let steps = vec![
            TransactWriteItem::builder().put(put).build(),
            self.count_step(item.project_id, Scope::Project, 1),
            self.count_step(
                item.project_id,
                Scope::CallLog(item.incoming_call_log_id),
                1,
            ),
        ];
        match self.transact(steps).await {
            Ok(()) => Ok(()),
            Err(Transaction::ConditionFailed(_)) => Err(ApiError::Conflict(
                "An item with this id already exists; retry the request".into(),
            )),
            Err(Transaction::Failed(error)) => Err(error),
        }
    }

    fn count_step(&self, project: ObjectId, scope: Scope, delta: i64) -> TransactWriteItem {
        TransactWriteItem::builder()
            .update(counters::add(&self.table, project, scope, delta))
            .build()
    }

    /// Runs a transaction, retrying while it only conflicts with concurrent ones (the counters
    /// are shared by every write of a project). Bounded: about a second at most.
    async fn transact(&self, steps: Vec<TransactWriteItem>) -> Result<(), Transaction> {
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
                    if let Some(failed) = reasons
                        .iter()
                        .find(|reason| reason.code() == Some("ConditionalCheckFailed"))
                    {
                        return Err(Transaction::ConditionFailed(failed.item().cloned()));
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
            if !retry || attempt >= MAX_TRANSACTION_ATTEMPTS {
                return Err(Transaction::Failed(from_sdk("TransactWriteItems", error)));
            }
            tokio::time::sleep(backoff(attempt)).await;
        }
    }

    /// The item with this id in this project, read consistently.
    pub async fn get(&self, project: ObjectId, id: ObjectId) -> Result<Option<Item>, ApiError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(item_key(project, id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|error| from_sdk("GetItem", error))?;
        output.item().map(from_attributes).transpose()
    }

    /// Applies `patch` in one atomic write: only the fields sent change, `updatedAt` is
    /// refreshed and `version` goes up by one. With `expected_version`, only at that version.
    pub async fn update(
        &self,
        project: ObjectId,
        id: ObjectId,
        patch: &ItemPatch,
        expected_version: Option<i64>,
        now: Timestamp,
    ) -> Result<(), ApiError> {
        let mut sets: Vec<String> = Vec::new();
        let mut removes: Vec<String> = Vec::new();
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(item_key(project, id)))
            .expression_attribute_names("#id", Field::Id.name())
            .expression_attribute_names("#version", Field::Version.name())
            .expression_attribute_names("#updatedAt", Field::UpdatedAt.name())
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":now", AttributeValue::S(now.to_iso()))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        let changes: [(Field, Option<FieldValue<'_>>); 7] = [
            (
                Field::Status,
                patch.status.as_ref().map(|s| FieldValue::Text(s.as_str())),
            ),
            (
                Field::StatusMessage,
                patch.status_message.as_ref().map(|m| {
                    m.as_ref()
                        .map_or(FieldValue::Null, |m| FieldValue::Text(m.as_str()))
                }),
            ),
            (
                Field::DialDurationInSeconds,
                patch
                    .dial_duration_in_seconds
                    .map(|n| FieldValue::Integer(n.get())),
            ),
            (
                Field::CallCostInUsdCents,
                patch
                    .call_cost_in_usd_cents
                    .map(|n| FieldValue::Integer(n.get())),
            ),
            (
                Field::StartedAt,
                patch
                    .started_at
                    .map(|d| d.map_or(FieldValue::Null, FieldValue::Date)),
            ),
            (
                Field::EndedAt,
                patch
                    .ended_at
                    .map(|d| d.map_or(FieldValue::Null, FieldValue::Date)),
            ),
            (
                Field::IsAnswered,
                patch.is_answered.map(FieldValue::Boolean),
            ),
        ];
        for (field, change) in changes {
            let Some(value) = change else { continue };
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
        let mut expression = format!("SET {}", sets.join(", "));
        if !removes.is_empty() {
            expression.push_str(&format!(" REMOVE {}", removes.join(", ")));
        }
        let mut condition = "attribute_exists(#id)".to_string();
        if let Some(version) = expected_version {
            condition.push_str(" AND #version = :expected");
            request = request
                .expression_attribute_values(":expected", AttributeValue::N(version.to_string()));
        }
        let result = request
            .update_expression(expression)
            .condition_expression(condition)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error) => match error.as_service_error() {
                Some(e) if e.is_conditional_check_failed_exception() => {
                    let old = match e {
                        aws_sdk_dynamodb::operation::update_item::UpdateItemError::ConditionalCheckFailedException(c) => c.item(),
                        _ => None,
                    };
                    Err(condition_failure(old, expected_version))
                }
                _ => Err(from_sdk("UpdateItem", error)),
            },
        }
    }

    /// Deletes the item for good and uncounts it, in one transaction; with `expected_version`,
    /// only at that version.
    pub async fn delete(
        &self,
        project: ObjectId,
        id: ObjectId,
        expected_version: Option<i64>,
    ) -> Result<(), ApiError> {
        // The call log to uncount: read first; it never changes, so the read cannot go stale.
        let current = self
            .get(project, id)
            .await?
            .ok_or_else(ApiError::not_found_item)?;
        let mut delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(item_key(project, id)))
            .expression_attribute_names("#id", Field::Id.name())
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        let mut condition = "attribute_exists(#id)".to_string();
        if let Some(version) = expected_version {
            condition.push_str(" AND #version = :expected");
            delete = delete
                .expression_attribute_names("#version", Field::Version.name())
                .expression_attribute_values(":expected", AttributeValue::N(version.to_string()));
        }
        let delete = delete
            .condition_expression(condition)
            .build()
            .expect("table, key and condition are set");
        let steps = vec![
            TransactWriteItem::builder().delete(delete).build(),
            self.count_step(project, Scope::Project, -1),
            self.count_step(project, Scope::CallLog(current.incoming_call_log_id), -1),
        ];
        match self.transact(steps).await {
            Ok(()) => Ok(()),
            Err(Transaction::ConditionFailed(old)) => {
                Err(condition_failure(old.as_ref(), expected_version))
            }
            Err(Transaction::Failed(error)) => Err(error),
        }
    }

    pub(super) fn client(&self) -> &Client {
        &self.client
    }

    pub(super) fn table(&self) -> &str {
        &self.table
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
enum Transaction {
    /// A condition failed; the item it was on, as it was, when DynamoDB returned it.
    ConditionFailed(Option<Attributes>),
    Failed(ApiError),
}
