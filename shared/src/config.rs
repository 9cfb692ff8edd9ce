//! Configuration from the environment, and the DynamoDB client, built once per cold start.
//!
//! Variables: `ITEMS_TABLE`, `API_KEYS_TABLE`, `KEY_CACHE_TTL_SECONDS` (≤ 60), `CURSOR_SECRET`,
//! `CURSOR_SECRET_PREVIOUS`, `METRICS_NAMESPACE`, `METRICS_SERVICE`, `DYNAMODB_ENDPOINT`, plus
//! those the SDK reads itself: `AWS_REGION`, credentials, `AWS_ENDPOINT_URL_DYNAMODB`.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::BehaviorVersion;
use aws_sdk_dynamodb::config::SharedHttpClient;
use aws_sdk_dynamodb::Client;
use aws_smithy_http_client::tls;

pub const DEFAULT_ITEMS_TABLE: &str = "IncomingCallLogItems";
pub const DEFAULT_API_KEYS_TABLE: &str = "IncomingCallLogItemApiKeys";
/// The shortest `CURSOR_SECRET` accepted (the template generates 64 characters).
pub const MIN_CURSOR_SECRET_LEN: usize = 16;
/// The CloudWatch namespace of the functions' metrics unless `METRICS_NAMESPACE` says otherwise.
pub const DEFAULT_METRICS_NAMESPACE: &str = "IncomingCallLogItemApi";

/// Settings a function needs besides the SDK's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub items_table: String,
    pub keys_table: String,
    pub key_cache_ttl: Duration,
    /// The key that signs list cursors (`CURSOR_SECRET`).
    pub cursor_secret: Secret,
    /// The key before the last rotation (`CURSOR_SECRET_PREVIOUS`): cursors it signed are
    /// still read, so lists being paged through survive a rotation.
    pub previous_cursor_secret: Option<Secret>,
    /// Where the per-request metrics go: the CloudWatch namespace (`METRICS_NAMESPACE`) and
    /// the value of their `Service` dimension (`METRICS_SERVICE`; the stack's name in AWS).
    pub metrics_namespace: String,
    pub metrics_service: String,
}

/// A secret value: its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(value: impl Into<Vec<u8>>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Every variable the functions read themselves (the SDK reads its own), for the checks of
/// the template and the `sam local` environment file against the code.
pub const VARIABLES: [&str; 10] = [
    "ITEMS_TABLE",
    "API_KEYS_TABLE",
    "KEY_CACHE_TTL_SECONDS",
    "CURSOR_SECRET",
    "CURSOR_SECRET_PREVIOUS",
    "METRICS_NAMESPACE",
    "METRICS_SERVICE",
    "AWS_LAMBDA_LOG_LEVEL",
    "RUST_LOG",
    "DYNAMODB_ENDPOINT",
];

/// One variable of the environment; unset and blank are the same.
fn variable(name: &str) -> Option<String> {
    non_blank(std::env::var(name).ok())
}

fn non_blank(value: Option<String>) -> Option<String> {
    value.filter(|value| !value.trim().is_empty())
}

impl Config {
    /// The functions' settings from the environment. Refuses to start without a
    /// `CURSOR_SECRET`: there is no fallback, in Lambda or anywhere else (`make dev` and
    /// `make test` set a local one).
    pub fn from_env() -> Result<Config, String> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// The settings from `lookup` (a variable's value by name).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let get = |name: &str| non_blank(lookup(name));
        let secret = |name: &str| match get(name) {
            None => Ok(None),
            Some(value) if value.len() < MIN_CURSOR_SECRET_LEN => Err(format!(
                "{name} is too short: it must be at least {MIN_CURSOR_SECRET_LEN} characters"
            )),
            Some(value) => Ok(Some(Secret::new(value))),
        };
        let ttl = match get("KEY_CACHE_TTL_SECONDS") {
            None => 60,
            Some(text) => text
                .parse::<u64>()
                .ok()
                .filter(|seconds| *seconds <= 60)
                .ok_or_else(|| format!("KEY_CACHE_TTL_SECONDS must be 0 to 60, not {text:?}"))?,
        };
        let cursor_secret = secret("CURSOR_SECRET")?.ok_or_else(|| {
            "CURSOR_SECRET is not set: list cursors need a secret of at least 16 characters \
             to be signed with (the template resolves one from Secrets Manager)"
                .to_string()
        })?;
        Ok(Config {
            items_table: get("ITEMS_TABLE").unwrap_or_else(|| DEFAULT_ITEMS_TABLE.into()),
            keys_table: get("API_KEYS_TABLE").unwrap_or_else(|| DEFAULT_API_KEYS_TABLE.into()),
            key_cache_ttl: Duration::from_secs(ttl),
            cursor_secret,
            previous_cursor_secret: secret("CURSOR_SECRET_PREVIOUS")?,
            metrics_namespace: get("METRICS_NAMESPACE")
                .unwrap_or_else(|| DEFAULT_METRICS_NAMESPACE.into()),
            metrics_service: get("METRICS_SERVICE").unwrap_or_else(|| "local".into()),
        })
    }
}

