//! Idempotency keys of creates (SPEC §4), in the items table, in a partition of their own per
//! project: `projectId` = `<project>#idempotency`, `_id` = the client's key. A record is
//! claimed (`state` = `pending`, with the claiming request's `token`) before the create, and
//! marked `done`, with the created item, in the create's own transaction. DynamoDB's TTL
//! deletes it through the `ttl` attribute (epoch seconds) a day later; until then readers
//! treat an expired record as absent, since TTL deletes within days, not at once.
//!
//! Cost: one `PutItem` (the claim), then the item's `Put` and the record's `Update` in one
//! transaction: a create with a key writes 3 items where one without writes 1. A replay is
//! the claim's failed `PutItem` alone.

use aws_sdk_dynamodb::operation::put_item::builders::PutItemFluentBuilder;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};

use super::attributes::{from_attributes, to_attributes, Attributes};
use super::sdk_errors::from_sdk;
use super::transactions::Transaction;
use super::updates::new_write_token;
use super::DynamoStore;
use crate::model::{Field, Item, Timestamp};
use crate::store::{
    Claim, CreatesOnce, IdempotencyKey, StoreError, ABANDONED_CLAIM_SECONDS, IDEMPOTENCY_HOURS,
};

/// The TTL attribute of the items table (only idempotency records carry it).
pub const TTL_ATTRIBUTE: &str = "ttl";

const FINGERPRINT: &str = "fingerprint";
const STATE: &str = "state";
const TOKEN: &str = "token";
const CLAIMED_AT: &str = "claimedAt";
const ITEM: &str = "item";
const PENDING: &str = "pending";
const DONE: &str = "done";

/// The table key of an idempotency record.
fn record_key(key: &IdempotencyKey) -> Attributes {
    Attributes::from([
        (
            Field::ProjectId.name().to_string(),
            AttributeValue::S(format!("{}#idempotency", key.project)),
        ),
        (
            Field::Id.name().to_string(),
            AttributeValue::S(key.key.clone()),
        ),
    ])
}

fn text<'a>(record: &'a Attributes, name: &str) -> Option<&'a str> {
    match record.get(name) {
        Some(AttributeValue::S(text)) => Some(text),
        _ => None,
    }
}

