//! Responses: JSON bodies, and the one place an [`ApiError`] becomes a status and `{"error"}`.

use lambda_http::http::header::{HeaderValue, ALLOW, CONTENT_TYPE, ETAG, RETRY_AFTER};
use lambda_http::{Body, Response};

use super::error::ApiError;
use super::output::Reply;

pub fn json(status: u16, body: String) -> Response<Body> {
    let mut response = Response::new(Body::Text(body));
    *response.status_mut() = lambda_http::http::StatusCode::from_u16(status)
        .unwrap_or(lambda_http::http::StatusCode::INTERNAL_SERVER_ERROR);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// 200 with the reply's body, and `ETag: "<version>"` for a single item.
pub fn success(reply: Reply) -> Response<Body> {
    let mut response = json(200, reply.body);
    if let Some(version) = reply.version {
        if let Ok(value) = HeaderValue::from_str(&format!("\"{version}\"")) {
            response.headers_mut().insert(ETAG, value);
        }
    }
    if reply.replayed {
        response
            .headers_mut()
            .insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    }
    response
}

/// Set on the answer to a create replayed for its Idempotency-Key (SPEC §4).
pub const IDEMPOTENT_REPLAYED: &str = "idempotent-replayed";

/// 204 to a browser's CORS preflight, with what the API allows (`template.yaml` says the same
/// to API Gateway; a test keeps the two in step).
pub fn preflight() -> Response<Body> {
    let mut response = Response::new(Body::Empty);
    *response.status_mut() = lambda_http::http::StatusCode::NO_CONTENT;
    let headers = response.headers_mut();
    for (name, value) in super::cors::HEADERS {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

pub fn error(error: &ApiError) -> Response<Body> {
    let body = serde_json::json!({ "error": error.public_message() }).to_string();
    let mut response = json(error.status(), body);
    if let ApiError::MethodNotAllowed { allow, .. } = error {
        if let Ok(value) = HeaderValue::from_str(&allow.join(", ")) {
            response.headers_mut().insert(ALLOW, value);
        }
    }
    if let Some(seconds) = error.retry_after_seconds() {
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}
