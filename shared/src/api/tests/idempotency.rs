//! `Idempotency-Key` on create (SPEC §4) through the handler.

use serde_json::{json, Value};

use super::{Answer, TestApp};
use crate::api::json::fingerprint;
use crate::api::routes::BASE_PATH;
use crate::api::{ApiError, RequestError, RETRY_AFTER_SECONDS};
use crate::model::Timestamp;
use crate::store::contract::random_id;
use crate::store::{Claim, CreatesOnce, IdempotencyKey};

async fn create_with(harness: &TestApp, key: &str, body: &Value) -> Answer {
    let headers = [
        ("ApiKey", harness.key.as_str()),
        ("Idempotency-Key", key),
        ("Content-Type", "application/json"),
    ];
    harness
        .send("POST", BASE_PATH, &headers, Some(&body.to_string()))
        .await
}

fn body(status: &str) -> Value {
    json!({"data": {"incomingCallLogId": "6f1c2a7e-1d2b-4c3d-9e8f-0a1b2c3d4e5f", "status": status}})
}

#[tokio::test]
async fn a_create_retried_with_its_key_creates_one_item_and_replays_it() {
    let harness = TestApp::memory().await;
    let first = create_with(&harness, "order-1", &body("Ringing")).await;
    first.status(200);
    assert_eq!(first.header("idempotent-replayed"), None);
    for _ in 0..2 {
        let again = create_with(&harness, "order-1", &body("Ringing")).await;
        assert_eq!(again.status(200).body, first.body);
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(again.header("etag"), Some("\"1\""));
    }
    assert_eq!(harness.count(None).await.body["count"], 1);
}

#[tokio::test]
async fn the_same_body_with_its_keys_in_another_order_is_the_same_request() {
    let harness = TestApp::memory().await;
    let first = create_with(&harness, "k", &body("Ringing")).await;
    let reordered: Value = serde_json::from_str(
        r#"{"data": {"status": "Ringing", "incomingCallLogId": "6f1c2a7e-1d2b-4c3d-9e8f-0a1b2c3d4e5f"}}"#,
    )
    .unwrap();
    let again = create_with(&harness, "k", &reordered).await;
    assert_eq!(again.status(200).body, first.body);
}

#[tokio::test]
async fn a_key_sent_with_another_body_is_422_and_creates_nothing() {
    let harness = TestApp::memory().await;
    create_with(&harness, "order-1", &body("Ringing"))
        .await
        .status(200);
    let other = create_with(&harness, "order-1", &body("Busy")).await;
    other.refused(ApiError::KeyReused);
    assert_eq!(harness.count(None).await.body["count"], 1);
}

#[tokio::test]
async fn a_key_while_its_first_request_runs_is_409_with_retry_after() {
    let harness = TestApp::memory().await;
    let key = IdempotencyKey {
        project: harness.project,
        key: "order-1".into(),
        fingerprint: fingerprint("POST", BASE_PATH, &body("Ringing")),
    };
    let claim = harness
        .app
        .store()
        .claim(&key, Timestamp::now())
        .await
        .unwrap();
    assert!(matches!(claim, Claim::Claimed { .. }));
    let answer = create_with(&harness, "order-1", &body("Ringing")).await;
    answer.refused(ApiError::StillRunning {
        retry_after_seconds: RETRY_AFTER_SECONDS,
    });
    assert_eq!(answer.header("retry-after"), Some("1"));
    assert_eq!(harness.count(None).await.body["count"], 0);
}

#[tokio::test]
async fn keys_are_per_project_and_a_refused_body_leaves_the_key_free() {
    let harness = TestApp::memory().await;
    let refused = create_with(&harness, "k", &json!({"data": {"status": "x"}})).await;
    refused.status(400);
    create_with(&harness, "k", &body("Ringing"))
        .await
        .status(200);
    let other = TestApp::memory().await;
    let elsewhere = create_with(&other, "k", &body("Ringing")).await;
    assert_eq!(elsewhere.status(200).header("idempotent-replayed"), None);
}

#[tokio::test]
async fn a_malformed_key_is_400_and_creates_nothing() {
    let harness = TestApp::memory().await;
    for key in ["", &"k".repeat(256), "clé", "tab\there"] {
        let answer = create_with(&harness, key, &body("Ringing")).await;
        answer.refused(RequestError::IdempotencyKey.into());
    }
    create_with(&harness, &"k".repeat(255), &body("Ringing"))
        .await
        .status(200);
    assert_eq!(harness.count(None).await.body["count"], 1);
}

#[tokio::test]
async fn creates_without_a_key_are_unchanged() {
    let harness = TestApp::memory().await;
    for _ in 0..2 {
        harness
            .create(json!({"incomingCallLogId": random_id().to_string(), "status": "x"}))
            .await
            .status(200);
    }
    assert_eq!(harness.count(None).await.body["count"], 2);
}
