//! Each route through an HTTP API (payload 2.0) event and a REST API (payload 1.0) event.

use serde_json::json;

use crate::helpers::{random_id, OnDynamo, Payload, TestApp};

async fn every_route_works(payload: Payload) {
    let mut app = TestApp::spawn().await;
    app.payload = payload;
    let base = "/api/incoming-call-log-item";
    let call_log = random_id();

    let created = app
        .call(
            "POST",
            base,
            Some(json!({"data": {"incomingCallLogId": call_log, "status": "Ringing"}})),
        )
        .await;
    created.status(200);
    let id = created.body["_id"].as_str().unwrap().to_string();

    for method in ["GET", "POST"] {
        let list = app
            .call(
                method,
                &format!("{base}/get-list?limit=5&skip=0"),
                Some(json!({"select": {"status": true}})),
            )
            .await;
        list.status(200);
        assert_eq!(list.body["count"], 1, "{payload:?} {method} get-list");
        assert_eq!(list.body["limit"], 5);
        let item = app
            .call(method, &format!("{base}/{id}/get-item"), None)
            .await;
        item.status(200);
        assert_eq!(item.body["_id"], id.as_str());
    }
    let count = app
        .call(
            "POST",
            &format!("{base}/count"),
            Some(json!({"query": {"incomingCallLogId": call_log}})),
        )
        .await;
    assert_eq!(count.status(200).body, json!({"count": 1}));

    for (method, path) in [
        ("PUT", format!("{base}/{id}")),
        ("POST", format!("{base}/{id}/update-item")),
        ("GET", format!("{base}/{id}/update-item")),
    ] {
        let response = app
            .call(
                method,
                &path,
                Some(json!({"data": {"statusMessage": method}})),
            )
            .await;
        assert_eq!(
            response.status(200).body,
            json!({}),
            "{payload:?} {method} {path}"
        );
        assert_eq!(app.get_item(&id, None).await.body["statusMessage"], method);
    }
    for (method, suffix) in [
        ("DELETE", ""),
        ("POST", "/delete-item"),
        ("GET", "/delete-item"),
    ] {
        let id = app.create_id(&call_log, json!({})).await;
        let response = app
            .call(method, &format!("{base}/{id}{suffix}"), None)
            .await;
        assert_eq!(
            response.status(200).body,
            json!({}),
            "{payload:?} {method} delete{suffix}"
        );
        app.get_item(&id, None).await.status(404);
    }
}

#[tokio::test]
async fn every_route_works_through_http_api_events() {
    every_route_works(Payload::Http).await;
}

#[tokio::test]
async fn every_route_works_through_rest_api_events() {
    every_route_works(Payload::Rest).await;
}
