//! The Lambda entry point every function's `main` calls: logging, the app built once, the
//! runtime loop, and panics turned into a logged 500 instead of a bare 502.

use std::sync::Arc;

use lambda_http::{service_fn, Body, Error, Request, Response};
use tracing_subscriber::EnvFilter;

use crate::api::{panic_response, App};
use crate::model::Operation;

/// JSON log lines on stdout; level from `AWS_LAMBDA_LOG_LEVEL`, else `RUST_LOG`, else `info`.
pub fn init_logging() {
    let level = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .map(|level| level.to_lowercase())
        .unwrap_or_else(|_| "info".to_string());
    let _ = tracing::subscriber::set_global_default(json_logs(&level, std::io::stdout));
}

/// The log format: one JSON object per line, fields at the top level (Lambda's JSON log
/// format and Logs Insights read them there).
pub fn json_logs<W>(level: &str, writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'a> tracing_subscriber::fmt::MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_new(level).unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_env_filter(filter)
        .with_target(false)
        .with_current_span(false)
        .with_span_list(false)
        .with_ansi(false)
        .with_writer(writer)
        .finish()
}

/// Serves `operation` until the runtime stops the process.
pub async fn run(operation: Operation) -> Result<(), Error> {
    init_logging();
    let app = Arc::new(App::from_env().await.map_err(|problem| {
        tracing::error!(problem, "cannot start");
        Error::from(problem)
    })?);
    app.warm_up().await;
    lambda_http::run(service_fn(move |request: Request| {
        let app = Arc::clone(&app);
        async move {
            let response = handle_catching_panics(app, operation, request).await;
            Ok::<Response<Body>, Error>(response)
        }
    }))
    .await
}

/// Runs the handler in its own task so a panic becomes a 500 with a logged cause.
pub async fn handle_catching_panics(
    app: Arc<App>,
    operation: Operation,
    request: Request,
) -> Response<Body> {
    catch_panics(async move { app.handle(operation, request).await }).await
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

    #[tokio::test]
    async fn a_normal_response_passes_through() {
        let response = catch_panics(async { Response::new(Body::Text("{}".into())) }).await;
        assert_eq!(response.status(), 200);
    }
}
