//! Writing a batch's changes: the entries with `BatchWriteItem` (a `Put` or `Delete` of a key,
//! the same whenever it is repeated), and each counter with one `UpdateItem` that adds the
//! batch's steps and moves the counter's mark to the last of them.
//!
//! Exactly once: a counter's mark (`tallyMark`) is the sequence number of the last record it
//! took. The update is conditional on the mark being below the first step it adds; when it is
//! not (Lambda retries a batch, whole or split, after part of it was written), the stored mark
//! says which steps the counter already has, and the rest are added, conditional on that mark.
//! This relies on one item's records, and so a project's, coming in sequence order: the stream
//! keeps one partition key's records in order, and Lambda reads a shard's children only after
//! the shard itself.

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, DeleteRequest, PutRequest, ReturnValuesOnConditionCheckFailure, WriteRequest,
};

use super::super::batches::Pacing;
use super::super::counters::{counter_key, ITEM_COUNT};
use super::super::entries::entry_key;
use super::super::sdk_errors::from_sdk;
use super::changes::{Changes, CounterChange, EntryChange, Sequence, StreamRecord};
use crate::store::dynamo::DynamoStore;
use crate::store::StoreError;

/// The attribute of a counter holding the sequence number of the last record it took.
pub const TALLY_MARK: &str = "tallyMark";

/// `BatchWriteItem` takes at most 25 requests.
const BATCH_WRITE_LIMIT: usize = 25;

/// What applying a batch wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// Entries put or removed.
    pub entries: usize,
    /// Counters moved.
    pub counters: usize,
    /// Counter steps found already taken (a retried batch).
    pub steps_skipped: usize,
}

impl DynamoStore {
    /// Tallies a batch of stream records, in stream order: what the `tally` function and the
    /// local poller both do with each batch.
    pub async fn tally(&self, records: &[StreamRecord]) -> Result<Applied, StoreError> {
        self.apply_changes(&Changes::of(records)?).await
    }

    /// Writes `changes`: safe to repeat, whole or in part, and exact however often it is.
    async fn apply_changes(&self, changes: &Changes) -> Result<Applied, StoreError> {
        let mut applied = Applied::default();
        for chunk in changes.entries.chunks(BATCH_WRITE_LIMIT) {
            self.write_entries(chunk).await?;
            applied.entries += chunk.len();
        }
        for counter in &changes.counters {
            let (moved, skipped) = self.move_counter(counter).await?;
            applied.counters += usize::from(moved);
            applied.steps_skipped += skipped;
        }
        Ok(applied)
    }

    async fn write_entries(&self, entries: &[EntryChange]) -> Result<(), StoreError> {
        let mut requests: Vec<WriteRequest> = entries
            .iter()
            .map(|entry| {
                let key = entry_key(entry.project, &entry.tally, entry.id);
                if entry.present {
                    let put = PutRequest::builder().set_item(Some(key)).build();
                    WriteRequest::builder()
                        .put_request(put.expect("item is set"))
                        .build()
                } else {
                    let delete = DeleteRequest::builder().set_key(Some(key)).build();
                    WriteRequest::builder()
                        .delete_request(delete.expect("key is set"))
                        .build()
                }
            })
            .collect();
        let mut pacing = Pacing::default();
        while !requests.is_empty() {
            let asked = requests.len();
            let output = self
                .client
                .batch_write_item()
                .request_items(&self.items_table, requests)
                .send()
                .await
                .map_err(|error| from_sdk("BatchWriteItem", error))?;
            requests = output
                .unprocessed_items
                .and_then(|mut left| left.remove(&self.items_table))
                .unwrap_or_default();
            if !requests.is_empty() {
                pacing
                    .before_the_rest("BatchWriteItem", asked, requests.len())
                    .await?;
            }
        }
        Ok(())
    }

    /// Adds the steps the counter has not taken yet; whether it wrote, and how many steps it
    /// found already taken.
    async fn move_counter(&self, counter: &CounterChange) -> Result<(bool, usize), StoreError> {
        let Some((last, _)) = counter.steps.last() else {
            return Ok((false, 0));
        };
        // The mark the counter is known to hold: none known at first.
        let mut known: Option<Sequence> = None;
        loop {
            let pending: Vec<&(Sequence, i64)> = counter
                .steps
                .iter()
                .filter(|(sequence, _)| known.as_ref().is_none_or(|mark| sequence > mark))
                .collect();
            let skipped = counter.steps.len() - pending.len();
            let sum: i64 = pending.iter().map(|(_, step)| step).sum();
            let Some((first, _)) = pending.first() else {
                return Ok((false, skipped));
            };
            if sum == 0 {
                // Nothing to add (an item created and removed in the batch): no write.
                return Ok((false, skipped));
            }
            let update = self
                .client
                .update_item()
                .table_name(&self.items_table)
                .set_key(Some(counter_key(counter.project, &counter.scope)))
                .update_expression("ADD #count :sum SET #mark = :last")
                .expression_attribute_names("#count", ITEM_COUNT)
                .expression_attribute_names("#mark", TALLY_MARK)
                .expression_attribute_values(":sum", AttributeValue::N(sum.to_string()))
                .expression_attribute_values(":last", AttributeValue::S(last.as_str().into()))
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                );
            let update = match &known {
                None => update
                    .condition_expression("attribute_not_exists(#mark) OR #mark < :first")
                    .expression_attribute_values(
                        ":first",
                        AttributeValue::S(first.as_str().into()),
                    ),
                Some(mark) => update
                    .condition_expression("#mark = :known")
                    .expression_attribute_values(":known", AttributeValue::S(mark.as_str().into())),
            };
            match update.send().await {
                Ok(_) => return Ok((true, skipped)),
                Err(error) => match error.as_service_error() {
                    Some(UpdateItemError::ConditionalCheckFailedException(failed)) => {
                        known = match failed.item().and_then(|old| old.get(TALLY_MARK)) {
                            Some(AttributeValue::S(mark)) => Some(Sequence::stored(mark)?),
                            _ => {
                                return Err(StoreError::Corrupt(format!(
                                    "counter {:?} refused its steps but has no mark",
                                    counter.scope
                                )))
                            }
                        };
                    }
                    _ => return Err(from_sdk("UpdateItem", error)),
                },
            }
        }
    }
}
