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
    response
}

pub fn error(error: &ApiError) -> Response<Body> {
    let body = serde_json::json!({ "error": error.public_message() }).to_string();
    let mut response = json(error.status(), body);
    match error {
        ApiError::MethodNotAllowed { allow, .. } => {
            if let Ok(value) = HeaderValue::from_str(&allow.join(", ")) {
                response.headers_mut().insert(ALLOW, value);
            }
        }
        ApiError::Unavailable {
            retry_after_seconds,
            ..
        } => {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(*retry_after_seconds));
        }
        _ => {}
    }
    response
}
