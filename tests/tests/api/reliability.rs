//! What real DynamoDB does and the local engine (Dynoxide) does not, made to happen on purpose by
//! the fault injector (`testkit::faults`), and what the API answers (SPEC §5, §7, §8): answers
//! lost after the write committed, transactions still in progress for their token, transaction
//! conflicts, items locked by other transactions, throttling, the 4 KB expression limit,
//! replicas and indexes that lag.
//!
//! What the engine itself must do for these tests to mean anything: apply a transaction once
//! per `ClientRequestToken` (the lost-answer tests send one again and count the items), and
//! answer every read with the latest write (the stale-read and lagging-index faults replay
//! answers it gave earlier). Every difference these tests cover is listed in
//! `docs/local-engine.md`.

use serde_json::{json, Value};
use testkit::faults::Fault;

use crate::helpers::{random_id, Answer, OnDynamo, TestApp};

fn assert_unavailable(response: &Answer) {
    response.status(503);
    assert_eq!(
        response
            .headers
            .get("retry-after")
            .map(|v| v.to_str().unwrap()),
        Some("1"),
        "{}",
        response.body
    );
    assert!(!response.error().contains("Exception"), "{}", response.body);
}

async fn count(app: &TestApp) -> u64 {
    app.count(None).await.body["count"].as_u64().unwrap()
}

#[tokio::test]
async fn an_update_whose_answer_was_lost_is_applied_once() {
    let (app, faults) = TestApp::with_faults().await;
    let id = app.create_id(&random_id(), json!({})).await;
    // An update of other fields: one UpdateItem with its write token.
    faults.lose_answers("UpdateItem", 1);
    let response = app
        .update(&id, json!({"data": {"statusMessage": "late"}}))
        .await;
    response.status(200);
    assert_eq!(faults.seen("UpdateItem"), 2, "the SDK sent it again");
    let item = app.get_item(&id, None).await.body;
    assert_eq!(item["statusMessage"], "late");
    assert_eq!(item["version"], 2, "applied once, not twice");
    // An update of the status: the same single write; its counts follow from the stream.
    faults.lose_answers("UpdateItem", 1);
    let response = app
        .update(&id, json!({"data": {"status": "Completed"}}))
        .await;
    response.status(200);
    assert_eq!(faults.seen("UpdateItem"), 4, "sent again");
    let item = app.get_item(&id, None).await.body;
    assert_eq!(
        (item["status"].as_str(), item["version"].as_i64()),
        (Some("Completed"), Some(3))
    );
    let completed = app
        .count(Some(json!({"query": {"status": "Completed"}})))
        .await;
    assert_eq!(completed.body["count"], 1, "counted once");
}

#[tokio::test]
async fn an_if_match_update_whose_answer_was_lost_is_200_not_412() {
    let (app, faults) = TestApp::with_faults().await;
    let id = app.create_id(&random_id(), json!({})).await;
    faults.lose_answers("UpdateItem", 1);
    let headers = [("ApiKey", app.key.as_str()), ("If-Match", "1")];
    let body = json!({"data": {"status": "Completed"}}).to_string();
    let response = app
        .send(
            "PUT",
            &format!("/api/incoming-call-log-item/{id}"),
            &headers,
            Some(&body),
        )
        .await;
    response.status(200);
    let item = app.get_item(&id, None).await.body;
    assert_eq!(
        (item["version"].as_i64(), item["status"].as_str()),
        (Some(2), Some("Completed"))
    );
}

#[tokio::test]
async fn a_delete_whose_answer_was_lost_is_200_and_uncounted_once() {
    let (app, faults) = TestApp::with_faults().await;
    let log = random_id();
    let id = app.create_id(&log, json!({})).await;
    app.create_id(&log, json!({})).await;
    faults.lose_answers("TransactWriteItems", 1);
    app.delete(&id).await.status(200);
    assert_eq!(faults.seen("TransactWriteItems"), 2, "the delete, twice");
    app.get_item(&id, None).await.status(404);
    assert_eq!(count(&app).await, 1);
    let in_log = app
        .count(Some(json!({"query": {"incomingCallLogId": log}})))
        .await;
    assert_eq!(in_log.body["count"], 1);
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_stores_one_item() {
    let (app, faults) = TestApp::with_faults().await;
    // The retry finds the item there, with its own write token: 200, not 409.
    let before = faults.seen("PutItem");
    faults.lose_answers("PutItem", 1);
    let created = app.create_item(&random_id(), json!({})).await;
    assert_eq!(faults.seen("PutItem"), before + 2, "sent again");
    assert_eq!(count(&app).await, 1);
    let listed = app.all_items().await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["_id"], created["_id"]);
}

