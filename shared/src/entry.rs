//! The Lambda entry point every function's `main` calls: logging, the app built once, the
//! runtime loop, and panics turned into a logged 500 instead of a bare 502.
//!
//! One binary serves both ways Lambda runs it. On classic Lambda (`AWS_LAMBDA_MAX_CONCURRENCY`
//! unset or 1) it takes one event at a time on a single-threaded runtime, as before. On Lambda
//! Managed Instances (the variable above 1) it polls for that many events at once, on a
//! runtime with a thread per vCPU; the app is shared (`Arc`), and what it holds across
//! requests (the SDK client, the key cache, the cursor keys) is safe to share.
//!
//! Without its settings (`CURSOR_SECRET` above all) a function does not start: it logs why
//! and exits, and Lambda reports an init error, rather than serving with a weaker default.

use std::sync::Arc;

use lambda_http::lambda_runtime::{self, service_fn, LambdaEvent};
use lambda_http::{Body, Error, Response};
use tracing::Instrument;

use crate::api::gateway_event::{ApiGatewayEvent, ApiGatewayResponse};
use crate::api::{panic_response, ApiRequest, App};
use crate::logging;
use crate::model::Operation;

/// What a function's `main` calls: builds the runtime its environment asks for and serves
/// `operation` on it until Lambda stops the process.
pub fn main(operation: Operation) -> Result<(), Error> {
    runtime(max_concurrency())?.block_on(run(operation))
}

/// How many invocations one process serves at once: `AWS_LAMBDA_MAX_CONCURRENCY`, else 1.
pub fn max_concurrency() -> usize {
    std::env::var("AWS_LAMBDA_MAX_CONCURRENCY")
        .ok()
        .and_then(|value| value.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .max(1)
}

/// One thread when events come one at a time (the cheapest start); a worker per vCPU when
/// they come concurrently.
pub(crate) fn runtime(concurrency: usize) -> std::io::Result<tokio::runtime::Runtime> {
    if concurrency > 1 {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    }
}

/// Serves `operation` until the runtime stops the process: one event at a time, or up to
/// `AWS_LAMBDA_MAX_CONCURRENCY` at once.
pub async fn run(operation: Operation) -> Result<(), Error> {
    logging::init();
    let app = Arc::new(App::from_env().await.map_err(|problem| {
        tracing::error!(problem, "cannot start");
        Error::from(problem)
    })?);
    // The event is read as `aws_lambda_events`' request type of its format, and answered in
    // that format's response type.
    lambda_runtime::run_concurrent(service_fn(move |event: LambdaEvent<ApiGatewayEvent>| {
        let app = Arc::clone(&app);
        async move {
            let LambdaEvent { payload, context } = event;
            let format = payload.format();
            let request = payload
                .into_request()?
                .with_lambda_context(&context.request_id, context.xray_trace_id.as_deref());
            let response = handle_catching_panics(app, operation, request).await;
            Ok::<_, Error>(ApiGatewayResponse::new(format, response))
        }
    }))
    .await
}

/// Runs the handler in its own task so a panic becomes a 500 with a logged cause.
pub async fn handle_catching_panics(
    app: Arc<App>,
    operation: Operation,
    request: ApiRequest,
) -> Response<Body> {
    // The panic's log line, written outside the handler, is found by the request id too.
    let span = tracing::info_span!("invocation", request_id = %request.request_id());
    catch_panics(async move { app.handle(operation, request).await })
        .instrument(span)
        .await
}

/// Runs `handler` in its own task: its response, or a generic 500 if it panicked (the panic
/// is logged, never sent).
pub async fn catch_panics<F>(handler: F) -> Response<Body>
where
    F: std::future::Future<Output = Response<Body>> + Send + 'static,
{
    match tokio::spawn(handler).await {
        Ok(response) => response,
        Err(failure) => {
            tracing::error!(cause = %failure, "handler panicked");
            panic_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_becomes_a_generic_500() {
        fn handler_with_a_bug() -> Response<Body> {
            panic!("table IncomingCallLogItems is gone")
        }
        let response = catch_panics(async { handler_with_a_bug() }).await;
        assert_eq!(response.status(), 500);
        let Body::Text(body) = response.body() else {
            panic!("a text body")
        };
        assert_eq!(body, r#"{"error":"Internal server error"}"#);
    }

    #[test]
    fn concurrency_comes_from_the_environment_and_is_at_least_one() {
        // Read once here; the variable is not set by the test run.
        assert_eq!(max_concurrency(), 1);
        use tokio::runtime::RuntimeFlavor::{CurrentThread, MultiThread};
        for (concurrency, flavor) in [(1, CurrentThread), (8, MultiThread)] {
            let runtime = runtime(concurrency).unwrap();
            assert_eq!(runtime.handle().runtime_flavor(), flavor, "{concurrency}");
        }
    }

    #[tokio::test]
    async fn a_normal_response_passes_through() {
        let response = catch_panics(async { Response::new(Body::Text("{}".into())) }).await;
        assert_eq!(response.status(), 200);
    }
}
