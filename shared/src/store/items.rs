//! The items table: one conditional call per write, `Query` for reads, never `Scan`.
//!
//! Keys: `projectId` (partition) + `_id` (sort, UUIDv7, so key order is creation order).
//! Index `byIncomingCallLog`: `projectCallLogId` + `_id`, for one call log's items.

use std::ops::ControlFlow;

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use aws_sdk_dynamodb::Client;

use super::attributes::{
    field_attribute, from_attributes, project_call_log_key, to_attributes, Attributes,
    PROJECT_CALL_LOG,
};
use super::filter_expression::pushdown;
use super::sdk_errors::from_sdk;
use crate::error::ApiError;
use crate::model::{Field, FieldValue, Item, ItemPatch, ObjectId, Timestamp};
use crate::query::{Direction, Filter};

/// The name of the call-log index.
pub const CALL_LOG_INDEX: &str = "byIncomingCallLog";

/// Reads and writes of the items table.
#[derive(Debug, Clone)]
pub struct ItemStore {
    client: Client,
    table: String,
}

fn key(project: ObjectId, id: ObjectId) -> [(String, AttributeValue); 2] {
    [
        (
            Field::ProjectId.name().to_string(),
            AttributeValue::S(project.to_string()),
        ),
        (
            Field::Id.name().to_string(),
            AttributeValue::S(id.to_string()),
        ),
    ]
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

    /// Stores a new item; never overwrites one with the same id.
    pub async fn create(&self, item: &Item) -> Result<(), ApiError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_attributes(item)))
            .condition_expression("attribute_not_exists(#id)")
            .expression_attribute_names("#id", Field::Id.name())
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Err(ApiError::Conflict(
                    "An item with this id already exists; retry the request".into(),
                ))
            }
            Err(error) => Err(from_sdk("PutItem", error)),
        }
    }

    /// The item with this id in this project, read consistently.
    pub async fn get(&self, project: ObjectId, id: ObjectId) -> Result<Option<Item>, ApiError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(project, id).into_iter().collect()))
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
            .set_key(Some(key(project, id).into_iter().collect()))
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

    /// Deletes the item for good; with `expected_version`, only at that version.
    pub async fn delete(
        &self,
        project: ObjectId,
        id: ObjectId,
        expected_version: Option<i64>,
    ) -> Result<(), ApiError> {
        let mut request = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(project, id).into_iter().collect()))
            .expression_attribute_names("#id", Field::Id.name())
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        let mut condition = "attribute_exists(#id)".to_string();
        if let Some(version) = expected_version {
            condition.push_str(" AND #version = :expected");
            request = request
                .expression_attribute_names("#version", Field::Version.name())
                .expression_attribute_values(":expected", AttributeValue::N(version.to_string()));
        }
        match request.condition_expression(condition).send().await {
            Ok(_) => Ok(()),
            Err(error) => match error.as_service_error() {
                Some(e) if e.is_conditional_check_failed_exception() => {
                    let old = match e {
                        aws_sdk_dynamodb::operation::delete_item::DeleteItemError::ConditionalCheckFailedException(c) => c.item(),
                        _ => None,
                    };
                    Err(condition_failure(old, expected_version))
                }
                _ => Err(from_sdk("DeleteItem", error)),
            },
        }
    }

    /// Visits the project's items matching `filter`, in key (creation) order, until `visit`
    /// breaks. Uses the call-log index when the filter pins one call log.
    pub async fn scan_matching(
        &self,
        project: ObjectId,
        filter: &Filter,
        direction: Direction,
        mut visit: impl FnMut(Item) -> ControlFlow<()>,
    ) -> Result<(), ApiError> {
        let mut request = self
            .client
            .query()
            .table_name(&self.table)
            .scan_index_forward(direction == Direction::Ascending)
            .expression_attribute_names("#pk", Field::ProjectId.name());
        request = match filter.call_log() {
            Some(call_log) => request
                .index_name(CALL_LOG_INDEX)
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", PROJECT_CALL_LOG)
                .expression_attribute_values(
                    ":pk",
                    AttributeValue::S(project_call_log_key(project, call_log)),
                ),
            None => request
                .consistent_read(true)
                .key_condition_expression("#pk = :pk")
                .expression_attribute_values(":pk", AttributeValue::S(project.to_string())),
        };
        if let Some(expression) = pushdown(filter) {
            request = request.filter_expression(expression.text);
            for (name, field) in expression.names {
                request = request.expression_attribute_names(name, field);
            }
            for (name, value) in expression.values {
                request = request.expression_attribute_values(name, value);
            }
        }
        let mut start_key: Option<Attributes> = None;
        loop {
            let output = request
                .clone()
                .set_exclusive_start_key(start_key.take())
                .send()
                .await
                .map_err(|error| from_sdk("Query", error))?;
            for attributes in output.items() {
                let item = from_attributes(attributes)?;
                if filter.matches(&item) && visit(item).is_break() {
                    return Ok(());
                }
            }
            match output.last_evaluated_key() {
                Some(last) if !last.is_empty() => start_key = Some(last.clone()),
                _ => return Ok(()),
            }
        }
    }
}
