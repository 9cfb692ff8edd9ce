//! Every request and response example of the user's document, exactly as written there, in
//! the document's own project (550e8400-e29b-41d4-a716-446655440000).

use serde_json::{json, Value};

use super::TestApp;
use crate::model::{ObjectId, Permission};

const SEED_PROJECT: &str = "550e8400-e29b-41d4-a716-446655440000";

async fn seed_project_app() -> TestApp {
    let mut app = TestApp::memory().await;
    app.project = ObjectId::parse(SEED_PROJECT).unwrap();
    app.key = app.key_with(&[Permission::ProjectAdmin]).await;
    app
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    keys
}

#[tokio::test]
async fn the_documents_examples_work_as_shown() {
    let app = seed_project_app().await;

    // Create: the document's body, answered with the document's fields (and the rest).
    let created = app
        .call(
            "POST",
            "/api/incoming-call-log-item",
            Some(json!({
              "data": {
                "incomingCallLogId": "550e8400-e29b-41d4-a716-446655440000",
                "isAnswered": true,
                "projectId": "550e8400-e29b-41d4-a716-446655440000",
                "status": "Example status",
                "callCostInUSDCents": 100
              }
            })),
        )
        .await;
    created.status(200);
    for (field, value) in [
        (
            "incomingCallLogId",
            json!("550e8400-e29b-41d4-a716-446655440000"),
        ),
        ("isAnswered", json!(true)),
        ("projectId", json!("550e8400-e29b-41d4-a716-446655440000")),
        ("status", json!("Example status")),
        ("callCostInUSDCents", json!(100)),
    ] {
        assert_eq!(created.body[field], value, "{field}");
    }
    let id = created.body["_id"].as_str().unwrap().to_string();
    assert_eq!(uuid::Uuid::parse_str(&id).unwrap().get_version_num(), 7);
    for _ in 0..2 {
        // A millisecond apart at least, so that newest first is creation order (the twin
        // creates several items within one millisecond, whose ids then sort at random).
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        app.create_item(
            SEED_PROJECT,
            json!({"status": "Example status", "isAnswered": true}),
        )
        .await;
    }
    app.create_item(SEED_PROJECT, json!({"status": "Other status"}))
        .await;

    // The document's select, on the list and on get-item.
    let select = json!({
      "incomingCallLogId": true,
      "isAnswered": true,
      "projectId": true,
      "status": true,
      "_id": true
    });

    // List: the document's request and the shape of its response.
    let list = app
        .call(
            "POST",
            "/api/incoming-call-log-item/get-list?skip=0&limit=10",
            Some(json!({
              "select": select,
              "query": {
                "status": "Example status"
              },
              "sort": {
                "createdAt": -1
              }
            })),
        )
        .await;
    list.status(200);
    assert_eq!(keys(&list.body), ["count", "data", "limit", "skip"]);
    assert_eq!(list.body["count"], 3);
    assert_eq!(list.body["limit"], 10);
    assert_eq!(list.body["skip"], 0);
    let data = list.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 3);
    for row in data {
        assert_eq!(
            keys(row),
            [
                "_id",
                "incomingCallLogId",
                "isAnswered",
                "projectId",
                "status"
            ]
        );
        assert_eq!(row["status"], "Example status");
        assert_eq!(row["projectId"], SEED_PROJECT);
    }
    // Newest first: the first created is last.
    assert_eq!(data[2]["_id"], id.as_str());

    // Get item: the document's select, exactly those five fields back.
    let item = app
        .call(
            "POST",
            &format!("/api/incoming-call-log-item/{id}/get-item"),
            Some(json!({ "select": select })),
        )
        .await;
    item.status(200);
    assert_eq!(
        item.body,
        json!({
          "_id": id,
          "incomingCallLogId": "550e8400-e29b-41d4-a716-446655440000",
          "isAnswered": true,
          "projectId": "550e8400-e29b-41d4-a716-446655440000",
          "status": "Example status"
        })
    );

    // Count: the document's query.
    let count = app
        .call(
            "POST",
            "/api/incoming-call-log-item/count",
            Some(json!({"query": {"status": "Example status"}})),
        )
        .await;
    count.status(200);
    assert_eq!(count.body, json!({"count": 3}));

    // Update: the document's body, answered {}.
    let updated = app
        .call(
            "PUT",
            &format!("/api/incoming-call-log-item/{id}"),
            Some(json!({
              "data": {
                "isAnswered": true,
                "status": "Example status",
                "callCostInUSDCents": 100
              }
            })),
        )
        .await;
    updated.status(200);
    assert_eq!(updated.body, json!({}));

    // Delete: no body, answered {}.
    let deleted = app
        .send(
            "DELETE",
            &format!("/api/incoming-call-log-item/{id}"),
            &[
                ("ApiKey", app.key.as_str()),
                ("Content-Type", "application/json"),
            ],
            None,
        )
        .await;
    deleted.status(200);
    assert_eq!(deleted.body, json!({}));
    app.get_item(&id, None).await.status(404);
}
