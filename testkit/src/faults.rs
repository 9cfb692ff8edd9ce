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
//!   [`Faults::lagging_index`].
//!
//! It also counts the requests of each operation, so a test can see the SDK retry.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use aws_smithy_http_client::tls;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use serde_json::{json, Value};

/// DynamoDB's limit on one expression (filter, condition, update, projection, key condition).
pub const MAX_EXPRESSION_BYTES: usize = 4096;

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
}

/// An answer as it came back: its status and its whole body.
type Answer = (u16, Vec<u8>);

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
    /// Expressions refused for being over 4 KB.
    refused_expressions: usize,
    /// Whether requests ask DynamoDB for the capacity they consume.
    measuring: bool,
    /// Per operation, the (read, write) capacity units consumed so far.
    consumed: HashMap<String, (f64, f64)>,
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
        SharedHttpClient::new(FaultyClient {
            faults: self.clone(),
            inner,
        })
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

    /// How many requests of `operation` were made so far (retries included).
    pub fn seen(&self, operation: &str) -> usize {
        self.state().seen.get(operation).copied().unwrap_or(0)
    }

    /// From now on every request asks DynamoDB for the capacity it consumes
    /// (`ReturnConsumedCapacity: TOTAL`), and [`Faults::consumed`] adds it up.
    pub fn measure_capacity(&self) {
        self.state().measuring = true;
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
            return match fault {
                Fault::LoseAnswer => Decision::Lose,
                Fault::LoseAnswerInProgress(retries) => {
                    if let Some(token) = request["ClientRequestToken"].as_str() {
                        state.in_progress.insert(token.to_string(), retries);
                    }
                    Decision::Lose
                }
                Fault::CancelTransaction(reason) => {
                    let items = request["TransactItems"].as_array().map_or(1, Vec::len);
                    let reasons: Vec<Value> = (0..items.max(1))
                        .map(|n| {
                            if n == 0 {
                                json!({"Code": reason, "Message": "injected"})
                            } else {
                                json!({"Code": "None"})
                            }
                        })
                        .collect();
                    Decision::Answer(error_response(
                        "TransactionCanceledException",
                        "Transaction cancelled, please refer cancellation reasons for specific reasons",
                        json!(reasons),
                    ))
                }
                Fault::Error(code) => {
                    Decision::Answer(error_response(code, "injected", Value::Null))
                }
            };
        }
        let stale = operation == "GetItem"
            && request["ConsistentRead"] != Value::Bool(true)
            && request["TableName"]
                .as_str()
                .is_some_and(|table| state.stale_tables.iter().any(|t| t == table));
        if stale {
            return match state.stale_answers.get(body) {
                Some((status, bytes)) => Decision::Answer((*status, bytes.clone())),
                None => Decision::Remember(body.to_vec()),
            };
        }
        let lag = (operation == "Query" && request["IndexName"].is_string())
            .then(|| request["TableName"].as_str())
            .flatten()
            .and_then(|table| state.lagging_indexes.get(table).copied());
        if let Some(lag) = lag {
            return match state.index_answers.get(body) {
                Some((read, answer)) if read.elapsed() < lag => Decision::Answer(answer.clone()),
                _ => Decision::RememberIndex(body.to_vec()),
            };
        }
        Decision::Pass
    }

    fn remember(&self, body: Vec<u8>, answer: (u16, Vec<u8>)) {
        self.state().stale_answers.entry(body).or_insert(answer);
    }

    fn remember_index(&self, body: Vec<u8>, answer: (u16, Vec<u8>)) {
        self.state()
            .index_answers
            .insert(body, (Instant::now(), answer));
    }
}

enum Decision {
    Pass,
    Lose,
    Answer((u16, Vec<u8>)),
    /// Send it on and remember the answer for later stale reads.
    Remember(Vec<u8>),
    /// Send it on and remember the answer, with when it was read, for a lagging index.
    RememberIndex(Vec<u8>),
}

/// An answer's status and its whole body (which arrives as a stream).
async fn read_whole(answer: HttpResponse) -> Result<(u16, Vec<u8>), ConnectorError> {
    let status = u16::from(answer.status());
    let bytes = ByteStream::new(answer.into_body())
        .collect()
        .await
        .map_err(|error| ConnectorError::io(error.into()))?;
    Ok((status, bytes.into_bytes().to_vec()))
}

