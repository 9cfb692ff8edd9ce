//! SDK failures in the store's words: unreachable, timed out or throttled is
//! [`StoreError::Unavailable`]; anything else is [`StoreError::Failed`]. Either carries the
//! SDK's own message, for the log.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

use crate::store::StoreError;

const RETRYABLE_CODES: [&str; 6] = [
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "LimitExceededException",
];

pub fn from_sdk<E, R>(operation: &str, error: SdkError<E, R>) -> StoreError
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
        StoreError::Unavailable(cause)
    } else {
        StoreError::Failed(cause)
    }
}
