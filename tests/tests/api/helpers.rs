//! `TestApp`: a fresh project (random id, its own keys) on the shared local engine, and plain
//! methods that send real API Gateway events through the real handler.

use std::sync::Arc;
use std::time::Duration;

use call_log_item::api::{routes, ApiRequest};
use call_log_item::auth::mint_key;
use call_log_item::config::{client_config, dynamodb_client, sdk_config, Config};
use call_log_item::local_stream;
use call_log_item::model::{ObjectId, Operation, Permission, Timestamp};
use call_log_item::store::dynamo::{create_items_table, create_keys_table};
use call_log_item::store::DynamoStore;
use call_log_item::App;
use serde_json::{json, Value};
use testkit::faults::Faults;
use testkit::EventSpec;
pub use testkit::Payload;
use tokio::sync::OnceCell;
use uuid::Uuid;

static TABLES: OnceCell<()> = OnceCell::const_new();
static LOGS: std::sync::OnceLock<Captured> = std::sync::OnceLock::new();

/// Collects every log line the handlers write (the production JSON format), for tests that
/// read the logs.
#[derive(Clone, Default)]
pub struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Installs the capture once for the whole test binary.
fn capture_logs() {
    LOGS.get_or_init(|| {
        let captured = Captured::default();
        let subscriber = call_log_item::logging::json_logs("debug", captured.clone());
        tracing::subscriber::set_global_default(subscriber).expect("one global subscriber");
        captured
    });
}

/// Everything logged so far by every test of this binary.
pub fn captured_logs() -> String {
    let captured = LOGS.get().expect("TestApp::spawn installs the capture");
    String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned()
}

pub struct TestApp {
    pub app: Arc<App>,
    pub config: Config,
    pub project: ObjectId,
    /// A Project Admin key of `project`.
    pub key: String,
    /// The store the app runs on, for its keys and checks below the API.
    pub keys: DynamoStore,
    /// The raw client, for checks below the API.
    pub client: aws_sdk_dynamodb::Client,
    pub payload: Payload,
    /// Whether each request first waits for the stream to be tallied (see `send_event`).
    pub settles: bool,
}

#[derive(Debug, Clone)]
pub struct TestResponse {
    pub status: u16,
    pub headers: lambda_http::http::HeaderMap,
    pub body: Value,
}

impl TestResponse {
    /// The `error` message of an error body (panics, naming the body, if there is none).
    pub fn error(&self) -> &str {
        self.body["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error in {} {}", self.status, self.body))
    }

    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        self
    }
}

/// The operation of the function API Gateway would invoke for this method and path (list for
/// a route the API does not have, which API Gateway itself would refuse).
pub fn function_for(method: &str, path_and_query: &str) -> Operation {
    routes::operation_for(method, path_and_query).unwrap_or(Operation::List)
}

pub fn random_id() -> String {
    Uuid::new_v4().to_string()
}

/// Credentials and region for the local engine when the environment has none.
fn local_defaults() {
    for (name, value) in [
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "local"),
        ("AWS_SECRET_ACCESS_KEY", "local"),
        ("CURSOR_SECRET", "black-box-tests-cursor-secret"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ] {
        if std::env::var_os(name).is_none() {
            // Set before any thread reads the environment: the first test to get here sets them.
            unsafe { std::env::set_var(name, value) };
        }
    }
    assert!(
        std::env::var_os("AWS_ENDPOINT_URL_DYNAMODB").is_some(),
        "AWS_ENDPOINT_URL_DYNAMODB is not set: run the tests with `make test`, which starts the local engine"
    );
}

/// The configuration and a client for the shared local engine, with both tables created
/// (once per test binary).
pub async fn tables() -> (Config, aws_sdk_dynamodb::Client) {
    local_defaults();
    let config = Config::from_env().expect("configuration");
    let client = dynamodb_client().await.expect("DynamoDB client");
    TABLES
        .get_or_init(|| async {
            create_items_table(&client, &config.items_table)
                .await
                .expect("items table");
            create_keys_table(&client, &config.keys_table)
                .await
                .expect("keys table");
            // Counts and entries of this binary's writes only: earlier binaries tallied theirs.
            let store = DynamoStore::new(client.clone(), &config.items_table, &config.keys_table);
            local_stream::settle_from_now(&store)
                .await
                .expect("the stream's latest position");
        })
        .await;
    (config, client)
}

