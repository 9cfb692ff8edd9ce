//! The table's stream tallied locally (feature `local-stream`): the clients the poller reads
//! and writes with, and the tests' "once the writes settle" ([`settle`]). `make dev` runs the
//! poller itself (`call-log-admin follow-stream`).

use std::collections::BTreeMap;

use aws_sdk_dynamodbstreams::Client as StreamsClient;

use crate::config;
use crate::store::contract::Settles;
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
    let client = aws_sdk_dynamodb::Client::from_conf(config::client_config(&sdk_config).build());
    let clients = (client, streams_client(&sdk_config));
    CLIENTS.with(|cell| *cell.borrow_mut() = Some(clients.clone()));
    Ok(clients)
}

/// A poller of `store`'s table through this thread's own clients (never a client a test routes
/// through a fault injector), going on from where the process's last settle stopped.
async fn poller(store: &DynamoStore) -> Result<StreamPoller, StoreError> {
    let (client, streams) = thread_clients().await?;
    let plain = store.with_client(client);
    match SETTLED.lock().await.remove(plain.items_table()) {
        Some((arn, positions)) => Ok(StreamPoller::resume(streams, plain, arn, positions)),
        None => StreamPoller::new(streams, plain).await,
    }
}

/// Tallies every write made to `store`'s items table so far: drains the stream from where the
/// last settle of this process stopped.
pub async fn settle(store: &DynamoStore) -> Result<(), StoreError> {
    let mut settled = SETTLED.lock().await;
    let (client, streams) = thread_clients().await?;
    let plain = store.with_client(client);
    let mut poller = match settled.remove(plain.items_table()) {
        Some((arn, positions)) => StreamPoller::resume(streams, plain, arn, positions),
        None => StreamPoller::new(streams, plain).await?,
    };
    let drained = poller.drain().await;
    settled.insert(store.items_table().to_string(), poller.into_positions());
    drained
}

/// As [`settle`], but writing the tally through `store`'s own client: what a test that
/// measures the tally's capacity through the fault injector uses (alone in its process, since
/// it tallies every writer's records).
pub async fn settle_through(store: &DynamoStore) -> Result<(), StoreError> {
    let mut settled = SETTLED.lock().await;
    let (_, streams) = thread_clients().await?;
    let mut poller = match settled.remove(store.items_table()) {
        Some((arn, positions)) => StreamPoller::resume(streams, store.clone(), arn, positions),
        None => StreamPoller::new(streams, store.clone()).await?,
    };
    let drained = poller.drain().await;
    settled.insert(store.items_table().to_string(), poller.into_positions());
    drained
}

/// Makes this process's settles start after the stream's latest record: what was written
/// before (by another test binary on the same engine, or on purpose, as "before the stream")
/// is not this process's to tally.
pub async fn settle_from_now(store: &DynamoStore) -> Result<(), StoreError> {
    let mut poller = poller(store).await?;
    poller.skip_to_latest().await?;
    SETTLED
        .lock()
        .await
        .insert(store.items_table().to_string(), poller.into_positions());
    Ok(())
}

impl Settles for DynamoStore {
    async fn settle(&self) {
        settle(self).await.expect("the stream is tallied");
    }
}