/// The request, asking DynamoDB to return the capacity it consumes. (The local engine does not
/// check signatures, so the rewritten body needs no new one.)
fn with_capacity_asked(mut request: HttpRequest, body: &[u8]) -> HttpRequest {
    let Ok(Value::Object(mut object)) = serde_json::from_slice::<Value>(body) else {
        return request;
    };
    object.insert("ReturnConsumedCapacity".into(), json!("TOTAL"));
    let bytes = Value::Object(object).to_string().into_bytes();
    request
        .headers_mut()
        .insert("content-length", bytes.len().to_string());
    *request.body_mut() = SdkBody::from(bytes);
    request
}

/// The (read, write) capacity units an answer of `operation` reports, over every table it
/// touched. (DynamoDB reports one `CapacityUnits` figure; a read operation's are read units.)
fn consumed_units(operation: &str, body: &[u8]) -> (f64, f64) {
    let Ok(answer) = serde_json::from_slice::<Value>(body) else {
        return (0.0, 0.0);
    };
    let entries = match &answer["ConsumedCapacity"] {
        Value::Array(entries) => entries.clone(),
        Value::Null => Vec::new(),
        single => vec![single.clone()],
    };
    let units: f64 = entries
        .iter()
        .map(|entry| entry["CapacityUnits"].as_f64().unwrap_or(0.0))
        .sum();
    let reads = [
        "GetItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "TransactGetItems",
    ];
    if reads.contains(&operation) {
        (units, 0.0)
    } else {
        (0.0, units)
    }
}

/// The name of the first expression in the request over the limit, if any.
fn oversized_expression(request: &Value) -> Option<&'static str> {
    const NAMES: [&str; 5] = [
        "FilterExpression",
        "ConditionExpression",
        "UpdateExpression",
        "ProjectionExpression",
        "KeyConditionExpression",
    ];
    let mut requests = vec![request];
    if let Some(items) = request["TransactItems"].as_array() {
        requests.extend(items.iter().flat_map(|item| {
            item.as_object()
                .into_iter()
                .flat_map(|object| object.values())
        }));
    }
    requests.into_iter().find_map(|request| {
        NAMES.into_iter().find(|name| {
            request[*name]
                .as_str()
                .is_some_and(|text| text.len() > MAX_EXPRESSION_BYTES)
        })
    })
}

/// A DynamoDB JSON error answer.
fn error_response(code: &str, message: &str, reasons: Value) -> (u16, Vec<u8>) {
    let mut body = json!({
        "__type": format!("com.amazonaws.dynamodb.v20120810#{code}"),
        "message": message,
    });
    if !reasons.is_null() {
        body["CancellationReasons"] = reasons;
    }
    (400, body.to_string().into_bytes())
}

fn response((status, body): (u16, Vec<u8>)) -> HttpResponse {
    let status = StatusCode::try_from(status).expect("a valid status");
    let mut response = HttpResponse::new(status, SdkBody::from(body));
    response
        .headers_mut()
        .insert("content-type", "application/x-amz-json-1.0");
    response
}

#[derive(Debug)]
struct FaultyClient {
    faults: Faults,
    /// The HTTP client the functions use (hyper, rustls on ring), which does the real work.
    inner: SharedHttpClient,
}

impl HttpClient for FaultyClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        let inner = self.inner.http_connector(settings, components);
        SharedHttpConnector::new(FaultyConnector {
            inner,
            faults: self.faults.clone(),
        })
    }
}

#[derive(Debug)]
struct FaultyConnector {
    inner: SharedHttpConnector,
    faults: Faults,
}

