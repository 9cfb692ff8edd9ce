//! The API's request handling, shared by all six functions: route → body size → authenticate
//! → authorize → the operation → response, with one log line per request.
//!
//! This is the only layer that knows HTTP: statuses, headers and JSON live here (`error.rs`
//! maps every lower layer's error, `json/` reads bodies, `output.rs` writes them).

pub mod authorizer;
pub mod cors;
mod error;
pub mod gateway_event;
pub mod json;
mod listing;
pub mod metrics;
mod operations;
mod output;
mod request;
mod response;
pub mod routes;
#[cfg(test)]
mod tests;

use std::time::Instant;

use lambda_http::{Body, Response};
use tracing::Instrument;

pub use error::{ApiError, QueryProblem, RequestError, RETRY_AFTER_SECONDS};
pub use output::{Projected, Reply};
pub use request::{ApiRequest, MAX_BODY_BYTES};

use crate::auth::{authorize, Authenticator, Principal};
use crate::config::{self, limits, Config};
use crate::model::{ObjectId, Operation};
use crate::query::CursorKeys;
use crate::store::{DynamoStore, Store};
use metrics::{Measured, Metrics};
use routes::Matched;

/// What a warm function keeps between requests: the store (one SDK client), the key cache,
/// the cursor secrets and the metrics.
#[derive(Debug)]
pub struct App<S = DynamoStore> {
    store: S,
    auth: Authenticator,
    cursor_keys: CursorKeys,
    metrics: Metrics,
}

/// The outcome of one request, and what its log line and metrics say about it.
struct Outcome {
    response: Response<Body>,
    /// The route's method and path template, or the path when no route matched.
    route: String,
    matched: bool,
    project: Option<ObjectId>,
}

impl App<DynamoStore> {
    /// The app on DynamoDB, with the tables and settings of `config`.
    pub fn new(client: aws_sdk_dynamodb::Client, config: &Config) -> Self {
        let store = DynamoStore::new(client, &config.items_table, &config.keys_table);
        App::with_store(store, config)
    }

    /// Reads the environment, builds the SDK client and opens its connection while the cursor
    /// secret is read (two round trips at once, not one after the other): once per cold start.
    pub async fn from_env() -> Result<Self, String> {
        let shared = config::function_sdk_config()?;
        let client = aws_sdk_dynamodb::Client::from_conf(config::client_config(&shared).build());
        let tables = config::Tables::from_env();
        let keys = DynamoStore::new(client.clone(), &tables.items, &tables.keys);
        let (config, ()) = tokio::join!(Config::load(&shared), warm_up(&keys));
        Ok(App::new(client, &config?))
    }
}

impl<S: Store> App<S> {
    /// The app on any store, with the key cache and cursor secret of `config`.
    pub fn with_store(store: S, config: &Config) -> Self {
        let mut cursor_keys = CursorKeys::new(config.cursor_secret.expose());
        let others = [
            &config.previous_cursor_secret,
            &config.pending_cursor_secret,
        ];
        for other in others.into_iter().flatten() {
            cursor_keys = cursor_keys.accepting(other.expose());
        }
        App {
            store,
            auth: Authenticator::new(config.key_cache_ttl),
            cursor_keys,
            metrics: Metrics::new(&config.metrics_namespace, &config.metrics_service),
        }
    }

    /// The same store under new settings: what the next deployment on the same tables runs.
    #[cfg(any(test, feature = "test-support"))]
    pub fn redeployed(self, config: &Config) -> Self {
        App::with_store(self.store, config)
    }

