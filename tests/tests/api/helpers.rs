//! `TestApp`: a fresh project (random id, its own keys) on the shared local engine, and plain
//! methods that send real API Gateway events through the real handler.

use std::sync::Arc;
use std::time::Duration;

use call_log_item::config::{client_config, dynamodb_client, sdk_config, Config};
use call_log_item::local_stream;
use call_log_item::store::dynamo::{create_items_table, create_keys_table};
use call_log_item::store::DynamoStore;
use call_log_item::App;
use testkit::faults::Faults;
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

/// The one harness (`call_log_item::testing`), on the local engine.
pub type TestApp = call_log_item::testing::TestApp<DynamoStore>;
// Not every test binary that includes this file uses both.
#[allow(unused_imports)]
pub use call_log_item::testing::Answer;
#[allow(unused_imports)]
pub use testkit::Payload;

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

/// How the black-box tests build the harness on the local engine: a fresh project (random
/// id, its own keys) on the shared tables.
#[allow(async_fn_in_trait)] // used in this crate's tests only
pub trait OnDynamo: Sized {
    /// With a key cache of 60 s, as the functions run.
    async fn spawn() -> Self;
    /// With a key cache that keeps keys for `ttl`.
    async fn with_cache(ttl: Duration) -> Self;
    /// Through a fault injector (no key cache, so every request reads its key); the
    /// injector's handle plans the faults.
    async fn with_faults() -> (Self, Faults);
    /// Another harness on the same tables with a project of its own.
    async fn other_project() -> Self {
        Self::spawn().await
    }
    /// The same project and key, served by an app whose reads may each examine at most `cap`
    /// items (the store's read cap; `MAX_ITEMS_EXAMINED` in the functions).
    fn with_read_cap(&self, cap: u64) -> Self;
    /// The raw client, for checks below the API.
    fn client(&self) -> aws_sdk_dynamodb::Client;
}

impl OnDynamo for TestApp {
    async fn spawn() -> TestApp {
        Self::with_cache(Duration::from_secs(60)).await
    }

    async fn with_cache(ttl: Duration) -> TestApp {
        build(ttl, None).await
    }

    async fn with_faults() -> (TestApp, Faults) {
        let faults = Faults::new();
        (build(Duration::ZERO, Some(&faults)).await, faults)
    }

    fn with_read_cap(&self, cap: u64) -> TestApp {
        let store = self.store().clone().with_read_cap(cap);
        self.with_app(App::with_store(store, &self.config))
    }

    fn client(&self) -> aws_sdk_dynamodb::Client {
        self.store().client().clone()
    }
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
    let store = DynamoStore::new(client, &config.items_table, &config.keys_table);
    TestApp::on(store, config).await
}
