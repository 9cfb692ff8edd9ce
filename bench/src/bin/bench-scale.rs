//! `make bench-scale`: how list and count scale with a project's size.
//!
//! Seeds one project with 100,000 items over 1,000 call logs and another with 100 items in
//! DynamoDB Local, then times each common request through the real handler (an HTTP API event
//! in, a response out), at least 20 runs each after warm-up, and reports medians and the ratio
//! large/small. Writes the table to `docs/benchmarks.md`. A benchmark, not a test.
//!
//! Environment: what `scripts/bench-scale.sh` sets (`AWS_ENDPOINT_URL_DYNAMODB`, tables);
//! `BENCH_LARGE_ITEMS` (default 100000) and `BENCH_RUNS` (default 21) to try smaller runs.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use aws_sdk_dynamodb::Client;
use bench::{machine_description, median, millis, write_section};
use call_log_item::api::{json as api_json, routes};
use call_log_item::auth::mint_key;
use call_log_item::config::{dynamodb_client, Config};
use call_log_item::model::{ObjectId, Operation, Permission, Timestamp};
use call_log_item::store::dynamo::{
    counter_key, create_items_table, create_keys_table, to_attributes, Scope, ITEM_COUNT,
};
use call_log_item::store::DynamoStore;
use call_log_item::App;
use serde_json::{json, Value};
use testkit::{EventSpec, Payload};

const STATUSES: [&str; 8] = [
    "Ringing",
    "Completed",
    "NoAnswer",
    "Busy",
    "Failed",
    "Escalated",
    "CallerHungUp",
    "Initiated",
];
const DEPTH: u64 = 5_000;

