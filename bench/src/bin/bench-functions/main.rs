//! `make bench`: the functions' own figures, against DynamoDB Local.
//!
//! - Cold start: each release binary started fresh under a minimal Lambda Runtime API
//!   (`runtime_api`), timed from process start to its first response posted back, for a
//!   representative first request whose API key is not yet cached; 20 starts each.
//! - Warm latency: 1,000 requests per operation through the real handler (API Gateway event
//!   text in, response out, key cached), p50 and p99, next to the p50 of the bare SDK calls the
//!   operation makes, issued directly in the same run, and their ratio.
//! - Memory: peak RSS (VmHWM) of each binary after 1,000 warm requests under the Runtime API.
//! - Package: the size of each arm64 zip of `make build`.
//!
//! Writes the tables to `docs/benchmarks.md`. A benchmark, not a test.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
mod bare;

use bare::{bare, bare_create};
use bench::{machine_description, median, millis, percentile, write_section};
use call_log_item::api::{json as api_json, routes};
use call_log_item::auth::mint_key;
use call_log_item::config::{dynamodb_client, Config};
use call_log_item::model::{ObjectId, Permission, Timestamp};
use call_log_item::store::dynamo::{create_items_table, create_keys_table};
use call_log_item::store::DynamoStore;
use call_log_item::{App, Operation};
use runtime_api::RuntimeApi;
use serde_json::json;
use testkit::{EventSpec, Payload};

const WARM_REQUESTS: usize = 1_000;
const COLD_STARTS: usize = 20;
const BASE: &str = "/api/incoming-call-log-item";

struct Fixture {
    client: Client,
    config: Config,
    keys: DynamoStore,
    project: ObjectId,
    call_log: ObjectId,
    key: String,
}

impl Fixture {
    async fn new_key(&self) -> String {
        mint_key(
            &self.keys,
            self.project,
            vec![Permission::ProjectAdmin],
            Some("bench".into()),
            None,
        )
        .await
        .unwrap()
    }

    /// Creates an item with the bare create transaction and returns its id.
    async fn item(&self) -> ObjectId {
        let data = json!({"incomingCallLogId": self.call_log.to_string(), "status": "Ringing", "userPhoneNumber": "+1 555-123-4567"});
        let item = api_json::new_item(&json!({ "data": data }), self.project)
            .unwrap()
            .into_item(self.project, Timestamp::now());
        bare_create(&self.client, &self.keys, &item).await;
        item.id
    }
}

/// The event text for one request of `operation` (on item `id` where it needs one).
fn event(operation: Operation, key: &str, id: ObjectId, call_log: ObjectId) -> String {
    let headers = [("ApiKey", key), ("Content-Type", "application/json")];
    let (method, path, body) = match operation {
        Operation::List => ("POST", format!("{BASE}/get-list"), json!({})),
        Operation::GetItem => ("POST", format!("{BASE}/{id}/get-item"), json!({})),
        Operation::Count => ("POST", format!("{BASE}/count"), json!({})),
        Operation::Create => (
            "POST",
            BASE.to_string(),
            json!({"data": {"incomingCallLogId": call_log.to_string(), "status": "Ringing", "userPhoneNumber": "+1 555-123-4567"}}),
        ),
        Operation::Update => (
            "PUT",
            format!("{BASE}/{id}"),
            json!({"data": {"statusMessage": "Called back", "dialDurationInSeconds": 12}}),
        ),
        Operation::Delete => ("DELETE", format!("{BASE}/{id}"), json!(null)),
    };
    let body = (!body.is_null()).then(|| body.to_string());
    let route = routes::template_for(method, &path);
    testkit::event_json(
        Payload::Http,
        &EventSpec::new(method, &path, &headers, body.as_deref()).on_route(route.as_deref()),
    )
}

/// Ids for `n` requests of `operation`: fresh items for delete, one item for the rest.
async fn ids_for(operation: Operation, fixture: &Fixture, n: usize) -> Vec<ObjectId> {
    if operation == Operation::Delete {
        let mut ids = Vec::with_capacity(n);
        for _ in 0..n {
            ids.push(fixture.item().await);
        }
        ids
    } else {
        vec![fixture.item().await; n]
    }
}

