//! `make bench-burst`: an incident in one project. Many creates at once, then a status update
//! of each, then a delete of each, through the real handler, with the fault injector modelling
//! DynamoDB's transaction locking (a transaction holds the items it touches for at least
//! `BURST_HOLD_MS`, 20 ms by default; what overlaps it is cancelled or refused, as on AWS).
//!
//! Reports per phase: how many requests answered 200 and how many otherwise, p50 and p99
//! latency, the conflicts the injector raised, and the write units per request (as the engine
//! reports them, retries included). At the end, every count of the project is compared with a
//! walk of its items. Writes the table to `docs/benchmarks.md`. A benchmark, not a test.
//!
//! Environment: what `scripts/bench-burst.sh` sets (`AWS_ENDPOINT_URL_DYNAMODB`, tables);
//! `BURST_REQUESTS` (default 100) and `BURST_HOLD_MS` (default 20).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bench::{
    engine_description, env_number, machine_description, millis, percentile, through_handler,
    write_section,
};
use call_log_item::auth::mint_key;
use call_log_item::config::{client_config, client_from, sdk_config, Config};
use call_log_item::local_stream::streams_client;
use call_log_item::model::{ObjectId, Permission};
use call_log_item::store::dynamo::{create_items_table, create_keys_table, StreamPoller};
use call_log_item::store::DynamoStore;
use call_log_item::App;
use serde_json::{json, Value};
use testkit::faults::Faults;

const BASE: &str = "/api/incoming-call-log-item";
/// The escalation's people: each create rings one of them.
const USERS: usize = 8;
const CALL_LOGS: usize = 4;

/// One request through the handler: its status, body and how long it took.
async fn call(
    app: &App,
    key: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value, Duration) {
    let body = body.map(|body| body.to_string());
    let (status, text, elapsed) = through_handler(app, key, method, path, body.as_deref()).await;
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::Null),
        elapsed,
    )
}

/// What one phase of the burst did.
struct Phase {
    name: &'static str,
    statuses: BTreeMap<u16, usize>,
    latencies: Vec<Duration>,
    conflicts: usize,
    write_units: f64,
    requests: usize,
    /// From the last answer until every count equals the items (the tally caught up).
    settled: Duration,
    /// For each request, from its answer until every count was seen equal to the items: a
    /// bound on how long its own write took to show in the counts.
    lags: Vec<Duration>,
}

impl Phase {
    fn row(&self) -> String {
        let ok = self.statuses.get(&200).copied().unwrap_or(0);
        let other: Vec<String> = self
            .statuses
            .iter()
            .filter(|(status, _)| **status != 200)
            .map(|(status, n)| format!("{n} × {status}"))
            .collect();
        format!(
            "| {} | {} | {ok} | {} | {} | {} | {} | {:.1} | {} | {} |\n",
            self.name,
            self.requests,
            if other.is_empty() {
                "—".to_string()
            } else {
                other.join(", ")
            },
            millis(percentile(&self.latencies, 50.0)),
            millis(percentile(&self.latencies, 99.0)),
            self.conflicts,
            self.write_units / self.requests as f64,
            millis(self.settled),
            millis(percentile(&self.lags, 99.0)),
        )
    }
}

