//! `Idempotency-Key` on create (SPEC §4) on the local engine, retried the ways clients retry
//! when DynamoDB is slow or loses an answer. (A plain retry, and another body: the handler's
//! `idempotency.rs` and the store contract's `once.rs`.)

use std::sync::Arc;

use serde_json::{json, Value};

use crate::helpers::{random_id, Answer, OnDynamo, TestApp};

const BASE: &str = "/api/incoming-call-log-item";

async fn create_with(app: &TestApp, key: &str, body: &Value) -> Answer {
    let headers = [
        ("ApiKey", app.key.as_str()),
        ("Idempotency-Key", key),
        ("Content-Type", "application/json"),
    ];
    app.send("POST", BASE, &headers, Some(&body.to_string()))
        .await
}

fn replayed(response: &Answer) -> bool {
    response.headers.get("idempotent-replayed").is_some()
}

#[tokio::test]
async fn concurrent_creates_with_one_key_create_one_item() {
    let app = Arc::new(TestApp::spawn().await);
    let body = json!({"data": {"incomingCallLogId": random_id(), "status": "Ringing"}});
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (app, body) = (Arc::clone(&app), body.clone());
        tasks.push(tokio::spawn(async move {
            create_with(&app, "together", &body).await
        }));
    }
    let mut created = Vec::new();
    for task in tasks {
        let response = task.await.unwrap();
        match response.status {
            200 => created.push((replayed(&response), response.body["_id"].clone())),
            409 => assert!(response.headers.contains_key("retry-after")),
            other => panic!("{other}: {}", response.body),
        }
    }
    assert_eq!(
        created.iter().filter(|(replay, _)| !replay).count(),
        1,
        "{created:?}"
    );
    assert!(
        created.iter().all(|(_, id)| *id == created[0].1),
        "{created:?}"
    );
    assert_eq!(app.count(None).await.body["count"], 1);
}

#[tokio::test]
async fn a_keyed_create_whose_answers_were_lost_is_answered_once() {
    let (app, faults) = TestApp::with_faults().await;
    let body = json!({"data": {"incomingCallLogId": random_id(), "status": "Ringing"}});
    faults.lose_answers("PutItem", 1);
    faults.lose_answers("TransactWriteItems", 1);
    let first = create_with(&app, "lost", &body).await;
    first.status(200);
    assert!(!replayed(&first));
    let again = create_with(&app, "lost", &body).await;
    again.status(200);
    assert!(replayed(&again));
    assert_eq!(again.body, first.body);
    assert_eq!(app.count(None).await.body["count"], 1);
}

#[tokio::test]
async fn a_keyed_create_that_failed_can_be_retried_at_once() {
    let (app, faults) = TestApp::with_faults().await;
    let body = json!({"data": {"incomingCallLogId": random_id(), "status": "Ringing"}});
    faults.cancel_transactions("TransactionConflict", 100);
    create_with(&app, "after-503", &body).await.status(503);
    faults.clear("TransactWriteItems");
    let retry = create_with(&app, "after-503", &body).await;
    retry.status(200);
    assert!(
        !replayed(&retry),
        "the failed request created nothing to replay"
    );
    assert_eq!(app.count(None).await.body["count"], 1);
}