/// The DynamoDB store on the shared tables, as the functions build it.
pub async fn dynamo_store() -> DynamoStore {
    let (config, client) = tables().await;
    DynamoStore::new(client, &config.items_table, &config.keys_table)
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::with_cache(Duration::from_secs(60)).await
    }

    /// A TestApp whose key cache keeps keys for `ttl`.
    pub async fn with_cache(ttl: Duration) -> TestApp {
        Self::build(ttl, None).await
    }

    /// A TestApp whose DynamoDB client goes through a fault injector (no key cache, so every
    /// request reads its key); the injector's handle plans the faults.
    pub async fn with_faults() -> (TestApp, Faults) {
        let faults = Faults::new();
        (Self::build(Duration::ZERO, Some(&faults)).await, faults)
    }

    async fn build(ttl: Duration, faults: Option<&Faults>) -> TestApp {
        capture_logs();
        let (mut config, client) = tables().await;
        config.key_cache_ttl = ttl;
        let client = match faults {
            None => client,
            Some(faults) => {
                let shared = sdk_config().await.expect("SDK configuration");
                let injected = client_config(&shared).http_client(faults.http_client());
                aws_sdk_dynamodb::Client::from_conf(injected.build())
            }
        };
        let keys = DynamoStore::new(client.clone(), &config.items_table, &config.keys_table);
        let project = ObjectId::parse(&random_id()).unwrap();
        let key = mint_key(
            &keys,
            project,
            vec![Permission::ProjectAdmin],
            Some("test".into()),
            None,
        )
        .await
        .expect("admin key");
        TestApp {
            app: Arc::new(App::new(client.clone(), &config)),
            client,
            config,
            project,
            key,
            keys,
            payload: Payload::Http,
            settles: true,
        }
    }

    /// The same app and project, sending the other kind of event.
    pub fn with_payload(&self, payload: Payload) -> TestApp {
        TestApp {
            app: Arc::clone(&self.app),
            config: self.config.clone(),
            project: self.project,
            key: self.key.clone(),
            keys: self.keys.clone(),
            client: self.client.clone(),
            payload,
            settles: self.settles,
        }
    }

    /// The same project and key, served by an app whose reads may each examine at most `cap`
    /// items (the store's read cap; `MAX_ITEMS_EXAMINED` in the functions).
    pub fn with_read_cap(&self, cap: u64) -> TestApp {
        let store = DynamoStore::new(
            self.client.clone(),
            &self.config.items_table,
            &self.config.keys_table,
        )
        .with_read_cap(cap);
        TestApp {
            app: Arc::new(App::with_store(store, &self.config)),
            ..self.with_payload(self.payload)
        }
    }

    /// Another TestApp on the same tables with a different project.
    pub async fn other_project() -> TestApp {
        Self::spawn().await
    }

    pub async fn key_with(&self, permissions: &[Permission]) -> String {
        mint_key(&self.keys, self.project, permissions.to_vec(), None, None)
            .await
            .expect("key")
    }

    pub async fn key_expiring(&self, expires_at: Timestamp) -> String {
        mint_key(
            &self.keys,
            self.project,
            vec![Permission::ProjectAdmin],
            None,
            Some(expires_at),
        )
        .await
        .expect("key")
    }

    /// Sends one request as API Gateway would: to the function the route table names.
    pub async fn send(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> TestResponse {
        self.send_event(method, path_and_query, headers, body, false)
            .await
    }

    /// Sends a base64-encoded body with the event's `isBase64Encoded` flag set.
    pub async fn send_base64(&self, method: &str, path: &str, encoded_body: &str) -> TestResponse {
        let headers = [
            ("ApiKey", self.key.as_str()),
            ("Content-Type", "application/json"),
        ];
        self.send_event(method, path, &headers, Some(encoded_body), true)
            .await
    }

    async fn send_event(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
        base64: bool,
    ) -> TestResponse {
        let route = routes::template_for(method, path_and_query);
        let spec = EventSpec {
            method,
            path: path_and_query,
            headers,
            body,
            base64,
            route: route.as_deref(),
        };
        // Counts and entries by value follow the writes through the table's stream: every
        // request here is sent once the writes before it are tallied (as on AWS a moment
        // later); tests of the lag itself tally by hand (`reliability.rs`).
        if self.settles {
            local_stream::settle(&self.keys)
                .await
                .expect("the stream is tallied");
        }
        let request = ApiRequest::from_event(&testkit::event_json(self.payload, &spec))
            .expect("the event reads");
        let operation = function_for(method, path_and_query);
        let response = self.app.handle(operation, request).await;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = match response.body() {
            lambda_http::Body::Text(text) => serde_json::from_str(text).expect("a JSON body"),
            lambda_http::Body::Empty => Value::Null,
            other => panic!("unexpected body {other:?}"),
        };
        TestResponse {
            status,
            headers,
            body,
        }
    }

    /// Sends with this app's admin key and a JSON body.
    pub async fn call(
        &self,
        method: &str,
        path_and_query: &str,
        body: Option<Value>,
    ) -> TestResponse {
        self.call_as(&self.key, method, path_and_query, body).await
    }

    pub async fn call_as(
        &self,
        key: &str,
        method: &str,
        path_and_query: &str,
        body: Option<Value>,
    ) -> TestResponse {
        let body = body.map(|b| b.to_string());
        let headers = [("ApiKey", key), ("Content-Type", "application/json")];
        self.send(method, path_and_query, &headers, body.as_deref())
            .await
    }

    pub async fn create(&self, data: Value) -> TestResponse {
        self.call("POST", routes::BASE_PATH, Some(json!({ "data": data })))
            .await
    }

    /// Creates a valid item with `extra` fields on top of the required ones; returns it.
    pub async fn create_item(&self, call_log: &str, extra: Value) -> Value {
        let mut data = json!({"incomingCallLogId": call_log, "status": "Ringing"});
        if let Value::Object(extra) = extra {
            data.as_object_mut().unwrap().extend(extra);
        }
        let response = self.create(data).await;
        response.assert_status(200);
        response.body
    }

    /// Creates a valid item (as `create_item`) and returns its `_id`.
    pub async fn create_id(&self, call_log: &str, extra: Value) -> String {
        let item = self.create_item(call_log, extra).await;
        item["_id"].as_str().expect("an _id").to_string()
    }

    pub async fn get_item(&self, id: &str, body: Option<Value>) -> TestResponse {
        self.call(
            "POST",
            &format!("{}/{id}/get-item", routes::BASE_PATH),
            body,
        )
        .await
    }

    pub async fn list(&self, query_string: &str, body: Option<Value>) -> TestResponse {
        let path = format!("{}/get-list{query_string}", routes::BASE_PATH);
        self.call("POST", &path, body).await
    }

    pub async fn count(&self, body: Option<Value>) -> TestResponse {
        self.call("POST", &format!("{}/count", routes::BASE_PATH), body)
            .await
    }

    pub async fn update(&self, id: &str, body: Value) -> TestResponse {
        self.call("PUT", &format!("{}/{id}", routes::BASE_PATH), Some(body))
            .await
    }

    pub async fn delete(&self, id: &str) -> TestResponse {
        self.call("DELETE", &format!("{}/{id}", routes::BASE_PATH), None)
            .await
    }

    /// Every item of this project, as stored (read through the API).
    pub async fn all_items(&self) -> Vec<Value> {
        let response = self
            .list("?limit=100", Some(json!({"sort": {"_id": 1}})))
            .await;
        response.assert_status(200);
        response.body["data"].as_array().unwrap().clone()
    }
}
