//! What an error body shows when DynamoDB refuses a call the API made: nothing of the store.
//! (How requests are refused before any store call needs no database:
//! `shared/src/api/tests/errors.rs` and `routing.rs`.)

use serde_json::json;
use testkit::faults::Fault;

use crate::helpers::{OnDynamo, TestApp};

#[tokio::test]
async fn a_call_dynamodb_refuses_is_a_500_that_shows_nothing_of_it() {
    let (app, faults) = TestApp::with_faults().await;
    // Not retryable: DynamoDB answers the same to the same call. `Query`, not `GetItem`: the
    // key lookup is a `GetItem` too.
    faults.fail("Query", Fault::Error("ValidationException"), 100);
    let list = app
        .list("", Some(json!({"query": {"status": "Ringing"}})))
        .await;
    faults.clear("Query");
    assert_eq!(
        (list.status, &list.body),
        (500, &json!({"error": "Internal server error"}))
    );
    assert_eq!(list.headers.get("retry-after"), None, "not worth a retry");
}
