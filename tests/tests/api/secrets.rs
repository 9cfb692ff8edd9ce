//! Secrets: an API key never appears in a log line, an error body or the keys table — checked
//! by capturing every log line (at debug level, from every test of this binary) while keys of every kind are used, and by
//! reading the keys table raw.

use aws_sdk_dynamodb::types::AttributeValue;
use call_log_item::auth::api_key;
use call_log_item::model::{Permission, Timestamp};
use call_log_item::store::KeyAdmin;
use serde_json::json;

use crate::helpers::{random_id, OnDynamo, TestApp};

#[tokio::test]
async fn keys_never_reach_logs_errors_or_the_keys_table() {
    let app = TestApp::with_cache(std::time::Duration::ZERO).await;
    let reader = app.key_with(&[Permission::ReadAllProjectResources]).await;
    let expired = app
        .key_expiring(Timestamp::parse("2020-01-01T00:00:00Z").unwrap())
        .await;
    let revoked = app.key_with(&[Permission::ProjectOwner]).await;
    app.store()
        .revoke_key(&api_key::hash(&revoked))
        .await
        .unwrap();
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
        .client()
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

/// The Secrets Manager the tests talk to over HTTP (moto's server, started by `make test`).
fn secrets_manager() -> String {
    std::env::var("AWS_ENDPOINT_URL_SECRETS_MANAGER").expect(
        "AWS_ENDPOINT_URL_SECRETS_MANAGER is not set: run the tests with `make test`, which \
         starts a local Secrets Manager",
    )
}

async fn secrets_client(shared: &aws_config::SdkConfig) -> aws_sdk_secretsmanager::Client {
    let config = aws_sdk_secretsmanager::config::Builder::from(shared)
        .endpoint_url(secrets_manager())
        .build();
    aws_sdk_secretsmanager::Client::from_conf(config)
}

/// The settings a function loads at cold start with these variables (and the local endpoint).
async fn loaded(
    shared: &aws_config::SdkConfig,
    variables: &[(&str, &str)],
) -> Result<call_log_item::config::Config, String> {
    let mut variables: std::collections::HashMap<String, String> = variables
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    variables.insert("AWS_ENDPOINT_URL_SECRETS_MANAGER".into(), secrets_manager());
    call_log_item::config::Config::load_from(shared, |name| variables.get(name).cloned()).await
}

/// The variables the template gives the API functions, for the secret `arn`.
fn named(arn: &str, accept_previous: bool) -> Vec<(&'static str, String)> {
    vec![
        ("CURSOR_SECRET_ARN", arn.to_string()),
        ("ACCEPT_PREVIOUS_CURSOR_SECRET", accept_previous.to_string()),
    ]
}

async fn loaded_named(
    shared: &aws_config::SdkConfig,
    arn: &str,
    accept_previous: bool,
) -> call_log_item::config::Config {
    let variables = named(arn, accept_previous);
    let variables: Vec<(&str, &str)> = variables
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    loaded(shared, &variables).await.unwrap()
}

/// The first page of a two-page list, served by a function started with `config`: its cursor.
async fn first_page_cursor(test: &TestApp, config: &call_log_item::config::Config) -> String {
    let app = call_log_item::App::new(test.client().clone(), &with_tables(config, test));
    let request = list_request(&test.key, None);
    let response = app.handle(call_log_item::Operation::List, request).await;
    assert_eq!(response.status(), 200);
    let lambda_http::Body::Text(body) = response.body() else {
        panic!("a JSON body")
    };
    let body: serde_json::Value = serde_json::from_str(body).unwrap();
    body["nextCursor"]
        .as_str()
        .expect("a next page")
        .to_string()
}

/// The status a function started with `config` answers for the page after `cursor`.
async fn next_page_status(
    test: &TestApp,
    config: &call_log_item::config::Config,
    cursor: &str,
) -> u16 {
    let app = call_log_item::App::new(test.client().clone(), &with_tables(config, test));
    let request = list_request(&test.key, Some(cursor));
    let response = app.handle(call_log_item::Operation::List, request).await;
    response.status().as_u16()
}

fn with_tables(
    config: &call_log_item::config::Config,
    test: &TestApp,
) -> call_log_item::config::Config {
    let mut config = config.clone();
    config.items_table = test.config.items_table.clone();
    config.keys_table = test.config.keys_table.clone();
    config
}

fn list_request(key: &str, cursor: Option<&str>) -> call_log_item::api::ApiRequest {
    let path = match cursor {
        Some(cursor) => format!("/api/incoming-call-log-item/get-list?limit=1&cursor={cursor}"),
        None => "/api/incoming-call-log-item/get-list?limit=1".to_string(),
    };
    let headers = [("ApiKey", key)];
    let spec = testkit::EventSpec::new("GET", &path, &headers, None)
        .on_route(Some("/api/incoming-call-log-item/get-list"));
    call_log_item::api::ApiRequest::from_event(&testkit::event_json(testkit::Payload::Http, &spec))
        .unwrap()
}

#[tokio::test]
async fn the_cursor_secret_is_read_from_secrets_manager_and_rotates_without_breaking_a_list() {
    use call_log_item::config::Secret;

    let shared = call_log_item::config::sdk_config().await.unwrap();
    let secrets = secrets_client(&shared).await;
    let first = format!("first-{}", random_id());
    let created = secrets
        .create_secret()
        .name(format!("cursor-{}", random_id()))
        .secret_string(&first)
        .send()
        .await
        .unwrap();
    let arn = created.arn().unwrap().to_string();
    let first_version = created.version_id().unwrap().to_string();

    // Named, not given: the value comes from Secrets Manager. Accepting the previous version
    // before any rotation: there is none, and that is fine.
    let before = loaded_named(&shared, &arn, false).await;
    assert_eq!(before.cursor_secret, Secret::new(first.clone()));
    assert_eq!(before.previous_cursor_secret, None);
    assert_eq!(before.pending_cursor_secret, None);
    assert_eq!(
        loaded_named(&shared, &arn, true)
            .await
            .previous_cursor_secret,
        None
    );

    // The README's rotation. 1: the new value staged (AWSPENDING), and 2: a deploy accepting
    // the previous one: every function now reads the staged value, still signs with the first.
    let second = format!("second-{}", random_id());
    let staged = secrets
        .put_secret_value()
        .secret_id(&arn)
        .secret_string(&second)
        .version_stages("AWSPENDING")
        .send()
        .await
        .unwrap();
    let staging = loaded_named(&shared, &arn, true).await;
    assert_eq!(staging.cursor_secret, Secret::new(first.clone()));
    assert_eq!(
        staging.pending_cursor_secret,
        Some(Secret::new(second.clone()))
    );

    // 3: the staged value made current (the first becomes AWSPREVIOUS).
    secrets
        .update_secret_version_stage()
        .secret_id(&arn)
        .version_stage("AWSCURRENT")
        .move_to_version_id(staged.version_id().unwrap())
        .remove_from_version_id(&first_version)
        .send()
        .await
        .unwrap();
    let rotated = loaded_named(&shared, &arn, true).await;
    assert_eq!(rotated.cursor_secret, Secret::new(second.clone()));
    assert_eq!(
        rotated.previous_cursor_secret,
        Some(Secret::new(first.clone()))
    );

    // Functions started before and after the promotion run side by side: each reads the
    // other's cursors, so a list paged across them never breaks.
    let test = TestApp::spawn().await;
    for _ in 0..2 {
        test.create_id(&random_id(), json!({})).await;
    }
    let by_staging = first_page_cursor(&test, &staging).await;
    let by_rotated = first_page_cursor(&test, &rotated).await;
    assert_eq!(next_page_status(&test, &rotated, &by_staging).await, 200);
    assert_eq!(next_page_status(&test, &staging, &by_rotated).await, 200);

    // 4: a day later, a deploy that no longer accepts the previous secret: its cursors end.
    let after = loaded_named(&shared, &arn, false).await;
    assert_eq!(after.cursor_secret, Secret::new(second));
    assert_eq!(after.previous_cursor_secret, None);
    assert_eq!(next_page_status(&test, &after, &by_rotated).await, 200);
    assert_eq!(next_page_status(&test, &after, &by_staging).await, 400);
}

#[tokio::test]
async fn a_secret_given_locally_wins_and_an_unreadable_one_stops_the_start() {
    let shared = call_log_item::config::sdk_config().await.unwrap();
    let missing = "arn:aws:secretsmanager:us-east-1:123456789012:secret:no-such-secret-AbCdEf";
    // `make dev` and `sam local` give the secret: the ARN is not read at all.
    let config = loaded(
        &shared,
        &[
            ("CURSOR_SECRET", "a-local-secret-of-enough-length"),
            ("CURSOR_SECRET_ARN", missing),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        config.cursor_secret,
        call_log_item::config::Secret::new("a-local-secret-of-enough-length")
    );
    // A secret that cannot be read: no config, so the function does not start (init error).
    let problem = loaded(&shared, &[("CURSOR_SECRET_ARN", missing)])
        .await
        .unwrap_err();
    assert!(problem.contains("no-such-secret"), "{problem}");
    assert!(problem.contains("AWSCURRENT"), "{problem}");
    // Too short a value is refused as a given one is.
    let secrets = secrets_client(&shared).await;
    let short = secrets
        .create_secret()
        .name(format!("short-{}", random_id()))
        .secret_string("short")
        .send()
        .await
        .unwrap();
    let problem = loaded(&shared, &[("CURSOR_SECRET_ARN", short.arn().unwrap())])
        .await
        .unwrap_err();
    assert!(problem.contains("too short"), "{problem}");
}
