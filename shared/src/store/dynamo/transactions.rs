//! Transactions: run with their retries while they only conflict with concurrent ones, and
//! what a cancelled one means.

use std::time::Duration;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::TransactWriteItem;

use super::attributes::Attributes;
use super::sdk_errors::from_sdk;
use super::DynamoStore;
use crate::store::StoreError;

impl DynamoStore {
    /// Runs a transaction (a delete, a keyed create), retrying while it only conflicts with
    /// concurrent ones or is throttled. Bounded: about a second at most.
    ///
    /// Every attempt carries a `ClientRequestToken`, which the SDK's own retries of that
    /// attempt reuse, so DynamoDB applies it once however often it is sent. A cancelled
    /// attempt applied nothing, and the next one gets a new token; an attempt answered
    /// `TransactionInProgressException` (its token's transaction, an earlier send of the same
    /// attempt whose answer was lost, is still being applied) is sent again with the same
    /// token, so that it is answered as the first send was rather than applied twice.
    pub async fn transact(&self, steps: Vec<TransactWriteItem>) -> Result<(), Transaction> {
        let mut attempt = 0u32;
        let mut token = uuid::Uuid::new_v4().to_string();
        loop {
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(steps.clone()))
                .client_request_token(&token)
                .send()
                .await;
            let error = match result {
                Ok(_) => return Ok(()),
                Err(error) => error,
            };
            let retry = match error.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
                    let reasons = cancelled.cancellation_reasons();
                    if let Some((step, failed)) = reasons
                        .iter()
                        .enumerate()
                        .find(|(_, reason)| reason.code() == Some("ConditionalCheckFailed"))
                    {
                        return Err(Transaction::ConditionFailed {
                            step,
                            old: failed.item().cloned(),
                        });
                    }
                    // Another transaction held an item, or DynamoDB throttled: "not now".
                    let retry = reasons.iter().any(|reason| {
                        matches!(
                            reason.code(),
                            Some(
                                "TransactionConflict"
                                    | "ThrottlingError"
                                    | "ProvisionedThroughputExceeded"
                            )
                        )
                    });
                    token = uuid::Uuid::new_v4().to_string();
                    retry
                }
                Some(TransactWriteItemsError::TransactionInProgressException(_)) => true,
                _ => false,
            };
            attempt += 1;
            if !retry {
                return Err(Transaction::Failed(from_sdk("TransactWriteItems", error)));
            }
            if attempt >= MAX_TRANSACTION_ATTEMPTS {
                // Conflicts or throttling outlasted the retries: not now, rather than a bug.
                return Err(Transaction::Failed(StoreError::Unavailable(format!(
                    "TransactWriteItems still cancelled after {attempt} attempts: {}",
                    aws_sdk_dynamodb::error::DisplayErrorContext(&error)
                ))));
            }
            tokio::time::sleep(backoff(attempt)).await;
        }
    }
}

/// How many times a transaction is tried while it only conflicts with concurrent ones.
const MAX_TRANSACTION_ATTEMPTS: u32 = 8;

/// 10 ms, 20 ms, 40 ms … capped at 200 ms, with jitter so that racing writers spread out.
pub(super) fn backoff(attempt: u32) -> Duration {
    let base = (10u64 << attempt.min(5)).min(200);
    let jitter = u64::from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0),
    ) % base.max(1);
    Duration::from_millis(base / 2 + jitter)
}

/// Why a transaction did not happen.
pub enum Transaction {
    /// The condition of step number `step` failed; the item it was on, as it was, when
    /// DynamoDB returned it.
    ConditionFailed {
        step: usize,
        old: Option<Attributes>,
    },
    Failed(StoreError),
}
