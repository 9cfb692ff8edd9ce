//! What each operation costs in DynamoDB capacity units, as the local engine reports them
//! (`ReturnConsumedCapacity`, asked by the fault injector): a change that makes a call dearer
//! fails here, and `docs/architecture.md` quotes these figures.
//!
//! Engine behaviour relied on: Dynoxide charges as DynamoDB documents (a read unit per 4 KB
//! read consistently, a write unit per 1 KB written, two per item a transaction writes, and
//! one per index entry a write moves, outside the transaction's factor).

use std::collections::HashMap;

use serde_json::json;
use testkit::faults::Faults;

use crate::helpers::{random_id, TestApp};

/// The capacity units consumed by `run`, per DynamoDB operation: (read, write).
async fn units<F: std::future::Future<Output = ()>>(
    faults: &Faults,
    run: F,
) -> HashMap<String, (f64, f64)> {
    faults.consumed();
    run.await;
    faults.consumed()
}

fn of(consumed: &HashMap<String, (f64, f64)>, operation: &str) -> (f64, f64) {
    consumed.get(operation).copied().unwrap_or_default()
}

#[tokio::test]
async fn each_operation_costs_what_the_design_says() {
    let (app, faults) = TestApp::with_faults().await;
    let log = random_id();
    let id = app.create_id(&log, json!({})).await;
    faults.measure_capacity();

    let create = units(&faults, async {
        app.create_id(&log, json!({})).await;
    })
    .await;
    let keyed = units(&faults, async {
        let headers = [("ApiKey", app.key.as_str()), ("Idempotency-Key", "costs")];
        let body = json!({"data": {"incomingCallLogId": log, "status": "x"}}).to_string();
        app.send("POST", "/api/incoming-call-log-item", &headers, Some(&body))
            .await
            .assert_status(200);
    })
    .await;
    let update = units(&faults, async {
        app.update(&id, json!({"data": {"statusMessage": "called back"}}))
            .await
            .assert_status(200);
    })
    .await;
    let status_update = units(&faults, async {
        app.update(&id, json!({"data": {"status": "Completed"}}))
            .await
            .assert_status(200);
    })
    .await;
    let get = units(&faults, async {
        app.get_item(&id, None).await.assert_status(200);
    })
    .await;
    let delete = units(&faults, async {
        app.delete(&id).await.assert_status(200);
    })
    .await;
    eprintln!(
        "capacity units by DynamoDB operation (read, write): create {create:?}; create with \
         Idempotency-Key {keyed:?}; update {update:?}; update of the status {status_update:?}; \
         get-item {get:?}; delete {delete:?}"
    );
    // Every request reads its key consistently (the cache is off here): 1 read unit.
    for consumed in [&create, &keyed, &update] {
        assert_eq!(of(consumed, "GetItem"), (1.0, 0.0), "{consumed:?}");
    }
    // An update of other fields: the item and its call-log index entry, 2 write units, write
    // token included. One of the status reads the key and the item first.
    assert_eq!(of(&status_update, "GetItem"), (2.0, 0.0));
    assert_eq!(of(&update, "UpdateItem"), (0.0, 2.0));
    // The claim of an Idempotency-Key is one small item in no index: 1 write unit.
    assert_eq!(of(&keyed, "PutItem"), (0.0, 1.0));
    // The key and the item, both consistent reads.
    assert_eq!(of(&get, "GetItem"), (2.0, 0.0));
    assert_eq!(of(&delete, "GetItem"), (2.0, 0.0));
    // Transactions (docs/architecture.md, *Write units per request*): a create writes the
    // item, 10 counters and 4 entries (15 items, 2 units each) and the call-log index entry
    // (1); a delete the same; a keyed create also completes its record (one more item); a
    // status update writes the item, 4 counters and 2 entries, and the index entry.
    assert_eq!(of(&create, "TransactWriteItems"), (0.0, 31.0));
    assert_eq!(of(&keyed, "TransactWriteItems"), (0.0, 33.0));
    assert_eq!(of(&status_update, "TransactWriteItems"), (0.0, 15.0));
    assert_eq!(of(&delete, "TransactWriteItems"), (0.0, 31.0));
}
