//! The mapping of every layer's error to its status and words.

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
