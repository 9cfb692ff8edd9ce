//! The AWS side of the configuration: the DynamoDB client with its limits and retries, the
//! HTTPS client and the roots it trusts, and where region and credentials come from — the
//! whole default chain for the tools, only what Lambda gives for the functions.

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::BehaviorVersion;
use aws_sdk_dynamodb::config::SharedHttpClient;
use aws_sdk_dynamodb::Client;
use aws_smithy_http_client::tls;

use super::{endpoint_from, endpoint_override, limits, variable};

/// The DynamoDB client with the [`limits`] and the [`retries`], region and credentials from
/// the SDK's whole default chain (profiles, SSO, web identity, …): for the tools and the tests.
/// Fails here, at start, when no region or credentials are configured.
pub async fn dynamodb_client() -> Result<Client, String> {
    Ok(client_from(&sdk_config().await?))
}

/// The DynamoDB client with the [`limits`] and the [`retries`] on an SDK configuration already
/// loaded (a tool that builds another client from it too).
pub fn client_from(shared: &aws_config::SdkConfig) -> Client {
    Client::from_conf(client_config(shared).build())
}

/// The same client as the functions build it, from [`function_sdk_config`].
pub fn function_client() -> Result<Client, String> {
    Ok(Client::from_conf(
        client_config(&function_sdk_config()?).build(),
    ))
}

/// The SDK configuration of the functions: what Lambda gives them, and nothing the functions
/// never use compiled in. Region from `AWS_REGION`; credentials from the environment (classic
/// Lambda, local runs), else from the container endpoint Lambda may set instead
/// (`AWS_CONTAINER_CREDENTIALS_FULL_URI`, refreshed as they expire); the endpoint is
/// [`client_config`]'s. No profile files, SSO, STS or instance
/// metadata: leaving the default chain out keeps them out of the binary.
pub fn function_sdk_config() -> Result<aws_config::SdkConfig, String> {
    use aws_config::environment::EnvironmentVariableCredentialsProvider;
    use aws_config::meta::credentials::CredentialsProviderChain;
    use aws_config::provider_config::ProviderConfig;
    use aws_credential_types::provider::SharedCredentialsProvider;
    use aws_smithy_async::rt::sleep::default_async_sleep;
    use aws_smithy_async::time::{SharedTimeSource, SystemTimeSource};

    let region = variable("AWS_REGION")
        .or_else(|| variable("AWS_DEFAULT_REGION"))
        .ok_or("no AWS region configured: set AWS_REGION (any value for a local engine)")?;
    let from_environment = variable("AWS_ACCESS_KEY_ID").is_some();
    let from_container = variable("AWS_CONTAINER_CREDENTIALS_FULL_URI").is_some()
        || variable("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI").is_some();
    if !from_environment && !from_container {
        return Err(
            "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY \
                    (any values for a local engine)"
                .into(),
        );
    }
    let http = https_client(Roots::from_lookup(variable));
    let sleep = default_async_sleep().ok_or("no async sleep (tokio)")?;
    let providers = ProviderConfig::without_region()
        .with_http_client(http.clone())
        .with_sleep_impl(sleep.clone());
    let credentials = CredentialsProviderChain::first_try(
        "Environment",
        EnvironmentVariableCredentialsProvider::new(),
    )
    .or_else(
        "Container",
        aws_config::ecs::EcsCredentialsProvider::builder()
            .configure(&providers)
            .build(),
    );
    let config = aws_config::SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(aws_config::Region::new(region))
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .http_client(http)
        .sleep_impl(sleep)
        .time_source(SharedTimeSource::new(SystemTimeSource::new()))
        .timeout_config(timeouts())
        .retry_config(retry_config())
        .build();
    Ok(config)
}

fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(limits::CONNECT)
        .operation_attempt_timeout(limits::ATTEMPT)
        .operation_timeout(limits::OPERATION)
        .build()
}

fn retry_config() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(limits::MAX_ATTEMPTS)
        .with_initial_backoff(limits::INITIAL_BACKOFF)
        .with_max_backoff(limits::MAX_BACKOFF)
}

/// The client's configuration, for a client with extra settings (an HTTP client of its own),
/// pointed at [`endpoint_override`] when one is set (the local engine; `DYNAMODB_ENDPOINT` for
/// `sam local`, whose template declares it empty so that an `--env-vars` file can set it).
pub fn client_config(shared: &aws_config::SdkConfig) -> aws_sdk_dynamodb::config::Builder {
    let builder = aws_sdk_dynamodb::config::Builder::from(shared)
        .retry_classifier(retries::TransientConflicts);
    match endpoint_override() {
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
pub const AMAZON_ROOTS: &[u8] = include_bytes!("../../certs/amazon-trust-services.pem");

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
        let elsewhere =
            endpoint_from(&lookup).is_some() || set("HTTPS_PROXY") || set("https_proxy");
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
    let shared = aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client(Roots::from_lookup(variable)))
        .timeout_config(timeouts())
        .retry_config(retry_config())
        .load()
        .await;
    if shared.region().is_none() {
        return Err(
            "no AWS region configured: set AWS_REGION (any value for a local engine)".into(),
        );
    }
    if shared.credentials_provider().is_none() {
        return Err("no AWS credentials provider: set AWS_ACCESS_KEY_ID and \
                    AWS_SECRET_ACCESS_KEY (any values for a local engine)"
            .into());
    }
    Ok(shared)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

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