#[tokio::test]
async fn transaction_conflicts_that_outlast_the_retries_are_503_and_write_nothing() {
    // A delete is a transaction of one item (for its client token); a keyed create, the item
    // and its idempotency record.
    let (app, faults) = TestApp::with_faults().await;
    let id = app.create_id(&random_id(), json!({})).await;
    for reason in ["TransactionConflict", "ThrottlingError"] {
        faults.cancel_transactions(reason, 100);
        let keyed = app
            .send(
                "POST",
                "/api/incoming-call-log-item",
                &[("ApiKey", app.key.as_str()), ("Idempotency-Key", reason)],
                Some(
                    &json!({"data": {"incomingCallLogId": random_id(), "status": "x"}}).to_string(),
                ),
            )
            .await;
        assert_unavailable(&keyed);
        assert_unavailable(&app.delete(&id).await);
        faults.clear("TransactWriteItems");
        assert_eq!(count(&app).await, 1, "{reason}");
        app.get_item(&id, None).await.status(200);
    }
    // A conflict or two is retried away.
    faults.cancel_transactions("TransactionConflict", 2);
    app.delete(&id).await.status(200);
    assert_eq!(count(&app).await, 0);
}

#[tokio::test]
async fn an_update_meeting_an_item_in_a_transaction_is_retried_then_503() {
    let (app, faults) = TestApp::with_faults().await;
    let id = app.create_id(&random_id(), json!({})).await;
    let locked = Fault::Error("TransactionConflictException");
    faults.fail("UpdateItem", locked.clone(), 1);
    app.update(&id, json!({"data": {"statusMessage": "a"}}))
        .await
        .status(200);
    faults.fail("UpdateItem", locked, 100);
    assert_unavailable(
        &app.update(&id, json!({"data": {"statusMessage": "b"}}))
            .await,
    );
    faults.clear("UpdateItem");
    let item = app.get_item(&id, None).await.body;
    assert_eq!(
        (item["version"].as_i64(), item["statusMessage"].as_str()),
        (Some(2), Some("a"))
    );
}

#[tokio::test]
async fn throttling_that_outlasts_the_retries_is_503() {
    let (app, faults) = TestApp::with_faults().await;
    let id = app.create_id(&random_id(), json!({})).await;
    for code in [
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
    ] {
        faults.fail("Query", Fault::Error(code), 100);
        let list = app
            .list("", Some(json!({"query": {"status": "Ringing"}})))
            .await;
        assert_unavailable(&list);
        faults.clear("Query");
        faults.fail("GetItem", Fault::Error(code), 100);
        assert_unavailable(&app.get_item(&id, None).await);
        faults.clear("GetItem");
    }
    app.get_item(&id, None).await.status(200);
}

