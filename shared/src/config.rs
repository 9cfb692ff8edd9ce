//! Configuration from the environment, and the DynamoDB client, built once per cold start.
//!
//! Variables: `ITEMS_TABLE`, `API_KEYS_TABLE`, `KEY_CACHE_TTL_SECONDS` (≤ 60), `CURSOR_SECRET`,
//! plus those the SDK reads itself: `AWS_REGION`, credentials, `AWS_ENDPOINT_URL_DYNAMODB` (DynamoDB Local).

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::BehaviorVersion;
use aws_sdk_dynamodb::Client;

pub const DEFAULT_ITEMS_TABLE: &str = "IncomingCallLogItems";
pub const DEFAULT_API_KEYS_TABLE: &str = "IncomingCallLogItemApiKeys";

/// Settings a function or the CLI needs besides the SDK's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub items_table: String,
    pub keys_table: String,
    pub key_cache_ttl: Duration,
    /// The key that signs list cursors (`CURSOR_SECRET`). Without it, one derived from the
    /// items table's name: cursors still cannot cross projects or queries, but could be forged
    /// within the caller's own project by someone who knows this code.
    pub cursor_secret: Vec<u8>,
}

fn variable(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        let ttl = match variable("KEY_CACHE_TTL_SECONDS") {
            None => 60,
            Some(text) => text
                .parse::<u64>()
                .ok()
                .filter(|seconds| *seconds <= 60)
                .ok_or_else(|| format!("KEY_CACHE_TTL_SECONDS must be 0 to 60, not {text:?}"))?,
        };
        let items_table = variable("ITEMS_TABLE").unwrap_or_else(|| DEFAULT_ITEMS_TABLE.into());
        let cursor_secret = variable("CURSOR_SECRET")
            .unwrap_or_else(|| format!("cursor:{items_table}"))
            .into_bytes();
        Ok(Config {
            cursor_secret,
            items_table,
            keys_table: variable("API_KEYS_TABLE").unwrap_or_else(|| DEFAULT_API_KEYS_TABLE.into()),
            key_cache_ttl: Duration::from_secs(ttl),
        })
    }
}

/// How long the SDK waits, so that a request answers 503 within 3 s when DynamoDB is gone or
/// hangs, and well before the Lambda timeout (10 s) when it is merely slow (SPEC §8).
pub mod limits {
    use std::time::Duration;

    /// Opening a connection (refused connections fail at once; dropped SYNs wait this long).
    pub const CONNECT: Duration = Duration::from_millis(300);
    /// One attempt of one call, retries excluded. A healthy DynamoDB answers in milliseconds.
    pub const ATTEMPT: Duration = Duration::from_millis(800);
    /// One call, retries and backoff included.
    pub const OPERATION: Duration = Duration::from_millis(2000);
    /// Attempts per call (the first and two retries), with this backoff between them.
    pub const MAX_ATTEMPTS: u32 = 3;
    pub const INITIAL_BACKOFF: Duration = Duration::from_millis(25);
    pub const MAX_BACKOFF: Duration = Duration::from_millis(250);
    /// A whole request, however many calls it makes (a long filtered count pages through many):
    /// past this it answers 503 instead of running into the Lambda timeout.
    pub const REQUEST: Duration = Duration::from_millis(8000);
}

/// The DynamoDB client with the [`limits`] and the [`retries`]. Fails here, at start, when no
/// region or credentials are configured.
pub async fn dynamodb_client() -> Result<Client, String> {
    Ok(Client::from_conf(
        client_config(&sdk_config().await?).build(),
    ))
}

/// The client's configuration, for a client with extra settings (an HTTP client of its own).
pub fn client_config(shared: &aws_config::SdkConfig) -> aws_sdk_dynamodb::config::Builder {
    aws_sdk_dynamodb::config::Builder::from(shared).retry_classifier(retries::TransientConflicts)
}

/// What the SDK retries besides its defaults (timeouts, throttling, 5xx).
pub mod retries {
    use aws_sdk_dynamodb::config::interceptors::InterceptorContext;
    use aws_sdk_dynamodb::config::retry::{ClassifyRetry, RetryAction};
    use aws_sdk_dynamodb::error::ProvideErrorMetadata;
    use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
    use aws_sdk_dynamodb::operation::put_item::PutItemError;
    use aws_sdk_dynamodb::operation::update_item::UpdateItemError;

    /// A single-item write that met an item inside another transaction
    /// (`TransactionConflictException`) succeeds when tried again a moment later: transient,
    /// like throttling. (A cancelled transaction is retried by the store itself, with a new
    /// idempotency token, since nothing of it was applied.)
    #[derive(Debug)]
    pub struct TransientConflicts;

    impl ClassifyRetry for TransientConflicts {
        fn classify_retry(&self, context: &InterceptorContext) -> RetryAction {
            let Some(Err(error)) = context.output_or_error() else {
                return RetryAction::NoActionIndicated;
            };
            let Some(error) = error.as_operation_error() else {
                return RetryAction::NoActionIndicated;
            };
            let code = error
                .downcast_ref::<UpdateItemError>()
                .and_then(|e| e.code())
                .or_else(|| error.downcast_ref::<PutItemError>().and_then(|e| e.code()))
                .or_else(|| {
                    error
                        .downcast_ref::<DeleteItemError>()
                        .and_then(|e| e.code())
                });
            if code == Some("TransactionConflictException") {
                RetryAction::transient_error()
            } else {
                RetryAction::NoActionIndicated
            }
        }

        fn name(&self) -> &'static str {
            "TransactionConflictException is transient"
        }
    }
}

/// The SDK configuration the client is built from (for a client with extra settings).
pub async fn sdk_config() -> Result<aws_config::SdkConfig, String> {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(limits::CONNECT)
        .operation_attempt_timeout(limits::ATTEMPT)
        .operation_timeout(limits::OPERATION)
        .build();
    let retries = RetryConfig::standard()
        .with_max_attempts(limits::MAX_ATTEMPTS)
        .with_initial_backoff(limits::INITIAL_BACKOFF)
        .with_max_backoff(limits::MAX_BACKOFF);
    let shared = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(timeouts)
        .retry_config(retries)
        .load()
        .await;
    if shared.region().is_none() {
        return Err(
            "no AWS region configured: set AWS_REGION (any value for DynamoDB Local)".into(),
        );
    }
    if shared.credentials_provider().is_none() {
        return Err("no AWS credentials provider: set AWS_ACCESS_KEY_ID and \
                    AWS_SECRET_ACCESS_KEY (any values for DynamoDB Local)"
            .into());
    }
    Ok(shared)
}
