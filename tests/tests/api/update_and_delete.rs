//! SPEC §5 on DynamoDB: an update never creates, and concurrent updates of other fields lose
//! none. (Updates, deletes and If-Match: `shared/src/api/tests/items.rs` and the store
//! contract's `items.rs`.)

use serde_json::{json, Value};

use crate::helpers::{random_id, OnDynamo, TestApp};

async fn an_item(app: &TestApp) -> (String, Value) {
    let item = app
        .create_item(
            &random_id(),
            json!({"statusMessage": "first", "dialDurationInSeconds": 5}),
        )
        .await;
    (item["_id"].as_str().unwrap().to_string(), item)
}

#[tokio::test]
async fn missing_ids_are_404_and_an_update_never_creates() {
    let app = TestApp::spawn().await;
    let missing = random_id();
    for response in [
        app.get_item(&missing, None).await,
        app.update(&missing, json!({"data": {"status": "x"}})).await,
        app.delete(&missing).await,
    ] {
        response.status(404);
        assert!(response.error().contains("not found"));
    }
    assert_eq!(
        app.count(None).await.body["count"],
        0,
        "an update never creates an item"
    );
}

#[tokio::test]
async fn disjoint_concurrent_updates_keep_every_field() {
    let app = TestApp::spawn().await;
    let (id, _) = an_item(&app).await;
    let (a, b, c) = tokio::join!(
        app.update(&id, json!({"data": {"status": "Completed"}})),
        app.update(&id, json!({"data": {"callCostInUSDCents": 42}})),
        app.update(&id, json!({"data": {"isAnswered": true}})),
    );
    for response in [a, b, c] {
        response.status(200);
    }
    let item = app.get_item(&id, None).await.body;
    assert_eq!(item["status"], "Completed");
    assert_eq!(item["callCostInUSDCents"], 42);
    assert_eq!(item["isAnswered"], true);
    assert_eq!(item["version"], 4);
}