#[tokio::test]
async fn a_legal_filter_over_4_kb_is_answered_and_right() {
    let (app, faults) = TestApp::with_faults().await;
    let log = random_id();
    let target = app
        .create_id(
            &log,
            json!({"statusMessage": "m7", "userPhoneNumber": "+1 555 000 0007"}),
        )
        .await;
    app.create_id(&log, json!({"statusMessage": "other"})).await;
    let many = |prefix: &str| -> Vec<String> { (0..100).map(|n| format!("{prefix}{n}")).collect() };
    let ids: Vec<String> = (0..99).map(|_| random_id()).chain([log.clone()]).collect();
    let query = json!({
        "status": {"_type": "Includes", "value": many("Ringing").into_iter().skip(1).chain(["Ringing".to_string()]).collect::<Vec<_>>()},
        "statusMessage": {"_type": "Includes", "value": many("m")},
        "incomingCallLogId": {"_type": "Includes", "value": ids},
        "userPhoneNumber": {"_type": "Includes", "value": (0..100).map(|n| format!("+1 555 000 {n:04}")).collect::<Vec<_>>()},
        "dialDurationInSeconds": {"_type": "Includes", "value": (0..100).collect::<Vec<_>>()},
        "callCostInUSDCents": {"_type": "Includes", "value": (0..100).collect::<Vec<_>>()},
    });
    let list = app.list("", Some(json!({"query": query}))).await;
    list.status(200);
    let listed: Vec<&Value> = list.body["data"].as_array().unwrap().iter().collect();
    assert_eq!(listed.len(), 1, "{}", list.body);
    assert_eq!(listed[0]["_id"], target.as_str());
    let counted = app.count(Some(json!({"query": query}))).await;
    assert_eq!(counted.body["count"], 1, "{}", counted.body);
    assert_eq!(
        faults.refused_expressions(),
        0,
        "no expression over 4 KB was sent"
    );
}

#[tokio::test]
async fn a_revocation_is_seen_at_once_even_when_replicas_lag() {
    let (app, faults) = TestApp::with_faults().await;
    faults.stale_reads(&app.config.keys_table);
    let key = app
        .key_with(&[call_log_item::model::Permission::ProjectAdmin])
        .await;
    app.call_as(&key, "POST", "/api/incoming-call-log-item/count", None)
        .await
        .status(200);
    use call_log_item::store::KeyAdmin;
    app.store()
        .revoke_key(&call_log_item::auth::api_key::hash(&key))
        .await
        .unwrap();
    app.call_as(&key, "POST", "/api/incoming-call-log-item/count", None)
        .await
        .status(401);
}

/// A create sent with an `Idempotency-Key`: a transaction of the item and the key's record.
async fn keyed_create(app: &TestApp, key: &str, call_log: &str) -> Answer {
    let body = json!({"data": {"incomingCallLogId": call_log, "status": "Ringing"}});
    let headers = [("ApiKey", app.key.as_str()), ("Idempotency-Key", key)];
    app.send(
        "POST",
        "/api/incoming-call-log-item",
        &headers,
        Some(&body.to_string()),
    )
    .await
}

#[tokio::test]
async fn a_transaction_still_in_progress_for_its_retries_is_applied_once() {
    // DynamoDB answers a retry whose ClientRequestToken belongs to a transaction it is still
    // applying with TransactionInProgressException. The write happened: the request must
    // answer as it did, and apply nothing twice. The API's transactions: a keyed create and a
    // delete.
    let (app, faults) = TestApp::with_faults().await;
    let log = random_id();
    // The SDK's own two retries both find it in progress.
    faults.lose_answer_in_progress(2);
    let created = keyed_create(&app, "in-progress", &log).await;
    created.status(200);
    assert_eq!(count(&app).await, 1);
    let listed = app.all_items().await;
    assert_eq!(listed.len(), 1, "one item, not two");
    assert_eq!(listed[0]["_id"], created.body["_id"]);

    let other = app.create_id(&log, json!({})).await;
    faults.lose_answer_in_progress(2);
    app.delete(&other).await.status(200);
    app.get_item(&other, None).await.status(404);
    assert_eq!(count(&app).await, 1);
}

