//! Writing a batch's changes: the entries with `BatchWriteItem` (a `Put` or `Delete` of a key,
//! the same whenever it is repeated), and each counter item with one `UpdateItem` that adds the
//! batch's steps to the counts it holds and moves the item's mark to the last of them: the
//! project's counter item once per batch (its count and the values folded into it, see
//! `counters.rs`), and the item of each value counted apart.
//!
//! Exactly once: a counter item's mark (`tallyMark`) is the sequence number of the last record
//! it took. The update is conditional on the mark being below the first step it adds; when it
//! is not (Lambda retries a batch, whole or split, after part of it was written), the stored
//! mark says which steps the item already has, and the rest are added, conditional on that
//! mark. This relies on one item's records, and so a project's, coming in sequence order: the
//! stream keeps one partition key's records in order, and Lambda reads a shard's children only
//! after the shard itself. A value's place is decided the same way on a retry: a value folded
//! by a write that happened is in the item, and one that did not fit still does not.

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, DeleteRequest, PutRequest, ReturnValuesOnConditionCheckFailure, WriteRequest,
};

use super::super::attributes::Attributes;
use super::super::batches::Pacing;
use super::super::counters::{counter_item, counter_key, folded_name, Folded, Scope, ITEM_COUNT};
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
        // The counters come sorted by project: one project's at a time.
        for project in changes.counters.chunk_by(|a, b| a.project == b.project) {
            for (key, counts) in self.counter_items(project).await? {
                let (moved, skipped) = self.move_counter(key, &counts).await?;
                applied.counters += usize::from(moved);
                applied.steps_skipped += skipped;
            }
        }
        Ok(applied)
    }

    /// The counter items one project's changes move, each with the counts (attribute and
    /// steps) it holds: the project's item, with the values folded into it, then each value
    /// counted apart.
    async fn counter_items<'a>(
        &self,
        changes: &'a [CounterChange],
    ) -> Result<Vec<(Attributes, Vec<Count<'a>>)>, StoreError> {
        let Some(project) = changes.first().map(|change| change.project) else {
            return Ok(Vec::new());
        };
        let project_key = counter_key(project, &Scope::Project);
        let mut folded = if changes.iter().any(|c| matches!(c.scope, Scope::Value(_))) {
            let item = counter_item(&self.client, &self.items_table, project_key.clone());
            Folded::of(item.await?.as_ref())
        } else {
            Folded::default()
        };
        let mut in_project = Vec::new();
        let mut apart = Vec::new();
        for change in changes {
            let steps = change.steps.as_slice();
            match &change.scope {
                Scope::Project => in_project.push((ITEM_COUNT.to_string(), steps)),
                Scope::Value(tally) => {
                    let name = folded_name(tally);
                    if folded.takes(&name) {
                        in_project.push((name, steps));
                    } else {
                        let key = counter_key(project, &change.scope);
                        apart.push((key, vec![(ITEM_COUNT.to_string(), steps)]));
                    }
                }
            }
        }
        let mut items = vec![(project_key, in_project)];
        items.extend(apart);
        Ok(items)
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

    /// Adds to each count of a counter item the steps the item has not taken yet; whether it
    /// wrote, and how many steps it found already taken.
    async fn move_counter(
        &self,
        key: Attributes,
        counts: &[Count<'_>],
    ) -> Result<(bool, usize), StoreError> {
        let Some(last) = counts
            .iter()
            .filter_map(|(_, steps)| steps.last().map(|(sequence, _)| sequence))
            .max()
        else {
            return Ok((false, 0));
        };
        let all_steps: usize = counts.iter().map(|(_, steps)| steps.len()).sum();
        // The mark the item is known to hold: none known at first.
        let mut known: Option<Sequence> = None;
        loop {
            let is_pending =
                |sequence: &Sequence| known.as_ref().is_none_or(|mark| sequence > mark);
            let mut first: Option<&Sequence> = None;
            let mut pending_steps = 0;
            let mut sums = Vec::new();
            for (attribute, steps) in counts {
                let mut sum = 0;
                for (sequence, step) in steps.iter().filter(|(s, _)| is_pending(s)) {
                    first = Some(first.map_or(sequence, |f| f.min(sequence)));
                    pending_steps += 1;
                    sum += step;
                }
                if sum != 0 {
                    sums.push((attribute, sum));
                }
            }
            let skipped = all_steps - pending_steps;
            let Some(first) = first else {
                return Ok((false, skipped));
            };
            if sums.is_empty() {
                // Nothing to add (items created and removed in the batch): no write.
                return Ok((false, skipped));
            }
            let adds: Vec<String> = (0..sums.len()).map(|n| format!("#c{n} :s{n}")).collect();
            let mut update = self
                .client
                .update_item()
                .table_name(&self.items_table)
                .set_key(Some(key.clone()))
                .update_expression(format!("ADD {} SET #mark = :last", adds.join(", ")))
                .expression_attribute_names("#mark", TALLY_MARK)
                .expression_attribute_values(":last", AttributeValue::S(last.as_str().into()))
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                );
            for (n, (attribute, sum)) in sums.iter().enumerate() {
                update = update
                    .expression_attribute_names(format!("#c{n}"), attribute.as_str())
                    .expression_attribute_values(
                        format!(":s{n}"),
                        AttributeValue::N(sum.to_string()),
                    );
            }
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
                                    "counter item {key:?} refused its steps but has no mark"
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

/// One count of a counter item: its attribute, and the batch's steps for it.
type Count<'a> = (String, &'a [(Sequence, i64)]);