    /// The app with its metrics written to `metrics` instead of stdout.
    pub fn with_metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = metrics;
        self
    }

    /// The store the app serves from.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Answers one API Gateway request for the function serving `operation`. Never fails:
    /// every error is a response. Every log line it writes carries the request's `request_id`
    /// and X-Ray `trace_id`; it ends with one `request` line and one metrics record.
    pub async fn handle(&self, operation: Operation, request: ApiRequest) -> Response<Body> {
        let started = Instant::now();
        let span = tracing::info_span!(
            "request",
            request_id = %request.request_id(),
            trace_id = %request.trace_id().unwrap_or("-"),
        );
        async move {
            // Boxed: the respond future is deep, and callers that nest `handle` in their own
            // futures (the tests) would otherwise reach the compiler's type-depth limit.
            let (outcome, counters_below_zero) =
                crate::store::drift::watching(Box::pin(self.respond(operation, &request))).await;
            let status = outcome.response.status().as_u16();
            let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
            tracing::info!(
                method = %request.method,
                route = %outcome.route,
                status,
                latency_ms,
                project_id = %outcome.project.map_or_else(|| "-".to_string(), |p| p.to_string()),
                "request"
            );
            self.metrics.record(&Measured {
                route: if outcome.matched {
                    &outcome.route
                } else {
                    metrics::UNMATCHED_ROUTE
                },
                status,
                latency_ms,
                request_id: request.request_id(),
                counters_below_zero,
            });
            outcome.response
        }
        .instrument(span)
        .await
    }

    /// Routes, admits and serves the request within the request deadline.
    async fn respond(&self, operation: Operation, request: &ApiRequest) -> Outcome {
        let deadline = tokio::time::Instant::now() + limits::REQUEST;
        if request.method.eq_ignore_ascii_case("OPTIONS") {
            if let Some(template) = routes::path_template(&request.path) {
                // A browser's CORS preflight: no key, nothing read (SPEC §7).
                return Outcome {
                    response: response::preflight(),
                    route: format!("OPTIONS {}{template}", routes::BASE_PATH),
                    matched: true,
                    project: None,
                };
            }
        }
        let matched = routes::resolve(&request.method, &request.path);
        let route = matched
            .as_ref()
            .map_or_else(|_| request.path.clone(), Matched::label);
        let is_route = matched.is_ok();
        let admitted = match matched {
            Ok(matched) => within(deadline, self.admit(operation, &matched, request))
                .await
                .map(|who| (matched, who)),
            Err(error) => Err(error),
        };
        let project = admitted.as_ref().ok().map(|(_, who)| who.project);
        let result = match admitted {
            // Boxed: the operations' futures are large, and kept off the caller's stack.
            Ok((matched, who)) => {
                let serving = Box::pin(self.serve(operation, &matched, &who, request));
                within(deadline, serving).await
            }
            Err(error) => Err(error),
        };
        let response = match result {
            Ok(reply) => response::success(reply),
            Err(error) => {
                if let Some(cause) = error.log_cause() {
                    tracing::error!(status = error.status(), cause, "request failed");
                }
                response::error(&error)
            }
        };
        Outcome {
            response,
            route,
            matched: is_route,
            project,
        }
    }

    /// Who may make this request: the route is this function's, the body is not too large,
    /// the key is valid (as the gateway's authorizer said, else as the keys table says) and
    /// allows the operation.
    async fn admit(
        &self,
        operation: Operation,
        matched: &Matched,
        request: &ApiRequest,
    ) -> Result<Principal, ApiError> {
        if matched.route.operation != operation {
            return Err(ApiError::NotThisFunction {
                method: request.method.clone(),
                path: request.path.clone(),
            });
        }
        if request.body().len() > MAX_BODY_BYTES {
            return Err(ApiError::PayloadTooLarge {
                limit: MAX_BODY_BYTES,
            });
        }
        let who = match request.admitted() {
            // The gateway's authorizer checked the key (and may have cached its answer for
            // up to a minute together with its own key cache).
            Some(admitted) => admitted.clone(),
            None => {
                self.auth
                    .authenticate(&self.store, request.api_key()?)
                    .await?
            }
        };
        authorize(&who, operation)?;
        Ok(who)
    }

    /// The operation itself.
    async fn serve(
        &self,
        operation: Operation,
        matched: &Matched,
        who: &Principal,
        request: &ApiRequest,
    ) -> Result<Reply, ApiError> {
        let store = &self.store;
        let id = || operations::item_id(matched.id.as_deref());
        match operation {
            Operation::List => listing::list(store, &self.cursor_keys, who, request).await,
            Operation::Count => listing::count(store, who, request).await,
            Operation::Create => operations::create(store, who, request).await,
            Operation::GetItem => operations::get_item(store, who, request, id()?).await,
            Operation::Update => operations::update(store, who, request, id()?).await,
            Operation::Delete => operations::delete(store, who, request, id()?).await,
        }
    }
}

/// Opens the connection to the store during init (a key lookup that finds nothing), so the
/// first request does not pay for connecting. Failures are only logged: a request will meet
/// them again and answer for them.
pub async fn warm_up(keys: &impl crate::store::KeyLookup) {
    if let Err(error) = keys.find_key(&"0".repeat(64)).await {
        tracing::warn!(cause = %error, "warm-up call failed");
    }
}

/// `work`, or a 503 if it is still running at `deadline`.
async fn within<T>(
    deadline: tokio::time::Instant,
    work: impl std::future::Future<Output = Result<T, ApiError>>,
) -> Result<T, ApiError> {
    tokio::time::timeout_at(deadline, work)
        .await
        .unwrap_or_else(|_| {
            Err(ApiError::unavailable(format!(
                "the request ran past its {} ms deadline",
                limits::REQUEST.as_millis()
            )))
        })
}

/// The 500 answered when a handler panicked; the panic itself is logged by the caller.
pub fn panic_response() -> Response<Body> {
    response::error(&ApiError::internal("handler panicked"))
}
