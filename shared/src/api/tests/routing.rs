//! Routes (SPEC §1): every route of the document reaches its operation, both payload formats,
//! wrong methods, unknown paths, and a route sent to another function.

use base64::Engine;
use serde_json::json;
use testkit::{EventSpec, Payload};

use super::TestApp;
use crate::api::routes::{BASE_PATH, ROUTES};
use crate::api::ApiError;
use crate::model::Operation;
use crate::store::contract::random_id;

#[tokio::test]
async fn every_route_of_the_document_answers_200_in_both_payload_formats() {
    for payload in [Payload::Http, Payload::Rest] {
        let mut harness = TestApp::memory().await;
        harness.payload = payload;
        let call_log = random_id().to_string();
        for route in ROUTES {
            let id = harness.create_id(&call_log, json!({})).await;
            let path = format!("{BASE_PATH}{}", route.path.replace("{id}", &id));
            let body = match route.operation {
                Operation::Create => {
                    Some(json!({"data": {"incomingCallLogId": call_log, "status": "x"}}))
                }
                Operation::Update => Some(json!({"data": {"status": "Completed"}})),
                _ => None,
            };
            let answer = harness.call(route.method, &path, body).await;
            assert_eq!(
                answer.status, 200,
                "{payload:?} {} {path}: {}",
                route.method, answer.body
            );
        }
    }
}

#[tokio::test]
async fn a_known_path_with_another_method_is_405_with_allow() {
    let harness = TestApp::memory().await;
    let id = random_id();
    for (method, path, allow) in [
        ("PUT", format!("{BASE_PATH}/get-list"), "GET, POST"),
        ("GET", format!("{BASE_PATH}/count"), "POST"),
        ("GET", BASE_PATH.to_string(), "POST"),
        ("PATCH", format!("{BASE_PATH}/{id}"), "PUT, DELETE"),
        ("DELETE", format!("{BASE_PATH}/{id}/get-item"), "GET, POST"),
    ] {
        let answer = harness.call(method, &path, None).await;
        assert_eq!(
            answer.status(405).header("allow"),
            Some(allow),
            "{method} {path}"
        );
        answer.refused(ApiError::MethodNotAllowed {
            method: method.into(),
            allow: allow.split(", ").collect(),
        });
    }
}

#[tokio::test]
async fn a_route_of_another_function_is_404_there() {
    let harness = TestApp::memory().await;
    let headers = [("ApiKey", harness.key.as_str())];
    let path = format!("{BASE_PATH}/count");
    let spec = EventSpec::new("POST", &path, &headers, None);
    let answer = harness
        .handle(Operation::Delete, super::request(Payload::Http, &spec))
        .await;
    answer.refused(ApiError::NotThisFunction {
        method: "POST".into(),
        path,
    });
}

#[tokio::test]
async fn a_base64_body_is_decoded_first() {
    let harness = TestApp::memory().await;
    let body = json!({"data": {"incomingCallLogId": random_id().to_string(), "status": "x"}});
    let encoded = base64::engine::general_purpose::STANDARD.encode(body.to_string());
    let headers = [("ApiKey", harness.key.as_str())];
    let mut spec = EventSpec::new("POST", BASE_PATH, &headers, Some(&encoded));
    spec.base64 = true;
    let answer = harness
        .handle(Operation::Create, super::request(Payload::Http, &spec))
        .await;
    assert_eq!(answer.status(200).body["status"], "x");
}

#[tokio::test]
async fn a_missing_content_type_is_read_as_json() {
    let harness = TestApp::memory().await;
    let answer = harness
        .send(
            "POST",
            &format!("{BASE_PATH}/count"),
            &[("ApiKey", harness.key.as_str())],
            Some(r#"{"query": {"status": "x"}}"#),
        )
        .await;
    assert_eq!(answer.status(200).body, json!({"count": 0}));
}

#[tokio::test]
async fn a_preflight_on_every_path_is_204_with_the_cors_headers_and_no_key() {
    let harness = TestApp::memory().await;
    let id = random_id();
    for route in ROUTES {
        let path = format!("{BASE_PATH}{}", route.path.replace("{id}", &id.to_string()));
        let headers = [
            ("Origin", "https://dashboard.example"),
            ("Access-Control-Request-Method", route.method),
            ("Access-Control-Request-Headers", "apikey,content-type"),
        ];
        let answer = harness.send("OPTIONS", &path, &headers, None).await;
        assert_eq!(answer.status, 204, "{path}");
        for (name, value) in crate::api::cors::HEADERS {
            assert_eq!(answer.header(name), Some(value), "{path} {name}");
        }
    }
    let unknown = harness.send("OPTIONS", "/api/other", &[], None).await;
    unknown.status(404);
}