struct Warm {
    p50: Duration,
    p99: Duration,
    bare_p50: Duration,
}

/// Handler and bare calls alternate, request by request, so that both meet DynamoDB Local in
/// the same state (its JIT warms up over a run).
async fn warm(operation: Operation, fixture: &Fixture, app: &App) -> Warm {
    let runs = WARM_REQUESTS + 20;
    let handler_ids = ids_for(operation, fixture, runs).await;
    let bare_ids = ids_for(operation, fixture, runs).await;
    let events: Vec<String> = handler_ids
        .iter()
        .map(|id| event(operation, &fixture.key, *id, fixture.call_log))
        .collect();
    let mut handler = Vec::with_capacity(WARM_REQUESTS);
    let mut direct = Vec::with_capacity(WARM_REQUESTS);
    for (i, (event, bare_id)) in events.iter().zip(&bare_ids).enumerate() {
        // Which goes first alternates too, so neither always meets DynamoDB right after the other.
        let (mut elapsed, mut bare_elapsed) = (Duration::ZERO, Duration::ZERO);
        for turn in [i % 2, 1 - i % 2] {
            let started = Instant::now();
            if turn == 0 {
                let request = lambda_http::request::from_str(event).unwrap();
                let response = app.handle(operation, request).await;
                elapsed = started.elapsed();
                assert_eq!(
                    response.status(),
                    200,
                    "{operation:?}: {:?}",
                    response.body()
                );
            } else {
                bare(operation, fixture, *bare_id).await;
                bare_elapsed = started.elapsed();
            }
        }
        if i >= 20 {
            handler.push(elapsed);
            direct.push(bare_elapsed);
        }
    }
    Warm {
        p50: median(&handler),
        p99: percentile(&handler, 99.0),
        bare_p50: median(&direct),
    }
}

fn binary(operation: Operation) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/release")
        .join(operation.function_name())
}

fn spawn(operation: Operation, api: &RuntimeApi) -> Child {
    Command::new(binary(operation))
        .env("AWS_LAMBDA_RUNTIME_API", api.address.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", operation.function_name())
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (build with `cargo build --release`)",
                binary(operation).display()
            )
        })
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Process start → first response (and, within it, the first invocation alone: event taken →
/// response posted), `COLD_STARTS` times, with a key no process has seen. Each
/// start gets a Runtime API of its own, so a killed process's last poll cannot take the next
/// start's event.
async fn cold(operation: Operation, fixture: &Fixture) -> (Duration, Duration, Duration) {
    let mut samples = Vec::with_capacity(COLD_STARTS);
    let mut first_invocations = Vec::with_capacity(COLD_STARTS);
    for round in 0..=COLD_STARTS {
        let api = RuntimeApi::start().await.expect("Runtime API");
        let key = fixture.new_key().await;
        let id = fixture.item().await;
        let answer = api.invoke(event(operation, &key, id, fixture.call_log));
        let started = Instant::now();
        let child = spawn(operation, &api);
        let answer = tokio::time::timeout(Duration::from_secs(10), answer)
            .await
            .expect("an answer in 10 s")
            .unwrap();
        stop(child);
        assert!(
            !answer.error && answer.body.contains("\"statusCode\":200"),
            "{operation:?}: {}",
            answer.body
        );
        // The first start warms the OS page cache for the binary; it is not counted.
        if round > 0 {
            samples.push(answer.at - started);
            first_invocations.push(answer.at - answer.delivered.expect("the event was delivered"));
        }
    }
    let max = samples.iter().max().copied().unwrap_or_default();
    (median(&samples), max, median(&first_invocations))
}

/// Peak RSS (VmHWM, bytes) of one process after `WARM_REQUESTS` requests.
async fn peak_rss(operation: Operation, fixture: &Fixture) -> u64 {
    let api = RuntimeApi::start().await.expect("Runtime API");
    let ids = ids_for(operation, fixture, WARM_REQUESTS).await;
    let child = spawn(operation, &api);
    for id in ids {
        let answer = api
            .invoke(event(operation, &fixture.key, id, fixture.call_log))
            .await
            .unwrap();
        assert!(!answer.error, "{operation:?}: {}", answer.body);
    }
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
    stop(child);
    status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .and_then(|line| line.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |kib| kib * 1024)
}

fn zip_size(operation: Operation) -> Option<u64> {
    let zip = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
        "../target/lambda/{}/bootstrap.zip",
        operation.function_name()
    ));
    std::fs::metadata(zip).ok().map(|m| m.len())
}

