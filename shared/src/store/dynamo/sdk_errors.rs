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

/// A conditional `UpdateItem`'s result as "was it applied": `false` when its condition failed
/// (the item was not as the caller expected), an error for anything else.
pub fn applied<O, R>(
    result: Result<O, SdkError<aws_sdk_dynamodb::operation::update_item::UpdateItemError, R>>,
) -> Result<bool, StoreError>
where
    R: std::fmt::Debug,
{
    match result {
        Ok(_) => Ok(true),
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
        {
            Ok(false)
        }
        Err(error) => Err(from_sdk("UpdateItem", error)),
    }
}
