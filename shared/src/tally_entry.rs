//! The `tally` function: Lambda hands it batches of the items table's stream (event source
//! mapping, in order per shard); it works out what each batch changes and writes it
//! ([`crate::store::dynamo::Changes`]). A failed batch answers with an error, so Lambda
//! retries it (then sends it to the dead-letter queue); the writes are exact however often a
//! batch is repeated.

use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use lambda_http::lambda_runtime::{self, service_fn, LambdaEvent};
use lambda_http::Error;

use crate::config::{self, Tables};
use crate::logging;
use crate::store::dynamo::{DynamoStore, StreamRecord};

/// What `functions/tally`'s `main` calls.
pub fn main() -> Result<(), Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> Result<(), Error> {
    logging::init();
    let tables = Tables::from_env();
    let client = config::function_client().map_err(|problem| {
        tracing::error!(problem, "cannot start");
        Error::from(problem)
    })?;
    let store = DynamoStore::new(client, tables.items, tables.keys);
    let store = &store;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Event>| async move {
        let request_id = event.context.request_id.clone();
        let records = records(&event.payload);
        match store.tally(&records).await {
            Ok(applied) => {
                tracing::info!(
                    request_id,
                    records = records.len(),
                    entries = applied.entries,
                    counters = applied.counters,
                    steps_already_taken = applied.steps_skipped,
                    "batch tallied"
                );
                Ok(())
            }
            Err(error) => {
                tracing::error!(request_id, records = records.len(), %error, "batch not tallied");
                Err(Error::from(error.to_string()))
            }
        }
    }))
    .await
}

/// The stream records of a Lambda event, in the event's order.
pub fn records(event: &Event) -> Vec<StreamRecord> {
    event.records.iter().map(record).collect()
}

fn record(record: &EventRecord) -> StreamRecord {
    let image = |image: &serde_dynamo::Item| {
        (!image.is_empty()).then(|| {
            image
                .clone()
                .into_inner()
                .into_iter()
                .map(|(name, value)| (name, value.into()))
                .collect()
        })
    };
    StreamRecord {
        sequence: record.change.sequence_number.clone().unwrap_or_default(),
        old: image(&record.change.old_image),
        new: image(&record.change.new_image),
    }
}