fn mb(bytes: u64) -> String {
    format!("{:.2} MB", bytes as f64 / 1_000_000.0)
}

#[tokio::main]
async fn main() {
    let config = Config::from_env().expect("configuration");
    let client = dynamodb_client().await.expect("DynamoDB client");
    create_items_table(&client, &config.items_table)
        .await
        .unwrap();
    create_keys_table(&client, &config.keys_table)
        .await
        .unwrap();
    let keys = DynamoStore::new(client.clone(), &config.items_table, &config.keys_table);
    let project = ObjectId::from_uuid(uuid::Uuid::new_v4());
    let mut fixture = Fixture {
        client: client.clone(),
        config: config.clone(),
        keys,
        project,
        call_log: ObjectId::from_uuid(uuid::Uuid::new_v4()),
        key: String::new(),
    };
    fixture.key = fixture.new_key().await;
    for _ in 0..30 {
        fixture.item().await;
    }
    let app = Arc::new(App::new(client.clone(), &config));

    let mut warm_rows = String::new();
    let mut cold_rows = String::new();
    for operation in Operation::ALL {
        let figures = warm(operation, &fixture, &app).await;
        let ratio = figures.p50.as_secs_f64() / figures.bare_p50.as_secs_f64();
        eprintln!(
            "{operation:?}: warm p50 {} p99 {} bare {} ({ratio:.2}×)",
            millis(figures.p50),
            millis(figures.p99),
            millis(figures.bare_p50)
        );
        warm_rows.push_str(&format!(
            "| {} | {} | {} | {} | {ratio:.2}× |\n",
            operation.function_name(),
            millis(figures.p50),
            millis(figures.p99),
            millis(figures.bare_p50)
        ));
        let (cold_median, cold_max, first_invocation) = cold(operation, &fixture).await;
        let rss = peak_rss(operation, &fixture).await;
        let zip = zip_size(operation).map_or("run `make build`".to_string(), mb);
        eprintln!(
            "{operation:?}: cold median {} max {}, peak RSS {}, zip {zip}",
            millis(cold_median),
            millis(cold_max),
            mb(rss)
        );
        cold_rows.push_str(&format!(
            "| {} | {} | {} | {} | {} | {zip} |\n",
            operation.function_name(),
            millis(cold_median),
            millis(cold_max),
            millis(first_invocation),
            mb(rss)
        ));
    }
    let report = format!(
        "## Functions: cold start, warm latency, memory, package\n\n\
         `make bench` — {machine}. DynamoDB Local (in memory) on the same machine.\n\n\
         Cold start: process start to first response posted back, under a minimal Lambda Runtime \
         API, first request with an API key not yet cached ({COLD_STARTS} starts each, after one \
         uncounted start). Peak RSS: VmHWM after {WARM_REQUESTS} warm requests. Package: the arm64 \
         zip of `make build`.\n\n\
         | function | cold start median | cold start max | of which the first invocation (median) | peak RSS | arm64 zip |\n|---|---:|---:|---:|---:|---:|\n{cold_rows}\n\
         Warm latency: {WARM_REQUESTS} requests per operation through the real handler (HTTP API \
         event text in, response out, key cached), after 20 uncounted; bare SDK: the same DynamoDB \
         calls the operation makes, issued directly, {WARM_REQUESTS} times, alternating with the \
         handler's requests (and which of the two goes first).\n\n\
         | operation | handler p50 | handler p99 | bare SDK p50 | p50 ratio |\n|---|---:|---:|---:|---:|\n{warm_rows}",
        machine = machine_description(),
    );
    // On stderr: stdout carries the metrics records the handler writes per request.
    eprintln!("{report}");
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/benchmarks.md");
    write_section(&docs, "bench-functions", &report).expect("write docs/benchmarks.md");
    eprintln!("written to docs/benchmarks.md");
}
