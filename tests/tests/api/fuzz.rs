//! A fuzz run of arbitrary bodies, query strings and path ids on every route and both payload
//! formats, against the local engine: never a 5xx, never a panic, every 4xx an `{"error"}`.
//! Many generated requests pass validation and reach DynamoDB (odd text in key conditions,
//! filters and updates), which only the real engine answers. Named refusals of malformed
//! input, and that none of them reaches the store, are handler tests
//! (`shared/src/api/tests/errors.rs` and the parsers' own tests).

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};

use crate::helpers::{random_id, OnDynamo, Payload, TestApp};

const BASE: &str = "/api/incoming-call-log-item";

/// Arbitrary JSON, up to a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[a-zA-Z_#:$ .\\-0-9\u{0}-\u{10ffff}]{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "status",
            "_id",
            "projectId",
            "incomingCallLogId",
            "createdAt",
            "_type",
            "EqualTo",
            "Search",
            "InBetween",
            "MultiSearch",
            "Includes",
            "value",
            "fields",
            "ASC",
            "-1",
            "2026-11-27T00:00:00Z",
            "550e8400-e29b-41d4-a716-446655440000",
        ])
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "data",
                    "query",
                    "select",
                    "sort",
                    "skip",
                    "limit",
                    "cursor",
                    "status",
                    "_type",
                    "value",
                    "startValue",
                    "endValue",
                    "fields",
                    "_id",
                    "isAnswered",
                    "dialDurationInSeconds",
                    "startedAt",
                    "project",
                    "incomingCallLog",
                    "x",
                ]),
                inner,
                0..5,
            )
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

#[test]
fn fuzzed_requests_never_get_a_server_error() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (app, id) = runtime.block_on(async {
        let app = TestApp::spawn().await;
        let id = app.create_id(&random_id(), json!({})).await;
        (app, id)
    });
    let routes = [
        ("POST", format!("{BASE}/get-list")),
        ("GET", format!("{BASE}/get-list")),
        ("POST", format!("{BASE}/{id}/get-item")),
        ("POST", format!("{BASE}/count")),
        ("POST", BASE.to_string()),
        ("PUT", format!("{BASE}/{id}")),
        ("GET", format!("{BASE}/{id}/update-item")),
        ("POST", format!("{BASE}/{id}/delete-item")),
    ];
    let strategy = (
        0..routes.len(),
        any_json(),
        "[a-z0-9=&%._~-]{0,20}",
        "[a-zA-Z0-9%._~'-]{0,40}",
        any::<bool>(),
    );
    let mut runner = TestRunner::new(Config {
        cases: 400,
        failure_persistence: None,
        ..Config::default()
    });
    let rest_app = app.with_payload(Payload::Rest);
    let served = std::cell::Cell::new(0u32);
    runner
        .run(&strategy, |(route, body, query, path_id, rest)| {
            let app = if rest { &rest_app } else { &app };
            let (method, path) = &routes[route];
            let path = if path_id.is_empty() {
                path.clone()
            } else {
                path.replace(&id, &path_id)
            };
            let path = format!("{path}?{query}");
            let text = body.to_string();
            let headers = [("ApiKey", app.key.as_str())];
            let response = runtime.block_on(app.send(method, &path, &headers, Some(&text)));
            prop_assert!(
                response.status < 500,
                "{method} {path} {text}: {} {}",
                response.status,
                response.body
            );
            if response.status >= 400 {
                prop_assert!(response.body["error"].is_string(), "{}", response.body);
            }
            served.set(served.get() + 1);
            Ok(())
        })
        .unwrap();
    eprintln!("fuzz: {} requests, no 5xx", served.get());
}
