//! Configuration from the environment, and the DynamoDB client, built once per cold start.
//!
//! Variables: `ITEMS_TABLE`, `API_KEYS_TABLE`, `KEY_CACHE_TTL_SECONDS` (≤ 60), the cursor
//! secret (in AWS `CURSOR_SECRET_ARN` and `ACCEPT_PREVIOUS_CURSOR_SECRET`, read from Secrets
//! Manager at cold start; locally `CURSOR_SECRET` and `CURSOR_SECRET_PREVIOUS`),
//! `METRICS_NAMESPACE`, `METRICS_SERVICE`, `DYNAMODB_ENDPOINT`, plus those the SDK reads itself:
//! `AWS_REGION`, credentials, `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_SECRETS_MANAGER`.

use std::time::Duration;

mod aws;
pub mod secrets;

pub use aws::{
    client_config, client_from, dynamodb_client, function_client, function_sdk_config,
    https_client, retries, sdk_config, Roots, AMAZON_ROOTS,
};

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
    /// The key staged for the next rotation (`CURSOR_SECRET_PENDING`; in AWS the secret's
    /// `AWSPENDING` version): read before it signs anything, so that every function already
    /// accepts it when it becomes the current one.
    pub pending_cursor_secret: Option<Secret>,
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
pub const VARIABLES: [&str; 14] = [
    "ITEMS_TABLE",
    "API_KEYS_TABLE",
    "KEY_CACHE_TTL_SECONDS",
    "CURSOR_SECRET_ARN",
    "ACCEPT_PREVIOUS_CURSOR_SECRET",
    "AWS_ENDPOINT_URL_SECRETS_MANAGER",
    "CURSOR_SECRET",
    "CURSOR_SECRET_PREVIOUS",
    "CURSOR_SECRET_PENDING",
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
    /// The functions' settings from the environment, the cursor secret given in it
    /// (`CURSOR_SECRET`). Refuses without one: there is no fallback, in Lambda or anywhere else
    /// (`make dev` and `make test` set a local one).
    pub fn from_env() -> Result<Config, String> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// The functions' settings at cold start: from the environment, the cursor secret read
    /// from Secrets Manager when the environment names it (`CURSOR_SECRET_ARN`, as in AWS)
    /// rather than giving it (`CURSOR_SECRET`, which wins: `make dev`, `sam local`).
    pub async fn load(shared: &aws_config::SdkConfig) -> Result<Config, String> {
        Config::load_from(shared, |name| std::env::var(name).ok()).await
    }

    /// [`Config::load`] with the variables of `lookup`.
    pub async fn load_from(
        shared: &aws_config::SdkConfig,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, String> {
        let get = |name: &str| non_blank(lookup(name));
        let fetched = match get("CURSOR_SECRET_ARN") {
            Some(secret_id) if get("CURSOR_SECRET").is_none() => {
                let accept_previous =
                    get("ACCEPT_PREVIOUS_CURSOR_SECRET").is_some_and(|flag| flag.trim() == "true");
                let endpoint = get("AWS_ENDPOINT_URL_SECRETS_MANAGER");
                Some(secrets::fetch(shared, endpoint, &secret_id, accept_previous).await?)
            }
            _ => None,
        };
        Config::from_lookup(|name| match (name, &fetched) {
            ("CURSOR_SECRET", Some(fetched)) => Some(fetched.current.clone()),
            ("CURSOR_SECRET_PREVIOUS", Some(fetched)) => fetched.previous.clone(),
            ("CURSOR_SECRET_PENDING", Some(fetched)) => fetched.pending.clone(),
            _ => lookup(name),
        })
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
        let key_cache_ttl = key_cache_ttl_from(&lookup)?;
        let cursor_secret = secret("CURSOR_SECRET")?.ok_or_else(|| {
            "CURSOR_SECRET is not set, nor CURSOR_SECRET_ARN: list cursors need a secret of at \
             least 16 characters to be signed with (in AWS the template names its Secrets \
             Manager secret)"
                .to_string()
        })?;
        Ok(Config {
            items_table: get("ITEMS_TABLE").unwrap_or_else(|| DEFAULT_ITEMS_TABLE.into()),
            keys_table: get("API_KEYS_TABLE").unwrap_or_else(|| DEFAULT_API_KEYS_TABLE.into()),
            key_cache_ttl,
            cursor_secret,
            previous_cursor_secret: secret("CURSOR_SECRET_PREVIOUS")?,
            pending_cursor_secret: secret("CURSOR_SECRET_PENDING")?,
            metrics_namespace: get("METRICS_NAMESPACE")
                .unwrap_or_else(|| DEFAULT_METRICS_NAMESPACE.into()),
            metrics_service: get("METRICS_SERVICE").unwrap_or_else(|| "local".into()),
        })
    }
}

/// How long a key read from the keys table is trusted (`KEY_CACHE_TTL_SECONDS`, 0 to 60;
/// 60 when unset).
pub fn key_cache_ttl() -> Result<Duration, String> {
    key_cache_ttl_from(|name| std::env::var(name).ok())
}

fn key_cache_ttl_from(lookup: impl Fn(&str) -> Option<String>) -> Result<Duration, String> {
    let seconds = match non_blank(lookup("KEY_CACHE_TTL_SECONDS")) {
        None => 60,
        Some(text) => text
            .parse::<u64>()
            .ok()
            .filter(|seconds| *seconds <= 60)
            .ok_or_else(|| format!("KEY_CACHE_TTL_SECONDS must be 0 to 60, not {text:?}"))?,
    };
    Ok(Duration::from_secs(seconds))
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

/// The endpoint the client is pointed at instead of AWS (the local engine), if any.
pub fn endpoint_override() -> Option<String> {
    endpoint_from(variable)
}

/// The same from `lookup`: the first of `DYNAMODB_ENDPOINT`, `AWS_ENDPOINT_URL_DYNAMODB` and
/// `AWS_ENDPOINT_URL` that is set and not blank.
fn endpoint_from(lookup: impl Fn(&str) -> Option<String>) -> Option<String> {
    [
        "DYNAMODB_ENDPOINT",
        "AWS_ENDPOINT_URL_DYNAMODB",
        "AWS_ENDPOINT_URL",
    ]
    .into_iter()
    .find_map(|name| non_blank(lookup(name)))
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
        let source = [code(include_str!("mod.rs")), code(include_str!("aws.rs"))].concat();
        let logging = code(include_str!("../logging.rs"));
        for name in VARIABLES {
            let quoted = format!("\"{name}\"");
            // Each listed variable is read (its name appears outside this list and the tests).
            let uses = source.matches(&quoted).count() + logging.matches(&quoted).count();
            assert!(uses >= 2, "{name} is listed but never read");
        }
    }
}
