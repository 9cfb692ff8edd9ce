//! The `authorizer` function: API Gateway's Lambda authorizer (payload 2.0, simple responses).
//! It admits a valid `ApiKey` with its project and permissions ([`crate::api::authorizer`]),
//! before any API function runs; API Gateway answers a refused or missing key itself.

use lambda_http::aws_lambda_events::apigw::ApiGatewayV2CustomAuthorizerV2Request;
use lambda_http::lambda_runtime::{self, service_fn, LambdaEvent};
use lambda_http::Error;
use std::sync::Arc;

use crate::api::authorizer::{self as gateway, AuthorizerResponse};
use crate::auth::Authenticator;
use crate::config::{self, Tables};
use crate::entry;
use crate::logging;
use crate::store::DynamoStore;

/// What `functions/authorizer`'s `main` calls: one event at a time on classic Lambda, up to
/// `AWS_LAMBDA_MAX_CONCURRENCY` at once on Managed Instances (as the API functions).
pub fn main() -> Result<(), Error> {
    entry::runtime(entry::max_concurrency())?.block_on(run())
}

async fn run() -> Result<(), Error> {
    logging::init();
    let tables = Tables::from_env();
    let started = config::key_cache_ttl().and_then(|ttl| Ok((ttl, config::function_client()?)));
    let (ttl, client) = started.map_err(|problem| {
        tracing::error!(problem, "cannot start");
        Error::from(problem)
    })?;
    let store = DynamoStore::new(client, tables.items, tables.keys);
    // Connects during init, as the API functions do: a lookup that finds nothing.
    crate::api::warm_up(&store).await;
    let shared = Arc::new((Authenticator::new(ttl), store));
    lambda_runtime::run_concurrent(service_fn(
        move |event: LambdaEvent<ApiGatewayV2CustomAuthorizerV2Request>| {
            let shared = Arc::clone(&shared);
            async move {
            let (auth, store) = (&shared.0, &shared.1);
            let request_id = event.context.request_id.clone();
            let route = event.payload.route_key.clone().unwrap_or_default();
            match gateway::decide(auth, store, &event.payload).await {
                Ok(answer) => {
                    // Never the key: whether it was admitted, and the project it belongs to.
                    tracing::info!(
                        request_id,
                        route,
                        admitted = answer.is_authorized,
                        project_id = %answer.context.get("projectId").and_then(|p| p.as_str()).unwrap_or("-"),
                        "authorized"
                    );
                    Ok::<AuthorizerResponse, Error>(answer)
                }
                Err(error) => {
                    // API Gateway answers 500 and caches nothing: the next request asks again.
                    tracing::error!(request_id, route, %error, "keys could not be read");
                    Err(Error::from("the API keys could not be read"))
                }
            }
            }
        },
    ))
    .await
}