/// The two tables' names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tables {
    pub items: String,
    pub keys: String,
}

impl Tables {
    /// `ITEMS_TABLE` and `API_KEYS_TABLE`, else the names the local tools create.
    pub fn from_env() -> Tables {
        Tables {
            items: variable("ITEMS_TABLE").unwrap_or_else(|| DEFAULT_ITEMS_TABLE.into()),
            keys: variable("API_KEYS_TABLE").unwrap_or_else(|| DEFAULT_API_KEYS_TABLE.into()),
        }
    }
}

/// The endpoint the client is pointed at instead of AWS (DynamoDB Local), if any.
pub fn endpoint_override() -> Option<String> {
    variable("DYNAMODB_ENDPOINT")
        .or_else(|| variable("AWS_ENDPOINT_URL_DYNAMODB"))
        .or_else(|| variable("AWS_ENDPOINT_URL"))
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
/// `DYNAMODB_ENDPOINT`, when set, points it at DynamoDB Local (`sam local`: the template
/// declares it empty so that an `--env-vars` file can set it).
pub fn client_config(shared: &aws_config::SdkConfig) -> aws_sdk_dynamodb::config::Builder {
    let builder = aws_sdk_dynamodb::config::Builder::from(shared)
        .retry_classifier(retries::TransientConflicts);
    match variable("DYNAMODB_ENDPOINT") {
        Some(endpoint) => builder.endpoint_url(endpoint),
        None => builder,
    }
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

/// The roots AWS's service endpoints chain to: Amazon Trust Services' four and the Starfield
/// root that cross-signs them (5.9 KB, compiled in).
pub const AMAZON_ROOTS: &[u8] = include_bytes!("../certs/amazon-trust-services.pem");

/// Which root certificates the HTTPS client trusts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Roots {
    /// [`AMAZON_ROOTS`] alone: nothing read from disk at a cold start.
    Amazon,
    /// The system's store (about 150 certificates, read and parsed at the first connection).
    System,
}

impl Roots {
    /// Amazon's roots in Lambda calling AWS's own endpoints; the system's anywhere else, or
    /// when an endpoint or a proxy is configured (it may present any certificate).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Roots {
        let set = |name: &str| lookup(name).is_some_and(|value| !value.trim().is_empty());
        let in_lambda = set("AWS_LAMBDA_FUNCTION_NAME");
        let elsewhere = [
            "AWS_ENDPOINT_URL",
            "AWS_ENDPOINT_URL_DYNAMODB",
            "DYNAMODB_ENDPOINT",
            "HTTPS_PROXY",
            "https_proxy",
        ]
        .into_iter()
        .any(set);
        if in_lambda && !elsewhere {
            Roots::Amazon
        } else {
            Roots::System
        }
    }
}

