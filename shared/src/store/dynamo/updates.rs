//! Updates: only the fields sent change, `updatedAt` is refreshed and `version` goes up by one,
//! in one atomic write — applied once however often the SDK sends it (SPEC §5).
//!
//! Every update is one `UpdateItem` of the item alone (a changed `status` or `isAnswered`
//! moves its counts and entries through the table's stream, `tally/`). It also writes a token
//! of its own into the item's last four write tokens (`wt0`, newest, to `wt3`; a create writes
//! `wt0`): a retry that fails its condition and finds its token in the returned item knows its
//! first attempt was applied, even when up to three other updates came in between.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};

use super::attributes::{field_attribute, Attributes};
use super::items::{condition_failure, existence_condition, item_key};
use super::sdk_errors::from_sdk;
use super::DynamoStore;
use crate::model::{Field, ItemPatch, ObjectId, Timestamp};
use crate::store::StoreError;

/// The attributes holding the tokens of the last plain updates applied to an item, newest
/// first: each update shifts them along and writes its own into the first.
pub const WRITE_TOKENS: [&str; 4] = ["wt0", "wt1", "wt2", "wt3"];
/// Where the version before this one kept its single token (read, for a retry of an update
/// that version sent while a deploy replaced it; no longer written).
const LEGACY_WRITE_TOKEN: &str = "writeToken";

/// A new write token: 64 random bits in 16 hex digits (short, since every item carries four).
pub(super) fn new_write_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..16].to_string()
}

/// Whether `old` holds `token` among its write tokens.
pub(super) fn holds_write_token(old: Option<&Attributes>, token: &str) -> bool {
    let Some(old) = old else { return false };
    WRITE_TOKENS
        .iter()
        .chain([&LEGACY_WRITE_TOKEN])
        .any(|name| matches!(old.get(*name), Some(AttributeValue::S(held)) if held == token))
}

/// An update expression's parts with their placeholders.
struct Changes {
    sets: Vec<String>,
    removes: Vec<String>,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Changes {
    fn expression(&self) -> String {
        let mut expression = format!("SET {}", self.sets.join(", "));
        if !self.removes.is_empty() {
            expression.push_str(&format!(" REMOVE {}", self.removes.join(", ")));
        }
        expression
    }
}

/// `SET` the fields `patch` sends, `REMOVE` those it clears, `updatedAt = now`,
/// `version = version + 1`.
fn changes(patch: &ItemPatch, now: Timestamp) -> Changes {
    let mut names = HashMap::from([
        ("#version".to_string(), Field::Version.name().to_string()),
        (
            "#updatedAt".to_string(),
            Field::UpdatedAt.name().to_string(),
        ),
    ]);
    let mut values = HashMap::from([
        (":one".to_string(), AttributeValue::N("1".into())),
        (":now".to_string(), AttributeValue::S(now.to_iso())),
    ]);
    let mut sets = Vec::new();
    let mut removes = Vec::new();
    for (field, value) in patch.changes() {
        let name = format!("#f{}", field as usize);
        names.insert(name.clone(), field.name().to_string());
        match field_attribute(value) {
            Some(attribute) => {
                let placeholder = format!(":f{}", field as usize);
                sets.push(format!("{name} = {placeholder}"));
                values.insert(placeholder, attribute);
            }
            None => removes.push(name),
        }
    }
    sets.push("#updatedAt = :now".into());
    sets.push("#version = #version + :one".into());
    Changes {
        sets,
        removes,
        names,
        values,
    }
}

impl DynamoStore {
    pub(super) async fn apply_patch(
        &self,
        project: ObjectId,
        id: ObjectId,
        patch: &ItemPatch,
        expected_version: Option<i64>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let token = new_write_token();
        let mut changes = changes(patch, now);
        // wt3 = wt2, wt2 = wt1, wt1 = wt0 (as they were before this write), wt0 = the token.
        for slot in (1..WRITE_TOKENS.len()).rev() {
            changes
                .sets
                .push(format!("#wt{slot} = if_not_exists(#wt{}, :none)", slot - 1));
        }
        changes.sets.push("#wt0 = :token".into());
        let expression = changes.expression();
        let Changes {
            mut names,
            mut values,
            ..
        } = changes;
        names.insert("#id".into(), Field::Id.name().into());
        for (slot, name) in WRITE_TOKENS.iter().enumerate() {
            names.insert(format!("#wt{slot}"), name.to_string());
        }
        values.insert(":token".into(), AttributeValue::S(token.clone()));
        values.insert(":none".into(), AttributeValue::S("-".into()));
        if let Some(version) = expected_version {
            values.insert(":expected".into(), AttributeValue::N(version.to_string()));
        }
        // Never applied twice: a retry of an update already applied fails this condition,
        // and finds its own token below.
        let slots: Vec<String> = (0..WRITE_TOKENS.len())
            .map(|slot| format!("#wt{slot}"))
            .collect();
        let condition = format!(
            "{} AND NOT (:token IN ({}))",
            existence_condition(expected_version),
            slots.join(", ")
        );
        let result = self
            .client
            .update_item()
            .table_name(&self.items_table)
            .set_key(Some(item_key(project, id)))
            .update_expression(expression)
            .condition_expression(condition)
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error) => match error.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(failed)) => {
                    if holds_write_token(failed.item(), &token) {
                        return Ok(());
                    }
                    Err(condition_failure(failed.item(), expected_version))
                }
                _ => Err(from_sdk("UpdateItem", error)),
            },
        }
    }
}
