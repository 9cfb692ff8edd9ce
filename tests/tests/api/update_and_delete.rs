//! SPEC §5: update and delete, If-Match, and every update rule as a table of cases.

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
async fn update_changes_only_the_fields_sent_and_bumps_version_and_updated_at() {
    let app = TestApp::spawn().await;
    let (id, before) = an_item(&app).await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    app.update(
        &id,
        json!({"data": {"status": "Completed", "statusMessage": null, "isAnswered": true}}),
    )
    .await
    .status(200);
    let after = app.get_item(&id, None).await.body;
    assert_eq!(after["status"], "Completed");
    assert_eq!(after["statusMessage"], Value::Null);
    assert_eq!(after["isAnswered"], true);
    assert_eq!(after["dialDurationInSeconds"], 5);
    assert_eq!(after["version"], 2);
    assert_eq!(after["createdAt"], before["createdAt"]);
    assert!(after["updatedAt"].as_str().unwrap() > before["updatedAt"].as_str().unwrap());
}

#[tokio::test]
async fn read_only_fields_sent_back_are_ignored() {
    let app = TestApp::spawn().await;
    let (id, mut item) = an_item(&app).await;
    // A client that sends back what it read, minus what cannot be updated.
    let object = item.as_object_mut().unwrap();
    for field in [
        "projectId",
        "incomingCallLogId",
        "incomingCallPolicyEscalationRuleId",
        "userId",
        "userPhoneNumber",
        "version",
    ] {
        object.remove(field);
    }
    object.insert("status".into(), json!("Busy"));
    app.update(&id, json!({"data": item})).await.status(200);
    assert_eq!(app.get_item(&id, None).await.body["status"], "Busy");
}

#[tokio::test]
async fn if_match_lets_only_the_expected_version_through() {
    let app = TestApp::spawn().await;
    let (id, _) = an_item(&app).await;
    let path = format!("/api/incoming-call-log-item/{id}");
    let body = json!({"data": {"status": "Completed"}}).to_string();
    let send = |version: &'static str| {
        let headers = [("ApiKey", app.key.as_str()), ("If-Match", version)];
        let body = body.clone();
        let path = path.clone();
        let app = &app;
        async move { app.send("PUT", &path, &headers, Some(&body)).await }
    };
    let stale = send("\"7\"").await;
    stale.status(412);
    assert!(stale.error().contains("version 1"));
    assert_eq!(app.get_item(&id, None).await.body["version"], 1);
    send("1").await.status(200);
    send("1").await.status(412);
    send("\"2\"").await.status(200);
    send("abc").await.status(400);
    assert_eq!(app.get_item(&id, None).await.body["version"], 3);
}

#[tokio::test]
async fn delete_with_a_stale_if_match_is_412_and_keeps_the_item() {
    let app = TestApp::spawn().await;
    let (id, _) = an_item(&app).await;
    let path = format!("/api/incoming-call-log-item/{id}");
    let stale = app
        .send(
            "DELETE",
            &path,
            &[("ApiKey", &app.key), ("If-Match", "2")],
            None,
        )
        .await;
    stale.status(412);
    app.get_item(&id, None).await.status(200);
    app.send(
        "DELETE",
        &path,
        &[("ApiKey", &app.key), ("If-Match", "1")],
        None,
    )
    .await
    .status(200);
    app.get_item(&id, None).await.status(404);
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
