//! `make bench`: the functions' own figures, against the local engine (Dynoxide).
//!
//! - Cold start: each release binary started fresh under a minimal Lambda Runtime API
//!   (`runtime_api`), timed from process start to its first response posted back, for a
//!   representative first request whose API key is not yet cached; 20 starts each.
//! - Warm latency: 1,000 requests per operation through the real handler (API Gateway event
//!   text in, response out, key cached), p50 and p99, next to the p50 of the bare SDK calls the
//!   operation makes, issued directly in the same run, and their ratio.
//! - Memory: peak RSS (VmHWM) of each binary after 1,000 warm requests under the Runtime API.
//! - Package: the size of each arm64 zip of `make build`.
//! - Baselines: cold start and peak RSS of a floor (a bare `lambda_http` function on the same
//!   SDK client making the same calls, `src/bin/floor.rs`) and a peer (`get-item` in Node.js 20
//!   with the AWS SDK v3, `peer/`), measured in the same run; each function as ratios to both.
//! - Concurrency: requests per second of one process at `AWS_LAMBDA_MAX_CONCURRENCY` 1 and 8,
//!   with a fixed latency added to every DynamoDB call (`concurrency.rs`).
//! - Trust store: the system's root certificates against Amazon's, loaded (`roots.rs`).
//!
//! Writes the tables to `docs/benchmarks.md`. A benchmark, not a test.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
mod concurrency;
mod roots;
mod subjects;

use bench::bare::{bare, bare_create, bare_keyed_create, Target};
use bench::{engine_description, machine_description, median, millis, percentile, write_section};
use call_log_item::api::{json as api_json, routes, ApiRequest};
use call_log_item::auth::mint_key;
use call_log_item::config::{dynamodb_client, Config};
use call_log_item::model::{ObjectId, Permission, Timestamp};
use call_log_item::store::dynamo::{create_items_table, create_keys_table};
use call_log_item::store::DynamoStore;
use call_log_item::{App, Operation};
use runtime_api::RuntimeApi;
use serde_json::json;
use subjects::{spawn, stop, Subject};
use testkit::{EventSpec, Payload};

const WARM_REQUESTS: usize = 1_000;
const COLD_STARTS: usize = 20;
const BASE: &str = "/api/incoming-call-log-item";

pub struct Fixture {
    client: Client,
    keys: DynamoStore,
    project: ObjectId,
    call_log: ObjectId,
    key: String,
    /// Where the bare calls go: the same tables and project.
    target: Target,
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
        self.item_in(self.project).await
    }

    /// The same in `project`.
    async fn item_in(&self, project: ObjectId) -> ObjectId {
        let data = json!({"incomingCallLogId": self.call_log.to_string(), "status": "Ringing", "userPhoneNumber": "+1 555-123-4567"});
        let item = api_json::new_item(&json!({ "data": data }), project)
            .unwrap()
            .into_item(project, Timestamp::now());
        bare_create(&self.client, &self.keys, &item).await;
        item.id
    }
}

/// The event text for one request of `operation` (on item `id` where it needs one).
pub fn event(operation: Operation, key: &str, id: ObjectId, call_log: ObjectId) -> String {
    event_with(operation, key, id, call_log, None)
}

