//! Faults: DynamoDB stopped, or hanging, during a run. Every route answers 503 with
//! `Retry-After` within 3 s — never a hang, never a 5xx of another kind — and the same warm
//! app recovers by itself once DynamoDB is back. This binary runs its own local engine
//! (`scripts/dynamodb-local.sh`, data on disk so it survives the restart: it relies on the
//! engine's file-backed mode keeping every acknowledged write across a stop and a start).

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use call_log_item::api::{routes, ApiRequest};
use call_log_item::auth::mint_key;
use call_log_item::config::{sdk_config, Config};
use call_log_item::model::{ObjectId, Operation, Permission};
use call_log_item::store::dynamo::{create_items_table, create_keys_table};
use call_log_item::store::DynamoStore;
use call_log_item::App;
use serde_json::{json, Value};
use testkit::{EventSpec, Payload};

const BASE: &str = "/api/incoming-call-log-item";

fn script() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/dynamodb-local.sh")
}

fn dynamodb(args: &[&str]) -> String {
    let output = Command::new(script())
        .args(args)
        .output()
        .expect("scripts/dynamodb-local.sh runs");
    assert!(
        output.status.success(),
        "dynamodb-local.sh {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

async fn client_for(endpoint: &str) -> aws_sdk_dynamodb::Client {
    for (name, value) in [
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "local"),
        ("AWS_SECRET_ACCESS_KEY", "local"),
        ("CURSOR_SECRET", "black-box-tests-cursor-secret"),
    ] {
        if std::env::var_os(name).is_none() {
            unsafe { std::env::set_var(name, value) };
        }
    }
    let shared = sdk_config().await.unwrap();
    let config = aws_sdk_dynamodb::config::Builder::from(&shared)
        .endpoint_url(endpoint)
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

/// Tables named with `prefix` and a Project Admin key, through `client`; returns the config
/// (key cache off) and the key.
async fn setup(client: &aws_sdk_dynamodb::Client, prefix: &str) -> (Config, String) {
    let mut config = Config::from_env().unwrap();
    config.items_table = format!("{prefix}-items");
    config.keys_table = format!("{prefix}-keys");
    // No key cache: every request needs the database, as a cold function's first would.
    config.key_cache_ttl = Duration::ZERO;
    create_items_table(client, &config.items_table)
        .await
        .unwrap();
    create_keys_table(client, &config.keys_table).await.unwrap();
    let project = ObjectId::from_uuid(uuid::Uuid::new_v4());
    let keys = DynamoStore::new(client.clone(), &config.items_table, &config.keys_table);
    let key = mint_key(&keys, project, vec![Permission::ProjectAdmin], None, None)
        .await
        .unwrap();
    (config, key)
}

/// One request per route; returns (status, Retry-After, elapsed) of each.
async fn every_route(
    app: &App,
    key: &str,
    id: &str,
) -> Vec<(String, u16, Option<String>, Duration)> {
    let requests: Vec<(&str, String, Option<Value>)> = vec![
        ("POST", format!("{BASE}/get-list"), None),
        (
            "POST",
            format!("{BASE}/get-list?skip=3"),
            Some(json!({"query": {"status": {"_type": "Search", "value": "r"}}})),
        ),
        ("POST", format!("{BASE}/{id}/get-item"), None),
        (
            "POST",
            format!("{BASE}/count"),
            Some(json!({"query": {"isAnswered": false}})),
        ),
        (
            "POST",
            BASE.to_string(),
            Some(json!({"data": {"incomingCallLogId": id, "status": "x"}})),
        ),
        (
            "PUT",
            format!("{BASE}/{id}"),
            Some(json!({"data": {"status": "y"}})),
        ),
        ("DELETE", format!("{BASE}/{id}"), None),
    ];
    let mut results = Vec::new();
    for (method, path, body) in requests {
        let body = body.map(|b| b.to_string());
        let headers = [("ApiKey", key)];
        let route = routes::template_for(method, &path);
        let event = testkit::event_json(
            Payload::Http,
            &EventSpec::new(method, &path, &headers, body.as_deref()).on_route(route.as_deref()),
        );
        let request = ApiRequest::from_event(&event).expect("the event reads");
        let started = Instant::now();
        let operation = routes::operation_for(method, &path).unwrap_or(Operation::List);
        let response = app.handle(operation, request).await;
        let retry_after = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_string());
        results.push((
            format!("{method} {path}"),
            response.status().as_u16(),
            retry_after,
            started.elapsed(),
        ));
    }
    results
}

fn assert_unavailable(results: &[(String, u16, Option<String>, Duration)], what: &str) {
    for (route, status, retry_after, elapsed) in results {
        assert_eq!(*status, 503, "{what}: {route}");
        assert!(retry_after.is_some(), "{what}: {route} without Retry-After");
        assert!(
            *elapsed < Duration::from_secs(3),
            "{what}: {route} took {elapsed:?}"
        );
    }
}

#[tokio::test]
async fn a_stopped_dynamodb_gives_503_within_3_s_and_the_same_app_recovers() {
    let port = dynamodb(&["free-port"]);
    let data = std::env::temp_dir().join(format!("faults-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&data).unwrap();
    let data = data.to_str().unwrap().to_string();
    dynamodb(&["start", &port, &data]);
    let endpoint = format!("http://127.0.0.1:{port}");
    let client = client_for(&endpoint).await;
    let (mut config, key) = setup(&client, "faults").await;
    let app = Arc::new(App::new(client.clone(), &config));
    config.key_cache_ttl = Duration::from_secs(60);
    let warm = App::new(client.clone(), &config);
    let created = every_route(&warm, &key, &uuid::Uuid::new_v4().to_string()).await;
    let healthy: Vec<u16> = created.iter().map(|r| r.1).collect();
    assert!(healthy.iter().all(|s| *s < 500), "healthy run: {created:?}");

    // Stopped: connections are refused, to the key lookup and to each operation's own calls.
    dynamodb(&["stop", &port]);
    let mut down = every_route(&app, &key, &uuid::Uuid::new_v4().to_string()).await;
    down.extend(every_route(&warm, &key, &uuid::Uuid::new_v4().to_string()).await);
    assert_unavailable(&down, "DynamoDB stopped");

    // Back: the same app, with its pooled connections to the old process, recovers.
    dynamodb(&["start", &port, &data]);
    let mut recovered = None;
    for _ in 0..20 {
        let results = every_route(&app, &key, &uuid::Uuid::new_v4().to_string()).await;
        if results.iter().all(|r| r.1 < 500) {
            recovered = Some(results);
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    dynamodb(&["stop", &port]);
    let _ = std::fs::remove_dir_all(&data);
    let recovered = recovered.expect("the app recovers once DynamoDB is back");
    assert!(recovered.iter().any(|r| r.1 == 200));
    eprintln!(
        "faults: stop → {} routes answered 503 in at most {:?}; restart → recovered",
        down.len(),
        down.iter().map(|r| r.3).max().unwrap()
    );
}

/// A TCP proxy to DynamoDB that can be switched to hang: in that mode it drops the
/// connections it was forwarding and holds new ones open without ever answering.
struct Proxy {
    endpoint: String,
    hang: Arc<std::sync::atomic::AtomicBool>,
    forwarding: Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let hang = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let forwarding: Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let (hang_flag, tasks) = (Arc::clone(&hang), Arc::clone(&forwarding));
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                if hang_flag.load(std::sync::atomic::Ordering::SeqCst) {
                    held.push(inbound);
                    continue;
                }
                let upstream = upstream.clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                tasks.lock().unwrap().push(task.abort_handle());
            }
        });
        Proxy {
            endpoint,
            hang,
            forwarding,
        }
    }

    fn set_hanging(&self, hanging: bool) {
        self.hang
            .store(hanging, std::sync::atomic::Ordering::SeqCst);
        if hanging {
            for task in self.forwarding.lock().unwrap().drain(..) {
                task.abort();
            }
        }
    }
}

#[tokio::test]
async fn a_hanging_dynamodb_gives_503_within_3_s_and_the_same_app_recovers() {
    let upstream = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
        .expect("AWS_ENDPOINT_URL_DYNAMODB (make test starts the local engine)")
        .trim_start_matches("http://")
        .to_string();
    let proxy = Proxy::start(upstream).await;
    let client = client_for(&proxy.endpoint).await;
    let (mut config, key) = setup(&client, "hang").await;
    config.key_cache_ttl = Duration::from_secs(60);
    // A warm app whose key is cached, so each operation's own calls meet the hang; and one
    // without a cache, whose key lookup meets it.
    let warm = App::new(client.clone(), &config);
    config.key_cache_ttl = Duration::ZERO;
    let cold = App::new(client.clone(), &config);
    let healthy = every_route(&warm, &key, &uuid::Uuid::new_v4().to_string()).await;
    assert!(healthy.iter().all(|r| r.1 < 500), "{healthy:?}");

    proxy.set_hanging(true);
    let (id_a, id_b) = (
        uuid::Uuid::new_v4().to_string(),
        uuid::Uuid::new_v4().to_string(),
    );
    let (operations, lookups) = tokio::join!(
        every_route(&warm, &key, &id_a),
        every_route(&cold, &key, &id_b)
    );
    assert_unavailable(&operations, "DynamoDB hanging, key cached");
    assert_unavailable(&lookups, "DynamoDB hanging, key lookup");

    proxy.set_hanging(false);
    let mut recovered = false;
    for _ in 0..20 {
        if every_route(&warm, &key, &uuid::Uuid::new_v4().to_string())
            .await
            .iter()
            .all(|r| r.1 < 500)
        {
            recovered = true;
            break;
        }
    }
    assert!(recovered, "the app recovers once DynamoDB answers again");
    let slowest = operations
        .iter()
        .chain(&lookups)
        .map(|r| r.3)
        .max()
        .unwrap();
    eprintln!(
        "faults: hang → {} requests answered 503 in at most {slowest:?}; released → recovered",
        operations.len() + lookups.len()
    );
}