struct Project {
    key: String,
    items: u64,
    call_log: ObjectId,
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Writes `count` items spread over `call_logs` call logs, and their exact counters.
async fn seed(
    client: &Client,
    table: &str,
    keys: &DynamoStore,
    count: u64,
    call_logs: u64,
) -> Project {
    let project = ObjectId::from_uuid(uuid::Uuid::new_v4());
    let logs: Vec<ObjectId> = (0..call_logs)
        .map(|_| ObjectId::from_uuid(uuid::Uuid::new_v4()))
        .collect();
    let start = chrono::Utc::now() - chrono::Duration::days(30);
    let mut per_log: HashMap<ObjectId, u64> = HashMap::new();
    let mut requests: Vec<WriteRequest> = Vec::with_capacity(count as usize);
    for i in 0..count {
        let call_log = logs[(i % call_logs) as usize];
        *per_log.entry(call_log).or_default() += 1;
        let data = json!({
            "incomingCallLogId": call_log.to_string(),
            "status": STATUSES[(i % STATUSES.len() as u64) as usize],
            "userId": uuid::Uuid::new_v4().to_string(),
            "userPhoneNumber": "+1 555-123-4567",
            "dialDurationInSeconds": i % 120,
            "callCostInUSDCents": i % 17,
            "isAnswered": i % 3 == 0,
        });
        let created =
            Timestamp::parse(&(start + chrono::Duration::milliseconds(i as i64 * 7)).to_rfc3339())
                .unwrap();
        let item = api_json::new_item(&json!({ "data": data }), project)
            .unwrap()
            .into_item(project, created);
        requests.push(
            WriteRequest::builder()
                .put_request(
                    PutRequest::builder()
                        .set_item(Some(to_attributes(&item)))
                        .build()
                        .unwrap(),
                )
                .build(),
        );
    }
    let mut counters = vec![(counter_key(project, Scope::Project), count)];
    counters.extend(
        per_log
            .iter()
            .map(|(log, n)| (counter_key(project, Scope::CallLog(*log)), *n)),
    );
    for (mut key, n) in counters {
        key.insert(ITEM_COUNT.to_string(), AttributeValue::N(n.to_string()));
        requests.push(
            WriteRequest::builder()
                .put_request(PutRequest::builder().set_item(Some(key)).build().unwrap())
                .build(),
        );
    }
    let batches: Vec<Vec<WriteRequest>> =
        requests.chunks(25).map(<[WriteRequest]>::to_vec).collect();
    let mut tasks = tokio::task::JoinSet::new();
    let client = client.clone();
    let table = table.to_string();
    let mut batches = batches.into_iter();
    let mut running = 0;
    loop {
        while running < 8 {
            let Some(batch) = batches.next() else { break };
            let (client, table) = (client.clone(), table.clone());
            tasks.spawn(async move {
                let mut pending = batch;
                while !pending.is_empty() {
                    let output = client
                        .batch_write_item()
                        .request_items(&table, pending)
                        .send()
                        .await
                        .expect("BatchWriteItem");
                    pending = output
                        .unprocessed_items()
                        .and_then(|u| u.get(&table))
                        .cloned()
                        .unwrap_or_default();
                }
            });
            running += 1;
        }
        if tasks.join_next().await.is_none() {
            break;
        }
        running -= 1;
    }
    let key = mint_key(
        keys,
        project,
        vec![Permission::ProjectMember],
        Some("bench".into()),
        None,
    )
    .await
    .unwrap();
    Project {
        key,
        items: count,
        call_log: logs[0],
    }
}

/// One timed request through the handler; the status must be 200.
async fn call(
    app: &App,
    project: &Project,
    method: &str,
    path: &str,
    body: Value,
) -> (Duration, Value) {
    let body = body.to_string();
    let headers = [
        ("ApiKey", project.key.as_str()),
        ("Content-Type", "application/json"),
    ];
    let route = routes::template_for(method, path);
    let spec = EventSpec::new(method, path, &headers, Some(&body)).on_route(route.as_deref());
    let request = testkit::request(Payload::Http, &spec);
    let operation = routes::operation_for(method, path).unwrap_or(Operation::List);
    let started = Instant::now();
    let response = app.handle(operation, request).await;
    let elapsed = started.elapsed();
    let text = match response.body() {
        lambda_http::Body::Text(text) => text.clone(),
        _ => String::new(),
    };
    assert_eq!(response.status(), 200, "{method} {path}: {text}");
    (elapsed, serde_json::from_str(&text).unwrap())
}

async fn time(
    app: &App,
    project: &Project,
    runs: u64,
    method: &str,
    path: &str,
    body: Value,
) -> Duration {
    for _ in 0..3 {
        call(app, project, method, path, body.clone()).await;
    }
    let mut samples = Vec::with_capacity(runs as usize);
    for _ in 0..runs {
        samples.push(call(app, project, method, path, body.clone()).await.0);
    }
    median(&samples)
}

/// The cursor at `depth`, found by following nextCursor (not timed).
async fn cursor_at(app: &App, project: &Project, depth: u64) -> String {
    let step = depth.min(100);
    let mut cursor: Option<String> = None;
    let mut position = 0;
    while position < depth {
        let body = cursor
            .as_ref()
            .map_or(json!({}), |c| json!({ "cursor": c }));
        let path = format!("/api/incoming-call-log-item/get-list?limit={step}");
        let (_, page) = call(app, project, "POST", &path, body).await;
        cursor = Some(
            page["nextCursor"]
                .as_str()
                .expect("a next page")
                .to_string(),
        );
        position += step;
    }
    cursor.expect("depth > 0")
}

#[tokio::main]
async fn main() {
    let large_items = env_number("BENCH_LARGE_ITEMS", 100_000);
    let runs = env_number("BENCH_RUNS", 21).max(20);
    let config = Config::from_env().expect("configuration");
    let client = dynamodb_client().await.expect("DynamoDB client");
    create_items_table(&client, &config.items_table)
        .await
        .expect("items table");
    create_keys_table(&client, &config.keys_table)
        .await
        .expect("keys table");
    let keys = DynamoStore::new(client.clone(), &config.items_table, &config.keys_table);

    eprintln!("seeding {large_items} items over 1,000 call logs, and 100 items …");
    let seeding = Instant::now();
    let large = seed(&client, &config.items_table, &keys, large_items, 1_000).await;
    let small = seed(&client, &config.items_table, &keys, 100, 10).await;
    eprintln!("seeded in {:.1} s", seeding.elapsed().as_secs_f64());

    let app = Arc::new(App::new(client.clone(), &config));
    let base = "/api/incoming-call-log-item";
    let mut rows: Vec<(String, Duration, Duration)> = Vec::new();
    for (label, method, path, body) in [
        (
            "first list page, default sort, with total count",
            "POST",
            format!("{base}/get-list"),
            json!({}),
        ),
        (
            "first page of one call log's items",
            "POST",
            format!("{base}/get-list"),
            json!({"query": {"incomingCallLogId": "CALL_LOG"}}),
        ),
        (
            "count, empty query",
            "POST",
            format!("{base}/count"),
            json!({}),
        ),
        (
            "count of one call log",
            "POST",
            format!("{base}/count"),
            json!({"query": {"incomingCallLogId": "CALL_LOG"}}),
        ),
        (
            "count filtered by status",
            "POST",
            format!("{base}/count"),
            json!({"query": {"status": "Completed"}}),
        ),
        (
            "page at depth 5,000 by skip",
            "POST",
            format!("{base}/get-list?skip=DEPTH&limit=10"),
            json!({}),
        ),
    ] {
        let mut figures = Vec::new();
        for project in [&small, &large] {
            let depth = DEPTH.min(project.items / 2);
            let path = path.replace("DEPTH", &depth.to_string());
            let body: Value = serde_json::from_str(
                &body
                    .to_string()
                    .replace("CALL_LOG", &project.call_log.to_string()),
            )
            .unwrap();
            figures.push(time(&app, project, runs, method, &path, body).await);
        }
        eprintln!("{label}: {} / {}", millis(figures[0]), millis(figures[1]));
        rows.push((label.to_string(), figures[0], figures[1]));
    }
    let mut figures = Vec::new();
    for project in [&small, &large] {
        let depth = DEPTH.min(project.items / 2);
        let cursor = cursor_at(&app, project, depth).await;
        figures.push(
            time(
                &app,
                project,
                runs,
                "POST",
                &format!("{base}/get-list?limit=10"),
                json!({ "cursor": cursor }),
            )
            .await,
        );
    }
    rows.push((
        "page at depth 5,000 by cursor".to_string(),
        figures[0],
        figures[1],
    ));
    let first_page_large = rows[0].2;

    let mut table = String::new();
    table.push_str(&format!(
        "| request | {} items | {} items | ratio |\n|---|---:|---:|---:|\n",
        small.items, large.items
    ));
    for (label, small_figure, large_figure) in &rows {
        table.push_str(&format!(
            "| {label} | {} | {} | {:.2}× |\n",
            millis(*small_figure),
            millis(*large_figure),
            large_figure.as_secs_f64() / small_figure.as_secs_f64()
        ));
    }
    let cursor_vs_first = rows.last().unwrap().2.as_secs_f64() / first_page_large.as_secs_f64();
    let report = format!(
        "## Scale: list and count in a large and a small project\n\n\
         `make bench-scale` — {machine}. DynamoDB Local (in memory) on the same machine; each \
         figure is the median of {runs} requests through the real handler (HTTP API event in, \
         response out) after 3 warm-up requests. One project holds {large} items over 1,000 call \
         logs, the other 100 over 10; the 100-item project's depth is half its size (50).\n\n\
         {table}\n\
         Cursor page at depth 5,000 ÷ first page, large project: {cursor_vs_first:.2}×.\n",
        machine = machine_description(),
        large = large.items,
    );
    println!("{report}");
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/benchmarks.md");
    write_section(&docs, "bench-scale", &report).expect("write docs/benchmarks.md");
    eprintln!("written to docs/benchmarks.md");
}
