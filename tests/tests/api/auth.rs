//! SPEC §6: the permission matrix, and every kind of bad key.

use std::time::Duration;

use call_log_item::model::{Operation, Permission, Timestamp};
use call_log_item::store::KeyAdmin;
use serde_json::json;

use crate::helpers::{random_id, OnDynamo, TestApp};

/// One request per operation, on an item that exists.
async fn attempt(app: &TestApp, key: &str, operation: Operation, id: &str) -> u16 {
    let base = "/api/incoming-call-log-item";
    let call_log = random_id();
    let (method, path, body) = match operation {
        Operation::List => ("POST", format!("{base}/get-list"), None),
        Operation::GetItem => ("POST", format!("{base}/{id}/get-item"), None),
        Operation::Count => ("POST", format!("{base}/count"), None),
        Operation::Create => (
            "POST",
            base.to_string(),
            Some(json!({"data": {"incomingCallLogId": call_log, "status": "x"}})),
        ),
        Operation::Update => (
            "PUT",
            format!("{base}/{id}"),
            Some(json!({"data": {"status": "y"}})),
        ),
        Operation::Delete => ("DELETE", format!("{base}/{id}"), None),
    };
    app.call_as(key, method, &path, body).await.status
}

#[tokio::test]
async fn each_permission_allows_exactly_what_the_document_says() {
    let app = TestApp::spawn().await;
    let mut cases: Vec<(String, Vec<Permission>)> = Permission::ALL
        .iter()
        .map(|p| (p.title().to_string(), vec![*p]))
        .collect();
    cases.push(("no permission".into(), vec![]));
    for (label, permissions) in cases {
        let key = app.key_with(&permissions).await;
        for operation in Operation::ALL {
            let id = app.create_id(&random_id(), json!({})).await;
            let allowed = permissions
                .iter()
                .any(|p| operation.allowed_by().contains(p));
            let status = attempt(&app, &key, operation, &id).await;
            let expected = if allowed { 200 } else { 403 };
            assert_eq!(status, expected, "{label} on {operation:?}");
            if !allowed {
                // A refused write changed nothing.
                assert_eq!(
                    app.get_item(&id, None).await.body["status"],
                    "Ringing",
                    "{label} {operation:?}"
                );
            }
        }
    }
}

#[tokio::test]
async fn a_refusal_names_the_operation_and_the_permissions_that_allow_it() {
    let app = TestApp::spawn().await;
    let reader = app.key_with(&[Permission::ProjectMember]).await;
    let response = app
        .call_as(
            &reader,
            "POST",
            "/api/incoming-call-log-item",
            Some(json!({"data": {"incomingCallLogId": random_id(), "status": "x"}})),
        )
        .await;
    response.status(403);
    assert!(response.error().contains("create"));
    assert!(response.error().contains("Project Owner"));
    assert!(response.error().contains("Project Admin"));
    assert_eq!(app.count(None).await.body["count"], 0);
}

#[tokio::test]
async fn a_missing_key_is_401() {
    let app = TestApp::spawn().await;
    let response = app
        .send("POST", "/api/incoming-call-log-item/count", &[], None)
        .await;
    response.status(401);
    assert!(response.error().contains("ApiKey"));
}

#[tokio::test]
async fn bad_keys_are_401_invalid_api_key() {
    let app = TestApp::with_cache(Duration::ZERO).await;
    let expired = app
        .key_expiring(Timestamp::parse("2020-01-01T00:00:00Z").unwrap())
        .await;
    let revoked = app.key_with(&[Permission::ProjectAdmin]).await;
    assert!(app
        .store()
        .revoke_key(&call_log_item::auth::api_key::hash(&revoked))
        .await
        .unwrap());
    let unknown = call_log_item::auth::api_key::generate();
    for (label, key) in [
        ("empty", String::new()),
        ("blank", "   ".to_string()),
        ("malformed", "not-a-key".to_string()),
        ("uppercase", app.key.to_uppercase()),
        ("unknown", unknown),
        ("expired", expired),
        ("revoked", revoked),
    ] {
        let response = app
            .call_as(&key, "POST", "/api/incoming-call-log-item/count", None)
            .await;
        assert_eq!(response.status, 401, "{label}");
        assert_eq!(
            response.body,
            json!({"error": "Invalid API Key"}),
            "{label}"
        );
    }
}

#[tokio::test]
async fn the_header_name_is_case_insensitive() {
    let app = TestApp::spawn().await;
    for name in ["ApiKey", "apikey", "APIKEY"] {
        let response = app
            .send(
                "POST",
                "/api/incoming-call-log-item/count",
                &[(name, &app.key)],
                None,
            )
            .await;
        response.status(200);
    }
}

#[tokio::test]
async fn a_revoked_key_stops_working_once_the_cache_expires() {
    let app = TestApp::with_cache(Duration::from_secs(1)).await;
    let key = app.key_with(&[Permission::ProjectAdmin]).await;
    app.call_as(&key, "POST", "/api/incoming-call-log-item/count", None)
        .await
        .status(200);
    app.store()
        .revoke_key(&call_log_item::auth::api_key::hash(&key))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    app.call_as(&key, "POST", "/api/incoming-call-log-item/count", None)
        .await
        .status(401);
}

#[tokio::test]
async fn only_the_hash_of_a_key_is_stored() {
    let app = TestApp::spawn().await;
    let key = app.key_with(&[Permission::ProjectMember]).await;
    let records = app.store().list_keys(app.project).await.unwrap();
    let record = records
        .iter()
        .find(|r| r.key_hash == call_log_item::auth::api_key::hash(&key))
        .expect("the key is listed by its hash");
    assert_eq!(record.permissions, vec![Permission::ProjectMember]);
    // The stored attributes, read raw: the key appears nowhere in them.
    let stored = app
        .client()
        .get_item()
        .table_name(&app.config.keys_table)
        .key(
            "keyHash",
            aws_sdk_dynamodb::types::AttributeValue::S(record.key_hash.clone()),
        )
        .send()
        .await
        .unwrap();
    let stored = format!("{:?}", stored.item().expect("stored"));
    let secret = &key[call_log_item::auth::api_key::PREFIX.len()..];
    assert!(
        !stored.contains(secret),
        "the plain key is stored: {stored}"
    );
}
