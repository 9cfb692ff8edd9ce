//! The local stand-in for Lambda's event source mapping (`make dev`, `make test`): reads the
//! items table's stream shard by shard, in order, from its oldest record, and hands each batch
//! to the `tally` function's own code. Starting from the oldest record every time is safe:
//! counters take each record once (their marks) and entries are put or removed by key.
//!
//! Built only with the `local-stream` feature; the functions do not link it. The clients and
//! the tests' settling are in `local_stream.rs`.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use aws_sdk_dynamodbstreams::types::{AttributeValue as StreamsValue, Record, ShardIteratorType};
use aws_sdk_dynamodbstreams::Client as StreamsClient;

use super::attributes::Attributes;
use super::tally::{Applied, StreamRecord};
use super::DynamoStore;
use crate::store::StoreError;

/// Lambda's largest batch from a DynamoDB stream.
const BATCH_SIZE: i32 = 1000;

/// Where each shard of a stream is read next (a shard iterator); `None` once a closed shard is
/// read to its end.
pub type Positions = BTreeMap<String, Option<String>>;

/// Reads one table's stream and tallies what it reads.
#[derive(Debug)]
pub struct StreamPoller {
    streams: StreamsClient,
    store: DynamoStore,
    stream_arn: String,
    positions: Positions,
}

fn streams_error(operation: &str, error: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(format!("DynamoDB Streams {operation} failed: {error}"))
}

/// A stream record as the tally reads it (the same shape Lambda's event gives).
fn stream_record(record: &Record) -> Option<StreamRecord> {
    let change = record.dynamodb()?;
    Some(StreamRecord {
        sequence: change.sequence_number()?.to_string(),
        old: change.old_image.as_ref().map(attributes),
        new: change.new_image.as_ref().map(attributes),
    })
}

/// An image in the Streams SDK's types, in the DynamoDB SDK's.
fn attributes(image: &HashMap<String, StreamsValue>) -> Attributes {
    image
        .iter()
        .map(|(name, value)| {
            let value = serde_dynamo::AttributeValue::from(value.clone());
            (name.clone(), value.into())
        })
        .collect()
}

impl StreamPoller {
    /// A poller of `store`'s items table, whose stream must be on (`create_items_table`),
    /// from each shard's oldest record.
    pub async fn new(
        streams: StreamsClient,
        store: DynamoStore,
    ) -> Result<StreamPoller, StoreError> {
        let stream_arn = super::tables::stream_arn(&store.client, &store.items_table)
            .await?
            .ok_or_else(|| {
                StoreError::Failed(format!("table {} has no stream", store.items_table))
            })?;
        Ok(StreamPoller::resume(
            streams,
            store,
            stream_arn,
            Positions::new(),
        ))
    }

    /// A poller that goes on from `positions` of the stream `stream_arn`.
    pub fn resume(
        streams: StreamsClient,
        store: DynamoStore,
        stream_arn: String,
        positions: Positions,
    ) -> StreamPoller {
        StreamPoller {
            streams,
            store,
            stream_arn,
            positions,
        }
    }

    /// The items table whose stream this reads.
    pub fn items_table(&self) -> &str {
        self.store.items_table()
    }

    /// The stream read, and where each shard is read next.
    pub fn into_positions(self) -> (String, Positions) {
        (self.stream_arn, self.positions)
    }

    /// Every shard read from now on: records already in the stream are left alone.
    pub async fn skip_to_latest(&mut self) -> Result<(), StoreError> {
        self.positions.clear();
        self.discover_shards_at(ShardIteratorType::Latest).await
    }

    /// One round: every shard read from where it stopped until it has nothing more, each batch
    /// tallied. How many records it read, and what they wrote.
    pub async fn poll(&mut self) -> Result<(usize, Applied), StoreError> {
        self.discover_shards().await?;
        let mut read = 0;
        let mut total = Applied::default();
        let shards: Vec<String> = self.positions.keys().cloned().collect();
        for shard in shards {
            while let Some(Some(iterator)) = self.positions.get(&shard).cloned() {
                let output = self
                    .streams
                    .get_records()
                    .shard_iterator(iterator)
                    .limit(BATCH_SIZE)
                    .send()
                    .await
                    .map_err(|error| streams_error("GetRecords", error))?;
                let records: Vec<StreamRecord> =
                    output.records().iter().filter_map(stream_record).collect();
                if !records.is_empty() {
                    let applied = self.store.tally(&records).await?;
                    read += records.len();
                    total.entries += applied.entries;
                    total.counters += applied.counters;
                    total.steps_skipped += applied.steps_skipped;
                }
                let more = records.len() == BATCH_SIZE as usize;
                self.positions.insert(
                    shard.clone(),
                    output.next_shard_iterator().map(str::to_string),
                );
                if !more {
                    break;
                }
            }
        }
        Ok((read, total))
    }

    /// Polls until a round reads nothing: every write made before the call is tallied.
    pub async fn drain(&mut self) -> Result<(), StoreError> {
        while self.poll().await?.0 > 0 {}
        Ok(())
    }

    /// Polls every `interval` until the task is dropped; a failed round is logged and tried
    /// again (as Lambda retries a batch).
    pub async fn run(mut self, interval: Duration) {
        loop {
            match self.poll().await {
                Ok((0, _)) => {}
                Ok((records, applied)) => tracing::info!(
                    records,
                    entries = applied.entries,
                    counters = applied.counters,
                    "batch tallied"
                ),
                Err(error) => tracing::warn!(%error, "batch not tallied; tried again"),
            }
            tokio::time::sleep(interval).await;
        }
    }

    /// Shards not seen yet start at their oldest record (or at `start`).
    async fn discover_shards(&mut self) -> Result<(), StoreError> {
        self.discover_shards_at(ShardIteratorType::TrimHorizon)
            .await
    }

    async fn discover_shards_at(&mut self, start: ShardIteratorType) -> Result<(), StoreError> {
        let description = self
            .streams
            .describe_stream()
            .stream_arn(&self.stream_arn)
            .send()
            .await
            .map_err(|error| streams_error("DescribeStream", error))?;
        let shards = description
            .stream_description()
            .map(|d| d.shards().to_vec())
            .unwrap_or_default();
        for shard in shards {
            let Some(id) = shard.shard_id() else { continue };
            if self.positions.contains_key(id) {
                continue;
            }
            let iterator = self
                .streams
                .get_shard_iterator()
                .stream_arn(&self.stream_arn)
                .shard_id(id)
                .shard_iterator_type(start.clone())
                .send()
                .await
                .map_err(|error| streams_error("GetShardIterator", error))?;
            self.positions.insert(
                id.to_string(),
                iterator.shard_iterator().map(str::to_string),
            );
        }
        Ok(())
    }
}
