//! SPEC §6 through the handler: the permission matrix on every operation, a missing or bad key
//! (every kind of bad key is `auth/mod.rs`'s), the header in any case, and projects that never
//! see each other.

use serde_json::json;

use super::TestApp;
use crate::api::routes::BASE_PATH;
use crate::api::ApiError;
use crate::auth::{api_key, mint_key, AuthError};
use crate::model::{Operation, Permission};
use crate::store::contract::random_id;

/// One request of `operation` with `key`, on the existing item `id`; its status.
async fn attempt(harness: &TestApp, key: &str, operation: Operation, id: &str) -> u16 {
    let call_log = random_id().to_string();
    let (method, path, body) = match operation {
        Operation::List => ("POST", format!("{BASE_PATH}/get-list"), None),
        Operation::GetItem => ("POST", format!("{BASE_PATH}/{id}/get-item"), None),
        Operation::Count => ("POST", format!("{BASE_PATH}/count"), None),
        Operation::Create => (
            "POST",
            BASE_PATH.to_string(),
            Some(json!({"data": {"incomingCallLogId": call_log, "status": "x"}})),
        ),
        Operation::Update => (
            "PUT",
            format!("{BASE_PATH}/{id}"),
            Some(json!({"data": {"status": "y"}})),
        ),
        Operation::Delete => ("DELETE", format!("{BASE_PATH}/{id}"), None),
    };
    harness.call_as(key, method, &path, body).await.status
}

#[tokio::test]
async fn every_permission_allows_exactly_its_operations() {
    let harness = TestApp::memory().await;
    for permission in Permission::ALL {
        let key = harness.key_with(&[permission]).await;
        for operation in Operation::ALL {
            let id = harness.create_id(&random_id().to_string(), json!({})).await;
            let status = attempt(&harness, &key, operation, &id).await;
            let allowed = operation.allowed_by().contains(&permission);
            assert_eq!(
                status,
                if allowed { 200 } else { 403 },
                "{permission:?} {operation:?}"
            );
        }
    }
}

#[tokio::test]
async fn no_key_is_401_asking_for_one() {
    let harness = TestApp::memory().await;
    let answer = harness
        .send("POST", &format!("{BASE_PATH}/count"), &[], None)
        .await;
    answer.refused(ApiError::MissingApiKey);
}

#[tokio::test]
async fn a_key_that_does_not_authenticate_is_401_invalid_api_key() {
    // Every kind of bad key (malformed, unknown, expired, revoked): `auth/mod.rs`.
    let harness = TestApp::memory().await;
    let answer = harness
        .call_as(
            &api_key::generate(),
            "POST",
            &format!("{BASE_PATH}/count"),
            None,
        )
        .await;
    answer.refused(ApiError::InvalidApiKey);
}

#[tokio::test]
async fn the_header_name_is_case_insensitive() {
    let harness = TestApp::memory().await;
    for name in ["apikey", "APIKEY", "ApiKey"] {
        let answer = harness
            .send(
                "POST",
                &format!("{BASE_PATH}/count"),
                &[(name, harness.key.as_str())],
                None,
            )
            .await;
        answer.status(200);
    }
}

#[tokio::test]
async fn two_api_key_headers_are_not_a_key() {
    let harness = TestApp::memory().await;
    let other = harness.key_with(&[Permission::ProjectAdmin]).await;
    let headers = [("ApiKey", harness.key.as_str()), ("ApiKey", other.as_str())];
    // An HTTP API joins repeated headers with a comma: no key looks like that.
    let answer = harness
        .send("POST", &format!("{BASE_PATH}/count"), &headers, None)
        .await;
    answer.refused(ApiError::InvalidApiKey);
}

#[tokio::test]
async fn another_projects_items_are_404_and_never_listed() {
    let harness = TestApp::memory().await;
    let id = harness.create_id(&random_id().to_string(), json!({})).await;
    let other_project = random_id();
    let other = mint_key(
        harness.app.store(),
        other_project,
        vec![Permission::ProjectAdmin],
        None,
        None,
    )
    .await
    .unwrap();
    let get = harness
        .call_as(&other, "POST", &format!("{BASE_PATH}/{id}/get-item"), None)
        .await;
    assert_eq!(get.status(404).error(), "Incoming Call Log Item not found");
    let update = harness
        .call_as(
            &other,
            "PUT",
            &format!("{BASE_PATH}/{id}"),
            Some(json!({"data": {"status": "stolen"}})),
        )
        .await;
    update.status(404);
    harness
        .call_as(&other, "DELETE", &format!("{BASE_PATH}/{id}"), None)
        .await
        .status(404);
    let list = harness
        .call_as(&other, "POST", &format!("{BASE_PATH}/get-list"), None)
        .await;
    assert_eq!(list.status(200).body["count"], 0);
    let own = harness.get_item(&id, None).await;
    assert_eq!(own.status(200).body["status"], "Ringing");
}

