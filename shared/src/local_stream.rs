//! The table's stream tallied locally (feature `local-stream`): the clients the poller reads
//! and writes with, and the tests' "once the writes settle" ([`settle`]). `make dev` runs the
//! poller itself (`call-log-admin follow-stream`).

use std::collections::BTreeMap;

use aws_sdk_dynamodbstreams::Client as StreamsClient;

use crate::config;
use crate::store::dynamo::{Positions, StreamPoller};
use crate::store::{DynamoStore, StoreError};

/// The Streams client, pointed where the DynamoDB client is (the local engine serves both).
pub fn streams_client(sdk_config: &aws_config::SdkConfig) -> StreamsClient {
    let mut builder = aws_sdk_dynamodbstreams::config::Builder::from(sdk_config);
    if let Some(endpoint) = config::endpoint_override() {
        builder = builder.endpoint_url(endpoint);
    }
    StreamsClient::from_conf(builder.build())
}

/// Where [`settle`] left each items table's stream (its ARN and positions), for the whole
/// process: the next settle goes on from there, whichever test (and runtime) calls it. Held for
/// a whole drain, so two drains never apply the same records at once.
static SETTLED: tokio::sync::Mutex<BTreeMap<String, (String, Positions)>> =
    tokio::sync::Mutex::const_new(BTreeMap::new());

thread_local! {
    /// The clients a thread's settles use (a test's runtime lives on one thread; a client must
    /// not outlive the runtime whose connections it pools).
    static CLIENTS: std::cell::RefCell<Option<(aws_sdk_dynamodb::Client, StreamsClient)>> =
        const { std::cell::RefCell::new(None) };
}

/// This thread's plain DynamoDB client and Streams client, built on first use.
async fn thread_clients() -> Result<(aws_sdk_dynamodb::Client, StreamsClient), StoreError> {
    if let Some(clients) = CLIENTS.with(|cell| cell.borrow().clone()) {
        return Ok(clients);
    }
    let sdk_config = config::sdk_config().await.map_err(StoreError::Failed)?;
    let client = config::client_from(&sdk_config);
    let clients = (client, streams_client(&sdk_config));
    CLIENTS.with(|cell| *cell.borrow_mut() = Some(clients.clone()));
    Ok(clients)
}

/// Tallies every write made to `store`'s items table so far: drains the stream from where the
/// last settle of this process stopped, through this thread's own client (never one a test
/// routes through a fault injector).
pub async fn settle(store: &DynamoStore) -> Result<(), StoreError> {
    let (client, _) = thread_clients().await?;
    drain(store.with_client(client)).await
}

/// As [`settle`], but writing the tally through `store`'s own client: what a test that
/// measures the tally's capacity through the fault injector uses (alone in its process, since
/// it tallies every writer's records).
pub async fn settle_through(store: &DynamoStore) -> Result<(), StoreError> {
    drain(store.clone()).await
}

/// Drains the stream of `writer`'s table through `writer`, going on from where the process's
/// last settle stopped.
async fn drain(writer: DynamoStore) -> Result<(), StoreError> {
    let mut settled = SETTLED.lock().await;
    let mut poller = resume(&mut settled, writer).await?;
    let drained = poller.drain().await;
    let table = poller.items_table().to_string();
    settled.insert(table, poller.into_positions());
    drained
}

/// A poller of `writer`'s table, from the process's saved position (else the stream's start).
async fn resume(
    settled: &mut BTreeMap<String, (String, Positions)>,
    writer: DynamoStore,
) -> Result<StreamPoller, StoreError> {
    let (_, streams) = thread_clients().await?;
    match settled.remove(writer.items_table()) {
        Some((arn, positions)) => Ok(StreamPoller::resume(streams, writer, arn, positions)),
        None => StreamPoller::new(streams, writer).await,
    }
}

/// Makes this process's settles start after the stream's latest record: what was written
/// before (by another test binary on the same engine, or on purpose, as "before the stream")
/// is not this process's to tally.
pub async fn settle_from_now(store: &DynamoStore) -> Result<(), StoreError> {
    let (client, _) = thread_clients().await?;
    let mut settled = SETTLED.lock().await;
    let mut poller = resume(&mut settled, store.with_client(client)).await?;
    poller.skip_to_latest().await?;
    settled.insert(store.items_table().to_string(), poller.into_positions());
    Ok(())
}

#[cfg(feature = "test-support")]
impl crate::store::contract::Settles for DynamoStore {
    async fn settle(&self) {
        settle(self).await.expect("the stream is tallied");
    }
}
