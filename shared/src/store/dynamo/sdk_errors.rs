//! SDK failures in the store's words: unreachable, timed out or throttled is
//! [`StoreError::Unavailable`]; anything else is [`StoreError::Failed`]. Either carries the
//! SDK's own message, for the log.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

use crate::store::StoreError;

/// Service errors that say "not now" rather than "not this": after the retries, the request
/// is answered as unavailable (try again later), never as a bug.
const RETRYABLE_CODES: [&str; 8] = [
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "LimitExceededException",
    // A write met an item locked by another transaction.
    "TransactionConflictException",
    "TransactionInProgressException",
];

/// Whether a service error code says "try again later".
pub fn is_retryable_code(code: &str) -> bool {
    RETRYABLE_CODES.contains(&code)
}

pub fn from_sdk<E, R>(operation: &str, error: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    let unavailable = match &error {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => true,
        SdkError::ServiceError(service) => service.err().code().is_some_and(is_retryable_code),
        SdkError::ResponseError(_) => true,
        _ => false,
    };
    let cause = format!(
        "DynamoDB {operation} failed: {}",
        aws_sdk_dynamodb::error::DisplayErrorContext(&error)
    );
    if unavailable {
        StoreError::Unavailable(cause)
    } else {
        StoreError::Failed(cause)
    }
}
