//! A fault injector for the local engine (Dynoxide): an HTTP client handed to the SDK
//! (`config::Builder::http_client`) that sends requests on through the SDK's own client, and,
//! on demand, makes the engine behave the way the real service does where an emulator is
//! lenient (`docs/local-engine.md` lists the differences and which of these covers each):
//!
//! - an answer lost after the write committed (the SDK sees a timeout and retries the same
//!   request): [`Faults::lose_answers`];
//! - a transaction whose answer was lost and whose retries, with the same
//!   `ClientRequestToken`, find it still running (`TransactionInProgressException`):
//!   [`Faults::lose_answer_in_progress`];
//! - a transaction cancelled by `TransactionConflict` or `ThrottlingError`:
//!   [`Faults::cancel_transactions`];
//! - `TransactionConflictException` on a write to an item inside another transaction, and
//!   throttling (`ThrottlingException`, `ProvisionedThroughputExceededException`):
//!   [`Faults::fail`];
//! - the 4 KB limit on every expression: always on (a check of its own, whatever the engine
//!   enforces);
//! - eventually consistent reads that return an older answer: [`Faults::stale_reads`];
//! - a global secondary index that lags the table's writes by a bounded time:
//!   [`Faults::lagging_index`];
//! - transaction locking: a transaction holds its items for its duration, and what overlaps
//!   it is cancelled (`TransactionConflict`) or refused (`TransactionConflictException`):
//!   [`Faults::transaction_locking`] (`locks.rs`);
//! - `BatchGetItem` handing keys back as `UnprocessedKeys`:
//!   [`Faults::serve_batch_gets_in_part`].
//!
//! It also counts the requests of each operation, so a test can see the SDK retry.

mod connector;
mod locks;
mod wire;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use aws_smithy_http_client::tls;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use serde_json::Value;

use connector::FaultyClient;
use locks::{Claim, Locks};
pub use wire::MAX_EXPRESSION_BYTES;
use wire::{cancelled, error_response, oversized_expression, serve_in_part, Answer};

/// What to do to a request instead of (or after) sending it on.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Send it on, let it commit, and lose the answer: the SDK sees a timeout.
    LoseAnswer,
    /// As [`Fault::LoseAnswer`], for a transaction; then the next this-many requests with its
    /// `ClientRequestToken` are answered `TransactionInProgressException`, as DynamoDB answers
    /// a token whose transaction it is still applying.
    LoseAnswerInProgress(usize),
    /// Answer a `TransactionCanceledException` with this reason code for the first item (and
    /// `None` for the others), without sending it on.
    CancelTransaction(&'static str),
    /// Answer this service error (`TransactionConflictException`, `ThrottlingException`,
    /// `ProvisionedThroughputExceededException`, …), without sending it on.
    Error(&'static str),
    /// Hold the request until [`Faults::release_held`], then send it on: what a slow network
    /// does to an SDK retry, so that a test can let another writer in first.
    Hold,
}

#[derive(Debug, Default)]
struct State {
    /// Per operation (`UpdateItem`, …), the faults still to inject, in order.
    planned: HashMap<String, Vec<Fault>>,
    /// Per operation, how many requests were made (retries included).
    seen: HashMap<String, usize>,
    /// Tables whose eventually consistent `GetItem`s answer the first answer seen for a key.
    stale_tables: Vec<String>,
    /// The remembered answers of those reads, by request body.
    stale_answers: HashMap<Vec<u8>, Answer>,
    /// Tables whose index `Query`s lag the table's writes, by how long.
    lagging_indexes: HashMap<String, Duration>,
    /// The answers of those queries, by request body, and when each was read.
    index_answers: HashMap<Vec<u8>, (Instant, Answer)>,
    /// Per `ClientRequestToken` of a transaction still "in progress", how many more requests
    /// with it are answered `TransactionInProgressException`.
    in_progress: HashMap<String, usize>,
    /// Transaction locking, when on.
    locks: Option<Locks>,
    /// How many keys one `BatchGetItem` is served, when limited.
    batch_get_serves: Option<usize>,
    /// Opened by [`Faults::release_held`] for the requests a [`Fault::Hold`] holds.
    gate: Arc<tokio::sync::Notify>,
    /// Expressions refused for being over 4 KB.
    refused_expressions: usize,
    /// Whether requests ask DynamoDB for the capacity they consume.
    measuring: bool,
    /// Per operation, the (read, write) capacity units consumed so far.
    consumed: HashMap<String, (f64, f64)>,
    /// Items (or index entries) `Query` answers said DynamoDB evaluated (`ScannedCount`).
    scanned: u64,
}

/// The handle a test keeps to plan faults and read counts; clones share the plan.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    state: Arc<Mutex<State>>,
}

