//! Secrets: an API key never appears in a log line, an error body or the keys table — checked
//! by capturing every log line (at debug level, from every test of this binary) while keys of every kind are used, and by
//! reading the keys table raw.

use aws_sdk_dynamodb::types::AttributeValue;
use call_log_item::auth::api_key;
use call_log_item::model::{Permission, Timestamp};
use call_log_item::store::KeyAdmin;
use serde_json::json;

use crate::helpers::{random_id, TestApp};

#[tokio::test]
async fn keys_never_reach_logs_errors_or_the_keys_table() {
    let app = TestApp::with_cache(std::time::Duration::ZERO).await;
    let reader = app.key_with(&[Permission::ReadAllProjectResources]).await;
    let expired = app
        .key_expiring(Timestamp::parse("2020-01-01T00:00:00Z").unwrap())
        .await;
    let revoked = app.key_with(&[Permission::ProjectOwner]).await;
    app.keys.revoke_key(&api_key::hash(&revoked)).await.unwrap();
    let unknown = api_key::generate();
    let keys = [app.key.clone(), reader.clone(), expired, revoked, unknown];

    let mut bodies = Vec::new();
    let id = app.create_id(&random_id(), json!({})).await;
    for key in &keys {
        for (method, path, body) in [
            (
                "POST",
                "/api/incoming-call-log-item/get-list".to_string(),
                Some(json!({"query": {"status": "x"}})),
            ),
            (
                "POST",
                "/api/incoming-call-log-item".to_string(),
                Some(json!({"data": {"incomingCallLogId": random_id(), "status": "x"}})),
            ),
            (
                "PUT",
                format!("/api/incoming-call-log-item/{id}"),
                Some(json!({"data": {"colour": "red"}})),
            ),
            (
                "DELETE",
                format!("/api/incoming-call-log-item/{}", random_id()),
                None,
            ),
        ] {
            let response = app.call_as(key, method, &path, body).await;
            bodies.push(response.body.to_string());
        }
    }
    // Every line every test of this binary logged so far, this test's requests among them.
    let logs = crate::helpers::captured_logs();
    assert!(
        logs.contains("\"message\":\"request\""),
        "the request lines were captured"
    );
    for key in &keys {
        let secret = &key[api_key::PREFIX.len()..];
        assert!(!logs.contains(secret), "a key reached the logs");
        assert!(
            bodies.iter().all(|body| !body.contains(secret)),
            "a key reached an error body"
        );
    }

    // The keys table, read raw: only hashes.
    let output = app
        .client
        .query()
        .table_name(&app.config.keys_table)
        .index_name("byProject")
        .key_condition_expression("projectId = :p")
        .expression_attribute_values(":p", AttributeValue::S(app.project.to_string()))
        .send()
        .await
        .unwrap();
    let stored = format!("{:?}", output.items());
    assert_eq!(output.items().len(), 4);
    for key in &keys {
        assert!(
            !stored.contains(&key[api_key::PREFIX.len()..]),
            "a plain key is stored"
        );
    }
}