#[tokio::test]
async fn a_call_logs_page_and_count_may_lag_its_writes_but_the_project_list_does_not() {
    // The call-log index is a GSI: read eventually consistently, as the docs say. A page of a
    // call log, and its count (read from the same index), may miss an item created a moment
    // ago, for at most the index's lag; the project's count (once the stream is tallied) and
    // the project-wide list (the table, read consistently) do not.
    let (app, faults) = TestApp::with_faults().await;
    let lag = std::time::Duration::from_millis(1500);
    faults.lagging_index(&app.config.items_table, lag);
    let log = random_id();
    let first = app.create_id(&log, json!({})).await;
    let by_log = json!({"query": {"incomingCallLogId": log}});
    let ids = |response: &Answer| -> Vec<String> {
        response.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["_id"].as_str().unwrap().to_string())
            .collect()
    };
    let page = app.list("", Some(by_log.clone())).await;
    page.status(200);
    assert_eq!(ids(&page), [first.as_str()]);

    let second = app.create_id(&log, json!({})).await;
    let lagging = app.list("", Some(by_log.clone())).await;
    assert_eq!(
        ids(&lagging),
        [first.as_str()],
        "the index has not caught up"
    );
    assert_eq!(lagging.body["count"], 1, "nor has its count");
    assert_eq!(app.count(Some(by_log.clone())).await.body["count"], 1);
    assert_eq!(count(&app).await, 2, "the project's counter has");
    let project = app.list("", None).await;
    assert_eq!(
        ids(&project),
        [second.clone(), first.clone()],
        "the table has"
    );

    tokio::time::sleep(lag).await;
    let caught_up = app.list("", Some(by_log)).await;
    assert_eq!(ids(&caught_up), [second, first], "within the lag");
    assert_eq!(caught_up.body["count"], 2);
}

#[tokio::test]
async fn a_batch_get_served_one_key_at_a_time_still_fills_the_page() {
    // DynamoDB may serve part of a BatchGetItem and hand the rest back as UnprocessedKeys, as
    // often as it likes under load. A page is never cut short for it: the rest is asked for
    // again (with backoff), and if nothing can be served, the answer is 503, not a short 200.
    let (app, faults) = TestApp::with_faults().await;
    let log = random_id();
    for _ in 0..25 {
        app.create_id(&log, json!({"status": "Paged"})).await;
    }
    let by_value = json!({"query": {"status": "Paged"}});
    faults.serve_batch_gets_in_part(Some(1));
    let page = app.list("?limit=25", Some(by_value.clone())).await;
    page.status(200);
    assert_eq!(
        page.body["data"].as_array().unwrap().len(),
        25,
        "a full page"
    );
    assert!(faults.seen("BatchGetItem") >= 25, "one key per call");

    faults.serve_batch_gets_in_part(Some(0));
    assert_unavailable(&app.list("?limit=25", Some(by_value.clone())).await);
    faults.serve_batch_gets_in_part(None);
    let page = app.list("?limit=25", Some(by_value)).await;
    assert_eq!(page.body["data"].as_array().unwrap().len(), 25);
}

#[tokio::test]
async fn transactions_cancelled_for_throughput_are_retried_then_503() {
    // ProvisionedThroughputExceeded is one of DynamoDB's cancellation reasons, like
    // ThrottlingError: "not now", never a 500.
    let (app, faults) = TestApp::with_faults().await;
    faults.cancel_transactions("ProvisionedThroughputExceeded", 2);
    keyed_create(&app, "first", &random_id()).await.status(200);
    faults.cancel_transactions("ProvisionedThroughputExceeded", 100);
    assert_unavailable(&keyed_create(&app, "second", &random_id()).await);
    faults.clear("TransactWriteItems");
    assert_eq!(count(&app).await, 1, "the refused create wrote nothing");
}

#[tokio::test]
async fn an_update_whose_answer_was_lost_while_another_writer_came_in_is_applied_once() {
    // Update A commits, its answer is lost, and before the SDK's retry of A arrives, update B
    // of the same item is applied. A's retry must recognise its own write (200, once), not
    // apply it again nor answer 412.
    let (app, faults) = TestApp::with_faults().await;
    let id = app.create_id(&random_id(), json!({})).await;
    faults.lose_answers("UpdateItem", 1);
    let retry = faults.hold_next("UpdateItem");
    let first = app.with_payload(app.payload);
    let path = id.clone();
    let a = tokio::spawn(async move {
        first
            .update(&path, json!({"data": {"statusMessage": "from A"}}))
            .await
    });
    retry.reached().await;
    app.update(&id, json!({"data": {"callCostInUSDCents": 7}}))
        .await
        .status(200);
    faults.release_held();
    a.await.unwrap().status(200);
    let item = app.get_item(&id, None).await.body;
    assert_eq!(item["version"], 3, "created, A once, B once: {item}");
    assert_eq!(
        (
            item["statusMessage"].as_str(),
            item["callCostInUSDCents"].as_i64()
        ),
        (Some("from A"), Some(7))
    );
}
