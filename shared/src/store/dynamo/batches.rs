//! Batch calls DynamoDB serves in part: it hands back what it did not get to
//! (`UnprocessedKeys`, `UnprocessedItems`), under throttling as often as it likes. The rest is
//! asked for again, paced, until all is served; calls in a row that serve none of what they
//! asked give up as unavailable. `BatchGetItem` (reads by value) and `BatchWriteItem` (the
//! tally's entries) pace the same way.

use super::transactions::backoff;
use crate::store::StoreError;

/// Calls in a row that may serve none of what they asked before the batch gives up (about
/// 1.3 s of backoff).
const MAX_STALLS: u32 = 8;

/// The pace of one batch's calls.
#[derive(Debug, Default)]
pub(super) struct Pacing {
    stalls: u32,
}

impl Pacing {
    /// After a call of `operation` that asked for `asked` requests and left `left` (some)
    /// unprocessed: waits before the call for the rest, or gives up as unavailable.
    pub(super) async fn before_the_rest(
        &mut self,
        operation: &str,
        asked: usize,
        left: usize,
    ) -> Result<(), StoreError> {
        self.stalls = if left < asked { 1 } else { self.stalls + 1 };
        if self.stalls > MAX_STALLS {
            return Err(StoreError::Unavailable(format!(
                "{operation} served none of {asked} requests {MAX_STALLS} times in a row"
            )));
        }
        tokio::time::sleep(backoff(self.stalls)).await;
        Ok(())
    }
}