/// The list request of an HTTP API event, with `headers`, and the authorizer context API
/// Gateway puts in the event when its Lambda authorizer admitted the key (`None`: no
/// authorizer ran).
fn behind_the_gateway(
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
    context: Option<serde_json::Value>,
) -> crate::api::ApiRequest {
    let route = crate::api::routes::template_for(method, path);
    let spec = testkit::EventSpec::new(method, path, headers, body).on_route(route.as_deref());
    let mut event: serde_json::Value =
        serde_json::from_str(&testkit::event_json(testkit::Payload::Http, &spec)).unwrap();
    if let Some(context) = context {
        event["requestContext"]["authorizer"] = json!({ "lambda": context });
    }
    crate::api::ApiRequest::from_event(&event.to_string()).unwrap()
}

fn context_of(project: crate::model::ObjectId, permissions: &[Permission]) -> serde_json::Value {
    let principal = crate::auth::Principal {
        project,
        permissions: permissions.to_vec(),
    };
    serde_json::to_value(crate::api::authorizer::AuthorizerContext::of(&principal)).unwrap()
}

#[tokio::test]
async fn behind_the_authorizer_the_context_admits_and_no_key_is_read() {
    let harness = TestApp::memory().await;
    let id = harness.create_id(&random_id().to_string(), json!({})).await;
    // No ApiKey header at all, and a project with no key in the table: only the context
    // the authorizer wrote can have let this request in.
    let context = context_of(harness.project, &[Permission::ReadIncomingCallLogItem]);
    let path = format!("{BASE_PATH}/{id}/get-item");
    let request = behind_the_gateway("GET", &path, &[], None, Some(context.clone()));
    let answer = harness.handle(Operation::GetItem, request).await;
    answer.status(200);
    assert_eq!(answer.body["_id"], id);
    // Permissions still come from the context: a reader may not delete.
    let path = format!("{BASE_PATH}/{id}");
    let request = behind_the_gateway("DELETE", &path, &[], None, Some(context));
    let answer = harness.handle(Operation::Delete, request).await;
    answer.refused(AuthError::Denied(Operation::Delete).into());
    harness.get_item(&id, None).await.status(200);
}

#[tokio::test]
async fn a_forged_context_header_is_ignored() {
    let harness = TestApp::memory().await;
    let reader = harness
        .key_with(&[Permission::ReadIncomingCallLogItem])
        .await;
    let other_project = random_id().to_string();
    let forged =
        serde_json::to_string(&context_of(random_id(), &[Permission::ProjectOwner])).unwrap();
    let create =
        json!({"data": {"incomingCallLogId": random_id().to_string(), "status": "x"}}).to_string();
    for (name, value) in [
        ("authorizer", forged.as_str()),
        ("x-amzn-authorizer-lambda", forged.as_str()),
        ("projectId", other_project.as_str()),
        ("permissions", "ProjectOwner"),
    ] {
        // Without a key: 401, whatever the header claims.
        let request = behind_the_gateway("POST", BASE_PATH, &[(name, value)], Some(&create), None);
        harness.handle(Operation::Create, request).await.status(401);
        // With a reader's key: the key's own permissions, not the header's.
        let headers = [("ApiKey", reader.as_str()), (name, value)];
        let request = behind_the_gateway("POST", BASE_PATH, &headers, Some(&create), None);
        harness.handle(Operation::Create, request).await.status(403);
    }
    assert_eq!(harness.count(None).await.body["count"], 0);
}

#[tokio::test]
async fn a_context_this_api_did_not_write_falls_back_to_the_key() {
    let harness = TestApp::memory().await;
    let path = format!("{BASE_PATH}/count");
    for context in [
        json!({"principalId": "someone"}),
        json!({"projectId": "not-a-uuid", "permissions": "ProjectOwner"}),
        json!({"projectId": 7, "permissions": ["ProjectOwner"]}),
    ] {
        let request = behind_the_gateway("POST", &path, &[], None, Some(context.clone()));
        harness.handle(Operation::Count, request).await.status(401);
        let headers = [("ApiKey", harness.key.as_str())];
        let request = behind_the_gateway("POST", &path, &headers, None, Some(context));
        harness.handle(Operation::Count, request).await.status(200);
    }
}