/// The same, with an `Idempotency-Key` when one is given.
fn event_with(
    operation: Operation,
    key: &str,
    id: ObjectId,
    call_log: ObjectId,
    idempotency_key: Option<&str>,
) -> String {
    let mut headers = vec![("ApiKey", key), ("Content-Type", "application/json")];
    headers.extend(idempotency_key.map(|value| ("Idempotency-Key", value)));
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

/// What a warm-latency row times: an operation, and for a create, whether it is sent with an
/// `Idempotency-Key` (a fresh one each time; its bare calls then make the claim and complete
/// the record in the create's transaction, as the store does).
#[derive(Debug, Clone, Copy)]
struct Case {
    operation: Operation,
    keyed: bool,
}

impl Case {
    /// Every operation, and a create with a key after the plain one.
    fn all() -> Vec<Case> {
        let plain = |operation| Case {
            operation,
            keyed: false,
        };
        Operation::ALL
            .into_iter()
            .flat_map(|operation| match operation {
                Operation::Create => vec![
                    plain(operation),
                    Case {
                        operation,
                        keyed: true,
                    },
                ],
                _ => vec![plain(operation)],
            })
            .collect()
    }

    fn name(self) -> String {
        let name = self.operation.function_name();
        if self.keyed {
            format!("{name} with `Idempotency-Key`")
        } else {
            name.to_string()
        }
    }

    async fn bare(self, target: &Target, id: ObjectId) {
        if self.keyed {
            bare_keyed_create(target).await;
        } else {
            bare(self.operation, target, id).await;
        }
    }
}

/// Handler and bare calls alternate, request by request, so that both meet the local engine in
/// the same state (its tables and caches grow over a run).
async fn warm(case: Case, fixture: &Fixture, app: &App) -> Warm {
    let operation = case.operation;
    let runs = WARM_REQUESTS + 20;
    let handler_ids = ids_for(operation, fixture, runs).await;
    let bare_ids = ids_for(operation, fixture, runs).await;
    let events: Vec<String> = handler_ids
        .iter()
        .map(|id| {
            let idempotency_key = case.keyed.then(|| uuid::Uuid::new_v4().to_string());
            let key = idempotency_key.as_deref();
            event_with(operation, &fixture.key, *id, fixture.call_log, key)
        })
        .collect();
    let mut handler = Vec::with_capacity(WARM_REQUESTS);
    let mut direct = Vec::with_capacity(WARM_REQUESTS);
    for (i, (event, bare_id)) in events.iter().zip(&bare_ids).enumerate() {
        // Which goes first alternates too, so neither always meets DynamoDB right after the other.
        let (mut elapsed, mut bare_elapsed) = (Duration::ZERO, Duration::ZERO);
        for turn in [i % 2, 1 - i % 2] {
            let started = Instant::now();
            if turn == 0 {
                let request = ApiRequest::from_event(event).unwrap();
                let response = app.handle(operation, request).await;
                elapsed = started.elapsed();
                assert_eq!(
                    response.status(),
                    200,
                    "{operation:?}: {:?}",
                    response.body()
                );
            } else {
                case.bare(&fixture.target, *bare_id).await;
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

/// Cold starts of `subjects`, taken in turns (one start of each per round, the order
/// alternating round by round) so that a function and its floor meet the local engine and the
/// machine in the same state; `COLD_STARTS` counted rounds after one uncounted. For each
/// subject: the median and the max of process start → first response, and the median of the
/// first invocation alone (event taken → response posted).
async fn cold(subjects: &[Subject], fixture: &Fixture) -> Vec<(Duration, Duration, Duration)> {
    let mut samples = vec![Vec::with_capacity(COLD_STARTS); subjects.len()];
    let mut first_invocations = vec![Vec::with_capacity(COLD_STARTS); subjects.len()];
    for round in 0..=COLD_STARTS {
        let mut order: Vec<usize> = (0..subjects.len()).collect();
        if round % 2 == 1 {
            order.reverse();
        }
        for i in order {
            let (total, first_invocation) = cold_start(subjects[i], fixture).await;
            // The first round warms the OS page cache for the binaries; it is not counted.
            if round > 0 {
                samples[i].push(total);
                first_invocations[i].push(first_invocation);
            }
        }
    }
    samples
        .iter()
        .zip(&first_invocations)
        .map(|(samples, first)| {
            let max = samples.iter().max().copied().unwrap_or_default();
            (median(samples), max, median(first))
        })
        .collect()
}

/// One cold start of `subject` with a key no process has seen: process start → first response,
/// and the first invocation alone. Each start gets a Runtime API of its own, so a killed
/// process's last poll cannot take the next start's event.
async fn cold_start(subject: Subject, fixture: &Fixture) -> (Duration, Duration) {
    let operation = subject.operation();
    let api = RuntimeApi::start().await.expect("Runtime API");
    let key = fixture.new_key().await;
    let id = fixture.item().await;
    let answer = api.invoke(event(operation, &key, id, fixture.call_log));
    let started = Instant::now();
    let child = spawn(subject, &api);
    let answer = tokio::time::timeout(Duration::from_secs(10), answer)
        .await
        .expect("an answer in 10 s")
        .unwrap();
    stop(child);
    assert!(
        !answer.error && answer.body.contains("\"statusCode\":200"),
        "{subject:?}: {}",
        answer.body
    );
    let first_invocation = answer.at - answer.delivered.expect("the event was delivered");
    (answer.at - started, first_invocation)
}

/// Peak RSS (VmHWM, bytes) of one process after `WARM_REQUESTS` requests.
async fn peak_rss(subject: Subject, fixture: &Fixture) -> u64 {
    let operation = subject.operation();
    let api = RuntimeApi::start().await.expect("Runtime API");
    let ids = ids_for(operation, fixture, WARM_REQUESTS).await;
    let child = spawn(subject, &api);
    for id in ids {
        let answer = api
            .invoke(event(operation, &fixture.key, id, fixture.call_log))
            .await
            .unwrap();
        assert!(!answer.error, "{subject:?}: {}", answer.body);
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
    let call_log = ObjectId::from_uuid(uuid::Uuid::new_v4());
    let mut fixture = Fixture {
        client: client.clone(),
        keys: keys.clone(),
        project,
        call_log,
        key: String::new(),
        target: Target {
            client: client.clone(),
            items_table: config.items_table.clone(),
            store: keys,
            project,
            call_log,
        },
    };
    fixture.key = fixture.new_key().await;
    for _ in 0..30 {
        fixture.item().await;
    }
    let app = Arc::new(App::new(client.clone(), &config));

    // Warm latency first: its thousands of requests also warm the local engine up, so that the
    // cold starts after it, the functions' and the baselines', all meet it in the same state.
    let mut warm_rows = String::new();
    for case in Case::all() {
        let figures = warm(case, &fixture, &app).await;
        let ratio = figures.p50.as_secs_f64() / figures.bare_p50.as_secs_f64();
        eprintln!(
            "{}: warm p50 {} p99 {} bare {} ({ratio:.2}×)",
            case.name(),
            millis(figures.p50),
            millis(figures.p99),
            millis(figures.bare_p50)
        );
        warm_rows.push_str(&format!(
            "| {} | {} | {} | {} | {ratio:.2}× |\n",
            case.name(),
            millis(figures.p50),
            millis(figures.p99),
            millis(figures.bare_p50)
        ));
    }

    // Cold start and memory: each function with its floor (their starts in turns), then the
    // peer.
    let groups: Vec<Vec<Subject>> = Operation::ALL
        .into_iter()
        .map(|operation| vec![Subject::Function(operation), Subject::Floor(operation)])
        .chain([vec![Subject::Peer]])
        .collect();
    let mut measured = Vec::new();
    for group in groups {
        let figures = cold(&group, &fixture).await;
        for (subject, cold_figures) in group.into_iter().zip(figures) {
            let rss = peak_rss(subject, &fixture).await;
            eprintln!(
                "{}: cold median {} max {}, peak RSS {}",
                subject.name(),
                millis(cold_figures.0),
                millis(cold_figures.1),
                mb(rss)
            );
            measured.push((subject, cold_figures, rss));
        }
    }
    let baseline = |wanted: Subject| {
        measured
            .iter()
            .find(|(subject, _, _)| *subject == wanted)
            .map(|(_, cold, rss)| (cold.0.as_secs_f64(), *rss as f64))
            .expect("measured")
    };
    let (peer_cold, peer_rss) = baseline(Subject::Peer);
    let mut cold_rows = String::new();
    for (subject, cold, rss) in &measured {
        let zip = match subject {
            Subject::Function(operation) => {
                zip_size(*operation).map_or("run `make build`".to_string(), mb)
            }
            _ => "—".to_string(),
        };
        let seconds = cold.0.as_secs_f64();
        let (floor_cold, floor_rss) = baseline(Subject::Floor(subject.operation()));
        cold_rows.push_str(&format!(
            "| {} | {} | {:.2}× | 1/{:.0} | {} | {} | {} | {:.2}× | 1/{:.1} | {zip} |\n",
            subject.name(),
            millis(cold.0),
            seconds / floor_cold,
            peer_cold / seconds,
            millis(cold.1),
            millis(cold.2),
            mb(*rss),
            *rss as f64 / floor_rss,
            peer_rss / *rss as f64,
        ));
    }

    let upstream = testkit::latency::address_of(
        &std::env::var("AWS_ENDPOINT_URL_DYNAMODB").expect("the local engine's URL"),
    )
    .expect("a loopback local engine");
    let proxy = testkit::latency::LatencyProxy::start(upstream, concurrency::CALL_LATENCY)
        .await
        .unwrap();
    let mut concurrency_rows = String::new();
    for (operation, requests) in [(Operation::GetItem, 400), (Operation::Create, 400)] {
        let one = concurrency::throughput(operation, 1, requests / 8, &fixture, &proxy).await;
        let eight = concurrency::throughput(operation, 8, requests, &fixture, &proxy).await;
        let gain = eight.per_second / one.per_second;
        eprintln!(
            "{operation:?}: {:.0} requests/s at 1, {:.0} at 8 ({gain:.2}×), most in flight {} and {}",
            one.per_second, eight.per_second, one.most_in_flight, eight.most_in_flight
        );
        concurrency_rows.push_str(&format!(
            "| {} | {:.0} | {:.0} | {gain:.2}× | {} | {} |\n",
            operation.function_name(),
            one.per_second,
            eight.per_second,
            one.most_in_flight,
            eight.most_in_flight
        ));
    }

    let trust = roots::measure();
    eprintln!(
        "roots: system {} ({} certificates), Amazon {} ({})",
        millis(trust.system),
        trust.system_count,
        millis(trust.amazon),
        trust.amazon_count
    );

    let report = format!(
        "## Functions: cold start, warm latency, memory, package, concurrency\n\n\
         `make bench` — {machine}. {engine} (in memory) on the same machine.\n\n\
         Cold start: process start to first response posted back, under a minimal Lambda Runtime \
         API, first request with an API key not yet cached ({COLD_STARTS} starts each, after one \
         uncounted start; a function's starts and its floor's taken in turns). Peak RSS: VmHWM \
         after {WARM_REQUESTS} warm requests. Package: the arm64 zip of `make build`. Against baselines measured in the same run: each function's \
         **floor**, a bare `lambda_http` function on the same SDK client making the same DynamoDB \
         calls as the function's first request (the key's record, then the operation's calls; \
         `bench/src/bin/floor.rs`), and the **peer**, `get-item` in Node.js 20 with the AWS SDK v3 \
         (`bench/peer/`, under a minimal runtime loop; its two `GetItem`s are get-item's, so the \
         like-for-like comparison is get-item's row).\n\n\
         | function | cold start median | ÷ its floor | ÷ peer (get-item) | cold start max | of which the first invocation (median) | peak RSS | ÷ floor | ÷ peer | arm64 zip |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n{cold_rows}\n\
         Warm latency: {WARM_REQUESTS} requests per operation through the real handler (HTTP API \
         event text in, response out, key cached), after 20 uncounted; bare SDK: the same DynamoDB \
         calls the operation makes, issued directly, {WARM_REQUESTS} times, alternating with the \
         handler's requests (and which of the two goes first). `create` is sent without an \
         `Idempotency-Key`, so neither side makes the claim; `create with Idempotency-Key` is \
         sent with a fresh key each time, and its bare calls include the claim (`PutItem`) and the \
         record's step in the create's transaction.\n\n\
         | operation | handler p50 | handler p99 | bare SDK p50 | p50 ratio |\n|---|---:|---:|---:|---:|\n{warm_rows}\n\
         Concurrency: one release process under the Runtime API, `AWS_LAMBDA_MAX_CONCURRENCY` 1 \
         (classic Lambda) and 8 (Managed Instances), every DynamoDB answer held {latency} ms by a \
         proxy; all events queued at once, timed from the first delivery to the last answer (50 \
         requests at 1, 400 at 8). Every event was answered exactly once, every create made its own \
         item and the project's count matched (the run checks and stops otherwise).\n\n\
         | function | requests/s at 1 | requests/s at 8 | gain | most in flight at 1 | at 8 |\n\
         |---|---:|---:|---:|---:|---:|\n{concurrency_rows}\n\
         Trust store: what the first HTTPS connection of a cold start spends on root certificates \
         (the local engine is plain HTTP, so the cold starts above pay neither), median of 50 loads: \
         the system's store as the SDK's default client reads it, against Amazon's roots compiled \
         in, which the functions use in Lambda (`config::Roots`).\n\n\
         | roots | certificates | read and parsed |\n|---|---:|---:|\n\
         | the system's (`rustls-native-certs`) | {} | {} |\n\
         | Amazon Trust Services, compiled in | {} | {} |\n",
        trust.system_count,
        millis(trust.system),
        trust.amazon_count,
        millis(trust.amazon),
        machine = machine_description(),
        engine = engine_description(),
        latency = concurrency::CALL_LATENCY.as_millis(),
    );
    // On stderr: stdout carries the metrics records the handler writes per request.
    eprintln!("{report}");
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/benchmarks.md");
    write_section(&docs, "bench-functions", &report).expect("write docs/benchmarks.md");
    eprintln!("written to docs/benchmarks.md");
}
