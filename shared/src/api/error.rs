//! The API's error and its HTTP meaning (SPEC §7): the one place where a failure of any layer
//! becomes a status and the text a client sees.
//!
//! Each layer below speaks its own words ([`InputError`], [`CursorError`], [`AuthError`],
//! [`StoreError`]); the `From` impls here are the only mapping to HTTP. Internal causes (SDK
//! errors, table names) live in [`ApiError::Internal`] and [`ApiError::Unavailable`] and are
//! logged, never sent.

use std::fmt;

use crate::auth::AuthError;
use crate::model::{FieldError, InputError};
use crate::query::CursorError;
use crate::store::StoreError;

/// How long a client is told to wait when the database is unavailable (`Retry-After`).
pub const RETRY_AFTER_SECONDS: u32 = 1;

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
    /// 409: a create with this Idempotency-Key is still running; `Retry-After` says when to
    /// ask again.
    #[error(
        "A request with this Idempotency-Key is still running; retry after {retry_after_seconds} s"
    )]
    StillRunning { retry_after_seconds: u32 },
    /// 412: `If-Match` named a version that is not the stored one.
    #[error("{0}")]
    PreconditionFailed(String),
    /// 422: an Idempotency-Key sent again with another request.
    #[error("{0}")]
    Unprocessable(String),
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

    pub fn unavailable(cause: impl Into<String>) -> Self {
        ApiError::Unavailable {
            retry_after_seconds: RETRY_AFTER_SECONDS,
            cause: cause.into(),
        }
    }

    /// How long a client is told to wait before asking again, for the errors that say so.
    pub fn retry_after_seconds(&self) -> Option<u32> {
        match self {
            ApiError::Unavailable {
                retry_after_seconds,
                ..
            }
            | ApiError::StillRunning {
                retry_after_seconds,
            } => Some(*retry_after_seconds),
            _ => None,
        }
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
            ApiError::Conflict(_) | ApiError::StillRunning { .. } => 409,
            ApiError::PreconditionFailed(_) => 412,
            ApiError::PayloadTooLarge { .. } => 413,
            ApiError::Unprocessable(_) => 422,
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

impl From<FieldError> for ApiError {
    fn from(error: FieldError) -> Self {
        ApiError::BadRequest(error.to_string())
    }
}

impl From<InputError> for ApiError {
    fn from(error: InputError) -> Self {
        match error {
            InputError::OtherProject => ApiError::Forbidden(error.to_string()),
            InputError::VersionNotUpdatable => ApiError::BadRequest(format!(
                "{error}; send the If-Match header to update a known version"
            )),
            other => ApiError::BadRequest(other.to_string()),
        }
    }
}

impl From<CursorError> for ApiError {
    fn from(error: CursorError) -> Self {
        ApiError::BadRequest(error.to_string())
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::MissingKey => ApiError::MissingApiKey,
            AuthError::InvalidKey => ApiError::InvalidApiKey,
            AuthError::Denied(operation) => {
                let names: Vec<&str> = operation.allowed_by().iter().map(|p| p.title()).collect();
                ApiError::Forbidden(format!(
                    "Your API key cannot {} Incoming Call Log Item; \
                     it needs one of these permissions: {}",
                    operation.verb(),
                    names.join(", ")
                ))
            }
            AuthError::Store(error) => error.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ApiError::not_found_item(),
            StoreError::VersionMismatch { stored, expected } => {
                ApiError::PreconditionFailed(format!(
                "If-Match: the item is at version {stored}, not {expected}; read it again and retry"
            ))
            }
            // The item kept changing under the write through every retry: contention, which
            // passes; the same request may succeed a moment later.
            StoreError::Conflict => {
                ApiError::unavailable("the item kept changing while it was being written")
            }
            StoreError::IdTaken => {
                ApiError::Conflict("An item with this id already exists; retry the request".into())
            }
            StoreError::Unavailable(cause) => ApiError::unavailable(cause),
            // Retrying cannot help: the client narrows the query (docs/api.md, *What a query
            // costs*).
            StoreError::TooBroad { cap, .. } => ApiError::bad_request(format!(
                "This request would examine more than {cap} items, the most one request may: \
                 narrow the query with an incomingCallLogId, a value of status, isAnswered, \
                 userId or incomingCallPolicyEscalationRuleId, or a createdAt range; and page \
                 with nextCursor rather than a deep skip"
            )),
            StoreError::Corrupt(cause) | StoreError::Failed(cause) => ApiError::Internal(cause),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Operation;

    #[test]
    fn internal_errors_never_show_their_cause() {
        let error = ApiError::internal("ResourceNotFoundException: table IncomingCallLogItems");
        assert_eq!(error.status(), 500);
        assert_eq!(error.public_message(), "Internal server error");
        assert!(error.log_cause().unwrap().contains("IncomingCallLogItems"));
    }

    #[test]
    fn unavailable_hides_its_cause_and_says_when_to_retry() {
        let error = ApiError::unavailable("dispatch failure: connection refused");
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

    #[test]
    fn every_store_error_has_its_status() {
        let cases = [
            (StoreError::NotFound, 404),
            (
                StoreError::VersionMismatch {
                    stored: 3,
                    expected: 2,
                },
                412,
            ),
            (StoreError::Conflict, 503),
            (StoreError::IdTaken, 409),
            (StoreError::Unavailable("timeout".into()), 503),
            (
                StoreError::TooBroad {
                    cap: 10,
                    matched: 3,
                },
                400,
            ),
            (StoreError::Corrupt("bad status".into()), 500),
            (StoreError::Failed("AccessDenied".into()), 500),
        ];
        for (error, status) in cases {
            assert_eq!(ApiError::from(error.clone()).status(), status, "{error:?}");
        }
    }

    #[test]
    fn a_version_mismatch_names_both_versions_and_the_header() {
        let message = ApiError::from(StoreError::VersionMismatch {
            stored: 3,
            expected: 2,
        })
        .public_message();
        assert!(message.contains("If-Match"), "{message}");
        assert!(message.contains('3') && message.contains('2'), "{message}");
    }

    #[test]
    fn store_causes_are_logged_not_shown() {
        for error in [
            StoreError::Unavailable("table t1 throttled".into()),
            StoreError::Corrupt("table t1 item".into()),
            StoreError::Failed("table t1 missing".into()),
        ] {
            let error = ApiError::from(error);
            assert!(!error.public_message().contains("t1"));
            assert!(error.log_cause().unwrap().contains("t1"));
        }
    }

    #[test]
    fn auth_errors_are_401_or_403_naming_what_would_allow() {
        assert_eq!(ApiError::from(AuthError::MissingKey).status(), 401);
        assert_eq!(
            ApiError::from(AuthError::InvalidKey).public_message(),
            "Invalid API Key"
        );
        let denied = ApiError::from(AuthError::Denied(Operation::Delete));
        assert_eq!(denied.status(), 403);
        assert!(denied.public_message().contains("delete"));
        assert!(denied
            .public_message()
            .contains("Project Owner, Project Admin"));
        assert_eq!(
            ApiError::from(AuthError::Store(StoreError::Unavailable("x".into()))).status(),
            503
        );
    }

    #[test]
    fn input_errors_are_400_but_another_project_is_403() {
        assert_eq!(ApiError::from(InputError::OtherProject).status(), 403);
        assert_eq!(ApiError::from(InputError::NothingSent).status(), 400);
        let version = ApiError::from(InputError::VersionNotUpdatable).public_message();
        assert!(version.contains("If-Match"), "{version}");
        let field = ApiError::from(FieldError::new("status", "must be a string"));
        assert_eq!(
            field.public_message(),
            "Invalid value for \"status\": must be a string"
        );
    }

    #[test]
    fn cursor_errors_are_400() {
        assert_eq!(ApiError::from(CursorError::Altered).status(), 400);
    }
}
