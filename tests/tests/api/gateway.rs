//! Keys checked at the gateway: the authorizer function's answer for real keys in the local
//! engine, and the functions serving the request API Gateway then sends them (the authorizer's
//! context in the event, the key header not read again).

use std::time::Duration;

use call_log_item::api::authorizer::{self as gateway, AuthorizerContext};
use call_log_item::api::ApiRequest;
use call_log_item::auth::{api_key, Authenticator};
use call_log_item::model::Permission;
use call_log_item::store::KeyAdmin;
use call_log_item::Operation;
use lambda_http::aws_lambda_events::apigw::ApiGatewayV2CustomAuthorizerV2Request;
use serde_json::{json, Value};
use testkit::events::PLACEHOLDER_API_KEY;
use testkit::faults::Fault;

use crate::helpers::{random_id, OnDynamo, TestApp};

/// The sample authorizer event (`events/authorizer/request.json`) for `key`.
fn authorizer_event(key: &str) -> ApiGatewayV2CustomAuthorizerV2Request {
    let text =
        include_str!("../../../events/authorizer/request.json").replace(PLACEHOLDER_API_KEY, key);
    serde_json::from_str(&text).expect("the sample authorizer event reads")
}

/// The sample list event (`events/list-post.http.json`) as API Gateway sends it once the
/// authorizer admitted the key: its context in the request context; the key header as sent.
fn admitted_list_event(key: &str, context: &Value) -> ApiRequest {
    let text =
        include_str!("../../../events/list-post.http.json").replace(PLACEHOLDER_API_KEY, key);
    let mut event: Value = serde_json::from_str(&text).unwrap();
    event["requestContext"]["authorizer"] = json!({ "lambda": context });
    ApiRequest::from_event(&event.to_string()).unwrap()
}

#[tokio::test]
async fn a_key_the_authorizer_admits_is_served_as_its_context_says() {
    let app = TestApp::spawn().await;
    let id = app
        .create_id(&random_id(), json!({"status": "Example status"}))
        .await;
    // Its entry by status, which the sample's query reads.
    call_log_item::local_stream::settle(app.store())
        .await
        .expect("the stream is tallied");
    let authorizer = Authenticator::new(Duration::from_secs(30));
    let answer = gateway::decide(&authorizer, app.store(), &authorizer_event(&app.key))
        .await
        .unwrap();
    assert!(answer.is_authorized);
    let context: AuthorizerContext = serde_json::from_value(answer.context.clone()).unwrap();
    assert_eq!(context.project_id, app.project.to_string());

    let response = app
        .app
        .handle(
            Operation::List,
            admitted_list_event(&app.key, &answer.context),
        )
        .await;
    assert_eq!(response.status(), 200);
    let lambda_http::Body::Text(body) = response.body() else {
        panic!("a JSON body")
    };
    assert!(body.contains(&id), "{body}");

    // The function trusts the context, not the key it carries: API Gateway checked that one.
    let response = app
        .app
        .handle(
            Operation::List,
            admitted_list_event("not-a-key", &answer.context),
        )
        .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn unknown_malformed_and_revoked_keys_are_refused_before_any_function() {
    let app = TestApp::spawn().await;
    let authorizer = Authenticator::new(Duration::ZERO);
    let revoked = app.key_with(&[Permission::ProjectAdmin]).await;
    app.store()
        .revoke_key(&api_key::hash(&revoked))
        .await
        .unwrap();
    for key in [api_key::generate(), "iclk_short".to_string(), revoked] {
        let answer = gateway::decide(&authorizer, app.store(), &authorizer_event(&key))
            .await
            .unwrap();
        assert!(!answer.is_authorized, "{key}");
    }
}

#[tokio::test]
async fn a_revoked_key_is_refused_once_the_authorizers_cache_lapses() {
    // The template's authorizer trusts a key it read for 30 s and API Gateway keeps its
    // answer 30 s (tests/template/modes.py holds the sum to 60); here a 1-second cache.
    let app = TestApp::spawn().await;
    let key = app.key_with(&[Permission::ProjectAdmin]).await;
    let ttl = Duration::from_secs(1);
    let authorizer = Authenticator::new(ttl);
    let admitted = |answer: gateway::AuthorizerResponse| answer.is_authorized;
    let event = authorizer_event(&key);
    assert!(admitted(
        gateway::decide(&authorizer, app.store(), &event)
            .await
            .unwrap()
    ));
    app.store().revoke_key(&api_key::hash(&key)).await.unwrap();
    // Within the cache's time the key read a moment ago still stands ...
    assert!(admitted(
        gateway::decide(&authorizer, app.store(), &event)
            .await
            .unwrap()
    ));
    tokio::time::sleep(ttl + Duration::from_millis(100)).await;
    // ... and after it, the revocation holds.
    assert!(!admitted(
        gateway::decide(&authorizer, app.store(), &event)
            .await
            .unwrap()
    ));
}

#[tokio::test]
async fn an_unreadable_keys_table_is_an_error_not_a_refusal() {
    // API Gateway answers 500 for an authorizer error and caches nothing, where a refusal
    // would be cached for the key as a 403 for 30 s.
    let (app, faults) = TestApp::with_faults().await;
    // Throttled past the SDK's retries (the key is not in the function's cache: TTL 0).
    faults.fail(
        "GetItem",
        Fault::Error("ProvisionedThroughputExceededException"),
        100,
    );
    let authorizer = Authenticator::new(Duration::ZERO);
    let answer = gateway::decide(&authorizer, app.store(), &authorizer_event(&app.key)).await;
    assert!(answer.is_err(), "{answer:?}");
}
