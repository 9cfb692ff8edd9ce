//! `make bench-scale`: how list and count scale with a project's size.
//!
//! Seeds one project with 100,000 items over 1,000 call logs and another with 100 items in
//! the local engine (Dynoxide), then times each common request through the real handler (an HTTP API event
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
use bench::{
    engine_description, env_number, machine_description, median, millis, through_handler,
    write_section,
};
use call_log_item::api::{json as api_json, routes};
use call_log_item::auth::mint_key;
use call_log_item::config::{client_config, dynamodb_client, sdk_config, Config};
use call_log_item::model::{ObjectId, Permission, Timestamp};
use call_log_item::store::dynamo::layout::{
    counter_key, entry_key, tallies, to_attributes, Attributes, Scope, ITEM_COUNT, TALLIED,
};
use call_log_item::store::dynamo::{create_items_table, create_keys_table};
use call_log_item::store::DynamoStore;
use call_log_item::App;
use runtime_api::RuntimeApi;
use serde_json::{json, Value};
use testkit::faults::Faults;
use testkit::{EventSpec, Payload};

/// The statuses items take in turn; one in a thousand (one in ten in the small project, so that
/// its first page is full too) is `RARE`.
const STATUSES: [&str; 7] = [
    "Ringing",
    "Completed",
    "NoAnswer",
    "Busy",
    "Failed",
    "CallerHungUp",
    "Initiated",
];
const RARE: &str = "Escalated";
/// Users the large project's items are spread over (a thousand items each); the small
/// project's are spread over 5 (20 each), so that a user's first page is full in both.
const USERS: u64 = 100;
const SMALL_USERS: u64 = 5;
const DEPTH: u64 = 5_000;
/// Items of the `createdAt` range the memory figure sorts (one item every 36 s): within the
/// read cap.
const SORTED_ITEMS: u64 = 9_000;

struct Project {
    key: String,
    items: u64,
    call_log: ObjectId,
    user: ObjectId,
    /// One hour of the project's creation times: [start, start + 1 h).
    hour: (Timestamp, Timestamp),
}

