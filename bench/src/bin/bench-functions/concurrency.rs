//! The concurrency row: requests per second of one process at `AWS_LAMBDA_MAX_CONCURRENCY` 1
//! and 8, with the local engine behind a proxy that adds a fixed latency to every call, so that
//! waiting, not CPU, dominates a request (as it does against DynamoDB in a region).
//!
//! Each run queues all its events at once and times the first delivery to the last answer.
//! It checks what concurrency must not cost: every event answered exactly once, every create
//! its own item, and the project's count equal to the items created.

use std::collections::HashSet;
use std::time::Duration;

use call_log_item::auth::mint_key;
use call_log_item::model::{ObjectId, Permission};
use call_log_item::query::Filter;
use call_log_item::store::ItemQueries;
use call_log_item::Operation;
use runtime_api::{most_in_flight, RuntimeApi};
use serde_json::Value;
use testkit::latency::LatencyProxy;

use super::subjects::{spawn_with, stop, Subject};
use super::{event, Fixture};

/// Added to every DynamoDB answer: long enough that waiting dominates a create too, whose
/// transaction costs the local engine milliseconds of CPU on this machine (DynamoDB Local took
/// about 10 ms: at a 10 ms latency the create row measured the emulator's CPU, not the
/// function: 2.15x).
pub const CALL_LATENCY: Duration = Duration::from_millis(50);

pub struct Throughput {
    pub per_second: f64,
    pub most_in_flight: usize,
}

/// `requests` events of `operation` through one process at `concurrency`, on a project of
/// its own; panics if an event is lost, answered twice or answered with an error, or if the
/// count of a create run is off.
pub async fn throughput(
    operation: Operation,
    concurrency: usize,
    requests: usize,
    fixture: &Fixture,
    proxy: &LatencyProxy,
) -> Throughput {
    if operation == Operation::Create {
        // The count checked below is this run's project's alone: its tally need not wait for
        // the thousands of writes the stages before made, which a drain through the functions'
        // 2 s operation timeout could not keep up with on this machine.
        call_log_item::local_stream::settle_from_now(&fixture.keys)
            .await
            .expect("the stream's latest position");
    }
    let project = ObjectId::from_uuid(uuid::Uuid::new_v4());
    let key = mint_key(
        &fixture.keys,
        project,
        vec![Permission::ProjectAdmin],
        Some("bench concurrency".into()),
        None,
    )
    .await
    .unwrap();
    let item = match operation {
        Operation::GetItem => Some(fixture.item_in(project).await),
        _ => None,
    };
    let api = RuntimeApi::start().await.expect("Runtime API");
    let child = spawn_with(
        Subject::Function(operation),
        &api,
        &[
            ("AWS_LAMBDA_MAX_CONCURRENCY", concurrency.to_string()),
            ("AWS_ENDPOINT_URL_DYNAMODB", proxy.endpoint()),
        ],
    );
    let id = item.unwrap_or_else(|| ObjectId::from_uuid(uuid::Uuid::new_v4()));
    // One request first: the process is up and has its key cached, as a warm one would.
    let warm = api.invoke(event(operation, &key, id, fixture.call_log));
    answered(&warm.await.unwrap().body);
    let pending: Vec<_> = (0..requests)
        .map(|_| api.invoke(event(operation, &key, id, fixture.call_log)))
        .collect();
    let mut answers = Vec::with_capacity(requests);
    for answer in pending {
        answers.push(
            tokio::time::timeout(Duration::from_secs(120), answer)
                .await
                .expect("an answer within 120 s")
                .unwrap(),
        );
    }
    stop(child);
    let first = answers.iter().filter_map(|a| a.delivered).min().unwrap();
    let last = answers.iter().map(|a| a.at).max().unwrap();
    let bodies: Vec<Value> = answers.iter().map(|a| answered(&a.body)).collect();
    assert_eq!(
        api.answers_posted(),
        requests + 1,
        "an event answered twice"
    );
    if operation == Operation::Create {
        let ids: HashSet<&str> = bodies.iter().filter_map(|b| b["_id"].as_str()).collect();
        assert_eq!(ids.len(), requests, "each create its own item");
        // Counts follow the stream: tally what it holds first.
        call_log_item::local_stream::settle(&fixture.keys)
            .await
            .expect("the stream is tallied");
        let count = fixture
            .keys
            .count(project, &Filter::default())
            .await
            .unwrap();
        assert_eq!(count, requests as u64 + 1, "the count is exact");
    }
    Throughput {
        per_second: requests as f64 / (last - first).as_secs_f64(),
        most_in_flight: most_in_flight(&answers),
    }
}

/// The body of a 200 answer (panics on anything else).
fn answered(text: &str) -> Value {
    let response: Value = serde_json::from_str(text).expect("a JSON response");
    assert_eq!(response["statusCode"], 200, "{text}");
    serde_json::from_str(response["body"].as_str().unwrap_or("{}")).unwrap_or(Value::Null)
}
