//! SPEC §1 and §7: bodies, methods, routes and sizes; every error is `{"error": …}`.

use base64::Engine;
use serde_json::json;

use crate::helpers::{random_id, OnDynamo, TestApp};

#[tokio::test]
async fn malformed_json_is_400_saying_where() {
    let app = TestApp::spawn().await;
    let headers = [
        ("ApiKey", app.key.as_str()),
        ("Content-Type", "application/json"),
    ];
    let response = app
        .send(
            "POST",
            "/api/incoming-call-log-item",
            &headers,
            Some("{\"data\": {\"status\": }"),
        )
        .await;
    response.status(400);
    assert!(
        response.error().contains("line 1 column"),
        "{}",
        response.error()
    );
    assert_eq!(app.count(None).await.body["count"], 0);
}

#[tokio::test]
async fn a_missing_content_type_is_read_as_json() {
    let app = TestApp::spawn().await;
    let body = json!({"data": {"incomingCallLogId": random_id(), "status": "x"}}).to_string();
    app.send(
        "POST",
        "/api/incoming-call-log-item",
        &[("ApiKey", &app.key)],
        Some(&body),
    )
    .await
    .status(200);
}

#[tokio::test]
async fn a_base64_encoded_body_is_decoded_first() {
    let app = TestApp::spawn().await;
    let body = json!({"data": {"incomingCallLogId": random_id(), "status": "Encoded"}}).to_string();
    let encoded = base64::engine::general_purpose::STANDARD.encode(body);
    // The fixture's isBase64Encoded flag, switched on.
    let response = app
        .send_base64("POST", "/api/incoming-call-log-item", &encoded)
        .await;
    response.status(200);
    assert_eq!(response.body["status"], "Encoded");
}

#[tokio::test]
async fn a_body_over_256_kib_is_413_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let big = json!({"data": {"incomingCallLogId": random_id(), "status": "x", "statusMessage": "y".repeat(300 * 1024)}}).to_string();
    let response = app
        .send(
            "POST",
            "/api/incoming-call-log-item",
            &[("ApiKey", &app.key)],
            Some(&big),
        )
        .await;
    response.status(413);
    assert_eq!(app.count(None).await.body["count"], 0);
}

#[tokio::test]
async fn a_known_path_with_a_wrong_method_is_405_with_allow() {
    let app = TestApp::spawn().await;
    let id = random_id();
    for (method, path, allow) in [
        (
            "PUT",
            "/api/incoming-call-log-item/get-list".to_string(),
            "GET, POST",
        ),
        (
            "GET",
            "/api/incoming-call-log-item/count".to_string(),
            "POST",
        ),
        ("GET", "/api/incoming-call-log-item".to_string(), "POST"),
        (
            "PATCH",
            format!("/api/incoming-call-log-item/{id}"),
            "PUT, DELETE",
        ),
        (
            "DELETE",
            format!("/api/incoming-call-log-item/{id}/get-item"),
            "GET, POST",
        ),
    ] {
        let response = app.send(method, &path, &[("ApiKey", &app.key)], None).await;
        assert_eq!(response.status, 405, "{method} {path}");
        assert_eq!(response.headers["allow"], allow, "{method} {path}");
        assert!(response.error().contains(method));
    }
}

#[tokio::test]
async fn an_unknown_route_is_404() {
    let app = TestApp::spawn().await;
    let response = app
        .send(
            "GET",
            "/api/incoming-call-log-item/a/b/c",
            &[("ApiKey", &app.key)],
            None,
        )
        .await;
    response.status(404);
    assert!(response.body["error"].is_string());
}

#[tokio::test]
async fn two_api_key_headers_are_refused() {
    let app = TestApp::spawn().await;
    let other = app.key_with(&[]).await;
    let response = app
        .send(
            "POST",
            "/api/incoming-call-log-item/count",
            &[("ApiKey", &app.key), ("ApiKey", &other)],
            None,
        )
        .await;
    assert!(
        response.status == 400 || response.status == 401,
        "{}",
        response.status
    );
}

#[tokio::test]
async fn errors_never_show_internals() {
    let app = TestApp::spawn().await;
    let response = app.get_item("zzz", None).await;
    let text = response.body.to_string();
    for internal in ["DynamoDB", "Exception", "table", &app.config.items_table] {
        assert!(!text.contains(internal), "{text}");
    }
}