impl HttpConnector for FaultyConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let operation = request
            .headers()
            .get("x-amz-target")
            .and_then(|target| target.rsplit('.').next())
            .unwrap_or_default()
            .to_string();
        let body = request.body().bytes().unwrap_or_default().to_vec();
        match self.faults.decide(&operation, &body) {
            Decision::Pass if self.faults.state().measuring => {
                let request = with_capacity_asked(request, &body);
                let sent = self.inner.call(request);
                let faults = self.faults.clone();
                HttpConnectorFuture::new(async move {
                    let (status, bytes) = read_whole(sent.await?).await?;
                    faults.add_consumed(&operation, consumed_units(&operation, &bytes));
                    Ok(response((status, bytes)))
                })
            }
            Decision::Pass => self.inner.call(request),
            Decision::Answer(answer) => HttpConnectorFuture::ready(Ok(response(answer))),
            Decision::Lose => {
                let sent = self.inner.call(request);
                HttpConnectorFuture::new(async move {
                    let _committed = sent.await?;
                    Err(ConnectorError::timeout(
                        "injected: the answer was lost after the request was served".into(),
                    ))
                })
            }
            Decision::Remember(key) => {
                let sent = self.inner.call(request);
                let faults = self.faults.clone();
                HttpConnectorFuture::new(async move {
                    let answer = read_whole(sent.await?).await?;
                    faults.remember(key, answer.clone());
                    Ok(response(answer))
                })
            }
            Decision::RememberIndex(key) => {
                let sent = self.inner.call(request);
                let faults = self.faults.clone();
                HttpConnectorFuture::new(async move {
                    let answer = read_whole(sent.await?).await?;
                    faults.remember_index(key, answer.clone());
                    Ok(response(answer))
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_over_4_kb_are_found_in_requests_and_transactions() {
        let long = "a".repeat(MAX_EXPRESSION_BYTES + 1);
        assert_eq!(
            oversized_expression(&json!({"FilterExpression": long})),
            Some("FilterExpression")
        );
        let transaction = json!({"TransactItems": [{"Update": {"UpdateExpression": long}}]});
        assert_eq!(oversized_expression(&transaction), Some("UpdateExpression"));
        let fine = "a".repeat(MAX_EXPRESSION_BYTES);
        assert_eq!(
            oversized_expression(&json!({"FilterExpression": fine})),
            None
        );
    }

    #[test]
    fn planned_faults_apply_in_order_then_stop() {
        let faults = Faults::new();
        faults.lose_answers("UpdateItem", 1);
        faults.fail("UpdateItem", Fault::Error("ThrottlingException"), 1);
        assert!(matches!(faults.decide("UpdateItem", b"{}"), Decision::Lose));
        assert!(matches!(faults.decide("GetItem", b"{}"), Decision::Pass));
        assert!(matches!(
            faults.decide("UpdateItem", b"{}"),
            Decision::Answer((400, _))
        ));
        assert!(matches!(faults.decide("UpdateItem", b"{}"), Decision::Pass));
        assert_eq!(faults.seen("UpdateItem"), 3);
    }

    #[test]
    fn a_lost_transaction_stays_in_progress_for_its_token_only() {
        let faults = Faults::new();
        faults.lose_answer_in_progress(2);
        let first = json!({"ClientRequestToken": "t1", "TransactItems": [{}]}).to_string();
        let other = json!({"ClientRequestToken": "t2", "TransactItems": [{}]}).to_string();
        let decide = |body: &str| faults.decide("TransactWriteItems", body.as_bytes());
        assert!(matches!(decide(&first), Decision::Lose));
        assert!(matches!(decide(&other), Decision::Pass));
        for _ in 0..2 {
            let Decision::Answer((400, bytes)) = decide(&first) else {
                panic!("in progress")
            };
            assert!(String::from_utf8_lossy(&bytes).contains("TransactionInProgressException"));
        }
        assert!(matches!(decide(&first), Decision::Pass));
    }

    #[test]
    fn a_lagging_index_answers_its_last_answer_until_the_lag_is_over() {
        let faults = Faults::new();
        faults.lagging_index("items", Duration::from_millis(50));
        let index = json!({"TableName": "items", "IndexName": "i"}).to_string();
        let table = json!({"TableName": "items"}).to_string();
        let decide = |body: &str| faults.decide("Query", body.as_bytes());
        assert!(
            matches!(decide(&table), Decision::Pass),
            "the table is not lagging"
        );
        let Decision::RememberIndex(key) = decide(&index) else {
            panic!("read and remembered")
        };
        faults.remember_index(key, (200, b"old".to_vec()));
        assert!(matches!(decide(&index), Decision::Answer((200, ref old)) if old == b"old"));
        std::thread::sleep(Duration::from_millis(60));
        assert!(
            matches!(decide(&index), Decision::RememberIndex(_)),
            "caught up"
        );
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
}
