//! The one error type of the API and its HTTP meaning (SPEC §7).
//!
//! Every failure on a request's way ends as an [`ApiError`]; [`ApiError::status`] and
//! [`ApiError::public_message`] are the only place where a failure becomes a status and the text
//! a client sees. Internal causes (SDK errors, table names) live in [`ApiError::Internal`] and
//! [`ApiError::Unavailable`] and are logged, never sent.

use std::fmt;

/// Why a request failed, in terms a client can act on.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is malformed or breaks a rule. The message names the field.
    #[error("{0}")]
    BadRequest(String),
    /// 401: no API key was sent.
    #[error("An API key is required in the ApiKey header")]
    MissingApiKey,
    /// 401: the key is empty, malformed, unknown, expired or revoked.
    #[error("Invalid API Key")]
    InvalidApiKey,
    /// 403: the key is valid but lacks the permission, or names another project.
    #[error("{0}")]
    Forbidden(String),
    /// 404: no such item in the key's project, or no such route.
    #[error("{0}")]
    NotFound(String),
    /// 405: the path is known, the method is not; `allow` lists the methods that are.
    #[error("Method {method} is not allowed on this path; allowed: {}", allow.join(", "))]
    MethodNotAllowed {
        method: String,
        allow: Vec<&'static str>,
    },
    /// 409: a write lost a race that retrying the same request cannot fix.
    #[error("{0}")]
    Conflict(String),
    /// 412: `If-Match` named a version that is not the stored one.
    #[error("{0}")]
    PreconditionFailed(String),
    /// 413: the body is larger than the API accepts.
    #[error("The request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// 503: the database is unreachable or throttling after retries.
    #[error("The service is temporarily unavailable; retry after {retry_after_seconds} s")]
    Unavailable {
        retry_after_seconds: u32,
        cause: String,
    },
    /// 500: a bug. The cause is logged; the client sees a generic message.
    #[error("Internal server error")]
    Internal(String),
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::BadRequest(message.into())
    }

    pub fn internal(cause: impl fmt::Display) -> Self {
        ApiError::Internal(cause.to_string())
    }

    pub fn not_found_item() -> Self {
        ApiError::NotFound("Incoming Call Log Item not found".to_string())
    }

    /// The HTTP status code of this error.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::BadRequest(_) => 400,
            ApiError::MissingApiKey | ApiError::InvalidApiKey => 401,
            ApiError::Forbidden(_) => 403,
            ApiError::NotFound(_) => 404,
            ApiError::MethodNotAllowed { .. } => 405,
            ApiError::Conflict(_) => 409,
            ApiError::PreconditionFailed(_) => 412,
            ApiError::PayloadTooLarge { .. } => 413,
            ApiError::Internal(_) => 500,
            ApiError::Unavailable { .. } => 503,
        }
    }

    /// The message a client sees: never an internal cause.
    pub fn public_message(&self) -> String {
        self.to_string()
    }

    /// The cause to log, for the errors whose cause is not shown to the client.
    pub fn log_cause(&self) -> Option<&str> {
        match self {
            ApiError::Internal(cause) | ApiError::Unavailable { cause, .. } => Some(cause),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_never_show_their_cause() {
        let error = ApiError::internal("ResourceNotFoundException: table IncomingCallLogItems");
        assert_eq!(error.status(), 500);
        assert_eq!(error.public_message(), "Internal server error");
        assert!(error.log_cause().unwrap().contains("IncomingCallLogItems"));
    }

    #[test]
    fn unavailable_hides_its_cause_and_says_when_to_retry() {
        let error = ApiError::Unavailable {
            retry_after_seconds: 1,
            cause: "dispatch failure: connection refused".into(),
        };
        assert_eq!(error.status(), 503);
        assert!(!error.public_message().contains("connection"));
        assert!(error.public_message().contains("retry after 1 s"));
    }

    #[test]
    fn method_not_allowed_lists_the_allowed_methods() {
        let error = ApiError::MethodNotAllowed {
            method: "PATCH".into(),
            allow: vec!["GET", "POST"],
        };
        assert_eq!(error.status(), 405);
        assert_eq!(
            error.public_message(),
            "Method PATCH is not allowed on this path; allowed: GET, POST"
        );
    }
}