/// Runs `requests` at once, each built by `make` from its index, then waits until every count
/// equals the items (the tally, polling the stream, caught up); records the phase, the tally's
/// write units included.
async fn phase<F, Fut>(
    name: &'static str,
    burst: &Burst<'_>,
    requests: usize,
    make: F,
) -> (Phase, Vec<Value>)
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = (u16, Value, Duration)> + Send + 'static,
{
    let faults = burst.faults;
    faults.consumed();
    let conflicts_before = faults.conflicts();
    let tasks: Vec<_> = (0..requests)
        .map(|n| {
            let request = make(n);
            tokio::spawn(async move { (request.await, Instant::now()) })
        })
        .collect();
    let mut statuses = BTreeMap::new();
    let mut latencies = Vec::with_capacity(requests);
    let mut bodies = Vec::with_capacity(requests);
    let mut answers = Vec::with_capacity(requests);
    for task in tasks {
        let ((status, body, elapsed), at) = task.await.expect("the request ran");
        *statuses.entry(status).or_default() += 1;
        latencies.push(elapsed);
        bodies.push(body);
        answers.push(at);
    }
    let answered = Instant::now();
    while !count_differences(burst).await.is_empty() {
        assert!(
            answered.elapsed() < Duration::from_secs(30),
            "{name}: counts still differ from the items 30 s after the last answer"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let settled = answered.elapsed();
    let exact = Instant::now();
    let lags = answers.iter().map(|at| exact - *at).collect();
    let write_units = faults.consumed().values().map(|(_, write)| write).sum();
    let phase = Phase {
        name,
        statuses,
        latencies,
        conflicts: faults.conflicts() - conflicts_before,
        write_units,
        requests,
        settled,
        lags,
    };
    eprint!("{}", phase.row());
    (phase, bodies)
}

/// What every phase works on.
struct Burst<'a> {
    faults: &'a Faults,
    app: &'a App,
    key: &'a str,
    logs: &'a [String],
    users: &'a [String],
}

/// Every count the dashboard reads, against a walk of the items: the differences.
async fn count_differences(burst: &Burst<'_>) -> Vec<String> {
    let (app, key) = (burst.app, burst.key);
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let body = match &cursor {
            Some(cursor) => json!({ "cursor": cursor }),
            None => json!({}),
        };
        let (_, page, _) = call(
            app,
            key,
            "POST",
            &format!("{BASE}/get-list?limit=100"),
            Some(body),
        )
        .await;
        items.extend(page["data"].as_array().cloned().unwrap_or_default());
        match page["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    let mut queries = vec![json!({})];
    for log in burst.logs {
        queries.push(json!({ "incomingCallLogId": log }));
    }
    for user in burst.users {
        queries.push(json!({ "userId": user }));
    }
    for status in ["Ringing", "Completed", "NoAnswer"] {
        queries.push(json!({ "status": status }));
    }
    for answered in [true, false] {
        queries.push(json!({ "isAnswered": answered }));
    }
    let mut differences = Vec::new();
    for query in queries {
        let walked = items
            .iter()
            .filter(|item| {
                query
                    .as_object()
                    .unwrap()
                    .iter()
                    .all(|(field, value)| &item[field] == value)
            })
            .count();
        let (_, counted, _) = call(
            app,
            key,
            "POST",
            &format!("{BASE}/count"),
            Some(json!({ "query": query })),
        )
        .await;
        if counted["count"].as_u64() != Some(walked as u64) {
            differences.push(format!(
                "{query}: count {} but {walked} items",
                counted["count"]
            ));
        }
    }
    differences
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let requests = env_number("BURST_REQUESTS", 100) as usize;
    let hold = Duration::from_millis(env_number("BURST_HOLD_MS", 20));
    let config = Config::from_env().expect("configuration");
    let shared = sdk_config().await.expect("SDK configuration");
    let plain = client_from(&shared);
    create_items_table(&plain, &config.items_table)
        .await
        .expect("items table");
    create_keys_table(&plain, &config.keys_table)
        .await
        .expect("keys table");
    let faults = Faults::new();
    let app_client = aws_sdk_dynamodb::Client::from_conf(
        client_config(&shared)
            .http_client(faults.http_client())
            .build(),
    );
    let project = ObjectId::from_uuid(uuid::Uuid::new_v4());
    let keys = DynamoStore::new(plain.clone(), &config.items_table, &config.keys_table);
    let key = mint_key(&keys, project, vec![Permission::ProjectAdmin], None, None)
        .await
        .expect("a key");
    let app = Arc::new(App::new(app_client.clone(), &config));
    let users: Vec<String> = (0..USERS)
        .map(|_| uuid::Uuid::new_v4().to_string())
        .collect();
    let logs: Vec<String> = (0..CALL_LOGS)
        .map(|_| uuid::Uuid::new_v4().to_string())
        .collect();
    // Warm: the key is read, the connections are open.
    call(
        &app,
        &key,
        "POST",
        &format!("{BASE}/count"),
        Some(json!({})),
    )
    .await;

    // The tally, as Lambda's event source mapping would run it: polling the stream (every
    // 20 ms here), writing through the injector so that its units are counted.
    let injected = DynamoStore::new(app_client.clone(), &config.items_table, &config.keys_table);
    let mut poller = StreamPoller::new(streams_client(&shared), injected)
        .await
        .expect("the items table's stream");
    poller.skip_to_latest().await.expect("the stream's end");
    let tally = tokio::spawn(poller.run(Duration::from_millis(20)));
    let burst = Burst {
        faults: &faults,
        app: &app,
        key: &key,
        logs: &logs,
        users: &users,
    };

    faults.transaction_locking(hold, &["projectId", "_id", "keyHash"]);
    faults.measure_capacity();
    eprintln!("| phase | requests | 200 | other answers | p50 | p99 | conflicts | write units per request | counts exact after | count lag p99 |");
    let (creates, created) = phase("create", &burst, requests, |n| {
        let (app, key) = (Arc::clone(&app), key.clone());
        let data = json!({"data": {
            "incomingCallLogId": logs[n % CALL_LOGS],
            "userId": users[n % USERS],
            "status": "Ringing",
            "isAnswered": false,
        }});
        async move { call(&app, &key, "POST", BASE, Some(data)).await }
    })
    .await;
    let ids: Vec<String> = created
        .iter()
        .filter_map(|item| item["_id"].as_str().map(str::to_string))
        .collect();
    let (updates, _) = phase("status update", &burst, ids.len(), |n| {
        let (app, key, id) = (Arc::clone(&app), key.clone(), ids[n].clone());
        let (status, answered) = if n % 2 == 0 {
            ("Completed", true)
        } else {
            ("NoAnswer", false)
        };
        let data = json!({"data": {"status": status, "isAnswered": answered}});
        async move { call(&app, &key, "PUT", &format!("{BASE}/{id}"), Some(data)).await }
    })
    .await;
    let (deletes, _) = phase("delete", &burst, ids.len(), |n| {
        let (app, key, id) = (Arc::clone(&app), key.clone(), ids[n].clone());
        async move { call(&app, &key, "DELETE", &format!("{BASE}/{id}"), None).await }
    })
    .await;

    faults.transaction_locking(Duration::ZERO, &["projectId", "_id", "keyHash"]);
    tally.abort();
    let table: String = [creates, updates, deletes].iter().map(Phase::row).collect();
    let report = format!(
        "## Burst: an incident in one project\n\n\
         `make bench-burst` — {machine}. {engine} (in memory) on the same machine, behind the \
         fault injector modelling DynamoDB's transaction locking: a transaction holds every item \
         it touches for at least {hold} ms; an overlapping one is cancelled (`TransactionConflict`), \
         a single-item write to a held item refused (`TransactionConflictException`). \
         {requests} creates at once in one project ({USERS} users, {CALL_LOGS} call logs), then a \
         status update of each created item at once, then a delete of each at once, through the \
         real handler. The tally reads the table's stream every 20 ms (Lambda's event source \
         mapping on AWS: batches within 1 s). Write units as the engine reports them, retries \
         and the tally's writes included, per request sent; \"counts exact after\": from the \
         phase's last answer until every count (project, each call log, each user, each status, \
         each `isAnswered`) equals a walk of the items; \"count lag p99\": from each request's \
         answer until then, a bound on how long its write took to show in every count (the \
         goal: 2 s).\n\n\
         | phase | requests | 200 | other answers | p50 | p99 | conflicts | write units per request | counts exact after | count lag p99 |\n\
         |---|---:|---:|---|---:|---:|---:|---:|---:|---:|\n{table}\n",
        machine = machine_description(),
        engine = engine_description(),
        hold = hold.as_millis(),
    );
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/benchmarks.md");
    write_section(&file, "bench-burst", &report).expect("docs/benchmarks.md written");
    eprintln!("written to docs/benchmarks.md");
}
