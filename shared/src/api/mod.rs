//! The API's request handling, shared by all six functions: route → body size → authenticate
//! → authorize → the operation → response, with one log line per request.

mod listing;
mod operations;
mod request;
mod response;
pub mod routes;

use std::time::{Duration, Instant};

use lambda_http::http::header::{HeaderValue, ETAG};
use lambda_http::{Body, Request, RequestExt, Response};

pub use request::{ApiRequest, MAX_BODY_BYTES};

use crate::auth::{authorize, Authenticator, Operation};
use crate::config::{self, Config};
use crate::error::ApiError;
use crate::store::{ItemStore, KeyStore};

/// What a warm function keeps between requests: the stores (one SDK client) and the key cache.
#[derive(Debug)]
pub struct App {
    items: ItemStore,
    auth: Authenticator,
    cursor_secret: Vec<u8>,
}

/// The outcome of one request, for its log line.
struct Outcome {
    response: Response<Body>,
    route: String,
    project: Option<String>,
}

impl App {
    pub fn new(client: aws_sdk_dynamodb::Client, config: &Config) -> App {
        App {
            items: ItemStore::new(client.clone(), &config.items_table),
            auth: Authenticator::new(
                KeyStore::new(client, &config.keys_table),
                config.key_cache_ttl,
            ),
            cursor_secret: config.cursor_secret.clone(),
        }
    }

    /// Opens the connection to DynamoDB during init (a key lookup that finds nothing), so the
    /// first request does not pay for connecting. Failures are only logged: a request will
    /// meet them again and answer for them.
    pub async fn warm_up(&self) {
        if let Err(error) = self.auth.warm_up().await {
            tracing::warn!(
                cause = error.log_cause().unwrap_or_default(),
                "warm-up call failed"
            );
        }
    }

    /// Reads the environment and builds the SDK client: once per cold start.
    pub async fn from_env() -> Result<App, String> {
        let config = Config::from_env()?;
        let client = config::dynamodb_client().await?;
        Ok(App::new(client, &config))
    }

    /// Answers one API Gateway request for the function serving `operation`. Never fails:
    /// every error is a response.
    pub async fn handle(&self, operation: Operation, request: Request) -> Response<Body> {
        let started = Instant::now();
        let request_id = request_id(&request);
        let api_request = ApiRequest::from_lambda(request);
        let outcome = self.respond(operation, &api_request).await;
        log_request(&api_request, &outcome, &request_id, started.elapsed());
        outcome.response
    }

    async fn respond(&self, operation: Operation, request: &ApiRequest) -> Outcome {
        let mut outcome = Outcome {
            response: Response::default(),
            route: request.path.clone(),
            project: None,
        };
        let deadline = crate::config::limits::REQUEST;
        let result = match tokio::time::timeout(
            deadline,
            self.serve(operation, request, &mut outcome),
        )
        .await
        {
            Ok(result) => result,
            Err(_) => Err(ApiError::Unavailable {
                retry_after_seconds: crate::store::RETRY_AFTER_SECONDS,
                cause: format!(
                    "the request ran past its {} ms deadline",
                    deadline.as_millis()
                ),
            }),
        };
        outcome.response = match result {
            Ok(response) => response,
            Err(error) => {
                if let Some(cause) = error.log_cause() {
                    tracing::error!(status = error.status(), cause, "request failed");
                }
                response::error(&error)
            }
        };
        outcome
    }

    async fn serve(
        &self,
        operation: Operation,
        request: &ApiRequest,
        outcome: &mut Outcome,
    ) -> Result<Response<Body>, ApiError> {
        let matched = routes::resolve(&request.method, &request.path)?;
        outcome.route = format!(
            "{} {}{}",
            matched.route.method,
            routes::BASE_PATH,
            matched.route.path
        );
        if matched.route.operation != operation {
            return Err(ApiError::NotFound(format!(
                "No route for {} {} in this function",
                request.method, request.path
            )));
        }
        if request.body_len() > MAX_BODY_BYTES {
            return Err(ApiError::PayloadTooLarge {
                limit: MAX_BODY_BYTES,
            });
        }
        let who = self.auth.authenticate(request.api_key()?).await?;
        outcome.project = Some(who.project.to_string());
        authorize(&who, operation)?;
        let id = matched.id.as_deref();
        let store = &self.items;
        let reply = match operation {
            Operation::List => listing::list(store, &self.cursor_secret, &who, request).await?,
            Operation::Count => listing::count(store, &who, request).await?,
            Operation::Create => operations::create(store, &who, request).await?,
            Operation::GetItem => {
                operations::get_item(store, &who, request, operations::item_id(id)?).await?
            }
            Operation::Update => {
                operations::update(store, &who, request, operations::item_id(id)?).await?
            }
            Operation::Delete => {
                operations::delete(store, &who, request, operations::item_id(id)?).await?
            }
        };
        let mut response = response::json(200, reply.body);
        if let Some(version) = reply.version {
            if let Ok(value) = HeaderValue::from_str(&format!("\"{version}\"")) {
                response.headers_mut().insert(ETAG, value);
            }
        }
        Ok(response)
    }
}

/// The Lambda request id, else API Gateway's, else "-".
fn request_id(request: &Request) -> String {
    if let Some(context) = request.lambda_context_ref() {
        return context.request_id.clone();
    }
    match request.request_context_ref() {
        Some(lambda_http::request::RequestContext::ApiGatewayV2(context)) => {
            context.request_id.clone()
        }
        Some(lambda_http::request::RequestContext::ApiGatewayV1(context)) => {
            context.request_id.clone()
        }
        _ => None,
    }
    .unwrap_or_else(|| "-".to_string())
}

/// One line per request: never the key, never a body.
fn log_request(request: &ApiRequest, outcome: &Outcome, request_id: &str, elapsed: Duration) {
    tracing::info!(
        request_id,
        method = %request.method,
        route = %outcome.route,
        status = outcome.response.status().as_u16(),
        latency_ms = elapsed.as_secs_f64() * 1000.0,
        project_id = outcome.project.as_deref().unwrap_or("-"),
        "request"
    );
}

/// The 500 answered when a handler panicked; the panic itself is logged by the caller.
pub fn panic_response() -> Response<Body> {
    response::error(&ApiError::internal("handler panicked"))
}
