//! Drift a store saw while serving one request: counters read below zero. A counter below zero
//! cannot come from this version's writes; when one is read, the store answers 0, logs it, and
//! notes it here, and the API turns the note into a metric of the request
//! (`CountersBelowZero`, `api/metrics.rs`), which an alarm watches.

use std::cell::Cell;
use std::future::Future;

tokio::task_local! {
    static SEEN: Cell<u32>;
}

/// Notes one counter read below zero (outside [`watching`], nothing is kept).
pub fn counter_below_zero() {
    let _ = SEEN.try_with(|seen| seen.set(seen.get() + 1));
}

/// Runs `future`, and says how many counters below zero the store read meanwhile.
pub async fn watching<F: Future>(future: F) -> (F::Output, u32) {
    SEEN.scope(Cell::new(0), async {
        let output = future.await;
        (output, SEEN.with(Cell::get))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn drift_is_counted_within_a_watch_only() {
        counter_below_zero();
        let ((), seen) = watching(async {
            counter_below_zero();
            counter_below_zero();
        })
        .await;
        assert_eq!(seen, 2);
        let ((), seen) = watching(async {}).await;
        assert_eq!(seen, 0);
    }
}