/// Writes `count` items spread over `call_logs` call logs, and their exact counters.
async fn seed(
    client: &Client,
    table: &str,
    keys: &DynamoStore,
    count: u64,
    call_logs: u64,
    user_count: u64,
) -> Project {
    let project = ObjectId::from_uuid(uuid::Uuid::new_v4());
    let logs: Vec<ObjectId> = (0..call_logs)
        .map(|_| ObjectId::from_uuid(uuid::Uuid::new_v4()))
        .collect();
    let users: Vec<ObjectId> = (0..user_count)
        .map(|_| ObjectId::from_uuid(uuid::Uuid::new_v4()))
        .collect();
    // One item every 36 s: a hundred in any hour, in both projects.
    let start = chrono::Utc::now() - chrono::Duration::days(60);
    // Every count an item is in, as the create transaction would keep it.
    let mut counts: HashMap<String, (Attributes, u64)> = HashMap::new();
    let mut requests: Vec<WriteRequest> = Vec::with_capacity(count as usize * 5);
    let put = |item: Attributes| {
        WriteRequest::builder()
            .put_request(PutRequest::builder().set_item(Some(item)).build().unwrap())
            .build()
    };
    for i in 0..count {
        let call_log = logs[(i % call_logs) as usize];
        let status = if i % (count / 100).max(10) == 0 {
            RARE
        } else {
            STATUSES[(i % STATUSES.len() as u64) as usize]
        };
        let data = json!({
            "incomingCallLogId": call_log.to_string(),
            "status": status,
            "userId": users[(i % user_count) as usize].to_string(),
            "userPhoneNumber": "+1 555-123-4567",
            "dialDurationInSeconds": i % 120,
            "callCostInUSDCents": i % 17,
            "isAnswered": i % 3 == 0,
        });
        let created =
            Timestamp::parse(&(start + chrono::Duration::seconds(i as i64 * 36)).to_rfc3339())
                .unwrap();
        let item = api_json::new_item(&json!({ "data": data }), project)
            .unwrap()
            .into_item(project, created);
        let mut attributes = to_attributes(&item);
        attributes.insert(TALLIED.to_string(), AttributeValue::N("1".into()));
        requests.push(put(attributes));
        for tally in tallies(&item) {
            requests.push(put(entry_key(project, &tally, item.id)));
        }
        for scope in Scope::all_of(&item) {
            let key = counter_key(project, &scope);
            // The key's text, its attributes in name order (a HashMap's Debug has none).
            let text = format!(
                "{:?}",
                key.iter().collect::<std::collections::BTreeMap<_, _>>()
            );
            counts.entry(text).or_insert((key, 0)).1 += 1;
        }
    }
    for (_, (mut key, n)) in counts {
        key.insert(ITEM_COUNT.to_string(), AttributeValue::N(n.to_string()));
        requests.push(put(key));
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
    let hour_start =
        Timestamp::parse(&(start + chrono::Duration::minutes(30)).to_rfc3339()).unwrap();
    Project {
        key,
        items: count,
        call_log: logs[0],
        user: users[0],
        hour: (hour_start, hour_start.plus_millis(3_600_000)),
    }
}

/// One timed request through the handler; the status must be `expect`.
async fn call_expecting(
    app: &App,
    project: &Project,
    method: &str,
    path: &str,
    body: Value,
    expect: u16,
) -> (Duration, Value) {
    let body = body.to_string();
    let (status, text, elapsed) =
        through_handler(app, &project.key, method, path, Some(&body)).await;
    assert_eq!(status, expect, "{method} {path} {body}: {text}");
    (elapsed, serde_json::from_str(&text).unwrap())
}

/// One timed request through the handler; the status must be 200.
async fn call(
    app: &App,
    project: &Project,
    method: &str,
    path: &str,
    body: Value,
) -> (Duration, Value) {
    call_expecting(app, project, method, path, body, 200).await
}

#[allow(clippy::too_many_arguments)]
async fn time(
    app: &App,
    project: &Project,
    runs: u64,
    method: &str,
    path: &str,
    body: Value,
    expect: u16,
) -> Duration {
    for _ in 0..3 {
        call_expecting(app, project, method, path, body.clone(), expect).await;
    }
    let mut samples = Vec::with_capacity(runs as usize);
    for _ in 0..runs {
        let (elapsed, _) = call_expecting(app, project, method, path, body.clone(), expect).await;
        samples.push(elapsed);
    }
    median(&samples)
}

/// What one request reads, through the fault injector's measuring client: DynamoDB read units
/// and the items (or entries) it examined (`ScannedCount`).
struct Reads<'a> {
    app: &'a App,
    faults: &'a Faults,
}

impl Reads<'_> {
    async fn of(
        &self,
        project: &Project,
        method: &str,
        path: &str,
        body: Value,
        expect: u16,
    ) -> (f64, u64) {
        self.faults.consumed();
        self.faults.scanned();
        call_expecting(self.app, project, method, path, body, expect).await;
        let units = self.faults.consumed().values().map(|(read, _)| read).sum();
        (units, self.faults.scanned())
    }
}

