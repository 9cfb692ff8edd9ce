//! SDK failures as API errors: unreachable or throttling → 503, anything else → 500.
//! The SDK's own message goes to the log through the error's cause, never to the client.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

use crate::error::ApiError;

/// How long a client is told to wait when the database is unavailable.
pub const RETRY_AFTER_SECONDS: u32 = 1;

const RETRYABLE_CODES: [&str; 6] = [
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "LimitExceededException",
];

pub fn from_sdk<E, R>(operation: &str, error: SdkError<E, R>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    let unavailable = match &error {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => true,
        SdkError::ServiceError(service) => service
            .err()
            .code()
            .is_some_and(|code| RETRYABLE_CODES.contains(&code)),
        SdkError::ResponseError(_) => true,
        _ => false,
    };
    let cause = format!(
        "DynamoDB {operation} failed: {}",
        aws_sdk_dynamodb::error::DisplayErrorContext(&error)
    );
    if unavailable {
        ApiError::Unavailable {
            retry_after_seconds: RETRY_AFTER_SECONDS,
            cause,
        }
    } else {
        ApiError::Internal(cause)
    }
}