fn number(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// When a record written at `now` expires, in epoch seconds.
fn expiry(now: Timestamp) -> i64 {
    now.epoch_millis() / 1000 + IDEMPOTENCY_HOURS * 3600
}

/// What an existing, live record means for a request with `key` and `token`.
fn existing(record: &Attributes, key: &IdempotencyKey, token: &str) -> Result<Claim, StoreError> {
    if text(record, TOKEN) == Some(token) {
        // Our own claim, whose answer was lost: the SDK sent the same request again.
        return Ok(Claim::Claimed {
            token: token.to_string(),
        });
    }
    if text(record, FINGERPRINT) != Some(key.fingerprint.as_str()) {
        return Ok(Claim::OtherRequest);
    }
    match (text(record, STATE), record.get(ITEM)) {
        (Some(DONE), Some(AttributeValue::M(item))) => {
            Ok(Claim::Done(Box::new(from_attributes(item)?)))
        }
        (Some(PENDING), _) => Ok(Claim::InFlight),
        _ => Err(StoreError::Corrupt(format!(
            "idempotency record {} is neither pending nor done with an item",
            key.key
        ))),
    }
}

impl DynamoStore {
    /// The claim of `key` for the request holding `token`: a conditional `PutItem` of a
    /// pending record. (Public for the benchmark, which sends the same calls as its bare
    /// baseline for a create with a key.)
    pub fn claim_request(
        &self,
        key: &IdempotencyKey,
        token: &str,
        now: Timestamp,
    ) -> PutItemFluentBuilder {
        self.client
            .put_item()
            .table_name(&self.items_table)
            .set_item(Some(record_key(key)))
            .item(FINGERPRINT, AttributeValue::S(key.fingerprint.clone()))
            .item(STATE, AttributeValue::S(PENDING.into()))
            .item(TOKEN, AttributeValue::S(token.to_string()))
            .item(CLAIMED_AT, number(now.epoch_millis()))
            .item(TTL_ATTRIBUTE, number(expiry(now)))
            // Free: never claimed, expired, or claimed by a request that died long ago.
            .condition_expression(
                "attribute_not_exists(#id) OR #ttl < :now \
                 OR (#state = :pending AND #claimedAt < :abandoned)",
            )
            .expression_attribute_names("#id", Field::Id.name())
            .expression_attribute_names("#ttl", TTL_ATTRIBUTE)
            .expression_attribute_names("#state", STATE)
            .expression_attribute_names("#claimedAt", CLAIMED_AT)
            .expression_attribute_values(":now", number(now.epoch_millis() / 1000))
            .expression_attribute_values(":pending", AttributeValue::S(PENDING.into()))
            .expression_attribute_values(
                ":abandoned",
                number(now.epoch_millis() - ABANDONED_CLAIM_SECONDS * 1000),
            )
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
    }

    /// The steps of a create with `key`: the create's own, and the record marked done with the
    /// item, on the condition that `token`'s claim still holds it. (Public for the benchmark.)
    pub fn create_once_steps(
        &self,
        item: &Item,
        key: &IdempotencyKey,
        token: &str,
        now: Timestamp,
    ) -> Vec<TransactWriteItem> {
        let done = Update::builder()
            .table_name(&self.items_table)
            .set_key(Some(record_key(key)))
            .update_expression("SET #state = :done, #item = :item, #ttl = :ttl REMOVE #token")
            .condition_expression("#token = :token AND #state = :pending")
            .expression_attribute_names("#state", STATE)
            .expression_attribute_names("#item", ITEM)
            .expression_attribute_names("#ttl", TTL_ATTRIBUTE)
            .expression_attribute_names("#token", TOKEN)
            .expression_attribute_values(":done", AttributeValue::S(DONE.into()))
            .expression_attribute_values(":item", AttributeValue::M(to_attributes(item)))
            .expression_attribute_values(":ttl", number(expiry(now)))
            .expression_attribute_values(":token", AttributeValue::S(token.into()))
            .expression_attribute_values(":pending", AttributeValue::S(PENDING.into()))
            .build()
            .expect("table, key and expressions are set");
        let put = Put::builder()
            .table_name(&self.items_table)
            .set_item(Some(self.created(item, &new_write_token())))
            .condition_expression("attribute_not_exists(#id)")
            .expression_attribute_names("#id", Field::Id.name())
            .build()
            .expect("table and item are set");
        vec![
            TransactWriteItem::builder().put(put).build(),
            TransactWriteItem::builder().update(done).build(),
        ]
    }
}

impl CreatesOnce for DynamoStore {
    async fn claim(&self, key: &IdempotencyKey, now: Timestamp) -> Result<Claim, StoreError> {
        let token = uuid::Uuid::new_v4().to_string();
        let result = self.claim_request(key, &token, now).send().await;
        match result {
            Ok(_) => Ok(Claim::Claimed { token }),
            Err(error) => match error.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(failed)) => {
                    match failed.item() {
                        Some(record) => existing(record, key, &token),
                        None => Err(StoreError::Corrupt(
                            "a claim failed without the record that failed it".into(),
                        )),
                    }
                }
                _ => Err(from_sdk("PutItem", error)),
            },
        }
    }

    async fn create_once(
        &self,
        item: &Item,
        key: &IdempotencyKey,
        token: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let steps = self.create_once_steps(item, key, token, now);
        // The record's step comes last.
        let record_step = steps.len() - 1;
        match self.transact(steps).await {
            Ok(()) => Ok(()),
            Err(Transaction::ConditionFailed { step, .. }) if step == record_step => {
                Err(StoreError::Conflict)
            }
            Err(Transaction::ConditionFailed { .. }) => Err(StoreError::IdTaken),
            Err(Transaction::Failed(error)) => Err(error),
        }
    }

    async fn release(&self, key: &IdempotencyKey, token: &str) -> Result<(), StoreError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.items_table)
            .set_key(Some(record_key(key)))
            .condition_expression("#token = :token AND #state = :pending")
            .expression_attribute_names("#token", TOKEN)
            .expression_attribute_names("#state", STATE)
            .expression_attribute_values(":token", AttributeValue::S(token.into()))
            .expression_attribute_values(":pending", AttributeValue::S(PENDING.into()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(error) => Err(from_sdk("DeleteItem", error)),
        }
    }
}
