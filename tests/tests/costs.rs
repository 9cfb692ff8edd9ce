//! What each operation costs in DynamoDB capacity units, as the local engine reports them
//! (`ReturnConsumedCapacity`, asked by the fault injector), the `tally` function's writes from
//! the stream included: a change that makes a write dearer fails here, and
//! `docs/benchmarks.md` and `docs/architecture.md` quote these figures.
//!
//! A binary of its own: it tallies the stream through the injector to count the tally's units,
//! which takes every writer's records, so it must be the only writer of its process.
//!
//! Engine behaviour relied on: Dynoxide charges as DynamoDB documents (a read unit per 4 KB
//! read consistently, a write unit per 1 KB written, two per item a transaction writes, and
//! one per index entry a write moves, outside the transaction's factor).

#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use std::collections::HashMap;

use call_log_item::local_stream;
use serde_json::{json, Value};
use testkit::faults::Faults;

use helpers::{random_id, OnDynamo, TestApp};

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

/// Write units of the tally's calls (entries by `BatchWriteItem`, counters by `UpdateItem`).
fn tally_writes(consumed: &HashMap<String, (f64, f64)>) -> f64 {
    of(consumed, "BatchWriteItem").1 + of(consumed, "UpdateItem").1
}

/// Tallies the stream through the app's own (measured) client.
async fn tally(app: &TestApp) {
    local_stream::settle_through(app.store())
        .await
        .expect("the stream is tallied");
}

/// An item as a dashboard sees them: a user and a rule.
fn data(log: &str, user: &str, rule: &str) -> Value {
    json!({"userId": user, "incomingCallPolicyEscalationRuleId": rule})
        .as_object()
        .map(|extra| {
            let mut data = extra.clone();
            data.insert("incomingCallLogId".into(), json!(log));
            data.insert("status".into(), json!("Ringing"));
            Value::Object(data)
        })
        .unwrap()
}

#[tokio::test]
async fn each_operation_costs_what_the_design_says() {
    let (app, faults) = TestApp::with_faults().await;
    let (log, user, rule) = (random_id(), random_id(), random_id());
    let id = app.create_id(&log, data(&log, &user, &rule)).await;
    tally(&app).await;
    faults.measure_capacity();

    let create = units(&faults, async {
        app.create(data(&log, &user, &rule)).await.status(200);
    })
    .await;
    let create_tally = units(&faults, tally(&app)).await;
    let keyed = units(&faults, async {
        let headers = [("ApiKey", app.key.as_str()), ("Idempotency-Key", "costs")];
        let body = json!({ "data": data(&log, &user, &rule) }).to_string();
        app.send("POST", "/api/incoming-call-log-item", &headers, Some(&body))
            .await
            .status(200);
    })
    .await;
    tally(&app).await;
    let update = units(&faults, async {
        app.update(&id, json!({"data": {"statusMessage": "called back"}}))
            .await
            .status(200);
    })
    .await;
    let update_tally = units(&faults, tally(&app)).await;
    let status_update = units(&faults, async {
        app.update(&id, json!({"data": {"status": "Completed"}}))
            .await
            .status(200);
    })
    .await;
    let status_tally = units(&faults, tally(&app)).await;
    let get = units(&faults, async {
        app.get_item(&id, None).await.status(200);
    })
    .await;
    let delete = units(&faults, async {
        app.delete(&id).await.status(200);
    })
    .await;
    let delete_tally = units(&faults, tally(&app)).await;
    // A burst: 20 creates in one call log, tallied as one batch (as Lambda batches a burst).
    let mut bursting = app.with_payload(app.payload);
    bursting.settles = false;
    let burst = units(&faults, async {
        for _ in 0..20 {
            bursting.create(data(&log, &user, &rule)).await.status(200);
        }
        tally(&app).await;
    })
    .await;
    eprintln!(
        "capacity units by DynamoDB operation (read, write): create {create:?} + tally \
         {create_tally:?}; create with Idempotency-Key {keyed:?}; update {update:?} + tally \
         {update_tally:?}; update of the status {status_update:?} + tally {status_tally:?}; \
         get-item {get:?}; delete {delete:?} + tally {delete_tally:?}; 20 creates tallied \
         together {burst:?}"
    );
    // Every request reads its key consistently (the cache is off here): 1 read unit; the
    // writes read nothing else.
    for consumed in [&create, &keyed, &update, &status_update, &delete] {
        assert_eq!(of(consumed, "GetItem"), (1.0, 0.0), "{consumed:?}");
    }
    // The key and the item, both consistent reads.
    assert_eq!(of(&get, "GetItem"), (2.0, 0.0));
    // A create: the item and its call-log index entry.
    assert_eq!(of(&create, "PutItem"), (0.0, 2.0));
    // With an Idempotency-Key: the claim (1), then a transaction of the item and the record
    // marked done (2 units each) and the index entry (1).
    assert_eq!(of(&keyed, "PutItem"), (0.0, 1.0));
    assert_eq!(of(&keyed, "TransactWriteItems"), (0.0, 5.0));
    // Any update: the item and its index entry, write token included.
    assert_eq!(of(&update, "UpdateItem"), (0.0, 2.0));
    assert_eq!(of(&status_update, "UpdateItem"), (0.0, 2.0));
    // A delete: a transaction of the one item (2) and the index entry (1).
    assert_eq!(of(&delete, "TransactWriteItems"), (0.0, 3.0));
    // The tally (docs/architecture.md, *Write units per request*): a lone create puts its 4
    // entries and adds to the project's counter item (its count and the item's values, folded
    // in: one write unit; a call log's counts come from its index); a delete the same; an
    // update of other fields moves nothing; a status update moves 2 entries and the counter
    // item once.
    assert_eq!(tally_writes(&create_tally), 5.0, "{create_tally:?}");
    assert_eq!(tally_writes(&update_tally), 0.0, "{update_tally:?}");
    assert_eq!(tally_writes(&status_tally), 3.0, "{status_tally:?}");
    assert_eq!(tally_writes(&delete_tally), 5.0, "{delete_tally:?}");
    // SPEC §10: at most 8 write units per create, delete or value-changing update, the tally's
    // included.
    for (request, tally, operation) in [
        (&create, &create_tally, "PutItem"),
        (&status_update, &status_tally, "UpdateItem"),
        (&delete, &delete_tally, "TransactWriteItems"),
    ] {
        let total = of(request, operation).1 + tally_writes(tally);
        assert!(total <= 8.0, "{total}: {request:?} + {tally:?}");
    }
    // The tally reads the project's counter item once per batch to see which values it holds:
    // one read unit, no write.
    assert_eq!(of(&create_tally, "GetItem"), (1.0, 0.0), "{create_tally:?}");
    // In a burst the counter item is shared: 20 creates cost 2 each, 4 entries each, and the
    // counter item once: 6.05 units per create.
    let per_create = (of(&burst, "PutItem").1 + tally_writes(&burst)) / 20.0;
    assert_eq!(per_create, 6.05, "{burst:?}");
}