impl Faults {
    pub fn new() -> Self {
        Faults::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The HTTP client to hand to the SDK: the functions' client, with these faults.
    pub fn http_client(&self) -> SharedHttpClient {
        let inner = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        SharedHttpClient::new(FaultyClient::new(self.clone(), inner))
    }

    /// The next `times` requests of `operation` get `fault`.
    pub fn fail(&self, operation: &str, fault: Fault, times: usize) {
        let mut state = self.state();
        let planned = state.planned.entry(operation.to_string()).or_default();
        planned.extend(std::iter::repeat_n(fault, times));
    }

    /// Drops the faults still planned for `operation`.
    pub fn clear(&self, operation: &str) {
        self.state().planned.remove(operation);
    }

    /// The next `times` answers of `operation` are lost after the request committed.
    pub fn lose_answers(&self, operation: &str, times: usize) {
        self.fail(operation, Fault::LoseAnswer, times);
    }

    /// The next `times` transactions are cancelled with `reason` (`TransactionConflict`,
    /// `ThrottlingError`).
    pub fn cancel_transactions(&self, reason: &'static str, times: usize) {
        self.fail(
            "TransactWriteItems",
            Fault::CancelTransaction(reason),
            times,
        );
    }

    /// Eventually consistent `GetItem`s on `table` answer the first answer seen for their key,
    /// as a replica that has not caught up would.
    pub fn stale_reads(&self, table: &str) {
        self.state().stale_tables.push(table.to_string());
    }

    /// The next transaction commits and its answer is lost; the SDK's retries of it (same
    /// `ClientRequestToken`) and whatever else sends that token are then answered
    /// `TransactionInProgressException`, `retries` times.
    pub fn lose_answer_in_progress(&self, retries: usize) {
        self.fail(
            "TransactWriteItems",
            Fault::LoseAnswerInProgress(retries),
            1,
        );
    }

    /// `Query`s of any global secondary index of `table` answer what the same query answered
    /// up to `lag` ago, as an index that has not yet caught up with the table's writes would
    /// (DynamoDB propagates writes to a GSI asynchronously, usually within a second).
    pub fn lagging_index(&self, table: &str, lag: Duration) {
        self.state().lagging_indexes.insert(table.to_string(), lag);
    }

    /// From now on every transaction holds the items it touches for at least `hold`; a
    /// transaction touching a held item is cancelled (`TransactionConflict` for that item),
    /// and a single-item write to one fails with `TransactionConflictException`. Items are
    /// told apart by the attributes named in `key_names` (every table's key attributes).
    pub fn transaction_locking(&self, hold: Duration, key_names: &[&str]) {
        self.state().locks = Some(Locks::new(hold, key_names));
    }

    /// How many requests transaction locking has refused so far.
    pub fn conflicts(&self) -> usize {
        self.state()
            .locks
            .as_ref()
            .map_or(0, |locks| locks.conflicts)
    }

    /// From now on each `BatchGetItem` is served its first `keys` keys only, and hands the
    /// others back as `UnprocessedKeys`; with 0 it is refused
    /// (`ProvisionedThroughputExceededException`), as DynamoDB refuses a batch of which it can
    /// serve nothing. `None` serves every key again.
    pub fn serve_batch_gets_in_part(&self, keys: Option<usize>) {
        self.state().batch_get_serves = keys;
    }

    /// Holds the next request of `operation` that no other planned fault takes (after the
    /// faults already planned for it), until [`Faults::release_held`]. The answer says when
    /// that request has arrived.
    pub fn hold_next(&self, operation: &str) -> Held {
        let mut state = self.state();
        let planned = state.planned.entry(operation.to_string()).or_default();
        planned.push(Fault::Hold);
        let ahead = planned.len();
        let seen = state.seen.get(operation).copied().unwrap_or(0);
        Held {
            faults: self.clone(),
            operation: operation.to_string(),
            arrives_as: seen + ahead,
        }
    }

    /// Sends on the requests [`Fault::Hold`] is holding (one at a time, in turn; a release
    /// before the request arrives lets it through at once).
    pub fn release_held(&self) {
        self.state().gate.notify_one();
    }

    /// How many requests of `operation` were made so far (retries included).
    pub fn seen(&self, operation: &str) -> usize {
        self.state().seen.get(operation).copied().unwrap_or(0)
    }

    /// From now on every request asks DynamoDB for the capacity it consumes
    /// (`ReturnConsumedCapacity: TOTAL`), and [`Faults::consumed`] adds it up.
    pub fn measure_capacity(&self) {
        self.state().measuring = true;
    }

    fn measuring(&self) -> bool {
        self.state().measuring
    }

    /// The (read, write) capacity units consumed per operation since the last call, and resets.
    pub fn consumed(&self) -> HashMap<String, (f64, f64)> {
        std::mem::take(&mut self.state().consumed)
    }

    fn add_consumed(&self, operation: &str, (read, write): (f64, f64)) {
        let mut state = self.state();
        let total = state.consumed.entry(operation.to_string()).or_default();
        total.0 += read;
        total.1 += write;
    }

    /// How many items (or index entries) DynamoDB evaluated for the `Query`s answered since the
    /// last call (their `ScannedCount`), and resets: the work a read did, before its filter.
    /// Counted while capacity is measured ([`Faults::measure_capacity`]; other answers pass
    /// through unread).
    pub fn scanned(&self) -> u64 {
        std::mem::take(&mut self.state().scanned)
    }

    fn add_scanned(&self, answer: &[u8]) {
        let scanned = serde_json::from_slice::<Value>(answer)
            .ok()
            .and_then(|body| body.get("ScannedCount").and_then(Value::as_u64));
        if let Some(scanned) = scanned {
            self.state().scanned += scanned;
        }
    }

    /// How many requests were refused for an expression over 4 KB.
    pub fn refused_expressions(&self) -> usize {
        self.state().refused_expressions
    }

    /// What to do with a request of `operation` with `body`.
    fn decide(&self, operation: &str, body: &[u8]) -> Decision {
        let mut state = self.state();
        *state.seen.entry(operation.to_string()).or_default() += 1;
        let request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        if let Some(name) = oversized_expression(&request) {
            state.refused_expressions += 1;
            return Decision::Answer(error_response(
                "ValidationException",
                &format!("Invalid {name}: Expression size has exceeded the maximum allowed size"),
                Value::Null,
            ));
        }
        if operation == "TransactWriteItems" {
            if let Some(left) = request["ClientRequestToken"]
                .as_str()
                .and_then(|token| state.in_progress.get_mut(token))
                .filter(|left| **left > 0)
            {
                *left -= 1;
                return Decision::Answer(error_response(
                    "TransactionInProgressException",
                    "injected: the transaction with this ClientRequestToken is in progress",
                    Value::Null,
                ));
            }
        }
        if let Some(fault) = state
            .planned
            .get_mut(operation)
            .and_then(|planned| (!planned.is_empty()).then(|| planned.remove(0)))
        {
            let steps = request["TransactItems"].as_array().map_or(1, Vec::len);
            return match fault {
                Fault::LoseAnswer => Decision::Send(Box::new(Sending::lost())),
                Fault::LoseAnswerInProgress(retries) => {
                    if let Some(token) = request["ClientRequestToken"].as_str() {
                        state.in_progress.insert(token.to_string(), retries);
                    }
                    Decision::Send(Box::new(Sending::lost()))
                }
                Fault::CancelTransaction(reason) => {
                    Decision::Answer(cancelled(steps, &[0], reason))
                }
                Fault::Error(code) => {
                    Decision::Answer(error_response(code, "injected", Value::Null))
                }
                Fault::Hold => Decision::Send(Box::new(Sending {
                    held: Some(Arc::clone(&state.gate)),
                    ..Sending::default()
                })),
            };
        }
        if let Some(locks) = state.locks.as_mut() {
            if operation == "TransactWriteItems" {
                return match locks.claim(&request) {
                    Ok(claim) => Decision::Send(Box::new(Sending {
                        claim: Some(claim),
                        ..Sending::default()
                    })),
                    Err(conflicting) => {
                        let steps = request["TransactItems"].as_array().map_or(1, Vec::len);
                        Decision::Answer(cancelled(steps, &conflicting, "TransactionConflict"))
                    }
                };
            }
            if locks.blocks_write(operation, &request) {
                return Decision::Answer(error_response(
                    "TransactionConflictException",
                    "Transaction is ongoing for the item",
                    Value::Null,
                ));
            }
        }
        if operation == "BatchGetItem" {
            match state.batch_get_serves {
                Some(0) => {
                    return Decision::Answer(error_response(
                        "ProvisionedThroughputExceededException",
                        "injected: no key of the batch could be served",
                        Value::Null,
                    ))
                }
                Some(keys) => {
                    if let Some((request, unprocessed)) = serve_in_part(&request, keys) {
                        return Decision::Send(Box::new(Sending {
                            request: Some(request),
                            unprocessed: Some(unprocessed),
                            ..Sending::default()
                        }));
                    }
                }
                None => {}
            }
        }
        let stale = operation == "GetItem"
            && request["ConsistentRead"] != Value::Bool(true)
            && request["TableName"]
                .as_str()
                .is_some_and(|table| state.stale_tables.iter().any(|t| t == table));
        if stale {
            return match state.stale_answers.get(body) {
                Some(answer) => Decision::Answer(answer.clone()),
                None => Decision::Send(Box::new(Sending::remembered(Remember::Stale(
                    body.to_vec(),
                )))),
            };
        }
        let lag = (operation == "Query" && request["IndexName"].is_string())
            .then(|| request["TableName"].as_str())
            .flatten()
            .and_then(|table| state.lagging_indexes.get(table).copied());
        if let Some(lag) = lag {
            return match state.index_answers.get(body) {
                Some((read, answer)) if read.elapsed() < lag => Decision::Answer(answer.clone()),
                _ => Decision::Send(Box::new(Sending::remembered(Remember::Index(
                    body.to_vec(),
                )))),
            };
        }
        Decision::Send(Box::default())
    }

    /// Keeps an answer for the stale reads or the lagging index it was read for.
    fn remember(&self, remember: Remember, answer: Answer) {
        let mut state = self.state();
        match remember {
            Remember::Stale(body) => {
                state.stale_answers.entry(body).or_insert(answer);
            }
            Remember::Index(body) => {
                state.index_answers.insert(body, (Instant::now(), answer));
            }
        }
    }

    /// Lets go of a transaction's items.
    fn release(&self, claim: &Claim) {
        if let Some(locks) = self.state().locks.as_mut() {
            locks.release(claim);
        }
    }
}

/// A request [`Faults::hold_next`] will hold.
#[derive(Debug)]
pub struct Held {
    faults: Faults,
    operation: String,
    /// The count of requests of the operation at which it is the one held.
    arrives_as: usize,
}

impl Held {
    /// Waits until the held request has arrived (and is being held).
    pub async fn reached(&self) {
        while self.faults.seen(&self.operation) < self.arrives_as {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
}

/// What the injector does with one request.
#[derive(Debug)]
enum Decision {
    /// Answer this, without sending the request on.
    Answer(Answer),
    /// Send it on (as it is, or as rewritten), then do what it says with the answer.
    Send(Box<Sending>),
}

/// A request sent on, and what to do around it.
#[derive(Debug, Default)]
struct Sending {
    /// The request to send instead of the one the SDK made.
    request: Option<Value>,
    /// Lose the answer once the engine has given it: the SDK sees a timeout.
    lose: bool,
    /// Keep the answer for later stale reads or a lagging index.
    remember: Option<Remember>,
    /// Keys to hand back as `UnprocessedKeys` with the answer.
    unprocessed: Option<Value>,
    /// The items a transaction holds: the answer waits out the hold, then they are let go.
    claim: Option<Claim>,
    /// Not sent on before this gate opens.
    held: Option<Arc<tokio::sync::Notify>>,
}

impl Sending {
    fn lost() -> Self {
        Sending {
            lose: true,
            ..Sending::default()
        }
    }

    fn remembered(remember: Remember) -> Self {
        Sending {
            remember: Some(remember),
            ..Sending::default()
        }
    }

    /// Whether the request goes as the SDK made it and its answer straight back.
    fn untouched(&self) -> bool {
        self.request.is_none()
            && !self.lose
            && self.remember.is_none()
            && self.unprocessed.is_none()
            && self.claim.is_none()
            && self.held.is_none()
    }
}

#[derive(Debug)]
enum Remember {
    Stale(Vec<u8>),
    Index(Vec<u8>),
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sent_as_is(decision: &Decision) -> bool {
        matches!(decision, Decision::Send(sending) if sending.untouched())
    }

    /// What a decision to send does around the request (panics on an answer).
    fn sent(decision: Decision) -> Sending {
        match decision {
            Decision::Send(sending) => *sending,
            Decision::Answer(answer) => panic!("answered instead: {answer:?}"),
        }
    }

    #[test]
    fn planned_faults_apply_in_order_then_stop() {
        let faults = Faults::new();
        faults.lose_answers("UpdateItem", 1);
        faults.fail("UpdateItem", Fault::Error("ThrottlingException"), 1);
        assert!(sent(faults.decide("UpdateItem", b"{}")).lose);
        assert!(sent_as_is(&faults.decide("GetItem", b"{}")));
        assert!(matches!(
            faults.decide("UpdateItem", b"{}"),
            Decision::Answer((400, _))
        ));
        assert!(sent_as_is(&faults.decide("UpdateItem", b"{}")));
        assert_eq!(faults.seen("UpdateItem"), 3);
    }

    #[test]
    fn a_lost_transaction_stays_in_progress_for_its_token_only() {
        let faults = Faults::new();
        faults.lose_answer_in_progress(2);
        let first = json!({"ClientRequestToken": "t1", "TransactItems": [{}]}).to_string();
        let other = json!({"ClientRequestToken": "t2", "TransactItems": [{}]}).to_string();
        let decide = |body: &str| faults.decide("TransactWriteItems", body.as_bytes());
        assert!(sent(decide(&first)).lose);
        assert!(sent_as_is(&decide(&other)));
        for _ in 0..2 {
            let Decision::Answer((400, bytes)) = decide(&first) else {
                panic!("in progress")
            };
            assert!(String::from_utf8_lossy(&bytes).contains("TransactionInProgressException"));
        }
        assert!(sent_as_is(&decide(&first)));
    }

    #[test]
    fn a_lagging_index_answers_its_last_answer_until_the_lag_is_over() {
        let faults = Faults::new();
        faults.lagging_index("items", Duration::from_millis(50));
        let index = json!({"TableName": "items", "IndexName": "i"}).to_string();
        let table = json!({"TableName": "items"}).to_string();
        let decide = |body: &str| faults.decide("Query", body.as_bytes());
        assert!(sent_as_is(&decide(&table)), "the table is not lagging");
        let remember = sent(decide(&index)).remember.expect("read and remembered");
        faults.remember(remember, (200, b"old".to_vec()));
        assert!(matches!(decide(&index), Decision::Answer((200, ref old)) if old == b"old"));
        std::thread::sleep(Duration::from_millis(60));
        assert!(sent(decide(&index)).remember.is_some(), "caught up");
    }

    #[test]
    fn a_cancellation_has_a_reason_per_item() {
        let faults = Faults::new();
        faults.cancel_transactions("TransactionConflict", 1);
        let body = json!({"TransactItems": [{}, {}, {}]}).to_string();
        let Decision::Answer((_, bytes)) = faults.decide("TransactWriteItems", body.as_bytes())
        else {
            panic!("an answer")
        };
        let answer: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(answer["CancellationReasons"].as_array().unwrap().len(), 3);
        assert_eq!(
            answer["CancellationReasons"][0]["Code"],
            "TransactionConflict"
        );
    }

    #[test]
    fn with_locking_an_overlapping_transaction_is_cancelled_on_its_shared_item() {
        let faults = Faults::new();
        faults.transaction_locking(Duration::from_millis(20), &["pk"]);
        let update = |pk: &str| json!({"Update": {"TableName": "t", "Key": {"pk": {"S": pk}}}});
        let first = json!({"TransactItems": [update("a"), update("counter")]}).to_string();
        let second = json!({"TransactItems": [update("b"), update("counter")]}).to_string();
        let claim = sent(faults.decide("TransactWriteItems", first.as_bytes()))
            .claim
            .expect("the first holds its items");
        let Decision::Answer((400, bytes)) = faults.decide("TransactWriteItems", second.as_bytes())
        else {
            panic!("the second is cancelled")
        };
        let answer: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(answer["CancellationReasons"][0]["Code"], "None");
        assert_eq!(
            answer["CancellationReasons"][1]["Code"],
            "TransactionConflict"
        );
        faults.release(&claim);
        assert!(sent(faults.decide("TransactWriteItems", second.as_bytes()))
            .claim
            .is_some());
        assert_eq!(faults.conflicts(), 1);
    }
}