/// The HTTPS client of every AWS call: hyper with rustls on ring (the SDK's default client is
/// the same on aws-lc, a larger build of the same TLS stack), trusting `roots`.
pub fn https_client(roots: Roots) -> SharedHttpClient {
    let builder = aws_smithy_http_client::Builder::new().tls_provider(tls::Provider::Rustls(
        tls::rustls_provider::CryptoMode::Ring,
    ));
    match roots {
        Roots::System => builder.build_https(),
        Roots::Amazon => {
            let store = tls::TrustStore::empty()
                .with_native_roots(false)
                .with_pem_certificate(AMAZON_ROOTS);
            let context = tls::TlsContext::builder()
                .with_trust_store(store)
                .build()
                .expect("a trust store of PEM certificates");
            builder.tls_context(context).build_https()
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
        .http_client(https_client(Roots::from_lookup(variable)))
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    const SECRET: (&str, &str) = ("CURSOR_SECRET", "0123456789abcdef0123");

    #[test]
    fn without_a_cursor_secret_there_is_no_config() {
        for vars in [
            &[][..],
            &[("CURSOR_SECRET", "")][..],
            &[("CURSOR_SECRET", "  ")][..],
        ] {
            let problem = config(vars).unwrap_err();
            assert!(problem.starts_with("CURSOR_SECRET is not set"), "{problem}");
        }
        let problem = config(&[("CURSOR_SECRET", "short")]).unwrap_err();
        assert!(problem.contains("too short"), "{problem}");
        let problem = config(&[SECRET, ("CURSOR_SECRET_PREVIOUS", "short")]).unwrap_err();
        assert!(
            problem.starts_with("CURSOR_SECRET_PREVIOUS is too short"),
            "{problem}"
        );
    }

    #[test]
    fn the_settings_and_their_defaults() {
        let plain = config(&[SECRET]).unwrap();
        assert_eq!(plain.items_table, DEFAULT_ITEMS_TABLE);
        assert_eq!(plain.keys_table, DEFAULT_API_KEYS_TABLE);
        assert_eq!(plain.key_cache_ttl, Duration::from_secs(60));
        assert_eq!(plain.cursor_secret, Secret::new("0123456789abcdef0123"));
        assert_eq!(plain.previous_cursor_secret, None);
        assert_eq!(plain.metrics_namespace, DEFAULT_METRICS_NAMESPACE);

        let set = config(&[
            SECRET,
            ("CURSOR_SECRET_PREVIOUS", "fedcba9876543210fedc"),
            ("ITEMS_TABLE", "prod-Items"),
            ("API_KEYS_TABLE", "prod-Keys"),
            ("KEY_CACHE_TTL_SECONDS", "0"),
            ("METRICS_NAMESPACE", "Calls"),
            ("METRICS_SERVICE", "prod"),
        ])
        .unwrap();
        assert_eq!(
            set.previous_cursor_secret,
            Some(Secret::new("fedcba9876543210fedc"))
        );
        assert_eq!(
            (set.items_table.as_str(), set.keys_table.as_str()),
            ("prod-Items", "prod-Keys")
        );
        assert_eq!(set.key_cache_ttl, Duration::ZERO);
        assert_eq!(
            (set.metrics_namespace.as_str(), set.metrics_service.as_str()),
            ("Calls", "prod")
        );
        assert!(config(&[SECRET, ("KEY_CACHE_TTL_SECONDS", "61")]).is_err());
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let config = config(&[SECRET, ("CURSOR_SECRET_PREVIOUS", "fedcba9876543210fedc")]).unwrap();
        let printed = format!("{config:?}");
        assert!(!printed.contains("0123456789abcdef"), "{printed}");
        assert!(!printed.contains("fedcba9876543210"), "{printed}");
    }

    #[test]
    fn every_variable_read_is_listed() {
        let code = |text: &'static str| text.split("#[cfg(test)]").next().unwrap();
        let source = code(include_str!("config.rs"));
        let logging = code(include_str!("logging.rs"));
        for name in VARIABLES {
            let quoted = format!("\"{name}\"");
            // Each listed variable is read (its name appears outside this list and the tests).
            let uses = source.matches(&quoted).count() + logging.matches(&quoted).count();
            assert!(uses >= 2, "{name} is listed but never read");
        }
    }

    fn roots(vars: &[(&str, &str)]) -> Roots {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        Roots::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn amazon_roots_only_in_lambda_calling_aws_itself() {
        let lambda = ("AWS_LAMBDA_FUNCTION_NAME", "get-item");
        assert_eq!(roots(&[lambda]), Roots::Amazon);
        assert_eq!(roots(&[lambda, ("DYNAMODB_ENDPOINT", " ")]), Roots::Amazon);
        assert_eq!(roots(&[]), Roots::System);
        for other in [
            "AWS_ENDPOINT_URL",
            "AWS_ENDPOINT_URL_DYNAMODB",
            "DYNAMODB_ENDPOINT",
            "HTTPS_PROXY",
            "https_proxy",
        ] {
            let set = (other, "https://proxy.example:8443");
            assert_eq!(roots(&[lambda, set]), Roots::System, "{other}");
        }
    }

    #[test]
    fn the_amazon_roots_are_five_certificates() {
        use base64::Engine;
        let text = std::str::from_utf8(AMAZON_ROOTS).unwrap();
        let blocks: Vec<&str> = text
            .split("-----BEGIN CERTIFICATE-----")
            .skip(1)
            .map(|block| block.split("-----END CERTIFICATE-----").next().unwrap())
            .collect();
        assert_eq!(blocks.len(), 5);
        for block in blocks {
            let base64: String = block.split_whitespace().collect();
            let der = base64::engine::general_purpose::STANDARD
                .decode(base64)
                .expect("base64");
            // An X.509 certificate: a DER SEQUENCE with a two-byte length.
            assert_eq!(&der[..2], &[0x30, 0x82]);
        }
        // The client builds with them.
        let _ = https_client(Roots::Amazon);
    }
}
