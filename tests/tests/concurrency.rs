//! One process, many invocations: the real `create` binary under a local Lambda Runtime API,
//! with the local engine behind a proxy that gives every call the latency of a region.
//!
//! With `AWS_LAMBDA_MAX_CONCURRENCY=8` (Lambda Managed Instances) the process takes eight
//! events at once; without it (classic Lambda) one at a time, as before. Either way every event
//! is answered once and the project's count stays exact.
//!
//! Needs the function binaries and the `make test` local engine: `make test` runs it with
//! `--include-ignored` after building them (`FUNCTION_BIN_DIR`, default `target/debug`).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use call_log_item::auth::mint_key;
use call_log_item::config::{dynamodb_client, Config};
use call_log_item::model::{ObjectId, Permission};
use call_log_item::query::Filter;
use call_log_item::store::{DynamoStore, ItemQueries};
use runtime_api::{most_in_flight, Answer, RuntimeApi};
use serde_json::{json, Value};
use testkit::latency::{address_of, LatencyProxy};
use testkit::{EventSpec, Payload};

/// What one DynamoDB call costs through the proxy: long enough that overlapping requests
/// cannot be mistaken for fast sequential ones.
const CALL_LATENCY: Duration = Duration::from_millis(150);
const PATH: &str = "/api/incoming-call-log-item";

fn binary(name: &str) -> PathBuf {
    let dir = std::env::var("FUNCTION_BIN_DIR").map_or_else(
        |_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/debug"),
        PathBuf::from,
    );
    dir.join(name)
}

struct Project {
    store: DynamoStore,
    id: ObjectId,
    key: String,
    proxy: LatencyProxy,
}

static STREAM_FROM_NOW: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();

async fn project() -> Project {
    let config = Config::from_env().expect("the make test settings");
    let client = dynamodb_client().await.expect("DynamoDB client");
    let store = DynamoStore::new(client, &config.items_table, &config.keys_table);
    // This process tallies its own writes (earlier test binaries tallied theirs); once, so as
    // not to skip what the other test of this binary wrote meanwhile.
    STREAM_FROM_NOW
        .get_or_init(|| async {
            call_log_item::local_stream::settle_from_now(&store)
                .await
                .expect("the stream's latest position")
        })
        .await;
    let id = ObjectId::from_uuid(uuid::Uuid::new_v4());
    let key = mint_key(&store, id, vec![Permission::ProjectAdmin], None, None)
        .await
        .expect("a key");
    let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODB").expect("the local engine's URL");
    let upstream = address_of(&endpoint).expect("a loopback local engine");
    let proxy = LatencyProxy::start(upstream, CALL_LATENCY).await.unwrap();
    Project {
        store,
        id,
        key,
        proxy,
    }
}

/// The `create` binary polling `api`, reaching DynamoDB through the proxy.
fn start_create(api: &RuntimeApi, project: &Project, concurrency: Option<usize>) -> Child {
    let mut command = Command::new(binary("create"));
    command
        .env("AWS_LAMBDA_RUNTIME_API", api.address.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "create")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "2048")
        .env("AWS_ENDPOINT_URL_DYNAMODB", project.proxy.endpoint())
        .env_remove("AWS_LAMBDA_MAX_CONCURRENCY")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    if let Some(concurrency) = concurrency {
        command.env("AWS_LAMBDA_MAX_CONCURRENCY", concurrency.to_string());
    }
    command.spawn().unwrap_or_else(|e| {
        panic!(
            "{}: {e} (make test builds it; or set FUNCTION_BIN_DIR)",
            binary("create").display()
        )
    })
}

fn create_event(project: &Project) -> String {
    let body = json!({"data": {"incomingCallLogId": uuid::Uuid::new_v4().to_string(), "status": "Ringing"}})
        .to_string();
    let headers = [
        ("ApiKey", project.key.as_str()),
        ("Content-Type", "application/json"),
    ];
    testkit::event_json(
        Payload::Http,
        &EventSpec::new("POST", PATH, &headers, Some(&body)).on_route(Some(PATH)),
    )
}

/// Queues `n` creates at once and waits for every answer.
async fn creates(api: &RuntimeApi, project: &Project, n: usize) -> Vec<Answer> {
    let pending: Vec<_> = (0..n).map(|_| api.invoke(create_event(project))).collect();
    let mut answers = Vec::with_capacity(n);
    for answer in pending {
        let answer = tokio::time::timeout(Duration::from_secs(60), answer)
            .await
            .expect("an answer within 60 s")
            .expect("the Runtime API runs");
        answers.push(answer);
    }
    answers
}

/// The `_id` of a create's answer (panics, naming it, if it was not a 200).
fn created_id(answer: &Answer) -> String {
    let response: Value = serde_json::from_str(&answer.body).expect("a JSON response");
    assert!(!answer.error, "{}", answer.body);
    assert_eq!(response["statusCode"], 200, "{}", answer.body);
    let body: Value = serde_json::from_str(response["body"].as_str().expect("a body")).unwrap();
    body["_id"].as_str().expect("an _id").to_string()
}

async fn count(project: &Project) -> u64 {
    // Counts follow the stream: tally what it holds so far first.
    call_log_item::local_stream::settle(&project.store)
        .await
        .expect("the stream is tallied");
    project
        .store
        .count(project.id, &Filter::default())
        .await
        .expect("a count")
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Runs `n` creates through one process at `concurrency`; returns the most in flight.
async fn run(concurrency: Option<usize>, n: usize) -> usize {
    let project = project().await;
    let api = RuntimeApi::start().await.expect("Runtime API");
    let child = start_create(&api, &project, concurrency);
    // The first answer says the function is up (and has read its key).
    let first = creates(&api, &project, 1).await;
    created_id(&first[0]);
    let answers = creates(&api, &project, n).await;
    stop(child);
    let mut ids: Vec<String> = answers.iter().map(created_id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "every create made its own item");
    assert_eq!(
        api.answers_posted(),
        n + 1,
        "every event answered exactly once"
    );
    assert_eq!(count(&project).await, n as u64 + 1, "the count is exact");
    most_in_flight(&answers)
}

#[tokio::test]
#[ignore = "needs the function binaries and the local engine: run by `make test`"]
async fn with_max_concurrency_8_one_process_holds_eight_invocations_at_once() {
    let most = run(Some(8), 24).await;
    assert_eq!(most, 8, "invocations in flight at once");
}

#[tokio::test]
#[ignore = "needs the function binaries and the local engine: run by `make test`"]
async fn on_classic_lambda_one_process_takes_one_invocation_at_a_time() {
    let most = run(None, 6).await;
    assert_eq!(most, 1, "invocations in flight at once");
}