/// The cursor at `depth` of the list of `body`, found by following nextCursor (not timed).
async fn cursor_at(app: &App, project: &Project, depth: u64, body: &Value) -> String {
    let step = depth.min(100);
    let mut cursor: Option<String> = None;
    let mut position = 0;
    while position < depth {
        let mut body = body.clone();
        if let Some(cursor) = &cursor {
            body["cursor"] = json!(cursor);
        }
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

fn mb(bytes: u64) -> String {
    format!("{:.2} MB", bytes as f64 / 1_000_000.0)
}

/// The release `list` function's peak RSS after a first page, then after a list sorted by
/// `status` over the 9,000 items of a `createdAt` range (every one read, a window of 10 held;
/// the whole project would be past the read cap).
async fn list_memory(project: &Project) -> (u64, u64) {
    let binary = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/list");
    let api = RuntimeApi::start().await.expect("Runtime API");
    let mut child = std::process::Command::new(&binary)
        .env("AWS_LAMBDA_RUNTIME_API", api.address.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "list")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        // Its log lines (two requests) on stderr, with the report.
        .stdout(std::io::stderr())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", binary.display()));
    let peak = |pid: u32| -> u64 {
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .unwrap_or_default()
            .lines()
            .find(|line| line.starts_with("VmHWM:"))
            .and_then(|line| line.split_whitespace().nth(1)?.parse::<u64>().ok())
            .map_or(0, |kib| kib * 1024)
    };
    let mut figures = Vec::new();
    let (from, _) = project.hour;
    let to = from.plus_millis(SORTED_ITEMS as i64 * 36_000 - 1);
    let sorted = json!({
        "sort": {"status": 1},
        "query": {"createdAt": {"_type": "InBetween", "startValue": from.to_string(), "endValue": to.to_string()}},
    });
    for (body, count) in [(json!({}), project.items), (sorted, SORTED_ITEMS)] {
        let text = body.to_string();
        let headers = [("ApiKey", project.key.as_str())];
        let path = "/api/incoming-call-log-item/get-list";
        let route = routes::template_for("POST", path);
        let spec = EventSpec::new("POST", path, &headers, Some(&text)).on_route(route.as_deref());
        let answer = api
            .invoke(testkit::event_json(Payload::Http, &spec))
            .await
            .expect("an answer");
        assert!(!answer.error, "{}", answer.body);
        let response: Value = serde_json::from_str(&answer.body).expect("a JSON response");
        assert_eq!(response["statusCode"], 200, "{}", answer.body);
        let page: Value =
            serde_json::from_str(response["body"].as_str().unwrap_or_default()).expect("a body");
        assert_eq!(page["count"], count, "{}", answer.body);
        figures.push(peak(child.id()));
    }
    let _ = child.kill();
    let _ = child.wait();
    (figures[0], figures[1])
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
    // The seed writes counters and entries itself, and nothing here reads the stream; the
    // local engine scans a table's stream records on every read and write (docs/local-engine.md),
    // which DynamoDB does not: off, so that the figures are the reads'.
    client
        .update_table()
        .table_name(&config.items_table)
        .stream_specification(
            aws_sdk_dynamodb::types::StreamSpecification::builder()
                .stream_enabled(false)
                .build()
                .expect("stream specification"),
        )
        .send()
        .await
        .expect("the items table's stream turned off");
    create_keys_table(&client, &config.keys_table)
        .await
        .expect("keys table");
    let keys = DynamoStore::new(client.clone(), &config.items_table, &config.keys_table);

    eprintln!("seeding {large_items} items over 1,000 call logs, and 100 items …");
    let seeding = Instant::now();
    let large = seed(
        &client,
        &config.items_table,
        &keys,
        large_items,
        1_000,
        USERS,
    )
    .await;
    let small = seed(&client, &config.items_table, &keys, 100, 1, SMALL_USERS).await;
    eprintln!("seeded in {:.1} s", seeding.elapsed().as_secs_f64());

    let app = Arc::new(App::new(client.clone(), &config));
    // The same app on a client whose answers are read for what they cost (one extra request
    // per row and project, not timed).
    let faults = Faults::new();
    faults.measure_capacity();
    let shared = sdk_config().await.expect("SDK configuration");
    let measuring = aws_sdk_dynamodb::Client::from_conf(
        client_config(&shared)
            .http_client(faults.http_client())
            .build(),
    );
    let measured = App::new(measuring, &config);
    let reads = Reads {
        app: &measured,
        faults: &faults,
    };
    let mut costs: Vec<[(f64, u64); 2]> = Vec::new();
    let base = "/api/incoming-call-log-item";
    // A seed that lost writes would make every figure below a lie: its counts must be exact.
    for project in [&large, &small] {
        let (_, counted) = call(&app, project, "POST", &format!("{base}/count"), json!({})).await;
        assert_eq!(
            counted["count"], project.items,
            "the seeded project's count"
        );
    }
    let mut rows: Vec<(String, Duration, Duration)> = Vec::new();
    for (label, method, path, body, large_status) in [
        (
            "first list page, default sort, with total count",
            "POST",
            format!("{base}/get-list"),
            json!({}),
            200,
        ),
        (
            "first page of one call log's items",
            "POST",
            format!("{base}/get-list"),
            json!({"query": {"incomingCallLogId": "CALL_LOG"}}),
            200,
        ),
        (
            "count, empty query",
            "POST",
            format!("{base}/count"),
            json!({}),
            200,
        ),
        (
            "count of one call log",
            "POST",
            format!("{base}/count"),
            json!({"query": {"incomingCallLogId": "CALL_LOG"}}),
            200,
        ),
        (
            "count by status",
            "POST",
            format!("{base}/count"),
            json!({"query": {"status": "Completed"}}),
            200,
        ),
        (
            "count by isAnswered",
            "POST",
            format!("{base}/count"),
            json!({"query": {"isAnswered": true}}),
            200,
        ),
        (
            "count by user",
            "POST",
            format!("{base}/count"),
            json!({"query": {"userId": "USER"}}),
            200,
        ),
        (
            "a call log's count by status",
            "POST",
            format!("{base}/count"),
            json!({"query": {"incomingCallLogId": "CALL_LOG", "status": "Completed"}}),
            200,
        ),
        (
            "first page of a rare status",
            "POST",
            format!("{base}/get-list"),
            json!({"query": {"status": RARE}}),
            200,
        ),
        (
            "first page of one user's items",
            "POST",
            format!("{base}/get-list"),
            json!({"query": {"userId": "USER"}}),
            200,
        ),
        (
            "a page of a one-hour createdAt range",
            "POST",
            format!("{base}/get-list"),
            json!({"query": {"createdAt": {"_type": "InBetween", "startValue": "HOUR_START", "endValue": "HOUR_END"}}}),
            200,
        ),
        (
            "page at depth 5,000 by skip",
            "POST",
            format!("{base}/get-list?skip=DEPTH&limit=10"),
            json!({}),
            200,
        ),
        // Past the read cap on the large project: refused (400) after examining the cap.
        (
            "count filtered by a range, past the cap on the large project (400)",
            "POST",
            format!("{base}/count"),
            json!({"query": {"dialDurationInSeconds": {"_type": "GreaterThan", "value": 60}}}),
            400,
        ),
        (
            "first page of a text search matching nothing, past the cap (400)",
            "POST",
            format!("{base}/get-list"),
            json!({"query": {"status": {"_type": "Search", "value": "nothing like it"}}}),
            400,
        ),
        (
            "first page sorted by status, past the cap (400)",
            "POST",
            format!("{base}/get-list"),
            json!({"sort": {"status": 1}}),
            400,
        ),
        (
            "page at depth 20,000 by skip, past the cap (400)",
            "POST",
            format!("{base}/get-list?skip=DEEP&limit=10"),
            json!({}),
            400,
        ),
        (
            "first page filtered by a range, its count a lower bound on the large project",
            "POST",
            format!("{base}/get-list"),
            json!({"query": {"dialDurationInSeconds": {"_type": "GreaterThan", "value": 60}}}),
            200,
        ),
    ] {
        let (mut figures, mut read) = (Vec::new(), Vec::new());
        for project in [&small, &large] {
            let depth = DEPTH.min(project.items / 2);
            let path = path
                .replace("DEPTH", &depth.to_string())
                .replace("DEEP", &(20_000.min(project.items / 2)).to_string());
            let status = if project.items == large_items {
                large_status
            } else {
                200
            };
            let body: Value = serde_json::from_str(
                &body
                    .to_string()
                    .replace("CALL_LOG", &project.call_log.to_string())
                    .replace("USER", &project.user.to_string())
                    .replace("HOUR_START", &project.hour.0.to_string())
                    .replace("HOUR_END", &project.hour.1.to_string()),
            )
            .unwrap();
            read.push(reads.of(project, method, &path, body.clone(), status).await);
            figures.push(time(&app, project, runs, method, &path, body, status).await);
        }
        eprintln!("{label}: {} / {}", millis(figures[0]), millis(figures[1]));
        rows.push((label.to_string(), figures[0], figures[1]));
        costs.push([read[0], read[1]]);
    }
    for (label, body, share) in [
        ("page at depth 5,000 by cursor", json!({}), 1),
        (
            "page at depth 5,000 by cursor, filtered by status",
            json!({"query": {"status": "Completed"}}),
            STATUSES.len() as u64,
        ),
    ] {
        let (mut figures, mut read) = (Vec::new(), Vec::new());
        for project in [&small, &large] {
            // Deep, with a full page and one more after it (the small project's share of a
            // status is 14 items: depth 3 there).
            let depth = DEPTH.min((project.items / share).saturating_sub(11).max(1));
            let mut page = body.clone();
            page["cursor"] = json!(cursor_at(&app, project, depth, &body).await);
            let path = format!("{base}/get-list?limit=10");
            read.push(reads.of(project, "POST", &path, page.clone(), 200).await);
            figures.push(
                time(
                    &app,
                    project,
                    runs,
                    "POST",
                    &format!("{base}/get-list?limit=10"),
                    page,
                    200,
                )
                .await,
            );
        }
        eprintln!("{label}: {} / {}", millis(figures[0]), millis(figures[1]));
        rows.push((label.to_string(), figures[0], figures[1]));
        costs.push([read[0], read[1]]);
    }
    let (resting, sorting) = list_memory(&large).await;
    let first_page_large = rows[0].2;

    let mut table = String::new();
    table.push_str(&format!(
        "| request | {} items | {} items | ratio | read units | items examined |\n\
         |---|---:|---:|---:|---:|---:|\n",
        small.items, large.items
    ));
    for ((label, small_figure, large_figure), [small_cost, large_cost]) in rows.iter().zip(&costs) {
        table.push_str(&format!(
            "| {label} | {} | {} | {:.2}× | {} / {} | {} / {} |\n",
            millis(*small_figure),
            millis(*large_figure),
            large_figure.as_secs_f64() / small_figure.as_secs_f64(),
            small_cost.0,
            large_cost.0,
            small_cost.1,
            large_cost.1,
        ));
    }
    let cursor_row = rows
        .iter()
        .find(|(label, _, _)| label == "page at depth 5,000 by cursor")
        .expect("the cursor row");
    let cursor_vs_first = cursor_row.2.as_secs_f64() / first_page_large.as_secs_f64();
    let report = format!(
        "## Scale: list and count in a large and a small project\n\n\
         `make bench-scale` — {machine}. {engine} (in memory) on the same machine; each \
         figure is the median of {runs} requests through the real handler (HTTP API event in, \
         response out) after 3 warm-up requests. One project holds {large} items over 1,000 call \
         logs and 100 users, the other 100 in 1 call log and over 5 users (a call log holds 100 items \
         in both, as a call's count reads its items; a user's first page is full in both); the 100-item project's depth is half its size (50), and for the status \
         filter, 3 of its 14 items of that status (so that a full page follows); one item in a \
         thousand has a rare status, one in ten in the small project (a full first page in both).\n\n\
         {table}\n\
         Cursor page at depth 5,000 ÷ first page, large project: {cursor_vs_first:.2}×.\n\n\
         Memory: the release `list` function under a minimal Lambda Runtime API, peak RSS (VmHWM) \
         after a first page of the large project: {resting}; after a list sorted by `status` over \
         the {sorted} items of a `createdAt` range: {sorting} (+{growth}).\n\n\
         Read units (strongly consistent, as DynamoDB charges them) and items examined (index \
         entries included, as `ScannedCount` reports them) are those of one request, small / \
         large project, through the fault injector. Rows marked 400 are refused on the large project after each read examined the read \
         cap (`MAX_ITEMS_EXAMINED`, 10,000 items): the figure is the time to refuse, bounded \
         whatever the project's size.\n",
        machine = machine_description(),
        engine = engine_description(),
        large = large.items,
        resting = mb(resting),
        sorting = mb(sorting),
        growth = mb(sorting.saturating_sub(resting)),
        sorted = SORTED_ITEMS,
    );
    // On stderr: stdout carries the metrics records the handler writes per request.
    eprintln!("{report}");
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/benchmarks.md");
    write_section(&docs, "bench-scale", &report).expect("write docs/benchmarks.md");
    eprintln!("written to docs/benchmarks.md");
}
